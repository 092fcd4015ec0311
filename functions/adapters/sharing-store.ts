import type { AuditEvent } from '../core/audit.ts';
import type { SharingConsent, SharingRepo } from '../core/sharing.ts';
import type { IdempotencyWrite } from '../shared/idempotency.ts';
import { platformActiveCheck } from './platform-evidence-store.ts';
import { type Item, type Registry, registry } from './registry.ts';

/** Sharing consents (Art. 11): `PLATFORM#<id>` / `CONSENT#<createdAt>#<id>`, next to the platform. */
export class DynamoSharingStore implements SharingRepo {
  constructor(private readonly reg: Registry = registry()) {}

  async create(consent: SharingConsent, audit: AuditEvent, idempotency?: IdempotencyWrite): Promise<void> {
    await this.reg.transact({
      ops: [
        platformActiveCheck(consent.platformId),
        {
          kind: 'put',
          item: {
            pk: `PLATFORM#${consent.platformId}`,
            sk: `CONSENT#${consent.createdAt}#${consent.id}`,
            type: 'sharing-consent',
            ...consent,
          },
          ifNew: true,
        },
      ],
      audit: [audit],
      ...(idempotency ? { idempotency } : {}),
    });
  }

  /** A platform's consents, oldest first (a platform records a handful). */
  async list(platformId: string): Promise<SharingConsent[]> {
    const out: SharingConsent[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.reg.query({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: { ':pk': `PLATFORM#${platformId}`, ':sk': 'CONSENT#' },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
      out.push(
        ...res.items.map((i: Item) => {
          const { pk: _pk, sk: _sk, type: _t, ...rest } = i;
          return rest as unknown as SharingConsent;
        }),
      );
      start = res.lastKey;
    } while (start);
    return out;
  }

  async record(audit: AuditEvent): Promise<void> {
    await this.reg.transact({ ops: [], audit: [audit] });
  }
}
