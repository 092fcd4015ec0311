import type { z } from 'zod';
import { DynamoCatalogueStore } from '../adapters/catalogue-store.ts';
import { verifiedPlatformEvidence } from '../adapters/platform-evidence-store.ts';
import { DynamoPlatformStore } from '../adapters/platform-store.ts';
import { policyEndDate } from '../adapters/settings-store.ts';
import { DynamoSharingStore } from '../adapters/sharing-store.ts';
import * as uc from '../core/catalogue.ts';
import { clock } from '../shared/clock.ts';
import { ValidationError } from '../shared/errors.ts';
import { type ApiRequest, type AuthedRequest, routeGroupHandler } from '../shared/http-handler.ts';
import { servicesRoutes } from './routes/services.ts';
import type * as s from './schemas/services.ts';

/** Platform profile, service catalogue, case library and the public showcase (Art. 6(1), (2), (6)). */
const deps: uc.CatalogueDeps = {
  platforms: new DynamoPlatformStore(),
  catalogue: new DynamoCatalogueStore(),
  evidence: (platformId, ids) => verifiedPlatformEvidence(platformId, ids),
  sharing: new DynamoSharingStore(),
  clock,
  policyEndDate: () => policyEndDate(),
};

type P = z.infer<typeof s.PlatformIdParams>;
type SP = z.infer<typeof s.ServiceIdParams>;
type CP = z.infer<typeof s.CaseIdParams>;
type Page = { limit: number; cursor?: string };
type Req<Params = P, B = unknown, Q = Record<string, never>> = AuthedRequest<Params, Q, B>;
const ok = (body: unknown) => ({ status: 200, body });
const noContent = { status: 204 };

/** `If-Match: 3` or `If-Match: "3"` (the item's version); 400 otherwise. */
function ifMatch(headers: Readonly<Record<string, string | undefined>>): number | undefined {
  const raw = headers['if-match']?.trim();
  if (raw === undefined || raw === '') return undefined;
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(raw);
  if (!m?.[1]) {
    throw new ValidationError('If-Match must be the item’s version, e.g. If-Match: "3".', [
      { path: 'headers.if-match', message: 'a version number' },
    ]);
  }
  return Number(m[1]);
}

export const handler = routeGroupHandler('services', servicesRoutes, {
  putPlatformService: (req: Req<SP, z.infer<typeof s.PutServiceBody>>) =>
    uc.putService(
      deps,
      req.principal,
      req.params.platformId,
      req.params.serviceId,
      req.body,
      ifMatch(req.headers),
    ),
  deletePlatformService: async (req: Req<SP>) => {
    await uc.deleteItem(
      deps,
      req.principal,
      'service',
      req.params.platformId,
      req.params.serviceId,
      ifMatch(req.headers),
    );
    return noContent;
  },
  listPlatformServices: async (req: Req<P, unknown, Page>) =>
    ok(await uc.listPlatformServices(deps, req.principal, req.params.platformId, req.query)),
  setPlatformServiceVisibility: async (req: Req<SP, z.infer<typeof s.VisibilityBody>>) =>
    ok(
      await uc.setVisibility(
        deps,
        req.principal,
        'service',
        req.params.platformId,
        req.params.serviceId,
        req.body,
      ),
    ),
  putPlatformCase: (req: Req<CP, z.infer<typeof s.PutCaseBody>>) =>
    uc.putCase(deps, req.principal, req.params.platformId, req.params.caseId, req.body, ifMatch(req.headers)),
  deletePlatformCase: async (req: Req<CP>) => {
    await uc.deleteItem(
      deps,
      req.principal,
      'case',
      req.params.platformId,
      req.params.caseId,
      ifMatch(req.headers),
    );
    return noContent;
  },
  listPlatformCases: async (req: Req<P, unknown, Page>) =>
    ok(await uc.listPlatformCases(deps, req.principal, req.params.platformId, req.query)),
  setPlatformCaseVisibility: async (req: Req<CP, z.infer<typeof s.VisibilityBody>>) =>
    ok(
      await uc.setVisibility(deps, req.principal, 'case', req.params.platformId, req.params.caseId, req.body),
    ),
  getPublicPlatformProfile: async (req: ApiRequest<P>) =>
    ok(await uc.publicProfile(deps, req.params.platformId)),
  listPublicServices: async (req: ApiRequest<Record<string, never>, z.infer<typeof s.PublicServicesQuery>>) =>
    ok(await uc.publicServices(deps, req.query)),
  listPublicCases: async (req: ApiRequest<Record<string, never>, z.infer<typeof s.PublicCasesQuery>>) =>
    ok(await uc.publicCases(deps, req.query)),
});
