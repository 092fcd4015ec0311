import type { AuditEvent } from '../core/audit.ts';
import type {
  AdvanceNotice,
  ChangeDecision,
  ChangeInbox,
  ChangeKind,
  ChangeRepo,
  ChangeRequest,
  ChangeStatus,
  HistoryEntry,
} from '../core/changes.ts';
import { type NotificationInput, notificationItem } from '../core/notifications.ts';
import { keys } from '../core/recognition-model.ts';
import { ConflictError } from '../shared/errors.ts';
import type { IdempotencyWrite } from '../shared/idempotency.ts';
import { platformActiveCheck } from './platform-evidence-store.ts';
import { historyOp } from './platform-store.ts';
import {
  decodeCursor,
  encodeCursor,
  type Item,
  type Key,
  type Registry,
  registry,
  type TxOp,
} from './registry.ts';
import { GSI1, GSI2 } from './table-schema.ts';

/**
 * Change requests and advance notifications (Art. 10) in the registry:
 * - `CHANGE#<id>` / `CHANGE`: a change request; gsi1 `PLATFORMCHANGES#<platformId>` / `<createdAt>#<id>`
 *   (a platform's requests); gsi2 `CHANGES#<status>` / `<createdAt>#<id>` (every platform's requests by
 *   status, the staff inbox), moved to the new status in the decision's transaction;
 * - `PLATFORM#<id>` / `CHANGEPENDING#<kind>`: one pending request per kind (deleted at the decision);
 * - `PLATFORM#<id>` / `HISTORY#<at>#<version>`: the values a change replaced (see `historyOp`);
 * - `PLATFORM#<id>` / `ADVANCE#<filedAt>#<id>`: an accepted advance notification.
 */
export const changeKey = (id: string): Key => ({ pk: `CHANGE#${id}`, sk: 'CHANGE' });
/** gsi2 partition of the change requests of one status. */
export const changesByStatusPk = (status: ChangeStatus): string => `CHANGES#${status}`;
export const pendingGuardKey = (platformId: string, kind: ChangeKind): Key => ({
  pk: `PLATFORM#${platformId}`,
  sk: `CHANGEPENDING#${kind}`,
});

const INTERNAL = ['pk', 'sk', 'type', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'duePk', 'dueSk'];
function strip<T>(item: Item): T {
  const copy: Item = { ...item };
  for (const k of INTERNAL) delete copy[k];
  return copy as T;
}

const notificationOps = (list: readonly NotificationInput[]): TxOp[] =>
  list.map((n): TxOp => ({ kind: 'put', item: notificationItem(n), ifNew: true }));

/** Pages of the partition `pk` whose sort keys begin with `prefix` (opaque, checked cursors). */
async function pageOfPartition<T>(
  reg: Registry,
  pk: string,
  prefix: string,
  limit: number,
  cursor?: string,
): Promise<{ items: T[]; nextCursor?: string }> {
  const start = cursor
    ? decodeCursor(
        cursor,
        (k) =>
          k.pk === pk && typeof k.sk === 'string' && k.sk.startsWith(prefix) && Object.keys(k).length === 2,
      )
    : undefined;
  const res = await reg.query({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
    ExpressionAttributeValues: { ':pk': pk, ':sk': prefix },
    Limit: limit,
    ...(start ? { ExclusiveStartKey: start } : {}),
  });
  return {
    items: res.items.map((i) => strip<T>(i)),
    ...(res.lastKey && res.items.length === limit ? { nextCursor: encodeCursor(res.lastKey) } : {}),
  };
}

export class DynamoChangeStore implements ChangeRepo, ChangeInbox {
  constructor(private readonly reg: Registry = registry()) {}

  async create(
    cr: ChangeRequest,
    notifications: readonly NotificationInput[],
    audit: AuditEvent,
    idempotency?: IdempotencyWrite,
  ): Promise<void> {
    await this.reg.transact({
      ops: [
        platformActiveCheck(cr.platformId),
        {
          kind: 'put',
          item: { ...pendingGuardKey(cr.platformId, cr.kind), type: 'guard', changeRequestId: cr.id },
          ifNew: true,
          onConflict: () =>
            new ConflictError(
              'CHANGE_PENDING',
              `A ${cr.kind} change of platform ${cr.platformId} is already awaiting a decision; wait for it or ask the office.`,
            ),
        },
        {
          kind: 'put',
          item: {
            ...changeKey(cr.id),
            type: 'change-request',
            ...cr,
            gsi1pk: `PLATFORMCHANGES#${cr.platformId}`,
            gsi1sk: `${cr.createdAt}#${cr.id}`,
            gsi2pk: changesByStatusPk(cr.status),
            gsi2sk: `${cr.createdAt}#${cr.id}`,
          },
          ifNew: true,
        },
        ...notificationOps(notifications),
      ],
      audit: [audit],
      ...(idempotency ? { idempotency } : {}),
    });
  }

  async get(id: string): Promise<ChangeRequest | undefined> {
    const item = await this.reg.get(changeKey(id));
    return item ? strip<ChangeRequest>(item) : undefined;
  }

  async listByPlatform(
    platformId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: ChangeRequest[]; nextCursor?: string }> {
    const pk = `PLATFORMCHANGES#${platformId}`;
    return this.reg.newestFirstPage(GSI1, pk, limit, cursor, (i) => strip<ChangeRequest>(i));
  }

  async listByStatus(
    status: ChangeStatus,
    limit: number,
    cursor?: string,
  ): Promise<{ items: ChangeRequest[]; nextCursor?: string }> {
    return this.reg.newestFirstPage(GSI2, changesByStatusPk(status), limit, cursor, (i) =>
      strip<ChangeRequest>(i),
    );
  }

  async decide(d: ChangeDecision): Promise<void> {
    const { id: _i, platformId: _p, version: _v, ...fields } = d.after;
    const ops: TxOp[] = [
      {
        kind: 'update',
        key: changeKey(d.before.id),
        // The request leaves its status list for the new one in the same transaction.
        set: {
          ...fields,
          gsi2pk: changesByStatusPk(d.after.status),
          gsi2sk: `${d.before.createdAt}#${d.before.id}`,
        },
        expectVersion: d.before.version,
        entity: `Change request ${d.before.id}`,
      },
      { kind: 'delete', key: pendingGuardKey(d.before.platformId, d.before.kind) },
    ];
    if (d.apply) {
      ops.push(
        {
          kind: 'update',
          key: keys.platform(d.apply.platform.id),
          set: d.apply.set,
          expectVersion: d.apply.platform.version,
          condition: {
            expression: '#status = :active',
            names: { '#status': 'status' },
            values: { ':active': 'active' },
          },
          onConflict: () =>
            new ConflictError(
              'STALE_VERSION',
              `Platform ${d.apply?.platform.id} changed meanwhile (or is no longer active); reload it and decide again.`,
            ),
        },
        historyOp(d.apply.platform.id, d.apply.history),
      );
    }
    await this.reg.transact({ ops: [...ops, ...notificationOps(d.notifications)], audit: d.audit });
  }

  history(platformId: string, limit: number, cursor?: string) {
    return pageOfPartition<HistoryEntry>(this.reg, `PLATFORM#${platformId}`, 'HISTORY#', limit, cursor);
  }

  async fileAdvanceNotice(
    notice: AdvanceNotice,
    notifications: readonly NotificationInput[],
    audit: AuditEvent,
    idempotency?: IdempotencyWrite,
  ): Promise<void> {
    await this.reg.transact({
      ops: [
        platformActiveCheck(notice.platformId),
        {
          kind: 'put',
          item: {
            pk: `PLATFORM#${notice.platformId}`,
            sk: `ADVANCE#${notice.filedAt}#${notice.id}`,
            type: 'advance-notice',
            ...notice,
          },
          ifNew: true,
        },
        ...notificationOps(notifications),
      ],
      audit: [audit],
      ...(idempotency ? { idempotency } : {}),
    });
  }

  async flagLateNotice(notifications: readonly NotificationInput[], audit: AuditEvent): Promise<void> {
    await this.reg.transact({ ops: notificationOps(notifications), audit: [audit] });
  }

  async listAdvanceNotices(platformId: string): Promise<AdvanceNotice[]> {
    const out: AdvanceNotice[] = [];
    let cursor: string | undefined;
    do {
      const page = await pageOfPartition<AdvanceNotice>(
        this.reg,
        `PLATFORM#${platformId}`,
        'ADVANCE#',
        100,
        cursor,
      );
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }
}
