import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../core/audit.ts';
import {
  type CatalogueItem,
  type CatalogueKind,
  type CatalogueRepo,
  caseSearchText,
  normaliseText,
  type Page,
  type PlatformCase,
  type ShowcaseQuery,
  serviceSearchText,
} from '../core/catalogue.ts';
import { type CatalogueLookup, type CatalogueService, serviceKey } from '../core/catalogue-model.ts';
import { type NotificationInput, notificationItem } from '../core/notifications.ts';
import type { Platform } from '../core/platforms.ts';
import { keys } from '../core/recognition-model.ts';
import { StaleVersionError } from '../shared/errors.ts';
import { dynamoDocumentClient, tableName } from './dynamo-client.ts';
import { platformActiveCheck } from './platform-evidence-store.ts';
import {
  decodeCursor,
  encodeCursor,
  type Item,
  type Key,
  type Registry,
  registry,
  type TxOp,
} from './registry.ts';
import { GSI1, GSI2 } from './table-schema.ts';

/**
 * The platform profile (Art. 6(1), (2), (6)) in the registry, next to the platform:
 * - `PLATFORM#<id>` / `SERVICE#<serviceId>`: a catalogue item; `PLATFORM#<id>` / `CASE#<caseId>`: a case.
 *   A platform's whole catalogue (or case library) is one query of its partition (host and staff lists,
 *   the public profile, the public lists filtered by platform).
 * - The public showcase reuses the generic indexes, sparsely: only a visible (not hidden) item carries
 *   gsi1 `SHOWCASE#SERVICE#<category>` / `SHOWCASE#CASE#<normalised sector>` and gsi2
 *   `SHOWCASE#SERVICE` / `SHOWCASE#CASE`, sort key `<platformId>#<id>` (stable pages). Hiding an item
 *   rewrites it without those keys, so hidden items are never read by a public list.
 * - `search`: the normalised (NFKC, lower-case, collapsed whitespace) text `q` is matched in with
 *   `contains()` — DynamoDB has no full-text search, so a public query reads at most
 *   `SHOWCASE_READ_BUDGET` items per request and returns `nextCursor` when more remain: a page may hold
 *   fewer than `limit` items (even none) and still go on.
 * - Platform status is not copied onto the items: the use case drops items of platforms that are not
 *   active (one BatchGet of the page's distinct platforms), so revocation and the policy end need not
 *   know about the catalogue.
 */
export const caseKey = (platformId: string, caseId: string): Key => ({
  pk: `PLATFORM#${platformId}`,
  sk: `CASE#${caseId}`,
});

/** Items a public list reads (before its filters) per request at most: bounds each page's cost. */
export const SHOWCASE_READ_BUDGET = 100;
/** DynamoDB BatchGetItem reads at most this many keys per call. */
const BATCH_GET_MAX = 100;
/** Unprocessed keys of a BatchGet are retried this many times (throttling), then reported as an error. */
const BATCH_GET_ATTEMPTS = 4;

const INTERNAL = ['pk', 'sk', 'type', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'search'];
function strip<T>(item: Item): T {
  const copy: Item = { ...item };
  for (const k of INTERNAL) delete copy[k];
  return copy as T;
}

interface KindSpec {
  readonly prefix: string;
  readonly type: string;
  readonly key: (item: CatalogueItem) => Key;
  readonly showcaseAll: string;
  /** gsi1 partition of a visible item (by category / sector). */
  readonly showcaseBy: (item: CatalogueItem) => string;
  readonly search: (item: CatalogueItem) => string;
  readonly id: (item: CatalogueItem) => string;
}

const SPECS: Record<CatalogueKind, KindSpec> = {
  service: {
    prefix: 'SERVICE#',
    type: 'catalogue-service',
    key: (i) => serviceKey(i.platformId, (i as CatalogueService).serviceId),
    showcaseAll: 'SHOWCASE#SERVICE',
    showcaseBy: (i) => `SHOWCASE#SERVICE#${(i as CatalogueService).category}`,
    search: (i) => serviceSearchText(i as CatalogueService),
    id: (i) => (i as CatalogueService).serviceId,
  },
  case: {
    prefix: 'CASE#',
    type: 'catalogue-case',
    key: (i) => caseKey(i.platformId, (i as PlatformCase).caseId),
    showcaseAll: 'SHOWCASE#CASE',
    showcaseBy: (i) => `SHOWCASE#CASE#${normaliseText((i as PlatformCase).sector)}`,
    search: (i) => caseSearchText(i as PlatformCase),
    id: (i) => (i as PlatformCase).caseId,
  },
};

/** The stored item: the record, its search text and, when visible, its showcase index keys. */
export function catalogueItem(kind: CatalogueKind, item: CatalogueItem): Item & Key {
  const spec = SPECS[kind];
  const sort = `${item.platformId}#${spec.id(item)}`;
  return {
    ...spec.key(item),
    type: spec.type,
    ...item,
    search: spec.search(item),
    ...(item.hidden
      ? {}
      : { gsi1pk: spec.showcaseBy(item), gsi1sk: sort, gsi2pk: spec.showcaseAll, gsi2sk: sort }),
  };
}

function writeOp(kind: CatalogueKind, item: CatalogueItem, previousVersion: number | undefined): TxOp {
  const entity = `${kind === 'service' ? 'Service' : 'Case'} ${SPECS[kind].id(item)}`;
  return {
    kind: 'put',
    item: catalogueItem(kind, item),
    ...(previousVersion === undefined
      ? { ifNew: true }
      : {
          condition: {
            expression: '#version = :previous',
            names: { '#version': 'version' },
            values: { ':previous': previousVersion },
          },
        }),
    onConflict: () => new StaleVersionError(entity),
  };
}

const notificationOps = (list: readonly NotificationInput[]): TxOp[] =>
  list.map((n): TxOp => ({ kind: 'put', item: notificationItem(n), ifNew: true }));

export class DynamoCatalogueStore implements CatalogueRepo, CatalogueLookup {
  constructor(private readonly reg: Registry = registry()) {}

  async getService(platformId: string, serviceId: string): Promise<CatalogueService | undefined> {
    const item = await this.reg.get(serviceKey(platformId, serviceId));
    return item ? strip<CatalogueService>(item) : undefined;
  }

  async getCase(platformId: string, caseId: string): Promise<PlatformCase | undefined> {
    const item = await this.reg.get(caseKey(platformId, caseId));
    return item ? strip<PlatformCase>(item) : undefined;
  }

  async saveService(service: CatalogueService, previousVersion: number | undefined, audit: AuditEvent) {
    await this.reg.transact({
      ops: [platformActiveCheck(service.platformId), writeOp('service', service, previousVersion)],
      audit: [audit],
    });
  }

  async saveCase(item: PlatformCase, previousVersion: number | undefined, audit: AuditEvent) {
    await this.reg.transact({
      ops: [platformActiveCheck(item.platformId), writeOp('case', item, previousVersion)],
      audit: [audit],
    });
  }

  async remove(kind: CatalogueKind, item: CatalogueItem, audit: AuditEvent): Promise<void> {
    const spec = SPECS[kind];
    await this.reg.transact({
      ops: [
        platformActiveCheck(item.platformId),
        {
          kind: 'delete',
          key: spec.key(item),
          condition: {
            expression: '#version = :version',
            names: { '#version': 'version' },
            values: { ':version': item.version },
          },
          onConflict: () =>
            new StaleVersionError(`${kind === 'service' ? 'Service' : 'Case'} ${spec.id(item)}`),
        },
      ],
      audit: [audit],
    });
  }

  async setVisibility(
    kind: CatalogueKind,
    after: CatalogueItem,
    previousVersion: number,
    notifications: readonly NotificationInput[],
    audit: AuditEvent,
  ): Promise<void> {
    await this.reg.transact({
      ops: [writeOp(kind, after, previousVersion), ...notificationOps(notifications)],
      audit: [audit],
    });
  }

  listServices(platformId: string, limit: number, cursor?: string) {
    return this.partitionPage<CatalogueService>('service', platformId, limit, cursor);
  }

  listCases(platformId: string, limit: number, cursor?: string) {
    return this.partitionPage<PlatformCase>('case', platformId, limit, cursor);
  }

  showcaseServices(query: ShowcaseQuery): Promise<Page<CatalogueService>> {
    return this.showcase<CatalogueService>('service', query.category, query);
  }

  showcaseCases(query: ShowcaseQuery): Promise<Page<PlatformCase>> {
    return this.showcase<PlatformCase>('case', query.sector, query);
  }

  /** One BatchGetItem per 100 distinct ids (a public page names at most `limit` ≤ 100 platforms). */
  async platformsById(ids: readonly string[]): Promise<Platform[]> {
    const out: Platform[] = [];
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += BATCH_GET_MAX) {
      let pending: Record<string, unknown>[] = unique
        .slice(i, i + BATCH_GET_MAX)
        .map((id) => ({ ...keys.platform(id) }));
      for (let attempt = 1; pending.length; attempt += 1) {
        if (attempt > BATCH_GET_ATTEMPTS)
          throw new Error(`BatchGet of platforms: ${pending.length} keys unprocessed`);
        const res = await dynamoDocumentClient().send(
          new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: pending } } }),
        );
        for (const item of res.Responses?.[tableName()] ?? []) {
          const { pk: _pk, sk: _sk, type: _t, gsi1pk: _g1, gsi1sk: _s1, ...platform } = item;
          out.push(platform as unknown as Platform);
        }
        pending = (res.UnprocessedKeys?.[tableName()]?.Keys ?? []) as Record<string, unknown>[];
      }
    }
    return out;
  }

  /** Host and staff lists: the platform's partition, by id, every item (hidden ones too). */
  private async partitionPage<T>(
    kind: CatalogueKind,
    platformId: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<T>> {
    const pk = `PLATFORM#${platformId}`;
    const prefix = SPECS[kind].prefix;
    const start = cursor
      ? decodeCursor(
          cursor,
          (k) =>
            k.pk === pk && typeof k.sk === 'string' && k.sk.startsWith(prefix) && Object.keys(k).length === 2,
        )
      : undefined;
    const res = await this.reg.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
      ExpressionAttributeValues: { ':pk': pk, ':sk': prefix },
      Limit: limit,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    return {
      items: res.items.map((i) => strip<T>(i)),
      ...(res.lastKey && res.items.length === limit ? { nextCursor: encodeCursor(res.lastKey) } : {}),
    };
  }

  /**
   * Public lists. By platform: that platform's partition, hidden items filtered out; by category /
   * sector: gsi1; else gsi2. `q` is a `contains(search, :q)` filter. Reads at most
   * SHOWCASE_READ_BUDGET items (exactly `limit` when nothing is filtered); the cursor is bound to the
   * query's partition (a cursor of another listing → 400).
   */
  private async showcase<T>(
    kind: CatalogueKind,
    by: string | undefined,
    query: ShowcaseQuery,
  ): Promise<Page<T>> {
    const spec = SPECS[kind];
    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    let keyNames: readonly string[];
    let index: string | undefined;
    let keyCondition: string;
    let accept: (k: Record<string, unknown>) => boolean;
    if (query.platformId !== undefined) {
      const pk = `PLATFORM#${query.platformId}`;
      keyNames = ['pk', 'sk'];
      keyCondition = 'pk = :pk AND begins_with(sk, :prefix)';
      values[':pk'] = pk;
      values[':prefix'] = spec.prefix;
      filters.push('attribute_not_exists(#hidden)');
      names['#hidden'] = 'hidden';
      if (by !== undefined) {
        // By platform and category / sector: the gsi1 partition name the item carries says both.
        filters.push('gsi1pk = :by');
        values[':by'] = kind === 'service' ? `SHOWCASE#SERVICE#${by}` : `SHOWCASE#CASE#${by}`;
      }
      accept = (k) =>
        k.pk === pk &&
        typeof k.sk === 'string' &&
        k.sk.startsWith(spec.prefix) &&
        Object.keys(k).length === 2;
    } else {
      const [pkName, skName, idx] =
        by !== undefined ? ['gsi1pk', 'gsi1sk', GSI1.name] : ['gsi2pk', 'gsi2sk', GSI2.name];
      const pk =
        by !== undefined
          ? kind === 'service'
            ? `SHOWCASE#SERVICE#${by}`
            : `SHOWCASE#CASE#${by}`
          : spec.showcaseAll;
      index = idx;
      keyNames = [pkName, skName, 'pk', 'sk'];
      keyCondition = `${pkName} = :pk`;
      values[':pk'] = pk;
      accept = (k) =>
        k[pkName] === pk &&
        typeof k[skName] === 'string' &&
        typeof k.pk === 'string' &&
        typeof k.sk === 'string' &&
        Object.keys(k).length === 4;
    }
    if (query.q) {
      filters.push('contains(#search, :q)');
      names['#search'] = 'search';
      values[':q'] = query.q;
    }
    const start = query.cursor ? decodeCursor(query.cursor, accept) : undefined;
    const budget = filters.length ? Math.max(query.limit, SHOWCASE_READ_BUDGET) : query.limit;
    const res = await this.reg.query({
      ...(index ? { IndexName: index } : {}),
      KeyConditionExpression: keyCondition,
      ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
      ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
      Limit: budget,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    if (res.items.length > query.limit) {
      // More matches than asked for: stop after the last one returned and go on from there.
      const kept = res.items.slice(0, query.limit);
      const last = kept[kept.length - 1] as Item;
      const key = Object.fromEntries(keyNames.map((n) => [n, last[n]]));
      return { items: kept.map((i) => strip<T>(i)), nextCursor: encodeCursor(key) };
    }
    return {
      items: res.items.map((i) => strip<T>(i)),
      ...(res.lastKey ? { nextCursor: encodeCursor(res.lastKey) } : {}),
    };
  }
}

/** The catalogue as the voucher ledger reads it (Art. 6(3): a redemption buys from the catalogue). */
export const catalogueLookup = (): CatalogueLookup => new DynamoCatalogueStore();
