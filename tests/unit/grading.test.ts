import { describe, expect, it } from 'vitest';
import {
  bandProblems,
  DEFAULT_BANDS,
  decideGrade,
  evaluationScore,
  type Grade,
  gradeFor,
} from '../../functions/core/grading.ts';
import { ValidationError } from '../../functions/shared/errors.ts';

/** Art. 12: score → grade with the configurable bands, and overrides only with a reason. */
const criteria = [{ key: 'total', title: '综合', weight: 1, max: 100 }];

describe('gradeFor with the default bands (excellent ≥ 90, good ≥ 75, qualified ≥ 60)', () => {
  it.each<[number, Grade]>([
    [0, 'unqualified'],
    [59.99, 'unqualified'],
    [60, 'qualified'],
    [60.01, 'qualified'],
    [74.99, 'qualified'],
    [75, 'good'],
    [75.01, 'good'],
    [89.99, 'good'],
    [90, 'excellent'],
    [90.01, 'excellent'],
    [100, 'excellent'],
  ])('%s → %s', (score, grade) => {
    // Prepare / Act / Assess
    expect(gradeFor(score, DEFAULT_BANDS)).toBe(grade);
  });
});

describe('gradeFor with configured bands', () => {
  it.each<[number, Grade]>([
    [84.99, 'good'],
    [85, 'excellent'],
    [69.99, 'qualified'],
    [70, 'good'],
    [49.99, 'unqualified'],
    [50, 'qualified'],
  ])('%s → %s under 85/70/50', (score, grade) => {
    expect(gradeFor(score, { excellent: 85, good: 70, qualified: 50 })).toBe(grade);
  });
});

describe('evaluationScore = Σ score/max·weight / Σ weight × 100', () => {
  it('weights and maxima', () => {
    const c = [
      { key: 'a', title: 'A', weight: 3, max: 10 },
      { key: 'b', title: 'B', weight: 1, max: 50 },
    ];
    // (8/10·3 + 25/50·1) / 4 × 100 = (2.4 + 0.5) / 4 × 100 = 72.5
    expect(evaluationScore(c, { a: 8, b: 25 })).toBe(72.5);
  });

  it('rounds to 2 decimals and grades the rounded score', () => {
    const c = [{ key: 'a', title: 'A', weight: 1, max: 3 }];
    // 1.8 / 3 = 60.000…%; 1.79991/3 = 59.997% → 60.00
    expect(evaluationScore(c, { a: 1.79991 })).toBe(60);
    expect(decideGrade(c, DEFAULT_BANDS, { scores: { a: 1.79991 } }).grade).toBe('qualified');
    expect(evaluationScore(c, { a: 1.7997 })).toBe(59.99);
  });

  it.each([
    [{}, 'body.scores.total'],
    [{ total: 101 }, 'body.scores.total'],
    [{ total: -1 }, 'body.scores.total'],
    [{ total: 50, extra: 1 }, 'body.scores.extra'],
  ])('rejects %j naming %s', (scores, path) => {
    try {
      evaluationScore(criteria, scores);
      expect.unreachable('should have thrown');
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).errors?.map((x) => x.path)).toContain(path);
    }
  });
});

describe('decideGrade: overrides need a reason', () => {
  it.each<[number, Grade | undefined, string | undefined, Grade | 'error', boolean]>([
    [91, undefined, undefined, 'excellent', false],
    [91, 'excellent', undefined, 'excellent', false],
    [91, 'good', undefined, 'error', false],
    [91, 'good', '  ', 'error', false],
    [91, 'good', '现场核查发现案例数据不实', 'good', true],
    [59.99, 'qualified', '因客观原因酌情', 'qualified', true],
    [60, 'qualified', 'no override here', 'error', false],
  ])('score %s, grade %s, reason %j → %s', (score, grade, reason, expected, overridden) => {
    const input = {
      scores: { total: score },
      ...(grade ? { grade } : {}),
      ...(reason !== undefined ? { overrideReason: reason } : {}),
    };
    if (expected === 'error') {
      expect(() => decideGrade(criteria, DEFAULT_BANDS, input)).toThrow(ValidationError);
      return;
    }
    const d = decideGrade(criteria, DEFAULT_BANDS, input);
    expect(d.grade).toBe(expected);
    expect(d.overridden).toBe(overridden);
    expect(d.bandGrade).toBe(gradeFor(score));
  });

  it('a missing reason is 400 OVERRIDE_REASON_REQUIRED', () => {
    try {
      decideGrade(criteria, DEFAULT_BANDS, { scores: { total: 95 }, grade: 'unqualified' });
      expect.unreachable('should have thrown');
    } catch (e) {
      expect((e as ValidationError).code).toBe('OVERRIDE_REASON_REQUIRED');
      expect((e as ValidationError).status).toBe(400);
    }
  });
});

describe('bands must descend within (0, 100]', () => {
  it.each([
    [{ excellent: 90, good: 75, qualified: 60 }, 0],
    [{ excellent: 100, good: 99.99, qualified: 0.01 }, 0],
    [{ excellent: 75, good: 75, qualified: 60 }, 1],
    [{ excellent: 90, good: 60, qualified: 75 }, 1],
    [{ excellent: 101, good: 75, qualified: 60 }, 1],
    [{ excellent: 90, good: 75, qualified: 0 }, 1],
  ])('%j → %i problem(s)', (bands, n) => {
    expect(bandProblems(bands)).toHaveLength(n);
  });
});
