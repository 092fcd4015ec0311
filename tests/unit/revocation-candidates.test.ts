import { describe, expect, it } from 'vitest';
import {
  candidatesFor,
  deadlineInstant,
  type GradeRecord,
  policyEndInstant,
} from '../../functions/core/revocations.ts';

/** Shorthand: U unqualified, Q qualified, G good, E excellent (all published), O overdue, N not_graded, - no evaluation. */
const YEAR0 = 2024;
function history(code: string): GradeRecord[] {
  const out: GradeRecord[] = [];
  [...code].forEach((c, i) => {
    const year = YEAR0 + i;
    const grade = { U: 'unqualified', Q: 'qualified', G: 'good', E: 'excellent' }[c];
    if (grade) out.push({ year, status: 'published', grade });
    else if (c === 'O') out.push({ year, status: 'overdue' });
    else if (c === 'N') out.push({ year, status: 'not_graded' });
    else if (c === 'g') out.push({ year, status: 'graded' });
    else if (c === 'a') out.push({ year, status: 'awaiting_report' });
  });
  return out;
}

const consecutive = (code: string) =>
  candidatesFor('p-1', history(code)).find((c) => c.ground === 'consecutive_unqualified');

describe('Art. 13(1): unqualified in two consecutive years', () => {
  it.each([
    ['UU', [2024, 2025], undefined],
    ['QUU', [2025, 2026], undefined],
    ['UUU', [2025, 2026], undefined],
    ['UOU', [2024, 2026], [2025]],
    ['UOOU', [2024, 2027], [2025, 2026]],
    ['UUQUU', [2027, 2028], undefined],
  ])('%s → candidate for years %j (bridged overdue %j)', (code, years, bridged) => {
    // Prepare / Act
    const found = consecutive(code);
    // Assess
    expect(found?.facts.years).toEqual(years);
    expect(found?.facts.bridgedOverdueYears).toEqual(bridged);
    const [from = 0, to = 0] = years;
    expect(found?.facts.evaluations.map((e) => e.year)).toEqual(
      Array.from({ length: to - from + 1 }, (_, i) => from + i),
    );
  });

  it.each([
    ['U', 'one unqualified year'],
    ['UQU', 'two of three: a passing year breaks the run'],
    ['UGU', 'a good year breaks the run'],
    ['U-U', 'a missing year breaks the run'],
    ['UNU', 'a year not graded (revoked mid-cycle) breaks the run'],
    ['UO', 'unqualified then overdue: one unqualified year only (ground 2 instead)'],
    ['OU', 'overdue then unqualified'],
    ['Ug', 'graded but not yet published does not count'],
    ['Ua', 'the running cycle does not count'],
    ['QQ', 'qualified twice'],
    ['', 'no evaluations'],
  ])('%s → no candidate (%s)', (code) => {
    expect(consecutive(code)).toBeUndefined();
  });

  it('counts only published grades: a grade recorded on an unpublished status is ignored', () => {
    const grades: GradeRecord[] = [
      { year: 2024, status: 'published', grade: 'unqualified' },
      { year: 2025, status: 'graded', grade: 'unqualified' },
    ];
    expect(candidatesFor('p-1', grades).filter((c) => c.ground === 'consecutive_unqualified')).toEqual([]);
  });

  it('reads unsorted input by year', () => {
    const grades = history('UU').reverse();
    expect(candidatesFor('p-1', grades)[0]?.facts.years).toEqual([2024, 2025]);
  });
});

describe('Art. 13(2): the report was overdue so the platform could not be evaluated', () => {
  it.each([
    ['O', [[2024]]],
    ['QO', [[2025]]],
    ['OQO', [[2026], [2024]]],
    ['UO', [[2025]]],
  ])('%s → overdue_report candidates %j, latest first', (code, years) => {
    const found = candidatesFor('p-1', history(code)).filter((c) => c.ground === 'overdue_report');
    expect(found.map((c) => c.facts.years)).toEqual(years);
    expect(found.every((c) => c.facts.evaluations[0]?.status === 'overdue')).toBe(true);
  });

  it.each(['Q', 'a', 'N', 'U'])('%s → no overdue_report candidate', (code) => {
    expect(candidatesFor('p-1', history(code)).filter((c) => c.ground === 'overdue_report')).toEqual([]);
  });

  it('UOU raises both grounds, each with its facts', () => {
    const found = candidatesFor('p-1', history('UOU'));
    expect(found.map((c) => [c.ground, c.facts.years])).toEqual([
      ['consecutive_unqualified', [2024, 2026]],
      ['overdue_report', [2025]],
    ]);
  });
});

describe('deadlines in Asia/Shanghai (Art. 13 response deadline, Art. 14 policy end)', () => {
  it.each([
    ['2027-12-31', '2027-12-31T15:59:59.999Z'],
    ['2026-01-01', '2026-01-01T15:59:59.999Z'],
  ])('a date %s ends at 23:59:59.999 +08:00 = %s', (date, iso) => {
    expect(deadlineInstant(date).toISOString()).toBe(iso);
    expect(policyEndInstant(date).toISOString()).toBe(iso);
  });

  it('an instant is taken as given', () => {
    expect(deadlineInstant('2026-12-01T10:00:00+08:00').toISOString()).toBe('2026-12-01T02:00:00.000Z');
  });
});
