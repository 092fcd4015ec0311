import { ConflictError, NotFoundError } from '../shared/errors.ts';
import type { Principal } from '../shared/roles.ts';
import { type AuditEvent, actorOf, auditEvent } from './audit.ts';
import { shanghaiDate } from './calendar.ts';
import type { Platform } from './notices.ts';
import type { Clock } from './ports.ts';

/**
 * The registry of recognised platforms (Art. 8(4), Art. 14): created when a public notice closes
 * without an upheld objection, valid until the policy end date; the public sees the active ones.
 *
 * Art. 14: recognitions end with the policy, so the policy end date in the settings is the single source
 * of an active platform's validity — extended or shortened, it applies to every active platform at once,
 * without rewriting 10,000 platform items in one request. Reads that show or filter by `validUntil` take
 * the policy end in force (one settings read per request); the `validUntil` stored on the platform item
 * is the date as recognised, and becomes the date the recognition really ended when it ends (the policy
 * end job and a revocation write it).
 */
export type { Platform } from './notices.ts';

export interface PlatformRepo {
  get(id: string): Promise<Platform | undefined>;
  /**
   * Active platforms (status `active`, whatever their stored `validUntil`), newest first. Whether they
   * are still valid today is the policy end's question (`isRecognisedOn`), asked once per request.
   */
  listActive(limit: number, cursor?: string): Promise<{ items: Platform[]; nextCursor?: string }>;
  /** The members (subs) of the host organisation. */
  hostMembers(orgId: string): Promise<readonly string[]>;
}

export interface PlatformDeps {
  readonly platforms: PlatformRepo;
  readonly clock: Clock;
  /** Art. 14: the policy end date in force (the settings, else the stage default). */
  readonly policyEndDate: () => Promise<string>;
  /** Art. 11: records an observer's read (`observer.accessed`). */
  readonly accessLog?: (audit: AuditEvent) => Promise<void>;
}

/** What the public registry shows of a platform. */
export interface PublicPlatformView {
  readonly id: string;
  readonly hostName: string;
  readonly uscc: string;
  readonly summary: string;
  readonly capabilities: readonly string[];
  readonly consortium: readonly { readonly name: string; readonly kind: string }[];
  readonly status: Platform['status'];
  readonly recognisedAt: string;
  readonly validUntil: string;
}

/**
 * Art. 14: whether a platform is recognised on `today` (YYYY-MM-DD, Asia/Shanghai): active, and the
 * policy in force has not ended before today (the policy end date itself is the last valid day).
 */
export const isRecognisedOn = (p: Pick<Platform, 'status'>, policyEndDate: string, today: string): boolean =>
  (p.status as string) === 'active' && today <= policyEndDate;

/**
 * Art. 14: the platform as it stands under the policy in force — an active platform is valid until the
 * current policy end date (extended or shortened since it was recognised); a revoked or expired one keeps
 * the `validUntil` written when its recognition ended.
 */
export function withPolicyEnd<P extends Pick<Platform, 'status' | 'validUntil'>>(
  p: P,
  policyEndDate: string,
): P {
  return (p.status as string) === 'active' && p.validUntil !== policyEndDate
    ? { ...p, validUntil: policyEndDate }
    : p;
}

/** Fields as stored: call `withPolicyEnd` first for an active platform's validity under the policy in force. */
export function toPublicPlatform(p: Platform): PublicPlatformView {
  return {
    id: p.id,
    hostName: p.hostName,
    uscc: p.uscc,
    summary: p.summary,
    capabilities: p.capabilities,
    consortium: (p.consortium ?? []).map((m) => ({ name: m.name, kind: m.kind })),
    status: p.status,
    recognisedAt: p.recognisedAt,
    validUntil: p.validUntil,
  };
}

/**
 * `GET /v1/public/platforms`: recognised, active platforms valid today (Asia/Shanghai), public fields
 * only, each valid until the policy end in force. Once the policy has ended (before the deadline job
 * has marked them expired) the list is empty.
 */
export async function listPublicPlatforms(
  deps: PlatformDeps,
  query: { limit: number; cursor?: string },
): Promise<{ items: PublicPlatformView[]; nextCursor?: string }> {
  const today = shanghaiDate(deps.clock.now());
  const [policyEnd, page] = await Promise.all([
    deps.policyEndDate(),
    deps.platforms.listActive(query.limit, query.cursor),
  ]);
  const items = page.items.filter((p) => isRecognisedOn(p, policyEnd, today));
  return {
    items: items.map((p) => toPublicPlatform(withPolicyEnd(p, policyEnd))),
    ...(page.nextCursor && items.length ? { nextCursor: page.nextCursor } : {}),
  };
}

const SEE_ALL = ['officer', 'approver', 'admin', 'observer'] as const;

/**
 * `GET /v1/platforms/{platformId}`: the host organisation's members, staff and observers (Art. 11); else
 * 404. An active platform shows the policy end in force as its `validUntil` (Art. 14).
 */
export async function getPlatform(deps: PlatformDeps, principal: Principal, id: string): Promise<Platform> {
  const [stored, policyEnd] = await Promise.all([deps.platforms.get(id), deps.policyEndDate()]);
  if (!stored) throw new NotFoundError('platform', id);
  const platform = withPolicyEnd(stored, policyEnd);
  if (principal.roles.some((r) => (SEE_ALL as readonly string[]).includes(r))) {
    const observerOnly = !principal.roles.some(
      (r) => r !== 'observer' && (SEE_ALL as readonly string[]).includes(r),
    );
    if (observerOnly && deps.accessLog) {
      await deps.accessLog(
        auditEvent(deps.clock.now(), actorOf(principal), 'observer.accessed', 'platform', id, {
          route: 'getPlatform',
        }),
      );
    }
    return platform;
  }
  const members = await deps.platforms.hostMembers(platform.orgId);
  if (!members.includes(principal.sub)) throw new NotFoundError('platform', id);
  return platform;
}

/**
 * Art. 10–13: the host of a platform is its host organisation — the members (`memberSubs`) of the
 * organisation `platform.orgId`. The one test every module uses for "host member" routes.
 */
export async function isHostMember(
  platforms: Pick<PlatformRepo, 'hostMembers'>,
  platform: Pick<Platform, 'orgId'>,
  principal: Principal,
): Promise<boolean> {
  return (await platforms.hostMembers(platform.orgId)).includes(principal.sub);
}

const has = (principal: Principal, roles: readonly string[]): boolean =>
  principal.roles.some((r) => roles.includes(r));

/**
 * Object authorisation of a platform's sub-resources: a host member, or a caller with one of `roles`;
 * anyone else (and an unknown id) → 404, never 403 and never the platform's data.
 */
export async function platformAccess(
  platforms: Pick<PlatformRepo, 'get' | 'hostMembers'>,
  principal: Principal,
  platformId: string,
  roles: readonly string[] = [],
): Promise<{ platform: Platform; host: boolean }> {
  const platform = await platforms.get(platformId);
  if (!platform) throw new NotFoundError('platform', platformId);
  const host = await isHostMember(platforms, platform, principal);
  if (!host && !has(principal, roles)) throw new NotFoundError('platform', platformId);
  return { platform, host };
}

/** A host member's platform (staff are not hosts): else 404. */
export async function hostedPlatform(
  platforms: Pick<PlatformRepo, 'get' | 'hostMembers'>,
  principal: Principal,
  platformId: string,
): Promise<Platform> {
  return (await platformAccess(platforms, principal, platformId)).platform;
}

/**
 * Art. 13–14: a revoked or expired platform keeps its record but accepts no more changes:
 * 409 PLATFORM_NOT_ACTIVE.
 */
export function assertPlatformActive(platform: Pick<Platform, 'id' | 'status'>): void {
  const status: string = platform.status;
  if (status !== 'active') {
    throw new ConflictError(
      'PLATFORM_NOT_ACTIVE',
      `Platform ${platform.id} is ${status}; a revoked or expired platform accepts no changes.`,
      { platformStatus: status },
    );
  }
}
