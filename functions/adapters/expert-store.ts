import type { AuditEvent } from '../core/audit.ts';
import type { Expert, ExpertRepo } from '../core/experts.ts';
import { keys } from '../core/recognition-model.ts';
import { ConflictError } from '../shared/errors.ts';
import type { IdempotencyWrite } from '../shared/idempotency.ts';
import { decodeCursor, encodeCursor, type Item, type Registry, registry } from './registry.ts';
import { GSI1 } from './table-schema.ts';

/**
 * Experts (Art. 8(3)) in the registry:
 * - `EXPERT#<id>` / `EXPERT`: the expert; gsi1 `EXPERTS` / `<createdAt>#<id>` (the pool, oldest first);
 * - `EXPERTUSER#<sub>` / `GUARD` `{ expertId }`: one expert record per user account (what links a
 *   signed-in expert to their assignments).
 */
const INTERNAL = ['pk', 'sk', 'type', 'gsi1pk', 'gsi1sk'];

function toExpert(item: Item): Expert {
  const copy: Item = { ...item };
  for (const k of INTERNAL) delete copy[k];
  return copy as unknown as Expert;
}

export class DynamoExpertStore implements ExpertRepo {
  constructor(private readonly reg: Registry = registry()) {}

  async create(expert: Expert, audit: AuditEvent, idempotency?: IdempotencyWrite): Promise<void> {
    await this.reg.transact({
      ops: [
        {
          kind: 'put',
          item: {
            ...keys.expertByUser(expert.userId),
            type: 'guard',
            expertId: expert.id,
            createdAt: expert.createdAt,
          },
          ifNew: true,
          onConflict: () =>
            new ConflictError(
              'EXPERT_ALREADY_REGISTERED',
              `User ${expert.userId} is already registered as an expert.`,
            ),
        },
        {
          kind: 'put',
          item: {
            ...keys.expert(expert.id),
            type: 'expert',
            ...expert,
            gsi1pk: 'EXPERTS',
            gsi1sk: `${expert.createdAt}#${expert.id}`,
          },
          ifNew: true,
        },
      ],
      audit: [audit],
      ...(idempotency ? { idempotency } : {}),
    });
  }

  async get(id: string): Promise<Expert | undefined> {
    const item = await this.reg.get(keys.expert(id));
    return item ? toExpert(item) : undefined;
  }

  async getByUser(sub: string): Promise<Expert | undefined> {
    const guard = await this.reg.get(keys.expertByUser(sub));
    return typeof guard?.expertId === 'string' ? this.get(guard.expertId) : undefined;
  }

  async list(limit: number, cursor?: string): Promise<{ items: Expert[]; nextCursor?: string }> {
    const start = cursor
      ? decodeCursor(
          cursor,
          (k) =>
            k.gsi1pk === 'EXPERTS' &&
            typeof k.gsi1sk === 'string' &&
            typeof k.pk === 'string' &&
            typeof k.sk === 'string',
        )
      : undefined;
    const page = await this.reg.query({
      IndexName: GSI1.name,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': 'EXPERTS' },
      Limit: limit,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    return {
      items: page.items.map(toExpert),
      ...(page.lastKey ? { nextCursor: encodeCursor(page.lastKey) } : {}),
    };
  }
}
