import { AppError, ValidationError } from '../shared/errors.ts';
import type { IdempotencyContext, IdempotencyWrite } from '../shared/idempotency.ts';
import type { Principal, Role } from '../shared/roles.ts';
import { type AuditEvent, actorOf, auditEvent } from './audit.ts';
import { shanghaiDate } from './calendar.ts';
import { assertPlatformActive, hostedPlatform, type PlatformRepo, platformAccess } from './platforms.ts';
import type { Clock, IdSource } from './ports.ts';

/**
 * Data sharing (Art. 11): a platform shares the data it produces with the MIIT bureau, the data bureau
 * and sector authorities (the `observer` role) only with the data owner's authorisation. Observers
 * always read registry and evaluation data; evidence and business data (`scope`) only while a consent
 * covering it is valid; every observer access is audited (`observer.accessed`). Where each scope is
 * enforced:
 * - `evidence`: the platform evidence routes (403 NO_SHARING_CONSENT, `assertMayRead`);
 * - `reports`: the self-evaluation report's content in `GET …/evaluation-cycles/{year}/platforms/{id}`
 *   (withheld; the status and, once published, the grade stay visible);
 * - `vouchers`: a platform's voucher business in a programme's report, ledger and redemptions (withheld
 *   per platform; the programme's own budget figures stay visible), and the ledger figures of the
 *   evaluation view.
 */
export const SHARING_SCOPES = ['evidence', 'reports', 'vouchers'] as const;
export type SharingScope = (typeof SHARING_SCOPES)[number];

export interface SharingConsent {
  readonly id: string;
  readonly platformId: string;
  readonly dataOwner: string;
  readonly scope: readonly SharingScope[];
  /** Last day (Asia/Shanghai) the authorisation covers. */
  readonly validUntil: string;
  readonly createdAt: string;
  readonly createdBy: string;
}

export interface SharingRepo {
  /** One transaction: the consent (only while the platform is active), audit, idempotency. */
  create(consent: SharingConsent, audit: AuditEvent, idempotency?: IdempotencyWrite): Promise<void>;
  list(platformId: string): Promise<SharingConsent[]>;
  /** Appends audit events alone (observer reads). */
  record(audit: AuditEvent): Promise<void>;
}

export interface SharingDeps {
  readonly platforms: Pick<PlatformRepo, 'get' | 'hostMembers'>;
  readonly sharing: SharingRepo;
  readonly clock: Clock;
  readonly ids: IdSource;
}

/** Office staff: see everything of every platform (Art. 11: private to the applicant and the office). */
export const STAFF: readonly Role[] = ['officer', 'approver', 'admin'];

const has = (p: Principal, roles: readonly Role[]): boolean => p.roles.some((r) => roles.includes(r));

/** An observer who is neither staff: what they read is limited to consents and audited. */
export const isObserverOnly = (p: Principal): boolean => p.roles.includes('observer') && !has(p, STAFF);

/** The consent covering `scope` on `today` (YYYY-MM-DD), if any (Art. 11). */
export function consentCovering(
  consents: readonly SharingConsent[],
  scope: SharingScope,
  today: string,
): SharingConsent | undefined {
  return consents.find((c) => c.scope.includes(scope) && c.validUntil >= today);
}

/**
 * Art. 11 for reads that span platforms (a voucher programme's report, ledger, redemptions): the consent
 * covering `scope` on `today` of each platform that has one (one read of consents per distinct platform;
 * a page or a report holds a bounded number of platforms). Platforms absent from the map share nothing.
 */
export async function consentsCovering(
  sharing: Pick<SharingRepo, 'list'>,
  platformIds: readonly string[],
  scope: SharingScope,
  today: string,
): Promise<Map<string, SharingConsent>> {
  const ids = [...new Set(platformIds)];
  const found = await Promise.all(
    ids.map(async (id) => [id, consentCovering(await sharing.list(id), scope, today)] as const),
  );
  return new Map(found.flatMap(([id, c]) => (c ? [[id, c] as const] : [])));
}

/** The audit event of one observer read (Art. 11): who, which route, which entity. */
export function observerAccess(
  now: Date,
  principal: Principal,
  route: string,
  entityType: string,
  entityId: string,
  detail: Record<string, unknown> = {},
): AuditEvent {
  return auditEvent(now, actorOf(principal), 'observer.accessed', entityType, entityId, { route, ...detail });
}

/**
 * Records an observer's read of `entityId` when `principal` is an observer (and not staff); staff and
 * hosts are not recorded here (their changes are audited where they happen).
 */
export async function auditObserverRead(
  deps: { readonly sharing: Pick<SharingRepo, 'record'>; readonly clock: Clock },
  principal: Principal,
  route: string,
  entityType: string,
  entityId: string,
  detail: Record<string, unknown> = {},
): Promise<void> {
  if (!isObserverOnly(principal)) return;
  await deps.sharing.record(observerAccess(deps.clock.now(), principal, route, entityType, entityId, detail));
}

/**
 * Object authorisation of data under consent (Art. 11): host members and staff always; an observer
 * only while a consent covering `scope` is valid (its read audited with the consent id); anyone
 * else → 404.
 */
export async function assertMayRead(
  deps: SharingDeps,
  principal: Principal,
  platformId: string,
  scope: SharingScope,
  route: string,
  detail: Record<string, unknown> = {},
): Promise<void> {
  const { host } = await platformAccess(deps.platforms, principal, platformId, [...STAFF, 'observer']);
  if (host || !isObserverOnly(principal)) return;
  const consent = consentCovering(await deps.sharing.list(platformId), scope, shanghaiDate(deps.clock.now()));
  if (!consent) {
    throw new AppError(
      403,
      'NO_SHARING_CONSENT',
      'Not shared by the data owner',
      `Platform ${platformId} has no valid authorisation from the data owner to share its ${scope}; ask the platform to record one (Art. 11).`,
      undefined,
      { scope },
    );
  }
  await deps.sharing.record(
    observerAccess(deps.clock.now(), principal, route, 'platform', platformId, {
      ...detail,
      scope,
      consentId: consent.id,
    }),
  );
}

/**
 * `POST /v1/platforms/{platformId}/sharing-consents` (Art. 11): a host member records the data owner's
 * authorisation for observers to see `scope` until `validUntil` (today or later, Asia/Shanghai).
 */
export async function createSharingConsent(
  deps: SharingDeps,
  principal: Principal,
  platformId: string,
  input: { dataOwner: string; scope: readonly SharingScope[]; validUntil: string },
  idempotency?: IdempotencyContext,
): Promise<{ status: 201; body: SharingConsent }> {
  const platform = await hostedPlatform(deps.platforms, principal, platformId);
  assertPlatformActive(platform);
  const now = deps.clock.now();
  const today = shanghaiDate(now);
  if (input.validUntil < today) {
    throw new ValidationError(`validUntil ${input.validUntil} is before today (${today}, Asia/Shanghai).`, [
      { path: 'body.validUntil', message: `today (${today}) or later` },
    ]);
  }
  const consent: SharingConsent = {
    id: deps.ids.next(),
    platformId,
    dataOwner: input.dataOwner,
    scope: [...input.scope],
    validUntil: input.validUntil,
    createdAt: now.toISOString(),
    createdBy: principal.sub,
  };
  await deps.sharing.create(
    consent,
    auditEvent(now, actorOf(principal), 'sharing.consent_recorded', 'platform', platformId, {
      consentId: consent.id,
      dataOwner: consent.dataOwner,
      scope: consent.scope,
      validUntil: consent.validUntil,
    }),
    idempotency ? { ...idempotency, response: { status: 201, body: consent }, at: now } : undefined,
  );
  return { status: 201, body: consent };
}

/** `GET /v1/platforms/{platformId}/sharing-consents`: host members, staff, observers (audited). */
export async function listSharingConsents(
  deps: SharingDeps,
  principal: Principal,
  platformId: string,
): Promise<SharingConsent[]> {
  await platformAccess(deps.platforms, principal, platformId, [...STAFF, 'observer']);
  await auditObserverRead(deps, principal, 'listSharingConsents', 'platform', platformId);
  return deps.sharing.list(platformId);
}
