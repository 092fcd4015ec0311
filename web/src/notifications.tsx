import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { allPages, get, type PageOf, post } from './api.ts';
import { bilingual, type Notification } from './applicant/model.ts';
import { formatInstant, t, useLang } from './i18n.ts';
import { useSession } from './session.ts';
import { Loading, ProblemBox } from './ui.tsx';

/**
 * What the applicant portal's and the staff console's notification pages share: the unread count the
 * header (and the applicant's navigation) shows, and the paged list with "mark as read" one by one or all
 * at once (`GET /v1/notifications`, `POST /v1/notifications/read`).
 */

/** The unread count, shared by the header, the portal's navigation and the notifications pages. */
let unread: number | undefined;
const unreadListeners = new Set<(n: number | undefined) => void>();
export const setUnread = (n: number | undefined) => {
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

/** At most this many ids per `POST /v1/notifications/read` (the API's MAX_READ_IDS). */
const READ_BATCH = 50;

/**
 * The signed-in user's notifications, newest first, 25 a page, unread ones marked in words, each linking
 * to the page of what it is about (`linkOf`). `texts` names the vocabulary (`applicant.notes`,
 * `staff.notes`: title, summary, read, unread, markRead, markAll, marked, markedAll, more, open, none,
 * onlyUnread); `meta` adds to a notification's first line, `noneUnread` is said when the filter hides all.
 */
export function NotificationList<N extends Notification>(props: {
  texts: string;
  class: string;
  nav?: ComponentChildren;
  lead?: ComponentChildren;
  linkOf: (n: N) => string | undefined;
  meta?: (n: N) => ComponentChildren;
  noneUnread?: string;
}) {
  useLang();
  const s = useSession();
  const k = (key: string, vars?: Record<string, string | number>) => t(`${props.texts}.${key}`, vars);
  const [items, setItems] = useState<N[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [problem, setProblem] = useState<unknown>();
  const [message, setMessage] = useState('');
  const [onlyUnread, setOnlyUnread] = useState(false);
  const [busy, setBusy] = useState(false);
  const unreadCount = useUnread();

  const load = async (from?: string) => {
    setLoading(true);
    setProblem(undefined);
    try {
      const page = await get<PageOf<N>>(
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
      setMessage(all ? k('markedAll', { n: read.size }) : k('marked'));
    } catch (e) {
      setProblem(e);
    } finally {
      setBusy(false);
      // The count follows what the server now holds (also after a partial failure).
      await refreshUnread().catch(() => undefined);
    }
  };

  const markAll = async () => {
    // Every unread one, also those on pages not loaded yet.
    setBusy(true);
    try {
      const all = await allPages<N>('/v1/notifications', 1000);
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
  return (
    <main id="main" class={props.class}>
      {props.nav}
      <h1>{k('title')}</h1>
      {props.lead}
      <p id="unread-summary">{unreadCount !== undefined ? k('summary', { unread: unreadCount }) : null}</p>
      <div class="actions">
        <button type="button" disabled={busy || unreadCount === 0} onClick={() => void markAll()}>
          {k('markAll')}
        </button>
        <label class="choice">
          <input
            type="checkbox"
            checked={onlyUnread}
            onChange={(e) => setOnlyUnread((e.target as HTMLInputElement).checked)}
          />{' '}
          {k('onlyUnread')}
        </label>
      </div>
      <p role="status">{message}</p>
      <ProblemBox problem={problem} />
      <Loading when={loading && !items.length}>
        {shown.length ? (
          <ul class="notification-list">
            {shown.map((n) => {
              const href = props.linkOf(n);
              const title = bilingual(n.title);
              return (
                <li key={n.id} class={n.read ? 'read' : 'unread'} data-id={n.id}>
                  <p>
                    <strong class={`status status-${n.read ? 'read' : 'unread'}`}>
                      {n.read ? k('read') : k('unread')}
                    </strong>{' '}
                    <time dateTime={n.at}>{formatInstant(n.at)}</time>
                    {props.meta?.(n)}
                  </p>
                  <p class="notification-title">{title}</p>
                  <p class="actions">
                    {href ? (
                      <a href={href}>
                        {k('open')}
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
                        {k('markRead')}
                        <span class="visually-hidden"> · {title}</span>
                      </button>
                    ) : null}
                  </p>
                </li>
              );
            })}
          </ul>
        ) : (
          <p>{onlyUnread && items.length && props.noneUnread ? props.noneUnread : k('none')}</p>
        )}
        {cursor ? (
          <button type="button" class="secondary" disabled={loading} onClick={() => void load(cursor)}>
            {k('more')}
          </button>
        ) : null}
      </Loading>
    </main>
  );
}
