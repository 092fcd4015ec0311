import { ConflictError, NotFoundError } from '../shared/errors.ts';
import type { Principal } from '../shared/roles.ts';
import { type AuditEvent, actorOf, auditEvent } from './audit.ts';
import { shanghaiDate } from './calendar.ts';
import type { Platform } from './notices.ts';
import type { Clock } from './ports.ts';

/**
 * The registry of recognised platforms (Art. 8(4), Art. 14): created when a public notice closes
 * without an upheld objection, valid until the policy end date; the public sees the active ones.
 */
export type { Platform } from './notices.ts';

export interface PlatformRepo {
  get(id: string): Promise<Platform | undefined>;
  /** Active platforms still valid on `today` (YYYY-MM-DD), newest first. */
  listActive(
    today: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: Platform[]; nextCursor?: string }>;
  /** The members (subs) of the host organisation. */
  hostMembers(orgId: string): Promise<readonly string[]>;
}

export interface PlatformDeps {
  readonly platforms: PlatformRepo;
  readonly clock: Clock;
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

/** `GET /v1/public/platforms`: recognised, active platforms valid today (Asia/Shanghai), public fields only. */
export async function listPublicPlatforms(
  deps: PlatformDeps,
  query: { limit: number; cursor?: string },
): Promise<{ items: PublicPlatformView[]; nextCursor?: string }> {
  const page = await deps.platforms.listActive(shanghaiDate(deps.clock.now()), query.limit, query.cursor);
  return {
    items: page.items.map(toPublicPlatform),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}

const SEE_ALL = ['officer', 'approver', 'admin', 'observer'] as const;

/** `GET /v1/platforms/{platformId}`: the host organisation's members, staff and observers (Art. 11); else 404. */
export async function getPlatform(deps: PlatformDeps, principal: Principal, id: string): Promise<Platform> {
  const platform = await deps.platforms.get(id);
  if (!platform) throw new NotFoundError('platform', id);
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
