import { createHash } from 'node:crypto';
import { NotFoundError, ValidationError } from '../shared/errors.ts';
import type { Principal, Role } from '../shared/roles.ts';
import { type AuditEvent, auditEvent, SYSTEM_ACTOR } from './audit.ts';
import type { DueItem } from './deadlines.ts';
import type { Clock } from './ports.ts';

/**
 * Human workflow steps (callback tasks): DESIGN "workflows" — each waiting task is recorded in the
 * registry with its token; staff inboxes list the pending ones; the deadline job reminds at `dueAt`
 * and escalates one span later.
 */
export type TaskStatus = 'pending' | 'completed' | 'failed' | 'timed_out';

export interface HumanTask {
  readonly id: string;
  readonly workflow: string;
  readonly executionName: string;
  readonly stateName: string;
  readonly kind: string;
  readonly entityType: string;
  readonly entityId: string;
  readonly assigneeRoles: readonly Role[];
  readonly assigneeSub?: string;
  /** Named people who must act (the applicant's owner, the assigned experts): their own inboxes. */
  readonly assigneeSubs?: readonly string[];
  /** `false`: system-held (e.g. waiting for the public notice to close) — no inbox, no reminders. */
  readonly inbox?: boolean;
  /** `false`: no reminder/escalation entry in the due index (the step has its own deadline). */
  readonly reminders?: boolean;
  /** A step re-opened in a loop (returned → resubmitted) gets one task per round. */
  readonly round?: number;
  readonly status: TaskStatus;
  /** The callback token; never shown in listings. */
  readonly token: string;
  /** The callback payload without the token: what a local engine needs to resume the waiting step. */
  readonly input?: Record<string, unknown>;
  readonly createdAt: string;
  readonly dueAt: string;
  readonly remindedAt?: string;
  readonly escalatedAt?: string;
  readonly completedAt?: string;
  readonly version: number;
}

/** What each kind of human task is about and who does it. */
export interface TaskKindDef {
  readonly workflow: string;
  readonly entityType: string;
  /** Field of the callback payload that carries the entity id. */
  readonly entityField: string;
  /** Roles whose shared inbox lists the task (may be empty when people are named instead). */
  readonly assigneeRoles: readonly Role[];
  /** The task is assigned to named people (subs given when it is opened): owner, assigned experts. */
  readonly assignedToSubs?: boolean;
  /** Days until the task is due (reminder); defaults to the caller's `dueDays`. */
  readonly dueDays?: number;
  /** `false`: system-held, no inbox and no reminders (e.g. `listing`). Default true. */
  readonly inbox?: boolean;
  /** `false`: no reminders/escalation (the step has its own deadline, e.g. `supplement`). Default true. */
  readonly reminders?: boolean;
}

export const TASK_KINDS: Readonly<Record<string, TaskKindDef>> = {
  /** Art. 9(1): manual USCC verification by an officer. */
  uscc_verification: {
    workflow: 'uscc-verification',
    entityType: 'organisation',
    entityField: 'orgId',
    assigneeRoles: ['officer'],
  },
  /** Art. 8(2): preliminary review of the materials by an officer (pass / return / reject). */
  preliminary_review: {
    workflow: 'review',
    entityType: 'application',
    entityField: 'applicationId',
    assigneeRoles: ['officer'],
    dueDays: 10,
  },
  /** Art. 8(2): the applicant supplements returned materials before the supplement deadline. */
  supplement: {
    workflow: 'review',
    entityType: 'application',
    entityField: 'applicationId',
    assigneeRoles: [],
    assignedToSubs: true,
    reminders: false,
  },
  /** Art. 8(3): an officer assigns experts, with automatic conflict-of-interest checks. */
  expert_assignment: {
    workflow: 'review',
    entityType: 'application',
    entityField: 'applicationId',
    assigneeRoles: ['officer'],
    dueDays: 5,
  },
  /** Art. 8(3): the assigned experts declare no conflict and score the call's criteria. */
  expert_review: {
    workflow: 'review',
    entityType: 'application',
    entityField: 'applicationId',
    assigneeRoles: [],
    assignedToSubs: true,
    dueDays: 14,
  },
  /** Art. 8(3): the on-site inspection, recorded by an officer. */
  site_inspection: {
    workflow: 'review',
    entityType: 'application',
    entityField: 'applicationId',
    assigneeRoles: ['officer'],
    dueDays: 20,
  },
  /** Art. 8(4): waits for ranking, proposed list, approval and the public notice; closed by the notice. */
  listing: {
    workflow: 'review',
    entityType: 'application',
    entityField: 'applicationId',
    assigneeRoles: [],
    inbox: false,
    reminders: false,
  },
  /** Art. 12: the host's self-evaluation report, due at the report deadline (the deadline job reminds). */
  evaluation_report: {
    workflow: 'annual-evaluation',
    entityType: 'evaluation',
    entityField: 'evaluationId',
    assigneeRoles: [],
    assignedToSubs: true,
    reminders: false,
  },
  /** Art. 12: an officer scores the submitted report against the cycle's criteria. */
  evaluation_grading: {
    workflow: 'annual-evaluation',
    entityType: 'evaluation',
    entityField: 'evaluationId',
    assigneeRoles: ['officer'],
    dueDays: 30,
  },
  /** Art. 12: waits for the approver's sign-off of the whole cycle (finalize); system-held. */
  evaluation_signoff: {
    workflow: 'annual-evaluation',
    entityType: 'evaluation',
    entityField: 'evaluationId',
    assigneeRoles: [],
    inbox: false,
    reminders: false,
  },
};

/**
 * Deterministic task id from the execution and state (and the round of a step re-opened in a loop):
 * re-opening the same step finds the same task.
 */
export function taskId(executionName: string, stateName: string, round = 0): string {
  const step = round > 0 ? `${stateName}#${round}` : stateName;
  return `t${createHash('sha256').update(`${executionName}\u0000${step}`).digest('hex').slice(0, 32)}`;
}

/** What a workflow call completing or failing this task is about (audit and staff notice if it must be retried). */
export const taskSubject = (task: Pick<HumanTask, 'id' | 'kind' | 'entityType' | 'entityId'>) => ({
  entityType: task.entityType,
  entityId: task.entityId,
  taskId: task.id,
  taskKind: task.kind,
});

/** Reminder at `dueAt`, escalation one more span (dueAt − createdAt) later. */
export function escalationAt(task: Pick<HumanTask, 'createdAt' | 'dueAt'>): string {
  const created = Date.parse(task.createdAt);
  const due = Date.parse(task.dueAt);
  return new Date(due + Math.max(due - created, 0)).toISOString();
}

export interface OpenTaskInput {
  readonly kind: string;
  readonly executionName: string;
  readonly stateName: string;
  readonly taskToken: string;
  readonly payload: Record<string, unknown>;
  /** The loop round of a re-opened step (0 or absent: the first). */
  readonly round?: number;
  /** For kinds assigned to people: who (subs). */
  readonly assigneeSubs?: readonly string[];
  /** Overrides the due instant (e.g. the supplement deadline). */
  readonly dueAt?: string;
}

/** A list page of tasks as the API shows them (no token). */
export type TaskView = Omit<HumanTask, 'token' | 'version' | 'completedAt' | 'input'>;

export interface HumanTaskRepo {
  /** Creates the task (+ inbox entries, entity ref, audit) or returns the existing one; refreshes a changed token. */
  open(task: HumanTask, audit: AuditEvent): Promise<{ created: boolean; task: HumanTask }>;
  get(id: string): Promise<HumanTask | undefined>;
  /** The latest task opened for an entity. */
  current(entityType: string, entityId: string): Promise<HumanTask | undefined>;
  /** Moves a pending task to a final status (conditional on pending); false when it was not pending. */
  finish(
    task: HumanTask,
    status: Exclude<TaskStatus, 'pending'>,
    at: string,
    audit: AuditEvent,
  ): Promise<boolean>;
  /** Pending tasks of these roles' inboxes and, with `sub`, of that person's own inbox. */
  listInbox(
    roles: readonly Role[],
    limit: number,
    cursor?: string,
    sub?: string,
  ): Promise<{ items: HumanTask[]; nextCursor?: string }>;
  listByStatus(
    status: TaskStatus,
    roles: readonly Role[],
    limit: number,
    cursor?: string,
    sub?: string,
  ): Promise<{ items: HumanTask[]; nextCursor?: string }>;
  /** Deadline: record the reminder and move the due entry to `nextDueAt` — only if the entry is still `readDueSk`. */
  remind(
    task: HumanTask,
    readDueSk: string,
    at: string,
    nextDueAt: string,
    audit: AuditEvent,
  ): Promise<boolean>;
  /** Deadline: record the escalation and drop the due entry — only if it is still `readDueSk`. */
  escalate(task: HumanTask, readDueSk: string, at: string, audit: AuditEvent): Promise<boolean>;
}

export interface TaskDeps {
  readonly tasks: HumanTaskRepo;
  readonly clock: Clock;
  /** Days until a new task is due (reminder), e.g. VERIFICATION_DUE_DAYS. */
  readonly dueDays: number;
}

/**
 * Records a waiting human step (the `openHumanTask` workflow action). Idempotent: the id comes from
 * executionName + stateName, so a retried or resumed invocation finds the task instead of duplicating it.
 */
export async function openHumanTask(
  deps: Omit<TaskDeps, 'tasks'> & { readonly tasks: Pick<HumanTaskRepo, 'open'> },
  input: OpenTaskInput,
): Promise<{ created: boolean; task: HumanTask }> {
  const kind = TASK_KINDS[input.kind];
  if (!kind)
    throw new ValidationError(`Unknown human task kind '${input.kind}'`, [
      { path: 'kind', message: 'unknown kind' },
    ]);
  const entityId = input.payload[kind.entityField];
  if (typeof entityId !== 'string' || !entityId) {
    throw new ValidationError(`Human task ${input.kind} needs '${kind.entityField}'`, [
      { path: kind.entityField, message: 'required' },
    ]);
  }
  if (!input.executionName || !input.stateName || !input.taskToken) {
    throw new ValidationError('executionName, stateName and taskToken are required');
  }
  const subs = [...new Set(input.assigneeSubs ?? [])];
  if (kind.assignedToSubs && !subs.length) {
    throw new ValidationError(`Human task ${input.kind} is assigned to named people: pass assigneeSubs`, [
      { path: 'assigneeSubs', message: 'required' },
    ]);
  }
  const now = deps.clock.now();
  const dueAt = input.dueAt
    ? new Date(input.dueAt).toISOString()
    : new Date(now.getTime() + (kind.dueDays ?? deps.dueDays) * 86_400_000).toISOString();
  const round = input.round ?? 0;
  const task: HumanTask = {
    id: taskId(input.executionName, input.stateName, round),
    workflow: kind.workflow,
    executionName: input.executionName,
    stateName: input.stateName,
    kind: input.kind,
    entityType: kind.entityType,
    entityId,
    assigneeRoles: kind.assigneeRoles,
    ...(subs.length ? { assigneeSubs: subs } : {}),
    ...(kind.inbox === false ? { inbox: false } : {}),
    ...(kind.reminders === false || kind.inbox === false ? { reminders: false } : {}),
    ...(round > 0 ? { round } : {}),
    status: 'pending',
    token: input.taskToken,
    input: withoutToken(input.payload),
    createdAt: now.toISOString(),
    dueAt,
    version: 1,
  };
  const audit = auditEvent(now, SYSTEM_ACTOR, 'task.opened', 'task', task.id, {
    kind: task.kind,
    entityType: task.entityType,
    entityId: task.entityId,
    executionName: task.executionName,
    stateName: task.stateName,
    dueAt: task.dueAt,
    ...(task.assigneeSubs ? { assigneeSubs: task.assigneeSubs } : {}),
    ...(round > 0 ? { round } : {}),
  });
  return deps.tasks.open(task, audit);
}

function withoutToken(payload: Record<string, unknown>): Record<string, unknown> {
  const { taskToken: _t, ...rest } = payload;
  return rest;
}

/** Ends a pending task as timed out or failed (workflow `markTimedOut` / `recordFailure`). */
export async function finishTask(
  deps: Pick<TaskDeps, 'tasks' | 'clock'>,
  executionName: string,
  stateName: string,
  status: 'timed_out' | 'failed',
  detail: Record<string, unknown>,
  round = 0,
): Promise<boolean> {
  const task = await deps.tasks.get(taskId(executionName, stateName, round));
  if (task?.status !== 'pending') return false;
  const now = deps.clock.now();
  const action = status === 'timed_out' ? 'task.timed_out' : 'task.failed';
  return deps.tasks.finish(
    task,
    status,
    now.toISOString(),
    auditEvent(now, SYSTEM_ACTOR, action, 'task', task.id, detail),
  );
}

/** The task as the API shows it. */
export function toTaskView(task: HumanTask): TaskView {
  const { token: _token, version: _version, completedAt: _completedAt, input: _input, ...view } = task;
  return view;
}

const STAFF_INBOX_ROLES: readonly Role[] = ['officer', 'approver', 'expert', 'admin'];

/**
 * `GET /v1/tasks`: the inbox of the caller's staff roles plus the tasks assigned to the caller by name
 * (an applicant's `supplement`, an expert's `expert_review`), pending by default, oldest due first.
 */
export async function listTasks(
  deps: Pick<TaskDeps, 'tasks'>,
  principal: Principal,
  query: { status: TaskStatus; limit: number; cursor?: string },
): Promise<{ items: TaskView[]; nextCursor?: string }> {
  const roles = principal.roles.filter((r) => STAFF_INBOX_ROLES.includes(r));
  if (!roles.length && !principal.roles.includes('applicant'))
    throw new NotFoundError('inbox', principal.sub);
  const page =
    query.status === 'pending'
      ? await deps.tasks.listInbox(roles, query.limit, query.cursor, principal.sub)
      : await deps.tasks.listByStatus(query.status, roles, query.limit, query.cursor, principal.sub);
  return { items: page.items.map(toTaskView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}

/**
 * Deadline action for `task` entries: at `dueAt` a reminder to the assignees, and the due entry moves
 * to the escalation time; at that time an escalation, and the entry leaves the due index.
 */
export function taskDeadlineAction(tasks: HumanTaskRepo): (entry: DueItem, now: Date) => Promise<boolean> {
  return async (entry, now) => {
    const task = entry.item as unknown as HumanTask;
    if (task.status !== 'pending') return false;
    const at = now.toISOString();
    if (!task.remindedAt) {
      const next = escalationAt(task);
      return tasks.remind(
        task,
        entry.dueSk,
        at,
        next,
        auditEvent(now, SYSTEM_ACTOR, 'task.reminded', 'task', task.id, {
          kind: task.kind,
          entityId: task.entityId,
          assigneeRoles: task.assigneeRoles,
          dueAt: task.dueAt,
          escalatesAt: next,
        }),
      );
    }
    return tasks.escalate(
      task,
      entry.dueSk,
      at,
      auditEvent(now, SYSTEM_ACTOR, 'task.escalated', 'task', task.id, {
        kind: task.kind,
        entityId: task.entityId,
        assigneeRoles: task.assigneeRoles,
        dueAt: task.dueAt,
        remindedAt: task.remindedAt,
      }),
    );
  };
}
