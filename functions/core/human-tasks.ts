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
  readonly assigneeRoles: readonly Role[];
}

export const TASK_KINDS: Readonly<Record<string, TaskKindDef>> = {
  /** Art. 9(1): manual USCC verification by an officer. */
  uscc_verification: {
    workflow: 'uscc-verification',
    entityType: 'organisation',
    entityField: 'orgId',
    assigneeRoles: ['officer'],
  },
};

/** Deterministic task id from the execution and state: re-opening the same step finds the same task. */
export function taskId(executionName: string, stateName: string): string {
  return `t${createHash('sha256').update(`${executionName}\u0000${stateName}`).digest('hex').slice(0, 32)}`;
}

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
  listInbox(
    roles: readonly Role[],
    limit: number,
    cursor?: string,
  ): Promise<{ items: HumanTask[]; nextCursor?: string }>;
  listByStatus(
    status: TaskStatus,
    roles: readonly Role[],
    limit: number,
    cursor?: string,
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
  deps: TaskDeps,
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
  const now = deps.clock.now();
  const task: HumanTask = {
    id: taskId(input.executionName, input.stateName),
    workflow: kind.workflow,
    executionName: input.executionName,
    stateName: input.stateName,
    kind: input.kind,
    entityType: kind.entityType,
    entityId,
    assigneeRoles: kind.assigneeRoles,
    status: 'pending',
    token: input.taskToken,
    input: withoutToken(input.payload),
    createdAt: now.toISOString(),
    dueAt: new Date(now.getTime() + deps.dueDays * 86_400_000).toISOString(),
    version: 1,
  };
  const audit = auditEvent(now, SYSTEM_ACTOR, 'task.opened', 'task', task.id, {
    kind: task.kind,
    entityType: task.entityType,
    entityId: task.entityId,
    executionName: task.executionName,
    stateName: task.stateName,
    dueAt: task.dueAt,
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
): Promise<boolean> {
  const task = await deps.tasks.get(taskId(executionName, stateName));
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

/** `GET /v1/tasks`: the inbox of the caller's staff roles (pending by default), oldest due first. */
export async function listTasks(
  deps: Pick<TaskDeps, 'tasks'>,
  principal: Principal,
  query: { status: TaskStatus; limit: number; cursor?: string },
): Promise<{ items: TaskView[]; nextCursor?: string }> {
  const roles = principal.roles.filter((r) => STAFF_INBOX_ROLES.includes(r));
  if (!roles.length) throw new NotFoundError('inbox', principal.sub);
  const page =
    query.status === 'pending'
      ? await deps.tasks.listInbox(roles, query.limit, query.cursor)
      : await deps.tasks.listByStatus(query.status, roles, query.limit, query.cursor);
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
