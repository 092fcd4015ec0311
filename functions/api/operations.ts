import type { z } from 'zod';
import { DynamoChangeStore } from '../adapters/change-store.ts';
import { EvidenceStore } from '../adapters/evidence-store.ts';
import { ulidIds } from '../adapters/ids.ts';
import { DynamoOrganisationStore } from '../adapters/organisation-store.ts';
import { DynamoPlatformEvidenceRepo, verifiedPlatformEvidence } from '../adapters/platform-evidence-store.ts';
import { DynamoPlatformStore } from '../adapters/platform-store.ts';
import { registry } from '../adapters/registry.ts';
import { DynamoSettingsStore } from '../adapters/settings-store.ts';
import { DynamoSharingStore } from '../adapters/sharing-store.ts';
import * as changes from '../core/changes.ts';
import * as evidence from '../core/platform-evidence.ts';
import * as settings from '../core/settings.ts';
import * as sharing from '../core/sharing.ts';
import { clock } from '../shared/clock.ts';
import { env } from '../shared/env.ts';
import { type AuthedRequest, routeGroupHandler } from '../shared/http-handler.ts';
import { operationsRoutes } from './routes/operations.ts';
import type * as s from './schemas/operations.ts';

/** Platform operations (Art. 10), platform evidence and sharing (Art. 11), settings (Art. 14). */
const platforms = new DynamoPlatformStore();
const sharingStore = new DynamoSharingStore();
const evidenceDeps: evidence.PlatformEvidenceDeps = {
  platforms,
  sharing: sharingStore,
  evidence: new DynamoPlatformEvidenceRepo(),
  files: new EvidenceStore(),
  clock,
  ids: ulidIds,
  get malwareScan() {
    return env().EVIDENCE_MALWARE_SCAN;
  },
};
const changeStore = new DynamoChangeStore();
const changeDeps: changes.ChangeDeps = {
  platforms,
  changes: changeStore,
  orgs: new DynamoOrganisationStore(),
  evidence: (platformId, ids) => verifiedPlatformEvidence(platformId, ids),
  sharing: sharingStore,
  clock,
  ids: ulidIds,
};
const settingsDeps: settings.SettingsDeps = {
  settings: new DynamoSettingsStore(),
  clock,
  defaultPolicyEndDate: () => env().POLICY_END_DATE,
};

type P = z.infer<typeof s.PlatformIdParams>;
type EvP = z.infer<typeof s.PlatformEvidenceIdParams>;
type Page = { limit: number; cursor?: string };
type Req<Params = P, B = unknown, Q = Record<string, never>> = AuthedRequest<Params, Q, B>;
const ok = (body: unknown) => ({ status: 200, body });

export const handler = routeGroupHandler(
  'operations',
  operationsRoutes,
  {
    createPlatformEvidence: (req: Req<P, z.infer<typeof s.CreatePlatformEvidenceBody>>) =>
      evidence.createPlatformEvidence(
        evidenceDeps,
        req.principal,
        req.params.platformId,
        req.body,
        req.idempotency,
      ),
    confirmPlatformEvidence: async (req: Req<EvP>) => {
      const ev = await evidence.confirmPlatformEvidence(
        evidenceDeps,
        req.principal,
        req.params.platformId,
        req.params.evidenceId,
      );
      return ok({ evidenceId: ev.evidenceId, status: ev.status });
    },
    listPlatformEvidence: async (req: Req) =>
      ok({ items: await evidence.listPlatformEvidence(evidenceDeps, req.principal, req.params.platformId) }),
    downloadPlatformEvidence: async (req: Req<EvP>) =>
      ok(
        await evidence.downloadPlatformEvidence(
          evidenceDeps,
          req.principal,
          req.params.platformId,
          req.params.evidenceId,
        ),
      ),
    createChangeRequest: (req: Req<P, z.infer<typeof s.CreateChangeRequestBody>>) =>
      changes.fileChangeRequest(changeDeps, req.principal, req.params.platformId, req.body, req.idempotency),
    decideChangeRequest: async (
      req: Req<z.infer<typeof s.ChangeRequestIdParams>, z.infer<typeof s.ChangeDecisionBody>>,
    ) => ok(await changes.decideChangeRequest(changeDeps, req.principal, req.params.id, req.body)),
    listPlatformChangeRequests: async (req: Req<P, unknown, Page>) =>
      ok(await changes.listChangeRequests(changeDeps, req.principal, req.params.platformId, req.query)),
    listChangeRequests: async (
      req: Req<Record<string, never>, unknown, z.infer<typeof s.ChangeRequestListQuery>>,
    ) => ok(await changes.listChangeRequestsByStatus({ changes: changeStore }, req.query)),
    getPlatformHistory: async (req: Req<P, unknown, Page>) =>
      ok(await changes.platformHistory(changeDeps, req.principal, req.params.platformId, req.query)),
    createAdvanceNotice: (req: Req<P, z.infer<typeof s.CreateAdvanceNoticeBody>>) =>
      changes.fileAdvanceNotice(changeDeps, req.principal, req.params.platformId, req.body, req.idempotency),
    listAdvanceNotices: async (req: Req) =>
      ok({ items: await changes.listAdvanceNotices(changeDeps, req.principal, req.params.platformId) }),
    createSharingConsent: (req: Req<P, z.infer<typeof s.CreateSharingConsentBody>>) =>
      sharing.createSharingConsent(
        evidenceDeps,
        req.principal,
        req.params.platformId,
        req.body,
        req.idempotency,
      ),
    listSharingConsents: async (req: Req) =>
      ok({ items: await sharing.listSharingConsents(evidenceDeps, req.principal, req.params.platformId) }),
    getSettings: async () => ok(await settings.getSettings(settingsDeps)),
    putSettings: async (req: Req<Record<string, never>, z.infer<typeof s.PutSettingsBody>>) =>
      ok(await settings.putSettings(settingsDeps, req.principal, req.body)),
  },
  { idempotency: (scope, key, now) => registry().getIdempotency(scope, key, now) },
);
