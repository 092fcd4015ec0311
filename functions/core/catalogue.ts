import { ConflictError, type FieldError, NotFoundError, ValidationError } from '../shared/errors.ts';
import type { Principal } from '../shared/roles.ts';
import type { EvidenceManifestEntry } from './applications.ts';
import { type AuditEvent, actorOf, auditEvent } from './audit.ts';
import { shanghaiDate } from './calendar.ts';
import type { CatalogueLookup, CatalogueService, ServiceCategory } from './catalogue-model.ts';
import type { NotificationInput } from './notifications.ts';
import type { VerifiedPlatformEvidence } from './platform-evidence.ts';
import {
  assertPlatformActive,
  hostedPlatform,
  isRecognisedOn,
  type Platform,
  type PlatformRepo,
  type PublicPlatformView,
  platformAccess,
  toPublicPlatform,
  withPolicyEnd,
} from './platforms.ts';
import type { Clock } from './ports.ts';
import { auditObserverRead, type SharingRepo, STAFF } from './sharing.ts';
import { checkUscc, normaliseUscc } from './uscc.ts';

/**
 * A platform's profile (Art. 6(1), (2), (6)): its service catalogue (compute rental, model subscription,
 * data resources, industrial software, other) and its case library (scenario and industry cases), kept
 * by the host, shown on the public showcase portal. Office staff may hide an item with a reason (it
 * stays visible to the host and staff, with the reason); items of a platform that is not active (revoked,
 * expired, or past the policy end in force — Art. 14) never appear publicly.
 */
export type { CatalogueService, ServiceCategory } from './catalogue-model.ts';
export { SERVICE_CATEGORIES } from './catalogue-model.ts';

/** Who a case served (a closed list, so the showcase can be filtered and counted by it). */
export const CUSTOMER_TYPES = ['enterprise', 'government', 'research', 'individual', 'other'] as const;
export type CustomerType = (typeof CUSTOMER_TYPES)[number];

export type CatalogueKind = 'service' | 'case';

/** Staff hiding (Art. 6(6) supervision of the portal): off the public showcase, kept for host and staff. */
export interface Hidden {
  readonly reason: string;
  readonly by: string;
  readonly at: string;
}

/** A case of the platform's case library (Art. 6(2)). */
export interface PlatformCase {
  readonly platformId: string;
  readonly caseId: string;
  readonly title: string;
  /** Industry / sector as the host names it, e.g. 智能制造; filtered on its normalised form. */
  readonly sector: string;
  readonly customerType: CustomerType;
  readonly outcome: string;
  /** Media evidence: verified platform evidence (ids + SHA-256), as referenced when the case was saved. */
  readonly media: readonly EvidenceManifestEntry[];
  readonly hidden?: Hidden;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ServiceInput {
  readonly category: ServiceCategory;
  readonly name: string;
  readonly provider: string;
  readonly providerUscc?: string;
  readonly unit: string;
  readonly priceRangeCny: { readonly min: number; readonly max: number };
  readonly available: boolean;
  readonly version?: number;
}

export interface CaseInput {
  readonly title: string;
  readonly sector: string;
  readonly customerType: CustomerType;
  readonly outcome: string;
  readonly evidenceIds?: readonly string[];
  readonly version?: number;
}

/** Public filters of the showcase lists. `q` is matched as a substring of the normalised text. */
export interface ShowcaseQuery {
  readonly platformId?: string;
  readonly category?: ServiceCategory;
  readonly sector?: string;
  readonly q?: string;
  readonly limit: number;
  readonly cursor?: string;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}

export type CatalogueItem = CatalogueService | PlatformCase;

export interface CatalogueRepo extends CatalogueLookup {
  getCase(platformId: string, caseId: string): Promise<PlatformCase | undefined>;
  /**
   * One transaction: the platform is active (→ 409 PLATFORM_NOT_ACTIVE), the item is new when
   * `previousVersion` is undefined, else still at that version (→ 409 STALE_VERSION), and the audit event.
   */
  saveService(
    service: CatalogueService,
    previousVersion: number | undefined,
    audit: AuditEvent,
  ): Promise<void>;
  saveCase(item: PlatformCase, previousVersion: number | undefined, audit: AuditEvent): Promise<void>;
  /** One transaction: the platform is active, the item still at `version`, the audit event. */
  remove(kind: CatalogueKind, item: CatalogueItem, audit: AuditEvent): Promise<void>;
  /** One transaction: the item (version-checked) with its new visibility, notifications, audit. */
  setVisibility(
    kind: CatalogueKind,
    after: CatalogueItem,
    previousVersion: number,
    notifications: readonly NotificationInput[],
    audit: AuditEvent,
  ): Promise<void>;
  /** Host and staff view: every item of the platform (hidden ones too), by id. */
  listServices(platformId: string, limit: number, cursor?: string): Promise<Page<CatalogueService>>;
  listCases(platformId: string, limit: number, cursor?: string): Promise<Page<PlatformCase>>;
  /**
   * Visible (not hidden) items matching the filters, reading at most a bounded number of items; the
   * page may hold fewer than `limit` items and still carry `nextCursor`. Platform status is NOT checked.
   */
  showcaseServices(query: ShowcaseQuery): Promise<Page<CatalogueService>>;
  showcaseCases(query: ShowcaseQuery): Promise<Page<PlatformCase>>;
  /** The platforms with these ids (one batch read; unknown ids are absent). */
  platformsById(ids: readonly string[]): Promise<Platform[]>;
}

export interface CatalogueDeps {
  readonly platforms: Pick<PlatformRepo, 'get' | 'hostMembers'>;
  readonly catalogue: CatalogueRepo;
  readonly evidence: VerifiedPlatformEvidence;
  readonly sharing: Pick<SharingRepo, 'record'>;
  readonly clock: Clock;
  /** Art. 14: the policy end date in force (every active platform is valid until it). */
  readonly policyEndDate: () => Promise<string>;
}

/** How many services and how many cases the public profile embeds (the rest: the lists' cursors). */
export const PROFILE_ITEMS = 50;

/** Lower-case, trimmed, inner whitespace collapsed: the form search and sector filters compare. */
export const normaliseText = (s: string): string =>
  s.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ');

/** The text `q` is searched in: a service's name, provider, unit and category. */
export const serviceSearchText = (
  s: Pick<CatalogueService, 'name' | 'provider' | 'unit' | 'category'>,
): string => normaliseText([s.name, s.provider, s.unit, s.category].join(' '));

/** The text `q` is searched in: a case's title, sector, customer type and outcome. */
export const caseSearchText = (
  c: Pick<PlatformCase, 'title' | 'sector' | 'customerType' | 'outcome'>,
): string => normaliseText([c.title, c.sector, c.customerType, c.outcome].join(' '));

/**
 * The rules of a catalogue item the schema cannot express alone (checked again here so every caller of
 * the use case gets them): the price range's min ≤ max, and a provider USCC that is a valid code
 * (GB 32100-2015 structure and check character; a supplier may be registered anywhere in China).
 */
export function serviceInputProblems(
  input: Pick<ServiceInput, 'priceRangeCny' | 'providerUscc'>,
): FieldError[] {
  const problems: FieldError[] = [];
  const { min, max } = input.priceRangeCny;
  if (!Number.isSafeInteger(min) || min < 0)
    problems.push({ path: 'body.priceRangeCny.min', message: 'an integer number of CNY, 0 or more' });
  if (!Number.isSafeInteger(max) || max < 0)
    problems.push({ path: 'body.priceRangeCny.max', message: 'an integer number of CNY, 0 or more' });
  if (problems.length === 0 && min > max)
    problems.push({ path: 'body.priceRangeCny.max', message: `at least min (${min})` });
  if (input.providerUscc !== undefined) {
    const check = checkUscc(input.providerUscc);
    if (!check.valid || !check.checkDigitOk) {
      problems.push({
        path: 'body.providerUscc',
        message: `not a valid unified social credit code: ${check.problems.join('; ') || 'invalid'}`,
      });
    }
  }
  return problems;
}

/**
 * Whether the public may see a platform's profile and items today: active and still valid — valid until
 * the policy end in force (Art. 14), not the date stored when it was recognised.
 */
export const isShowcased = (p: Pick<Platform, 'status'>, policyEndDate: string, today: string): boolean =>
  isRecognisedOn(p, policyEndDate, today);

function assertExpectedVersion(
  entity: string,
  current: number | undefined,
  expected: number | undefined,
): void {
  if (expected === undefined) return;
  if (current === undefined || current !== expected) {
    throw new ConflictError(
      'STALE_VERSION',
      current === undefined
        ? `${entity} does not exist (any more); drop If-Match / version to create it.`
        : `${entity} is at version ${current}, not ${expected}; reload it and try again.`,
      { currentVersion: current ?? null },
    );
  }
}

const label = (kind: CatalogueKind, id: string) => (kind === 'service' ? `Service ${id}` : `Case ${id}`);

/**
 * `PUT /v1/platforms/{platformId}/services/{serviceId}` (Art. 6(1)): a host member creates (201) or
 * replaces (200) a catalogue item. `If-Match` / `version` (optional) must be the current version;
 * concurrent writes are always version-checked (409 STALE_VERSION); a hidden item stays hidden.
 * 409 PLATFORM_NOT_ACTIVE on a revoked or expired platform.
 */
export async function putService(
  deps: CatalogueDeps,
  principal: Principal,
  platformId: string,
  serviceId: string,
  input: ServiceInput,
  ifMatch?: number,
): Promise<{ status: 200 | 201; body: CatalogueService }> {
  const platform = await hostedPlatform(deps.platforms, principal, platformId);
  assertPlatformActive(platform);
  const problems = serviceInputProblems(input);
  if (problems.length) {
    throw new ValidationError(
      `Fix these fields: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    );
  }
  const before = await deps.catalogue.getService(platformId, serviceId);
  assertExpectedVersion(label('service', serviceId), before?.version, ifMatch ?? input.version);
  const now = deps.clock.now();
  const at = now.toISOString();
  const service: CatalogueService = {
    platformId,
    serviceId,
    category: input.category,
    name: input.name,
    provider: input.provider,
    ...(input.providerUscc !== undefined ? { providerUscc: normaliseUscc(input.providerUscc) } : {}),
    unit: input.unit,
    priceRangeCny: { min: input.priceRangeCny.min, max: input.priceRangeCny.max },
    available: input.available,
    ...(before?.hidden ? { hidden: before.hidden } : {}),
    version: (before?.version ?? 0) + 1,
    createdAt: before?.createdAt ?? at,
    updatedAt: at,
  };
  const { platformId: _p, version: _v, createdAt: _c, updatedAt: _u, hidden: _h, ...fields } = service;
  await deps.catalogue.saveService(
    service,
    before?.version,
    auditEvent(
      now,
      actorOf(principal),
      before ? 'catalogue.service_updated' : 'catalogue.service_created',
      'platform',
      platformId,
      { ...fields, version: service.version },
    ),
  );
  return { status: before ? 200 : 201, body: service };
}

/**
 * `PUT /v1/platforms/{platformId}/cases/{caseId}` (Art. 6(2)): a host member creates (201) or replaces
 * (200) a case; `evidenceIds` must be verified evidence of this platform (422 EVIDENCE_NOT_VERIFIED),
 * recorded as the case's media manifest. Same version and platform rules as services.
 */
export async function putCase(
  deps: CatalogueDeps,
  principal: Principal,
  platformId: string,
  caseId: string,
  input: CaseInput,
  ifMatch?: number,
): Promise<{ status: 200 | 201; body: PlatformCase }> {
  const platform = await hostedPlatform(deps.platforms, principal, platformId);
  assertPlatformActive(platform);
  const before = await deps.catalogue.getCase(platformId, caseId);
  assertExpectedVersion(label('case', caseId), before?.version, ifMatch ?? input.version);
  const media = input.evidenceIds?.length ? await deps.evidence(platformId, input.evidenceIds) : [];
  const now = deps.clock.now();
  const at = now.toISOString();
  const item: PlatformCase = {
    platformId,
    caseId,
    title: input.title,
    sector: input.sector,
    customerType: input.customerType,
    outcome: input.outcome,
    media,
    ...(before?.hidden ? { hidden: before.hidden } : {}),
    version: (before?.version ?? 0) + 1,
    createdAt: before?.createdAt ?? at,
    updatedAt: at,
  };
  await deps.catalogue.saveCase(
    item,
    before?.version,
    auditEvent(
      now,
      actorOf(principal),
      before ? 'catalogue.case_updated' : 'catalogue.case_created',
      'platform',
      platformId,
      {
        caseId,
        title: item.title,
        sector: item.sector,
        customerType: item.customerType,
        media: item.media,
        version: item.version,
      },
    ),
  );
  return { status: before ? 200 : 201, body: item };
}

async function existing(
  deps: CatalogueDeps,
  kind: CatalogueKind,
  platformId: string,
  id: string,
): Promise<CatalogueItem> {
  const item =
    kind === 'service'
      ? await deps.catalogue.getService(platformId, id)
      : await deps.catalogue.getCase(platformId, id);
  if (!item) throw new NotFoundError(kind, id);
  return item;
}

/**
 * `DELETE /v1/platforms/{platformId}/{services|cases}/{id}`: a host member removes an item → 204, with
 * an audit event keeping what was removed. 404 when it does not exist; 409 PLATFORM_NOT_ACTIVE.
 */
export async function deleteItem(
  deps: CatalogueDeps,
  principal: Principal,
  kind: CatalogueKind,
  platformId: string,
  id: string,
  ifMatch?: number,
): Promise<void> {
  const platform = await hostedPlatform(deps.platforms, principal, platformId);
  assertPlatformActive(platform);
  const item = await existing(deps, kind, platformId, id);
  assertExpectedVersion(label(kind, id), item.version, ifMatch);
  const now = deps.clock.now();
  await deps.catalogue.remove(
    kind,
    item,
    auditEvent(now, actorOf(principal), `catalogue.${kind}_deleted`, 'platform', platformId, {
      [kind === 'service' ? 'serviceId' : 'caseId']: id,
      removed: item,
    }),
  );
}

/**
 * `POST /v1/platforms/{platformId}/{services|cases}/{id}/visibility` (officer): hide an item from the
 * public showcase with a reason, or show it again. The host members are told; audited. Showing an item
 * that is not hidden changes nothing (200, no event). Works on any platform status (supervision).
 */
export async function setVisibility(
  deps: CatalogueDeps,
  principal: Principal,
  kind: CatalogueKind,
  platformId: string,
  id: string,
  input: { hidden: boolean; reason?: string; version?: number },
): Promise<CatalogueItem> {
  const platform = await deps.platforms.get(platformId);
  if (!platform) throw new NotFoundError('platform', platformId);
  const before = await existing(deps, kind, platformId, id);
  assertExpectedVersion(label(kind, id), before.version, input.version);
  const reason = input.reason?.trim();
  if (input.hidden && !reason) {
    throw new ValidationError('Say why the item is hidden: reason is required when hiding.', [
      { path: 'body.reason', message: 'required when hidden is true' },
    ]);
  }
  if (!input.hidden && !before.hidden) return before;
  const now = deps.clock.now();
  const at = now.toISOString();
  const { hidden: _h, ...rest } = before;
  const after: CatalogueItem = {
    ...rest,
    ...(input.hidden ? { hidden: { reason: reason as string, by: principal.sub, at } } : {}),
    version: before.version + 1,
    updatedAt: at,
  } as CatalogueItem;
  const action = `catalogue.${kind}_${input.hidden ? 'hidden' : 'shown'}`;
  const name = 'name' in before ? before.name : before.title;
  const members = await deps.platforms.hostMembers(platform.orgId);
  const notifications: NotificationInput[] = members.map((sub) => ({
    recipient: { sub },
    event: action,
    entityType: 'platform',
    entityId: platformId,
    title: input.hidden
      ? `“${name}”已被管理部门从展示门户隐藏：${reason} / “${name}” was hidden from the public showcase: ${reason}`
      : `“${name}”已恢复在展示门户显示 / “${name}” is shown on the public showcase again.`,
    detail: { kind, id, ...(input.hidden ? { reason } : {}) },
    at,
    dedupeKey: `${action}#${platformId}#${id}#${at}`,
  }));
  await deps.catalogue.setVisibility(
    kind,
    after,
    before.version,
    notifications,
    auditEvent(now, actorOf(principal), action, 'platform', platformId, {
      [kind === 'service' ? 'serviceId' : 'caseId']: id,
      ...(input.hidden ? { reason } : { previousReason: before.hidden?.reason }),
    }),
  );
  return after;
}

/** `GET /v1/platforms/{platformId}/services`: host members, staff and observers (audited), hidden ones too. */
export async function listPlatformServices(
  deps: CatalogueDeps,
  principal: Principal,
  platformId: string,
  query: { limit: number; cursor?: string },
): Promise<Page<CatalogueService>> {
  await platformAccess(deps.platforms, principal, platformId, [...STAFF, 'observer']);
  await auditObserverRead(deps, principal, 'listPlatformServices', 'platform', platformId);
  return deps.catalogue.listServices(platformId, query.limit, query.cursor);
}

/** `GET /v1/platforms/{platformId}/cases`: host members, staff and observers (audited), hidden ones too. */
export async function listPlatformCases(
  deps: CatalogueDeps,
  principal: Principal,
  platformId: string,
  query: { limit: number; cursor?: string },
): Promise<Page<PlatformCase>> {
  await platformAccess(deps.platforms, principal, platformId, [...STAFF, 'observer']);
  await auditObserverRead(deps, principal, 'listPlatformCases', 'platform', platformId);
  return deps.catalogue.listCases(platformId, query.limit, query.cursor);
}

/** What the showcase shows of a service: no hiding data, no version; the platform's name for display. */
export interface PublicService {
  readonly platformId: string;
  readonly platformName: string;
  readonly serviceId: string;
  readonly category: ServiceCategory;
  readonly name: string;
  readonly provider: string;
  /** Companies' USCCs are public registry data in China (National Enterprise Credit Information system). */
  readonly providerUscc?: string;
  readonly unit: string;
  readonly priceRangeCny: { readonly min: number; readonly max: number };
  readonly available: boolean;
  readonly updatedAt: string;
}

/** What the showcase shows of a case: its media by name only (files stay private, Art. 11). */
export interface PublicCase {
  readonly platformId: string;
  readonly platformName: string;
  readonly caseId: string;
  readonly title: string;
  readonly sector: string;
  readonly customerType: CustomerType;
  readonly outcome: string;
  readonly media: readonly {
    readonly evidenceId: string;
    readonly kind: string;
    readonly fileName: string;
  }[];
  readonly updatedAt: string;
}

export function toPublicService(s: CatalogueService, platformName: string): PublicService {
  return {
    platformId: s.platformId,
    platformName,
    serviceId: s.serviceId,
    category: s.category,
    name: s.name,
    provider: s.provider,
    ...(s.providerUscc ? { providerUscc: s.providerUscc } : {}),
    unit: s.unit,
    priceRangeCny: { min: s.priceRangeCny.min, max: s.priceRangeCny.max },
    available: s.available,
    updatedAt: s.updatedAt,
  };
}

export function toPublicCase(c: PlatformCase, platformName: string): PublicCase {
  return {
    platformId: c.platformId,
    platformName,
    caseId: c.caseId,
    title: c.title,
    sector: c.sector,
    customerType: c.customerType,
    outcome: c.outcome,
    media: (c.media ?? []).map((m) => ({ evidenceId: m.evidenceId, kind: m.kind, fileName: m.fileName })),
    updatedAt: c.updatedAt,
  };
}

/**
 * Keeps the items whose platform is showcased today (one batch read of the page's distinct platforms):
 * a revoked or expired platform's items drop off the public lists at once, without touching them.
 */
async function showcasedOnly<T extends { platformId: string }, V>(
  deps: CatalogueDeps,
  page: Page<T>,
  view: (item: T, platformName: string) => V,
): Promise<Page<V>> {
  const ids = [...new Set(page.items.map((i) => i.platformId))];
  const today = shanghaiDate(deps.clock.now());
  const [platforms, policyEnd] = ids.length
    ? await Promise.all([deps.catalogue.platformsById(ids), deps.policyEndDate()])
    : [[], ''];
  const names = new Map(
    platforms.filter((p) => isShowcased(p, policyEnd, today)).map((p) => [p.id, p.hostName]),
  );
  return {
    items: page.items.flatMap((i) => {
      const name = names.get(i.platformId);
      return name === undefined ? [] : [view(i, name)];
    }),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}

/** `GET /v1/public/services?category=&q=&platformId=`: visible services of showcased platforms. */
export async function publicServices(
  deps: CatalogueDeps,
  query: ShowcaseQuery,
): Promise<Page<PublicService>> {
  const q = query.q !== undefined ? normaliseText(query.q) : undefined;
  const page = await deps.catalogue.showcaseServices({ ...query, ...(q ? { q } : {}) });
  return showcasedOnly(deps, page, toPublicService);
}

/** `GET /v1/public/cases?sector=&q=&platformId=`: visible cases of showcased platforms. */
export async function publicCases(deps: CatalogueDeps, query: ShowcaseQuery): Promise<Page<PublicCase>> {
  const q = query.q !== undefined ? normaliseText(query.q) : undefined;
  const sector = query.sector !== undefined ? normaliseText(query.sector) : undefined;
  const page = await deps.catalogue.showcaseCases({
    ...query,
    ...(q ? { q } : {}),
    ...(sector ? { sector } : {}),
  });
  return showcasedOnly(deps, page, toPublicCase);
}

export interface PublicProfile extends PublicPlatformView {
  readonly services: PublicService[];
  readonly servicesNextCursor?: string;
  readonly cases: PublicCase[];
  readonly casesNextCursor?: string;
}

/**
 * `GET /v1/public/platforms/{platformId}` (Art. 6(6)): the public registry view of a showcased platform
 * with its first visible services and cases (more through `/v1/public/services?platformId=…&cursor=`);
 * 404 for an unknown platform or one that is not active.
 */
export async function publicProfile(deps: CatalogueDeps, platformId: string): Promise<PublicProfile> {
  const [stored, policyEnd] = await Promise.all([deps.platforms.get(platformId), deps.policyEndDate()]);
  if (!stored || !isShowcased(stored, policyEnd, shanghaiDate(deps.clock.now()))) {
    throw new NotFoundError('platform', platformId);
  }
  const platform = withPolicyEnd(stored, policyEnd);
  const [services, cases] = await Promise.all([
    deps.catalogue.showcaseServices({ platformId, limit: PROFILE_ITEMS }),
    deps.catalogue.showcaseCases({ platformId, limit: PROFILE_ITEMS }),
  ]);
  return {
    ...toPublicPlatform(platform),
    services: services.items.map((s) => toPublicService(s, platform.hostName)),
    ...(services.nextCursor ? { servicesNextCursor: services.nextCursor } : {}),
    cases: cases.items.map((c) => toPublicCase(c, platform.hostName)),
    ...(cases.nextCursor ? { casesNextCursor: cases.nextCursor } : {}),
  };
}
