import { get, type PageOf } from '../api.ts';
import { addMessages, formatCny, formatInstant, t } from '../i18n.ts';
import { Loading, Pager, ProblemBox, Section, useCursor, useLoad } from '../ui.tsx';
import { Badge, qs } from './common.tsx';

/**
 * The public registry of recognised platforms (Art. 14: active and valid today) and a platform's public
 * profile with its catalogue and cases (Art. 6(6)). Case media are named, never linked (Art. 11).
 */
addMessages(
  {
    'public.registry': '平台名录',
    'public.registry.intro': '经认定、当前有效的中山市人工智能赋能平台。',
    'public.noPlatforms': '暂无已认定的平台。',
    'public.platform.uscc': '统一社会信用代码',
    'public.platform.recognisedAt': '认定时间',
    'public.platform.validUntil': '有效期至',
    'public.platform.capabilities': '服务能力',
    'public.platform.consortium': '联合体成员',
    'public.platform.services': '服务目录',
    'public.platform.cases': '应用案例',
    'public.platform.more': '更多服务与案例见服务展示。',
    'public.service.provider': '提供方',
    'public.service.price': '参考价格',
    'public.service.priceRange': '{min} – {max} / {unit}',
    'public.service.available': '可提供',
    'public.service.unavailable': '暂停提供',
    'public.case.sector': '行业',
    'public.case.customer': '服务对象',
    'public.case.media': '佐证材料：{files}',
    'public.noServices': '暂无服务。',
    'public.noCases': '暂无案例。',
    'public.platform.voucher': '申领算力券',
    'public.platform.voucherHint':
      '本平台提供算力服务：企业可通过本平台申领中山市算力券，用于采购算力（第六条第三项；须以申报企业身份登录）。',
  },
  {
    'public.registry': 'Registry',
    'public.registry.intro': 'Recognised Zhongshan AI enablement platforms, valid today.',
    'public.noPlatforms': 'No platform has been recognised yet.',
    'public.platform.uscc': 'Unified social credit code',
    'public.platform.recognisedAt': 'Recognised',
    'public.platform.validUntil': 'Valid until',
    'public.platform.capabilities': 'Capabilities',
    'public.platform.consortium': 'Consortium members',
    'public.platform.services': 'Service catalogue',
    'public.platform.cases': 'Cases',
    'public.platform.more': 'More services and cases in the showcase.',
    'public.service.provider': 'Provider',
    'public.service.price': 'Indicative price',
    'public.service.priceRange': '{min} – {max} per {unit}',
    'public.service.available': 'Available',
    'public.service.unavailable': 'Not available now',
    'public.case.sector': 'Sector',
    'public.case.customer': 'Customer',
    'public.case.media': 'Evidence: {files}',
    'public.noServices': 'No services yet.',
    'public.noCases': 'No cases yet.',
    'public.platform.voucher': 'Claim a compute voucher',
    'public.platform.voucherHint':
      'This platform offers compute services: an enterprise can claim a Zhongshan compute voucher through it to buy compute (Art. 6(3); sign in as an applicant company).',
  },
);

export interface PublicPlatform {
  id: string;
  hostName: string;
  uscc: string;
  summary: string;
  capabilities: string[];
  consortium: { name: string; kind: string }[];
  status: string;
  recognisedAt: string;
  validUntil: string;
}

export interface PublicService {
  platformId: string;
  platformName: string;
  serviceId: string;
  category: string;
  name: string;
  provider: string;
  unit: string;
  priceRangeCny: { min: number; max: number };
  available: boolean;
}

export interface PublicCase {
  platformId: string;
  platformName: string;
  caseId: string;
  title: string;
  sector: string;
  customerType: string;
  outcome: string;
  media: { evidenceId: string; kind: string; fileName: string }[];
}

interface Profile extends PublicPlatform {
  services: PublicService[];
  servicesNextCursor?: string;
  cases: PublicCase[];
  casesNextCursor?: string;
}

export function Registry() {
  const pager = useCursor();
  const list = useLoad(
    () => get<PageOf<PublicPlatform>>(`/v1/public/platforms${qs({ limit: 20, cursor: pager.cursor })}`),
    [pager.cursor],
  );
  return (
    <main id="main" class="public">
      <h1>{t('public.registry')}</h1>
      <p>{t('public.registry.intro')}</p>
      <ProblemBox problem={list.problem} />
      <Loading when={list.loading}>
        {list.data?.items.length ? (
          <ul class="cards plain">
            {list.data.items.map((p) => (
              <li key={p.id} class="card">
                <h2 class="card-title">
                  <a href={`#/public/platforms/${encodeURIComponent(p.id)}`}>{p.hostName}</a>
                </h2>
                <p>
                  <Badge value={p.status} />
                </p>
                <dl class="pub-facts">
                  <dt>{t('public.platform.uscc')}</dt>
                  <dd>
                    <code>{p.uscc}</code>
                  </dd>
                  <dt>{t('public.platform.validUntil')}</dt>
                  <dd>{p.validUntil}</dd>
                </dl>
                <p class="prose clamp">{p.summary}</p>
              </li>
            ))}
          </ul>
        ) : (
          <p>{t('public.noPlatforms')}</p>
        )}
        <Pager label={t('public.pages')} pager={pager} nextCursor={list.data?.nextCursor} />
      </Loading>
    </main>
  );
}

export function ServiceCard({ s, showPlatform }: { s: PublicService; showPlatform?: boolean }) {
  return (
    <li class="card">
      <h3>{s.name}</h3>
      <p>
        <span class="status">{t(`public.cat.${s.category}`)}</span>{' '}
        <span class={s.available ? 'ok' : 'muted'}>
          {s.available ? t('public.service.available') : t('public.service.unavailable')}
        </span>
      </p>
      <dl class="pub-facts">
        <dt>{t('public.service.provider')}</dt>
        <dd>{s.provider}</dd>
        <dt>{t('public.service.price')}</dt>
        <dd>
          {t('public.service.priceRange', {
            min: formatCny(s.priceRangeCny.min),
            max: formatCny(s.priceRangeCny.max),
            unit: s.unit,
          })}
        </dd>
      </dl>
      {showPlatform ? (
        <p>
          <a href={`#/public/platforms/${encodeURIComponent(s.platformId)}`}>{s.platformName}</a>
        </p>
      ) : null}
    </li>
  );
}

export function CaseCard({ c, showPlatform }: { c: PublicCase; showPlatform?: boolean }) {
  return (
    <li class="card">
      <h3>{c.title}</h3>
      <dl class="pub-facts">
        <dt>{t('public.case.sector')}</dt>
        <dd>{c.sector}</dd>
        <dt>{t('public.case.customer')}</dt>
        <dd>{t(`public.cust.${c.customerType}`)}</dd>
      </dl>
      <p class="prose">{c.outcome}</p>
      {c.media.length ? (
        <p class="muted">{t('public.case.media', { files: c.media.map((m) => m.fileName).join('、') })}</p>
      ) : null}
      {showPlatform ? (
        <p>
          <a href={`#/public/platforms/${encodeURIComponent(c.platformId)}`}>{c.platformName}</a>
        </p>
      ) : null}
    </li>
  );
}

/** At most this many pages of the platform's catalogue are read to find a compute service. */
const COMPUTE_LOOKUP_PAGES = 5;

/**
 * Whether the platform lists a compute service (Art. 6(3): compute vouchers are claimed through such a
 * platform): its profile's first services, then, when there are more, the showcase filtered to its
 * compute services (a page may be empty and still carry a cursor; bounded).
 */
async function offersCompute(p: Profile): Promise<boolean> {
  if (p.services.some((s) => s.category === 'compute')) return true;
  if (!p.servicesNextCursor) return false;
  let cursor: string | undefined;
  for (let i = 0; i < COMPUTE_LOOKUP_PAGES; i += 1) {
    const page = await get<PageOf<PublicService>>(
      `/v1/public/services${qs({ platformId: p.id, category: 'compute', limit: 100, cursor })}`,
    );
    if (page.items.length) return true;
    cursor = page.nextCursor;
    if (!cursor) return false;
  }
  return false;
}

export function PlatformProfile({ params }: { params: Record<string, string> }) {
  const id = params.id ?? '';
  const profile = useLoad(() => get<Profile>(`/v1/public/platforms/${encodeURIComponent(id)}`), [id]);
  const p = profile.data;
  const compute = useLoad(
    () => (p && p.status === 'active' ? offersCompute(p).catch(() => false) : Promise.resolve(false)),
    [p],
  );
  return (
    <main id="main" class="public">
      <p>
        <a href="#/public/platforms">{t('common.back')}</a>
      </p>
      <ProblemBox problem={profile.problem} />
      <Loading when={profile.loading}>
        {p ? (
          <>
            <h1>{p.hostName}</h1>
            <p>
              <Badge value={p.status} />
            </p>
            <dl class="pub-facts">
              <dt>{t('public.platform.uscc')}</dt>
              <dd>
                <code>{p.uscc}</code>
              </dd>
              <dt>{t('public.platform.recognisedAt')}</dt>
              <dd>{formatInstant(p.recognisedAt)}</dd>
              <dt>{t('public.platform.validUntil')}</dt>
              <dd>{p.validUntil}</dd>
            </dl>
            <p class="prose">{p.summary}</p>
            {compute.data ? (
              <p class="voucher-cta">
                <a href={`#/apply/vouchers/${encodeURIComponent(p.id)}`} class="button">
                  {t('public.platform.voucher')}
                </a>{' '}
                <small id="voucher-hint">{t('public.platform.voucherHint')}</small>
              </p>
            ) : null}
            {p.capabilities.length ? (
              <Section title={t('public.platform.capabilities')}>
                <ul class="tags">
                  {p.capabilities.map((c) => (
                    <li key={c}>{c}</li>
                  ))}
                </ul>
              </Section>
            ) : null}
            {p.consortium.length ? (
              <Section title={t('public.platform.consortium')}>
                <ul>
                  {p.consortium.map((m) => (
                    <li key={m.name}>{m.name}</li>
                  ))}
                </ul>
              </Section>
            ) : null}
            <Section title={t('public.platform.services')}>
              {p.services.length ? (
                <ul class="cards plain">
                  {p.services.map((s) => (
                    <ServiceCard key={s.serviceId} s={s} />
                  ))}
                </ul>
              ) : (
                <p>{t('public.noServices')}</p>
              )}
            </Section>
            <Section title={t('public.platform.cases')}>
              {p.cases.length ? (
                <ul class="cards plain">
                  {p.cases.map((c) => (
                    <CaseCard key={c.caseId} c={c} />
                  ))}
                </ul>
              ) : (
                <p>{t('public.noCases')}</p>
              )}
            </Section>
            {p.servicesNextCursor || p.casesNextCursor ? (
              <p>
                <a href={`#/public/showcase?platformId=${encodeURIComponent(p.id)}`}>
                  {t('public.platform.more')}
                </a>
              </p>
            ) : null}
          </>
        ) : null}
      </Loading>
    </main>
  );
}
