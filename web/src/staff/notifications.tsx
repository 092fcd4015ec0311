import { useEffect, useState } from 'preact/hooks';
import { get, post } from '../api.ts';
import { bilingual, type Notification, type PageOf } from '../applicant/model.ts';
import { refreshUnread, useUnread } from '../applicant/Notifications.tsx';
import { addMessages, formatInstant, t, useLang } from '../i18n.ts';
import { hasRole, type Role, type Session, useSession } from '../session.ts';
import { Loading, ProblemBox } from '../ui.tsx';
import { allPages, enc } from './finance/common.tsx';
import './messages.ts';
import { parseEvaluationId } from './operations/names.tsx';

/**
 * `#/staff/notifications`: what the system told the signed-in staff member (`GET /v1/notifications`:
 * their own and their roles' notifications, newest first, paged), unread ones marked in words, "mark as
 * read" one by one or all at once (`POST /v1/notifications/read`: for this person only — a role
 * notification stays unread for the role's other members), each linking to the staff page of what it is
 * about when the caller's role may open it. The unread count is the one the header shows
 * (`refreshUnread` / `useUnread`, shared with the applicant portal).
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

/** At most this many ids per `POST /v1/notifications/read` (the API's MAX_READ_IDS). */
const READ_BATCH = 50;

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
  const [items, setItems] = useState<StaffNotification[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [problem, setProblem] = useState<unknown>();
  const [message, setMessage] = useState('');
  const [onlyUnread, setOnlyUnread] = useState(false);
  const [busy, setBusy] = useState(false);
  const unread = useUnread();

  const load = async (from?: string) => {
    setLoading(true);
    setProblem(undefined);
    try {
      const page = await get<PageOf<StaffNotification>>(
        `/v1/notifications?limit=25${from ? `&cursor=${enc(from)}` : ''}`,
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
    refreshUnread().catch(() => undefined);
  }, [s?.sub]);

  const markRead = async (ids: string[], all: boolean) => {
    if (!ids.length) return;
    setBusy(true);
    setProblem(undefined);
    setMessage('');
    try {
      const read = new Set<string>();
      for (let i = 0; i < ids.length; i += READ_BATCH) {
        const res = await post<{ read: string[] }>('/v1/notifications/read', {
          ids: ids.slice(i, i + READ_BATCH),
        });
        for (const id of res.read) read.add(id);
      }
      setItems((xs) => xs.map((x) => (read.has(x.id) ? { ...x, read: true } : x)));
      setMessage(all ? t('staff.notes.markedAll', { n: read.size }) : t('staff.notes.marked'));
    } catch (e) {
      setProblem(e);
    } finally {
      setBusy(false);
      // The header's count follows what the server now holds (also after a partial failure).
      await refreshUnread().catch(() => undefined);
    }
  };

  const markAll = async () => {
    // Every unread one, also those on pages not loaded yet.
    setBusy(true);
    try {
      const all = await allPages<StaffNotification>('/v1/notifications', 1000);
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

  const shown = onlyUnread ? items.filter((n) => !n.read) : items;
  const to = (n: StaffNotification) =>
    n.recipient && 'role' in n.recipient
      ? t('staff.notes.toRole', { role: t(`role.${n.recipient.role}`) })
      : t('staff.notes.toYou');
  return (
    <main id="main" class="staff-notes">
      <h1>{t('staff.notes.title')}</h1>
      <p>{t('staff.notes.lead')}</p>
      <p id="unread-summary">{unread !== undefined ? t('staff.notes.summary', { unread }) : null}</p>
      <div class="actions">
        <button type="button" disabled={busy || unread === 0} onClick={() => void markAll()}>
          {t('staff.notes.markAll')}
        </button>
        <label class="choice">
          <input
            type="checkbox"
            checked={onlyUnread}
            onChange={(e) => setOnlyUnread((e.target as HTMLInputElement).checked)}
          />{' '}
          {t('staff.notes.onlyUnread')}
        </label>
      </div>
      <p role="status">{message}</p>
      <ProblemBox problem={problem} />
      <Loading when={loading && !items.length}>
        {shown.length ? (
          <ul class="notification-list">
            {shown.map((n) => {
              const href = staffLinkOf(n, s);
              const title = bilingual(n.title);
              return (
                <li key={n.id} class={n.read ? 'read' : 'unread'} data-id={n.id}>
                  <p>
                    <strong class={`status status-${n.read ? 'read' : 'unread'}`}>
                      {n.read ? t('staff.notes.read') : t('staff.notes.unread')}
                    </strong>{' '}
                    <time dateTime={n.at}>{formatInstant(n.at)}</time> · <span>{to(n)}</span>
                  </p>
                  <p class="notification-title">{title}</p>
                  <p class="actions">
                    {href ? (
                      <a href={href}>
                        {t('staff.notes.open')}
                        <span class="visually-hidden"> · {title}</span>
                      </a>
                    ) : null}
                    {!n.read ? (
                      <button
                        type="button"
                        class="secondary"
                        disabled={busy}
                        onClick={() => void markRead([n.id], false)}
                      >
                        {t('staff.notes.markRead')}
                        <span class="visually-hidden"> · {title}</span>
                      </button>
                    ) : null}
                  </p>
                </li>
              );
            })}
          </ul>
        ) : (
          <p>{onlyUnread && items.length ? t('staff.notes.noneUnread') : t('staff.notes.none')}</p>
        )}
        {cursor ? (
          <button type="button" class="secondary" disabled={loading} onClick={() => void load(cursor)}>
            {t('staff.notes.more')}
          </button>
        ) : null}
      </Loading>
    </main>
  );
}
