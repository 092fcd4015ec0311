import { createHash } from 'node:crypto';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { applicationIndexKeys, appliedGuardKey } from '../../functions/adapters/application-store.ts';
import { dynamoDocumentClient, tableName } from '../../functions/adapters/aws-clients.ts';
import { evaluationItem } from '../../functions/adapters/evaluation-store.ts';
import { memberGuardKey, orgKey, usccGuardKey } from '../../functions/adapters/organisation-store.ts';
import { platformItem } from '../../functions/adapters/platform-store.ts';
import { auditKey, type Item } from '../../functions/adapters/registry.ts';
import { DUE_SHARDS } from '../../functions/adapters/table-schema.ts';
import type { Application } from '../../functions/core/applications.ts';
import { auditEvent, SYSTEM_ACTOR } from '../../functions/core/audit.ts';
import { dueKeys } from '../../functions/core/deadlines.ts';
import {
  type Evaluation,
  evaluationExecutionName,
  evaluationIdFor,
  REPORT_OVERDUE,
} from '../../functions/core/evaluations.ts';
import type { HumanTask } from '../../functions/core/human-tasks.ts';
import { notificationItem } from '../../functions/core/notifications.ts';
import type { Organisation } from '../../functions/core/organisations.ts';
import type { Platform } from '../../functions/core/platforms.ts';
import { keys } from '../../functions/core/recognition-model.ts';

/**
 * Seeding at scale for `npm run bench` (issue 8, parts "DynamoDB work per action" and "scale test").
 * Through the handlers one record costs a transaction and an audit event; 100k records that way take far
 * too long, so these write the items the stores would write — built with the stores' own item builders
 * where they export one (`platformItem`, `evaluationItem`, `notificationItem`, the key helpers), the same
 * shape otherwise — with BatchWriteItem of 25, several batches in flight. Written through
 * `dynamoDocumentClient()` into `tableName()`, so pause a `DynamoCounter` while seeding.
 *
 * Every generated id carries a caller-chosen `prefix`, so several seedings can share one table.
 */

/** Items per BatchWriteItem (the DynamoDB maximum). */
const BATCH = 25;

export interface BatchPutOptions {
  /** BatchWriteItem requests in flight (default 6: DynamoDB Local is fastest at a few in parallel). */
  readonly concurrency?: number;
  /** Table (default `tableName()`, i.e. env `TABLE_NAME`). */
  readonly table?: string;
}

/**
 * Puts `items` with BatchWriteItem (25 per request, `concurrency` in flight), resending unprocessed
 * items with a short back-off. Items must have distinct keys within one batch.
 */
export async function batchPut(items: readonly Item[], opts: BatchPutOptions = {}): Promise<void> {
  const table = opts.table ?? tableName();
  const batches: Item[][] = [];
  for (let i = 0; i < items.length; i += BATCH) batches.push(items.slice(i, i + BATCH));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      const batch = batches[next++] as Item[];
      let pending: Item[] = batch;
      for (let attempt = 0; pending.length; attempt += 1) {
        if (attempt > 8) throw new Error(`batchPut: ${pending.length} items still unprocessed`);
        if (attempt) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
        const out = await dynamoDocumentClient().send(
          new BatchWriteCommand({
            RequestItems: { [table]: pending.map((Item) => ({ PutRequest: { Item } })) },
          }),
        );
        pending = (out.UnprocessedItems?.[table] ?? []).flatMap((r) =>
          r.PutRequest?.Item ? [r.PutRequest.Item as Item] : [],
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 6) }, worker));
}

const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString();
const pad = (n: number): string => String(n).padStart(7, '0');

/**
 * A USCC-shaped code per organisation id (18 characters, not check-digit valid: seeded organisations are
 * past verification). Derived from a hash of the whole id, so seedings with different prefixes in one
 * table do not share a USCC guard item.
 */
export const seedUscc = (orgId: string): string =>
  `91442000${createHash('sha256').update(orgId).digest('hex').slice(0, 10).toUpperCase()}`;

/** The instant the seeded data is relative to (records in the past, deadlines in the future of it). */
export interface SeedClock {
  readonly now: Date;
}

/** An organisation with its USCC and member guards (as `DynamoOrganisationStore.create` writes them). */
export function organisationItems(id: string, sub: string, createdAt: string): Item[] {
  const uscc = seedUscc(id);
  const org: Organisation = {
    id,
    name: `中山种子${id}科技有限公司`,
    uscc,
    registeredCapitalCny: 60_000_000,
    address: '广东省中山市东区中山四路1号',
    legalRepresentative: '张三',
    contact: { name: '李四', phone: '0760-88880000', email: `${id.toLowerCase()}@seed.example` },
    usccCheck: { valid: true, region: '442000', checkDigitOk: true } as unknown as Organisation['usccCheck'],
    verification: { status: 'verified' } as Organisation['verification'],
    memberSubs: [sub],
    createdBy: sub,
    createdAt,
    updatedAt: createdAt,
    version: 1,
  };
  return [
    { ...memberGuardKey(sub), type: 'guard', orgId: id, createdAt },
    { ...usccGuardKey(uscc), type: 'guard', orgId: id, createdAt },
    { ...orgKey(id), type: 'organisation', ...org, gsi1pk: 'ORGS', gsi1sk: `${createdAt}#${id}` },
  ];
}

/** A draft application of `orgId` in `callId` with its one-per-call guard. */
export function applicationItems(id: string, callId: string, orgId: string, sub: string, at: string): Item[] {
  const app = {
    id,
    callId,
    orgId,
    ownerSub: sub,
    orgName: `中山种子${orgId}科技有限公司`,
    uscc: seedUscc(orgId),
    status: 'draft',
    consortium: [{ name: '中山大学', kind: 'university' }],
    partners: Array.from({ length: 10 }, (_, i) => ({ name: `合作机构${i}`, kind: 'company' })),
    registeredCapitalCny: 60_000_000,
    committedEnterprisesPerYear: 30,
    capabilities: ['compute scheduling'],
    summary: '算力平台',
    eligibility: { eligible: true, findings: [] },
    version: 1,
    createdAt: at,
    updatedAt: at,
  } as unknown as Application;
  return [
    { ...keys.application(id), type: 'application', ...app, ...applicationIndexKeys(app, 'draft') },
    { ...appliedGuardKey(callId, orgId), type: 'guard', applicationId: id, createdAt: at },
  ];
}

/** An active platform (the item the notice close puts). */
export function seedPlatform(
  id: string,
  orgId: string,
  recognisedAt: string,
  validUntil = '2027-12-31',
): Item {
  const p = {
    id,
    applicationId: `A${id}`,
    callId: 'SEEDCALL',
    orgId,
    hostName: `中山种子${orgId}科技有限公司`,
    uscc: seedUscc(orgId),
    summary: 'AI enablement',
    capabilities: ['算力调度'],
    consortium: [],
    status: 'active',
    recognisedAt,
    validUntil,
    noticeId: 'NOTICESEED',
    createdAt: recognisedAt,
    updatedAt: recognisedAt,
    version: 1,
  } as Platform;
  return platformItem(p);
}

/**
 * A platform's evaluation for `year`: years before `now`'s are published (graded, no due entry); the
 * current year's is awaiting its report with the overdue deadline in the due index (at year end, after
 * `now` unless the seed clock is at year end) — the common, not-yet-due shape.
 */
export function seedEvaluation(platformId: string, orgId: string, year: number, now: Date): Item {
  const current = year >= now.getUTCFullYear();
  const deadline = `${year}-12-31T15:59:59.999Z`;
  const e = {
    id: evaluationIdFor(year, platformId),
    year,
    platformId,
    orgId,
    hostName: `中山种子${orgId}科技有限公司`,
    status: current ? 'awaiting_report' : 'published',
    executionName: evaluationExecutionName(year, platformId),
    reportDeadline: deadline,
    ...(current
      ? {}
      : { score: 82.5, bandGrade: 'good', grade: 'good', gradedAt: deadline, publishedAt: deadline }),
    createdAt: `${year}-01-15T00:00:00.000Z`,
    updatedAt: `${year}-01-15T00:00:00.000Z`,
    version: current ? 1 : 4,
  } as unknown as Evaluation;
  return evaluationItem(
    e,
    current && Date.parse(deadline) > now.getTime() ? { at: deadline, type: REPORT_OVERDUE } : undefined,
  );
}

/**
 * A pending human task with its inbox entry and the entity's task ref (as `DynamoHumanTaskStore.open`
 * writes them). `dueAt` decides whether the deadline job finds it: after `now` it is background, at or
 * before `now` it is due (reminded once; its escalation then lies one span after `dueAt`, in the future
 * as long as the task was created well before it).
 */
export function humanTaskItems(id: string, entityId: string, createdAt: string, dueAt: string): Item[] {
  const task: HumanTask = {
    id,
    workflow: 'review',
    executionName: `app-${entityId}`,
    stateName: 'OpenPreliminaryReview',
    kind: 'preliminary_review',
    entityType: 'application',
    entityId,
    assigneeRoles: ['officer'],
    status: 'pending',
    token: `token-${id}`,
    input: { applicationId: entityId },
    createdAt,
    dueAt,
    version: 1,
  };
  return [
    {
      pk: `TASK#${id}`,
      sk: 'TASK',
      type: 'task',
      ...task,
      gsi1pk: 'TASKS#pending',
      gsi1sk: `${createdAt}#${id}`,
      ...dueKeys(dueAt, 'task', id, DUE_SHARDS),
    },
    {
      pk: `TASK#${id}`,
      sk: 'INBOX#officer',
      type: 'inbox',
      taskId: id,
      gsi1pk: 'INBOX#officer',
      gsi1sk: `${dueAt}#${id}`,
    },
    {
      pk: `TASKREF#application#${entityId}`,
      sk: 'TASKREF',
      type: 'taskref',
      taskId: id,
      kind: task.kind,
      createdAt,
    },
  ];
}

/** An audit event item of `entityId` (as `Registry.transact` appends it). */
export function auditItem(entityId: string, entityType: string, action: string, at: Date, seq: number): Item {
  const e = auditEvent(at, SYSTEM_ACTOR, action, entityType, entityId, { seeded: true });
  return { ...auditKey(entityId, e.at, `SEED${pad(seq)}`), type: 'audit', ...e };
}

/**
 * `n` items of realistic background — none of them due at `now`: per unit of 20 items an organisation
 * (3 items with its guards), a draft application in the background call (2), an active platform (1) with
 * last year's published and this year's pending evaluation (2, the latter in the due index at year end),
 * an officer's pending task due in a week (3, in the due index), 7 audit events and 2 role notifications.
 * The background call's own item is the first. Ids start with `prefix`.
 */
export function backgroundItems(n: number, prefix: string, clock: SeedClock): Item[] {
  const now = clock.now.getTime();
  const callId = `${prefix}CALL`;
  const items: Item[] = [
    {
      ...keys.call(callId),
      type: 'call',
      id: callId,
      title: '背景认定',
      description: 'background call',
      opensAt: iso(now - 300 * DAY),
      closesAt: iso(now - 200 * DAY),
      requiredEvidence: [],
      scoringCriteria: [{ key: 'capability', title: '能力', weight: 1, max: 100 }],
      noticePeriod: { length: 5, unit: 'working_days' },
      status: 'closed',
      createdBy: 'officer-seed',
      createdAt: iso(now - 320 * DAY),
      updatedAt: iso(now - 320 * DAY),
      version: 3,
      gsi1pk: 'CALLS#published',
      gsi1sk: `${iso(now - 320 * DAY)}#${callId}`,
    },
  ];
  const year = clock.now.getUTCFullYear();
  for (let u = 0; items.length < n; u += 1) {
    const id = `${prefix}${pad(u)}`;
    const sub = `seed-${id}`;
    const at = now - (u % 300) * DAY - 1000 * u;
    const created = iso(at);
    const platformId = `p-${id}`;
    items.push(
      ...organisationItems(`O${id}`, sub, created),
      ...applicationItems(`A${id}`, callId, `O${id}`, sub, created),
      seedPlatform(platformId, `O${id}`, created),
      seedEvaluation(platformId, `O${id}`, year - 1, clock.now),
      seedEvaluation(platformId, `O${id}`, year, clock.now),
      ...humanTaskItems(`T${id}`, `A${id}`, iso(now - DAY), iso(now + 7 * DAY + (u % 1000) * 1000)),
      ...['organisation.created', 'application.created', 'application.updated', 'platform.recognised'].map(
        (action, k) =>
          auditItem(
            k < 1 ? `O${id}` : k < 3 ? `A${id}` : platformId,
            'seed',
            action,
            new Date(at + k),
            u * 10 + k,
          ),
      ),
      ...['task.opened', 'evaluation.opened', 'observer.accessed'].map((action, k) =>
        auditItem(platformId, 'platform', action, new Date(at + 10 + k), u * 10 + 4 + k),
      ),
      ...(['officer', 'approver'] as const).map((role) =>
        notificationItem({
          recipient: { role },
          event: 'task.opened',
          entityType: 'application',
          entityId: `A${id}`,
          title: '新的待办 / New task',
          at: created,
        }),
      ),
    );
  }
  return items.slice(0, n);
}

/** Writes `backgroundItems(n, prefix, clock)`; returns the number of items written. */
export async function seedBackground(
  n: number,
  prefix: string,
  clock: SeedClock,
  opts: BatchPutOptions = {},
): Promise<number> {
  const items = backgroundItems(n, prefix, clock);
  await batchPut(items, opts);
  return items.length;
}

/**
 * `k` pending officer tasks whose reminder is due at `now` (due a minute before it, created 5 days
 * before that, so the reminder moves them ~5 days into the future and a second run finds nothing).
 * Returns the task ids.
 */
export async function seedDueTasks(
  k: number,
  prefix: string,
  clock: SeedClock,
  opts: BatchPutOptions = {},
): Promise<string[]> {
  const now = clock.now.getTime();
  const ids = Array.from({ length: k }, (_, i) => `${prefix}DUE${pad(i)}`);
  await batchPut(
    ids.flatMap((id, i) => humanTaskItems(id, `A${id}`, iso(now - 5 * DAY - i), iso(now - 60_000 - i))),
    opts,
  );
  return ids;
}

/**
 * `n` active platforms (and their host organisations), recognised over the last `n` minutes before
 * `now`. Returns the platform ids (`p-<prefix><n>`).
 */
export async function seedPlatforms(
  n: number,
  prefix: string,
  clock: SeedClock,
  opts: BatchPutOptions = {},
): Promise<string[]> {
  const now = clock.now.getTime();
  const ids: string[] = [];
  const items: Item[] = [];
  for (let i = 0; i < n; i += 1) {
    const id = `${prefix}${pad(i)}`;
    const at = iso(now - 60_000 * (i + 1));
    ids.push(`p-${id}`);
    items.push(seedPlatform(`p-${id}`, `O${id}`, at), ...organisationItems(`O${id}`, `seed-${id}`, at));
  }
  await batchPut(items, opts);
  return ids;
}

/**
 * The evaluations of `platformIds` for the `years` years up to and including `now`'s year (earlier
 * years published, the current one awaiting its report). Host organisation ids follow `seedPlatforms`.
 */
export async function seedEvaluations(
  platformIds: readonly string[],
  years: number,
  clock: SeedClock,
  opts: BatchPutOptions = {},
): Promise<number> {
  const last = clock.now.getUTCFullYear();
  const items = platformIds.flatMap((pid) =>
    Array.from({ length: years }, (_, k) =>
      seedEvaluation(pid, `O${pid.replace(/^p-/, '')}`, last - k, clock.now),
    ),
  );
  await batchPut(items, opts);
  return items.length;
}
