import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoHumanTaskStore } from '../../functions/adapters/human-task-store.ts';
import { registry } from '../../functions/adapters/registry.ts';
import { taskDeadlineAction } from '../../functions/core/human-tasks.ts';
import { setClock } from '../../functions/shared/clock.ts';
import { useLocalServices } from './support/services.ts';

const { handler: workflow } = await import('../../functions/workflow/uscc-verification.ts');
const { handler: deadlines } = await import('../../functions/jobs/deadlines.ts');

const DAY = 86_400_000;
const T0 = new Date('2026-04-01T02:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

async function openAt(when: Date, orgId: string): Promise<string> {
  setClock(when, 'fixed');
  const out = await workflow({
    action: 'openHumanTask',
    kind: 'uscc_verification',
    orgId,
    executionName: `org-${orgId}`,
    stateName: 'OpenVerificationTask',
    taskToken: `token-${orgId}`,
  });
  return String(out.taskId);
}

async function runAt(when: Date) {
  setClock(when, 'fixed');
  return deadlines();
}

beforeAll(async () => {
  process.env.VERIFICATION_DUE_DAYS = '5';
  await useLocalServices('deadlines');
});
afterAll(() => setClock(undefined));

describe('deadline job', () => {
  it('reads only due items: 200 not yet due, 3 due → examined 3', async () => {
    // Prepare: 3 tasks due at T0+5d, 200 created a day later (due T0+6d)
    const due = await Promise.all(['D1', 'D2', 'D3'].map((id) => openAt(T0, id)));
    setClock(at(DAY), 'fixed');
    for (let batch = 0; batch < 10; batch += 1) {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          workflow({
            action: 'openHumanTask',
            kind: 'uscc_verification',
            orgId: `N${batch}-${i}`,
            executionName: `org-N${batch}-${i}`,
            stateName: 'OpenVerificationTask',
            taskToken: 't',
          }),
        ),
      );
    }
    // Act: just after the 3 are due, before the others
    const summary = await runAt(at(5 * DAY + 60_000));
    // Assess
    expect(summary).toEqual({
      now: at(5 * DAY + 60_000).toISOString(),
      examined: 3,
      acted: 3,
      byType: { task: { examined: 3, acted: 3 } },
    });
    for (const id of due) {
      const audit = await registry().listAudit(id, 10);
      expect(audit.items.map((e) => e.action)).toEqual(['task.opened', 'task.reminded']);
    }
  });

  it('a second run at the same instant changes nothing', async () => {
    const summary = await runAt(at(5 * DAY + 60_000));
    expect(summary).toMatchObject({ examined: 0, acted: 0 });
  });

  it('escalates one span after the reminder, then drops the task from the due index', async () => {
    // The 200 later tasks are reminded at T0+6d; the 3 early ones escalate at T0+10d.
    const reminders = await runAt(at(6 * DAY + 60_000));
    expect(reminders).toMatchObject({ examined: 200, acted: 200 });
    const escalation = await runAt(at(10 * DAY));
    expect(escalation).toMatchObject({ examined: 3, acted: 3 });
    const task = await new DynamoHumanTaskStore().current('organisation', 'D1');
    expect(task?.escalatedAt).toBe(at(10 * DAY).toISOString());
    expect(task?.remindedAt).toBe(at(5 * DAY + 60_000).toISOString());
    const raw = await registry().get({ pk: `TASK#${task?.id}`, sk: 'TASK' });
    expect(raw?.dueSk).toBeUndefined();
    expect((await runAt(at(10 * DAY))).acted).toBe(0);
    const audit = await registry().listAudit(String(task?.id), 10);
    expect(audit.items.map((e) => e.action)).toEqual(['task.opened', 'task.reminded', 'task.escalated']);
    const notes = await registry().query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'NOTIFY#approver' },
    });
    expect(
      notes.items
        .filter((n) => (n.detail as { taskId?: string } | undefined)?.taskId === task?.id)
        .map((n) => n.event),
    ).toEqual(['task.escalated']);
  });

  it('an action handed a stale due key changes nothing (conditional on the exact dueSk it read)', async () => {
    const id = await openAt(at(20 * DAY), 'STALE');
    const store = new DynamoHumanTaskStore();
    const item = await registry().get({ pk: `TASK#${id}`, sk: 'TASK' });
    if (!item) throw new Error('task missing');
    const act = taskDeadlineAction(store);
    const entry = { duePk: String(item.duePk), dueSk: String(item.dueSk), item };
    expect(await act(entry, at(25 * DAY))).toBe(true);
    expect(await act(entry, at(25 * DAY))).toBe(false);
  });
});
