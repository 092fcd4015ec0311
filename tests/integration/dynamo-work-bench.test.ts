import '../support/quiet-logs.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runDynamoWork } from '../../bench/dynamo-work.ts';
import type { Figure } from '../../bench/support/figures.ts';

/**
 * The smoke run of `npm run bench`'s DynamoDB part (issue 8, part 3) with tiny sizes on the suite's shared
 * DynamoDB Local and s3rver (the part creates and drops its own tables and bucket). Its figures are not
 * meaningful at these sizes, but DynamoDB request counts are deterministic: the number of requests of
 * every API action must be the same on the small and the large registry, and the deadline job's reads
 * must not depend on the registry's size. A change that makes an action read the registry fails here.
 */
let figures: Figure[] = [];
let scratchDir = '';

beforeAll(async () => {
  scratchDir = mkdtempSync(path.join(os.tmpdir(), 'dynamo-work-bench-'));
  figures = await runDynamoWork(
    { quick: true, log: () => undefined, scratchDir },
    { dynamo: inject('dynamoEndpoint'), s3: inject('s3Endpoint') },
  );
}, 60_000);
afterAll(() => rmSync(scratchDir, { recursive: true, force: true }));

describe('bench: DynamoDB work per action (quick)', () => {
  it('gives well-formed figures: section, unit, a number, a goal with its baseline and ratio, a cause when missed', () => {
    expect(figures.length).toBeGreaterThan(60);
    for (const f of figures) {
      expect(f.section).toBe('dynamodb');
      expect(f.name).toMatch(/\S/);
      expect(Number.isFinite(f.value)).toBe(true);
      expect(['actions', 'requests', 'RCU', 'RCU/row', 'requests/evaluation']).toContain(f.unit);
      expect(f.goal).toMatch(/\S/);
      expect(typeof f.baseline).toBe('number');
      expect(typeof f.ratio).toBe('number');
      expect(typeof f.met).toBe('boolean');
      if (f.met === false) expect(f.note).toMatch(/CAUSE: /);
    }
  });

  it('every measured API action sends the same number of DynamoDB requests on the small and the large registry', () => {
    const actions = figures.filter(
      (f) => !f.name.startsWith('deadline job') && f.unit === 'requests' && f.goal !== undefined,
    );
    expect(actions.length).toBeGreaterThan(60);
    const differing = actions
      .filter((f) => f.value !== f.baseline)
      .map((f) => `${f.name}: ${f.baseline} → ${f.value}`);
    expect(differing).toEqual([]);
  });

  it('every export reads no more per exported row on the large registry than on the small one', () => {
    const exports = figures.filter((f) => f.unit === 'RCU/row');
    expect(exports.map((f) => f.name).sort()).toEqual(
      ['exportGrades', 'exportRanking', 'exportRegistry', 'exportRevocations'].map(
        (n) => `${n} reads per row`,
      ),
    );
    for (const f of exports) expect(f.met, `${f.name}: ${f.note ?? ''}`).toBe(true);
  });

  it('opening and signing off an evaluation cycle cost no more requests per evaluation on the large registry', () => {
    const batch = figures.filter((f) => f.unit === 'requests/evaluation');
    expect(batch.map((f) => f.name).sort()).toEqual([
      'finalizeEvaluationCycle requests per evaluation',
      'openEvaluationCycle requests per evaluation',
    ]);
    for (const f of batch) expect(f.met, `${f.name}: ${f.note ?? ''}`).toBe(true);
  });

  it('measures every route of the route table', async () => {
    const { routes } = await import('../../functions/api/routes.ts');
    const measured = new Set(figures.map((f) => f.name.split(' ')[0]));
    expect(routes.map((r) => r.id).filter((id) => !measured.has(id))).toEqual([]);
  });

  it('the deadline job: requests and reads independent of the registry, growing with the due items', () => {
    const job = figures.filter((f) => f.name.startsWith('deadline job'));
    expect(job.length).toBe(7);
    for (const f of job) expect(f.met, `${f.name}: ${f.note ?? ''}`).toBe(true);
  });
});
