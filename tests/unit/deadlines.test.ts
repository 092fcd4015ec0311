import { describe, expect, it } from 'vitest';
import {
  type DueIndex,
  type DueItem,
  dueKeys,
  dueShard,
  dueUpperBound,
  parseDueSk,
  runDeadlines,
} from '../../functions/core/deadlines.ts';
import { escalationAt, taskId } from '../../functions/core/human-tasks.ts';
import { fixedClock } from '../../functions/shared/clock.ts';

const NOW = new Date('2026-06-01T00:00:00.000Z');

describe('due-key math', () => {
  it('builds DUE#<shard> / <iso>#<type>#<id> with a UTC instant', () => {
    const keys = dueKeys('2026-06-01T08:00:00+08:00', 'task', 'abc', 4);
    expect(keys.dueSk).toBe('2026-06-01T00:00:00.000Z#task#abc');
    expect(keys.duePk).toMatch(/^DUE#[0-3]$/);
    expect(parseDueSk(keys.dueSk)).toEqual({ at: '2026-06-01T00:00:00.000Z', type: 'task', id: 'abc' });
  });

  it('spreads ids over every shard, stably', () => {
    const shards = new Set(Array.from({ length: 200 }, (_, i) => dueShard(`id-${i}`, 4)));
    expect([...shards].sort()).toEqual([0, 1, 2, 3]);
    expect(dueShard('same', 4)).toBe(dueShard('same', 4));
  });

  it.each([
    ['1 ms before now', -1, true],
    ['exactly now', 0, true],
    ['1 ms after now', 1, false],
    ['a day after now', 86_400_000, false],
  ])('an entry due %s is %s due', (_label, offset, due) => {
    const { dueSk } = dueKeys(new Date(NOW.getTime() + offset), 'task', 'x', 4);
    expect(dueSk <= dueUpperBound(NOW)).toBe(due);
  });

  it('refuses # in type or id (it would break parsing)', () => {
    expect(() => dueKeys(NOW, 'ta#sk', 'x', 4)).toThrow();
    expect(parseDueSk('not-a-due-key')).toBeUndefined();
  });

  it('escalation is one more span after the due time; task ids are stable per execution and state', () => {
    expect(escalationAt({ createdAt: '2026-06-01T00:00:00.000Z', dueAt: '2026-06-06T00:00:00.000Z' })).toBe(
      '2026-06-11T00:00:00.000Z',
    );
    expect(taskId('org-1', 'S')).toBe(taskId('org-1', 'S'));
    expect(taskId('org-1', 'S')).not.toBe(taskId('org-2', 'S'));
    expect(taskId('org-1', 'S')).toMatch(/^t[0-9a-f]{32}$/);
  });
});

/** An in-memory due index that pages like DynamoDB. */
function memoryIndex(entries: DueItem[], shards = 2): DueIndex & { queries: number } {
  const index = {
    shards,
    queries: 0,
    async page(shard: number, bound: string, limit: number, cursor?: Record<string, unknown>) {
      index.queries += 1;
      const all = entries
        .filter((e) => e.duePk === `DUE#${shard}` && e.dueSk <= bound)
        .sort((a, b) => (a.dueSk < b.dueSk ? -1 : 1));
      const start = cursor ? all.findIndex((e) => e.dueSk === cursor.dueSk) + 1 : 0;
      const items = all.slice(start, start + limit);
      const last = items.at(-1);
      return { items, ...(start + limit < all.length && last ? { cursor: { dueSk: last.dueSk } } : {}) };
    },
  };
  return index;
}

const entry = (offsetMs: number, type: string, id: string): DueItem => {
  const k = dueKeys(new Date(NOW.getTime() + offsetMs), type, id, 2);
  return { ...k, item: { id } };
};

describe('runDeadlines', () => {
  it('dispatches due entries by type, follows pages, and summarises', async () => {
    const entries = [
      ...Array.from({ length: 7 }, (_, i) => entry(-1000 * (i + 1), 'task', `t${i}`)),
      entry(-5, 'call', 'c1'),
      entry(-5, 'mystery', 'm1'),
      entry(60_000, 'task', 'later'),
    ];
    const acted: string[] = [];
    const errors: string[] = [];
    const summary = await runDeadlines({
      due: memoryIndex(entries),
      clock: fixedClock(NOW),
      pageSize: 2,
      actions: {
        task: async (e) => {
          acted.push(String(e.item.id));
          return e.item.id !== 't0';
        },
        call: async () => {
          throw new Error('boom');
        },
      },
      onError: (error) => errors.push((error as Error).message),
    });
    expect(summary).toEqual({
      now: NOW.toISOString(),
      examined: 9,
      acted: 6,
      byType: {
        task: { examined: 7, acted: 6 },
        call: { examined: 1, acted: 0 },
        mystery: { examined: 1, acted: 0 },
      },
    });
    expect(acted).not.toContain('later');
    expect(errors).toEqual(['boom', 'no deadline action for type mystery']);
  });

  it('bounds the pages read per shard', async () => {
    const index = memoryIndex(
      Array.from({ length: 50 }, (_, i) => entry(-i - 1, 'task', `t${i}`)),
      1,
    );
    const summary = await runDeadlines({
      due: index,
      clock: fixedClock(NOW),
      pageSize: 5,
      maxPagesPerShard: 3,
      actions: { task: async () => true },
    });
    expect(summary.examined).toBe(15);
    expect(index.queries).toBe(3);
  });
});
