import { NotFoundError } from '../shared/errors.ts';
import type { Principal } from '../shared/roles.ts';
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
  if (principal.roles.some((r) => (SEE_ALL as readonly string[]).includes(r))) return platform;
  const members = await deps.platforms.hostMembers(platform.orgId);
  if (!members.includes(principal.sub)) throw new NotFoundError('platform', id);
  return platform;
}
