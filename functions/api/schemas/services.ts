import * as z from 'zod';
import { CUSTOMER_TYPES, SERVICE_CATEGORIES } from '../../core/catalogue.ts';
import { IdParam, Instant, PageQuery } from './common.ts';
import { ManifestEntrySchema } from './operations.ts';

/** Platform profile (Art. 6(1), (2), (6)): service catalogue, case library and the public showcase. */
export const ServiceIdParams = z.object({ platformId: IdParam, serviceId: IdParam });
export const CaseIdParams = z.object({ platformId: IdParam, caseId: IdParam });
export const PlatformIdParams = z.object({ platformId: IdParam });

/** Longest name, provider, title or sector the catalogue stores (a showcase card, not a document). */
export const NAME_MAX = 200;
export const UNIT_MAX = 50;
export const SECTOR_MAX = 100;
export const OUTCOME_MAX = 5000;
export const REASON_MAX = 2000;
export const SEARCH_MAX = 100;

const Text = (max: number) => z.string().trim().min(1).max(max);

/** Money as integer CNY (contract), never negative, exact in JSON. */
const Cny = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const PriceRange = z
  .object({ min: Cny, max: Cny })
  .strict()
  .refine((r) => r.min <= r.max, { message: 'max must be at least min', path: ['max'] })
  .describe('indicative price range per unit, integer CNY, min ≤ max');

const Version = z
  .number()
  .int()
  .min(1)
  .optional()
  .describe('the version you read (optimistic locking; or If-Match)');

export const PutServiceBody = z
  .object({
    category: z.enum(SERVICE_CATEGORIES),
    name: Text(NAME_MAX),
    provider: Text(NAME_MAX).describe('the supplier’s name as shown to enterprises'),
    providerUscc: z
      .string()
      .trim()
      .length(18)
      .optional()
      .describe('the supplier’s unified social credit code (valid check character); vouchers need it'),
    unit: Text(UNIT_MAX).describe('e.g. GPU card-hour, million tokens, seat-year'),
    priceRangeCny: PriceRange,
    available: z.boolean(),
    version: Version,
  })
  .strict()
  .meta({ id: 'PutCatalogueService' });

export const PutCaseBody = z
  .object({
    title: Text(NAME_MAX),
    sector: Text(SECTOR_MAX).describe(
      'industry / sector, e.g. 智能制造; filtered case- and space-insensitively',
    ),
    customerType: z.enum(CUSTOMER_TYPES),
    outcome: Text(OUTCOME_MAX),
    evidenceIds: z
      .array(IdParam)
      .max(50)
      .optional()
      .describe('verified evidence of this platform: the case’s media (photos, videos, reports)'),
    version: Version,
  })
  .strict()
  .meta({ id: 'PutCase' });

export const VisibilityBody = z
  .object({
    hidden: z.boolean(),
    reason: Text(REASON_MAX).optional().describe('required when hiding; told to the host'),
    version: Version,
  })
  .strict()
  .refine((b) => !b.hidden || b.reason !== undefined, {
    message: 'required when hidden is true',
    path: ['reason'],
  })
  .meta({ id: 'CatalogueVisibility' });

const HiddenSchema = z
  .object({ reason: z.string(), by: z.string(), at: Instant })
  .describe('hidden from the public showcase by staff (host and staff only)');

export const ServiceSchema = z
  .object({
    platformId: z.string(),
    serviceId: z.string(),
    category: z.enum(SERVICE_CATEGORIES),
    name: z.string(),
    provider: z.string(),
    providerUscc: z.string().optional(),
    unit: z.string(),
    priceRangeCny: z.object({ min: z.number().int(), max: z.number().int() }),
    available: z.boolean(),
    hidden: HiddenSchema.optional(),
    version: z.number().int(),
    createdAt: Instant,
    updatedAt: Instant,
  })
  .meta({ id: 'CatalogueService' });

export const CaseSchema = z
  .object({
    platformId: z.string(),
    caseId: z.string(),
    title: z.string(),
    sector: z.string(),
    customerType: z.enum(CUSTOMER_TYPES),
    outcome: z.string(),
    media: z.array(ManifestEntrySchema),
    hidden: HiddenSchema.optional(),
    version: z.number().int(),
    createdAt: Instant,
    updatedAt: Instant,
  })
  .meta({ id: 'PlatformCase' });

export const PublicServiceSchema = z
  .object({
    platformId: z.string(),
    platformName: z.string(),
    serviceId: z.string(),
    category: z.enum(SERVICE_CATEGORIES),
    name: z.string(),
    provider: z.string(),
    providerUscc: z.string().optional().describe('public registry data in China'),
    unit: z.string(),
    priceRangeCny: z.object({ min: z.number().int(), max: z.number().int() }),
    available: z.boolean(),
    updatedAt: Instant,
  })
  .meta({ id: 'PublicService' });

export const PublicCaseSchema = z
  .object({
    platformId: z.string(),
    platformName: z.string(),
    caseId: z.string(),
    title: z.string(),
    sector: z.string(),
    customerType: z.enum(CUSTOMER_TYPES),
    outcome: z.string(),
    media: z.array(z.object({ evidenceId: z.string(), kind: z.string(), fileName: z.string() })),
    updatedAt: Instant,
  })
  .meta({ id: 'PublicCase' });

export const PublicProfileSchema = z
  .object({
    id: z.string(),
    hostName: z.string(),
    uscc: z.string(),
    summary: z.string(),
    capabilities: z.array(z.string()),
    consortium: z.array(z.object({ name: z.string(), kind: z.string() })),
    status: z.string(),
    recognisedAt: Instant,
    validUntil: z.string(),
    services: z.array(PublicServiceSchema),
    servicesNextCursor: z
      .string()
      .optional()
      .describe('more: GET /v1/public/services?platformId=<id>&cursor=<this>'),
    cases: z.array(PublicCaseSchema),
    casesNextCursor: z
      .string()
      .optional()
      .describe('more: GET /v1/public/cases?platformId=<id>&cursor=<this>'),
  })
  .meta({ id: 'PublicPlatformProfile' });

/**
 * Free text a public query may carry: no control or format characters and no lone surrogates (they
 * are never in stored text, and a query must not smuggle them into the database request).
 */
const QueryText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !/[\p{Cc}\p{Cf}]/u.test(s), 'no control or format characters')
    .refine(
      (s) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s),
      'well-formed text only',
    );

const showcaseBase = {
  q: QueryText(SEARCH_MAX)
    .optional()
    .describe(
      'substring of the name, provider, unit or category (cases: title, sector, outcome), case-insensitive',
    ),
  platformId: IdParam.optional(),
};

export const PublicServicesQuery = PageQuery.extend({
  category: z.enum(SERVICE_CATEGORIES).optional(),
  ...showcaseBase,
})
  .strict()
  .describe(
    'A page reads at most 100 items before its filters: with q (or platformId) it may hold fewer than limit items and still carry nextCursor.',
  );

export const PublicCasesQuery = PageQuery.extend({
  sector: QueryText(SECTOR_MAX).optional().describe('exact sector, case- and space-insensitive'),
  ...showcaseBase,
})
  .strict()
  .describe(
    'A page reads at most 100 items before its filters: with q (or platformId) it may hold fewer than limit items and still carry nextCursor.',
  );

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().optional() });
