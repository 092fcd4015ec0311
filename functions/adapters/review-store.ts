import { dueKeys } from '../core/deadlines.ts';
import { planNotice } from '../core/notices.ts';
import { notificationItem } from '../core/notifications.ts';
import { keys } from '../core/recognition-model.ts';
import type {
  AppChange,
  Assignment,
  ExpertReview,
  Inspection,
  ProposedList,
  ReviewDeps,
  ReviewRepo,
  ReviewWrite,
} from '../core/review.ts';
import { ConflictError, StaleVersionError } from '../shared/errors.ts';
import { applicationStatusOp, DynamoApplicationStore, evidenceManifest } from './application-store.ts';
import { DynamoCalendarStore } from './calendar-store.ts';
import { DynamoCallStore } from './call-store.ts';
import { DynamoExpertStore } from './expert-store.ts';
import { addAssigneeOps, DynamoHumanTaskStore, finishTaskOps } from './human-task-store.ts';
import { type Item, type Registry, registry, type TxOp } from './registry.ts';
import { DUE_SHARDS } from './table-schema.ts';

/**
 * The review's items in the registry (Art. 8(2)–(4)):
 * - `APP#<id>` / `ASSIGN#<expertId>`: an expert assigned to an application;
 *   gsi2 `EXPERT#<expertId>#ASSIGNED` / `<assignedAt>#<applicationId>` (an expert's applications);
 * - `APP#<id>` / `REVIEW#<expertId>`: that expert's review (scores, or a conflict declaration), once;
 * - `APP#<id>` / `INSPECTION`: the site inspection, once;
 * - `CALL#<callId>` / `LIST`: the call's proposed list (version-locked);
 * - `WFFAIL#<executionName>` / `FAILURE`: a failed review execution, recorded once;
 * - the application's due entry `<at>#supplement-deadline#<id>` while it is `returned`.
 * Every write is one transaction with its audit events and notifications (`commit`).
 */
const INTERNAL = ['pk', 'sk', 'type', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'];

function strip<T>(item: Item): T {
  const copy: Item = { ...item };
  for (const k of INTERNAL) delete copy[k];
  return copy as T;
}

function appOp(change: AppChange): TxOp {
  const set: Record<string, unknown> = { ...(change.set ?? {}) };
  const remove = [...(change.remove ?? [])];
  if (change.due) Object.assign(set, dueKeys(change.due.at, change.due.type, change.before.id, DUE_SHARDS));
  else if (change.dropDue) remove.push('duePk', 'dueSk');
  const op = applicationStatusOp(change.before, change.status, set, remove);
  if (op.kind !== 'update' || !change.dropDue || change.dropDue === true) return op;
  return {
    ...op,
    condition: {
      expression: '#dueSkNow = :dueSkRead',
      names: { '#dueSkNow': 'dueSk' },
      values: { ':dueSkRead': change.dropDue.ifDueSk },
    },
    onConflict: () =>
      new ConflictError(
        'DEADLINE_MOVED',
        `The deadline of application ${change.before.id} changed meanwhile.`,
      ),
  };
}

const once = (code: string, message: string) => () => new ConflictError(code, message);

export class DynamoReviewStore implements ReviewRepo<TxOp> {
  constructor(private readonly reg: Registry = registry()) {}

  async commit(write: ReviewWrite<TxOp>): Promise<void> {
    const at = write.audit[0]?.at ?? new Date().toISOString();
    const ops: TxOp[] = [
      ...(write.apps ?? []).map(appOp),
      ...(write.finishTask ? finishTaskOps(write.finishTask.task, write.finishTask.status, at) : []),
      ...(write.addAssignees ? addAssigneeOps(write.addAssignees.task, write.addAssignees.subs) : []),
      ...(write.assignments ?? []).map((a): TxOp => this.assignmentOp(a)),
      ...(write.review ? [this.reviewOp(write.review)] : []),
      ...(write.inspection ? [this.inspectionOp(write.inspection)] : []),
      ...(write.list ? [this.listOp(write.list.next, write.list.previousVersion)] : []),
      ...(write.failureRecord
        ? [
            {
              kind: 'put',
              item: {
                pk: `WFFAIL#${write.failureRecord.executionName}`,
                sk: 'FAILURE',
                type: 'workflow_failure',
                executionName: write.failureRecord.executionName,
                ...write.failureRecord.detail,
              },
              ifNew: true,
              onConflict: once('ALREADY_RECORDED', 'This failure is recorded already.'),
            } satisfies TxOp,
          ]
        : []),
      ...(write.extraOps ?? []),
      ...(write.notifications ?? []).map(
        (n): TxOp => ({ kind: 'put', item: notificationItem(n), ifNew: true }),
      ),
    ];
    await this.reg.transact({
      ops,
      audit: write.audit,
      ...(write.idempotency ? { idempotency: write.idempotency } : {}),
    });
  }

  async assignments(applicationId: string): Promise<Assignment[]> {
    return (await this.children(applicationId, 'ASSIGN#')).map((i) => strip<Assignment>(i));
  }

  async reviews(applicationId: string): Promise<ExpertReview[]> {
    return (await this.children(applicationId, 'REVIEW#')).map((i) => strip<ExpertReview>(i));
  }

  async inspection(applicationId: string): Promise<Inspection | undefined> {
    const item = await this.reg.get(keys.inspection(applicationId));
    return item ? strip<Inspection>(item) : undefined;
  }

  async list(callId: string): Promise<ProposedList | undefined> {
    const item = await this.reg.get(keys.proposedList(callId));
    return item ? strip<ProposedList>(item) : undefined;
  }

  /** Every item of an application with a sort-key prefix (strongly consistent, all pages). */
  private async children(applicationId: string, prefix: string): Promise<Item[]> {
    const out: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.reg.query({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.application(applicationId).pk, ':prefix': prefix },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
      out.push(...page.items);
      start = page.lastKey;
    } while (start);
    return out;
  }

  private assignmentOp(a: Assignment): TxOp {
    return {
      kind: 'put',
      item: {
        ...keys.assignment(a.applicationId, a.expertId),
        type: 'assignment',
        ...a,
        gsi2pk: `EXPERT#${a.expertId}#ASSIGNED`,
        gsi2sk: `${a.assignedAt}#${a.applicationId}`,
      },
      ifNew: true,
      onConflict: once(
        'ALREADY_ASSIGNED',
        `Expert ${a.expertName} (${a.expertId}) is already assigned to application ${a.applicationId}.`,
      ),
    };
  }

  private reviewOp(r: ExpertReview): TxOp {
    return {
      kind: 'put',
      item: { ...keys.review(r.applicationId, r.expertId), type: 'expert_review', ...r },
      ifNew: true,
      onConflict: once(
        'ALREADY_REVIEWED',
        `You have already reviewed application ${r.applicationId}; each expert reviews once.`,
      ),
    };
  }

  private inspectionOp(i: Inspection): TxOp {
    return {
      kind: 'put',
      item: { ...keys.inspection(i.applicationId), type: 'inspection', ...i },
      ifNew: true,
      onConflict: once(
        'ALREADY_INSPECTED',
        `The site inspection of application ${i.applicationId} is recorded already.`,
      ),
    };
  }

  private listOp(list: ProposedList, previousVersion?: number): TxOp {
    return {
      kind: 'put',
      item: { ...keys.proposedList(list.callId), type: 'proposed_list', ...list },
      ...(previousVersion === undefined
        ? { ifNew: true }
        : {
            condition: {
              expression: '#version = :previous',
              names: { '#version': 'version' },
              values: { ':previous': previousVersion },
            },
          }),
      onConflict: () => new StaleVersionError(`The proposed list of call ${list.callId}`),
    };
  }
}

/**
 * The review use cases' ports on the registry (API handler, workflow handler, deadline job): B's
 * applications and evidence manifest, A's calls and notice plan (with the working-day calendar), the
 * task store, the workflow engine.
 */
export function dynamoReviewDeps(
  overrides: Partial<ReviewDeps<TxOp>> & Pick<ReviewDeps<TxOp>, 'workflows' | 'clock' | 'dueDays'>,
  reg: Registry = registry(),
): ReviewDeps<TxOp> {
  const calendar = new DynamoCalendarStore(reg);
  return {
    repo: new DynamoReviewStore(reg),
    apps: new DynamoApplicationStore(reg),
    calls: new DynamoCallStore(reg),
    experts: new DynamoExpertStore(reg),
    tasks: new DynamoHumanTaskStore(reg),
    evidence: { manifest: (id) => evidenceManifest(id, reg) },
    planNotice: (input) => planNotice({ calendar }, input),
    ...overrides,
  };
}
