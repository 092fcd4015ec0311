import type { AuditEvent } from '../core/audit.ts';
import { dueKeys } from '../core/deadlines.ts';
import {
  type Evaluation,
  type EvaluationChange,
  type EvaluationCycle,
  type EvaluationDeps,
  type EvaluationRepo,
  type EvaluationWrite,
  evaluationKeys,
  type GradeRecord,
  type Page,
} from '../core/evaluations.ts';
import { notificationItem } from '../core/notifications.ts';
import { ConflictError } from '../shared/errors.ts';
import type { IdempotencyWrite } from '../shared/idempotency.ts';
import { DynamoHumanTaskStore, finishTaskOps } from './human-task-store.ts';
import { verifiedPlatformEvidence } from './platform-evidence-store.ts';
import { DynamoPlatformStore } from './platform-store.ts';
import { decodeCursor, encodeCursor, type Item, type Registry, registry, type TxOp } from './registry.ts';
import { DynamoSharingStore } from './sharing-store.ts';
import { DUE_SHARDS, GSI1, GSI2 } from './table-schema.ts';

/**
 * The annual evaluation in the registry (Art. 12):
 * - `EVALCYCLE#<year>` / `CYCLE`: the cycle (version-locked); gsi1 `EVALCYCLES` / `<year>`;
 * - `EVALCYCLE#<year>` / `EVAL#<platformId>`: one evaluation per platform and year (version-locked);
 *   gsi2 `EVALS#<platformId>` / `<year>` (a platform's evaluations, oldest first: `gradesOf`);
 *   while its report is awaited, ONE due entry `<at>#report-reminder|report-overdue#<evaluationId>`.
 * Every write is one transaction with its audit events and notifications (`commit`).
 */
const INTERNAL = ['pk', 'sk', 'type', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'duePk', 'dueSk'];

function strip<T>(item: Item): T {
  const copy: Item = { ...item };
  for (const k of INTERNAL) delete copy[k];
  return copy as T;
}

export function cycleItem(c: EvaluationCycle): Item & { pk: string; sk: string } {
  return {
    ...evaluationKeys.cycle(c.year),
    type: 'evaluation_cycle',
    ...c,
    gsi1pk: 'EVALCYCLES',
    gsi1sk: String(c.year),
  };
}

export function evaluationItem(
  e: Evaluation,
  due?: { readonly at: string; readonly type: string },
): Item & { pk: string; sk: string } {
  return {
    ...evaluationKeys.evaluation(e.year, e.platformId),
    type: 'evaluation',
    ...e,
    gsi2pk: `EVALS#${e.platformId}`,
    gsi2sk: String(e.year),
    ...(due ? dueKeys(due.at, due.type, e.id, DUE_SHARDS) : {}),
  };
}

function changeOp(change: EvaluationChange): TxOp {
  const e = change.before;
  const set: Record<string, unknown> = { ...change.set };
  const remove: string[] = [...(change.remove ?? [])];
  if (change.due) Object.assign(set, dueKeys(change.due.at, change.due.type, e.id, DUE_SHARDS));
  else if (change.dropDue) remove.push('duePk', 'dueSk');
  const ifDueSk = typeof change.dropDue === 'object' ? change.dropDue.ifDueSk : undefined;
  return {
    kind: 'update',
    key: evaluationKeys.evaluation(e.year, e.platformId),
    set,
    ...(remove.length ? { remove } : {}),
    expectVersion: e.version,
    entity: `The evaluation of platform ${e.platformId} for ${e.year}`,
    ...(ifDueSk
      ? {
          condition: {
            expression: '#dueSkNow = :dueSkRead',
            names: { '#dueSkNow': 'dueSk' },
            values: { ':dueSkRead': ifDueSk },
          },
          onConflict: () =>
            new ConflictError(
              'DEADLINE_MOVED',
              `The deadline entry of evaluation ${e.id} changed meanwhile.`,
            ),
        }
      : {}),
  };
}

export class DynamoEvaluationStore implements EvaluationRepo {
  constructor(private readonly reg: Registry = registry()) {}

  async createCycle(
    cycle: EvaluationCycle,
    audit: AuditEvent,
    idempotency?: IdempotencyWrite,
  ): Promise<void> {
    await this.reg.transact({
      ops: [
        {
          kind: 'put',
          item: cycleItem(cycle),
          ifNew: true,
          onConflict: () =>
            new ConflictError(
              'CYCLE_EXISTS',
              `The evaluation cycle ${cycle.year} exists already; one per year.`,
            ),
        },
      ],
      audit: [audit],
      ...(idempotency ? { idempotency } : {}),
    });
  }

  async getCycle(year: number): Promise<EvaluationCycle | undefined> {
    const item = await this.reg.get(evaluationKeys.cycle(year));
    return item ? strip<EvaluationCycle>(item) : undefined;
  }

  async get(year: number, platformId: string): Promise<Evaluation | undefined> {
    const item = await this.reg.get(evaluationKeys.evaluation(year, platformId));
    return item ? strip<Evaluation>(item) : undefined;
  }

  async list(year: number, limit: number, cursor?: string): Promise<Page<Evaluation>> {
    const pk = evaluationKeys.cycle(year).pk;
    const start = cursor
      ? decodeCursor(
          cursor,
          (k) =>
            k.pk === pk &&
            typeof k.sk === 'string' &&
            k.sk.startsWith('EVAL#') &&
            Object.keys(k).length === 2,
        )
      : undefined;
    const page = await this.reg.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': 'EVAL#' },
      Limit: limit,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    return {
      items: page.items.map((i) => strip<Evaluation>(i)),
      ...(page.lastKey && page.items.length === limit ? { nextCursor: encodeCursor(page.lastKey) } : {}),
    };
  }

  async all(year: number): Promise<Evaluation[]> {
    const out: Evaluation[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.reg.query({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': evaluationKeys.cycle(year).pk, ':prefix': 'EVAL#' },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
      out.push(...page.items.map((i) => strip<Evaluation>(i)));
      start = page.lastKey;
    } while (start);
    return out;
  }

  /**
   * Art. 13(1)–(2): a platform's evaluations, oldest year first — `{ year, status, grade?, finalizedAt? }`,
   * the grade only once published (signed off). Read by revocation candidates and exports.
   */
  async gradesOf(platformId: string): Promise<GradeRecord[]> {
    const out: GradeRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.reg.query({
        IndexName: GSI2.name,
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': `EVALS#${platformId}` },
        ScanIndexForward: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
      for (const item of page.items) {
        const e = strip<Evaluation>(item);
        out.push({
          year: e.year,
          status: e.status,
          ...(e.status === 'published' && e.grade ? { grade: e.grade } : {}),
          ...(e.finalizedAt ? { finalizedAt: e.finalizedAt } : {}),
        });
      }
      start = page.lastKey;
    } while (start);
    return out.sort((a, b) => a.year - b.year);
  }

  async commit(write: EvaluationWrite): Promise<void> {
    const at = write.audit[0]?.at ?? new Date().toISOString();
    const ops: TxOp[] = [
      ...(write.cycle
        ? [
            {
              kind: 'update',
              key: evaluationKeys.cycle(write.cycle.before.year),
              set: write.cycle.set,
              expectVersion: write.cycle.before.version,
              entity: `The evaluation cycle ${write.cycle.before.year}`,
            } satisfies TxOp,
          ]
        : []),
      ...(write.create ?? []).map(
        ({ evaluation, due }): TxOp => ({
          kind: 'put',
          item: evaluationItem(evaluation, due),
          ifNew: true,
          onConflict: () =>
            new ConflictError(
              'EVALUATION_EXISTS',
              `Platform ${evaluation.platformId} has an evaluation for ${evaluation.year} already.`,
            ),
        }),
      ),
      ...(write.changes ?? []).map(changeOp),
      ...(write.finishTasks ?? []).flatMap((f) => finishTaskOps(f.task, f.status, at)),
      ...(write.notifications ?? []).map(
        (n): TxOp => ({ kind: 'put', item: notificationItem(n), ifNew: true }),
      ),
    ];
    if (!ops.length && !write.audit.length) return;
    await this.reg.transact({
      ops,
      audit: write.audit,
      ...(write.idempotency ? { idempotency: write.idempotency } : {}),
    });
  }
}

/** `gradesOf(platformId)` on the process-wide registry (G's revocation candidates, E's exports). */
export const gradesOf = (platformId: string, reg: Registry = registry()): Promise<GradeRecord[]> =>
  new DynamoEvaluationStore(reg).gradesOf(platformId);

/** Cycles, newest year first (gsi1 `EVALCYCLES`). */
export async function listCycles(reg: Registry = registry()): Promise<EvaluationCycle[]> {
  const page = await reg.query({
    IndexName: GSI1.name,
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': 'EVALCYCLES' },
    ScanIndexForward: false,
  });
  return page.items.map((i) => strip<EvaluationCycle>(i));
}

/** The evaluation use cases' ports on the registry (API handler, workflow handler, deadline job). */
export function dynamoEvaluationDeps(
  overrides: Partial<EvaluationDeps> & Pick<EvaluationDeps, 'workflows' | 'clock'>,
  reg: Registry = registry(),
): EvaluationDeps {
  return {
    repo: new DynamoEvaluationStore(reg),
    platforms: new DynamoPlatformStore(reg),
    tasks: new DynamoHumanTaskStore(reg),
    evidence: { verified: (platformId, ids) => verifiedPlatformEvidence(platformId, ids, reg) },
    sharing: new DynamoSharingStore(reg),
    ...overrides,
  };
}
