import { useState } from 'preact/hooks';
import { SERVICE_CATEGORIES } from '../../../functions/core/catalogue-model.ts';
import { get, type PageOf } from '../api.ts';
import { addMessages, t } from '../i18n.ts';
import { Loading, Pager, ProblemBox, SelectField, useCursor, useLoad } from '../ui.tsx';
import { qs } from './common.tsx';
import { CaseCard, type PublicCase, type PublicService, ServiceCard } from './registry.tsx';

/**
 * The showcase (Art. 6(6)): services and cases of every active platform, with the filters the API
 * offers (category / sector and a substring search). Filters apply on submit, so typing does not send a
 * request per key; a page may hold fewer items than asked and still have a next page (the API reads at
 * most 100 items per page, DynamoDB has no full-text search).
 */
addMessages(
  {
    'public.showcase': '服务展示',
    'public.showcase.intro': '各平台公开的算力、模型、数据与工业软件服务，以及赋能应用案例。',
    'public.showcase.kind': '展示内容',
    'public.showcase.services': '服务',
    'public.showcase.cases': '案例',
    'public.showcase.filters': '筛选',
    'public.showcase.category': '服务类别',
    'public.showcase.allCategories': '全部类别',
    'public.showcase.sector': '行业',
    'public.showcase.sectorHint': '完整的行业名称，例如“智能制造”',
    'public.showcase.q': '关键词',
    'public.showcase.search': '搜索',
    'public.showcase.clear': '清除筛选',
    'public.showcase.platformOnly': '仅显示一个平台的内容',
    'public.showcase.none': '没有符合条件的内容。',
  },
  {
    'public.showcase': 'Showcase',
    'public.showcase.intro':
      'Compute, models, data and industrial software offered by the platforms, and their enablement cases.',
    'public.showcase.kind': 'Show',
    'public.showcase.services': 'Services',
    'public.showcase.cases': 'Cases',
    'public.showcase.filters': 'Filters',
    'public.showcase.category': 'Category',
    'public.showcase.allCategories': 'All categories',
    'public.showcase.sector': 'Sector',
    'public.showcase.sectorHint': 'The full sector name, e.g. 智能制造 (smart manufacturing)',
    'public.showcase.q': 'Keywords',
    'public.showcase.search': 'Search',
    'public.showcase.clear': 'Clear filters',
    'public.showcase.platformOnly': 'Showing one platform only',
    'public.showcase.none': 'Nothing matches.',
  },
);

interface Filters {
  kind: 'services' | 'cases';
  category: string;
  sector: string;
  q: string;
}

const EMPTY: Filters = { kind: 'services', category: '', sector: '', q: '' };

/** `#/public/showcase?platformId=…` (from a profile's "more" link). */
const platformIdFromHash = (): string | undefined =>
  new URLSearchParams(location.hash.split('?')[1] ?? '').get('platformId') ?? undefined;

export function Showcase() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const [platformId, setPlatformId] = useState(platformIdFromHash());
  const pager = useCursor();
  const key = JSON.stringify([applied, platformId, pager.cursor]);
  const list = useLoad<PageOf<PublicService | PublicCase>>(() => {
    const common = { limit: 24, q: applied.q.trim(), platformId, cursor: pager.cursor };
    return applied.kind === 'services'
      ? get<PageOf<PublicService>>(`/v1/public/services${qs({ ...common, category: applied.category })}`)
      : get<PageOf<PublicCase>>(`/v1/public/cases${qs({ ...common, sector: applied.sector.trim() })}`);
  }, [key]);
  const apply = (next: Filters) => {
    setDraft(next);
    setApplied(next);
    pager.reset();
  };
  const items = list.data?.items ?? [];
  return (
    <main id="main" class="public">
      <h1>{t('public.showcase')}</h1>
      <p>{t('public.showcase.intro')}</p>
      <fieldset class="segmented">
        <legend class="sr-only">{t('public.showcase.kind')}</legend>
        {(['services', 'cases'] as const).map((k) => (
          <button
            key={k}
            type="button"
            class={applied.kind === k ? '' : 'secondary'}
            aria-pressed={applied.kind === k}
            onClick={() => apply({ ...EMPTY, kind: k })}
          >
            {t(`public.showcase.${k}`)}
          </button>
        ))}
      </fieldset>
      <form
        class="filters"
        aria-label={t('public.showcase.filters')}
        onSubmit={(e) => {
          e.preventDefault();
          apply(draft);
        }}
      >
        {draft.kind === 'services' ? (
          <SelectField<string>
            id="showcase-category"
            label={t('public.showcase.category')}
            value={draft.category}
            onChange={(category) => apply({ ...draft, category })}
            empty={t('public.showcase.allCategories')}
            options={SERVICE_CATEGORIES}
            optionLabel={(c) => t(`public.cat.${c}`)}
          />
        ) : (
          <div class="field">
            <label for="showcase-sector">{t('public.showcase.sector')}</label>
            <input
              id="showcase-sector"
              value={draft.sector}
              aria-describedby="showcase-sector-hint"
              onInput={(e) => setDraft({ ...draft, sector: (e.target as HTMLInputElement).value })}
            />
            <small id="showcase-sector-hint">{t('public.showcase.sectorHint')}</small>
          </div>
        )}
        <div class="field">
          <label for="showcase-q">{t('public.showcase.q')}</label>
          <input
            id="showcase-q"
            type="search"
            value={draft.q}
            onInput={(e) => setDraft({ ...draft, q: (e.target as HTMLInputElement).value })}
          />
        </div>
        <div class="filter-actions">
          <button type="submit">{t('public.showcase.search')}</button>
          <button type="button" class="secondary" onClick={() => apply({ ...EMPTY, kind: draft.kind })}>
            {t('public.showcase.clear')}
          </button>
        </div>
      </form>
      {platformId ? (
        <p>
          {t('public.showcase.platformOnly')}{' '}
          <button
            type="button"
            class="link"
            onClick={() => {
              setPlatformId(undefined);
              pager.reset();
            }}
          >
            {t('public.showcase.clear')}
          </button>
        </p>
      ) : null}
      <ProblemBox problem={list.problem} />
      <Loading when={list.loading}>
        <section aria-label={t(`public.showcase.${applied.kind}`)} aria-live="polite">
          {items.length === 0 ? (
            <p>{t('public.showcase.none')}</p>
          ) : (
            <ul class="cards plain">
              {items.map((it) =>
                'serviceId' in it ? (
                  <ServiceCard key={it.serviceId} s={it} showPlatform />
                ) : (
                  <CaseCard key={it.caseId} c={it} showPlatform />
                ),
              )}
            </ul>
          )}
        </section>
        <Pager label={t('public.pages')} pager={pager} nextCursor={list.data?.nextCursor} />
      </Loading>
    </main>
  );
}
