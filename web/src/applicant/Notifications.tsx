import { useEffect } from 'preact/hooks';
import { addMessages, t, useLang } from '../i18n.ts';
import { NotificationList, refreshUnread, setUnread, useUnread } from '../notifications.tsx';
import { usePath } from '../router.ts';
import { useSession } from '../session.ts';
import './messages.ts';
import type { Notification } from './model.ts';

/**
 * `#/apply/notifications`: what the system told the signed-in applicant (`GET /v1/notifications`,
 * paged, newest first), unread ones marked in words, "mark as read" one by one or all at once
 * (`POST /v1/notifications/read`), each linking to the page of what it is about. The portal's own
 * navigation (`ApplicantNav`) shows the unread count in its text.
 */
addMessages(
  {
    'applicant.nav.label': '申报企业导航',
    'applicant.nav.home': '我的申报',
    'applicant.nav.notifications': '通知 ({n})',
    'applicant.nav.notificationsNone': '通知',
    'applicant.nav.vouchers': '算力券',
    'applicant.notes.title': '通知',
    'applicant.notes.summary': '未读通知 {unread} 条。',
    'applicant.notes.unread': '未读',
    'applicant.notes.read': '已读',
    'applicant.notes.markRead': '标为已读',
    'applicant.notes.markAll': '全部标为已读',
    'applicant.notes.marked': '已标为已读。',
    'applicant.notes.markedAll': '已将 {n} 条通知标为已读。',
    'applicant.notes.more': '加载更多',
    'applicant.notes.open': '查看相关页面',
    'applicant.notes.none': '暂无通知。',
    'applicant.notes.onlyUnread': '只显示未读',
  },
  {
    'applicant.nav.label': 'Applicant portal',
    'applicant.nav.home': 'My applications',
    'applicant.nav.notifications': 'Notifications ({n})',
    'applicant.nav.notificationsNone': 'Notifications',
    'applicant.nav.vouchers': 'Compute vouchers',
    'applicant.notes.title': 'Notifications',
    'applicant.notes.summary': '{unread} unread notifications.',
    'applicant.notes.unread': 'Unread',
    'applicant.notes.read': 'Read',
    'applicant.notes.markRead': 'Mark as read',
    'applicant.notes.markAll': 'Mark all as read',
    'applicant.notes.marked': 'Marked as read.',
    'applicant.notes.markedAll': '{n} notifications marked as read.',
    'applicant.notes.more': 'Load more',
    'applicant.notes.open': 'Open the page it is about',
    'applicant.notes.none': 'No notifications.',
    'applicant.notes.onlyUnread': 'Unread only',
  },
);

/** The applicant portal's own navigation: my applications, notifications (with the unread count), vouchers. */
export function ApplicantNav() {
  useLang();
  const s = useSession();
  const path = usePath();
  const n = useUnread();
  useEffect(() => {
    refreshUnread().catch(() => setUnread(undefined));
  }, [s?.sub, path]);
  const links: { href: string; text: string; current: boolean }[] = [
    { href: '/apply', text: t('applicant.nav.home'), current: path === '/apply' },
    {
      href: '/apply/notifications',
      text: n === undefined ? t('applicant.nav.notificationsNone') : t('applicant.nav.notifications', { n }),
      current: path === '/apply/notifications',
    },
    { href: '/apply/vouchers', text: t('applicant.nav.vouchers'), current: path === '/apply/vouchers' },
  ];
  return (
    <nav class="applicant-nav" aria-label={t('applicant.nav.label')}>
      <ul>
        {links.map((l) => (
          <li key={l.href}>
            <a href={`#${l.href}`} aria-current={l.current ? 'page' : undefined}>
              {l.text}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Where a notification leads in the portal, when it has a page there. */
export function linkOf(n: Notification): string | undefined {
  const platformId = typeof n.detail?.platformId === 'string' ? n.detail.platformId : undefined;
  switch (n.entityType) {
    case 'application':
      return `#/apply/applications/${encodeURIComponent(n.entityId)}`;
    case 'platform':
      return `#/apply/platforms/${encodeURIComponent(n.entityId)}`;
    case 'revocation':
      return `#/apply/revocations/${encodeURIComponent(n.entityId)}`;
    case 'voucher_claim':
      return '#/apply/vouchers';
    case 'organisation':
      return '#/apply';
    case 'change_request':
    case 'evaluation':
    case 'redemption':
      return platformId ? `#/apply/platforms/${encodeURIComponent(platformId)}` : undefined;
    default:
      return undefined;
  }
}

export function NotificationsPage() {
  return (
    <NotificationList<Notification>
      texts="applicant.notes"
      class="applicant"
      nav={<ApplicantNav />}
      linkOf={linkOf}
    />
  );
}
