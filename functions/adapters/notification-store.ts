import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../core/audit.ts';
import {
  type AddressBook,
  type DeliveryStatus,
  type Notification,
  type NotificationRef,
  type NotificationRepo,
  type NotificationView,
  notificationId,
  type Recipient,
} from '../core/notifications.ts';
import { keys } from '../core/recognition-model.ts';
import { isRole, type Role } from '../shared/roles.ts';
import { dynamoDocumentClient, tableName } from './dynamo-client.ts';
import {
  decodeCursor,
  encodeCursor,
  type Item,
  type Key,
  type Registry,
  registry,
  type TxOp,
} from './registry.ts';

/**
 * The notification outbox in the registry (`functions/core/notifications.ts` builds the items):
 * - `NOTIFY#USER#<sub>` / `<at>#<dedupe>`: a person's notifications (read state: `readAt` on the item);
 * - `NOTIFY#<role>` / `<at>#<dedupe>`: a role's notifications, shared by everyone holding the role;
 * - `NOTIFYREAD#<sub>` / `<role>/<sk>`: that person has read that role notification (per-reader
 *   markers rather than a `readBy` set on the shared item: concurrent readers never contend on one
 *   item, and the shared item does not grow with every reader);
 * - delivery: `deliveryStatus` pending → sent | logged | failed | no_address, set by the e-mail processor.
 */
const userPk = (sub: string): string => `NOTIFY#USER#${sub}`;
const rolePk = (role: Role): string => `NOTIFY#${role}`;
const readMarkerKey = (sub: string, id: string): Key => ({ pk: `NOTIFYREAD#${sub}`, sk: id });

export const notificationKey = (ref: NotificationRef): Key => ({
  pk: ref.scope === 'user' ? userPk(ref.sub) : rolePk(ref.role),
  sk: ref.sk,
});

/** Builds the stored notification from an item (also the spine's earlier items, which lack a title). */
export function itemToNotification(item: Item): Notification {
  const pk = String(item.pk);
  const sk = String(item.sk);
  const role = pk.startsWith('NOTIFY#USER#') ? undefined : pk.slice('NOTIFY#'.length);
  const recipient: Recipient = role && isRole(role) ? { role } : { sub: pk.slice('NOTIFY#USER#'.length) };
  const event = String(item.event ?? 'notification');
  return {
    id: notificationId(recipient, sk),
    recipient,
    event,
    entityType: String(item.entityType ?? ''),
    entityId: String(item.entityId ?? ''),
    title: String(item.title ?? event),
    detail: (item.detail ?? {}) as Record<string, unknown>,
    at: String(item.at ?? sk.split('#')[0]),
    deliveryStatus: (item.deliveryStatus ?? 'pending') as DeliveryStatus,
    ...(typeof item.readAt === 'string' ? { readAt: item.readAt } : {}),
  };
}

interface Partition {
  readonly pk: string;
  /** `user` or the role: ties between partitions at the same sort key are broken by it. */
  readonly scope: string;
}

/** Newest first: by sort key, then by scope (both descending). */
const newerFirst = (a: { sk: string; scope: string }, b: { sk: string; scope: string }): number =>
  a.sk !== b.sk ? (a.sk < b.sk ? 1 : -1) : a.scope === b.scope ? 0 : a.scope < b.scope ? 1 : -1;

export class DynamoNotificationStore implements NotificationRepo {
  constructor(private readonly reg: Registry = registry()) {}

  /**
   * Queries the person's outbox and each role's newest first (limit + 1 each), merges them, and
   * continues after the last `(sk, scope)` returned: an opaque cursor valid for every partition.
   */
  async list(
    sub: string,
    roles: readonly Role[],
    query: { limit: number; cursor?: string },
  ): Promise<{ items: NotificationView[]; nextCursor?: string }> {
    const after = query.cursor
      ? decodeCursor(
          query.cursor,
          (k) => Object.keys(k).sort().join() === 'scope,sk' && typeof k.sk === 'string' && k.sk.length > 0,
        )
      : undefined;
    const cursor = after ? { sk: String(after.sk), scope: String(after.scope) } : undefined;
    const partitions: Partition[] = [
      { pk: userPk(sub), scope: 'user' },
      ...[...new Set(roles)].map((role) => ({ pk: rolePk(role), scope: role })),
    ];
    const pages = await Promise.all(
      partitions.map(async (p) => {
        const page = await this.reg.query({
          KeyConditionExpression: cursor ? 'pk = :pk AND sk <= :sk' : 'pk = :pk',
          ExpressionAttributeValues: { ':pk': p.pk, ...(cursor ? { ':sk': cursor.sk } : {}) },
          ScanIndexForward: false,
          Limit: query.limit + 1,
        });
        const items = page.items
          .map((item) => ({ item, sk: String(item.sk), scope: p.scope }))
          .filter((e) => !cursor || newerFirst(cursor, e) < 0);
        return { items, more: page.lastKey !== undefined };
      }),
    );
    const merged = pages.flatMap((p) => p.items).sort(newerFirst);
    const chosen = merged.slice(0, query.limit);
    const readRoleIds = await this.readMarkers(
      sub,
      chosen.filter((e) => e.scope !== 'user').map((e) => `${e.scope}/${e.sk}`),
    );
    const last = chosen.at(-1);
    const more = merged.length > query.limit || pages.some((p) => p.more);
    return {
      items: chosen.map(({ item, scope }) => {
        const n = itemToNotification(item);
        const readAt = scope === 'user' ? n.readAt : readRoleIds.get(n.id);
        const { readAt: _ignored, ...rest } = n;
        return { ...rest, read: readAt !== undefined, ...(readAt ? { readAt } : {}) };
      }),
      ...(more && last ? { nextCursor: encodeCursor({ sk: last.sk, scope: last.scope }) } : {}),
    };
  }

  async getMany(refs: readonly NotificationRef[]): Promise<Map<string, Notification>> {
    const byKey = new Map(refs.map((r) => [`${notificationKey(r).pk}\u0000${r.sk}`, r.id]));
    const out = new Map<string, Notification>();
    for (const item of await this.batchGet(refs.map(notificationKey))) {
      const id = byKey.get(`${String(item.pk)}\u0000${String(item.sk)}`);
      if (id && item.type === 'notification') out.set(id, itemToNotification(item));
    }
    return out;
  }

  async markRead(
    sub: string,
    refs: readonly NotificationRef[],
    at: string,
    audit: AuditEvent,
  ): Promise<void> {
    const ops = refs.map(
      (ref): TxOp =>
        ref.scope === 'user'
          ? { kind: 'update', key: notificationKey(ref), set: { readAt: at } }
          : {
              kind: 'put',
              item: { ...readMarkerKey(sub, ref.id), type: 'notification_read', readAt: at },
            },
    );
    await this.reg.transact({ ops, audit: [audit] });
  }

  /** Delivery outcome (e-mail processor): only a still-pending item changes, so a replay changes nothing. */
  async recordDelivery(
    key: Key,
    status: Exclude<DeliveryStatus, 'pending'>,
    detail: { attempts: number; at: string; address?: string; error?: string; messageId?: string },
    audit: AuditEvent,
  ): Promise<boolean> {
    try {
      await this.reg.transact({
        ops: [
          {
            kind: 'update',
            key,
            set: {
              deliveryStatus: status,
              deliveredAt: status === 'sent' || status === 'logged' ? detail.at : undefined,
              deliveryAttempts: detail.attempts,
              deliveryError: detail.error,
              messageId: detail.messageId,
            },
            condition: {
              expression: 'attribute_not_exists(#ds) OR #ds = :pending',
              names: { '#ds': 'deliveryStatus' },
              values: { ':pending': 'pending' },
            },
            onConflict: () => new AlreadyDelivered(),
          },
        ],
        audit: [audit],
      });
      return true;
    } catch (e) {
      if (e instanceof AlreadyDelivered) return false;
      throw e;
    }
  }

  /** Reads one item (the processor re-reads a notification before sending it). */
  get(key: Key): Promise<Item | undefined> {
    return this.reg.get(key);
  }

  private async readMarkers(sub: string, ids: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const item of await this.batchGet(ids.map((id) => readMarkerKey(sub, id)))) {
      if (typeof item.readAt === 'string') out.set(String(item.sk), item.readAt);
    }
    return out;
  }

  private async batchGet(keys: readonly Key[]): Promise<Item[]> {
    const out: Item[] = [];
    const unique = [...new Map(keys.map((k) => [`${k.pk}\u0000${k.sk}`, k])).values()];
    for (let i = 0; i < unique.length; i += 100) {
      let pending: Key[] = unique.slice(i, i + 100).map((k) => ({ pk: k.pk, sk: k.sk }));
      for (let attempt = 0; pending.length && attempt < 5; attempt += 1) {
        const table = tableName();
        const res = await dynamoDocumentClient().send(
          new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }),
        );
        out.push(...((res.Responses?.[table] ?? []) as Item[]));
        pending = (res.UnprocessedKeys?.[table]?.Keys ?? []) as Key[];
      }
    }
    return out;
  }
}

class AlreadyDelivered extends Error {}

/**
 * E-mail addresses of recipients: a person's from their organisation membership (the contact e-mail
 * the applicant registered) or their expert record; a role's from the stage's distribution list.
 */
export class DynamoAddressBook implements AddressBook {
  constructor(
    private readonly roleAddresses: Readonly<Partial<Record<Role, string>>>,
    private readonly reg: Registry = registry(),
  ) {}

  async addressOf(recipient: Recipient): Promise<string | undefined> {
    if ('role' in recipient) return this.roleAddresses[recipient.role];
    const member = await this.reg.get({ pk: `MEMBER#${recipient.sub}`, sk: 'GUARD' });
    if (typeof member?.orgId === 'string') {
      const org = await this.reg.get({ pk: `ORG#${member.orgId}`, sk: 'ORG' });
      const email = (org?.contact as { email?: unknown } | undefined)?.email;
      if (typeof email === 'string' && email) return email;
    }
    const guard = await this.reg.get(keys.expertByUser(recipient.sub));
    const expertId = guard?.expertId ?? guard?.id;
    if (typeof expertId === 'string') {
      const record = await this.reg.get(keys.expert(expertId));
      if (typeof record?.email === 'string' && record.email) return record.email;
    }
    return undefined;
  }
}
