import { describe, expect, it } from 'vitest';
import {
  checkEligibility,
  type EligibilityOrganisation,
  MIN_ENTERPRISES_SERVED_PER_YEAR,
  MIN_PARTNER_INSTITUTIONS,
  MIN_REGISTERED_CAPITAL_CNY,
  RULES,
} from '../../functions/core/eligibility.ts';
import type { VerificationStatus } from '../../functions/core/organisations.ts';
import { checkUscc, withCheckChar } from '../../functions/core/uscc.ts';

/** Art. 9's machine-checkable rules, at, below and above every boundary. */
const zhongshanCode = withCheckChar('91442000MA4UQ9YX2');

function org(
  opts: { uscc?: string; capital?: number; verification?: VerificationStatus } = {},
): EligibilityOrganisation {
  const uscc = opts.uscc ?? zhongshanCode;
  return {
    uscc,
    usccCheck: checkUscc(uscc),
    registeredCapitalCny: opts.capital ?? 60_000_000,
    verification: { status: opts.verification ?? 'not_required' },
  };
}

const partners = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `Partner ${i}` }));
const facts = (over: Partial<{ capital: number; partners: number; served: number }> = {}) => ({
  registeredCapitalCny: over.capital ?? 60_000_000,
  partners: partners(over.partners ?? 12),
  committedEnterprisesPerYear: over.served ?? 40,
});
const rules = (findings: readonly { rule: string }[]) => findings.map((f) => f.rule);

describe('thresholds of Art. 9', () => {
  it('are the measures’ numbers', () => {
    expect([MIN_REGISTERED_CAPITAL_CNY, MIN_PARTNER_INSTITUTIONS, MIN_ENTERPRISES_SERVED_PER_YEAR]).toEqual([
      50_000_000, 10, 30,
    ]);
  });

  it('an application meeting every rule is eligible with no findings', () => {
    // Prepare / Act
    const result = checkEligibility(facts(), org());
    // Assess
    expect(result).toEqual({ eligible: true, failures: [], manualVerification: false, warnings: [] });
  });
});

describe('Art. 9(1) registered capital ≥ CNY 50,000,000', () => {
  it.each([
    [49_999_999, false],
    [50_000_000, true],
    [50_000_001, true],
  ])('capital %i → passes: %s', (capital, passes) => {
    // Prepare: the organisation's record matches the declared figure
    const result = checkEligibility(facts({ capital }), org({ capital }));
    // Assess
    expect(rules(result.failures).includes(RULES.registeredCapital)).toBe(!passes);
    expect(result.eligible).toBe(passes);
    expect(result.manualVerification).toBe(false);
  });

  it('names the declared figure and the threshold in both languages', () => {
    const result = checkEligibility(facts({ capital: 49_999_999 }), org({ capital: 49_999_999 }));
    const message = result.failures[0]?.message ?? '';
    expect(message).toContain('49,999,999');
    expect(message).toContain('50,000,000');
    expect(message).toMatch(/注册资本/);
  });

  it('a declared figure that differs from the organisation’s record routes to manual verification (not a failure)', () => {
    const result = checkEligibility(facts({ capital: 80_000_000 }), org({ capital: 60_000_000 }));
    expect(result.eligible).toBe(true);
    expect(result.manualVerification).toBe(true);
    expect(rules(result.warnings)).toEqual([RULES.capitalMismatch]);
  });
});

describe('Art. 9(3) ≥ 10 partner institutions', () => {
  it.each([
    [9, false],
    [10, true],
    [11, true],
    [0, false],
  ])('%i partners → passes: %s', (n, passes) => {
    const result = checkEligibility(facts({ partners: n }), org());
    expect(rules(result.failures).includes(RULES.partnerInstitutions)).toBe(!passes);
    expect(result.eligible).toBe(passes);
  });
});

describe('Art. 9(4) ≥ 30 enterprises served a year', () => {
  it.each([
    [29, false],
    [30, true],
    [31, true],
  ])('%i enterprises → passes: %s', (served, passes) => {
    const result = checkEligibility(facts({ served }), org());
    expect(rules(result.failures).includes(RULES.enterprisesServed)).toBe(!passes);
    expect(result.eligible).toBe(passes);
  });
});

describe('Art. 9(1) a company registered in Zhongshan (division 4420xx)', () => {
  it.each([
    ['442000', true],
    ['442001', true],
    ['441900', false], // Dongguan
    ['440100', false], // Guangzhou
  ])('division %s → passes: %s', (division, passes) => {
    // Prepare: a well-formed code registered in that division
    const uscc = withCheckChar(`91${division}MA4UQ9YX2`);
    const result = checkEligibility(facts(), org({ uscc }));
    expect(rules(result.failures).includes(RULES.zhongshanRegistration)).toBe(!passes);
    expect(result.eligible).toBe(passes);
  });

  it('outside Zhongshan but confirmed by an officer’s manual verification (registered address) → passes', () => {
    const uscc = withCheckChar('91441900MA4UQ9YX2');
    const result = checkEligibility(facts(), org({ uscc, verification: 'verified' }));
    expect(result.eligible).toBe(true);
  });

  it('outside Zhongshan while verification is pending → fails, and says it is being verified', () => {
    const uscc = withCheckChar('91441900MA4UQ9YX2');
    const result = checkEligibility(facts(), org({ uscc, verification: 'pending' }));
    expect(rules(result.failures)).toEqual([RULES.zhongshanRegistration]);
    expect(result.failures[0]?.message).toContain('verifying');
    expect(result.manualVerification).toBe(true);
  });
});

describe('USCC check character and manual verification', () => {
  const badCheck = (() => {
    const good = withCheckChar('91442000MA4UQ9YX2');
    const last = good.at(-1) === '0' ? '1' : '0';
    return good.slice(0, 17) + last;
  })();

  it.each([
    [
      'check digit fails, verification pending',
      badCheck,
      'pending' as const,
      true,
      [RULES.checkDigit, RULES.verificationPending],
    ],
    ['check digit fails, verified by an officer', badCheck, 'verified' as const, true, [RULES.checkDigit]],
    ['check digit ok, not required', zhongshanCode, 'not_required' as const, false, []],
  ])('%s → manualVerification %s, not a failure', (_label, uscc, verification, manual, warningRules) => {
    const result = checkEligibility(facts(), org({ uscc, verification }));
    expect(result.eligible).toBe(true);
    expect(result.manualVerification).toBe(manual);
    expect(rules(result.warnings).sort()).toEqual([...warningRules].sort());
  });

  it('a rejected verification is a failure', () => {
    const result = checkEligibility(facts(), org({ uscc: badCheck, verification: 'rejected' }));
    expect(result.eligible).toBe(false);
    expect(rules(result.failures)).toContain(RULES.verificationRejected);
  });

  it('every failing rule is reported, each with its own id', () => {
    const result = checkEligibility(
      facts({ capital: 1, partners: 0, served: 0 }),
      org({ uscc: withCheckChar('91441900MA4UQ9YX2'), capital: 1 }),
    );
    expect(rules(result.failures).sort()).toEqual(
      [
        RULES.registeredCapital,
        RULES.zhongshanRegistration,
        RULES.partnerInstitutions,
        RULES.enterprisesServed,
      ].sort(),
    );
  });
});
