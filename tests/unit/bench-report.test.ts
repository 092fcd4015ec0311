import { describe, expect, it } from 'vitest';
import { type BenchReport, renderTable, replaceSection } from '../../bench/run.ts';
import { median, ratioFigure } from '../../bench/support/figures.ts';

const machine = { node: '24.0.0', cpus: 2, cpuModel: 'Test CPU', memoryGiB: 24 };

describe('bench figures and table (issue 8)', () => {
  it.each([
    ['max', 1.2, 120, 100, true],
    ['max', 1.2, 121, 100, false],
    ['max', 1.2, 119, 100, true],
    ['min', 0.7, 70, 100, true],
    ['min', 0.7, 69, 100, false],
    ['min', 0.7, 71, 100, true],
  ] as const)('%s %s×: %d against %d → met %s', (kind, limit, value, baseline, met) => {
    const f = ratioFigure(
      { section: 's', name: 'n', value, baseline, unit: 'KB' },
      { kind, limit },
      'because',
    );
    expect(f.met).toBe(met);
    expect(f.note).toBe(met ? undefined : 'because');
    expect(f.goal).toBe(`${kind === 'max' ? '≤' : '≥'} ${limit}× baseline`);
  });

  it('takes the median of odd and even lists and refuses an empty one', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow();
  });

  it('renders every figure with its goal and verdict, failed parts and a goals line', () => {
    const report: BenchReport = {
      ranAt: '2026-11-26T00:00:00.000Z',
      quick: false,
      machine,
      parts: [
        {
          part: 'cold-start',
          seconds: 12.3,
          figures: [
            ratioFigure(
              { section: 'bundle', name: 'api-x', value: 600, baseline: 550, unit: 'KB' },
              { kind: 'max', limit: 1.2 },
            ),
            ratioFigure(
              { section: 'bundle', name: 'api|y', value: 900, baseline: 550, unit: 'KB' },
              { kind: 'max', limit: 1.2 },
              'zod | big',
            ),
            { section: 'workflow', name: 'review', value: 11, unit: 'transitions' },
          ],
        },
        { part: 'scale', seconds: 1, figures: [], error: 'Error: boom\n at x' },
      ],
    };
    const table = renderTable(report);
    expect(table).toContain('| bundle | api-x | 600 KB | 550 KB | 1.09× | ≤ 1.2× baseline | met |  |');
    expect(table).toContain(
      '| bundle | api\\|y | 900 KB | 550 KB | 1.64× | ≤ 1.2× baseline | MISSED | zod \\| big |',
    );
    expect(table).toContain('| workflow | review | 11 transitions |');
    expect(table).toContain('| scale | FAILED TO RUN |');
    expect(table).toContain('Goals: 1 of 2 met; missed: bundle / api|y.');
    const readme = replaceSection(
      '# R\n\n<!-- bench:start -->\nstale figures\n<!-- bench:end -->\n\nafter\n',
      table,
    );
    expect(readme).not.toContain('stale figures');
    expect(readme).toContain('after');
    expect(replaceSection(readme, table)).toBe(readme);
  });
});
