import type { Notification } from '../applicant/model.ts';
import { addMessages, t, useLang } from '../i18n.ts';
import { NotificationList } from '../notifications.tsx';
import { hasRole, type Role, type Session, useSession } from '../session.ts';
import { enc } from './finance/common.tsx';
import './messages.ts';
import { parseEvaluationId } from './operations/names.tsx';

/**
 * `#/staff/notifications`: what the system told the signed-in staff member (`GET /v1/notifications`:
 * their own and their roles' notifications, newest first, paged), unread ones marked in words, "mark as
 * read" one by one or all at once (`POST /v1/notifications/read`: for this person only — a role
 * notification stays unread for the role's other members), each linking to the staff page of what it is
 * about when the caller's role may open it. The unread count is the one the header shows
 * (`refreshUnread` / `useUnread`); the list is the one the applicant portal shows too (`NotificationList`).
 */
addMessages(
  {
    'staff.notes.title': '通知',
    'staff.notes.lead': '发给您本人和您所属角色的通知；角色通知的“已读”只对您本人生效。',
    'staff.notes.summary': '未读通知 {unread} 条。',
    'staff.notes.unread': '未读',
    'staff.notes.read': '已读',
    'staff.notes.markRead': '标为已读',
    'staff.notes.markAll': '全部标为已读',
    'staff.notes.marked': '已标为已读。',
    'staff.notes.markedAll': '已将 {n} 条通知标为已读。',
    'staff.notes.more': '加载更多',
    'staff.notes.open': '查看相关页面',
    'staff.notes.none': '暂无通知。',
    'staff.notes.noneUnread': '没有未读通知。',
    'staff.notes.onlyUnread': '只显示未读',
    'staff.notes.toRole': '发给：{role}',
    'staff.notes.toYou': '发给：您本人',
  },
  {
    'staff.notes.title': 'Notifications',
    'staff.notes.lead':
      'Notifications to you and to your roles; marking a role notification read marks it for you only.',
    'staff.notes.summary': '{unread} unread notifications.',
    'staff.notes.unread': 'Unread',
    'staff.notes.read': 'Read',
    'staff.notes.markRead': 'Mark as read',
    'staff.notes.markAll': 'Mark all as read',
    'staff.notes.marked': 'Marked as read.',
    'staff.notes.markedAll': '{n} notifications marked as read.',
    'staff.notes.more': 'Load more',
    'staff.notes.open': 'Open the page it is about',
    'staff.notes.none': 'No notifications.',
    'staff.notes.noneUnread': 'No unread notifications.',
    'staff.notes.onlyUnread': 'Unread only',
    'staff.notes.toRole': 'To: {role}',
    'staff.notes.toYou': 'To: you',
  },
);

/** A notification with the recipient the API names (`{ sub }` or `{ role }`). */
type StaffNotification = Notification & { recipient?: { sub: string } | { role: Role } };

const OFFICE: readonly Role[] = ['officer', 'approver', 'admin', 'observer'];
/** Who may open each staff page a notification can lead to (as the console's routes allow). */
const OPENS: Record<string, readonly Role[]> = {
  application: ['officer', 'expert', 'approver', 'admin'],
  organisation: ['officer', 'approver'],
  revocation: ['officer', 'approver', 'admin'],
};

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** Where a notification leads in the staff console, when it has a page there the caller may open. */
export function staffLinkOf(n: Notification, s: Session | null): string | undefined {
  const may = (roles: readonly Role[]) => hasRole(s, ...roles);
  const platformId = str(n.detail?.platformId);
  switch (n.entityType) {
    case 'application':
      return may(OPENS.application ?? []) ? `#/staff/applications/${enc(n.entityId)}` : undefined;
    case 'organisation':
      return may(OPENS.organisation ?? []) ? `#/staff/organisations/${enc(n.entityId)}` : undefined;
    case 'revocation':
      return may(OPENS.revocation ?? []) ? `#/staff/revocations/${enc(n.entityId)}` : undefined;
    case 'call':
      return may(OFFICE) ? `#/staff/calls/${enc(str(n.detail?.callId) ?? n.entityId)}` : undefined;
    case 'platform':
      return may(OFFICE) ? `#/staff/platforms/${enc(n.entityId)}` : undefined;
    case 'change_request':
      return may(OFFICE) && platformId ? `#/staff/platforms/${enc(platformId)}` : undefined;
    case 'objection': {
      const noticeId = str(n.detail?.noticeId);
      return may(OFFICE) && noticeId ? `#/staff/notices/${enc(noticeId)}` : undefined;
    }
    case 'evaluation': {
      const year = n.detail?.year;
      const e =
        platformId && (typeof year === 'number' || typeof year === 'string')
          ? { year: String(year), platformId }
          : parseEvaluationId(n.entityId);
      return may(OFFICE) && e ? `#/staff/evaluation/${enc(String(e.year))}/${enc(e.platformId)}` : undefined;
    }
    case 'evaluation_cycle':
      return may(OFFICE) ? '#/staff/evaluation' : undefined;
    case 'redemption': {
      const programmeId = str(n.detail?.programmeId);
      return may(OFFICE) && programmeId ? `#/staff/vouchers/${enc(programmeId)}` : undefined;
    }
    default:
      return undefined;
  }
}

export function StaffNotifications() {
  useLang();
  const s = useSession();
  const to = (n: StaffNotification) =>
    n.recipient && 'role' in n.recipient
      ? t('staff.notes.toRole', { role: t(`role.${n.recipient.role}`) })
      : t('staff.notes.toYou');
  return (
    <NotificationList<StaffNotification>
      texts="staff.notes"
      class="staff-notes"
      lead={<p>{t('staff.notes.lead')}</p>}
      linkOf={(n) => staffLinkOf(n, s)}
      meta={(n) => (
        <>
          {' '}
          · <span>{to(n)}</span>
        </>
      )}
      noneUnread={t('staff.notes.noneUnread')}
    />
  );
}
