import type { Platform, PlatformRepo } from '../core/platforms.ts';
import { keys } from '../core/recognition-model.ts';
import { DynamoOrganisationStore } from './organisation-store.ts';
import { decodeCursor, encodeCursor, type Item, type Registry, registry, type TxOp } from './registry.ts';
import { GSI1 } from './table-schema.ts';

/**
 * Platforms in the registry (Art. 8(4), Art. 14):
 * - `PLATFORM#<id>` / `PLATFORM`: the platform; gsi1 `PLATFORMS#<status>` / `<recognisedAt>#<id>`
 *   (the public list of active platforms, newest first; whether they are still valid is the policy end's
 *   question — Art. 14, `isRecognisedOn` — not the stored `validUntil`, which records the date as recognised).
 */
const INTERNAL = ['pk', 'sk', 'type', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'duePk', 'dueSk'];

/** The platform item as the notice close puts it (with `ifNew`). */
export function platformItem(p: Platform): Item & { pk: string; sk: string } {
  return {
    ...keys.platform(p.id),
    type: 'platform',
    ...p,
    gsi1pk: `PLATFORMS#${p.status}`,
    gsi1sk: `${p.recognisedAt}#${p.id}`,
  };
}

function strip(item: Item): Platform {
  const copy: Item = { ...item };
  for (const k of INTERNAL) delete copy[k];
  return copy as unknown as Platform;
}

export class DynamoPlatformStore implements PlatformRepo {
  constructor(
    private readonly reg: Registry = registry(),
    private readonly orgs: DynamoOrganisationStore = new DynamoOrganisationStore(reg),
  ) {}

  async get(id: string): Promise<Platform | undefined> {
    const item = await this.reg.get(keys.platform(id));
    return item ? strip(item) : undefined;
  }

  async listActive(limit: number, cursor?: string): Promise<{ items: Platform[]; nextCursor?: string }> {
    const pk = 'PLATFORMS#active';
    const start = cursor
      ? decodeCursor(
          cursor,
          (k) =>
            k.gsi1pk === pk &&
            typeof k.gsi1sk === 'string' &&
            typeof k.pk === 'string' &&
            typeof k.sk === 'string' &&
            Object.keys(k).length === 4,
        )
      : undefined;
    const page = await this.reg.query({
      IndexName: GSI1.name,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ScanIndexForward: false,
      Limit: limit,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    return {
      items: page.items.map(strip),
      ...(page.lastKey ? { nextCursor: encodeCursor(page.lastKey) } : {}),
    };
  }

  async hostMembers(orgId: string): Promise<readonly string[]> {
    return (await this.orgs.get(orgId))?.memberSubs ?? [];
  }
}

/**
 * Art. 10: the history of a platform — `PLATFORM#<id>` / `HISTORY#<at>#<platformVersion>` keeps the
 * registry values a change replaced (oldest first). Put it in the transaction that changes the platform.
 */
export function historyOp(
  platformId: string,
  entry: { readonly at: string; readonly platformVersion: number },
): TxOp {
  return {
    kind: 'put',
    item: {
      pk: `PLATFORM#${platformId}`,
      sk: `HISTORY#${entry.at}#${String(entry.platformVersion).padStart(6, '0')}`,
      type: 'platform-history',
      ...entry,
    },
    ifNew: true,
  };
}
