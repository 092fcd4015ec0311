import type { Role } from '../shared/roles.ts';

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
  /** Instant (ISO) of the change that caused it. */
  readonly at: string;
  /**
   * Makes the notification idempotent: the same key for the same recipient is written once
   * (e.g. `<taskId>#reminded`). Defaults to `<event>#<entityId>`.
   */
  readonly dedupeKey?: string;
}

/** Partition of a recipient's outbox. */
export const outboxPk = (r: Recipient): string => ('sub' in r ? `NOTIFY#USER#${r.sub}` : `NOTIFY#${r.role}`);

/**
 * The outbox item for one recipient: put it (with `ifNew: true`) in the transaction of the change.
 * `sk` sorts by time; `deliveryStatus: 'pending'` is what the e-mail processor picks up.
 */
export function notificationItem(n: NotificationInput): Record<string, unknown> & { pk: string; sk: string } {
  const dedupe = n.dedupeKey ?? `${n.event}#${n.entityId}`;
  return {
    pk: outboxPk(n.recipient),
    sk: `${n.at}#${dedupe}`,
    type: 'notification',
    id: `${n.at}#${dedupe}`,
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
