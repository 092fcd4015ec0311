import '../support/quiet-logs.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { runOnTable as runScale } from '../../bench/scale.ts';
import type { Figure } from '../../bench/support/figures.ts';
import { runOnTable as runWorkflowCost } from '../../bench/workflow-cost.ts';
import { useLocalServices } from './support/services.ts';

/**
 * The smoke run of `npm run bench`'s workflow-cost and scale parts (issue 8, parts 4 and 5) with tiny
 * sizes on the suite's shared DynamoDB Local. Figures are not meaningful at these sizes, but two things
 * are deterministic and asserted: a workflow path enters the same states whether its human steps wait
 * a minute or 25 days (no polling loop, no early timeout), and the deadline job and every page of the
 * lists cost the same number of requests on the small and the larger registry.
 */
let workflow: Figure[] = [];
let scale: Figure[] = [];
const ctx = { quick: true, log: () => undefined, scratchDir: '.' };

beforeAll(async () => {
  const { tableName } = await useLocalServices('scale-bench');
  workflow = await runWorkflowCost(ctx, tableName);
  scale = await runScale(ctx);
}, 60_000);

const wellFormed = (f: Figure) => {
  expect(f.name).toMatch(/\S/);
  expect(f.unit).toMatch(/\S/);
  expect(Number.isFinite(f.value)).toBe(true);
  if (f.goal !== undefined) {
    expect(typeof f.baseline).toBe('number');
    expect(typeof f.ratio).toBe('number');
    expect(typeof f.met).toBe('boolean');
    if (f.met === false) expect(f.note).toMatch(/\S/);
  }
};

describe('bench: workflow transitions (quick)', () => {
  it('counts every path of the three workflows, with well-formed figures', () => {
    expect(workflow.length).toBeGreaterThanOrEqual(6);
    for (const f of workflow) {
      expect(f.section).toBe('workflow');
      expect(f.unit).toBe('transitions');
      wellFormed(f);
    }
    const names = workflow.map((f) => f.name.split(':')[0]);
    expect(new Set(names)).toEqual(new Set(['review', 'annual-evaluation', 'uscc-verification']));
  });

  it('enters the same states whether a human step waits a minute or 25 days: nothing polls', () => {
    for (const f of workflow.filter((x) => x.goal !== undefined)) {
      expect(f.value, f.name).toBe(f.baseline);
      expect(f.met, `${f.name}: ${f.note}`).toBe(true);
    }
  });

  it('matches the counts the README states for the review: 11 on the direct path, 4 more per return', () => {
    expect(workflow.find((f) => f.name === 'review: full review, direct')?.value).toBe(11);
    expect(workflow.find((f) => f.name === 'review: each further return for supplements')?.value).toBe(4);
  });
});

describe('bench: scale (quick)', () => {
  it('measures ranking, both lists and the deadline job, with well-formed figures', () => {
    for (const f of scale) {
      expect(f.section).toBe('scale');
      wellFormed(f);
    }
    for (const what of ['ranking a call', 'public platform list', 'staff list', 'deadline job']) {
      expect(
        scale.some((f) => f.name.startsWith(what) && f.goal !== undefined),
        what,
      ).toBe(true);
    }
  });

  it('costs the same requests per page and per due item on the larger registry', () => {
    const exact = scale.filter((f) => /requests per (page|due item)/.test(f.name) && f.goal !== undefined);
    expect(exact.length).toBe(3);
    for (const f of exact) expect(f.value, f.name).toBe(f.baseline);
  });
});
