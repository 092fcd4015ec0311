import type { z } from 'zod';
import { registry } from '../adapters/registry.ts';
import { dynamoVoucherDeps } from '../adapters/voucher-store.ts';
import * as vouchers from '../core/vouchers.ts';
import { clock } from '../shared/clock.ts';
import { type ApiRequest, type AuthedRequest, routeGroupHandler } from '../shared/http-handler.ts';
import { voucherRoutes } from './routes/vouchers.ts';
import type * as s from './schemas/vouchers.ts';

/** The compute voucher ledger (Art. 6(3)): programmes, allocations, claims, redemptions, settlement, report. */
const deps = dynamoVoucherDeps(clock);

type Id = z.infer<typeof s.IdParams>;
type P = z.infer<typeof s.PlatformIdParams>;
type Code = z.infer<typeof s.VoucherCodeParams>;
type Page = { limit: number; cursor?: string };
type Req<Params = Record<string, never>, B = unknown, Q = Record<string, never>> = AuthedRequest<
  Params,
  Q,
  B
>;
const ok = (body: unknown) => ({ status: 200, body });

export const handler = routeGroupHandler(
  'vouchers',
  voucherRoutes,
  {
    createVoucherProgramme: (req: Req<Record<string, never>, z.infer<typeof s.CreateProgrammeBody>>) =>
      vouchers.createProgramme(deps, req.principal, req.body, req.idempotency),
    listVoucherProgrammes: async (req: Req<Record<string, never>, unknown, Page>) =>
      ok(await vouchers.listProgrammes(deps, req.query)),
    listPublicVoucherProgrammes: async (req: ApiRequest<Record<string, never>, Page>) =>
      ok(await vouchers.listOpenProgrammes(deps, req.query)),
    getVoucherProgramme: async (req: Req<Id>) => ok(await vouchers.getProgramme(deps, req.params.id)),
    createVoucherAllocation: (req: Req<Id, z.infer<typeof s.AllocationBody>>) =>
      vouchers.allocate(deps, req.principal, req.params.id, req.body, req.idempotency),
    createVoucherClaim: (req: Req<P, z.infer<typeof s.CreateClaimBody>>) =>
      vouchers.createClaim(deps, req.principal, req.params.platformId, req.body, req.idempotency),
    listMyVoucherClaims: async (req: Req<Record<string, never>, unknown, Page>) =>
      ok(await vouchers.listMyClaims(deps, req.principal, req.query)),
    listPlatformVoucherClaims: async (req: Req<P, unknown, Page>) =>
      ok(await vouchers.listPlatformClaims(deps, req.principal, req.params.platformId, req.query)),
    decideVoucherClaim: async (req: Req<Id, z.infer<typeof s.ClaimDecisionBody>>) =>
      ok(await vouchers.decideClaim(deps, req.principal, req.params.id, req.body)),
    redeemVoucher: (req: Req<Code, z.infer<typeof s.RedemptionBody>>) =>
      vouchers.redeem(deps, req.principal, req.params.code, req.body, req.idempotency),
    listVoucherRedemptions: async (req: Req<Id, unknown, Page>) =>
      ok(await vouchers.listRedemptions(deps, req.principal, req.params.id, req.query)),
    listPlatformVoucherRedemptions: async (req: Req<P, unknown, Page>) =>
      ok(await vouchers.listPlatformRedemptions(deps, req.principal, req.params.platformId, req.query)),
    settleRedemption: async (req: Req<Id, z.infer<typeof s.SettlementBody>>) =>
      ok(await vouchers.settle(deps, req.principal, req.params.id, req.body)),
    getVoucherReport: async (req: Req<Id>) => ok(await vouchers.report(deps, req.principal, req.params.id)),
    listVoucherLedger: async (req: Req<Id, unknown, Page>) =>
      ok(await vouchers.listLedger(deps, req.principal, req.params.id, req.query)),
  },
  { idempotency: (scope, key, now) => registry().getIdempotency(scope, key, now) },
);
