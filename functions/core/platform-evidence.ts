import { NotFoundError, UnprocessableError } from '../shared/errors.ts';
import type { IdempotencyContext, IdempotencyWrite } from '../shared/idempotency.ts';
import type { Principal } from '../shared/roles.ts';
import {
  assertNotRejected,
  assertVerified,
  checkUploadedEvidence,
  declareEvidence,
  type EvidenceDeclarationInput,
  type EvidenceFileRef,
  type EvidenceFiles,
  type EvidenceManifestEntry,
  type EvidenceRecord,
  manifestOf,
} from './applications.ts';
import { type AuditEvent, actorOf, auditEvent } from './audit.ts';
import { assertPlatformActive, type PlatformRepo, platformAccess } from './platforms.ts';
import type { Clock, IdSource } from './ports.ts';
import { assertMayRead, type SharingDeps } from './sharing.ts';

/**
 * Platform evidence (Art. 10 change requests, Art. 12 self-evaluation, Art. 13 grounds and responses,
 * Art. 6 redemptions): the same declaration, server-side checks and states as application evidence
 * (`declareEvidence`, `checkUploadedEvidence`), stored under the platform. Host members upload and
 * confirm; staff may upload too (Art. 13 grounds); other modules reference it by `evidenceIds` and
 * record the manifest `verifiedPlatformEvidence` returns (ids + SHA-256).
 */
export const PLATFORM_EVIDENCE_SCOPE = 'platforms';

export const platformEvidenceRef = (platformId: string, evidenceId: string): EvidenceFileRef => ({
  scope: PLATFORM_EVIDENCE_SCOPE,
  ownerId: platformId,
  evidenceId,
});

export interface PlatformEvidence extends EvidenceRecord {
  readonly platformId: string;
}

export interface PlatformEvidenceRepo {
  /** One transaction: the evidence (only while the platform is active → 409 PLATFORM_NOT_ACTIVE), audit, idempotency. */
  create(ev: PlatformEvidence, audit: AuditEvent, idempotency?: IdempotencyWrite): Promise<void>;
  get(platformId: string, evidenceId: string): Promise<PlatformEvidence | undefined>;
  list(platformId: string): Promise<PlatformEvidence[]>;
  /** One transaction (version-checked → 409 STALE_VERSION): the change and its audit event. */
  change(before: PlatformEvidence, after: PlatformEvidence, audit: AuditEvent): Promise<void>;
  /** Appends an audit event alone (downloads). */
  record(audit: AuditEvent): Promise<void>;
}

export interface PlatformEvidenceDeps extends SharingDeps {
  readonly platforms: Pick<PlatformRepo, 'get' | 'hostMembers'>;
  readonly evidence: PlatformEvidenceRepo;
  readonly files: EvidenceFiles;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly malwareScan: boolean;
}

/** Who may add evidence to a platform: host members, and officers (Art. 13 grounds). */
const UPLOADERS = ['officer'] as const;

/**
 * `POST /v1/platforms/{platformId}/evidence`: declare one file → a presigned POST (same rules as
 * application evidence); 409 PLATFORM_NOT_ACTIVE on a revoked or expired platform.
 */
export async function createPlatformEvidence(
  deps: PlatformEvidenceDeps,
  principal: Principal,
  platformId: string,
  input: EvidenceDeclarationInput,
  idempotency?: IdempotencyContext,
): Promise<{
  status: 201;
  body: { evidenceId: string; upload: { url: string; fields: Record<string, string> }; expiresAt: string };
}> {
  const { platform } = await platformAccess(deps.platforms, principal, platformId, UPLOADERS);
  assertPlatformActive(platform);
  const { record, body } = await declareEvidence(deps, principal, input, (id) =>
    platformEvidenceRef(platformId, id),
  );
  const ev: PlatformEvidence = { ...record, platformId };
  const now = deps.clock.now();
  await deps.evidence.create(
    ev,
    auditEvent(now, actorOf(principal), 'evidence.upload_requested', 'platform', platformId, {
      evidenceId: ev.evidenceId,
      kind: ev.kind,
      fileName: ev.fileName,
      contentType: ev.contentType,
      sizeBytes: ev.sizeBytes,
      sha256: ev.sha256,
    }),
    idempotency ? { ...idempotency, response: { status: 201, body }, at: now } : undefined,
  );
  return { status: 201, body };
}

/**
 * `POST /v1/platforms/{platformId}/evidence/{evidenceId}/confirm`: the server checks size, SHA-256 and
 * file signature → `verified` (or `scanning`), or 422 EVIDENCE_MISMATCH with the evidence `rejected`.
 * Confirming again returns the current status.
 */
export async function confirmPlatformEvidence(
  deps: PlatformEvidenceDeps,
  principal: Principal,
  platformId: string,
  evidenceId: string,
): Promise<PlatformEvidence> {
  await platformAccess(deps.platforms, principal, platformId, UPLOADERS);
  const ev = await deps.evidence.get(platformId, evidenceId);
  if (!ev) throw new NotFoundError('evidence', evidenceId);
  if (ev.status === 'verified' || ev.status === 'scanning') return ev;
  assertNotRejected(ev);
  const after = await checkUploadedEvidence(
    deps,
    platformEvidenceRef(platformId, evidenceId),
    ev,
    (rejected, at, checks) =>
      deps.evidence.change(
        ev,
        rejected,
        auditEvent(at, actorOf(principal), 'evidence.rejected', 'platform', platformId, {
          evidenceId,
          reason: 'mismatch',
          checks,
        }),
      ),
  );
  await deps.evidence.change(
    ev,
    after,
    auditEvent(
      deps.clock.now(),
      actorOf(principal),
      after.status === 'verified' ? 'evidence.verified' : 'evidence.confirmed',
      'platform',
      platformId,
      { evidenceId, kind: ev.kind, sha256: ev.sha256, sizeBytes: ev.sizeBytes, status: after.status },
    ),
  );
  return after;
}

/** `GET /v1/platforms/{platformId}/evidence`: host members, staff; observers under a consent (Art. 11, audited). */
export async function listPlatformEvidence(
  deps: PlatformEvidenceDeps,
  principal: Principal,
  platformId: string,
): Promise<PlatformEvidence[]> {
  await assertMayRead(deps, principal, platformId, 'evidence', 'listPlatformEvidence');
  return deps.evidence.list(platformId);
}

/**
 * `GET /v1/platforms/{platformId}/evidence/{evidenceId}/download`: a short presigned GET of verified
 * evidence; every download is audited (observers only under a consent covering `evidence`).
 */
export async function downloadPlatformEvidence(
  deps: PlatformEvidenceDeps,
  principal: Principal,
  platformId: string,
  evidenceId: string,
): Promise<{ url: string; expiresAt: string }> {
  await assertMayRead(deps, principal, platformId, 'evidence', 'downloadPlatformEvidence', { evidenceId });
  const ev = await deps.evidence.get(platformId, evidenceId);
  if (!ev) throw new NotFoundError('evidence', evidenceId);
  assertVerified(ev);
  const link = await deps.files.downloadUrl(platformEvidenceRef(platformId, evidenceId), ev.fileName);
  await deps.evidence.record(
    auditEvent(deps.clock.now(), actorOf(principal), 'evidence.downloaded', 'platform', platformId, {
      evidenceId,
      kind: ev.kind,
      sha256: ev.sha256,
      expiresAt: link.expiresAt,
    }),
  );
  return link;
}

/**
 * The manifest (ids + SHA-256) of the referenced evidence, in the order given, or 422
 * EVIDENCE_NOT_VERIFIED naming each unknown or unverified id (`found[i]` is the item for `ids[i]`).
 */
export function manifestOfReferenced(
  ids: readonly string[],
  found: readonly (PlatformEvidence | undefined)[],
  path = 'body.evidenceIds',
): EvidenceManifestEntry[] {
  const problems = ids.flatMap((id, i) => {
    const ev = found[i];
    if (!ev) return [{ path: `${path}.${i}`, message: `no evidence ${id} on this platform` }];
    if (ev.status !== 'verified')
      return [{ path: `${path}.${i}`, message: `evidence ${id} is ${ev.status}` }];
    return [];
  });
  if (problems.length) {
    throw new UnprocessableError(
      'EVIDENCE_NOT_VERIFIED',
      `Reference only verified evidence of this platform: ${problems.map((p) => p.message).join('; ')}.`,
      problems,
    );
  }
  return manifestOf(found as PlatformEvidence[]);
}

/** Port form of `verifiedPlatformEvidence` for use cases (the adapter provides it). */
export type VerifiedPlatformEvidence = (
  platformId: string,
  evidenceIds: readonly string[],
) => Promise<EvidenceManifestEntry[]>;
