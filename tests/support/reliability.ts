import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The figures convention of the reliability suites (issue 5): each suite writes
 * `reports/reliability/<suite>.json` and prints one line `reliability <suite>: tried N (...), 5xx 0,
 * leaks 0, lost 0`. The figures are outputs; the suites assert on what they observe, never on these.
 */
export interface ReliabilityFigures {
  readonly suite: string;
  /** Requests (or operations) tried, by kind. */
  readonly tried: Readonly<Record<string, number>>;
  /** Unexpected 5xx responses observed (an expected 503 while a service is down is not one). */
  readonly fiveXX: number;
  /** Responses that carried data the caller may not see. */
  readonly leaks: number;
  /** Accepted changes not found afterwards. */
  readonly lost: number;
  /** Changes without their audit event (or events without their change), or duplicated. */
  readonly halfWritten: number;
  readonly notes?: string;
}

export const RELIABILITY_DIR = path.resolve(import.meta.dirname, '../../reports/reliability');

/** Writes the suite's JSON and prints its one-line summary; returns the line. */
export async function recordReliability(figures: ReliabilityFigures): Promise<string> {
  mkdirSync(RELIABILITY_DIR, { recursive: true });
  writeFileSync(
    path.join(RELIABILITY_DIR, `${figures.suite}.json`),
    `${JSON.stringify({ ...figures, notes: figures.notes ?? '' }, null, 2)}\n`,
  );
  const total = Object.values(figures.tried).reduce((a, b) => a + b, 0);
  const kinds = Object.entries(figures.tried)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  const line =
    `reliability ${figures.suite}: tried ${total} (${kinds}), 5xx ${figures.fiveXX}, ` +
    `leaks ${figures.leaks}, lost ${figures.lost + figures.halfWritten}`;
  console.log(line);
  return line;
}
