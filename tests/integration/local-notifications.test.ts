import '../support/quiet-logs.ts';
import { DeleteTableCommand, DescribeTableCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dynamoClient } from '../../functions/adapters/aws-clients.ts';
import { registry } from '../../functions/adapters/registry.ts';
import { ensureTable } from '../../functions/adapters/table-admin.ts';
import { type NotificationInput, notificationItem } from '../../functions/core/notifications.ts';
import {
  isNotificationInsert,
  LocalStreamPoller,
  localNotificationSender,
} from '../../infra/local/stream-poller.ts';
import { apiEvent, jsonBody, lambdaContext } from '../support/api-events.ts';
import { useLocalServices } from './support/services.ts';

/**
 * Issue 3's "locally [notifications] are logged and readable through the API": the table's stream
 * (DynamoDB Local) → the local poller → the AWS notification sender with channel `log`.
 */
const { handler: notificationsApi } = await import('../../functions/api/notifications.ts');

let tableName = '';
let streams: DynamoDBStreamsClient;
const lines: string[] = [];

const note = (n: number, recipient: NotificationInput['recipient']): NotificationInput => ({
  recipient,
  event: 'test.local-log',
  entityType: 'application',
  entityId: `app-${n}`,
  title: `申请待处理 ${n} / Application ${n} waits`,
  at: new Date(Date.UTC(2026, 4, 1, 1, n)).toISOString(),
});
const put = (...inputs: NotificationInput[]) =>
  registry().transact({ ops: inputs.map((n) => ({ kind: 'put', item: notificationItem(n), ifNew: true })) });
const stored = async (n: NotificationInput) => {
  const item = notificationItem(n);
  return registry().get({ pk: item.pk, sk: item.sk });
};
const newPoller = (overrides: Partial<ConstructorParameters<typeof LocalStreamPoller>[0]> = {}) =>
  new LocalStreamPoller({
    streams,
    tableName,
    handler: localNotificationSender((line) => lines.push(line)),
    filter: isNotificationInsert,
    intervalMs: 0,
    log: (line) => lines.push(line),
    ...overrides,
  });
/** Polls until `count` records were delivered (stream records of DynamoDB Local show at once; bounded). */
async function pollUntil(poller: LocalStreamPoller, count: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < 20 && total < count; i += 1) total += await poller.pollNow();
  return total;
}

beforeAll(async () => {
  process.env.NOTIFICATION_CHANNEL = 'log';
  ({ tableName } = await useLocalServices('local-notifications'));
  streams = new DynamoDBStreamsClient({
    region: 'cn-north-1',
    endpoint: inject('dynamoEndpoint'),
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});
afterAll(() => streams.destroy());

describe('the local table stream', () => {
  it('is created with the table: new images', async () => {
    const { Table } = await dynamoClient().send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
    expect(Table?.LatestStreamArn).toBeTruthy();
  });

  it('is enabled on a table persisted without one', async () => {
    // Prepare: a table as an older runtime created it (every index, no stream).
    const old = `${tableName}-old`;
    await ensureTable(dynamoClient(), old);
    await dynamoClient().send(
      new UpdateTableCommand({ TableName: old, StreamSpecification: { StreamEnabled: false } }),
    );
    const { Table: before } = await dynamoClient().send(new DescribeTableCommand({ TableName: old }));
    expect(before?.StreamSpecification?.StreamEnabled ?? false).toBe(false);
    // Act
    await ensureTable(dynamoClient(), old);
    // Assess
    const { Table } = await dynamoClient().send(new DescribeTableCommand({ TableName: old }));
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
    await dynamoClient().send(new DeleteTableCommand({ TableName: old }));
  });
});

describe('the local notification sender', () => {
  it('logs each new notification once, marks it logged with its audit event, and the API shows it', async () => {
    // Prepare: one notification written before the poller starts (it starts at LATEST) …
    const before = note(1, { sub: 'applicant-7' });
    await put(before);
    const poller = newPoller();
    await poller.start();
    lines.length = 0;
    // … then, while it runs, a person's and a role's notification and an item that is not one.
    const own = note(2, { sub: 'applicant-7' });
    const role = note(3, { role: 'officer' });
    await put(own, role);
    await registry().transact({
      ops: [{ kind: 'put', item: { pk: 'ORG#x', sk: 'ORG', type: 'organisation' }, ifNew: true }],
    });

    // Act
    const delivered = await pollUntil(poller, 2);
    const again = await poller.pollNow();

    // Assess: the two notifications, once each; the earlier one and the organisation untouched.
    expect(delivered).toBe(2);
    expect(again).toBe(0);
    expect((await stored(own))?.deliveryStatus).toBe('logged');
    expect((await stored(role))?.deliveryStatus).toBe('logged');
    expect((await stored(before))?.deliveryStatus).toBe('pending');
    expect(lines).toEqual([
      `[notification] to user applicant-7: ${own.title}`,
      `[notification] to role officer: ${role.title}`,
    ]);
    const ownId = String(notificationItem(own).id);
    const audit = await registry().query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `AUDIT#${ownId}` },
    });
    expect(audit.items.map((a) => a.action)).toEqual(['notification.logged']);

    const res = await notificationsApi(
      apiEvent('GET /v1/notifications', { caller: { sub: 'applicant-7', roles: ['applicant'] } }),
      lambdaContext(),
    );
    const page = jsonBody<{ items: Array<{ id: string; deliveryStatus: string }> }>(res);
    expect(page.items.find((i) => i.id === ownId)?.deliveryStatus).toBe('logged');
    await poller.stop();
  });

  it('retries a failing batch a bounded number of times, then gives it up and goes on', async () => {
    // Prepare: a handler that fails every time.
    const calls: DynamoDBRecord[][] = [];
    const poller = newPoller({
      retryAttempts: 2,
      handler: (event) => {
        calls.push(event.Records);
        throw new Error('registry unreachable');
      },
    });
    await poller.start();
    await put(note(4, { sub: 'applicant-8' }));

    // Act
    for (let i = 0; i < 20 && poller.givenUp === 0; i += 1) await poller.pollNow();

    // Assess: 1 + 2 attempts with the same record, then given up; nothing delivered.
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((c) => c[0]?.dynamodb?.SequenceNumber)).size).toBe(1);
    expect(poller.givenUp).toBe(1);
    expect(poller.delivered).toBe(0);
    expect(await poller.pollNow()).toBe(0);
    expect(calls).toHaveLength(3);
    await poller.stop();
  });

  it('retries from the first record the handler reports as failed', async () => {
    // Prepare: a handler that fails the second record of the first batch once.
    const seen: string[] = [];
    let failedOnce = false;
    const poller = newPoller({
      handler: (event) => {
        const ids = event.Records.map((r) => r.dynamodb?.SequenceNumber ?? '');
        seen.push(...event.Records.map((r) => String(r.dynamodb?.NewImage?.entityId?.S)));
        if (!failedOnce && ids.length > 1) {
          failedOnce = true;
          return { batchItemFailures: [{ itemIdentifier: ids[1] ?? '' }] };
        }
        return { batchItemFailures: [] };
      },
    });
    await poller.start();
    await put(
      note(5, { sub: 'applicant-9' }),
      note(6, { sub: 'applicant-9' }),
      note(7, { sub: 'applicant-9' }),
    );

    // Act
    const delivered = await pollUntil(poller, 3);

    // Assess: app-5 once; app-6 and app-7 twice (the retry starts at the failed record).
    expect(delivered).toBe(3);
    expect(seen.filter((id) => id === 'app-5')).toHaveLength(1);
    expect(seen.filter((id) => id === 'app-6')).toHaveLength(2);
    expect(seen.filter((id) => id === 'app-7')).toHaveLength(2);
    await poller.stop();
  });

  it('stops: no poll after stop, and stop waits for the poll in flight', async () => {
    const poller = newPoller({ intervalMs: 10 });
    await poller.start();
    await poller.stop();
    await put(note(8, { sub: 'applicant-10' }));
    expect(await poller.pollNow()).toBe(0);
    expect((await stored(note(8, { sub: 'applicant-10' })))?.deliveryStatus).toBe('pending');
  });
});
