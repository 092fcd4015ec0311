import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type {
  Application,
  ApplicationChange,
  ApplicationRepo,
  Evidence,
  EvidenceManifestEntry,
  EvidenceRepo,
  ListOptions,
  Page,
} from '../core/applications.ts';
import { manifestOf } from '../core/applications.ts';
import type { AuditEvent } from '../core/audit.ts';
import { notificationItem } from '../core/notifications.ts';
import type { Organisation } from '../core/organisations.ts';
import { type ApplicationStatus, EDITABLE, keys } from '../core/recognition-model.ts';
import { ConflictError } from '../shared/errors.ts';
import type { IdempotencyWrite } from '../shared/idempotency.ts';
import { dynamoDocumentClient, tableName } from './dynamo-client.ts';
import { finishTaskOps } from './human-task-store.ts';
import { memberGuardKey, orgKey } from './organisation-store.ts';
import {
  decodeCursor,
  encodeCursor,
  type Item,
  type Key,
  type Registry,
  registry,
  type TxOp,
} from './registry.ts';
import { GSI1, GSI2 } from './table-schema.ts';

/**
 * Applications and their evidence in the registry (Art. 8–9):
 * - `APP#<id>` / `APP`: the application;
 *   gsi1 `CALLAPPS#<callId>` / `<status>#<createdAt>#<id>` (a call's applications, by status);
 *   gsi2 `OWNERAPPS#<sub>` / `<callId>#<status>#<createdAt>#<id>` (an applicant's own);
 * - `APPLIED#<callId>#<orgId>` / `GUARD`: one application per organisation per call;
 * - `APP#<id>` / `EVIDENCE#<evidenceId>`: one evidence file (declared, scanning, verified, rejected).
 * Read (written by the review module): `EXPERTUSER#<sub>` / `GUARD` (the user's expert id),
 * `APP#<id>` / `ASSIGN#<expertId>` (gsi2 `EXPERT#<expertId>#ASSIGNED`).
 */
export const appliedGuardKey = (callId: string, orgId: string): Key => ({
  pk: `APPLIED#${callId}#${orgId}`,
  sk: 'GUARD',
});

/** The list-index keys of an application in `status` (they change with the status). */
export function applicationIndexKeys(
  app: Pick<Application, 'id' | 'callId' | 'ownerSub' | 'createdAt'>,
  status: ApplicationStatus,
): Record<'gsi1pk' | 'gsi1sk' | 'gsi2pk' | 'gsi2sk', string> {
  return {
    gsi1pk: `CALLAPPS#${app.callId}`,
    gsi1sk: `${status}#${app.createdAt}#${app.id}`,
    gsi2pk: `OWNERAPPS#${app.ownerSub}`,
    gsi2sk: `${app.callId}#${status}#${app.createdAt}#${app.id}`,
  };
}

const INTERNAL = ['pk', 'sk', 'type', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'duePk', 'dueSk'];

function strip<T>(item: Item): T {
  const copy: Item = { ...item };
  for (const k of INTERNAL) delete copy[k];
  return copy as T;
}

/** Fields a status change may never set through `statusOp` (keys, lock, ownership). */
const PROTECTED = new Set([
  ...INTERNAL,
  'version',
  'id',
  'callId',
  'orgId',
  'ownerSub',
  'createdAt',
  'status',
]);

/**
 * The op that moves an application to `status` inside someone else's transaction (review decisions,
 * notice approval, notice close): an `update` with `expectVersion: app.version` (→ 409 STALE_VERSION),
 * keeping the list index keys in step. `set` adds fields (e.g. `updatedAt`, `supplementDeadline`, a due
 * entry's `duePk`/`dueSk`); `remove` drops attributes (e.g. `duePk`, `dueSk` when a deadline is done).
 */
export function applicationStatusOp(
  app: Application,
  status: ApplicationStatus,
  set: Record<string, unknown> = {},
  remove: readonly string[] = [],
): TxOp {
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(set)) {
    if (PROTECTED.has(k) && k !== 'duePk' && k !== 'dueSk') {
      throw new Error(`statusOp: '${k}' cannot be set through a status change`);
    }
    extra[k] = v;
  }
  return {
    kind: 'update',
    key: keys.application(app.id),
    set: { ...extra, status, ...applicationIndexKeys(app, status) },
    ...(remove.length ? { remove: remove.filter((r) => !(r in extra)) } : {}),
    expectVersion: app.version,
    entity: `Application ${app.id}`,
  };
}

const ALREADY_APPLIED = () =>
  new ConflictError(
    'ALREADY_APPLIED',
    'Your organisation has already applied to this call; edit that application instead (one per organisation per call).',
  );

export class DynamoApplicationStore implements ApplicationRepo {
  constructor(private readonly reg: Registry = registry()) {}

  /** See `applicationStatusOp`. */
  statusOp(
    app: Application,
    status: ApplicationStatus,
    set?: Record<string, unknown>,
    remove?: readonly string[],
  ): TxOp {
    return applicationStatusOp(app, status, set, remove);
  }

  async create(app: Application, audit: AuditEvent, idempotency?: IdempotencyWrite): Promise<void> {
    await this.reg.transact({
      ops: [
        {
          kind: 'put',
          item: {
            ...appliedGuardKey(app.callId, app.orgId),
            type: 'guard',
            applicationId: app.id,
            createdAt: app.createdAt,
          },
          ifNew: true,
          onConflict: ALREADY_APPLIED,
        },
        {
          kind: 'put',
          item: {
            ...keys.application(app.id),
            type: 'application',
            ...app,
            ...applicationIndexKeys(app, app.status),
          },
          ifNew: true,
        },
      ],
      audit: [audit],
      ...(idempotency ? { idempotency } : {}),
    });
  }

  async get(id: string): Promise<Application | undefined> {
    const item = await this.reg.get(keys.application(id));
    return item ? strip<Application>(item) : undefined;
  }

  async change(change: ApplicationChange): Promise<void> {
    const { before, after } = change;
    const {
      id: _i,
      callId: _c,
      orgId: _o,
      ownerSub: _s,
      createdAt: _a,
      version: _v,
      status,
      ...fields
    } = after;
    const removed = new Set(change.remove ?? []);
    // Attributes present before and absent after are removed too.
    for (const k of Object.keys(before)) if (!(k in after)) removed.add(k);
    const ops: TxOp[] = [
      applicationStatusOp(before, status, fields, [...removed]),
      ...(change.finishTask
        ? finishTaskOps(change.finishTask.task, change.finishTask.status, after.updatedAt)
        : []),
      ...(change.notifications ?? []).map(
        (n): TxOp => ({ kind: 'put', item: notificationItem(n), ifNew: true }),
      ),
    ];
    await this.reg.transact({ ops, audit: [change.audit] });
  }

  /** A call's applications (gsi1), optionally of one status, in status then creation order. */
  async listByCall(callId: string, opts: ListOptions): Promise<Page<Application>> {
    const pk = `CALLAPPS#${callId}`;
    return this.page(GSI1, pk, opts.status ? `${opts.status}#` : undefined, opts);
  }

  /** An applicant's own applications (gsi2), optionally of one call and status. */
  async listByOwner(sub: string, opts: ListOptions & { callId?: string }): Promise<Page<Application>> {
    const pk = `OWNERAPPS#${sub}`;
    if (opts.callId) {
      const prefix = opts.status ? `${opts.callId}#${opts.status}#` : `${opts.callId}#`;
      return this.page(GSI2, pk, prefix, opts);
    }
    return this.page(GSI2, pk, undefined, opts, opts.status);
  }

  /** The applications assigned to an expert (assignment items on gsi2), optionally filtered. */
  async listAssigned(expertId: string, opts: ListOptions & { callId?: string }): Promise<Page<Application>> {
    const pk = `EXPERT#${expertId}#ASSIGNED`;
    const start = opts.cursor ? this.cursorFor(GSI2, pk, opts.cursor) : undefined;
    const res = await this.reg.query({
      IndexName: GSI2.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': GSI2.partitionKey },
      ExpressionAttributeValues: { ':pk': pk },
      Limit: opts.limit,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    const ids = res.items.map((it) =>
      typeof it.applicationId === 'string' ? it.applicationId : String(it.pk).replace(/^APP#/, ''),
    );
    const apps = await this.batchGet(ids);
    const items = ids
      .map((id) => apps.get(id))
      .filter((a): a is Application => !!a)
      .filter(
        (a) => (!opts.callId || a.callId === opts.callId) && (!opts.status || a.status === opts.status),
      );
    return { items, ...(res.lastKey ? { nextCursor: encodeCursor(res.lastKey) } : {}) };
  }

  async expertIdOf(sub: string): Promise<string | undefined> {
    const guard = await this.reg.get(keys.expertByUser(sub));
    const id = guard?.expertId ?? guard?.id;
    return typeof id === 'string' ? id : undefined;
  }

  async isAssigned(applicationId: string, expertId: string): Promise<boolean> {
    return !!(await this.reg.get(keys.assignment(applicationId, expertId)));
  }

  async organisationOf(sub: string): Promise<Organisation | undefined> {
    const guard = await this.reg.get(memberGuardKey(sub));
    return typeof guard?.orgId === 'string' ? this.getOrganisation(guard.orgId) : undefined;
  }

  async getOrganisation(id: string): Promise<Organisation | undefined> {
    const item = await this.reg.get(orgKey(id));
    return item ? strip<Organisation>(item) : undefined;
  }

  private cursorFor(index: { partitionKey: string; sortKey: string }, pk: string, cursor: string) {
    return decodeCursor(
      cursor,
      (k) =>
        k[index.partitionKey] === pk &&
        typeof k[index.sortKey] === 'string' &&
        typeof k.pk === 'string' &&
        typeof k.sk === 'string' &&
        Object.keys(k).length === 4,
    );
  }

  private async page(
    index: { name: string; partitionKey: string; sortKey: string },
    pk: string,
    prefix: string | undefined,
    opts: ListOptions,
    statusFilter?: ApplicationStatus,
  ): Promise<Page<Application>> {
    const start = opts.cursor ? this.cursorFor(index, pk, opts.cursor) : undefined;
    const names: Record<string, string> = { '#pk': index.partitionKey };
    const values: Record<string, unknown> = { ':pk': pk };
    let condition = '#pk = :pk';
    if (prefix) {
      names['#sk'] = index.sortKey;
      values[':prefix'] = prefix;
      condition += ' AND begins_with(#sk, :prefix)';
    }
    if (statusFilter) {
      names['#status'] = 'status';
      values[':status'] = statusFilter;
    }
    const res = await this.reg.query({
      IndexName: index.name,
      KeyConditionExpression: condition,
      ...(statusFilter ? { FilterExpression: '#status = :status' } : {}),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      Limit: opts.limit,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    return {
      items: res.items.map((it) => strip<Application>(it)),
      ...(res.lastKey ? { nextCursor: encodeCursor(res.lastKey) } : {}),
    };
  }

  private async batchGet(ids: readonly string[]): Promise<Map<string, Application>> {
    const out = new Map<string, Application>();
    let pending: Key[] = [...new Set(ids)].map((id) => keys.application(id));
    for (let attempt = 0; pending.length && attempt < 5; attempt += 1) {
      const table = tableName();
      const res = await dynamoDocumentClient().send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }),
      );
      for (const item of res.Responses?.[table] ?? []) {
        const app = strip<Application>(item);
        out.set(app.id, app);
      }
      pending = (res.UnprocessedKeys?.[table]?.Keys ?? []) as Key[];
    }
    return out;
  }
}

/** Evidence items of applications (`APP#<id>` / `EVIDENCE#<evidenceId>`). */
export class DynamoEvidenceRepo implements EvidenceRepo {
  constructor(private readonly reg: Registry = registry()) {}

  async create(ev: Evidence, audit: AuditEvent, idempotency?: IdempotencyWrite): Promise<void> {
    await this.reg.transact({
      ops: [
        {
          kind: 'check',
          key: keys.application(ev.applicationId),
          condition: {
            expression: '#status IN (:s0, :s1)',
            names: { '#status': 'status' },
            values: { ':s0': EDITABLE[0], ':s1': EDITABLE[1] },
          },
          onConflict: () =>
            new ConflictError(
              'NOT_EDITABLE',
              `Application ${ev.applicationId} is no longer a draft or returned; evidence cannot be added.`,
            ),
        },
        {
          kind: 'put',
          item: { ...keys.evidence(ev.applicationId, ev.evidenceId), type: 'evidence', ...ev },
          ifNew: true,
        },
      ],
      audit: [audit],
      ...(idempotency ? { idempotency } : {}),
    });
  }

  async get(applicationId: string, evidenceId: string): Promise<Evidence | undefined> {
    const item = await this.reg.get(keys.evidence(applicationId, evidenceId));
    return item ? strip<Evidence>(item) : undefined;
  }

  /** Every evidence item of an application, oldest first (an application has tens, not thousands). */
  async list(applicationId: string): Promise<Evidence[]> {
    const out: Evidence[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.reg.query({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: { ':pk': `APP#${applicationId}`, ':sk': 'EVIDENCE#' },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
      out.push(...res.items.map((it) => strip<Evidence>(it)));
      start = res.lastKey;
    } while (start);
    return out;
  }

  async change(
    before: Evidence,
    after: Evidence,
    audit: AuditEvent,
    notifications: readonly Parameters<typeof notificationItem>[0][] = [],
  ): Promise<void> {
    const { evidenceId: _e, applicationId: _a, version: _v, ...fields } = after;
    await this.reg.transact({
      ops: [
        {
          kind: 'update',
          key: keys.evidence(before.applicationId, before.evidenceId),
          set: fields,
          expectVersion: before.version,
          entity: `Evidence ${before.evidenceId}`,
        },
        ...notifications.map((n): TxOp => ({ kind: 'put', item: notificationItem(n), ifNew: true })),
      ],
      audit: [audit],
    });
  }

  async record(audit: AuditEvent): Promise<void> {
    await this.reg.transact({ ops: [], audit: [audit] });
  }
}

/**
 * The evidence manifest of an application: ids and SHA-256 of its verified evidence — what a decision
 * was based on (Art. 4, Art. 8). The review module records it in each decision's audit event.
 */
export async function evidenceManifest(
  applicationId: string,
  reg: Registry = registry(),
): Promise<EvidenceManifestEntry[]> {
  return manifestOf(await new DynamoEvidenceRepo(reg).list(applicationId));
}
