import { describe, expect, it } from 'vitest';
import {
  faceValueProblem,
  isProgrammeOpen,
  isVoucherExpired,
  maxSubsidyFor,
  meetsCommitment,
  normaliseContractNo,
  programmeProblems,
  programmeRules,
  relatedParty,
  shanghaiMonth,
  shanghaiYear,
  subsidyProblem,
  VOUCHER_CODE_PATTERN,
  VOUCHER_DEFAULTS,
  voucherCode,
  voucherExpiry,
  withinAnnualCap,
} from '../../functions/core/voucher-rules.ts';
import { bucketsFromMonths, monthFigures } from '../../functions/core/vouchers.ts';

/** The pure rules of the compute voucher ledger (Art. 6(3)) at, below and above every boundary. */
const rule = { minCny: 1_000, maxCny: 200_000 };

describe('face value', () => {
  it.each([
    [999, 200_000, 'at least'],
    [1_000, 200_000, undefined],
    [1_001, 200_000, undefined],
    [199_999, 300_000, undefined],
    [200_000, 300_000, undefined],
    [200_001, 300_000, 'at most'],
    [50_000, 49_999, 'not exceed'],
    [50_000, 50_000, undefined],
    [1_000.5, 200_000, 'whole'],
  ] as const)('face %d with %d requested → %s', (face, requested, problem) => {
    const got = faceValueProblem(face, requested, rule);
    if (problem === undefined) expect(got).toBeUndefined();
    else expect(got).toContain(problem);
  });
});

describe('subsidy ratio cap (floor of contract × ratio, exact)', () => {
  it.each([
    [100, 0.29, 29],
    [1_000, 0.3, 300],
    [1_003, 0.3, 300],
    [1_004, 0.3, 301],
    [99_999, 0.3, 29_999],
    [100_000_000_000, 0.3, 30_000_000_000],
    [7, 1, 7],
  ] as const)('contract %d × %d → %d', (amount, ratio, cap) => {
    expect(maxSubsidyFor(amount, ratio)).toBe(cap);
  });

  it.each([
    // subsidy, face, contract, problem
    [300, 1_000, 1_000, undefined],
    [301, 1_000, 1_000, '30%'],
    [299, 1_000, 1_000, undefined],
    [1_000, 1_000, 10_000, undefined],
    [1_001, 1_000, 10_000, 'face value'],
    [300, 1_000, 1_003, undefined],
    [301, 1_000, 1_003, 'at most CNY 300'],
  ] as const)('subsidy %d of a %d voucher on a %d contract → %s', (subsidy, face, contract, problem) => {
    const got = subsidyProblem(subsidy, face, contract, 0.3);
    if (problem === undefined) expect(got).toBeUndefined();
    else expect(got).toContain(problem);
  });
});

describe('annual cap', () => {
  it.each([
    [0, 500_000, true],
    [0, 500_001, false],
    [499_999, 1, true],
    [499_999, 2, false],
    [500_000, 0, true],
  ] as const)('held %d + face %d within 500,000 → %s', (held, face, ok) => {
    expect(withinAnnualCap(held, face, 500_000)).toBe(ok);
  });

  it('counts calendar years and months in Asia/Shanghai', () => {
    expect(shanghaiYear(new Date('2026-12-31T15:59:59.999Z'))).toBe(2026);
    expect(shanghaiYear(new Date('2026-12-31T16:00:00.000Z'))).toBe(2027);
    expect(shanghaiMonth(new Date('2026-03-31T15:59:59.999Z'))).toBe('2026-03');
    expect(shanghaiMonth(new Date('2026-03-31T16:00:00.000Z'))).toBe('2026-04');
  });
});

describe('validity window and expiry', () => {
  const p = { validFrom: '2026-03-01T00:00:00.000Z', validUntil: '2026-12-31T15:59:59.999Z' };
  it.each([
    ['2026-02-28T23:59:59.999Z', false],
    ['2026-03-01T00:00:00.000Z', true],
    ['2026-06-01T00:00:00.000Z', true],
    ['2026-12-31T15:59:59.999Z', true],
    ['2026-12-31T16:00:00.000Z', false],
  ] as const)('open at %s → %s', (at, open) => {
    expect(isProgrammeOpen(p, new Date(at))).toBe(open);
  });

  it('expires validity days after issue, never after the programme', () => {
    expect(voucherExpiry(new Date('2026-03-01T00:00:00.000Z'), 180, p.validUntil)).toBe(
      '2026-08-28T00:00:00.000Z',
    );
    expect(voucherExpiry(new Date('2026-10-01T00:00:00.000Z'), 180, p.validUntil)).toBe(p.validUntil);
    expect(voucherExpiry(new Date('2026-07-04T15:59:59.999Z'), 180, p.validUntil)).toBe(p.validUntil);
  });

  it.each([
    ['2026-08-27T23:59:59.999Z', false],
    ['2026-08-28T00:00:00.000Z', true],
    ['2026-08-28T00:00:00.001Z', true],
  ] as const)('a voucher expiring 2026-08-28T00:00Z is expired at %s → %s', (at, expired) => {
    expect(isVoucherExpired('2026-08-28T00:00:00.000Z', new Date(at))).toBe(expired);
  });
});

describe('programme configuration', () => {
  it('fills the documented defaults', () => {
    expect(programmeRules({})).toEqual({
      maxSubsidyRatio: 0.3,
      perEnterpriseAnnualCapCny: VOUCHER_DEFAULTS.perEnterpriseAnnualCapCny,
      faceValue: { minCny: 1_000, maxCny: 200_000 },
      voucherValidityDays: 180,
    });
  });

  it('refuses inconsistent windows, face values, caps and budgets', () => {
    const base = { budgetCny: 1_000_000, validFrom: '2026-03-01T00:00:00Z', rules: programmeRules({}) };
    expect(programmeProblems({ ...base, validUntil: '2026-03-01T00:00:00Z' })[0]?.path).toBe(
      'body.validUntil',
    );
    expect(programmeProblems({ ...base, validUntil: '2026-03-01T00:00:00.001Z' })).toEqual([]);
    const p = (over: object) => programmeProblems({ ...base, validUntil: '2027-01-01T00:00:00Z', ...over });
    expect(p({ rules: programmeRules({ faceValue: { minCny: 5, maxCny: 4 } }) })[0]?.path).toBe(
      'body.faceValue',
    );
    expect(p({ rules: programmeRules({ perEnterpriseAnnualCapCny: 999 }) })[0]?.path).toBe(
      'body.perEnterpriseAnnualCapCny',
    );
    expect(p({ rules: programmeRules({ perEnterpriseAnnualCapCny: 1_000 }) })).toEqual([]);
    expect(p({ budgetCny: 999 })[0]?.path).toBe('body.budgetCny');
  });
});

describe('supervision', () => {
  it.each([
    ['91442000MA4UQ9YX2J', '91442000MA4UQ9YX2J', 'same_organisation'],
    ['91442000MA4UQ9YX2J', '91442000ma4uq9yx2j', 'same_organisation'],
    ['A', 'B', 'same_consortium'],
    ['A', 'C', undefined],
    ['C', 'D', undefined],
  ] as const)('buyer %s, supplier %s → %s', (buyer, supplier, want) => {
    expect(relatedParty(buyer, supplier, [['H', 'A', 'B']])).toBe(want);
  });

  it('normalises contract numbers so cosmetic variants are one contract', () => {
    expect(normaliseContractNo('ht-2026/001')).toBe('HT2026001');
    expect(normaliseContractNo('ＨＴ２０２６００１')).toBe('HT2026001');
    expect(normaliseContractNo(' HT 2026.001 ')).toBe('HT2026001');
    expect(normaliseContractNo('HT2026002')).not.toBe('HT2026001');
  });

  it('makes codes of ZSV- and 12 Crockford characters', () => {
    const code = voucherCode(new Uint8Array([0, 1, 31, 32, 255, 8, 9, 10, 17, 18, 19, 20]));
    expect(code).toBe('ZSV-01Z0Z89AHJKM');
    expect(code).toMatch(VOUCHER_CODE_PATTERN);
    expect(() => voucherCode(new Uint8Array(11))).toThrow();
  });

  it.each([
    [29, 30, false],
    [30, 30, true],
    [31, 30, true],
  ] as const)('%d enterprises served against %d committed → %s', (served, committed, ok) => {
    expect(meetsCommitment(served, committed)).toBe(ok);
  });
});

describe('report recomputation from month counters', () => {
  it('derives every bucket from the movements', () => {
    const m = monthFigures({
      platformId: 'p',
      month: '2026-03',
      figures: {
        allocationCny: 100_000,
        issueCny: 60_000,
        issueCount: 3,
        redemptionCny: 15_000,
        returnCny: 5_000,
        settlementCny: 10_000,
        settlement_rejectedCny: 2_000,
        expiryCny: 20_000,
      },
    });
    expect(bucketsFromMonths([m])).toEqual({
      allocatedCny: 100_000,
      availableCny: 100_000 - 60_000 + 5_000 + 2_000,
      issuedCny: 60_000 - 15_000 - 5_000 - 20_000,
      redeemedCny: 15_000 - 10_000 - 2_000,
      settledCny: 10_000,
      expiredCny: 20_000,
    });
  });
});
