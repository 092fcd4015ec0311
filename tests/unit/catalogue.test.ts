import { describe, expect, it } from 'vitest';
import {
  NAME_MAX,
  OUTCOME_MAX,
  PublicCasesQuery,
  PublicServicesQuery,
  PutCaseBody,
  PutServiceBody,
  SEARCH_MAX,
  SECTOR_MAX,
  UNIT_MAX,
  VisibilityBody,
} from '../../functions/api/schemas/services.ts';
import {
  caseSearchText,
  isShowcased,
  normaliseText,
  serviceInputProblems,
  serviceSearchText,
  toPublicCase,
  toPublicService,
} from '../../functions/core/catalogue.ts';
import type { CatalogueService } from '../../functions/core/catalogue-model.ts';
import { withCheckChar } from '../../functions/core/uscc.ts';

/** Art. 6(1), (2), (6): the catalogue's pure rules and request schemas, at and around every boundary. */
const USCC = withCheckChar('91442000MA4UPP001');
const wrongCheck = `${USCC.slice(0, 17)}${USCC.endsWith('0') ? '1' : '0'}`;
const service = (over: Record<string, unknown> = {}) => ({
  category: 'compute',
  name: 'GPU',
  provider: '供应商',
  unit: 'card-hour',
  priceRangeCny: { min: 1, max: 2 },
  available: true,
  ...over,
});

describe('serviceInputProblems (price range and supplier USCC)', () => {
  it.each([
    [{ min: 0, max: 0 }, []],
    [{ min: 5, max: 5 }, []],
    [{ min: 4, max: 5 }, []],
    [{ min: 6, max: 5 }, ['body.priceRangeCny.max']],
    [{ min: -1, max: 5 }, ['body.priceRangeCny.min']],
    [{ min: 0, max: -1 }, ['body.priceRangeCny.max']],
    [{ min: 0.5, max: 5 }, ['body.priceRangeCny.min']],
    [{ min: 0, max: Number.MAX_SAFE_INTEGER }, []],
    [{ min: 0, max: Number.MAX_SAFE_INTEGER + 2 }, ['body.priceRangeCny.max']],
  ])('price range %j → %j', (priceRangeCny, paths) => {
    // Act
    const problems = serviceInputProblems({ priceRangeCny });
    // Assess
    expect(problems.map((p) => p.path)).toEqual(paths);
  });

  it.each([
    [USCC, []],
    [USCC.toLowerCase(), []],
    [wrongCheck, ['body.providerUscc']],
    [USCC.slice(0, 17), ['body.providerUscc']],
    [`${USCC}0`, ['body.providerUscc']],
    ['91442000MA4UPP00I', ['body.providerUscc']],
    // A supplier may be registered outside Zhongshan (Beijing, 1101xx).
    [withCheckChar('91110108MA0000001'), []],
  ])('provider USCC %s → %j', (providerUscc, paths) => {
    // Act
    const problems = serviceInputProblems({ priceRangeCny: { min: 0, max: 1 }, providerUscc });
    // Assess
    expect(problems.map((p) => p.path)).toEqual(paths);
  });
});

describe('PutServiceBody', () => {
  it.each([
    ['name', NAME_MAX],
    ['provider', NAME_MAX],
    ['unit', UNIT_MAX],
  ])('%s: 1 and %i characters pass, 0 and one more fail', (field, max) => {
    // Act
    const ok = [1, max].map((n) => PutServiceBody.safeParse(service({ [field]: 'x'.repeat(n) })).success);
    const bad = ['', '   ', 'x'.repeat(max + 1)].map(
      (v) => PutServiceBody.safeParse(service({ [field]: v })).success,
    );
    // Assess
    expect(ok).toEqual([true, true]);
    expect(bad).toEqual([false, false, false]);
  });

  it('refuses min > max with the path of max, and accepts min = max', () => {
    // Act
    const bad = PutServiceBody.safeParse(service({ priceRangeCny: { min: 3, max: 2 } }));
    const equal = PutServiceBody.safeParse(service({ priceRangeCny: { min: 2, max: 2 } }));
    // Assess
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['priceRangeCny.max']);
    expect(equal.success).toBe(true);
  });

  it('refuses unknown categories, unknown fields and a USCC of the wrong length', () => {
    expect(PutServiceBody.safeParse(service({ category: 'consulting' })).success).toBe(false);
    expect(PutServiceBody.safeParse(service({ hidden: { reason: 'x' } })).success).toBe(false);
    expect(PutServiceBody.safeParse(service({ providerUscc: USCC.slice(0, 17) })).success).toBe(false);
    expect(PutServiceBody.safeParse(service({ providerUscc: USCC })).success).toBe(true);
  });
});

describe('PutCaseBody and VisibilityBody', () => {
  const aCase = (over: Record<string, unknown> = {}) => ({
    title: '质检',
    sector: '制造',
    customerType: 'enterprise',
    outcome: '良率提升',
    ...over,
  });
  it.each([
    ['title', NAME_MAX],
    ['sector', SECTOR_MAX],
    ['outcome', OUTCOME_MAX],
  ])('%s: 1 and %i characters pass, 0 and one more fail', (field, max) => {
    const ok = [1, max].map((n) => PutCaseBody.safeParse(aCase({ [field]: 'x'.repeat(n) })).success);
    const bad = ['', 'x'.repeat(max + 1)].map((v) => PutCaseBody.safeParse(aCase({ [field]: v })).success);
    expect(ok).toEqual([true, true]);
    expect(bad).toEqual([false, false]);
  });

  it('takes a closed list of customer types and at most 50 evidence ids', () => {
    expect(PutCaseBody.safeParse(aCase({ customerType: 'sme' })).success).toBe(false);
    expect(PutCaseBody.safeParse(aCase({ evidenceIds: Array(50).fill('e1') })).success).toBe(true);
    expect(PutCaseBody.safeParse(aCase({ evidenceIds: Array(51).fill('e1') })).success).toBe(false);
  });

  it('needs a reason to hide, not to show', () => {
    expect(VisibilityBody.safeParse({ hidden: true }).success).toBe(false);
    expect(VisibilityBody.safeParse({ hidden: true, reason: '  ' }).success).toBe(false);
    expect(VisibilityBody.safeParse({ hidden: true, reason: '不实' }).success).toBe(true);
    expect(VisibilityBody.safeParse({ hidden: false }).success).toBe(true);
  });
});

describe('public queries', () => {
  it.each([
    [{}, true],
    [{ q: 'gpu', category: 'compute', limit: '100' }, true],
    [{ q: 'x'.repeat(SEARCH_MAX) }, true],
    [{ q: 'x'.repeat(SEARCH_MAX + 1) }, false],
    [{ q: '' }, false],
    [{ q: 'a\u0000b' }, false],
    [{ q: 'a\u200bb' }, false],
    [{ q: 'a\ud800b' }, false],
    [{ q: '😀' }, true],
    [{ limit: '0' }, false],
    [{ limit: '101' }, false],
    [{ category: 'x' }, false],
    [{ sector: 'x' }, false],
    [{ platformId: '../x' }, false],
  ])('services query %j → %s', (query, ok) => {
    expect(PublicServicesQuery.safeParse(query).success).toBe(ok);
  });

  it('cases take a sector of at most the sector length', () => {
    expect(PublicCasesQuery.safeParse({ sector: 'x'.repeat(SECTOR_MAX) }).success).toBe(true);
    expect(PublicCasesQuery.safeParse({ sector: 'x'.repeat(SECTOR_MAX + 1) }).success).toBe(false);
    expect(PublicCasesQuery.safeParse({ category: 'compute' }).success).toBe(false);
  });
});

describe('search text, showcase status and public views', () => {
  it('normalises case, width and whitespace', () => {
    expect(normaliseText('  A100\tGPU  ')).toBe('a100 gpu');
    expect(normaliseText('ＧＰＵ 算力')).toBe('gpu 算力');
    expect(
      serviceSearchText({ name: 'A100 GPU', provider: '中山', unit: 'Card-Hour', category: 'compute' }),
    ).toBe('a100 gpu 中山 card-hour compute');
    expect(
      caseSearchText({ title: '质检', sector: '智能 制造', customerType: 'enterprise', outcome: 'OK' }),
    ).toBe('质检 智能 制造 enterprise ok');
  });

  // Art. 14: validity follows the policy end in force (old end 2026-06-10, extended to 2026-09-30 or
  // shortened to 2026-05-31), not the date stored when the platform was recognised.
  it.each([
    ['active', '2026-06-10', '2026-06-09', true],
    ['active', '2026-06-10', '2026-06-10', true],
    ['active', '2026-06-10', '2026-06-11', false],
    ['active', '2026-09-30', '2026-06-11', true],
    ['active', '2026-09-30', '2026-09-30', true],
    ['active', '2026-09-30', '2026-10-01', false],
    ['active', '2026-05-31', '2026-05-31', true],
    ['active', '2026-05-31', '2026-06-01', false],
    ['revoked', '2026-09-30', '2026-06-09', false],
    ['expired', '2026-09-30', '2026-06-09', false],
  ])('a %s platform under a policy ending %s, on %s → %s', (status, policyEnd, today, want) => {
    expect(isShowcased({ status: status as 'active' }, policyEnd, today)).toBe(want);
  });

  it('shows no hiding data, version or hashes publicly', () => {
    const s: CatalogueService = {
      platformId: 'p1',
      serviceId: 's1',
      category: 'compute',
      name: 'GPU',
      provider: 'P',
      providerUscc: USCC,
      unit: 'h',
      priceRangeCny: { min: 1, max: 2 },
      available: true,
      hidden: { reason: 'r', by: 'officer-1', at: '2026-01-01T00:00:00.000Z' },
      version: 3,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-02T00:00:00.000Z',
    };
    const view = toPublicService(s, '平台');
    expect(Object.keys(view)).not.toEqual(expect.arrayContaining(['hidden']));
    expect(view).not.toHaveProperty('version');
    expect(view.platformName).toBe('平台');
    const c = toPublicCase(
      {
        platformId: 'p1',
        caseId: 'c1',
        title: 't',
        sector: 's',
        customerType: 'enterprise',
        outcome: 'o',
        media: [{ evidenceId: 'e1', kind: 'case_media', fileName: 'a.pdf', sha256: 'abc', sizeBytes: 1 }],
        version: 1,
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:00:00.000Z',
      },
      '平台',
    );
    expect(c.media).toEqual([{ evidenceId: 'e1', kind: 'case_media', fileName: 'a.pdf' }]);
  });
});
