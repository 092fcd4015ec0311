import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoHumanTaskStore } from '../../functions/adapters/human-task-store.ts';
import { registry } from '../../functions/adapters/registry.ts';
import { taskId } from '../../functions/core/human-tasks.ts';
import { setClock } from '../../functions/shared/clock.ts';
import { apiEvent, type Caller, jsonBody, lambdaContext } from '../support/api-events.ts';
import { useLocalServices } from './support/services.ts';

const { handler: workflow } = await import('../../functions/workflow/uscc-verification.ts');
const { handler: tasksApi } = await import('../../functions/api/tasks.ts');

const officer: Caller = { sub: 'officer-1', roles: ['officer'] };
const open = (orgId: string, token = `token-${orgId}`) =>
  workflow({
    action: 'openHumanTask',
    kind: 'uscc_verification',
    orgId,
    executionName: `org-${orgId}`,
    stateName: 'OpenVerificationTask',
    taskToken: token,
  });
const list = (caller: Caller, query: Record<string, string> = {}) =>
  tasksApi(apiEvent('GET /v1/tasks', { caller, query }), lambdaContext());

type Page = {
  items: Array<{ id: string; entityId: string; status: string; dueAt: string }>;
  nextCursor?: string;
};

beforeAll(async () => {
  await useLocalServices('tasks');
  setClock(new Date('2026-03-02T01:00:00.000Z'), 'fixed');
});
afterAll(() => setClock(undefined));

describe('workflow openHumanTask', () => {
  it('is idempotent: opening the same step twice yields one task, one inbox entry, one audit event', async () => {
    // Act
    const first = await open('ORG-A');
    const second = await open('ORG-A');
    // Assess
    expect(first).toEqual({ taskId: taskId('org-ORG-A', 'OpenVerificationTask'), created: true });
    expect(second).toEqual({ taskId: first.taskId, created: false });
    const page = jsonBody<Page>(await list(officer));
    expect(page.items.filter((t) => t.entityId === 'ORG-A')).toHaveLength(1);
    expect(page.items[0]).not.toHaveProperty('token');
    const audit = await registry().listAudit(String(first.taskId), 10);
    expect(audit.items.map((e) => e.action)).toEqual(['task.opened']);
  });

  it('a resumed step with a fresh token keeps the task and points it at the new token', async () => {
    await open('ORG-B', 'old-token');
    await open('ORG-B', 'new-token');
    const store = new DynamoHumanTaskStore();
    const task = await store.current('organisation', 'ORG-B');
    expect(task?.token).toBe('new-token');
    expect(task?.status).toBe('pending');
    expect(task?.input).toEqual({
      action: 'openHumanTask',
      kind: 'uscc_verification',
      orgId: 'ORG-B',
      executionName: 'org-ORG-B',
      stateName: 'OpenVerificationTask',
    });
    const pending = await store.listAllPending();
    expect(pending.items.filter((t) => t.entityId === 'ORG-B')).toHaveLength(1);
  });

  it('rejects a malformed input (no retry storm on bad data)', async () => {
    await expect(workflow({ action: 'openHumanTask', kind: 'uscc_verification' })).rejects.toThrow(
      /invalid task input/,
    );
    await expect(workflow({ action: 'nonsense' })).rejects.toThrow(/invalid task input/);
  });
});

describe('GET /v1/tasks', () => {
  it('lists the inbox of the caller’s roles, oldest due first, with a cursor', async () => {
    await open('ORG-C');
    const all = jsonBody<Page>(await list(officer, { limit: '100' })).items.map((t) => t.entityId);
    expect(all).toEqual(expect.arrayContaining(['ORG-A', 'ORG-B', 'ORG-C']));
    const first = jsonBody<Page>(await list(officer, { limit: '2' }));
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toBeTruthy();
    const second = jsonBody<Page>(await list(officer, { limit: '2', cursor: String(first.nextCursor) }));
    const ids = [...first.items, ...second.items].map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(Math.min(all.length, 4));
  });

  it('shows nothing to a role that has no tasks, only their own to applicants, 400 for a forged cursor', async () => {
    expect(jsonBody<Page>(await list({ sub: 'exp', roles: ['expert'] })).items).toEqual([]);
    expect(jsonBody<Page>(await list({ sub: 'app', roles: ['applicant'] })).items).toEqual([]);
    expect((await list({ sub: 'obs', roles: ['observer'] })).statusCode).toBe(403);
    const forged = await list(officer, { cursor: Buffer.from('{"pk":"ORG#x"}').toString('base64url') });
    expect(forged.statusCode).toBe(400);
    expect((await list(officer, { status: 'lost' })).statusCode).toBe(400);
  });

  it('a timed-out task leaves the inbox and is listed under its status', async () => {
    await open('ORG-T');
    const out = await workflow({
      action: 'markTimedOut',
      orgId: 'ORG-T',
      executionName: 'org-ORG-T',
      stateName: 'OpenVerificationTask',
    });
    expect(out).toEqual({ timedOut: true });
    expect(
      await workflow({
        action: 'markTimedOut',
        orgId: 'ORG-T',
        executionName: 'org-ORG-T',
        stateName: 'OpenVerificationTask',
      }),
    ).toEqual({ timedOut: false });
    const pending = jsonBody<Page>(await list(officer, { limit: '100' })).items.map((t) => t.entityId);
    expect(pending).not.toContain('ORG-T');
    const timedOut = jsonBody<Page>(await list(officer, { status: 'timed_out' })).items;
    expect(timedOut.map((t) => [t.entityId, t.status])).toEqual([['ORG-T', 'timed_out']]);
  });
});

describe('workflow recordFailure', () => {
  it('records the failure once and fails the open task', async () => {
    await open('ORG-F');
    const input = {
      action: 'recordFailure',
      orgId: 'ORG-F',
      executionName: 'org-ORG-F',
      error: { Error: 'Boom', Cause: 'x' },
    };
    expect(await workflow(input)).toEqual({ recorded: true });
    expect(await workflow(input)).toEqual({ recorded: false });
    const task = await new DynamoHumanTaskStore().current('organisation', 'ORG-F');
    expect(task?.status).toBe('failed');
    const audit = await registry().listAudit('ORG-F', 10);
    expect(audit.items.map((e) => e.action)).toEqual(['workflow.failed']);
  });
});
