/**
 * The shared shape of `npm run bench` (issue 8). Each part (`bench/<part>.ts`) exports
 * `run(ctx: BenchContext): Promise<Figure[]>`; `bench/run.ts` runs the parts one after another, prints one
 * table with the goals beside the figures, writes `reports/bench/latest.json` and, with `--readme`, the
 * README's performance section.
 *
 * A figure is an absolute measurement and, where the issue sets a goal, a ratio against a baseline
 * measured in the same run (so it holds on a noisy machine). `met` is computed by the part from the ratio
 * and the goal; a missed goal carries its `cause` in words.
 */
export interface Figure {
  /** The section: 'bundle', 'cold start', 'request path', 'dynamodb', 'workflow', 'scale'. */
  readonly section: string;
  /** What was measured, e.g. 'api-organisations', 'GET /v1/calls p99', 'deadline job @ 10k'. */
  readonly name: string;
  /** The measurement, in `unit`. */
  readonly value: number;
  /** 'KB', 'ms', 'req/s', 'requests', 'RCU', 'WCU', 'transitions', ... */
  readonly unit: string;
  /** The same-run baseline (same unit), when the goal is a ratio. */
  readonly baseline?: number;
  /** value / baseline, rounded to 2 decimals. */
  readonly ratio?: number;
  /** The goal in words, e.g. '≤ 1.2× baseline', '≥ 0.7× baseline', 'constant', 'small, stated'. */
  readonly goal?: string;
  /** Whether the goal holds; undefined when the figure is informative only. */
  readonly met?: boolean;
  /** Why a goal was missed (required when `met === false`), or a short note. */
  readonly note?: string;
}

export interface BenchContext {
  /** `--quick`: smaller sizes/counts, for the smoke test in `npm test` (figures not meaningful). */
  readonly quick: boolean;
  /** Progress lines go here (stderr), never into the table. */
  readonly log: (line: string) => void;
  /** A scratch directory for this part, removed after the run. */
  readonly scratchDir: string;
}

export type BenchPart = (ctx: BenchContext) => Promise<Figure[]>;

export const round2 = (n: number): number => Math.round(n * 100) / 100;

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (!values.length) throw new Error('median of nothing');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** A figure with a ratio goal: `max` (value/baseline must be ≤ limit) or `min` (≥ limit). */
export function ratioFigure(
  f: Omit<Figure, 'ratio' | 'goal' | 'met'> & { baseline: number },
  goal: { readonly kind: 'max' | 'min'; readonly limit: number },
  causeIfMissed?: string,
): Figure {
  const ratio = round2(f.value / f.baseline);
  const met = goal.kind === 'max' ? ratio <= goal.limit : ratio >= goal.limit;
  const note = met ? f.note : (causeIfMissed ?? f.note);
  return {
    ...f,
    ratio,
    goal: `${goal.kind === 'max' ? '≤' : '≥'} ${goal.limit}× baseline`,
    met,
    ...(note ? { note } : {}),
  };
}
