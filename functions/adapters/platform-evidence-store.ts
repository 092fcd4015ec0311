import type { EvidenceManifestEntry } from '../core/applications.ts';
import type { AuditEvent } from '../core/audit.ts';
import {
  manifestOfReferenced,
  type PlatformEvidence,
  type PlatformEvidenceRepo,
} from '../core/platform-evidence.ts';
import { keys } from '../core/recognition-model.ts';
import { ConflictError, ValidationError } from '../shared/errors.ts';
import type { IdempotencyWrite } from '../shared/idempotency.ts';
import { type Item, type Key, type Registry, registry, type TxOp } from './registry.ts';

/**
 * Platform evidence in the registry: `PLATFORM#<id>` / `EVIDENCE#<evidenceId>` (declared, scanning,
 * verified, rejected), next to the platform item; the files live under `evidence/platforms/<id>/…`.
 */
export const platformEvidenceKey = (platformId: string, evidenceId: string): Key => ({
  pk: `PLATFORM#${platformId}`,
  sk: `EVIDENCE#${evidenceId}`,
});

const INTERNAL = ['pk', 'sk', 'type'];
function strip(item: Item): PlatformEvidence {
  const copy: Item = { ...item };
  for (const k of INTERNAL) delete copy[k];
  return copy as unknown as PlatformEvidence;
}

/** The condition op every write to an active platform carries (→ 409 PLATFORM_NOT_ACTIVE). */
export function platformActiveCheck(platformId: string): TxOp {
  return {
    kind: 'check',
    key: keys.platform(platformId),
    condition: {
      expression: '#status = :active',
      names: { '#status': 'status' },
      values: { ':active': 'active' },
    },
    onConflict: () =>
      new ConflictError(
        'PLATFORM_NOT_ACTIVE',
        `Platform ${platformId} is not active; a revoked or expired platform accepts no changes.`,
      ),
  };
}

export class DynamoPlatformEvidenceRepo implements PlatformEvidenceRepo {
  constructor(private readonly reg: Registry = registry()) {}

  async create(ev: PlatformEvidence, audit: AuditEvent, idempotency?: IdempotencyWrite): Promise<void> {
    await this.reg.transact({
      ops: [
        platformActiveCheck(ev.platformId),
        {
          kind: 'put',
          item: { ...platformEvidenceKey(ev.platformId, ev.evidenceId), type: 'platform-evidence', ...ev },
          ifNew: true,
        },
      ],
      audit: [audit],
      ...(idempotency ? { idempotency } : {}),
    });
  }

  async get(platformId: string, evidenceId: string): Promise<PlatformEvidence | undefined> {
    const item = await this.reg.get(platformEvidenceKey(platformId, evidenceId));
    return item ? strip(item) : undefined;
  }

  /** Every evidence item of a platform, oldest id first (bounded pages of the platform's partition). */
  async list(platformId: string): Promise<PlatformEvidence[]> {
    const out: PlatformEvidence[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.reg.query({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: { ':pk': `PLATFORM#${platformId}`, ':sk': 'EVIDENCE#' },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
      out.push(...res.items.map(strip));
      start = res.lastKey;
    } while (start);
    return out;
  }

  async change(before: PlatformEvidence, after: PlatformEvidence, audit: AuditEvent): Promise<void> {
    const { evidenceId: _e, platformId: _p, version: _v, ...fields } = after;
    await this.reg.transact({
      ops: [
        {
          kind: 'update',
          key: platformEvidenceKey(before.platformId, before.evidenceId),
          set: fields,
          expectVersion: before.version,
          entity: `Evidence ${before.evidenceId}`,
        },
      ],
      audit: [audit],
    });
  }

  async record(audit: AuditEvent): Promise<void> {
    await this.reg.transact({ ops: [], audit: [audit] });
  }
}

/** At most this many evidence ids per reference (a change request, a report, a response). */
export const MAX_REFERENCED_EVIDENCE = 50;

/**
 * The manifest (ids + SHA-256) of a platform's verified evidence `evidenceIds`, for a decision to record
 * (Art. 4); 422 EVIDENCE_NOT_VERIFIED naming each unknown or unverified id. Used by change requests
 * (Art. 10), self-evaluation reports (Art. 12) and revocation grounds and responses (Art. 13).
 */
export async function verifiedPlatformEvidence(
  platformId: string,
  evidenceIds: readonly string[],
  reg: Registry = registry(),
): Promise<EvidenceManifestEntry[]> {
  const ids = [...new Set(evidenceIds)];
  if (ids.length > MAX_REFERENCED_EVIDENCE) {
    throw new ValidationError(`Reference at most ${MAX_REFERENCED_EVIDENCE} evidence files.`, [
      { path: 'body.evidenceIds', message: `at most ${MAX_REFERENCED_EVIDENCE}` },
    ]);
  }
  const repo = new DynamoPlatformEvidenceRepo(reg);
  const found = await Promise.all(ids.map((id) => repo.get(platformId, id)));
  return manifestOfReferenced(ids, found);
}
