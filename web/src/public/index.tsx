import { get } from '../api.ts';
import { addMessages, formatInstant, t } from '../i18n.ts';
import type { Page } from '../router.ts';
import { Loading, ProblemBox, Section, useLoad } from '../ui.tsx';

/** Public portal (no sign-in): open calls, public notices with the objection form, the registry and showcase. */
addMessages(
  { 'public.home': '公众门户', 'public.calls': '正在征集', 'public.closesAt': '截止' },
  { 'public.home': 'Public portal', 'public.calls': 'Open calls', 'public.closesAt': 'Closes' },
);

interface Call {
  id: string;
  title: string;
  closesAt: string;
  status: string;
}

function Home() {
  const calls = useLoad(() => get<{ items: Call[] }>('/v1/calls?status=open&limit=20'));
  return (
    <main id="main">
      <h1>{t('public.home')}</h1>
      <Section title={t('public.calls')}>
        <ProblemBox problem={calls.problem} />
        <Loading when={calls.loading}>
          <ul>
            {(calls.data?.items ?? []).map((c) => (
              <li key={c.id}>
                {c.title} — {t('public.closesAt')} {formatInstant(c.closesAt)}
              </li>
            ))}
          </ul>
        </Loading>
      </Section>
    </main>
  );
}

export const publicPages: readonly Page[] = [
  { path: '/public', titleKey: 'nav.public', nav: true, component: Home },
];
