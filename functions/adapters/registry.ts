import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../core/audit.ts';
import { ConflictError, StaleVersionError, ValidationError } from '../shared/errors.ts';
import {
  IDEMPOTENCY_TTL_SECONDS,
  IdempotencyRaceError,
  type IdempotencyRecord,
  type IdempotencyWrite,
} from '../shared/idempotency.ts';
import { dynamoDocumentClient, tableName } from './dynamo-client.ts';
import type { Ids } from './ids.ts';
import { ulidIds } from './ids.ts';

/**
 * The single-table registry: every state change goes through `transact`, which writes the change,
 * its audit event(s) and (for creations) the idempotency record in ONE TransactWriteItems, so a state
 * change and its audit event always commit together (Art. 4: every decision is recorded).
 */
export type Item = Record<string, unknown>;
export interface Key {
  readonly pk: string;
  readonly sk: string;
}

export interface Condition {
  readonly expression: string;
  readonly names?: Record<string, string>;
  readonly values?: Record<string, unknown>;
}

/** What to throw when this operation's condition fails (e.g. a uniqueness guard → 409 with the caller's code). */
type OnConflict = () => Error;

export type TxOp =
  | {
      readonly kind: 'put';
      readonly item: Item & Key;
      readonly ifNew?: boolean;
      readonly condition?: Condition;
      readonly onConflict?: OnConflict;
    }
  | {
      readonly kind: 'update';
      readonly key: Key;
      /** Attributes to set (undefined values are ignored). */
      readonly set?: Item;
      /**
       * Numbers to add atomically (DynamoDB `ADD`; a missing attribute counts as 0; negative to
       * subtract): ledger counters that concurrent writers move without reading first.
       */
      readonly add?: Readonly<Record<string, number>>;
      readonly remove?: readonly string[];
      /** Create the item when it is missing (no `attribute_exists(pk)` condition): counters per key. */
      readonly upsert?: boolean;
      /** Optimistic locking: the item's `version` must equal this; it becomes version + 1. */
      readonly expectVersion?: number;
      /** Entity name for the StaleVersionError message. */
      readonly entity?: string;
      readonly condition?: Condition;
      readonly onConflict?: OnConflict;
    }
  | {
      readonly kind: 'delete';
      readonly key: Key;
      readonly condition?: Condition;
      readonly onConflict?: OnConflict;
    }
  | {
      readonly kind: 'check';
      readonly key: Key;
      readonly condition: Condition;
      readonly onConflict: OnConflict;
    };

export interface TransactInput {
  readonly ops: readonly TxOp[];
  readonly audit?: readonly AuditEvent[];
  readonly idempotency?: IdempotencyWrite;
}

export const auditKey = (entityId: string, at: string, id: string): Key => ({
  pk: `AUDIT#${entityId}`,
  sk: `${at}#${id}`,
});
export const idempotencyKey = (scope: string, key: string): Key => ({
  pk: `IDEM#${scope}#${key}`,
  sk: 'IDEM',
});

const MAX_TRANSACTION_ITEMS = 100;

/** DynamoDB repository helpers on the single table. */
export class Registry {
  constructor(
    private readonly doc: () => DynamoDBDocumentClient = dynamoDocumentClient,
    private readonly table: () => string = tableName,
    private readonly ids: Ids = ulidIds,
  ) {}

  /** Strongly consistent read of one item. */
  async get<T extends Item = Item>(key: Key): Promise<T | undefined> {
    const out = await this.doc().send(
      new GetCommand({ TableName: this.table(), Key: key, ConsistentRead: true }),
    );
    return out.Item as T | undefined;
  }

  /** One page of a query (never a Scan). */
  async query<T extends Item = Item>(
    input: Omit<QueryCommandInput, 'TableName'>,
  ): Promise<{ items: T[]; lastKey?: Record<string, unknown> }> {
    const out = await this.doc().send(new QueryCommand({ ...input, TableName: this.table() }));
    return {
      items: (out.Items ?? []) as T[],
      ...(out.LastEvaluatedKey ? { lastKey: out.LastEvaluatedKey } : {}),
    };
  }

  /**
   * Commits the ops, the audit events and the idempotency record atomically. Condition failures are
   * mapped per operation: `onConflict()` if given, StaleVersionError for `expectVersion`, else 409.
   */
  async transact(input: TransactInput): Promise<void> {
    const table = this.table();
    const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [];
    const handlers: Array<(() => Error) | undefined> = [];
    for (const op of input.ops) {
      items.push(this.toTransactItem(op, table));
      handlers.push(conflictHandler(op));
    }
    for (const event of input.audit ?? []) {
      items.push({
        Put: {
          TableName: table,
          Item: { ...auditKey(event.entityId, event.at, this.ids.next()), type: 'audit', ...event },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
      handlers.push(() => new Error(`audit event key collision for ${event.entityId}`));
    }
    if (input.idempotency) {
      const i = input.idempotency;
      items.push({
        Put: {
          TableName: table,
          Item: {
            ...idempotencyKey(i.scope, i.key),
            type: 'idempotency',
            routeKey: i.routeKey,
            requestHash: i.requestHash,
            response: i.response,
            createdAt: i.at.toISOString(),
            expiresAt: Math.floor(i.at.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
      handlers.push(() => new IdempotencyRaceError(`idempotency key ${i.key} was used concurrently`));
    }
    if (items.length > MAX_TRANSACTION_ITEMS)
      throw new Error(`transaction of ${items.length} items is too large`);
    try {
      await this.doc().send(new TransactWriteCommand({ TransactItems: items }));
    } catch (e) {
      throw mapCancellation(e, handlers, input.idempotency ? items.length - 1 : undefined);
    }
  }

  /** Reads an unexpired idempotency record. */
  async getIdempotency(scope: string, key: string, now: Date): Promise<IdempotencyRecord | undefined> {
    const item = await this.get(idempotencyKey(scope, key));
    if (!item) return undefined;
    const record = item as unknown as IdempotencyRecord;
    return record.expiresAt > Math.floor(now.getTime() / 1000) ? record : undefined;
  }

  /**
   * One page of a global secondary index partition, newest first (sort key descending), with an opaque
   * cursor that only this partition of this index accepts (anything else is 400). `nextCursor` only
   * when the page is full and more may follow.
   */
  async newestFirstPage<T>(
    index: { readonly name: string; readonly partitionKey: string; readonly sortKey: string },
    pkValue: string,
    limit: number,
    cursor: string | undefined,
    map: (item: Item) => T,
  ): Promise<{ items: T[]; nextCursor?: string }> {
    const start = cursor
      ? decodeCursor(
          cursor,
          (k) =>
            k[index.partitionKey] === pkValue &&
            typeof k[index.sortKey] === 'string' &&
            typeof k.pk === 'string' &&
            typeof k.sk === 'string' &&
            Object.keys(k).length === 4,
        )
      : undefined;
    const page = await this.query({
      IndexName: index.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': index.partitionKey },
      ExpressionAttributeValues: { ':pk': pkValue },
      ScanIndexForward: false,
      Limit: limit,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    return {
      items: page.items.map(map),
      ...(page.lastKey && page.items.length === limit ? { nextCursor: encodeCursor(page.lastKey) } : {}),
    };
  }

  /** Audit events of one entity, oldest first, with an opaque cursor (400 when forged). */
  async listAudit(
    entityId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: AuditEvent[]; nextCursor?: string }> {
    const pk = `AUDIT#${entityId}`;
    const start = cursor
      ? decodeCursor(cursor, (k) => k.pk === pk && typeof k.sk === 'string' && Object.keys(k).length === 2)
      : undefined;
    const page = await this.query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      Limit: limit,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    return {
      items: page.items.map(toAuditEvent),
      ...(page.lastKey && page.items.length === limit ? { nextCursor: encodeCursor(page.lastKey) } : {}),
    };
  }

  private toTransactItem(
    op: TxOp,
    table: string,
  ): NonNullable<TransactWriteCommandInput['TransactItems']>[number] {
    switch (op.kind) {
      case 'put': {
        const cond = merge(op.ifNew ? { expression: 'attribute_not_exists(pk)' } : undefined, op.condition);
        return { Put: { TableName: table, Item: op.item, ...expressionParts(cond) } };
      }
      case 'delete':
        return { Delete: { TableName: table, Key: keyOf(op.key), ...expressionParts(op.condition) } };
      case 'check':
        return { ConditionCheck: { TableName: table, Key: keyOf(op.key), ...requiredParts(op.condition) } };
      case 'update': {
        const names: Record<string, string> = {};
        const values: Record<string, unknown> = {};
        const sets: string[] = [];
        let n = 0;
        for (const [name, value] of Object.entries(op.set ?? {})) {
          if (value === undefined || name === 'pk' || name === 'sk' || name === 'version') continue;
          n += 1;
          names[`#s${n}`] = name;
          values[`:s${n}`] = value;
          sets.push(`#s${n} = :s${n}`);
        }
        let versionCond: Condition | undefined;
        if (op.expectVersion !== undefined) {
          names['#version'] = 'version';
          values[':nextVersion'] = op.expectVersion + 1;
          sets.push('#version = :nextVersion');
          versionCond = {
            expression: '#version = :expectedVersion',
            names: { '#version': 'version' },
            values: { ':expectedVersion': op.expectVersion },
          };
        }
        const adds: string[] = [];
        for (const [i, [name, value]] of Object.entries(op.add ?? {}).entries()) {
          if (!Number.isFinite(value)) throw new Error(`add ${name}: not a finite number`);
          names[`#a${i}`] = name;
          values[`:a${i}`] = value;
          adds.push(`#a${i} :a${i}`);
        }
        const removes = (op.remove ?? []).map((name, i) => {
          names[`#r${i}`] = name;
          return `#r${i}`;
        });
        const exists = op.upsert ? undefined : { expression: 'attribute_exists(pk)' };
        const cond = merge(exists, merge(versionCond, op.condition));
        const update = [
          sets.length ? `SET ${sets.join(', ')}` : '',
          adds.length ? `ADD ${adds.join(', ')}` : '',
          removes.length ? `REMOVE ${removes.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join(' ');
        if (!update) throw new Error('update with nothing to change');
        const parts = cond ? requiredParts(cond) : undefined;
        const allNames = { ...names, ...parts?.ExpressionAttributeNames };
        const allValues = { ...values, ...parts?.ExpressionAttributeValues };
        return {
          Update: {
            TableName: table,
            Key: keyOf(op.key),
            UpdateExpression: update,
            ...(parts ? { ConditionExpression: parts.ConditionExpression } : {}),
            ...(Object.keys(allNames).length ? { ExpressionAttributeNames: allNames } : {}),
            ...(Object.keys(allValues).length ? { ExpressionAttributeValues: allValues } : {}),
          },
        };
      }
    }
  }
}

const keyOf = (k: Key): Key => ({ pk: k.pk, sk: k.sk });

function merge(a: Condition | undefined, b: Condition | undefined): Condition | undefined {
  if (!a) return b;
  if (!b) return a;
  return {
    expression: `(${a.expression}) AND (${b.expression})`,
    names: { ...a.names, ...b.names },
    values: { ...a.values, ...b.values },
  };
}

function requiredParts(c: Condition) {
  return {
    ConditionExpression: c.expression,
    ...(c.names && Object.keys(c.names).length ? { ExpressionAttributeNames: c.names } : {}),
    ...(c.values && Object.keys(c.values).length ? { ExpressionAttributeValues: c.values } : {}),
  };
}

function expressionParts(c: Condition | undefined) {
  return c ? requiredParts(c) : {};
}

function conflictHandler(op: TxOp): (() => Error) | undefined {
  if (op.onConflict) return op.onConflict;
  if (op.kind === 'update' && op.expectVersion !== undefined) {
    const entity = op.entity ?? 'The record';
    return () => new StaleVersionError(entity);
  }
  return undefined;
}

/**
 * Maps a cancelled transaction to the domain error of the first failed operation. A repeat of an
 * idempotent request racing its first (its key taken, or the same items in flight) is an
 * IdempotencyRaceError whatever else failed, so the caller gets the first response.
 */
function mapCancellation(
  e: unknown,
  handlers: ReadonlyArray<(() => Error) | undefined>,
  idempotencyIndex?: number,
): unknown {
  if (!(e instanceof TransactionCanceledException) && (e as Error)?.name !== 'TransactionCanceledException')
    return e;
  const reasons = (e as TransactionCanceledException).CancellationReasons ?? [];
  if (
    idempotencyIndex !== undefined &&
    (reasons[idempotencyIndex]?.Code === 'ConditionalCheckFailed' ||
      reasons.some((r) => r.Code === 'TransactionConflict'))
  ) {
    return handlers[idempotencyIndex]?.() ?? e;
  }
  const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
  if (failed >= 0) {
    const make = handlers[failed];
    return make
      ? make()
      : new ConflictError('CONDITION_FAILED', 'The record is not in the state this change requires.');
  }
  if (reasons.some((r) => r.Code === 'TransactionConflict')) {
    return new ConflictError(
      'CONCURRENT_UPDATE',
      'Someone else changed the same records at the same moment; reload and try again.',
    );
  }
  return e;
}

function toAuditEvent(item: Item): AuditEvent {
  return {
    at: String(item.at),
    actor: item.actor as AuditEvent['actor'],
    action: String(item.action),
    entityType: String(item.entityType),
    entityId: String(item.entityId),
    detail: (item.detail ?? {}) as Record<string, unknown>,
  };
}

/** Opaque pagination cursor: base64url of the last evaluated key. */
export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor made by `encodeCursor` and checks it with `accept`; anything else (forged, from
 * another listing) → 400 INVALID_CURSOR.
 */
export function decodeCursor(
  cursor: string,
  accept: (key: Record<string, unknown>) => boolean,
): Record<string, unknown> {
  const invalid = () =>
    new ValidationError(
      'The cursor is not one this listing returned; start again without a cursor.',
      [{ path: 'cursor', message: 'unknown or tampered cursor' }],
      'INVALID_CURSOR',
    );
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid();
  const key = parsed as Record<string, unknown>;
  if (!Object.values(key).every((v) => typeof v === 'string') || !accept(key)) throw invalid();
  return key;
}

let shared: Registry | undefined;
/** The process-wide registry on the configured table. */
export const registry = (): Registry => {
  shared ??= new Registry();
  return shared;
};
