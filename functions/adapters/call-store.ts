import type { AuditEvent } from '../core/audit.ts';
import type { Call, CallDueType, CallRepo } from '../core/calls.ts';
import { dueKeys } from '../core/deadlines.ts';
import { notificationItem } from '../core/notifications.ts';
import { type CallStatus, keys } from '../core/recognition-model.ts';
import { ConflictError } from '../shared/errors.ts';
import type { IdempotencyWrite } from '../shared/idempotency.ts';
import { type Item, type Registry, registry, type TxOp } from './registry.ts';
import { DUE_SHARDS, GSI1, GSI2 } from './table-schema.ts';

/**
 * Calls in the registry:
 * - `CALL#<id>` / `CALL`: the call;
 * - gsi1 `CALLS#draft` or `CALLS#published` / `<createdAt>#<id>`: the public list (published only), newest first;
 * - gsi2 `CALLS` / `<createdAt>#<id>`: every call (staff), newest first;
 * - due index `<opensAt>#call-open#<id>` while scheduled, `<closesAt>#call-close#<id>` while open.
 */
const INTERNAL = ['pk', 'sk', 'type', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'duePk', 'dueSk'];

export function itemToCall(item: Item): Call {
  const copy: Item = { ...item };
  for (const k of INTERNAL) delete copy[k];
  return copy as unknown as Call;
}

const listKeys = (call: Call, published: boolean) => ({
  gsi1pk: published ? 'CALLS#published' : 'CALLS#draft',
  gsi1sk: `${call.createdAt}#${call.id}`,
});

class AlreadyDone extends Error {}

export class DynamoCallStore implements CallRepo {
  constructor(private readonly reg: Registry = registry()) {}

  async create(call: Call, audit: AuditEvent, idempotency?: IdempotencyWrite): Promise<void> {
    await this.reg.transact({
      ops: [
        {
          kind: 'put',
          item: {
            ...keys.call(call.id),
            type: 'call',
            ...call,
            ...listKeys(call, false),
            gsi2pk: 'CALLS',
            gsi2sk: `${call.createdAt}#${call.id}`,
          },
          ifNew: true,
        },
      ],
      audit: [audit],
      ...(idempotency ? { idempotency } : {}),
    });
  }

  async get(id: string): Promise<Call | undefined> {
    const item = await this.reg.get(keys.call(id));
    return item ? itemToCall(item) : undefined;
  }

  async publish(
    call: Call,
    expectedVersion: number,
    dueAt: string,
    dueType: CallDueType,
    audit: AuditEvent,
  ): Promise<void> {
    await this.reg.transact({
      ops: [
        {
          kind: 'update',
          key: keys.call(call.id),
          set: {
            status: call.status,
            publishedAt: call.publishedAt,
            publishedBy: call.publishedBy,
            openedAt: call.openedAt,
            updatedAt: call.updatedAt,
            ...listKeys(call, true),
            ...dueKeys(dueAt, dueType, call.id, DUE_SHARDS),
          },
          expectVersion: expectedVersion,
          entity: `Call ${call.id}`,
          condition: {
            expression: '#status = :draft',
            names: { '#status': 'status' },
            values: { ':draft': 'draft' },
          },
          onConflict: () => new ConflictError('CALL_NOT_DRAFT', `Call ${call.id} was published meanwhile.`),
        },
      ],
      audit: [audit],
    });
  }

  async list(
    scope: 'published' | 'all',
    limit: number,
    cursor?: string,
  ): Promise<{ items: Call[]; nextCursor?: string }> {
    const index = scope === 'published' ? GSI1 : GSI2;
    const pk = scope === 'published' ? 'CALLS#published' : 'CALLS';
    return this.reg.newestFirstPage(index, pk, limit, cursor, itemToCall);
  }

  async advance(
    call: Call,
    readDueSk: string,
    status: CallStatus,
    set: Record<string, unknown>,
    next: { at: string; type: CallDueType } | undefined,
    audit: AuditEvent,
  ): Promise<boolean> {
    const ops: TxOp[] = [
      {
        kind: 'update',
        key: keys.call(call.id),
        set: {
          ...set,
          status,
          updatedAt: audit.at,
          ...(next ? dueKeys(next.at, next.type, call.id, DUE_SHARDS) : {}),
        },
        ...(next ? {} : { remove: ['duePk', 'dueSk'] }),
        expectVersion: call.version,
        condition: {
          expression: '#dueSk = :read',
          names: { '#dueSk': 'dueSk' },
          values: { ':read': readDueSk },
        },
        onConflict: () => new AlreadyDone(),
      },
    ];
    if (status === 'closed') {
      // Art. 8(2): the preliminary review of the submitted applications can begin.
      ops.push({
        kind: 'put',
        item: notificationItem({
          recipient: { role: 'officer' },
          event: 'call.closed',
          entityType: 'call',
          entityId: call.id,
          title: `申报已截止：${call.title} / Call closed: ${call.title}`,
          detail: { closesAt: call.closesAt },
          at: audit.at,
        }),
        ifNew: true,
        onConflict: () => new AlreadyDone(),
      });
    }
    try {
      await this.reg.transact({ ops, audit: [audit] });
      return true;
    } catch (e) {
      if (e instanceof AlreadyDone) return false;
      throw e;
    }
  }
}
