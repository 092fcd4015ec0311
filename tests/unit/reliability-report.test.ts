import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readFigures, renderSection, replaceSection } from '../../scripts/reliability-report.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = (): string => {
  const d = mkdtempSync(path.join(tmpdir(), 'zs-rel-'));
  dirs.push(d);
  return d;
};
const figures = (suite: string, tried: Record<string, number>, fiveXX = 0) => ({
  suite,
  tried,
  fiveXX,
  leaks: 0,
  lost: 0,
  halfWritten: 0,
  notes: 'a | b',
});

describe('reliability report (README section from the suites’ figures)', () => {
  it('reads every figures file in name order and refuses a malformed one', () => {
    const d = tmp();
    writeFileSync(path.join(d, 'b.json'), JSON.stringify(figures('b', { x: 2 })));
    writeFileSync(path.join(d, 'a.json'), JSON.stringify(figures('a', { y: 1, z: 3 })));
    expect(readFigures(d).map((f) => f.suite)).toEqual(['a', 'b']);
    writeFileSync(path.join(d, 'c.json'), JSON.stringify({ suite: 'c', tried: { x: 1.5 } }));
    expect(() => readFigures(d)).toThrow(/c\.json: not a reliability figures file/);
    expect(readFigures(path.join(d, 'missing'))).toEqual([]);
  });

  it('renders one row per suite with totals, escaping table pipes', () => {
    const s = renderSection([figures('a', { y: 1, z: 3 }), figures('b', { x: 2 }, 1)]);
    expect(s).toContain('| a | 4 | y 1, z 3 | 0 | 0 | 0 | 0 | a \\| b |');
    expect(s).toContain('| b | 2 | x 2 | 1 |');
    expect(s).toContain('In all: 6 requests or operations tried; 1 unexpected 5xx, 0 leaks, 0 lost');
  });

  it('replaces only the text between the markers, or appends the section once', () => {
    const section = renderSection([figures('a', { y: 1 })]);
    const readme = `# T\n\nbefore\n\n${renderSection([figures('old', { q: 9 })])}\n\nafter\n`;
    const out = replaceSection(readme, section);
    expect(out).toContain('before');
    expect(out).toContain('after');
    expect(out).not.toContain('| old |');
    expect(out.match(/reliability:start/g)).toHaveLength(1);
    const appended = replaceSection('# T\n', section);
    expect(appended.startsWith('# T\n\n<!-- reliability:start -->')).toBe(true);
    expect(replaceSection(appended, section)).toBe(appended);
  });
});
