import type { RouteDef } from '../route-types.ts';
import { PageQuery } from '../schemas/common.ts';
import {
  AllocationBody,
  ClaimDecisionBody,
  ClaimSchema,
  CreateClaimBody,
  CreateProgrammeBody,
  IdParams,
  LedgerEntrySchema,
  PlatformIdParams,
  PlatformLedgerSchema,
  ProgrammeSchema,
  PublicProgrammeSchema,
  page,
  RedemptionBody,
  RedemptionSchema,
  ReportSchema,
  SettlementBody,
  sharedPage,
  VoucherCodeParams,
} from '../schemas/vouchers.ts';

const STAFF = ['officer', 'approver', 'admin'] as const;
const SUPERVISORS = ['officer', 'approver', 'observer'] as const;
const tags = ['vouchers'];

/**
 * The compute voucher ledger (算力券, Art. 6(3)). "Host member" = a member of the platform's host
 * organisation (checked in the use case; others get 404). Every movement of money is a ledger entry in
 * the same transaction as the change: budget = unallocated + Σ platforms (available + issued + redeemed +
 * settled + expired) at every instant.
 */
export const voucherRoutes: readonly RouteDef[] = [
  {
    id: 'createVoucherProgramme',
    method: 'POST',
    path: '/v1/voucher-programmes',
    group: 'vouchers',
    auth: ['officer'],
    summary:
      'Create a voucher programme: budget (all unallocated), validity window, and the rules (subsidy ratio cap 0.3, per-enterprise annual cap CNY 500,000, face value 1,000–200,000, 180 days’ validity unless given). 400 when inconsistent.',
    tags,
    idempotent: true,
    request: { body: CreateProgrammeBody },
    responses: { 201: { description: 'Created', schema: ProgrammeSchema } },
  },
  {
    id: 'listVoucherProgrammes',
    method: 'GET',
    path: '/v1/voucher-programmes',
    group: 'vouchers',
    auth: [...STAFF, 'observer'],
    summary: 'Voucher programmes, newest first (staff, observers).',
    tags,
    request: { query: PageQuery },
    responses: { 200: { description: 'A page of programmes', schema: page(ProgrammeSchema) } },
  },
  {
    id: 'listPublicVoucherProgrammes',
    method: 'GET',
    path: '/v1/public/voucher-programmes',
    group: 'vouchers',
    auth: 'public',
    summary:
      'Voucher programmes open for claims now (validFrom ≤ now ≤ validUntil, as a claim is checked), the soonest to close first, with their published rules only (window, face-value range, subsidy ratio, per-enterprise annual cap, validity): no budget, quotas or ledger figures. One query of the programmes not yet ended; a page may hold fewer than `limit` (programmes not yet open are left out) and still carry `nextCursor`.',
    tags,
    request: { query: PageQuery.strict() },
    responses: {
      200: { description: 'A page of open programmes', schema: page(PublicProgrammeSchema) },
    },
  },
  {
    id: 'getVoucherProgramme',
    method: 'GET',
    path: '/v1/voucher-programmes/{id}',
    group: 'vouchers',
    auth: [...STAFF, 'observer'],
    summary: 'One voucher programme with its unallocated budget.',
    tags,
    request: { params: IdParams },
    responses: { 200: { description: 'The programme', schema: ProgrammeSchema } },
  },
  {
    id: 'createVoucherAllocation',
    method: 'POST',
    path: '/v1/voucher-programmes/{id}/allocations',
    group: 'vouchers',
    auth: ['officer'],
    summary:
      'Allocate quota to an active platform (a repeat tops it up): unallocated → available, atomically; 409 BUDGET_EXCEEDED beyond the unallocated budget, PLATFORM_NOT_ACTIVE, PROGRAMME_CLOSED; 422 PLATFORM_UNKNOWN.',
    tags,
    idempotent: true,
    request: { params: IdParams, body: AllocationBody },
    responses: { 201: { description: 'The platform’s buckets after it', schema: PlatformLedgerSchema } },
  },
  {
    id: 'createVoucherClaim',
    method: 'POST',
    path: '/v1/platforms/{platformId}/voucher-claims',
    group: 'vouchers',
    auth: ['applicant'],
    summary:
      'An enterprise claims a voucher through a platform: the caller’s organisation must have passed its USCC check (verification `not_required` with a valid code, or `verified`; else 409 ENTERPRISE_NOT_VERIFIED / ORGANISATION_REQUIRED); the programme open (409 PROGRAMME_CLOSED) and allocated to the platform (409 NOT_ALLOCATED); requested ≥ the smallest face value (422 FACE_VALUE_OUT_OF_RANGE). → pending.',
    tags,
    idempotent: true,
    request: { params: PlatformIdParams, body: CreateClaimBody },
    responses: { 201: { description: 'Filed (pending)', schema: ClaimSchema } },
  },
  {
    id: 'listMyVoucherClaims',
    method: 'GET',
    path: '/v1/voucher-claims',
    group: 'vouchers',
    auth: ['applicant'],
    summary: 'The caller’s organisation’s voucher claims (with their vouchers), newest first.',
    tags,
    request: { query: PageQuery },
    responses: { 200: { description: 'A page of claims', schema: page(ClaimSchema) } },
  },
  {
    id: 'listPlatformVoucherClaims',
    method: 'GET',
    path: '/v1/platforms/{platformId}/voucher-claims',
    group: 'vouchers',
    auth: ['applicant', ...STAFF],
    summary: 'A platform’s voucher claims, newest first (host members, staff).',
    tags,
    request: { params: PlatformIdParams, query: PageQuery },
    responses: { 200: { description: 'A page of claims', schema: page(ClaimSchema) } },
  },
  {
    id: 'decideVoucherClaim',
    method: 'POST',
    path: '/v1/voucher-claims/{id}/decision',
    group: 'vouchers',
    auth: ['applicant'],
    summary:
      'A host member of the claim’s platform issues (a voucher with a unique code ZSV-…, face value within the programme’s rules and ≤ requested, expiry = issue + validity days, never past the programme) or rejects (with a reason). Quota, the enterprise’s annual cap (calendar year, Asia/Shanghai) and the claim’s state are checked in the same transaction: 409 QUOTA_EXHAUSTED, ANNUAL_CAP_EXCEEDED, CLAIM_DECIDED, PROGRAMME_CLOSED; 422 FACE_VALUE_OUT_OF_RANGE.',
    tags,
    request: { params: IdParams, body: ClaimDecisionBody },
    responses: { 200: { description: 'Decided (with the voucher when issued)', schema: ClaimSchema } },
  },
  {
    id: 'redeemVoucher',
    method: 'POST',
    path: '/v1/vouchers/{code}/redemptions',
    group: 'vouchers',
    auth: ['applicant'],
    summary:
      'A host member of the issuing platform files the compute purchase the voucher pays for, with verified contract, invoice and payment evidence. Refused: 409 VOUCHER_EXPIRED, VOUCHER_ALREADY_REDEEMED, RELATED_PARTY (supplier = buyer, or both in the platform’s consortium), CONTRACT_ALREADY_SUBSIDISED (same supplier and normalised contract number, even concurrently); 422 SUBSIDY_CAP_EXCEEDED (> face value or > floor(contract × ratio)), SUPPLIER_NOT_IN_CATALOGUE (a visible compute service of this platform supplied by supplierUscc), EVIDENCE_NOT_VERIFIED. The unused face value returns to the platform’s quota. → pending_settlement.',
    tags,
    idempotent: true,
    request: { params: VoucherCodeParams, body: RedemptionBody },
    responses: { 201: { description: 'Filed (pending settlement)', schema: RedemptionSchema } },
  },
  {
    id: 'listVoucherRedemptions',
    method: 'GET',
    path: '/v1/voucher-programmes/{id}/redemptions',
    group: 'vouchers',
    auth: [...STAFF, 'observer'],
    summary:
      'A programme’s redemptions, newest first: what awaits settlement. Observers see a platform’s redemptions only while the data owner’s sharing consent covering `vouchers` is valid; the others are left out and named in `withheld` (a page may then hold fewer than `limit`); audited (Art. 11).',
    tags,
    request: { params: IdParams, query: PageQuery },
    responses: { 200: { description: 'A page of redemptions', schema: sharedPage(RedemptionSchema) } },
  },
  {
    id: 'listPlatformVoucherRedemptions',
    method: 'GET',
    path: '/v1/platforms/{platformId}/redemptions',
    group: 'vouchers',
    auth: ['applicant', ...STAFF],
    summary:
      'A platform’s redemptions of every programme, newest first, with their settlement state (pending_settlement, settled, settlement_rejected with the office’s opinion): host members and staff; a member of another platform’s host gets 404. Observers read redemptions per programme, under consent.',
    tags,
    request: { params: PlatformIdParams, query: PageQuery },
    responses: { 200: { description: 'A page of redemptions', schema: page(RedemptionSchema) } },
  },
  {
    id: 'settleRedemption',
    method: 'POST',
    path: '/v1/redemptions/{id}/settlement',
    group: 'vouchers',
    auth: ['officer'],
    summary:
      'Approve (the subsidy moves redeemed → settled: payout approved) or reject (it returns to the platform’s available quota; the voucher ends settlement_rejected; the contract may be filed again with another voucher; the enterprise’s annual cap is released). 409 REDEMPTION_SETTLED.',
    tags,
    request: { params: IdParams, body: SettlementBody },
    responses: { 200: { description: 'Decided', schema: RedemptionSchema } },
  },
  {
    id: 'getVoucherReport',
    method: 'GET',
    path: '/v1/voucher-programmes/{id}/report',
    group: 'vouchers',
    auth: SUPERVISORS,
    summary:
      'Supervision report: issued / redeemed / settled / expired amounts and counts per platform and month (Asia/Shanghai), the buckets per platform and in total with `balanced` (recomputed from the movements), and the distinct enterprises served per platform and year against the Art. 9(4) commitment (≥ 30). Observers see a platform’s figures only while the data owner’s sharing consent covering `vouchers` is valid (the others are named in `withheld`, with the quota allocated); the totals are the programme’s own budget accounting; audited (Art. 11).',
    tags,
    request: { params: IdParams },
    responses: { 200: { description: 'The report', schema: ReportSchema } },
  },
  {
    id: 'listVoucherLedger',
    method: 'GET',
    path: '/v1/voucher-programmes/{id}/ledger',
    group: 'vouchers',
    auth: SUPERVISORS,
    summary:
      'Every movement of the programme, oldest first: kind, amount, from → to bucket, platform, voucher, actor. Observers see the office’s own movements (budget, allocations) and a platform’s other movements only while the data owner’s sharing consent covering `vouchers` is valid (the others are named in `withheld`); audited (Art. 11).',
    tags,
    request: { params: IdParams, query: PageQuery },
    responses: { 200: { description: 'A page of ledger entries', schema: sharedPage(LedgerEntrySchema) } },
  },
];
