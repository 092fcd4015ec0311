import { get, type PageOf } from '../api.ts';
import { addMessages, formatInstant, t } from '../i18n.ts';
import { Loading, ProblemBox, Section, useLoad } from '../ui.tsx';
import { Badge, qs } from './common.tsx';

/** Home page of the public portal: the open (and soon opening) calls, each with its own page. */
addMessages(
  {
    'public.home': '公众门户',
    'public.intro': '中山市人工智能赋能平台的认定征集、公示、平台名录与服务展示。',
    'public.calls': '正在征集',
    'public.upcoming': '即将开放',
    'public.noCalls': '目前没有正在征集的认定申报。',
    'public.opensAt': '开始',
    'public.closesAt': '截止',
    'public.call.detail': '征集详情',
    'public.call.evidence': '申报须提交的材料',
    'public.call.optional': '可选',
    'public.call.requiredMark': '必交',
    'public.call.criteria': '评审指标',
    'public.call.weight': '权重 {w}',
    'public.call.notice': '公示期：{n} 个{unit}',
    'public.unit.working_days': '工作日',
    'public.unit.calendar_days': '自然日',
    'public.call.apply': '登录后申报',
    'public.more': '查看详情',
    'public.quick': '快速入口',
  },
  {
    'public.home': 'Public portal',
    'public.intro':
      'Calls for recognition, public notices, the registry and the showcase of the Zhongshan AI Enablement Platforms.',
    'public.calls': 'Open calls',
    'public.upcoming': 'Opening soon',
    'public.noCalls': 'No call is open for applications at the moment.',
    'public.opensAt': 'Opens',
    'public.closesAt': 'Closes',
    'public.call.detail': 'Call',
    'public.call.evidence': 'Evidence to submit',
    'public.call.optional': 'optional',
    'public.call.requiredMark': 'required',
    'public.call.criteria': 'Scoring criteria',
    'public.call.weight': 'weight {w}',
    'public.call.notice': 'Public notice: {n} {unit}',
    'public.unit.working_days': 'working days',
    'public.unit.calendar_days': 'calendar days',
    'public.call.apply': 'Sign in to apply',
    'public.more': 'Details',
    'public.quick': 'Quick links',
  },
);

export interface PublicCall {
  id: string;
  title: string;
  description: string;
  opensAt: string;
  closesAt: string;
  status: string;
  requiredEvidence: { kind: string; title: string; required: boolean }[];
  scoringCriteria: { key: string; title: string; weight: number; max: number }[];
  noticePeriod: { length: number; unit: string };
}

function CallCards({ items }: { items: PublicCall[] }) {
  return (
    <ul class="cards plain">
      {items.map((c) => (
        <li key={c.id} class="card">
          <h3>
            <a href={`#/public/calls/${encodeURIComponent(c.id)}`}>{c.title}</a>
          </h3>
          <p>
            <Badge value={c.status} prefix="public.call" />
          </p>
          <dl class="pub-facts">
            <dt>{t('public.opensAt')}</dt>
            <dd>{formatInstant(c.opensAt)}</dd>
            <dt>{t('public.closesAt')}</dt>
            <dd>{formatInstant(c.closesAt)}</dd>
          </dl>
        </li>
      ))}
    </ul>
  );
}

export function Home() {
  const open = useLoad(() => get<PageOf<PublicCall>>(`/v1/calls${qs({ status: 'open', limit: 20 })}`));
  const soon = useLoad(() => get<PageOf<PublicCall>>(`/v1/calls${qs({ status: 'scheduled', limit: 20 })}`));
  return (
    <main id="main" class="public">
      <h1>{t('public.home')}</h1>
      <p>{t('public.intro')}</p>
      <nav aria-label={t('public.quick')} class="quick">
        <a href="#/public/notices">{t('nav.publicNotices')}</a>
        <a href="#/public/platforms">{t('nav.publicRegistry')}</a>
        <a href="#/public/showcase">{t('nav.publicShowcase')}</a>
      </nav>
      <Section title={t('public.calls')}>
        <ProblemBox problem={open.problem} />
        <Loading when={open.loading}>
          {open.data?.items.length ? <CallCards items={open.data.items} /> : <p>{t('public.noCalls')}</p>}
        </Loading>
      </Section>
      {soon.data?.items.length ? (
        <Section title={t('public.upcoming')}>
          <CallCards items={soon.data.items} />
        </Section>
      ) : null}
    </main>
  );
}

export function CallDetail({ params }: { params: Record<string, string> }) {
  const id = params.id ?? '';
  const call = useLoad(() => get<PublicCall>(`/v1/calls/${encodeURIComponent(id)}`), [id]);
  const c = call.data;
  return (
    <main id="main" class="public">
      <p>
        <a href="#/public">{t('common.back')}</a>
      </p>
      <ProblemBox problem={call.problem} />
      <Loading when={call.loading}>
        {c ? (
          <>
            <h1>{c.title}</h1>
            <p>
              <Badge value={c.status} prefix="public.call" />
            </p>
            <dl class="pub-facts">
              <dt>{t('public.opensAt')}</dt>
              <dd>{formatInstant(c.opensAt)}</dd>
              <dt>{t('public.closesAt')}</dt>
              <dd>{formatInstant(c.closesAt)}</dd>
            </dl>
            <p class="prose">{c.description}</p>
            <Section title={t('public.call.evidence')}>
              <ul>
                {c.requiredEvidence.map((e) => (
                  <li key={e.kind}>
                    {e.title} ({e.required ? t('public.call.requiredMark') : t('public.call.optional')})
                  </li>
                ))}
              </ul>
            </Section>
            <Section title={t('public.call.criteria')}>
              <ul>
                {c.scoringCriteria.map((s) => (
                  <li key={s.key}>
                    {s.title} — {t('public.call.weight', { w: s.weight })}
                  </li>
                ))}
              </ul>
              <p>
                {t('public.call.notice', {
                  n: c.noticePeriod.length,
                  unit: t(`public.unit.${c.noticePeriod.unit}`),
                })}
              </p>
            </Section>
            {c.status === 'open' ? (
              <p>
                <a class="button" href="#/sign-in">
                  {t('public.call.apply')}
                </a>
              </p>
            ) : null}
          </>
        ) : null}
      </Loading>
    </main>
  );
}
