/**
 * The registry table's key schema, shared by the CDK stateful stack, the local runtime's CreateTable
 * and the repositories. One table, generic keys; see the README's access patterns.
 */
export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

/** Generic secondary index: lists (organisations by creation, inbox by role and due time, ...). */
export const GSI1 = { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' } as const;

/** Second generic index: a second way to list the same item (e.g. an application by call and by owner). */
export const GSI2 = { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' } as const;

/**
 * Sparse due-date index: only items with a pending deadline carry `duePk`/`dueSk`.
 * `duePk` is `DUE#<n>` with n in 0..DUE_SHARDS-1 (spreads writes), `dueSk` is `<ISO instant>#<type>#<id>`.
 * The deadline job queries each shard for `dueSk <= now` and never scans.
 */
export const DUE_INDEX = { name: 'due', partitionKey: 'duePk', sortKey: 'dueSk' } as const;
export const DUE_SHARDS = 4;

/** TTL attribute (epoch seconds): idempotency records expire by themselves. */
export const TTL_ATTRIBUTE = 'expiresAt';

/** Indexes as CreateTable wants them (local runtime, tests). The CDK stack declares the same. */
export const GLOBAL_INDEXES = [GSI1, GSI2, DUE_INDEX] as const;
