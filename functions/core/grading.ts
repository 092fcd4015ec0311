import { type FieldError, ValidationError } from '../shared/errors.ts';
import { expertScore, type Scores, type ScoringCriterion, scoreProblems } from './ranking.ts';

/**
 * Art. 12: the annual evaluation grades every platform excellent / good / qualified / unqualified.
 * The grade follows from the weighted score and the cycle's configurable score bands; an officer may
 * grade differently only with a recorded reason. Plain arithmetic, no I/O.
 */
export const GRADES = ['excellent', 'good', 'qualified', 'unqualified'] as const;
export type Grade = (typeof GRADES)[number];

/** Lower score bounds (inclusive, 0–100) of the three passing grades; below `qualified` is unqualified. */
export interface ScoreBands {
  readonly excellent: number;
  readonly good: number;
  readonly qualified: number;
}

/** Art. 12 defaults: excellent ≥ 90, good ≥ 75, qualified ≥ 60, else unqualified. */
export const DEFAULT_BANDS: ScoreBands = { excellent: 90, good: 75, qualified: 60 };

export type { Scores, ScoringCriterion };

/** Bands must be strictly descending within (0, 100]: excellent > good > qualified > 0. */
export function bandProblems(bands: ScoreBands): FieldError[] {
  const problems: FieldError[] = [];
  for (const key of ['excellent', 'good', 'qualified'] as const) {
    const v = bands[key];
    if (!Number.isFinite(v) || v <= 0 || v > 100)
      problems.push({ path: `body.bands.${key}`, message: 'a score between 0 (exclusive) and 100' });
  }
  if (!problems.length && !(bands.excellent > bands.good && bands.good > bands.qualified)) {
    problems.push({
      path: 'body.bands',
      message: `must descend: excellent (${bands.excellent}) > good (${bands.good}) > qualified (${bands.qualified})`,
    });
  }
  return problems;
}

/** Criteria of a cycle: unique keys, positive weights and maxima (like a call's scoring criteria). */
export function criteriaProblems(criteria: readonly ScoringCriterion[]): FieldError[] {
  const problems: FieldError[] = [];
  if (!criteria.length) problems.push({ path: 'body.criteria', message: 'at least one criterion' });
  const seen = new Set<string>();
  criteria.forEach((c, i) => {
    if (seen.has(c.key)) problems.push({ path: `body.criteria.${i}.key`, message: `duplicate key ${c.key}` });
    seen.add(c.key);
    if (!(c.weight > 0)) problems.push({ path: `body.criteria.${i}.weight`, message: 'must be positive' });
    if (!(c.max > 0)) problems.push({ path: `body.criteria.${i}.max`, message: 'must be positive' });
  });
  return problems;
}

const round2 = (x: number): number => Math.round((x + Number.EPSILON) * 100) / 100;

/**
 * Art. 12: the evaluation score on a 0–100 scale, Σ (score / max · weight) / Σ weight × 100, rounded to
 * 2 decimals; the grade is taken from this rounded score (what is shown is what is graded).
 * 400 naming each criterion that is missing, out of range or unknown.
 */
export function evaluationScore(criteria: readonly ScoringCriterion[], scores: Scores): number {
  const problems = scoreProblems(criteria, scores).map((p) => ({
    ...p,
    message: p.message.replace('this call', 'this evaluation cycle'),
  }));
  if (problems.length)
    throw new ValidationError('Score every criterion of the cycle, within its range.', problems);
  return round2(expertScore(criteria, scores));
}

/** Art. 12: the grade a score earns under the bands (lower bounds inclusive). */
export function gradeFor(score: number, bands: ScoreBands = DEFAULT_BANDS): Grade {
  if (score >= bands.excellent) return 'excellent';
  if (score >= bands.good) return 'good';
  if (score >= bands.qualified) return 'qualified';
  return 'unqualified';
}

export interface GradeDecision {
  readonly score: number;
  /** The grade the bands give. */
  readonly bandGrade: Grade;
  /** The grade recorded: the officer's when given, else the bands'. */
  readonly grade: Grade;
  readonly overridden: boolean;
  readonly overrideReason?: string;
}

/**
 * Art. 12: scores → grade. A requested `grade` that differs from the bands' grade is an override and
 * needs a non-empty `overrideReason` (400 otherwise); a reason without an override is refused too, so
 * the record never suggests an override that did not happen.
 */
export function decideGrade(
  criteria: readonly ScoringCriterion[],
  bands: ScoreBands,
  input: { readonly scores: Scores; readonly grade?: Grade; readonly overrideReason?: string },
): GradeDecision {
  const score = evaluationScore(criteria, input.scores);
  const bandGrade = gradeFor(score, bands);
  const grade = input.grade ?? bandGrade;
  const reason = input.overrideReason?.trim();
  if (grade !== bandGrade) {
    if (!reason) {
      throw new ValidationError(
        `The score ${score} gives the grade ${bandGrade}; grading it ${grade} needs an overrideReason.`,
        [{ path: 'body.overrideReason', message: `required: ${grade} differs from the bands' ${bandGrade}` }],
        'OVERRIDE_REASON_REQUIRED',
      );
    }
    return { score, bandGrade, grade, overridden: true, overrideReason: reason };
  }
  if (reason) {
    throw new ValidationError(
      `The grade ${grade} is what the bands give for ${score}; an overrideReason belongs only to an override.`,
      [{ path: 'body.overrideReason', message: 'only when grade differs from the bands' }],
    );
  }
  return { score, bandGrade, grade, overridden: false };
}
