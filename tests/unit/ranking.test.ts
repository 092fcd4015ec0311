import { describe, expect, it } from 'vitest';
import {
  averageScore,
  expertScore,
  rank,
  type ScoringCriterion,
  scoreProblems,
} from '../../functions/core/ranking.ts';

/** Art. 8(3): merit ranking arithmetic and score validation. */
const criteria: ScoringCriterion[] = [
  { key: 'capability', title: 'Capability', weight: 60, max: 10 },
  { key: 'resources', title: 'Resources', weight: 40, max: 5 },
];

describe('expertScore: Σ(score/max·weight)/Σweight × 100', () => {
  it.each([
    [{ capability: 10, resources: 5 }, 100],
    [{ capability: 0, resources: 0 }, 0],
    [{ capability: 5, resources: 5 }, 70],
    [{ capability: 10, resources: 0 }, 60],
    [{ capability: 7, resources: 3 }, 66],
  ])('%j → %d', (scores, expected) => {
    expect(expertScore(criteria, scores)).toBeCloseTo(expected, 10);
  });

  it('refuses criteria whose weights sum to zero', () => {
    expect(() => expertScore([{ key: 'a', title: 'A', weight: 0, max: 1 }], { a: 1 })).toThrow(/positive/);
  });
});

describe('averageScore: mean over experts, 2 decimals', () => {
  it.each([
    [
      [
        { capability: 10, resources: 5 },
        { capability: 5, resources: 5 },
      ],
      85,
    ],
    // 66 and 69.333… → 67.666… → 67.67
    [
      [
        { capability: 7, resources: 3 },
        { capability: 8, resources: 8 / 3 },
      ],
      67.67,
    ],
    // 66 and 66.666… → 66.333… → 66.33
    [
      [
        { capability: 7, resources: 3 },
        { capability: 6, resources: 23 / 6 },
      ],
      66.33,
    ],
    // 1/3 of 100 → 33.33; 2/3 → 66.67 (half up)
    [[{ capability: 10 / 3, resources: 5 / 3 }], 33.33],
    [[{ capability: 20 / 3, resources: 10 / 3 }], 66.67],
  ])('%j → %d', (all, expected) => {
    expect(averageScore(criteria, all)).toBe(expected);
  });

  it('is undefined without scores', () => {
    expect(averageScore(criteria, [])).toBeUndefined();
  });
});

describe('scoreProblems: every criterion, 0 ≤ score ≤ max, no unknown keys', () => {
  it.each([
    ['0 (lower bound)', { capability: 0, resources: 0 }, []],
    ['max (upper bound)', { capability: 10, resources: 5 }, []],
    ['max + ε', { capability: 10.000001, resources: 5 }, ['body.scores.capability']],
    ['below 0', { capability: -0.5, resources: 5 }, ['body.scores.capability']],
    ['a missing criterion', { capability: 3 }, ['body.scores.resources']],
    ['an unknown key', { capability: 3, resources: 2, charm: 1 }, ['body.scores.charm']],
    ['not finite', { capability: Number.POSITIVE_INFINITY, resources: 2 }, ['body.scores.capability']],
  ])('%s', (_label, scores, paths) => {
    const problems = scoreProblems(criteria, scores);
    expect(problems.map((p) => p.path)).toEqual(paths);
    for (const p of problems) expect(p.message.length).toBeGreaterThan(5);
  });

  it('names the criterion title and its max', () => {
    const [problem] = scoreProblems(criteria, { capability: 11, resources: 1 });
    expect(problem?.message).toContain('Capability');
    expect(problem?.message).toContain('10');
  });
});

describe('rank: merit order', () => {
  const entry = (
    applicationId: string,
    submittedAt: string,
    scores: Array<Record<string, number>>,
    inspectionPassed = true,
  ) => ({
    applicationId,
    submittedAt,
    inspectionPassed,
    expertScores: scores.map((s, i) => ({ expertId: `e${i}`, scores: s })),
  });

  it('orders by average descending, ties to the earlier submission, skips failed or unscored ones', () => {
    // Prepare
    const inputs = [
      entry('a-late', '2026-03-02T10:00:00Z', [{ capability: 8, resources: 4 }]),
      entry('b-best', '2026-03-03T10:00:00Z', [{ capability: 10, resources: 5 }]),
      entry('c-early', '2026-03-01T10:00:00+08:00', [{ capability: 8, resources: 4 }]),
      entry('d-failed', '2026-03-01T00:00:00Z', [{ capability: 10, resources: 5 }], false),
      entry('e-unscored', '2026-03-01T00:00:00Z', []),
    ];
    // Act
    const ranked = rank(criteria, inputs);
    // Assess
    expect(ranked.map((r) => [r.rank, r.applicationId, r.averageScore])).toEqual([
      [1, 'b-best', 100],
      [2, 'c-early', 80],
      [3, 'a-late', 80],
    ]);
    expect(ranked[1]?.expertScores).toEqual([
      { expertId: 'e0', score: 80, scores: { capability: 8, resources: 4 } },
    ]);
  });

  it('a tie on the rounded average is broken by submission, not by hidden decimals', () => {
    // 80.001 and 80.004 both show as 80 → the earlier submission first.
    const c: ScoringCriterion[] = [{ key: 'x', title: 'X', weight: 1, max: 100_000 }];
    const ranked = rank(c, [
      entry('higher-later', '2026-03-02T00:00:00Z', [{ x: 80_004 }]),
      entry('lower-earlier', '2026-03-01T00:00:00Z', [{ x: 80_001 }]),
    ]);
    expect(ranked.map((r) => r.applicationId)).toEqual(['lower-earlier', 'higher-later']);
  });
});
