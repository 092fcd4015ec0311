import type { FieldError } from '../shared/errors.ts';

/**
 * Art. 8(3): the merit ranking of a call's applications — "comprehensive review of the materials and
 * an on-site inspection; merit-based choice of a proposed list". Plain arithmetic, no I/O.
 */
export interface ScoringCriterion {
  readonly key: string;
  readonly title: string;
  readonly weight: number;
  readonly max: number;
}

export type Scores = Readonly<Record<string, number>>;

const round2 = (x: number): number => Math.round((x + Number.EPSILON) * 100) / 100;

/**
 * Checks one expert's scores against the call's criteria: every criterion scored, 0 ≤ score ≤ max,
 * no unknown keys. Returns one field error per problem, naming the criterion (empty when valid).
 */
export function scoreProblems(criteria: readonly ScoringCriterion[], scores: Scores): FieldError[] {
  const problems: FieldError[] = [];
  const known = new Set(criteria.map((c) => c.key));
  for (const c of criteria) {
    const value = scores[c.key];
    if (value === undefined) {
      problems.push({
        path: `body.scores.${c.key}`,
        message: `score the criterion "${c.title}" (0–${c.max})`,
      });
    } else if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > c.max) {
      problems.push({
        path: `body.scores.${c.key}`,
        message: `the score of "${c.title}" must be between 0 and ${c.max}`,
      });
    }
  }
  for (const key of Object.keys(scores)) {
    if (!known.has(key))
      problems.push({ path: `body.scores.${key}`, message: 'not a criterion of this call' });
  }
  return problems;
}

/**
 * One expert's weighted score on a 0–100 scale: Σ (score / max · weight) / Σ weight × 100
 * (unrounded; averages round once at the end).
 */
export function expertScore(criteria: readonly ScoringCriterion[], scores: Scores): number {
  const totalWeight = criteria.reduce((sum, c) => sum + c.weight, 0);
  if (totalWeight <= 0) throw new Error('scoring criteria must have a positive total weight');
  const weighted = criteria.reduce((sum, c) => sum + ((scores[c.key] ?? 0) / c.max) * c.weight, 0);
  return (weighted / totalWeight) * 100;
}

/** The application's score: the mean of its experts' weighted scores, rounded to 2 decimals. */
export function averageScore(
  criteria: readonly ScoringCriterion[],
  all: readonly Scores[],
): number | undefined {
  if (!all.length) return undefined;
  const sum = all.reduce((s, scores) => s + expertScore(criteria, scores), 0);
  return round2(sum / all.length);
}

export interface RankingInput {
  readonly applicationId: string;
  readonly submittedAt?: string;
  /** Expert scores (conflict declarations excluded). */
  readonly expertScores: readonly { readonly expertId: string; readonly scores: Scores }[];
  /** The site inspection's result; only passed applications are ranked. */
  readonly inspectionPassed: boolean;
}

export interface RankedEntry {
  readonly rank: number;
  readonly applicationId: string;
  readonly averageScore: number;
  readonly expertScores: readonly {
    readonly expertId: string;
    readonly score: number;
    readonly scores: Scores;
  }[];
}

/**
 * Art. 8(3) merit order: applications whose inspection passed and that have at least one expert score,
 * by average score (2 decimals) descending; ties go to the earlier submission, then the id.
 * Equal averages share neither rank nor position: the order is total and stable.
 */
export function rank(criteria: readonly ScoringCriterion[], inputs: readonly RankingInput[]): RankedEntry[] {
  const scored = inputs
    .filter((i) => i.inspectionPassed && i.expertScores.length > 0)
    .map((i) => ({
      input: i,
      averageScore: averageScore(
        criteria,
        i.expertScores.map((e) => e.scores),
      ) as number,
      expertScores: i.expertScores.map((e) => ({
        expertId: e.expertId,
        score: round2(expertScore(criteria, e.scores)),
        scores: e.scores,
      })),
    }));
  scored.sort(
    (a, b) =>
      b.averageScore - a.averageScore ||
      compare(a.input.submittedAt ?? '\uffff', b.input.submittedAt ?? '\uffff') ||
      compare(a.input.applicationId, b.input.applicationId),
  );
  return scored.map((s, i) => ({
    rank: i + 1,
    applicationId: s.input.applicationId,
    averageScore: s.averageScore,
    expertScores: s.expertScores,
  }));
}

const compare = (a: string, b: string): number => {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (Number.isFinite(ta) && Number.isFinite(tb) && ta !== tb) return ta - tb;
  return a < b ? -1 : a > b ? 1 : 0;
};
