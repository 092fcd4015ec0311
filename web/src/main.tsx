import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { applicantPages } from './applicant/index.tsx';
import { currentConfig, loadConfig } from './config.ts';
import { setLang, t, useLang } from './i18n.ts';
import { refreshUnread, useUnread } from './notifications.tsx';
import { publicPages } from './public/index.tsx';
import { match, navigate, type Page, usePath } from './router.ts';
import {
  completeHostedSignIn,
  hasRole,
  hostedSignInProblem,
  ROLES,
  type Role,
  type Session,
  session,
  signInLocally,
  startHostedSignIn,
  useSession,
} from './session.ts';
import { staffPages } from './staff/index.tsx';
import './styles.css';

/**
 * The three consoles in one static app (issue 7): the public portal (no sign-in), the applicant portal
 * and the staff console (office staff, experts, approvers, observers). Every change goes through the
 * documented HTTP API with the signed-in user's token; what a role may do is decided by the API.
 */
const PAGES: readonly Page[] = [
  ...publicPages,
  ...applicantPages,
  ...staffPages,
  { path: '/sign-in', titleKey: 'signIn.title', component: SignIn },
];

/** Where a visitor asked to sign in was going (`#/sign-in?next=/apply/vouchers/p-1`): back there after. */
const NEXT_KEY = 'zs-console-next';
const nextOf = (): string | undefined => {
  const next = new URLSearchParams(location.hash.split('?')[1] ?? '').get('next') ?? undefined;
  return next?.startsWith('/') && !next.startsWith('/sign-in') ? next : undefined;
};
/** The page `next` when it exists and the new session may open it, else the session's console. */
function landingOf(s: Session, next: string | undefined): string {
  const found = next ? match(PAGES, next) : undefined;
  if (next && found && (!found.page.roles || hasRole(s, ...found.page.roles))) return next;
  return hasRole(s, 'applicant')
    ? '/apply'
    : hasRole(s, 'officer', 'expert', 'approver', 'admin', 'observer')
      ? '/staff'
      : '/';
}

function SignIn() {
  const [role, setRole] = useState<Role>('applicant');
  const [sub, setSub] = useState(`user-${Math.random().toString(36).slice(2, 8)}`);
  const [problem, setProblem] = useState<string>();
  if (currentConfig().auth.mode !== 'local') {
    return (
      <main id="main">
        <h1>{t('signIn.title')}</h1>
        {hostedSignInProblem ? (
          <p role="alert" class="error">
            {hostedSignInProblem}
          </p>
        ) : null}
        <button
          type="button"
          onClick={() => {
            const next = nextOf();
            if (next) sessionStorage.setItem(NEXT_KEY, next);
            else sessionStorage.removeItem(NEXT_KEY);
            void startHostedSignIn();
          }}
        >
          {t('signIn.hosted')}
        </button>
      </main>
    );
  }
  return (
    <main id="main">
      <h1>{t('signIn.title')}</h1>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            const s = await signInLocally(sub, role);
            navigate(landingOf(s, nextOf()));
          } catch (err) {
            setProblem((err as Error).message);
          }
        }}
      >
        <div class="field">
          <label for="role">{t('signIn.role')}</label>
          <select
            id="role"
            value={role}
            onChange={(e) => setRole((e.target as HTMLSelectElement).value as Role)}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="sub">{t('signIn.user')}</label>
          <input id="sub" value={sub} onInput={(e) => setSub((e.target as HTMLInputElement).value)} />
        </div>
        {problem ? (
          <p role="alert" class="error">
            {problem}
          </p>
        ) : null}
        <button type="submit">{t('signIn.submit')}</button>
      </form>
    </main>
  );
}

/**
 * The skip control moves keyboard focus to the page's content. A button, not a link to `#main`: the
 * hash is the route, and `#main` would navigate to a page that does not exist.
 */
function skipToContent(): void {
  const main = document.getElementById('main');
  if (!main) return;
  main.setAttribute('tabindex', '-1');
  main.focus();
}

/** Ends the session here and, with a hosted sign-in, at the issuer too (its logout returns to the console). */
function signOut(): void {
  session.set(null);
  const auth = currentConfig().auth;
  if (auth.mode !== 'local' && auth.logoutUrl) location.assign(auth.logoutUrl);
  else navigate('/');
}

/**
 * The header's notifications entry for any signed-in user: the unread count in words, linked to the
 * applicant portal's notifications or the staff console's. Counted again on every navigation and at most
 * once a minute while the tab is visible; the count is shown only once counted for this user.
 */
function NotificationsLink({ s, path }: { s: Session; path: string }) {
  const n = useUnread();
  const [countedFor, setCountedFor] = useState<string>();
  useEffect(() => {
    let live = true;
    const count = () =>
      refreshUnread().then(
        () => live && setCountedFor(s.sub),
        () => live && setCountedFor(undefined),
      );
    void count();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void count();
    }, 60_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [s.sub, s.token, path]);
  const href = hasRole(s, 'applicant') ? '/apply/notifications' : '/staff/notifications';
  const text =
    countedFor === s.sub && n !== undefined ? t('nav.notifications', { n }) : t('nav.notificationsUnknown');
  return (
    <a
      href={`#${href}`}
      id="header-notifications"
      class={countedFor === s.sub && n ? 'has-unread' : undefined}
      aria-current={path === href ? 'page' : undefined}
    >
      {text}
    </a>
  );
}

function App() {
  const lang = useLang();
  const s = useSession();
  const path = usePath();
  const found = match(PAGES, path === '/' ? '/public' : path);
  const allowed = !found?.page.roles || hasRole(s, ...found.page.roles);
  const Body = found?.page.component;
  const nav = PAGES.filter((p) => p.nav && (!p.roles || hasRole(s, ...p.roles)));
  // The current menu entry is the longest one the path starts with (`/staff/calls/x` → Calls, not Inbox).
  const shown = path === '/' ? '/public' : path;
  const active = nav
    .filter((p) => shown === p.path || shown.startsWith(`${p.path}/`))
    .sort((a, b) => b.path.length - a.path.length)[0];
  return (
    <>
      <button type="button" class="skip" onClick={skipToContent}>
        {lang === 'en' ? 'Skip to content' : '跳到正文'}
      </button>
      <header>
        <strong class="brand">{t('app.title')}</strong>
        <nav aria-label="main">
          {nav.map((p) => (
            <a key={p.path} href={`#${p.path}`} aria-current={p === active ? 'page' : undefined}>
              {t(p.titleKey)}
            </a>
          ))}
        </nav>
        <div class="tools">
          <button type="button" class="link" onClick={() => setLang(lang === 'en' ? 'zh-CN' : 'en')}>
            {t('nav.lang')}
          </button>
          {s ? (
            <>
              <NotificationsLink s={s} path={path} />
              <span class="who">
                {s.sub} · {s.roles.map((r) => t(`role.${r}`)).join(', ')}
              </span>
              <button type="button" class="link" onClick={signOut}>
                {t('nav.signOut')}
              </button>
            </>
          ) : (
            <a href="#/sign-in">{t('nav.signIn')}</a>
          )}
        </div>
      </header>
      {!found || !Body ? (
        <main id="main">
          <h1>{t('common.notFound')}</h1>
        </main>
      ) : !allowed ? (
        <main id="main">
          <h1>{t(found.page.titleKey)}</h1>
          <p>
            {s ? (
              t('common.forbidden')
            ) : (
              <a href={`#/sign-in?next=${encodeURIComponent(path)}`}>{t('nav.signIn')}</a>
            )}
          </p>
        </main>
      ) : (
        <Body params={found.params} />
      )}
    </>
  );
}

await loadConfig();
const returning = new URLSearchParams(location.search).has('code');
await completeHostedSignIn();
// Back to the page that asked for the hosted sign-in, when the new session may open it.
const pendingNext = sessionStorage.getItem(NEXT_KEY);
if (returning) sessionStorage.removeItem(NEXT_KEY);
if (returning && pendingNext && session.value) {
  history.replaceState(null, '', `${location.pathname}#${landingOf(session.value, pendingNext)}`);
}
setLang((localStorage.getItem('zs-console-lang') as 'en' | 'zh-CN' | null) ?? 'zh-CN');
const root = document.getElementById('app');
if (root) render(<App />, root);
