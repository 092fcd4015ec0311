import type { z } from 'zod';
import { DynamoNotificationStore } from '../adapters/notification-store.ts';
import { listNotifications, markNotificationsRead, type NotificationDeps } from '../core/notifications.ts';
import { clock } from '../shared/clock.ts';
import { type AuthedRequest, routeGroupHandler } from '../shared/http-handler.ts';
import type { MarkReadBody, NotificationListQuery } from './routes/notifications.ts';
import { notificationRoutes } from './routes/notifications.ts';

/** The notification outbox of the caller (as a person and through each role): list, mark read. */
const deps: NotificationDeps = { notifications: new DynamoNotificationStore(), clock };

type ListReq = AuthedRequest<Record<string, never>, z.infer<typeof NotificationListQuery>>;
type ReadReq = AuthedRequest<Record<string, never>, Record<string, never>, z.infer<typeof MarkReadBody>>;

export const handler = routeGroupHandler('notifications', notificationRoutes, {
  listNotifications: async (req: ListReq) => ({
    status: 200,
    body: await listNotifications(deps, req.principal, req.query),
  }),
  markNotificationsRead: async (req: ReadReq) => ({
    status: 200,
    body: await markNotificationsRead(deps, req.principal, req.body.ids),
  }),
});
