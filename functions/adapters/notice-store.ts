import type { AuditEvent } from '../core/audit.ts';
import { type HumanTask, taskSubject } from '../core/human-tasks.ts';
import {
  DuplicateObjection,
  type EntryTally,
  entryKey,
  type Finish,
  type ListingTasks,
  type Notice,
  type NoticeRepo,
  type Objection,
  type ObjectionInbox,
} from '../core/notices.ts';
import { notificationItem } from '../core/notifications.ts';
import { keys, type ObjectionStatus } from '../core/recognition-model.ts';
import { ConflictError } from '../shared/errors.ts';
import { applicationStatusOp } from './application-store.ts';
import { DynamoHumanTaskStore, finishTaskOps } from './human-task-store.ts';
import { platformItem } from './platform-store.ts';
import { decodeCursor, encodeCursor, type Item, type Registry, registry, type TxOp } from './registry.ts';
import { GSI1, GSI2 } from './table-schema.ts';
import type { WorkflowEngine } from './workflow-engine.ts';

/**
 * Public notices and objections in the registry (Art. 8(4)):
 * - `NOTICE#<id>` / `NOTICE`: the notice; gsi1 `NOTICES` / `<startsAt>#<id>` (public list, newest first);
 *   due index `<endsAt>#notice-close#<id>` while open;
 * - `NOTICE#<id>` / `ENTRY#<applicationId>`: the objection tally of one listed application (versioned);
 * - `OBJ#<id>` / `OBJ`: an objection (confidential); gsi1 `NOTICEOBJ#<noticeId>` / `<createdAt>#<id>`
 *   (a notice's objections); gsi2 `OBJECTIONS#<status>` / `<createdAt>#<id>` (every notice's objections by
 *   status, the officers' inbox), moved to the new status in the resolution's transaction.
 */
export const objectionsByStatusPk = (status: ObjectionStatus): string => `OBJECTIONS#${status}`;
const INTERNAL = ['pk', 'sk', 'type', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'duePk', 'dueSk'];

function strip<T>(item: Item): T {
  const copy: Item = { ...item };
  for (const k of INTERNAL) delete copy[k];
  return copy as T;
}

const tallyOp = (tally: EntryTally, next: EntryTally): TxOp => ({
  kind: 'update',
  key: entryKey(tally.noticeId, tally.applicationId),
  set: {
    pending: next.pending,
    upheld: next.upheld,
    dismissed: next.dismissed,
    awaiting: next.awaiting ?? false,
    ...(next.outcome ? { outcome: next.outcome } : {}),
  },
  expectVersion: tally.version,
  entity: `The objections of application ${tally.applicationId}`,
});

export class DynamoNoticeStore implements NoticeRepo, ObjectionInbox {
  constructor(
    private readonly reg: Registry = registry(),
    private readonly tasks: DynamoHumanTaskStore = new DynamoHumanTaskStore(reg),
  ) {}

  async get(id: string): Promise<Notice | undefined> {
    const item = await this.reg.get(keys.notice(id));
    return item ? strip<Notice>(item) : undefined;
  }

  async list(limit: number, cursor?: string): Promise<{ items: Notice[]; nextCursor?: string }> {
    return this.reg.newestFirstPage(GSI1, 'NOTICES', limit, cursor, (i) => strip<Notice>(i));
  }

  async tallies(noticeId: string): Promise<EntryTally[]> {
    const out: EntryTally[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.reg.query({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
        ExpressionAttributeValues: { ':pk': `NOTICE#${noticeId}`, ':entry': 'ENTRY#' },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
      out.push(...page.items.map((i) => strip<EntryTally>(i)));
      start = page.lastKey;
    } while (start);
    return out;
  }

  async tally(noticeId: string, applicationId: string): Promise<EntryTally | undefined> {
    const item = await this.reg.get(entryKey(noticeId, applicationId));
    return item ? strip<EntryTally>(item) : undefined;
  }

  async getObjection(id: string): Promise<Objection | undefined> {
    const item = await this.reg.get(keys.objection(id));
    return item ? strip<Objection>(item) : undefined;
  }

  async listObjections(
    noticeId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: Objection[]; nextCursor?: string }> {
    const pk = `NOTICEOBJ#${noticeId}`;
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
      Limit: limit,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    return {
      items: page.items.map((i) => strip<Objection>(i)),
      ...(page.lastKey && page.items.length === limit ? { nextCursor: encodeCursor(page.lastKey) } : {}),
    };
  }

  async listObjectionsByStatus(
    status: ObjectionStatus,
    limit: number,
    cursor?: string,
  ): Promise<{ items: Objection[]; nextCursor?: string }> {
    return this.reg.newestFirstPage(GSI2, objectionsByStatusPk(status), limit, cursor, (i) =>
      strip<Objection>(i),
    );
  }

  async addObjection(objection: Objection, tally: EntryTally, audit: AuditEvent): Promise<void> {
    await this.reg.transact({
      ops: [
        {
          kind: 'put',
          item: {
            ...keys.objection(objection.id),
            type: 'objection',
            ...objection,
            gsi1pk: `NOTICEOBJ#${objection.noticeId}`,
            gsi1sk: `${objection.createdAt}#${objection.id}`,
            gsi2pk: objectionsByStatusPk(objection.status),
            gsi2sk: `${objection.createdAt}#${objection.id}`,
          },
          ifNew: true,
          onConflict: () => new DuplicateObjection(objection.id),
        },
        tallyOp(tally, { ...tally, pending: tally.pending + 1 }),
        {
          kind: 'put',
          item: notificationItem({
            recipient: { role: 'officer' },
            event: 'objection.filed',
            entityType: 'objection',
            entityId: objection.id,
            title: `公示收到异议 / An objection was filed on notice ${objection.noticeId}`,
            detail: { noticeId: objection.noticeId, applicationId: objection.applicationId },
            at: objection.createdAt,
          }),
          ifNew: true,
        },
      ],
      audit: [audit],
    });
  }

  async resolveObjection(
    objection: Objection,
    resolved: Objection,
    tally: EntryTally,
    nextTally: EntryTally,
    audit: AuditEvent,
    finish?: Finish,
  ): Promise<void> {
    const ops: TxOp[] = [
      {
        kind: 'update',
        key: keys.objection(objection.id),
        set: {
          status: resolved.status,
          response: resolved.response,
          resolvedAt: resolved.resolvedAt,
          resolvedBy: resolved.resolvedBy,
          // The objection leaves the pending list for its outcome's in the same transaction.
          gsi2pk: objectionsByStatusPk(resolved.status),
          gsi2sk: `${objection.createdAt}#${objection.id}`,
        },
        expectVersion: objection.version,
        entity: `Objection ${objection.id}`,
        condition: {
          expression: '#status = :pending',
          names: { '#status': 'status' },
          values: { ':pending': 'pending' },
        },
        onConflict: () =>
          new ConflictError('OBJECTION_NOT_PENDING', `Objection ${objection.id} was resolved meanwhile.`),
      },
      tallyOp(tally, nextTally),
      ...(finish ? await this.finishOps(finish) : []),
    ];
    await this.reg.transact({ ops, audit: [audit, ...(finish ? [finish.audit] : [])] });
  }

  async decideEntry(
    tally: EntryTally,
    nextTally: EntryTally,
    finish: Finish | undefined,
    audit: AuditEvent,
  ): Promise<void> {
    const ops: TxOp[] = [tallyOp(tally, nextTally)];
    if (finish) ops.push(...(await this.finishOps(finish)));
    else {
      // Objections still pending at the end of the period: officers must resolve them.
      ops.push({
        kind: 'put',
        item: notificationItem({
          recipient: { role: 'officer' },
          event: 'notice.awaiting_resolution',
          entityType: 'application',
          entityId: tally.applicationId,
          title: `公示期满，尚有异议待处理 / Notice ended with objections pending on application ${tally.applicationId}`,
          detail: { noticeId: tally.noticeId, pending: tally.pending },
          at: audit.at,
        }),
        ifNew: true,
      });
    }
    await this.reg.transact({ ops, audit: [audit, ...(finish ? [finish.audit] : [])] });
  }

  async close(notice: Notice, readDueSk: string, at: string, audit: AuditEvent): Promise<boolean> {
    try {
      await this.reg.transact({
        ops: [
          {
            kind: 'update',
            key: keys.notice(notice.id),
            set: { status: 'closed', closedAt: at, updatedAt: at },
            remove: ['duePk', 'dueSk'],
            expectVersion: notice.version,
            condition: {
              expression: '#dueSk = :read AND #status = :open',
              names: { '#dueSk': 'dueSk', '#status': 'status' },
              values: { ':read': readDueSk, ':open': 'open' },
            },
            onConflict: () => new ConflictError('NOTICE_ALREADY_CLOSED', `Notice ${notice.id} is closed.`),
          },
        ],
        audit: [audit],
      });
      return true;
    } catch (e) {
      if (e instanceof ConflictError) return false;
      throw e;
    }
  }

  /** The application's outcome: status, platform, the listing task finished, owner and officers told. */
  private async finishOps(finish: Finish): Promise<TxOp[]> {
    const app = finish.application;
    const task = await this.listingTask(app.id);
    const title =
      finish.outcome === 'recognised'
        ? `已认定为市级人工智能赋能平台 / Recognised as a city-level AI enablement platform`
        : `公示异议成立，未予认定 / Not recognised: an objection was upheld`;
    const detail = {
      outcome: finish.outcome,
      ...(finish.platform ? { platformId: finish.platform.id, validUntil: finish.platform.validUntil } : {}),
    };
    return [
      applicationStatusOp(app, finish.outcome, {
        updatedAt: finish.at,
        decidedAt: finish.at,
        ...(finish.platform ? { platformId: finish.platform.id } : {}),
      }),
      ...(finish.platform
        ? [
            {
              kind: 'put',
              item: platformItem(finish.platform),
              ifNew: true,
              onConflict: () =>
                new ConflictError('PLATFORM_EXISTS', `Platform ${finish.platform?.id} already exists.`),
            } satisfies TxOp,
          ]
        : []),
      ...(task ? finishTaskOps(task, 'completed', finish.at) : []),
      ...[{ sub: app.ownerSub }, { role: 'officer' as const }].map(
        (recipient): TxOp => ({
          kind: 'put',
          item: notificationItem({
            recipient,
            event: `application.${finish.outcome}`,
            entityType: 'application',
            entityId: app.id,
            title,
            detail,
            at: finish.at,
          }),
          ifNew: true,
        }),
      ),
    ];
  }

  private async listingTask(applicationId: string): Promise<HumanTask | undefined> {
    const task = await this.tasks.current('application', applicationId);
    return task?.kind === 'listing' && task.status === 'pending' ? task : undefined;
  }
}

/**
 * Completes the application's `listing` task in the review workflow after its outcome is committed
 * (`sendTaskSuccess(token, { outcome, platformId? })`).
 */
export class WorkflowListingTasks implements ListingTasks {
  constructor(
    private readonly engine: () => Promise<Pick<WorkflowEngine, 'sendTaskSuccess'>>,
    private readonly tasks: DynamoHumanTaskStore = new DynamoHumanTaskStore(),
  ) {}

  async complete(applicationId: string, output: { outcome: string; platformId?: string }): Promise<void> {
    const task = await this.tasks.current('application', applicationId);
    if (task?.kind !== 'listing') return;
    await (await this.engine()).sendTaskSuccess(task.token, output, taskSubject(task));
  }
}
