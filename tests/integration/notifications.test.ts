import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoHumanTaskStore } from '../../functions/adapters/human-task-store.ts';
import { DynamoVerificationOutcomeStore } from '../../functions/adapters/organisation-store.ts';
import { registry } from '../../functions/adapters/registry.ts';
import { auditEvent, SYSTEM_ACTOR } from '../../functions/core/audit.ts';
import { taskDeadlineAction } from '../../functions/core/human-tasks.ts';
import { type NotificationInput, notificationItem } from '../../functions/core/notifications.ts';
import type { Organisation } from '../../functions/core/organisations.ts';
import { setClock } from '../../functions/shared/clock.ts';
import { apiEvent, type Caller, jsonBody, lambdaContext } from '../support/api-events.ts';
import { useLocalServices } from './support/services.ts';

const { handler } = await import('../../functions/api/notifications.ts');
const { handler: workflow } = await import('../../functions/workflow/uscc-verification.ts');

interface View {
  id: string;
  event: string;
  entityId: string;
  title: string;
  at: string;
  read: boolean;
  readAt?: string;
  recipient: { sub?: string; role?: string };
  deliveryStatus: string;
}
interface Page {
  items: View[];
  nextCursor?: string;
}

const officer1: Caller = { sub: 'officer-1', roles: ['officer', 'approver'] };
const officer2: Caller = { sub: 'officer-2', roles: ['officer'] };
const applicant: Caller = { sub: 'applicant-1', roles: ['applicant'] };

const list = async (caller: Caller, query: Record<string, string> = {}) => {
  const res = await handler(apiEvent('GET /v1/notifications', { caller, query }), lambdaContext());
  return { status: res.statusCode, body: jsonBody<Page & { code?: string }>(res) };
};
const markRead = async (caller: Caller, ids: unknown) => {
  const res = await handler(
    apiEvent('POST /v1/notifications/read', { caller, body: { ids } }),
    lambdaContext(),
  );
  return { status: res.statusCode, body: jsonBody<{ read?: string[]; code?: string }>(res) };
};
const at = (minute: number): string => new Date(Date.UTC(2026, 3, 1, 2, minute)).toISOString();

async function put(...inputs: NotificationInput[]): Promise<void> {
  await registry().transact({
    ops: inputs.map((n) => ({ kind: 'put', item: notificationItem(n), ifNew: true })),
  });
}
const note = (
  recipient: NotificationInput['recipient'],
  minute: number,
  entityId: string,
): NotificationInput => ({
  recipient,
  event: 'test.event',
  entityType: 'application',
  entityId,
  title: `测试 / Test ${entityId}`,
  at: at(minute),
});

beforeAll(async () => {
  await useLocalServices('notifications');
  // Prepare: the officers' own and role outboxes, an applicant's, interleaved in time; minute 5 is a tie
  // between a user item and a role item with the same sort key.
  await put(
    note({ sub: 'officer-1' }, 1, 'own-1'),
    note({ role: 'officer' }, 2, 'officer-2'),
    note({ role: 'approver' }, 3, 'approver-3'),
    note({ role: 'officer' }, 4, 'officer-4'),
    note({ sub: 'officer-1' }, 5, 'tie'),
    note({ role: 'officer' }, 5, 'tie'),
    note({ sub: 'applicant-1' }, 6, 'applicant-6'),
    note({ role: 'expert' }, 7, 'expert-7'),
  );
});
afterAll(() => setClock(undefined));

describe('GET /v1/notifications', () => {
  it('merges the caller’s own outbox and each role’s, newest first, and nothing else', async () => {
    // Act
    const res = await list(officer1);

    // Assess
    expect(res.status).toBe(200);
    expect(res.body.items.map((n) => n.entityId)).toEqual([
      'tie',
      'tie',
      'officer-4',
      'approver-3',
      'officer-2',
      'own-1',
    ]);
    expect(res.body.items[0]?.id).toMatch(/^user\//);
    expect(res.body.items[1]?.id).toMatch(/^officer\//);
    expect(res.body.items.every((n) => n.read === false && n.deliveryStatus === 'pending')).toBe(true);
    expect(res.body.nextCursor).toBeUndefined();
  });

  it.each([1, 2, 3, 5])('pages of %i return every item exactly once, in order', async (limit) => {
    // Prepare
    const all = (await list(officer1)).body.items.map((n) => n.id);
    const seen: string[] = [];
    let cursor: string | undefined;

    // Act
    for (let i = 0; i < 10; i += 1) {
      const page = await list(officer1, { limit: String(limit), ...(cursor ? { cursor } : {}) });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(limit);
      seen.push(...page.body.items.map((n) => n.id));
      cursor = page.body.nextCursor;
      if (!cursor) break;
    }

    // Assess
    expect(seen).toEqual(all);
  });

  it('refuses a forged cursor with 400 INVALID_CURSOR', async () => {
    const forged = Buffer.from(JSON.stringify({ pk: 'NOTIFY#USER#someone-else' })).toString('base64url');
    const res = await list(officer1, { cursor: forged });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_CURSOR');
  });

  it('shows an applicant only their own', async () => {
    const res = await list(applicant);
    expect(res.body.items.map((n) => n.entityId)).toEqual(['applicant-6']);
  });
});

describe('POST /v1/notifications/read', () => {
  it('marks an own notification read, keeps the first readAt, and audits the change', async () => {
    // Prepare
    setClock(new Date(at(30)), 'fixed');
    const own = (await list(officer1)).body.items.find((n) => n.entityId === 'own-1');

    // Act
    const first = await markRead(officer1, [own?.id]);
    setClock(new Date(at(40)), 'fixed');
    const again = await markRead(officer1, [own?.id]);

    // Assess
    expect(first).toEqual({ status: 200, body: { read: [own?.id] } });
    expect(again.status).toBe(200);
    const after = (await list(officer1)).body.items.find((n) => n.entityId === 'own-1');
    expect(after).toMatchObject({ read: true, readAt: at(30) });
    const audit = await registry().listAudit('officer-1', 10);
    expect(audit.items.map((e) => e.action)).toEqual(['notifications.read']);
  });

  it('keeps a role notification’s read state per person', async () => {
    // Prepare
    const roleNote = (await list(officer1)).body.items.find((n) => n.entityId === 'officer-4');

    // Act
    const res = await markRead(officer1, [roleNote?.id]);

    // Assess
    expect(res.status).toBe(200);
    expect((await list(officer1)).body.items.find((n) => n.id === roleNote?.id)?.read).toBe(true);
    expect((await list(officer2)).body.items.find((n) => n.id === roleNote?.id)?.read).toBe(false);
  });

  it.each([
    ['a role the caller does not hold', 'expert/'],
    ['an unknown scope', 'nobody/'],
    ['another person’s item (resolved against the caller’s own outbox)', 'user/'],
  ])('answers 404 for %s', async (_what, prefix) => {
    // Prepare: the real sort keys of the expert's and the applicant's notifications
    const expertSk = notificationItem(note({ role: 'expert' }, 7, 'expert-7')).sk;
    const applicantSk = notificationItem(note({ sub: 'applicant-1' }, 6, 'applicant-6')).sk;
    const id = `${prefix}${prefix === 'user/' ? applicantSk : expertSk}`;

    // Act
    const res = await markRead(officer1, [id]);

    // Assess
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });

  it.each([
    [[], 400],
    [Array.from({ length: 51 }, (_, i) => `user/x${i}`), 400],
    ['not-a-list', 400],
  ])('validates the ids (%#)', async (ids, status) => {
    expect((await markRead(officer1, ids)).status).toBe(status);
  });
});

describe('the spine’s notification writers use the outbox item', () => {
  it('tells an organisation’s members the verification outcome once, with a title', async () => {
    // Prepare
    const org = {
      id: 'ORG1',
      memberSubs: ['applicant-1'],
      verification: { status: 'verified', decidedAt: at(50) },
    } as unknown as Organisation;
    const store = new DynamoVerificationOutcomeStore();
    const notify = () =>
      store.notifyMembers(
        org,
        { event: 'organisation.verification_outcome', orgId: 'ORG1', status: 'verified', at: at(55) },
        auditEvent(
          new Date(at(55)),
          SYSTEM_ACTOR,
          'organisation.verification_notified',
          'organisation',
          'ORG1',
        ),
      );

    // Act
    const first = await notify();
    const retried = await notify();

    // Assess
    expect([first, retried]).toEqual([true, false]);
    const mine = (await list(applicant)).body.items.filter((n) => n.entityId === 'ORG1');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      event: 'organisation.verification_outcome',
      at: at(50),
      title: expect.stringContaining('verified'),
    });
  });

  it('tells the assignees’ role when a human task is due', async () => {
    // Prepare
    setClock(new Date('2026-05-01T00:00:00Z'), 'fixed');
    const opened = await workflow({
      action: 'openHumanTask',
      kind: 'uscc_verification',
      orgId: 'ORG2',
      executionName: 'org-ORG2',
      stateName: 'OpenVerificationTask',
      taskToken: 'token-ORG2',
    });
    const item = await registry().get({ pk: `TASK#${String(opened.taskId)}`, sk: 'TASK' });
    if (!item) throw new Error('task missing');

    // Act
    const acted = await taskDeadlineAction(new DynamoHumanTaskStore())(
      { duePk: String(item.duePk), dueSk: String(item.dueSk), item },
      new Date('2026-06-01T00:00:00Z'),
    );

    // Assess
    expect(acted).toBe(true);
    const reminders = (await list(officer2)).body.items.filter((n) => n.event === 'task.reminded');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]).toMatchObject({ entityId: 'ORG2', recipient: { role: 'officer' } });
  });
});
