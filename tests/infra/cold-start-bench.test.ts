import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { baselineSource, measureColdStart } from '../../bench/cold-start.ts';
import type { Figure } from '../../bench/support/figures.ts';
import { functionEntries } from '../../infra/stacks/function-entries.ts';

/**
 * The bundle and cold-start part of `npm run bench` (issue 8), in quick mode on two functions: it
 * bundles them and their baselines, runs each once in a fresh Node process against DynamoDB Local, and
 * yields well-formed figures. Whether the goals are met is the benchmark's business, not a test's.
 */
const scratchDir = mkdtempSync(path.join(os.tmpdir(), 'cold-start-test-'));
afterAll(() => rmSync(scratchDir, { recursive: true, force: true }));

describe('cold-start bench', () => {
  it('measures every function the stack deploys, by the list the stack builds from', () => {
    const names = functionEntries().map((f) => f.name);
    expect(names).toContain('api-system');
    expect(names).toContain('job-deadlines');
    expect(names).toContain('wf-review');
    expect(new Set(names).size).toBe(names.length);
  });

  it('refuses a baseline for an SDK client it does not know', () => {
    expect(() => baselineSource(['@aws-sdk/client-unknown'])).toThrow(/no baseline/);
  });

  it('gives a bundle and a cold-start figure per function, each with its baseline', async () => {
    const only = ['api-audit', 'wf-uscc-verification'];
    const figures: Figure[] = await measureColdStart(
      { quick: true, log: () => undefined, scratchDir },
      { only },
    );
    expect(figures.map((f) => `${f.section}/${f.name}`).sort()).toEqual(
      only.flatMap((n) => [`bundle/${n}`, `cold start/${n}`]).sort(),
    );
    for (const f of figures) {
      expect(f.unit).toBe(f.section === 'bundle' ? 'KB' : 'ms');
      expect(f.value).toBeGreaterThan(0);
      expect(f.baseline).toBeGreaterThan(0);
      expect(f.ratio).toBeCloseTo(f.value / (f.baseline as number), 1);
      expect(f.goal).toBe(f.section === 'bundle' ? '≤ 1.2× baseline' : '≤ 1.3× baseline');
      expect(typeof f.met).toBe('boolean');
      if (f.met === false) expect(f.note).toBeTruthy();
    }
    // The functions answered (an error answer would still be a figure, but these two reach DynamoDB).
    const cold = figures.filter((f) => f.section === 'cold start');
    expect(cold.map((f) => f.note)).toEqual([
      expect.stringMatching(/HTTP 200/),
      expect.stringMatching(/returned/),
    ]);
  });
});
