import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../core/audit.ts';
import { dueKeys } from '../core/deadlines.ts';
import type { HumanTask, HumanTaskRepo, TaskStatus } from '../core/human-tasks.ts';
import { notificationItem, type Recipient } from '../core/notifications.ts';
import { ConflictError } from '../shared/errors.ts';
import type { Role } from '../shared/roles.ts';
import { dynamoDocumentClient, tableName } from './dynamo-client.ts';
import {
  decodeCursor,
  encodeCursor,
  type Item,
  type Key,
  type Registry,
  registry,
  type TxOp,
} from './registry.ts';
import { DUE_SHARDS, GSI1 } from './table-schema.ts';

/**
 * Human tasks in the registry:
 * - `TASK#<id>` / `TASK`: the task (with its token); gsi1 `TASKS#<status>` / `<createdAt>#<id>`;
 *   while pending and not escalated also in the due index (`DUE#<n>` / `<at>#task#<id>`);
 * - `TASK#<id>` / `INBOX#<role>`: one inbox entry per assignee role while pending,
 *   gsi1 `INBOX#<role>` / `<dueAt>#<id>`; `TASK#<id>` / `INBOX#USER#<sub>`: one per named assignee,
 *   gsi1 `INBOX#USER#<sub>` / `<dueAt>#<id>` (system-held tasks, `inbox: false`, have none);
 * - `TASKREF#<entityType>#<entityId>` / `TASKREF`: the entity's current task.
 * - `NOTIFY#<role>` / `<at>#<taskId>#<event>`: reminders and escalations for the assignees (`notificationItem`).
 */
export const taskKey = (id: string): Key => ({ pk: `TASK#${id}`, sk: 'TASK' });
const inboxKey = (id: string, role: string): Key => ({ pk: `TASK#${id}`, sk: `INBOX#${role}` });
/** A named person's inbox entry (the applicant's `supplement`, an expert's `expert_review`). */
const userInboxKey = (id: string, sub: string): Key => ({ pk: `TASK#${id}`, sk: `INBOX#USER#${sub}` });
const inboxKeysOf = (task: HumanTask): Key[] =>
  task.inbox === false
    ? []
    : [
        ...task.assigneeRoles.map((role) => inboxKey(task.id, role)),
        ...(task.assigneeSubs ?? []).map((sub) => userInboxKey(task.id, sub)),
      ];
const refKey = (entityType: string, entityId: string): Key => ({
  pk: `TASKREF#${entityType}#${entityId}`,
  sk: 'TASKREF',
});

const INTERNAL = ['pk', 'sk', 'type', 'gsi1pk', 'gsi1sk', 'duePk', 'dueSk'];

export function itemToTask(item: Item): HumanTask {
  const copy: Item = { ...item };
  for (const k of INTERNAL) delete copy[k];
  return copy as unknown as HumanTask;
}

const noLongerPending = (task: HumanTask) => () =>
  new ConflictError('NOT_PENDING', `Task ${task.id} is no longer pending.`);

/**
 * Ops that end a pending task (status, out of the inbox and the due index) — used inside the
 * transaction of the decision that ends it (e.g. an organisation's verification).
 */
export function finishTaskOps(task: HumanTask, status: Exclude<TaskStatus, 'pending'>, at: string): TxOp[] {
  return [
    {
      kind: 'update',
      key: taskKey(task.id),
      set: { status, completedAt: at, gsi1pk: `TASKS#${status}` },
      remove: ['duePk', 'dueSk'],
      expectVersion: task.version,
      entity: `Task ${task.id}`,
      condition: {
        expression: '#status = :pending',
        names: { '#status': 'status' },
        values: { ':pending': 'pending' },
      },
      onConflict: noLongerPending(task),
    },
    ...inboxKeysOf(task).map((key): TxOp => ({ kind: 'delete', key })),
  ];
}

/**
 * Ops that add named assignees to a pending task (a replacement expert): the task's `assigneeSubs`
 * (version-checked, still pending) and one inbox entry each.
 */
export function addAssigneeOps(task: HumanTask, subs: readonly string[]): TxOp[] {
  const added = subs.filter((sub) => !(task.assigneeSubs ?? []).includes(sub));
  if (!added.length) return [];
  return [
    {
      kind: 'update',
      key: taskKey(task.id),
      set: { assigneeSubs: [...(task.assigneeSubs ?? []), ...added] },
      expectVersion: task.version,
      entity: `Task ${task.id}`,
      condition: {
        expression: '#status = :pending',
        names: { '#status': 'status' },
        values: { ':pending': 'pending' },
      },
      onConflict: noLongerPending(task),
    },
    ...added.map(
      (sub): TxOp => ({
        kind: 'put',
        item: {
          ...userInboxKey(task.id, sub),
          type: 'inbox',
          taskId: task.id,
          gsi1pk: `INBOX#USER#${sub}`,
          gsi1sk: `${task.dueAt}#${task.id}`,
        },
      }),
    ),
  ];
}

class TaskExists extends Error {}

export class DynamoHumanTaskStore implements HumanTaskRepo {
  constructor(private readonly reg: Registry = registry()) {}

  async open(task: HumanTask, audit: AuditEvent): Promise<{ created: boolean; task: HumanTask }> {
    const due = task.reminders === false ? {} : dueKeys(task.dueAt, 'task', task.id, DUE_SHARDS);
    try {
      await this.reg.transact({
        ops: [
          {
            kind: 'put',
            item: {
              ...taskKey(task.id),
              type: 'task',
              ...task,
              gsi1pk: 'TASKS#pending',
              gsi1sk: `${task.createdAt}#${task.id}`,
              ...due,
            },
            ifNew: true,
            onConflict: () => new TaskExists(),
          },
          ...inboxKeysOf(task).map(
            (key): TxOp => ({
              kind: 'put',
              item: {
                ...key,
                type: 'inbox',
                taskId: task.id,
                gsi1pk: key.sk,
                gsi1sk: `${task.dueAt}#${task.id}`,
              },
            }),
          ),
          {
            kind: 'put',
            item: {
              ...refKey(task.entityType, task.entityId),
              type: 'taskref',
              taskId: task.id,
              kind: task.kind,
              createdAt: task.createdAt,
            },
          },
        ],
        audit: [audit],
      });
      return { created: true, task };
    } catch (e) {
      if (!(e instanceof TaskExists)) throw e;
    }
    const existing = await this.get(task.id);
    if (!existing) throw new Error(`task ${task.id} vanished`);
    if (existing.status === 'pending' && existing.token !== task.token) {
      // Resumed or retried with a fresh token: keep the task, point it at the live token.
      await this.reg.transact({
        ops: [
          {
            kind: 'update',
            key: taskKey(task.id),
            set: { token: task.token },
            expectVersion: existing.version,
            entity: `Task ${task.id}`,
          },
        ],
      });
      return { created: false, task: { ...existing, token: task.token, version: existing.version + 1 } };
    }
    return { created: false, task: existing };
  }

  async get(id: string): Promise<HumanTask | undefined> {
    const item = await this.reg.get(taskKey(id));
    return item ? itemToTask(item) : undefined;
  }

  async current(entityType: string, entityId: string): Promise<HumanTask | undefined> {
    const ref = await this.reg.get(refKey(entityType, entityId));
    return typeof ref?.taskId === 'string' ? this.get(ref.taskId) : undefined;
  }

  async finish(
    task: HumanTask,
    status: Exclude<TaskStatus, 'pending'>,
    at: string,
    audit: AuditEvent,
  ): Promise<boolean> {
    try {
      await this.reg.transact({ ops: finishTaskOps(task, status, at), audit: [audit] });
      return true;
    } catch (e) {
      if (e instanceof ConflictError) return false;
      throw e;
    }
  }

  /**
   * Pending tasks of several roles (and of the person `sub`) merged by `<dueAt>#<id>`; the cursor is the
   * last sort key returned, so the next page continues after it in every inbox.
   */
  async listInbox(
    roles: readonly Role[],
    limit: number,
    cursor?: string,
    sub?: string,
  ): Promise<{ items: HumanTask[]; nextCursor?: string }> {
    const after = cursor
      ? String(decodeCursor(cursor, (k) => Object.keys(k).join() === 'after').after)
      : undefined;
    const inboxes = [...roles.map((role) => `INBOX#${role}`), ...(sub ? [`INBOX#USER#${sub}`] : [])];
    const pages = await Promise.all(
      inboxes.map((inbox) =>
        this.reg.query({
          IndexName: GSI1.name,
          KeyConditionExpression: after ? 'gsi1pk = :pk AND gsi1sk > :after' : 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': inbox, ...(after ? { ':after': after } : {}) },
          Limit: limit + 1,
        }),
      ),
    );
    const bySk = new Map<string, string>();
    for (const page of pages) for (const it of page.items) bySk.set(String(it.gsi1sk), String(it.taskId));
    const sorted = [...bySk.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const chosen = sorted.slice(0, limit);
    const tasks = await this.batchGet(chosen.map(([, id]) => id));
    const last = chosen.at(-1)?.[0];
    const more = sorted.length > limit || pages.some((p) => p.lastKey && p.items.length > limit);
    return {
      items: chosen.flatMap(([, id]) => {
        const t = tasks.get(id);
        return t && t.status === 'pending' ? [t] : [];
      }),
      ...(more && last ? { nextCursor: encodeCursor({ after: last }) } : {}),
    };
  }

  /**
   * Every pending task, oldest first (no role filter): the local runtime resumes the waiting
   * executions from these on start (their token, state and input).
   */
  async listAllPending(limit = 100, cursor?: string): Promise<{ items: HumanTask[]; nextCursor?: string }> {
    const start = cursor
      ? decodeCursor(cursor, (k) => k.gsi1pk === 'TASKS#pending' && typeof k.pk === 'string')
      : undefined;
    const page = await this.reg.query({
      IndexName: GSI1.name,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': 'TASKS#pending' },
      Limit: limit,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    return {
      items: page.items.map(itemToTask),
      ...(page.lastKey ? { nextCursor: encodeCursor(page.lastKey) } : {}),
    };
  }

  async listByStatus(
    status: TaskStatus,
    roles: readonly Role[],
    limit: number,
    cursor?: string,
    sub?: string,
  ): Promise<{ items: HumanTask[]; nextCursor?: string }> {
    const pk = `TASKS#${status}`;
    const start = cursor
      ? decodeCursor(
          cursor,
          (k) =>
            k.gsi1pk === pk &&
            typeof k.gsi1sk === 'string' &&
            typeof k.pk === 'string' &&
            typeof k.sk === 'string',
        )
      : undefined;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':pk': pk };
    const filters = roles.map((r, i) => {
      values[`:r${i}`] = r;
      names['#roles'] = 'assigneeRoles';
      return `contains(#roles, :r${i})`;
    });
    if (sub) {
      names['#subs'] = 'assigneeSubs';
      values[':sub'] = sub;
      filters.push('contains(#subs, :sub)');
    }
    const page = await this.reg.query({
      IndexName: GSI1.name,
      KeyConditionExpression: 'gsi1pk = :pk',
      FilterExpression: filters.join(' OR '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      Limit: limit,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    return {
      items: page.items.map(itemToTask),
      ...(page.lastKey ? { nextCursor: encodeCursor(page.lastKey) } : {}),
    };
  }

  async remind(
    task: HumanTask,
    readDueSk: string,
    at: string,
    nextDueAt: string,
    audit: AuditEvent,
  ): Promise<boolean> {
    const next = dueKeys(nextDueAt, 'task', task.id, DUE_SHARDS);
    return this.deadlineStep(
      task,
      readDueSk,
      { remindedAt: at, ...next },
      [],
      audit,
      'reminded',
      task.assigneeRoles,
    );
  }

  async escalate(task: HumanTask, readDueSk: string, at: string, audit: AuditEvent): Promise<boolean> {
    const roles = [...new Set<Role>([...task.assigneeRoles, 'approver'])];
    return this.deadlineStep(
      task,
      readDueSk,
      { escalatedAt: at },
      ['duePk', 'dueSk'],
      audit,
      'escalated',
      roles,
    );
  }

  private async deadlineStep(
    task: HumanTask,
    readDueSk: string,
    set: Item,
    remove: string[],
    audit: AuditEvent,
    event: string,
    notify: readonly Role[],
  ): Promise<boolean> {
    try {
      await this.reg.transact({
        ops: [
          {
            kind: 'update',
            key: taskKey(task.id),
            set,
            ...(remove.length ? { remove } : {}),
            condition: {
              expression: '#dueSk = :read AND #status = :pending',
              names: { '#dueSk': 'dueSk', '#status': 'status' },
              values: { ':read': readDueSk, ':pending': 'pending' },
            },
            onConflict: noLongerPending(task),
          },
          ...[
            ...notify.map((role): Recipient => ({ role })),
            ...(task.assigneeSubs ?? []).map((sub): Recipient => ({ sub })),
          ].map(
            (recipient): TxOp => ({
              kind: 'put',
              item: notificationItem({
                recipient,
                event: `task.${event}`,
                entityType: task.entityType,
                entityId: task.entityId,
                title:
                  event === 'reminded'
                    ? `待办事项已到期：${task.kind} / Task due: ${task.kind}`
                    : `待办事项逾期升级：${task.kind} / Task overdue, escalated: ${task.kind}`,
                detail: { taskId: task.id, kind: task.kind, dueAt: task.dueAt },
                at: audit.at,
                dedupeKey: `${task.id}#${event}`,
              }),
            }),
          ),
        ],
        audit: [audit],
      });
      return true;
    } catch (e) {
      if (e instanceof ConflictError) return false;
      throw e;
    }
  }

  private async batchGet(ids: readonly string[]): Promise<Map<string, HumanTask>> {
    const out = new Map<string, HumanTask>();
    let keys: Key[] = [...new Set(ids)].map(taskKey);
    for (let attempt = 0; keys.length && attempt < 5; attempt += 1) {
      const table = tableName();
      const res = await dynamoDocumentClient().send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of res.Responses?.[table] ?? []) {
        const task = itemToTask(item);
        out.set(task.id, task);
      }
      keys = (res.UnprocessedKeys?.[table]?.Keys ?? []) as Key[];
    }
    return out;
  }
}
