import { useEffect, useState } from 'preact/hooks';
import { get, post } from '../api.ts';
import { addMessages, formatInstant, t, useLang } from '../i18n.ts';
import { usePath } from '../router.ts';
import { useSession } from '../session.ts';
import { Loading, ProblemBox } from '../ui.tsx';
import './messages.ts';
import { allPages, bilingual, type Notification, type PageOf } from './model.ts';

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

/** The unread count, shared by the portal's navigation and the notifications page. */
let unread: number | undefined;
const unreadListeners = new Set<(n: number | undefined) => void>();
const setUnread = (n: number | undefined) => {
  unread = n;
  for (const l of unreadListeners) l(n);
};

/**
 * Counts the unread among the newest 100 notifications (one request: the count is refreshed on every
 * navigation, so it must stay cheap) and tells every listener. Older unread ones are on the page.
 */
export async function refreshUnread(): Promise<void> {
  const page = await get<PageOf<Notification>>('/v1/notifications?limit=100');
  setUnread(page.items.filter((n) => !n.read).length);
}

export function useUnread(): number | undefined {
  const [n, setN] = useState(unread);
  useEffect(() => {
    unreadListeners.add(setN);
    return () => {
      unreadListeners.delete(setN);
    };
  }, []);
  return n;
}

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
  useLang();
  const [items, setItems] = useState<Notification[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [problem, setProblem] = useState<unknown>();
  const [message, setMessage] = useState('');
  const [onlyUnread, setOnlyUnread] = useState(false);
  const [busy, setBusy] = useState(false);

  const load = async (from?: string) => {
    setLoading(true);
    setProblem(undefined);
    try {
      const page = await get<PageOf<Notification>>(
        `/v1/notifications?limit=25${from ? `&cursor=${encodeURIComponent(from)}` : ''}`,
      );
      setItems((xs) => (from ? [...xs, ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (e) {
      setProblem(e);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load();
  }, []);

  const markRead = async (ids: string[], all: boolean) => {
    if (!ids.length) return;
    setBusy(true);
    setProblem(undefined);
    setMessage('');
    try {
      // The API takes a bounded batch of ids per call.
      const read = new Set<string>();
      // The API takes at most 50 ids a request (MAX_READ_IDS).
      for (let i = 0; i < ids.length; i += 50) {
        const res = await post<{ read: string[] }>('/v1/notifications/read', { ids: ids.slice(i, i + 50) });
        for (const id of res.read) read.add(id);
      }
      setItems((xs) => xs.map((x) => (read.has(x.id) ? { ...x, read: true } : x)));
      setMessage(all ? t('applicant.notes.markedAll', { n: read.size }) : t('applicant.notes.marked'));
      await refreshUnread();
    } catch (e) {
      setProblem(e);
    } finally {
      setBusy(false);
    }
  };

  const markAll = async () => {
    // Every unread one, also those on pages not loaded yet.
    setBusy(true);
    try {
      const all = await allPages<Notification>('/v1/notifications', 1000);
      setBusy(false);
      await markRead(
        all.filter((n) => !n.read).map((n) => n.id),
        true,
      );
    } catch (e) {
      setProblem(e);
      setBusy(false);
    }
  };

  const unreadCount = useUnread();
  const shown = onlyUnread ? items.filter((n) => !n.read) : items;
  return (
    <main id="main" class="applicant">
      <ApplicantNav />
      <h1>{t('applicant.notes.title')}</h1>
      <p>{unreadCount !== undefined ? t('applicant.notes.summary', { unread: unreadCount }) : null}</p>
      <div class="actions">
        <button type="button" disabled={busy || unreadCount === 0} onClick={() => void markAll()}>
          {t('applicant.notes.markAll')}
        </button>
        <label class="choice">
          <input
            type="checkbox"
            checked={onlyUnread}
            onChange={(e) => setOnlyUnread((e.target as HTMLInputElement).checked)}
          />{' '}
          {t('applicant.notes.onlyUnread')}
        </label>
      </div>
      <p role="status">{message}</p>
      <ProblemBox problem={problem} />
      <Loading when={loading && !items.length}>
        {shown.length ? (
          <ul class="notification-list">
            {shown.map((n) => {
              const href = linkOf(n);
              return (
                <li key={n.id} class={n.read ? 'read' : 'unread'} data-id={n.id}>
                  <p>
                    <strong class={`status status-${n.read ? 'read' : 'unread'}`}>
                      {n.read ? t('applicant.notes.read') : t('applicant.notes.unread')}
                    </strong>{' '}
                    <time dateTime={n.at}>{formatInstant(n.at)}</time>
                  </p>
                  <p class="notification-title">{bilingual(n.title)}</p>
                  <p class="actions">
                    {href ? (
                      <a href={href}>
                        {t('applicant.notes.open')}
                        <span class="visually-hidden"> · {bilingual(n.title)}</span>
                      </a>
                    ) : null}
                    {!n.read ? (
                      <button
                        type="button"
                        class="secondary"
                        disabled={busy}
                        onClick={() => void markRead([n.id], false)}
                      >
                        {t('applicant.notes.markRead')}
                        <span class="visually-hidden"> · {bilingual(n.title)}</span>
                      </button>
                    ) : null}
                  </p>
                </li>
              );
            })}
          </ul>
        ) : (
          <p>{t('applicant.notes.none')}</p>
        )}
        {cursor ? (
          <button type="button" class="secondary" disabled={loading} onClick={() => void load(cursor)}>
            {t('applicant.notes.more')}
          </button>
        ) : null}
      </Loading>
    </main>
  );
}
