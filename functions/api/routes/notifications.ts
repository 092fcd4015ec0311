import * as z from 'zod';
import { DELIVERY_STATUSES, MAX_READ_IDS } from '../../core/notifications.ts';
import { ROLES } from '../../shared/roles.ts';
import type { RouteDef } from '../route-types.ts';
import { Instant } from '../schemas/common.ts';

/** Any signed-in role: everyone may be told something (applicants, staff, experts, observers). */
const EVERYONE = ROLES;

export const NotificationSchema = z
  .object({
    id: z
      .string()
      .describe('`user/<key>` (your own) or `<role>/<key>` (one of your roles’); pass it to …/read'),
    recipient: z.union([z.object({ sub: z.string() }), z.object({ role: z.enum(ROLES) })]),
    event: z.string().describe('stable event name, e.g. task.reminded, application.returned'),
    entityType: z.string(),
    entityId: z.string(),
    title: z.string(),
    detail: z.record(z.string(), z.unknown()),
    at: Instant,
    deliveryStatus: z
      .enum(DELIVERY_STATUSES)
      .describe('e-mail delivery: pending, sent (SES), logged (log channel), failed, no_address'),
    read: z.boolean().describe('read by you (role notifications: per person)'),
    readAt: Instant.optional(),
  })
  .meta({ id: 'Notification' });

export const NotificationListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(1024).optional(),
  })
  .strict();

export const MarkReadBody = z
  .object({ ids: z.array(z.string().min(3).max(512)).min(1).max(MAX_READ_IDS) })
  .strict();

/** The notification outbox: whoever must act next is told (issue 3, "whoever must act next is told"). */
export const notificationRoutes: readonly RouteDef[] = [
  {
    id: 'listNotifications',
    method: 'GET',
    path: '/v1/notifications',
    group: 'notifications',
    auth: EVERYONE,
    summary:
      'Your notifications: those addressed to you and to each of your roles, newest first, with your read state',
    tags: ['notifications'],
    request: { query: NotificationListQuery },
    responses: {
      200: {
        description: 'A page of notifications',
        schema: z.object({ items: z.array(NotificationSchema), nextCursor: z.string().optional() }),
      },
    },
  },
  {
    id: 'markNotificationsRead',
    method: 'POST',
    path: '/v1/notifications/read',
    group: 'notifications',
    auth: EVERYONE,
    summary:
      'Mark notifications read for you (a role notification stays unread for the role’s other members); an id that is not yours → 404',
    tags: ['notifications'],
    request: { body: MarkReadBody },
    responses: { 200: { description: 'Marked read', schema: z.object({ read: z.array(z.string()) }) } },
  },
];
