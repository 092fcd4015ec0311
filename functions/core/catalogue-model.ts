/**
 * The shared shape of a platform's service catalogue (Art. 6(1)–(2)): written by the catalogue slice
 * (`functions/core/catalogue.ts`, `functions/adapters/catalogue-store.ts`), read by the voucher ledger
 * (Art. 6(3)) to check that a redemption buys from a supplier in the issuing platform's catalogue.
 */
export const SERVICE_CATEGORIES = ['compute', 'model', 'data', 'industrial_software', 'other'] as const;
export type ServiceCategory = (typeof SERVICE_CATEGORIES)[number];

export interface CatalogueService {
  readonly platformId: string;
  /** Chosen by the host (PUT is an upsert by id): `[a-z0-9-]{1,64}`. */
  readonly serviceId: string;
  readonly category: ServiceCategory;
  readonly name: string;
  /** The supplier's name as shown to enterprises. */
  readonly provider: string;
  /** The supplier's unified social credit code, when the supplier is an organisation (vouchers need it). */
  readonly providerUscc?: string;
  /** e.g. 'GPU card-hour', 'million tokens', 'seat-year'. */
  readonly unit: string;
  readonly priceRangeCny: { readonly min: number; readonly max: number };
  readonly available: boolean;
  /** Hidden by staff (with a reason): off the public showcase, still visible to the host and staff. */
  readonly hidden?: { readonly reason: string; readonly by: string; readonly at: string };
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Key of a catalogue item: under its platform, so a platform's catalogue is one query. */
export const serviceKey = (platformId: string, serviceId: string) => ({
  pk: `PLATFORM#${platformId}`,
  sk: `SERVICE#${serviceId}`,
});

/** What the voucher ledger needs from the catalogue. */
export interface CatalogueLookup {
  /** The service, hidden or not; undefined when it does not exist (or was deleted). */
  getService(platformId: string, serviceId: string): Promise<CatalogueService | undefined>;
}
