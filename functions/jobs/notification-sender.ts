import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import * as z from 'zod';
import { DynamoAddressBook, DynamoNotificationStore } from '../adapters/notification-store.ts';
import {
  type DeliveryDeps,
  type DeliveryOutcome,
  deliverNotification,
  isNewNotification,
  type Mailer,
  NOTIFICATION_CHANNELS,
} from '../core/notifications.ts';
import { clock } from '../shared/clock.ts';
import { env } from '../shared/env.ts';
import { logger } from '../shared/powertools.ts';
import { ROLES } from '../shared/roles.ts';

/**
 * The e-mail processor of the notification outbox ("whoever must act next is told"). In AWS the
 * registry table's stream feeds it new items with `type = notification` (the event-source filter in
 * the stateless stack, the same rule as `isNewNotification`); each is e-mailed through SES (stage
 * setting `notifications.channel: 'ses'`) or only logged (`'log'`: SES is not offered in the China
 * regions, so `prod` logs and the API listing is how people see them). The outcome is recorded on the
 * item (`deliveryStatus`) with an audit event. A record that cannot be processed (the registry is
 * unreachable) is reported as a batch item failure, so the stream retries it and finally hands it to
 * the on-failure destination.
 */
const SenderEnv = z.object({
  NOTIFICATION_CHANNEL: z.enum(NOTIFICATION_CHANNELS).default('log'),
  /** The verified SES identity (address) the e-mails come from; required for `ses`. */
  NOTIFICATION_FROM: z.email().optional(),
  /** JSON `{ "<role>": "<distribution address>" }` for notifications addressed to a role. */
  NOTIFICATION_ROLE_ADDRESSES: z
    .string()
    .default('{}')
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON: { "<role>": "<address>" }' });
        return z.NEVER;
      }
    })
    .pipe(z.partialRecord(z.enum(ROLES), z.email())),
  NOTIFICATION_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(5).default(3),
});
export type SenderEnv = z.infer<typeof SenderEnv>;

export function senderEnv(source: Record<string, string | undefined> = process.env): SenderEnv {
  const parsed = SenderEnv.safeParse(source);
  if (!parsed.success) {
    throw new Error(
      `Invalid notification settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  if (parsed.data.NOTIFICATION_CHANNEL === 'ses' && !parsed.data.NOTIFICATION_FROM) {
    throw new Error('Invalid notification settings: NOTIFICATION_FROM is required when the channel is ses');
  }
  return parsed.data;
}

const TRANSIENT = new Set([
  'TooManyRequestsException',
  'LimitExceededException',
  'ThrottlingException',
  'Throttling',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
]);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN', 'EPIPE', 'ENOTFOUND']);

/**
 * SES faults worth another attempt: throttling, sending quota per second, 5xx and network errors. A
 * rejected message (`MessageRejected`, an unverified identity, a bad address) fails at once.
 */
export function isTransientSesError(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  if (e.name && TRANSIENT.has(e.name)) return true;
  if (e.code && NETWORK.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  return typeof status === 'number' && (status >= 500 || status === 429);
}

/** SES (API v2) as the Mailer: plain-text UTF-8 e-mail from the configured identity. */
export function sesMailer(client: SESv2Client, from: string): Mailer {
  return {
    async send({ to, subject, text }) {
      const out = await client.send(
        new SendEmailCommand({
          FromEmailAddress: from,
          Destination: { ToAddresses: [to] },
          Content: {
            Simple: {
              Subject: { Data: subject, Charset: 'UTF-8' },
              Body: { Text: { Data: text, Charset: 'UTF-8' } },
            },
          },
        }),
      );
      return out.MessageId ? { messageId: out.MessageId } : {};
    },
  };
}

/** A stream record's new image as plain values (undefined when the record carries none). */
function newImageOf(record: DynamoDBRecord): Record<string, unknown> | undefined {
  const image = record.dynamodb?.NewImage;
  return image ? unmarshall(image as Record<string, AttributeValue>) : undefined;
}

/** Builds the stream handler over its dependencies (the unit tests pass fakes and a mocked SES client). */
export function createSender(deps: DeliveryDeps) {
  return async (
    event: DynamoDBStreamEvent,
  ): Promise<DynamoDBBatchResponse & { outcomes: DeliveryOutcome[] }> => {
    const batchItemFailures: DynamoDBBatchResponse['batchItemFailures'] = [];
    const outcomes: DeliveryOutcome[] = [];
    for (const record of event.Records ?? []) {
      const newImage = newImageOf(record);
      if (
        !isNewNotification({
          ...(record.eventName ? { eventName: record.eventName } : {}),
          ...(newImage ? { newImage } : {}),
        })
      ) {
        outcomes.push('skipped');
        continue;
      }
      try {
        outcomes.push(
          await deliverNotification(deps, { pk: String(newImage?.pk), sk: String(newImage?.sk) }),
        );
      } catch (e) {
        logger.error('notification delivery failed; the stream will retry it', {
          error: e as Error,
          sequenceNumber: record.dynamodb?.SequenceNumber,
        });
        if (record.dynamodb?.SequenceNumber) {
          batchItemFailures.push({ itemIdentifier: record.dynamodb.SequenceNumber });
        }
        // Later records of the same shard must wait for this one (ordering per item key).
        break;
      }
    }
    return { batchItemFailures, outcomes };
  };
}

let built: ReturnType<typeof createSender> | undefined;

/** Lambda entry: the DynamoDB stream event source (with `ReportBatchItemFailures`). */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  if (!built) {
    const settings = senderEnv();
    const ses = new SESv2Client({ region: env().AWS_REGION, maxAttempts: 1 });
    built = createSender({
      channel: settings.NOTIFICATION_CHANNEL,
      mailer: sesMailer(ses, settings.NOTIFICATION_FROM ?? 'unused@example.invalid'),
      addresses: new DynamoAddressBook(settings.NOTIFICATION_ROLE_ADDRESSES),
      store: new DynamoNotificationStore(),
      clock,
      maxAttempts: settings.NOTIFICATION_MAX_ATTEMPTS,
      isRetryable: isTransientSesError,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      log: (message, detail) => logger.info(message, detail),
    });
  }
  const { batchItemFailures } = await built(event);
  return { batchItemFailures };
};
