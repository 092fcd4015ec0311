import { type UsccCheck, ZHONGSHAN_DIVISION } from './uscc.ts';

/**
 * Art. 9: the machine-checkable eligibility rules of an application, each with a stable rule id and a
 * message (zh-CN / English) saying what fails and why. The rest of Art. 9 (credibility, capabilities,
 * services) are evidence items that the preliminary reviewer confirms.
 *
 * Which registered capital counts: the application's declared `registeredCapitalCny`. It is
 * cross-checked against the organisation's record; a difference does not fail the application (the
 * capital may have changed since registration) but routes it to manual verification, with a warning
 * that the preliminary reviewer sees, to be confirmed against the business licence.
 */
export const MIN_REGISTERED_CAPITAL_CNY = 50_000_000;
export const MIN_PARTNER_INSTITUTIONS = 10;
export const MIN_ENTERPRISES_SERVED_PER_YEAR = 30;

/** Stable rule ids (clients key on them). */
export const RULES = {
  registeredCapital: 'art9.1.registered_capital',
  zhongshanRegistration: 'art9.1.zhongshan_registration',
  verificationRejected: 'art9.1.verification_rejected',
  partnerInstitutions: 'art9.3.partner_institutions',
  enterprisesServed: 'art9.4.enterprises_served',
  // Warnings (not failures): reasons for manual verification.
  checkDigit: 'art9.1.uscc_check_digit',
  verificationPending: 'art9.1.verification_pending',
  capitalMismatch: 'art9.1.registered_capital_mismatch',
} as const;

export interface EligibilityFinding {
  readonly rule: string;
  readonly message: string;
}

export interface Eligibility {
  /** True when no rule fails (manual verification may still be needed). */
  readonly eligible: boolean;
  readonly failures: readonly EligibilityFinding[];
  /** Visible to the preliminary reviewer: something a person must confirm (not a failure). */
  readonly manualVerification: boolean;
  /** Why manual verification is needed. */
  readonly warnings: readonly EligibilityFinding[];
}

/** What the rules read from the application. */
export interface EligibilityFacts {
  readonly registeredCapitalCny: number;
  readonly partners: readonly unknown[];
  readonly committedEnterprisesPerYear: number;
}

/**
 * What the rules read from the applicant organisation. Spelled out rather than picked from
 * `Organisation`, so this module imports nothing but `uscc.ts` and the applicant portal can run the
 * same rules in the browser as the user types (the organisation module pulls in Node-only code).
 */
export interface EligibilityOrganisation {
  readonly uscc: string;
  readonly usccCheck: UsccCheck;
  readonly verification: {
    readonly status: 'not_required' | 'pending' | 'verified' | 'rejected';
    readonly opinion?: string;
  };
  readonly registeredCapitalCny: number;
}

const cny = (n: number): string => n.toLocaleString('en-US');

/** Art. 9(1): a Zhongshan company (USCC division 4420xx) — unless an officer confirmed the location. */
function zhongshanRule(org: EligibilityOrganisation): EligibilityFinding | undefined {
  const region = org.usccCheck.regionCode;
  const inZhongshan = /^[0-9]{6}$/.test(region) && region.startsWith(ZHONGSHAN_DIVISION.slice(0, 4));
  if (inZhongshan || org.verification.status === 'verified') return undefined;
  return {
    rule: RULES.zhongshanRegistration,
    message: `申报单位须为在中山市依法注册的企业：统一社会信用代码登记机关区划为 ${region}，不属于中山市（4420xx）/ The applicant must be a company registered in Zhongshan: the code's division is ${region}, not Zhongshan (4420xx)${org.verification.status === 'pending' ? '; an officer is verifying the registered address' : ''}.`,
  };
}

/**
 * Art. 9(1), 9(3), 9(4): evaluates the machine-checkable rules. Thresholds are inclusive:
 * capital ≥ CNY 50,000,000, ≥ 10 partner institutions, ≥ 30 enterprises served a year.
 * A failed USCC check character, a pending manual verification or a capital that differs from the
 * organisation's record → `manualVerification: true` (a warning, not a failure); a rejected
 * verification is a failure.
 */
export function checkEligibility(app: EligibilityFacts, org: EligibilityOrganisation): Eligibility {
  const failures: EligibilityFinding[] = [];
  const warnings: EligibilityFinding[] = [];

  if (app.registeredCapitalCny < MIN_REGISTERED_CAPITAL_CNY) {
    failures.push({
      rule: RULES.registeredCapital,
      message: `注册资本须不少于人民币 5000 万元，申报为 ${cny(app.registeredCapitalCny)} 元 / Registered capital must be at least CNY ${cny(MIN_REGISTERED_CAPITAL_CNY)}; declared CNY ${cny(app.registeredCapitalCny)}.`,
    });
  }
  if (app.registeredCapitalCny !== org.registeredCapitalCny) {
    warnings.push({
      rule: RULES.capitalMismatch,
      message: `申报注册资本 ${cny(app.registeredCapitalCny)} 元与单位登记的 ${cny(org.registeredCapitalCny)} 元不一致，需核对营业执照 / Declared capital CNY ${cny(app.registeredCapitalCny)} differs from the organisation's record (CNY ${cny(org.registeredCapitalCny)}); to be checked against the business licence.`,
    });
  }
  const zhongshan = zhongshanRule(org);
  if (zhongshan) failures.push(zhongshan);
  if (org.verification.status === 'rejected') {
    failures.push({
      rule: RULES.verificationRejected,
      message: `单位信息人工核验未通过 / The organisation's manual verification was rejected${org.verification.opinion ? `: ${org.verification.opinion}` : ''}.`,
    });
  }
  if (org.verification.status === 'pending') {
    warnings.push({
      rule: RULES.verificationPending,
      message: '单位信息正在人工核验中 / The organisation is waiting for an officer’s manual verification.',
    });
  }
  if (!org.usccCheck.checkDigitOk) {
    warnings.push({
      rule: RULES.checkDigit,
      message: `统一社会信用代码 ${org.uscc} 校验位不符，需人工核验（部分早期试点代码属此情况）/ The check character of ${org.uscc} fails; some genuine early codes do, so it is verified manually.`,
    });
  }
  const partnerCount = app.partners.length;
  if (partnerCount < MIN_PARTNER_INSTITUTIONS) {
    failures.push({
      rule: RULES.partnerInstitutions,
      message: `合作服务机构须不少于 10 家，现有 ${partnerCount} 家 / At least ${MIN_PARTNER_INSTITUTIONS} partner institutions are required; ${partnerCount} named.`,
    });
  }
  if (app.committedEnterprisesPerYear < MIN_ENTERPRISES_SERVED_PER_YEAR) {
    failures.push({
      rule: RULES.enterprisesServed,
      message: `每年服务企业数须不少于 30 家，承诺 ${app.committedEnterprisesPerYear} 家 / The platform must serve at least ${MIN_ENTERPRISES_SERVED_PER_YEAR} enterprises a year; ${app.committedEnterprisesPerYear} committed.`,
    });
  }
  return {
    eligible: failures.length === 0,
    failures,
    manualVerification: warnings.length > 0,
    warnings,
  };
}
