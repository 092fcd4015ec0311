import { shanghaiDate } from './calendar.ts';

/**
 * The pure rules of the compute voucher ledger (算力券, Art. 6(3)) and their defaults. Every number the
 * voucher code uses is here, named and explained; a programme may override the per-programme ones.
 */
export const VOUCHER_DEFAULTS = {
  /** A voucher subsidises at most this share of the compute contract (floor to whole CNY). */
  maxSubsidyRatio: 0.3,
  /** What one enterprise may hold in face value per calendar year (Asia/Shanghai) in one programme. */
  perEnterpriseAnnualCapCny: 500_000,
  /** Smallest and largest face value of one voucher. */
  faceValue: { minCny: 1_000, maxCny: 200_000 },
  /** A voucher expires this many days after issue, never later than its programme's `validUntil`. */
  voucherValidityDays: 180,
} as const;

/** Art. 9(4): a recognised platform serves at least this many enterprises a year (unless it committed more). */
export const DEFAULT_COMMITTED_ENTERPRISES_PER_YEAR = 30;

/**
 * The subsidy ratio is kept in basis points so `contractAmount × ratio` is integer arithmetic (a float
 * product such as 0.29 × 100 = 28.999… would floor one yuan short).
 */
export const BASIS_POINTS = 10_000;

/** Voucher codes: `ZSV-` and 12 characters of Crockford base32 (60 random bits; collisions are retried). */
export const VOUCHER_CODE_PREFIX = 'ZSV-';
export const VOUCHER_CODE_LENGTH = 12;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const VOUCHER_CODE_PATTERN = /^ZSV-[0-9A-HJKMNP-TV-Z]{12}$/;

/** How often a use case retries after a transaction lost a race (CONCURRENT_UPDATE) or a code collision. */
export const MAX_LEDGER_ATTEMPTS = 12;

/** Contract numbers and purposes are bounded (they become part of a key / are shown to staff). */
export const MAX_CONTRACT_NO_LENGTH = 100;

/** A redemption references between 1 and this many verified evidence files (contract, invoice, payment…). */
export const MAX_SETTLEMENT_EVIDENCE = 20;

export interface FaceValueRule {
  readonly minCny: number;
  readonly maxCny: number;
}

/** The effective rules of one programme: its overrides or the defaults. */
export interface ProgrammeRules {
  readonly maxSubsidyRatio: number;
  readonly perEnterpriseAnnualCapCny: number;
  readonly faceValue: FaceValueRule;
  readonly voucherValidityDays: number;
}

export function programmeRules(input: Partial<ProgrammeRules>): ProgrammeRules {
  return {
    maxSubsidyRatio: input.maxSubsidyRatio ?? VOUCHER_DEFAULTS.maxSubsidyRatio,
    perEnterpriseAnnualCapCny: input.perEnterpriseAnnualCapCny ?? VOUCHER_DEFAULTS.perEnterpriseAnnualCapCny,
    faceValue: input.faceValue ?? { ...VOUCHER_DEFAULTS.faceValue },
    voucherValidityDays: input.voucherValidityDays ?? VOUCHER_DEFAULTS.voucherValidityDays,
  };
}

/** Problems with a programme's configuration (empty when consistent). */
export function programmeProblems(p: {
  readonly budgetCny: number;
  readonly validFrom: string;
  readonly validUntil: string;
  readonly rules: ProgrammeRules;
}): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  if (Date.parse(p.validUntil) <= Date.parse(p.validFrom))
    out.push({ path: 'body.validUntil', message: 'must be after validFrom' });
  if (p.rules.faceValue.minCny > p.rules.faceValue.maxCny)
    out.push({ path: 'body.faceValue', message: 'minCny must not exceed maxCny' });
  if (p.rules.faceValue.minCny > p.rules.perEnterpriseAnnualCapCny)
    out.push({
      path: 'body.perEnterpriseAnnualCapCny',
      message: 'must allow at least one voucher of the smallest face value',
    });
  if (p.rules.faceValue.minCny > p.budgetCny)
    out.push({
      path: 'body.budgetCny',
      message: 'must allow at least one voucher of the smallest face value',
    });
  return out;
}

/** A programme is open for claims and issues from `validFrom` to `validUntil`, both included. */
export const isProgrammeOpen = (p: { validFrom: string; validUntil: string }, now: Date): boolean =>
  Date.parse(p.validFrom) <= now.getTime() && now.getTime() <= Date.parse(p.validUntil);

/** Why a face value is not acceptable (undefined when it is): within the rule and ≤ what was requested. */
export function faceValueProblem(face: number, requested: number, rule: FaceValueRule): string | undefined {
  if (!Number.isInteger(face)) return 'the face value must be whole CNY';
  if (face < rule.minCny) return `the face value must be at least CNY ${rule.minCny}`;
  if (face > rule.maxCny) return `the face value must be at most CNY ${rule.maxCny}`;
  if (face > requested) return `the face value must not exceed the CNY ${requested} requested`;
  return undefined;
}

/** The largest subsidy of a contract: floor(contractAmount × ratio), in whole CNY, exactly. */
export const maxSubsidyFor = (contractAmountCny: number, ratio: number): number =>
  Math.floor((contractAmountCny * Math.round(ratio * BASIS_POINTS)) / BASIS_POINTS);

/** Why a subsidy is not acceptable (undefined when it is): ≤ face value and ≤ the contract's ratio cap. */
export function subsidyProblem(
  subsidyCny: number,
  faceValueCny: number,
  contractAmountCny: number,
  ratio: number,
): string | undefined {
  if (subsidyCny > faceValueCny)
    return `the subsidy CNY ${subsidyCny} exceeds the voucher's face value CNY ${faceValueCny}`;
  const cap = maxSubsidyFor(contractAmountCny, ratio);
  if (subsidyCny > cap)
    return `the subsidy CNY ${subsidyCny} exceeds ${ratio * 100}% of the contract amount (at most CNY ${cap})`;
  return undefined;
}

/** Whether a further face value fits in an enterprise's annual cap (what it already holds + face ≤ cap). */
export const withinAnnualCap = (heldCny: number, faceValueCny: number, capCny: number): boolean =>
  heldCny + faceValueCny <= capCny;

/** A voucher's expiry: `voucherValidityDays` after issue, capped at the programme's `validUntil`. */
export function voucherExpiry(issuedAt: Date, validityDays: number, programmeValidUntil: string): string {
  const byDays = issuedAt.getTime() + validityDays * 86_400_000;
  return new Date(Math.min(byDays, Date.parse(programmeValidUntil))).toISOString();
}

/** A voucher can be redeemed strictly before its expiry instant; at `expiresAt` it is expired. */
export const isVoucherExpired = (expiresAt: string, now: Date): boolean =>
  now.getTime() >= Date.parse(expiresAt);

/** Calendar year and month of an instant in Asia/Shanghai (ledger reports and annual caps use them). */
export const shanghaiYear = (at: Date): number => Number(shanghaiDate(at).slice(0, 4));
export const shanghaiMonth = (at: Date): string => shanghaiDate(at).slice(0, 7);

/** A voucher code from 12 random bytes: each byte's low 5 bits pick a Crockford character (256 = 8 × 32: unbiased). */
export function voucherCode(random: Uint8Array): string {
  if (random.length < VOUCHER_CODE_LENGTH) throw new Error(`need ${VOUCHER_CODE_LENGTH} random bytes`);
  let out = '';
  for (let i = 0; i < VOUCHER_CODE_LENGTH; i += 1) out += CROCKFORD[(random[i] ?? 0) & 31];
  return VOUCHER_CODE_PREFIX + out;
}

/**
 * The contract number as the double-subsidy guard keys it: Unicode NFKC (full-width → ASCII), upper
 * case, without whitespace or the usual separators — so "ht-2026/001" and "ＨＴ２０２６００１" are one contract.
 */
export const normaliseContractNo = (contractNo: string): string =>
  contractNo
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\-_/\\.·—–:#]+/g, '');

/**
 * Related parties (supervision): the buyer and the supplier are the same organisation, or both belong to
 * one group (a platform's host and its consortium members). USCCs are compared upper-cased.
 */
export function relatedParty(
  buyerUscc: string,
  supplierUscc: string,
  groups: readonly (readonly string[])[],
): 'same_organisation' | 'same_consortium' | undefined {
  const b = buyerUscc.toUpperCase();
  const s = supplierUscc.toUpperCase();
  if (b === s) return 'same_organisation';
  for (const g of groups) {
    const set = new Set(g.map((u) => u.toUpperCase()));
    if (set.has(b) && set.has(s)) return 'same_consortium';
  }
  return undefined;
}

/** Art. 9(4): whether a platform served enough distinct enterprises in a year. */
export const meetsCommitment = (served: number, committed: number): boolean => served >= committed;
