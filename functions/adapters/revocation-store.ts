import type { AuditEvent } from '../core/audit.ts';
import { dueKeys } from '../core/deadlines.ts';
import { EVALUATION_STATES, evaluationExecutionName, evaluationKeys } from '../core/evaluations.ts';
import { type HumanTask, taskId } from '../core/human-tasks.ts';
import { type NotificationInput, notificationItem } from '../core/notifications.ts';
import type { Platform } from '../core/platforms.ts';
import { keys } from '../core/recognition-model.ts';
import {
  type GradeRecord,
  POLICY_END_DUE,
  type PolicyEndRepo,
  policyEndInstant,
  REVOCATION_RESPONSE_DUE,
  type Revocation,
  type RevocationPage,
  type RevocationPlatforms,
  type RevocationRepo,
  type RevocationStatus,
  type RevokeEffects,
} from '../core/revocations.ts';
import { ConflictError, StaleVersionError } from '../shared/errors.ts';
import type { IdempotencyWrite } from '../shared/idempotency.ts';
import { gradesOf } from './evaluation-store.ts';
import { DynamoHumanTaskStore, finishTaskOps } from './human-task-store.ts';
import { DynamoOrganisationStore } from './organisation-store.ts';
import { decodeCursor, encodeCursor, type Item, type Registry, registry, type TxOp } from './registry.ts';
import { DUE_SHARDS, GSI1, GSI2 } from './table-schema.ts';

/**
 * Revocation cases (Art. 13) and the policy end (Art. 14) in the registry:
 * - `REVOCATION#<id>` / `REVOCATION`: the case; gsi1 `REVOCATIONS#<status>` / `<createdAt>#<id>`,
 *   gsi2 `REVOCATIONS` / `<createdAt>#<id>` (staff lists and exports, newest first); due index
 *   `<responseDeadline>#revocation-response#<id>` until the response period has ended;
 * - `PLATFORM#<platformId>` / `OPENREVOCATION`: guard, one open case per platform (put with the case,
 *   deleted by the decision);
 * - `POLICYEND` / `POLICYEND`: the planned end of recognitions, due `<end instant>#policy-end#policy`;
 * - a revoked or expired platform keeps its item: `status`, `revokedAt`/`endedAt`, gsi1 `PLATFORMS#<status>`.
 */
const INTERNAL = ['pk', 'sk', 'type', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'duePk', 'dueSk'];

export const revocationKey = (id: string) => ({ pk: `REVOCATION#${id}`, sk: 'REVOCATION' });
export const openRevocationGuardKey = (platformId: string) => ({
  pk: `PLATFORM#${platformId}`,
  sk: 'OPENREVOCATION',
});
export const POLICY_END_KEY = { pk: 'POLICYEND', sk: 'POLICYEND' } as const;

export function itemToRevocation(item: Item): Revocation {
  const copy: Item = { ...item };
  for (const k of INTERNAL) delete copy[k];
  return copy as unknown as Revocation;
}

function stripPlatform(item: Item): Platform {
  const copy: Item = { ...item };
  for (const k of INTERNAL) delete copy[k];
  return copy as unknown as Platform;
}

const notificationOps = (list: readonly NotificationInput[]): TxOp[] =>
  list.map((n): TxOp => ({ kind: 'put', item: notificationItem(n), ifNew: true }));

const statusKeys = (rev: Pick<Revocation, 'status' | 'createdAt' | 'id'>) => ({
  gsi1pk: `REVOCATIONS#${rev.status}`,
  gsi1sk: `${rev.createdAt}#${rev.id}`,
});

/**
 * Art. 14: the transaction ops that plan (or re-plan, when the policy is extended or shortened) the end
 * of every recognition at 23:59:59.999 Asia/Shanghai of `policyEndDate`. The settings route puts them in
 * the transaction that changes the date; the deadline job plans the configured default once when none
 * is planned yet (`ensurePolicyEndPlanned`).
 */
export function planPolicyEnd(policyEndDate: string): TxOp[] {
  const endsAt = policyEndInstant(policyEndDate).toISOString();
  return [
    {
      kind: 'put',
      item: {
        ...POLICY_END_KEY,
        type: 'policy-end',
        policyEndDate,
        endsAt,
        ...dueKeys(endsAt, POLICY_END_DUE, 'policy', DUE_SHARDS),
      },
    },
  ];
}

class AlreadyDone extends Error {}
class EntryMoved extends Error {}

export class DynamoRevocationStore implements RevocationRepo, PolicyEndRepo {
  constructor(
    private readonly reg: Registry = registry(),
    private readonly orgs: DynamoOrganisationStore = new DynamoOrganisationStore(reg),
  ) {}

  async get(id: string): Promise<Revocation | undefined> {
    const item = await this.reg.get(revocationKey(id));
    return item ? itemToRevocation(item) : undefined;
  }

  async openCaseOf(platformId: string): Promise<string | undefined> {
    const guard = await this.reg.get(openRevocationGuardKey(platformId));
    return typeof guard?.revocationId === 'string' ? guard.revocationId : undefined;
  }

  async create(
    rev: Revocation,
    notifications: readonly NotificationInput[],
    audit: AuditEvent,
    idempotency?: IdempotencyWrite,
  ): Promise<void> {
    await this.reg.transact({
      ops: [
        {
          kind: 'put',
          item: {
            ...openRevocationGuardKey(rev.platformId),
            type: 'revocation-guard',
            revocationId: rev.id,
            createdAt: rev.createdAt,
          },
          ifNew: true,
          onConflict: () =>
            new ConflictError(
              'REVOCATION_ALREADY_OPEN',
              `Platform ${rev.platformId} already has an open revocation case; decide it first.`,
            ),
        },
        {
          kind: 'put',
          item: {
            ...revocationKey(rev.id),
            type: 'revocation',
            ...rev,
            ...statusKeys(rev),
            gsi2pk: 'REVOCATIONS',
            gsi2sk: `${rev.createdAt}#${rev.id}`,
            ...dueKeys(rev.responseDeadline, REVOCATION_RESPONSE_DUE, rev.id, DUE_SHARDS),
          },
          ifNew: true,
        },
        // Art. 13: the platform must still be active when the case opens.
        {
          kind: 'check',
          key: keys.platform(rev.platformId),
          condition: {
            expression: '#status = :active',
            names: { '#status': 'status' },
            values: { ':active': 'active' },
          },
          onConflict: () =>
            new ConflictError('PLATFORM_NOT_ACTIVE', `Platform ${rev.platformId} is no longer active.`),
        },
        ...notificationOps(notifications),
      ],
      audit: [audit],
      ...(idempotency ? { idempotency } : {}),
    });
  }

  async update(
    before: Revocation,
    after: Revocation,
    notifications: readonly NotificationInput[],
    audit: AuditEvent,
    revoke?: RevokeEffects,
  ): Promise<void> {
    const { id, version: _v, ...fields } = after;
    const decided = after.status === 'revoked' || after.status === 'dismissed';
    const ops: TxOp[] = [
      {
        kind: 'update',
        key: revocationKey(id),
        set: { ...fields, ...statusKeys(after) },
        ...(decided ? { remove: ['duePk', 'dueSk'] } : {}),
        expectVersion: before.version,
        entity: `Revocation ${id}`,
        condition: {
          expression: '#status = :status',
          names: { '#status': 'status' },
          values: { ':status': before.status },
        },
        onConflict: () => new StaleVersionError(`Revocation ${id}`),
      },
      ...(decided ? [{ kind: 'delete', key: openRevocationGuardKey(before.platformId) } satisfies TxOp] : []),
      ...notificationOps(notifications),
    ];
    const audits = [audit];
    if (revoke) {
      const p = revoke.platform;
      ops.push({
        kind: 'update',
        key: keys.platform(p.id),
        set: {
          status: 'revoked',
          revokedAt: revoke.revokedAt,
          validUntil: revoke.validUntil,
          revocationId: id,
          revocationGround: after.ground,
          revocationReason: after.decision?.opinion,
          updatedAt: revoke.revokedAt,
          gsi1pk: 'PLATFORMS#revoked',
        },
        expectVersion: p.version,
        entity: `Platform ${p.id}`,
        condition: {
          expression: '#status = :active',
          names: { '#status': 'status' },
          values: { ':active': 'active' },
        },
        onConflict: () =>
          new ConflictError(
            'PLATFORM_CHANGED',
            `Platform ${p.id} changed meanwhile (or is no longer active); reload and decide again.`,
          ),
      });
      for (const task of revoke.tasks) ops.push(...finishTaskOps(task, 'failed', revoke.revokedAt));
      audits.push(revoke.platformAudit);
    }
    await this.reg.transact({ ops, audit: audits });
  }

  async list(status: RevocationStatus | undefined, limit: number, cursor?: string): Promise<RevocationPage> {
    const index = status ? GSI1 : GSI2;
    const pk = status ? `REVOCATIONS#${status}` : 'REVOCATIONS';
    return this.reg.newestFirstPage(index, pk, limit, cursor, itemToRevocation);
  }

  async responsePeriodEnded(
    rev: Revocation,
    readDueSk: string,
    notifications: readonly NotificationInput[],
    audit: AuditEvent,
  ): Promise<boolean> {
    try {
      await this.reg.transact({
        ops: [
          {
            kind: 'update',
            key: revocationKey(rev.id),
            set: { responsePeriodEndedAt: audit.at },
            remove: ['duePk', 'dueSk'],
            condition: {
              expression: '#dueSk = :read',
              names: { '#dueSk': 'dueSk' },
              values: { ':read': readDueSk },
            },
            onConflict: () => new AlreadyDone(),
          },
          ...notificationOps(notifications).map((op) => ({ ...op, onConflict: () => new AlreadyDone() })),
        ],
        audit: [audit],
      });
      return true;
    } catch (e) {
      if (e instanceof AlreadyDone) return false;
      throw e;
    }
  }

  // -- platforms, as revocations and the policy end read and change them -------------------------------

  async getPlatform(id: string): Promise<Platform | undefined> {
    const item = await this.reg.get(keys.platform(id));
    return item ? stripPlatform(item) : undefined;
  }

  async hostMembers(orgId: string): Promise<readonly string[]> {
    return (await this.orgs.get(orgId))?.memberSubs ?? [];
  }

  /** Active platforms (any `validUntil`), newest first: the candidates' population. */
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
      items: page.items.map(stripPlatform),
      ...(page.lastKey && page.items.length === limit ? { nextCursor: encodeCursor(page.lastKey) } : {}),
    };
  }

  async activePage(limit: number): Promise<Platform[]> {
    const page = await this.reg.query({
      IndexName: GSI1.name,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': 'PLATFORMS#active' },
      Limit: limit,
    });
    return page.items.map(stripPlatform);
  }

  async expire(
    platform: Platform,
    end: { readonly endedAt: string; readonly policyEndDate: string; readonly readDueSk: string },
    notifications: readonly NotificationInput[],
    audit: AuditEvent,
  ): Promise<'expired' | 'not_active' | 'entry_moved'> {
    const { endedAt } = end;
    try {
      await this.reg.transact({
        ops: [
          {
            kind: 'update',
            key: keys.platform(platform.id),
            // Art. 14: the recognition ended with the policy on this date, whatever date it was recognised with.
            set: {
              status: 'expired',
              endedAt,
              validUntil: end.policyEndDate,
              updatedAt: endedAt,
              gsi1pk: 'PLATFORMS#expired',
            },
            condition: {
              expression: '#status = :active',
              names: { '#status': 'status' },
              values: { ':active': 'active' },
            },
            onConflict: () => new AlreadyDone(),
          },
          {
            // The policy end this run acts on is still the one in force: an admin who extended (or shortened)
            // the policy meanwhile replaced the entry in the settings' own transaction.
            kind: 'check',
            key: POLICY_END_KEY,
            condition: {
              expression: '#dueSk = :read',
              names: { '#dueSk': 'dueSk' },
              values: { ':read': end.readDueSk },
            },
            onConflict: () => new EntryMoved(),
          },
          ...notificationOps(notifications),
        ],
        audit: [audit],
      });
      return 'expired';
    } catch (e) {
      if (e instanceof AlreadyDone) return 'not_active';
      if (e instanceof EntryMoved) return 'entry_moved';
      throw e;
    }
  }

  async finish(readDueSk: string, audit: AuditEvent): Promise<boolean> {
    try {
      await this.reg.transact({
        ops: [
          {
            kind: 'update',
            key: POLICY_END_KEY,
            set: { endedAt: audit.at },
            remove: ['duePk', 'dueSk'],
            condition: {
              expression: '#dueSk = :read',
              names: { '#dueSk': 'dueSk' },
              values: { ':read': readDueSk },
            },
            onConflict: () => new AlreadyDone(),
          },
        ],
        audit: [audit],
      });
      return true;
    } catch (e) {
      if (e instanceof AlreadyDone) return false;
      throw e;
    }
  }

  /** The platforms as revocations read them (the `platforms` port of the use cases). */
  platformsPort(): RevocationPlatforms {
    return {
      get: (id) => this.getPlatform(id),
      hostMembers: (orgId) => this.hostMembers(orgId),
      listActive: (limit, cursor) => this.listActive(limit, cursor),
    };
  }

  /** The planned policy end, if any. */
  async plannedPolicyEnd(): Promise<{ policyEndDate: string; endsAt: string; endedAt?: string } | undefined> {
    const item = await this.reg.get(POLICY_END_KEY);
    return item
      ? {
          policyEndDate: String(item.policyEndDate),
          endsAt: String(item.endsAt),
          ...(typeof item.endedAt === 'string' ? { endedAt: item.endedAt } : {}),
        }
      : undefined;
  }

  /**
   * Art. 14 bootstrap: plans the end at `policyEndDate` when nothing is planned yet (a settings change
   * re-plans it). Returns true when it planned.
   */
  async ensurePolicyEndPlanned(policyEndDate: string, audit: AuditEvent): Promise<boolean> {
    const [op] = planPolicyEnd(policyEndDate);
    if (op?.kind !== 'put') return false;
    try {
      await this.reg.transact({
        ops: [{ ...op, ifNew: true, onConflict: () => new AlreadyDone() }],
        audit: [audit],
      });
      return true;
    } catch (e) {
      if (e instanceof AlreadyDone) return false;
      throw e;
    }
  }
}

/**
 * Art. 13 facts: a platform's evaluations (`gradesOf`) with each year's report deadline from its cycle,
 * so a candidate names the deadline that was missed.
 */
export async function gradesWithDeadlines(
  platformId: string,
  reg: Registry = registry(),
): Promise<GradeRecord[]> {
  const grades = await gradesOf(platformId, reg);
  const deadlines = new Map<number, string | undefined>();
  for (const g of grades) {
    if (deadlines.has(g.year)) continue;
    const cycle = await reg.get(evaluationKeys.cycle(g.year));
    deadlines.set(g.year, typeof cycle?.reportDeadline === 'string' ? cycle.reportDeadline : undefined);
  }
  return grades.map((g) => {
    const reportDeadline = deadlines.get(g.year);
    return { ...g, ...(reportDeadline ? { reportDeadline } : {}) };
  });
}

/** The still-pending human steps of a platform's evaluations that are not finished yet (failed on revoke). */
export async function pendingEvaluationTasks(
  platformId: string,
  reg: Registry = registry(),
): Promise<HumanTask[]> {
  const tasks = new DynamoHumanTaskStore(reg);
  const running = (await gradesOf(platformId, reg)).filter((g) => RUNNING.includes(g.status));
  const found = await Promise.all(
    running.flatMap((g) =>
      Object.values(EVALUATION_STATES).map((state) =>
        tasks.get(taskId(evaluationExecutionName(g.year, platformId), state)),
      ),
    ),
  );
  return found.filter((t): t is HumanTask => t?.status === 'pending');
}
const RUNNING: readonly string[] = ['awaiting_report', 'report_submitted', 'graded'];
