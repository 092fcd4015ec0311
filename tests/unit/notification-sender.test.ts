import '../support/quiet-logs.ts';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../functions/core/audit.ts';
import {
  type AddressBook,
  type DeliveryDeps,
  type DeliveryStore,
  isNewNotification,
  notificationItem,
  type OutboxKey,
  type Recipient,
} from '../../functions/core/notifications.ts';
import {
  createSender,
  isTransientSesError,
  senderEnv,
  sesMailer,
} from '../../functions/jobs/notification-sender.ts';
import { fixedClock } from '../../functions/shared/clock.ts';

/** An in-memory outbox with the processor's conditional outcome write. */
class FakeStore implements DeliveryStore {
  readonly items = new Map<string, Record<string, unknown>>();
  readonly audits: AuditEvent[] = [];
  failReads = false;
  add(item: Record<string, unknown> & OutboxKey): void {
    this.items.set(`${item.pk}|${item.sk}`, { ...item });
  }
  async get(key: OutboxKey) {
    if (this.failReads) throw Object.assign(new Error('unreachable'), { name: 'ServiceUnavailable' });
    return this.items.get(`${key.pk}|${key.sk}`);
  }
  async recordDelivery(
    key: OutboxKey,
    status: Parameters<DeliveryStore['recordDelivery']>[1],
    detail: Parameters<DeliveryStore['recordDelivery']>[2],
    audit: AuditEvent,
  ) {
    const item = this.items.get(`${key.pk}|${key.sk}`);
    if (item?.deliveryStatus !== 'pending') return false;
    Object.assign(item, {
      deliveryStatus: status,
      deliveryAttempts: detail.attempts,
      deliveryError: detail.error,
    });
    this.audits.push(audit);
    return true;
  }
}

const addresses: AddressBook = {
  addressOf: async (r: Recipient) =>
    'sub' in r
      ? r.sub === 'applicant-1'
        ? 'li@example.cn'
        : undefined
      : r.role === 'officer'
        ? 'office@example.gov.cn'
        : undefined,
};

const ses = mockClient(SESv2Client);
let store: FakeStore;
let slept: number[];

const deps = (over: Partial<DeliveryDeps> = {}): DeliveryDeps => ({
  channel: 'ses',
  mailer: sesMailer(new SESv2Client({ region: 'ap-southeast-1' }), 'noreply@example.gov.cn'),
  addresses,
  store,
  clock: fixedClock('2026-04-01T02:00:00Z'),
  maxAttempts: 3,
  isRetryable: isTransientSesError,
  sleep: async (ms) => {
    slept.push(ms);
  },
  log: () => undefined,
  ...over,
});

const item = (recipient: Recipient, entityId = 'APP1') =>
  notificationItem({
    recipient,
    event: 'application.returned',
    entityType: 'application',
    entityId,
    title: '申报材料需补正 / Application returned for supplements',
    at: '2026-04-01T01:00:00.000Z',
  });

const insert = (
  image: Record<string, unknown>,
  eventName: DynamoDBRecord['eventName'] = 'INSERT',
  seq = '1',
) =>
  ({
    eventName,
    dynamodb: {
      SequenceNumber: seq,
      NewImage: marshall(image, { removeUndefinedValues: true }) as never,
    },
  }) as DynamoDBRecord;

const streamOf = (...records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });

const fault = (name: string, status: number) =>
  Object.assign(new Error(`${name} from SES`), { name, $metadata: { httpStatusCode: status } });

beforeEach(() => {
  ses.reset();
  store = new FakeStore();
  slept = [];
});
afterEach(() => ses.reset());

describe('isNewNotification (the stream filter)', () => {
  it.each([
    ['a new pending notification', 'INSERT', { type: 'notification', deliveryStatus: 'pending' }, true],
    ['a new notification from before delivery states', 'INSERT', { type: 'notification' }, true],
    ['its own outcome write (MODIFY)', 'MODIFY', { type: 'notification', deliveryStatus: 'sent' }, false],
    ['an already delivered insert', 'INSERT', { type: 'notification', deliveryStatus: 'sent' }, false],
    ['another item type', 'INSERT', { type: 'task' }, false],
    ['a removal', 'REMOVE', undefined, false],
  ])('%s → %s', (_what, eventName, newImage, expected) => {
    expect(isNewNotification({ eventName, ...(newImage ? { newImage } : {}) })).toBe(expected);
  });
});

describe('the e-mail processor', () => {
  it('e-mails a person at their recorded address and records `sent` with an audit event', async () => {
    // Prepare
    const n = item({ sub: 'applicant-1' });
    store.add(n);
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });

    // Act
    const out = await createSender(deps())(streamOf(insert(n)));

    // Assess
    expect(out).toEqual({ batchItemFailures: [], outcomes: ['sent'] });
    const sent = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(sent?.Destination?.ToAddresses).toEqual(['li@example.cn']);
    expect(sent?.FromEmailAddress).toBe('noreply@example.gov.cn');
    expect(sent?.Content?.Simple?.Subject?.Data).toContain('Application returned');
    expect(store.audits.map((a) => a.action)).toEqual(['notification.sent']);
  });

  it('sends a role notification to the role’s distribution address', async () => {
    const n = item({ role: 'officer' });
    store.add(n);
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-2' });
    await createSender(deps())(streamOf(insert(n)));
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Destination?.ToAddresses).toEqual([
      'office@example.gov.cn',
    ]);
  });

  it.each([
    [0, ['sent'], 1, 0],
    [2, ['sent'], 3, 2],
    [3, ['failed'], 3, 2],
  ])(
    'retries throttling (%i fault(s)) within the bound of 3 attempts → %j',
    async (faults, outcomes, calls, sleeps) => {
      // Prepare: SES throttles `faults` times (a fault no local service can produce), then accepts
      const n = item({ sub: 'applicant-1' });
      store.add(n);
      let chain = ses.on(SendEmailCommand);
      for (let i = 0; i < faults; i += 1) {
        chain = chain.rejectsOnce(fault('TooManyRequestsException', 429));
      }
      chain.resolves({ MessageId: 'm-3' });

      // Act
      const out = await createSender(deps())(streamOf(insert(n)));

      // Assess
      expect(out.outcomes).toEqual(outcomes);
      expect(ses.commandCalls(SendEmailCommand)).toHaveLength(calls);
      expect(slept).toHaveLength(sleeps);
      const stored = store.items.get(`${n.pk}|${n.sk}`);
      expect(stored?.deliveryStatus).toBe(outcomes[0]);
      expect(stored?.deliveryAttempts).toBe(calls);
      if (outcomes[0] === 'failed') expect(String(stored?.deliveryError)).toContain('TooManyRequests');
    },
  );

  it('does not retry a rejected message: failed after one attempt', async () => {
    const n = item({ sub: 'applicant-1' });
    store.add(n);
    ses.on(SendEmailCommand).rejects(fault('MessageRejected', 400));
    const out = await createSender(deps())(streamOf(insert(n)));
    expect(out.outcomes).toEqual(['failed']);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect(store.audits.map((a) => a.action)).toEqual(['notification.failed']);
  });

  it('records `no_address` when nobody can be reached, without calling SES', async () => {
    const n = item({ sub: 'someone-unknown' });
    store.add(n);
    const out = await createSender(deps())(streamOf(insert(n)));
    expect(out.outcomes).toEqual(['no_address']);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('log channel (China stage): logs and records `logged`, never calls SES', async () => {
    const n = item({ role: 'officer' });
    store.add(n);
    const logged: string[] = [];
    const out = await createSender(deps({ channel: 'log', log: (m) => logged.push(m) }))(streamOf(insert(n)));
    expect(out.outcomes).toEqual(['logged']);
    expect(logged).toEqual(['notification']);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('skips records the filter rejects and a replayed record already delivered', async () => {
    // Prepare
    const n = item({ sub: 'applicant-1' });
    store.add(n);
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-4' });
    const sender = createSender(deps());
    await sender(streamOf(insert(n)));

    // Act: the same INSERT again (stream retry), its MODIFY, and an unrelated item
    const out = await sender(
      streamOf(
        insert(n),
        insert({ ...n, deliveryStatus: 'sent' }, 'MODIFY'),
        insert({ pk: 'X', sk: 'Y', type: 'task' }),
      ),
    );

    // Assess
    expect(out.outcomes).toEqual(['skipped', 'skipped', 'skipped']);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it('reports a record it could not process as a batch item failure (the stream retries it)', async () => {
    const a = item({ sub: 'applicant-1' }, 'A');
    store.add(a);
    store.failReads = true;
    const out = await createSender(deps())(streamOf(insert(a, 'INSERT', '100'), insert(a, 'INSERT', '101')));
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: '100' }]);
  });
});

describe('sender settings', () => {
  it.each([
    [{}, 'log'],
    [{ NOTIFICATION_CHANNEL: 'ses', NOTIFICATION_FROM: 'noreply@example.gov.cn' }, 'ses'],
  ])('reads the channel (%#)', (source, channel) => {
    expect(senderEnv(source).NOTIFICATION_CHANNEL).toBe(channel);
  });

  it.each([
    [{ NOTIFICATION_CHANNEL: 'ses' }, /NOTIFICATION_FROM/],
    [{ NOTIFICATION_CHANNEL: 'sms' }, /NOTIFICATION_CHANNEL/],
    [{ NOTIFICATION_ROLE_ADDRESSES: '{"officer":"not-an-address"}' }, /NOTIFICATION_ROLE_ADDRESSES/],
    [{ NOTIFICATION_ROLE_ADDRESSES: 'nope' }, /JSON/],
  ])('refuses bad settings with a message naming them (%#)', (source, message) => {
    expect(() => senderEnv(source)).toThrow(message);
  });
});
