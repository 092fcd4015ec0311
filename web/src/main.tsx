import { render } from 'preact';
import { useState } from 'preact/hooks';
import { applicantPages } from './applicant/index.tsx';
import { currentConfig, loadConfig } from './config.ts';
import { setLang, t, useLang } from './i18n.ts';
import { publicPages } from './public/index.tsx';
import { match, navigate, type Page, usePath } from './router.ts';
import {
  completeHostedSignIn,
  hasRole,
  hostedSignInProblem,
  ROLES,
  type Role,
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
        <button type="button" onClick={() => void startHostedSignIn()}>
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
            navigate(
              hasRole(s, 'applicant')
                ? '/apply'
                : hasRole(s, 'officer', 'expert', 'approver', 'admin', 'observer')
                  ? '/staff'
                  : '/',
            );
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
          <p>{s ? t('common.forbidden') : <a href="#/sign-in">{t('nav.signIn')}</a>}</p>
        </main>
      ) : (
        <Body params={found.params} />
      )}
    </>
  );
}

await loadConfig();
await completeHostedSignIn();
setLang((localStorage.getItem('zs-console-lang') as 'en' | 'zh-CN' | null) ?? 'zh-CN');
const root = document.getElementById('app');
if (root) render(<App />, root);
