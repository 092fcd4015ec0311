import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourcesOf, type Synthesised, synthStage } from './support/synth.ts';

/**
 * The code CDK deploys: every function is bundled by esbuild into one ESM file (with the
 * `createRequire` banner) that must load on the Lambda runtime's Node major and export `handler`.
 * This is the only infra test that bundles, so it takes a few seconds more.
 */
let dev: Synthesised;
beforeAll(() => {
  dev = synthStage('dev', { context: { 'aws:cdk:bundling-stacks': ['**'] } });
});
afterAll(() => dev.cleanup());

const LOADER = `
const results = {};
for (const file of process.argv.slice(1)) {
  try {
    const mod = await import(file);
    results[file] = typeof mod.handler;
  } catch (error) {
    results[file] = 'error: ' + (error && error.message);
  }
}
process.stdout.write(JSON.stringify(results));
`;

describe('deployed bundles', () => {
  it('every function’s bundle loads as ESM on this Node (the runtime’s major) and exports handler', () => {
    const functions = resourcesOf(dev.stateless$, 'AWS::Lambda::Function');
    const files = Object.entries(functions).map(([id, fn]) => {
      const key = (fn.Properties.Code as { S3Key?: string }).S3Key ?? '';
      const file = path.join(dev.outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs');
      expect(existsSync(file), `${id}: ${file}`).toBe(true);
      expect(existsSync(`${file}.map`), `${id}: source map`).toBe(true);
      return file;
    });
    expect(Number(process.versions.node.split('.')[0])).toBe(24);
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', LOADER, ...files], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        AWS_REGION: dev.config.region,
        STAGE: 'dev',
        TABLE_NAME: 'zs-ai-dev-registry',
        EVIDENCE_BUCKET: 'zs-ai-dev-evidence',
        WORKFLOW_USCC_VERIFICATION_ARN: `arn:aws:states:${dev.config.region}:123456789012:stateMachine:x`,
      },
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const results = JSON.parse(run.stdout) as Record<string, string>;
    expect(Object.values(results)).toEqual(files.map(() => 'function'));
  });
});
