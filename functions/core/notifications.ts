import { NotFoundError, ValidationError } from '../shared/errors.ts';
import type { Principal, Role } from '../shared/roles.ts';
import { type AuditEvent, actorOf, auditEvent, SYSTEM_ACTOR } from './audit.ts';
import type { Clock } from './ports.ts';

/**
 * The notification outbox: whoever must act next is told. A notification is an item written in the
 * same transaction as the state change that causes it; `GET /v1/notifications` lists the caller's
 * (by user and by role); in AWS a processor sends each new one by e-mail, locally it is logged.
 */
export type Recipient = { readonly sub: string } | { readonly role: Role };

export interface NotificationInput {
  readonly recipient: Recipient;
  /** Stable event name, e.g. `application.returned`, `task.reminded`. */
  readonly event: string;
  readonly entityType: string;
  readonly entityId: string;
  /** Short human text (zh-CN first, with the English after a ` / `), shown in inboxes and e-mails. */
  readonly title: string;
  readonly detail?: Record<string, unknown>;
  /**
   * Instant (ISO) of the change that caused it. Use the instant recorded on the change itself (not a
   * fresh `now`) when the writer may be retried, so a retry writes the same item.
   */
  readonly at: string;
  /**
   * Makes the notification idempotent: the same key for the same recipient is written once
   * (e.g. `<taskId>#reminded`). Defaults to `<event>#<entityId>`.
   */
  readonly dedupeKey?: string;
}

/** E-mail delivery of an outbox item (the processor in AWS; `log` channel: logged only). */
export const DELIVERY_STATUSES = ['pending', 'sent', 'logged', 'failed', 'no_address'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Partition of a recipient's outbox. */
export const outboxPk = (r: Recipient): string => ('sub' in r ? `NOTIFY#USER#${r.sub}` : `NOTIFY#${r.role}`);

/** Scope part of a notification id: `user` for a person's own outbox, else the role name. */
const scopeOf = (r: Recipient): string => ('sub' in r ? 'user' : r.role);

/**
 * A notification's id as the API shows it: `<scope>/<sk>` where scope is `user` (the caller's own
 * outbox) or a role. With the caller it names exactly one item, and it reveals nothing of others.
 */
export const notificationId = (r: Recipient, sk: string): string => `${scopeOf(r)}/${sk}`;

/**
 * The outbox item for one recipient: put it (with `ifNew: true`) in the transaction of the change.
 * `sk` sorts by time; `deliveryStatus: 'pending'` is what the e-mail processor picks up.
 */
export function notificationItem(n: NotificationInput): Record<string, unknown> & { pk: string; sk: string } {
  const dedupe = n.dedupeKey ?? `${n.event}#${n.entityId}`;
  const sk = `${n.at}#${dedupe}`;
  return {
    pk: outboxPk(n.recipient),
    sk,
    type: 'notification',
    id: notificationId(n.recipient, sk),
    recipient: 'sub' in n.recipient ? { sub: n.recipient.sub } : { role: n.recipient.role },
    event: n.event,
    entityType: n.entityType,
    entityId: n.entityId,
    title: n.title,
    detail: n.detail ?? {},
    at: n.at,
    deliveryStatus: 'pending',
  };
}

/** A stored notification (the item without its keys). */
export interface Notification {
  readonly id: string;
  readonly recipient: { readonly sub: string } | { readonly role: Role };
  readonly event: string;
  readonly entityType: string;
  readonly entityId: string;
  readonly title: string;
  readonly detail: Record<string, unknown>;
  readonly at: string;
  readonly deliveryStatus: DeliveryStatus;
  /** Person's own item: when they marked it read. */
  readonly readAt?: string;
}

/** A notification as its recipient sees it: `read` is per user, also for role notifications. */
export interface NotificationView extends Omit<Notification, 'readAt'> {
  readonly read: boolean;
  readonly readAt?: string;
}

/** Where a notification id points: the caller's own outbox or one of the caller's roles. */
export type NotificationRef =
  | { readonly id: string; readonly scope: 'user'; readonly sub: string; readonly sk: string }
  | { readonly id: string; readonly scope: 'role'; readonly role: Role; readonly sk: string };

export interface NotificationRepo {
  /**
   * The caller's notifications: their own outbox and each role's, merged newest first. `read` is
   * resolved for `sub`. The cursor is opaque (400 when forged).
   */
  list(
    sub: string,
    roles: readonly Role[],
    query: { limit: number; cursor?: string },
  ): Promise<{ items: NotificationView[]; nextCursor?: string }>;
  /** The referenced notifications that exist (others are simply absent). */
  getMany(refs: readonly NotificationRef[]): Promise<Map<string, Notification>>;
  /**
   * One transaction: own items get `readAt`; role items get a per-reader read marker; plus the audit
   * event. Marking an already-read item again changes nothing about it.
   */
  markRead(sub: string, refs: readonly NotificationRef[], at: string, audit: AuditEvent): Promise<void>;
}

export interface NotificationDeps {
  readonly notifications: NotificationRepo;
  readonly clock: Clock;
}

/** At most this many ids per `POST /v1/notifications/read` (one transaction). */
export const MAX_READ_IDS = 50;

/** Parses an id against the caller: only their own outbox and their roles' are addressable (else 404). */
export function resolveNotificationId(principal: Principal, id: string): NotificationRef {
  const slash = id.indexOf('/');
  const scope = slash > 0 ? id.slice(0, slash) : '';
  const sk = slash > 0 ? id.slice(slash + 1) : '';
  if (!sk) throw new NotFoundError('notification', id);
  if (scope === 'user') return { id, scope: 'user', sub: principal.sub, sk };
  const role = principal.roles.find((r) => r === scope);
  if (!role) throw new NotFoundError('notification', id);
  return { id, scope: 'role', role, sk };
}

/** `GET /v1/notifications`: what the caller (as a person and through each role) has been told, newest first. */
export function listNotifications(
  deps: Pick<NotificationDeps, 'notifications'>,
  principal: Principal,
  query: { limit: number; cursor?: string },
): Promise<{ items: NotificationView[]; nextCursor?: string }> {
  return deps.notifications.list(principal.sub, principal.roles, {
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
}

/**
 * `POST /v1/notifications/read`: marks the caller's notifications read (for the caller only: a role
 * notification read by one officer stays unread for the others). An id that is not the caller's → 404.
 */
export async function markNotificationsRead(
  deps: NotificationDeps,
  principal: Principal,
  ids: readonly string[],
): Promise<{ read: string[] }> {
  const unique = [...new Set(ids)];
  if (!unique.length || unique.length > MAX_READ_IDS) {
    throw new ValidationError(`Send between 1 and ${MAX_READ_IDS} notification ids.`, [
      { path: 'body.ids', message: `1–${MAX_READ_IDS} ids` },
    ]);
  }
  const refs = unique.map((id) => resolveNotificationId(principal, id));
  const found = await deps.notifications.getMany(refs);
  const missing = refs.find((r) => !found.has(r.id));
  if (missing) throw new NotFoundError('notification', missing.id);
  // An own item already read keeps its first readAt; a role item's marker records the latest read.
  const toMark = refs.filter((r) => r.scope === 'role' || !found.get(r.id)?.readAt);
  if (!toMark.length) return { read: unique };
  const now = deps.clock.now();
  await deps.notifications.markRead(
    principal.sub,
    toMark,
    now.toISOString(),
    auditEvent(now, actorOf(principal), 'notifications.read', 'user', principal.sub, { ids: unique }),
  );
  return { read: unique };
}

/**
 * The e-mail processor's filter: a stream record is a new outbox item still waiting for delivery.
 * The same rule as the event-source filter in the stateless stack (INSERT of `type = notification`).
 */
export function isNewNotification(record: {
  readonly eventName?: string;
  readonly newImage?: Record<string, unknown>;
}): boolean {
  return (
    record.eventName === 'INSERT' &&
    record.newImage?.type === 'notification' &&
    (record.newImage.deliveryStatus === undefined || record.newImage.deliveryStatus === 'pending')
  );
}

/** How new notifications leave the system: `ses` e-mails them (AWS), `log` only logs them (China, local). */
export const NOTIFICATION_CHANNELS = ['ses', 'log'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

/** Sends one e-mail (SES in AWS). */
export interface Mailer {
  send(message: { to: string; subject: string; text: string }): Promise<{ messageId?: string }>;
}

/** Where a recipient is reached: a person's recorded address, or the role's distribution address. */
export interface AddressBook {
  addressOf(recipient: Recipient): Promise<string | undefined>;
}

export interface OutboxKey {
  readonly pk: string;
  readonly sk: string;
}

export interface DeliveryStore {
  get(key: OutboxKey): Promise<Record<string, unknown> | undefined>;
  /** Sets the outcome only while the item is still pending (a replayed stream record changes nothing). */
  recordDelivery(
    key: OutboxKey,
    status: Exclude<DeliveryStatus, 'pending'>,
    detail: { attempts: number; at: string; address?: string; error?: string; messageId?: string },
    audit: AuditEvent,
  ): Promise<boolean>;
}

export interface DeliveryDeps {
  readonly channel: NotificationChannel;
  readonly mailer: Mailer;
  readonly addresses: AddressBook;
  readonly store: DeliveryStore;
  readonly clock: Clock;
  /** Bounded retry: at most this many sends of one e-mail. */
  readonly maxAttempts: number;
  /** A transient fault (throttling, 5xx) worth another attempt; anything else fails at once. */
  readonly isRetryable: (error: unknown) => boolean;
  /** Waits between attempts (tests pass one that returns at once). */
  readonly sleep: (ms: number) => Promise<void>;
  readonly log: (message: string, detail: Record<string, unknown>) => void;
}

export type DeliveryOutcome = Exclude<DeliveryStatus, 'pending'> | 'skipped';

/** The e-mail for a notification: its title as subject, what happened and where to look. */
export function emailFor(n: Pick<Notification, 'title' | 'event' | 'entityType' | 'entityId' | 'at'>): {
  subject: string;
  text: string;
} {
  return {
    subject: `[中山市人工智能赋能平台] ${n.title}`.slice(0, 200),
    text: [
      n.title,
      '',
      `事项 / Event: ${n.event}`,
      `对象 / Subject: ${n.entityType} ${n.entityId}`,
      `时间 / At: ${n.at}`,
      '',
      '请登录系统查看并处理。/ Please sign in to the platform to see and act on it.',
    ].join('\n'),
  };
}

/**
 * "Whoever must act next is told": sends one new outbox item by e-mail (or logs it), with a bounded
 * retry of transient faults, and records the outcome on the item with its audit event. A record
 * replayed after its outcome was recorded is skipped.
 */
export async function deliverNotification(deps: DeliveryDeps, key: OutboxKey): Promise<DeliveryOutcome> {
  const item = await deps.store.get(key);
  if (item?.type !== 'notification') return 'skipped';
  if (item.deliveryStatus !== undefined && item.deliveryStatus !== 'pending') return 'skipped';
  const n = {
    title: String(item.title ?? item.event ?? 'notification'),
    event: String(item.event ?? 'notification'),
    entityType: String(item.entityType ?? ''),
    entityId: String(item.entityId ?? ''),
    at: String(item.at ?? ''),
  };
  const recipient = item.recipient as Recipient | undefined;
  const id = String(item.id ?? `${key.pk}/${key.sk}`);
  const record = async (
    status: Exclude<DeliveryStatus, 'pending'>,
    detail: { attempts: number; address?: string; error?: string; messageId?: string },
  ): Promise<DeliveryOutcome> => {
    const now = deps.clock.now();
    const changed = await deps.store.recordDelivery(
      key,
      status,
      { ...detail, at: now.toISOString() },
      auditEvent(now, SYSTEM_ACTOR, `notification.${status}`, 'notification', id, {
        event: n.event,
        entityType: n.entityType,
        entityId: n.entityId,
        attempts: detail.attempts,
        ...(detail.error ? { error: detail.error } : {}),
      }),
    );
    return changed ? status : 'skipped';
  };

  if (deps.channel === 'log') {
    deps.log('notification', { id, recipient, ...n });
    return record('logged', { attempts: 0 });
  }
  const address = recipient ? await deps.addresses.addressOf(recipient) : undefined;
  if (!address) {
    deps.log('notification has no e-mail address', { id, recipient, event: n.event });
    return record('no_address', { attempts: 0 });
  }
  const mail = emailFor(n);
  let lastError = '';
  for (let attempt = 1; attempt <= deps.maxAttempts; attempt += 1) {
    try {
      const sent = await deps.mailer.send({ to: address, ...mail });
      return record('sent', {
        attempts: attempt,
        address,
        ...(sent.messageId ? { messageId: sent.messageId } : {}),
      });
    } catch (e) {
      lastError = `${(e as Error)?.name ?? 'Error'}: ${(e as Error)?.message ?? String(e)}`.slice(0, 500);
      const retry = attempt < deps.maxAttempts && deps.isRetryable(e);
      deps.log('e-mail attempt failed', { id, attempt, error: lastError, retry });
      if (!retry) return record('failed', { attempts: attempt, address, error: lastError });
      await deps.sleep(2 ** (attempt - 1) * 200 + Math.floor(Math.random() * 100));
    }
  }
  return record('failed', { attempts: deps.maxAttempts, address, error: lastError });
}
