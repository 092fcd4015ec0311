import { createHash } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';

/**
 * Time in the registry (DESIGN "time"): every deadline is a timestamp in the sparse due index
 * (`duePk` = `DUE#<shard>`, `dueSk` = `<ISO instant>#<type>#<id>`). The deadline job queries each
 * shard for `dueSk <= now` — never a Scan — and dispatches by type to a registered action.
 */
export interface DueKeys {
  readonly duePk: string;
  readonly dueSk: string;
}

export interface DueEntry {
  readonly at: string;
  readonly type: string;
  readonly id: string;
}

/** Shard of an id: stable hash mod the shard count (spreads the index's writes). */
export function dueShard(id: string, shards: number): number {
  const digest = createHash('sha256').update(id).digest();
  return digest.readUInt32BE(0) % shards;
}

/** The due-index keys of a deadline of `type` for entity `id` at instant `at` (normalised to UTC ISO). */
export function dueKeys(at: Date | string, type: string, id: string, shards: number): DueKeys {
  if (type.includes('#') || id.includes('#')) throw new Error('due type and id must not contain #');
  const iso = new Date(at).toISOString();
  return { duePk: `DUE#${dueShard(id, shards)}`, dueSk: `${iso}#${type}#${id}` };
}

/**
 * Upper bound for "due at or before now": every `<iso>#...` with iso ≤ now sorts ≤ `<now iso>~`
 * ('#' < '~'), every later instant sorts after it (ISO strings of one format sort by time).
 */
export const dueUpperBound = (now: Date): string => `${now.toISOString()}~`;

/** Splits a `dueSk` back into its parts; `undefined` if it is not one. */
export function parseDueSk(dueSk: string): DueEntry | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)#([^#]+)#(.+)$/.exec(dueSk);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { at: m[1], type: m[2], id: m[3] };
}

/** An item the due index returned: its keys plus the whole item (ALL projection). */
export interface DueItem {
  readonly duePk: string;
  readonly dueSk: string;
  readonly item: Record<string, unknown>;
}

/** Port: pages of due items of one shard. */
export interface DueIndex {
  readonly shards: number;
  page(
    shard: number,
    upperBound: string,
    limit: number,
    cursor?: Record<string, unknown>,
  ): Promise<{ items: DueItem[]; cursor?: Record<string, unknown> }>;
}

/**
 * An action for one type of deadline. Returns true when it changed something. It must be a conditional
 * update on the exact `dueSk` it was handed, so a second run at the same instant changes nothing.
 */
export type DueAction = (entry: DueItem, now: Date) => Promise<boolean>;

export interface DeadlineSummary {
  now: string;
  examined: number;
  acted: number;
  byType: Record<string, { examined: number; acted: number }>;
}

export interface DeadlineDeps {
  readonly due: DueIndex;
  readonly actions: Readonly<Record<string, DueAction>>;
  readonly clock: Clock;
  /** Page size and page cap per shard (bounds one run's work; the next run continues). */
  readonly pageSize?: number;
  readonly maxPagesPerShard?: number;
  readonly onError?: (error: unknown, entry: DueItem) => void;
}

/**
 * The deadline job: remind before and flag after deadlines, end periods (DESIGN "time"; Art. 8, 12, 14).
 * Examines every due item in every shard (bounded pages) and dispatches by the type segment.
 * Unknown types and failing actions are counted as examined, not acted, and reported via `onError`.
 */
export async function runDeadlines(deps: DeadlineDeps): Promise<DeadlineSummary> {
  const now = deps.clock.now();
  const bound = dueUpperBound(now);
  const pageSize = deps.pageSize ?? 100;
  const maxPages = deps.maxPagesPerShard ?? 20;
  const summary: DeadlineSummary = { now: now.toISOString(), examined: 0, acted: 0, byType: {} };
  for (let shard = 0; shard < deps.due.shards; shard += 1) {
    let cursor: Record<string, unknown> | undefined;
    for (let pageNo = 0; pageNo < maxPages; pageNo += 1) {
      const page = await deps.due.page(shard, bound, pageSize, cursor);
      for (const entry of page.items) {
        const parsed = parseDueSk(entry.dueSk);
        const type = parsed?.type ?? 'unknown';
        const counts = summary.byType[type] ?? { examined: 0, acted: 0 };
        summary.byType[type] = counts;
        counts.examined += 1;
        summary.examined += 1;
        const action = deps.actions[type];
        if (!action) {
          deps.onError?.(new Error(`no deadline action for type ${type}`), entry);
          continue;
        }
        try {
          if (await action(entry, now)) {
            counts.acted += 1;
            summary.acted += 1;
          }
        } catch (error) {
          deps.onError?.(error, entry);
        }
      }
      cursor = page.cursor;
      if (!cursor) break;
    }
  }
  return summary;
}
