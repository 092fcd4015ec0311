import type { DueIndex, DueItem } from '../core/deadlines.ts';
import { type Registry, registry } from './registry.ts';
import { DUE_INDEX, DUE_SHARDS } from './table-schema.ts';

/** The sparse due index: one Query per shard page, `dueSk <= bound` (never a Scan). */
export class DueIndexReader implements DueIndex {
  readonly shards = DUE_SHARDS;
  constructor(private readonly reg: Registry = registry()) {}

  async page(
    shard: number,
    upperBound: string,
    limit: number,
    cursor?: Record<string, unknown>,
  ): Promise<{ items: DueItem[]; cursor?: Record<string, unknown> }> {
    const res = await this.reg.query({
      IndexName: DUE_INDEX.name,
      KeyConditionExpression: '#pk = :pk AND #sk <= :bound',
      ExpressionAttributeNames: { '#pk': DUE_INDEX.partitionKey, '#sk': DUE_INDEX.sortKey },
      ExpressionAttributeValues: { ':pk': `DUE#${shard}`, ':bound': upperBound },
      Limit: limit,
      ...(cursor ? { ExclusiveStartKey: cursor } : {}),
    });
    return {
      items: res.items.map((item) => ({ duePk: String(item.duePk), dueSk: String(item.dueSk), item })),
      ...(res.lastKey ? { cursor: res.lastKey } : {}),
    };
  }
}
