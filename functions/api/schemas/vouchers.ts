import * as z from 'zod';
import {
  MAX_CONTRACT_NO_LENGTH,
  MAX_SETTLEMENT_EVIDENCE,
  VOUCHER_DEFAULTS,
} from '../../core/voucher-rules.ts';
import { CLAIM_STATUSES, LEDGER_BUCKETS, MOVEMENT_KINDS, REDEMPTION_STATUSES } from '../../core/vouchers.ts';
import { IdParam, Instant } from './common.ts';
import { ManifestEntrySchema } from './operations.ts';

/** The compute voucher ledger (Art. 6(3)): programmes, allocations, claims, vouchers, redemptions, report. */
export const IdParams = z.object({ id: IdParam });
export const PlatformIdParams = z.object({ platformId: IdParam });
export const VoucherCodeParams = z.object({
  code: IdParam.describe('a voucher code: ZSV- and 12 Crockford base32 characters'),
});

/** Whole CNY, positive, within what a city budget line can hold (never fractional: money is integer). */
const Cny = z.number().int().min(1).max(100_000_000_000);
const Uscc = z
  .string()
  .trim()
  .regex(
    /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/i,
    'an 18-character unified social credit code',
  );

export const FaceValueRuleSchema = z
  .object({ minCny: Cny, maxCny: Cny })
  .strict()
  .describe(
    `smallest and largest face value (default ${VOUCHER_DEFAULTS.faceValue.minCny}–${VOUCHER_DEFAULTS.faceValue.maxCny})`,
  );

export const CreateProgrammeBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    budgetCny: Cny,
    validFrom: Instant,
    validUntil: Instant,
    maxSubsidyRatio: z
      .number()
      .gt(0)
      .max(1)
      .optional()
      .describe(
        `share of the contract amount a voucher may subsidise (default ${VOUCHER_DEFAULTS.maxSubsidyRatio})`,
      ),
    perEnterpriseAnnualCapCny: Cny.optional().describe(
      `face value one enterprise may hold per calendar year (default ${VOUCHER_DEFAULTS.perEnterpriseAnnualCapCny})`,
    ),
    faceValue: FaceValueRuleSchema.optional(),
    voucherValidityDays: z
      .number()
      .int()
      .min(1)
      .max(3660)
      .optional()
      .describe(
        `days from issue to expiry, never beyond validUntil (default ${VOUCHER_DEFAULTS.voucherValidityDays})`,
      ),
  })
  .strict()
  .meta({ id: 'CreateVoucherProgramme' });

export const ProgrammeSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    budgetCny: z.number().int(),
    validFrom: Instant,
    validUntil: Instant,
    maxSubsidyRatio: z.number(),
    perEnterpriseAnnualCapCny: z.number().int(),
    faceValue: z.object({ minCny: z.number().int(), maxCny: z.number().int() }),
    voucherValidityDays: z.number().int(),
    unallocatedCny: z.number().int(),
    createdBy: z.string(),
    createdAt: Instant,
    version: z.number().int(),
  })
  .meta({ id: 'VoucherProgramme' });

export const PublicProgrammeSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    validFrom: Instant,
    validUntil: Instant,
    maxSubsidyRatio: z.number().describe('the share of a compute contract a voucher may subsidise'),
    perEnterpriseAnnualCapCny: z
      .number()
      .int()
      .describe('face value one enterprise may hold per calendar year (Asia/Shanghai)'),
    faceValue: z.object({ minCny: z.number().int(), maxCny: z.number().int() }),
    voucherValidityDays: z.number().int().describe('days from issue to expiry, never beyond validUntil'),
  })
  .meta({ id: 'PublicVoucherProgramme' });

export const AllocationBody = z
  .object({ platformId: IdParam, quotaCny: Cny })
  .strict()
  .meta({ id: 'VoucherAllocation' });

export const BucketsSchema = z.object({
  allocatedCny: z.number().int(),
  availableCny: z.number().int(),
  issuedCny: z.number().int(),
  redeemedCny: z.number().int(),
  settledCny: z.number().int(),
  expiredCny: z.number().int(),
});
export const PlatformLedgerSchema = BucketsSchema.extend({
  programmeId: z.string(),
  platformId: z.string(),
}).meta({ id: 'VoucherPlatformLedger' });

export const CreateClaimBody = z
  .object({
    programmeId: IdParam,
    requestedCny: Cny,
    purpose: z.string().trim().min(1).max(2000).describe('what the compute is for'),
  })
  .strict()
  .meta({ id: 'CreateVoucherClaim' });

export const IssuedVoucherSchema = z.object({
  code: z.string(),
  faceValueCny: z.number().int(),
  expiresAt: Instant,
});

export const ClaimSchema = z
  .object({
    id: z.string(),
    programmeId: z.string(),
    platformId: z.string(),
    orgId: z.string(),
    orgName: z.string(),
    orgUscc: z.string(),
    requestedCny: z.number().int(),
    purpose: z.string(),
    status: z.enum(CLAIM_STATUSES),
    createdBy: z.string(),
    createdAt: Instant,
    decidedAt: Instant.optional(),
    decidedBy: z.string().optional(),
    reason: z.string().optional(),
    voucher: IssuedVoucherSchema.optional(),
    version: z.number().int(),
  })
  .meta({ id: 'VoucherClaim' });

export const ClaimDecisionBody = z
  .object({
    decision: z.enum(['issue', 'reject']),
    faceValueCny: Cny.optional().describe('default: the amount requested, capped at the largest face value'),
    reason: z.string().trim().min(1).max(2000).optional().describe('required to reject'),
  })
  .strict()
  .meta({ id: 'VoucherClaimDecision' });

export const RedemptionBody = z
  .object({
    supplierUscc: Uscc,
    serviceId: z
      .string()
      .regex(/^[a-z0-9-]{1,64}$/, 'a catalogue service id')
      .describe('a compute service of the issuing platform’s catalogue, supplied by supplierUscc'),
    contractNo: z.string().trim().min(1).max(MAX_CONTRACT_NO_LENGTH),
    contractAmountCny: Cny,
    subsidyCny: Cny,
    evidenceIds: z
      .array(IdParam)
      .min(1)
      .max(MAX_SETTLEMENT_EVIDENCE)
      .describe('verified platform evidence: the contract, the invoice and the payment'),
  })
  .strict()
  .meta({ id: 'CreateVoucherRedemption' });

export const RedemptionSchema = z
  .object({
    id: z.string(),
    code: z.string(),
    programmeId: z.string(),
    platformId: z.string(),
    orgId: z.string(),
    buyerUscc: z.string(),
    supplierUscc: z.string(),
    serviceId: z.string(),
    contractNo: z.string(),
    contractKey: z.string(),
    contractAmountCny: z.number().int(),
    subsidyCny: z.number().int(),
    faceValueCny: z.number().int(),
    returnedCny: z.number().int(),
    evidenceManifest: z.array(ManifestEntrySchema),
    status: z.enum(REDEMPTION_STATUSES),
    filedBy: z.string(),
    filedAt: Instant,
    decidedAt: Instant.optional(),
    decidedBy: z.string().optional(),
    opinion: z.string().optional(),
    version: z.number().int(),
  })
  .meta({ id: 'VoucherRedemption' });

export const SettlementBody = z
  .object({
    decision: z.enum(['approve', 'reject']),
    opinion: z.string().trim().min(1).max(5000),
  })
  .strict()
  .meta({ id: 'VoucherSettlement' });

export const MonthFiguresSchema = z.object({
  month: z.string().describe('YYYY-MM, Asia/Shanghai'),
  allocatedCny: z.number().int(),
  issuedCny: z.number().int(),
  issuedCount: z.number().int(),
  redeemedCny: z.number().int(),
  redeemedCount: z.number().int(),
  returnedCny: z.number().int(),
  settledCny: z.number().int(),
  settledCount: z.number().int(),
  settlementRejectedCny: z.number().int(),
  settlementRejectedCount: z.number().int(),
  expiredCny: z.number().int(),
  expiredCount: z.number().int(),
});

export const ReportSchema = z
  .object({
    programmeId: z.string(),
    name: z.string(),
    generatedAt: Instant,
    totals: z.object({
      budgetCny: z.number().int(),
      unallocatedCny: z.number().int(),
      availableCny: z.number().int(),
      issuedCny: z.number().int(),
      redeemedCny: z.number().int(),
      settledCny: z.number().int(),
      expiredCny: z.number().int(),
      sumCny: z.number().int(),
    }),
    balanced: z.boolean().describe('budget = unallocated + Σ buckets, and the buckets equal the movements'),
    platforms: z.array(
      z.object({
        platformId: z.string(),
        hostName: z.string().optional(),
        buckets: BucketsSchema,
        recomputed: BucketsSchema,
        balanced: z.boolean(),
        months: z.array(MonthFiguresSchema),
      }),
    ),
    enterprisesServed: z.array(
      z.object({
        platformId: z.string(),
        year: z.number().int(),
        count: z.number().int(),
        committed: z.number().int(),
        meetsCommitment: z.boolean(),
      }),
    ),
    withheld: z
      .object({
        scope: z.literal('vouchers'),
        platforms: z.array(
          z.object({
            platformId: z.string(),
            hostName: z.string().optional(),
            allocatedCny: z.number().int(),
          }),
        ),
      })
      .optional()
      .describe(
        'observers only (Art. 11): platforms without a valid `vouchers` consent — their buckets, months and enterprises served are left out (the quota the office allocated stays); the totals are the programme’s own budget accounting',
      ),
  })
  .meta({ id: 'VoucherReport' });

export const LedgerEntrySchema = z
  .object({
    id: z.string(),
    programmeId: z.string(),
    at: Instant,
    kind: z.enum(MOVEMENT_KINDS),
    amountCny: z.number().int(),
    from: z.enum([...LEDGER_BUCKETS, 'none']),
    to: z.enum(LEDGER_BUCKETS),
    platformId: z.string().optional(),
    code: z.string().optional(),
    redemptionId: z.string().optional(),
    actor: z.string(),
  })
  .meta({ id: 'VoucherLedgerEntry' });

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().optional() });

/** Art. 11: the platforms whose voucher business an observer's page leaves out (no valid `vouchers` consent). */
export const WithheldPlatformsSchema = z
  .object({ scope: z.literal('vouchers'), platformIds: z.array(z.string()) })
  .describe(
    'observers only (Art. 11): platforms whose items are left out for want of the data owner’s valid consent covering `vouchers`',
  );

/** A page of a programme-wide list that observers read under consent (Art. 11). */
export const sharedPage = <T extends z.ZodType>(item: T) =>
  page(item).extend({ withheld: WithheldPlatformsSchema.optional() });
