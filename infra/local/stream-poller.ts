import { randomUUID } from 'node:crypto';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  ListStreamsCommand,
  type _Record as StreamsRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { type LambdaHandler, lambdaContext, loadHandler } from './lambda-runtime.ts';

/**
 * The local stand-in for a DynamoDB stream event source mapping (AWS Lambda's poller), used by
 * `npm start` to feed the registry table's stream to the notification sender exactly as the stateless
 * stack does in AWS. It reads DynamoDB Local's stream (ListStreams → DescribeStream →
 * GetShardIterator → GetRecords), starting at LATEST for the shards open at start and at TRIM_HORIZON
 * for shards that open later (a child shard is read once its parent is finished, so records of one
 * item stay in order); applies the mapping's filter; hands batches of `batchSize` records to the
 * handler as a `DynamoDBStreamEvent`; retries a batch from its first reported failure a bounded number
 * of times and then moves on (in AWS: the on-failure destination). Each poll is bounded (records per
 * shard per GetRecords); `stop()` ends the loop and waits for the poll in flight.
 */

export type StreamHandler = (
  event: DynamoDBStreamEvent,
) => Promise<DynamoDBBatchResponse | undefined> | DynamoDBBatchResponse | undefined;

export interface StreamPollerOptions {
  readonly streams: DynamoDBStreamsClient;
  readonly tableName: string;
  readonly handler: StreamHandler;
  /** The event source mapping's filter: only matching records reach the handler. */
  readonly filter?: (record: DynamoDBRecord) => boolean;
  /** Pause between polls; 0 disables the loop (polls happen only through `pollNow`). */
  readonly intervalMs?: number;
  /** Records per handler invocation (the stateless stack's `batchSize`). */
  readonly batchSize?: number;
  /** Further attempts of a failing batch before its records are given up (the stack's `retryAttempts`). */
  readonly retryAttempts?: number;
  /** Records read per shard per poll (the GetRecords `Limit`). */
  readonly readLimit?: number;
  /** How often the shard list is read again to find shards that opened since (also after a shard closes). */
  readonly rediscoverEveryMs?: number;
  readonly region?: string;
  readonly log?: (line: string) => void;
}

interface ShardState {
  readonly shardId: string;
  iterator: string | undefined;
  lastSequence?: string;
}

/** The stateless stack's filter on the notification sender's mapping: INSERTs of `type = notification`. */
export function isNotificationInsert(record: DynamoDBRecord): boolean {
  return record.eventName === 'INSERT' && record.dynamodb?.NewImage?.type?.S === 'notification';
}

type WireValue = Record<string, unknown>;

/**
 * An attribute value as the stream's JSON carries it (and Lambda delivers it): binary as base64. The
 * SDK's deserialiser turns an empty map (`{"M":{}}`) into `{}`; it is restored here.
 */
export function toWireValue(value: unknown): WireValue {
  const v = (value ?? {}) as Record<string, unknown>;
  const base64 = (b: unknown): string =>
    b instanceof Uint8Array ? Buffer.from(b).toString('base64') : String(b);
  if (v.M !== undefined) return { M: toWireImage(v.M as Record<string, unknown>) };
  if (v.L !== undefined) return { L: (v.L as unknown[]).map(toWireValue) };
  if (v.B !== undefined) return { B: base64(v.B) };
  if (v.BS !== undefined) return { BS: (v.BS as unknown[]).map(base64) };
  for (const key of ['S', 'N', 'BOOL', 'NULL', 'SS', 'NS'] as const) {
    if (v[key] !== undefined) return { [key]: v[key] };
  }
  return { M: {} };
}

const toWireImage = (image: Record<string, unknown>): Record<string, WireValue> =>
  Object.fromEntries(Object.entries(image).map(([k, v]) => [k, toWireValue(v)]));

/** A DynamoDB Streams record as Lambda's event source mapping delivers it. */
export function toLambdaRecord(record: StreamsRecord, streamArn: string): DynamoDBRecord {
  const d = record.dynamodb;
  const created = d?.ApproximateCreationDateTime;
  return {
    ...(record.eventID ? { eventID: record.eventID } : {}),
    ...(record.eventName ? { eventName: record.eventName } : {}),
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    // DynamoDB Local says `ddblocal`; Lambda names the function's region.
    awsRegion: process.env.AWS_REGION ?? 'cn-north-1',
    eventSourceARN: streamArn,
    dynamodb: {
      ...(created ? { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) } : {}),
      ...(d?.Keys ? { Keys: toWireImage(d.Keys) as never } : {}),
      ...(d?.NewImage ? { NewImage: toWireImage(d.NewImage) as never } : {}),
      ...(d?.OldImage ? { OldImage: toWireImage(d.OldImage) as never } : {}),
      ...(d?.SequenceNumber ? { SequenceNumber: d.SequenceNumber } : {}),
      ...(d?.SizeBytes !== undefined ? { SizeBytes: d.SizeBytes } : {}),
      ...(d?.StreamViewType ? { StreamViewType: d.StreamViewType } : {}),
    },
  };
}

const errorName = (e: unknown): string => (e as { name?: string })?.name ?? 'Error';

export class LocalStreamPoller {
  private readonly log: (line: string) => void;
  private readonly shards = new Map<string, ShardState>();
  /** Every shard id seen (read, finished, or closed before the start): never read twice. */
  private readonly seen = new Set<string>();
  private streamArn: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> = Promise.resolve(0);
  private stopped = false;
  private lastDiscovery = 0;
  private rediscover = false;
  private lastError = '';
  /** Records handed to the handler and not reported failed, since the start. */
  delivered = 0;
  /** Records given up after the retries. */
  givenUp = 0;

  constructor(private readonly opts: StreamPollerOptions) {
    this.log = opts.log ?? ((line) => console.log(line));
  }

  /** Finds the table's stream and positions at LATEST on its open shards, then starts the loop. */
  async start(): Promise<void> {
    await this.discover('LATEST');
    this.schedule();
  }

  /** Runs one poll now (after the one in flight) and returns the number of records delivered by it. */
  pollNow(): Promise<number> {
    const next = this.running.catch(() => 0).then(() => this.poll());
    this.running = next.catch(() => 0);
    return next;
  }

  /** Stops the loop and waits (bounded) for the poll in flight. */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.race([
      this.running.catch(() => 0),
      new Promise((resolve) => setTimeout(resolve, graceMs).unref()),
    ]);
  }

  private schedule(): void {
    const every = this.opts.intervalMs ?? 500;
    if (this.stopped || every <= 0) return;
    this.timer = setTimeout(() => {
      void this.pollNow().finally(() => this.schedule());
    }, every);
    // The loop never keeps the process alive by itself.
    this.timer.unref();
  }

  private async latestStreamArn(): Promise<string | undefined> {
    const out = await this.opts.streams.send(new ListStreamsCommand({ TableName: this.opts.tableName }));
    const streams = (out.Streams ?? []).filter((s) => s.TableName === this.opts.tableName && s.StreamArn);
    // Stream labels are ISO timestamps: the newest stream is the table's current one.
    streams.sort((a, b) => String(b.StreamLabel).localeCompare(String(a.StreamLabel)));
    return streams[0]?.StreamArn;
  }

  /**
   * Reads the shard list. `LATEST` (at start): open shards from now on, closed ones skipped. Later:
   * shards not seen before opened since the start, so they are read from their beginning.
   */
  private async discover(position: 'LATEST' | 'TRIM_HORIZON'): Promise<void> {
    this.lastDiscovery = Date.now();
    this.rediscover = false;
    const arn = await this.latestStreamArn();
    if (!arn) {
      throw new Error(
        `Table ${this.opts.tableName} has no stream; ensureTable (functions/adapters/table-admin.ts) enables it.`,
      );
    }
    if (arn !== this.streamArn) {
      if (this.streamArn) this.log(`[streams] ${this.opts.tableName}: now reading stream ${arn}`);
      this.streamArn = arn;
      this.shards.clear();
    }
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await this.opts.streams.send(
        new DescribeStreamCommand({
          StreamArn: arn,
          ...(exclusiveStartShardId ? { ExclusiveStartShardId: exclusiveStartShardId } : {}),
        }),
      );
      for (const shard of StreamDescription?.Shards ?? []) {
        const id = shard.ShardId;
        if (!id || this.seen.has(id)) continue;
        const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
        if (position === 'LATEST' && closed) {
          this.seen.add(id);
          continue;
        }
        // A child waits until its parent (still being read) is finished.
        if (position === 'TRIM_HORIZON' && shard.ParentShardId && this.shards.has(shard.ParentShardId)) {
          continue;
        }
        this.seen.add(id);
        this.shards.set(id, { shardId: id, iterator: await this.iteratorFor(arn, id, position) });
      }
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
  }

  private async iteratorFor(
    arn: string,
    shardId: string,
    type: 'LATEST' | 'TRIM_HORIZON' | 'AFTER_SEQUENCE_NUMBER',
    sequence?: string,
  ): Promise<string | undefined> {
    const out = await this.opts.streams.send(
      new GetShardIteratorCommand({
        StreamArn: arn,
        ShardId: shardId,
        ShardIteratorType: type,
        ...(sequence ? { SequenceNumber: sequence } : {}),
      }),
    );
    return out.ShardIterator;
  }

  private async poll(): Promise<number> {
    if (this.stopped) return 0;
    let delivered = 0;
    try {
      const every = this.opts.rediscoverEveryMs ?? 10_000;
      if (!this.streamArn || this.rediscover || Date.now() - this.lastDiscovery >= every) {
        await this.discover(this.streamArn ? 'TRIM_HORIZON' : 'LATEST');
      }
      for (const shard of [...this.shards.values()]) {
        if (this.stopped) break;
        delivered += await this.pollShard(shard);
      }
      this.lastError = '';
    } catch (e) {
      // Logged once per distinct fault (e.g. DynamoDB Local going away during shutdown), never fatal.
      const line = `${errorName(e)}: ${(e as Error).message}`;
      if (line !== this.lastError) this.log(`[streams] ${this.opts.tableName}: polling failed: ${line}`);
      this.lastError = line;
      if (errorName(e) === 'ResourceNotFoundException') this.streamArn = undefined;
    }
    return delivered;
  }

  private async pollShard(shard: ShardState): Promise<number> {
    const arn = this.streamArn;
    if (!arn) return 0;
    if (!shard.iterator) {
      this.finish(shard);
      return 0;
    }
    let out: GetRecordsCommandOutput;
    try {
      out = await this.opts.streams.send(
        new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: this.opts.readLimit ?? 100 }),
      );
    } catch (e) {
      const name = errorName(e);
      if (name === 'ExpiredIteratorException') {
        shard.iterator = await this.iteratorFor(
          arn,
          shard.shardId,
          shard.lastSequence ? 'AFTER_SEQUENCE_NUMBER' : 'LATEST',
          shard.lastSequence,
        );
        return 0;
      }
      if (name === 'TrimmedDataAccessException') {
        this.log(`[streams] ${shard.shardId}: records were trimmed before they were read`);
        shard.iterator = await this.iteratorFor(arn, shard.shardId, 'TRIM_HORIZON');
        return 0;
      }
      throw e;
    }
    shard.iterator = out.NextShardIterator;
    const records = out.Records ?? [];
    const last = records.at(-1)?.dynamodb?.SequenceNumber;
    if (last) shard.lastSequence = last;
    const matching = records
      .map((r) => toLambdaRecord(r, arn))
      .filter((r) => (this.opts.filter ? this.opts.filter(r) : true));
    let delivered = 0;
    const size = this.opts.batchSize ?? 10;
    for (let i = 0; i < matching.length; i += size) {
      delivered += await this.deliver(matching.slice(i, i + size));
    }
    if (!shard.iterator) this.finish(shard);
    return delivered;
  }

  /** A closed shard is done: its children (already listed or not) are read from their beginning. */
  private finish(shard: ShardState): void {
    this.shards.delete(shard.shardId);
    this.rediscover = true;
  }

  /**
   * One batch, as the event source mapping with `ReportBatchItemFailures` does it: a failure reported
   * for a record retries the batch from that record; a thrown error retries the whole rest.
   */
  private async deliver(batch: DynamoDBRecord[]): Promise<number> {
    let pending = batch;
    let delivered = 0;
    const attempts = 1 + (this.opts.retryAttempts ?? 5);
    for (let attempt = 1; attempt <= attempts && pending.length > 0; attempt += 1) {
      let failedAt = -1;
      try {
        const response = await this.opts.handler({ Records: pending });
        const failures = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        if (failures.size) {
          failedAt = pending.findIndex((r) => failures.has(r.dynamodb?.SequenceNumber ?? ''));
          if (failedAt < 0) failedAt = 0;
        }
      } catch (e) {
        this.log(`[streams] handler failed (attempt ${attempt}/${attempts}): ${(e as Error).message}`);
        failedAt = 0;
      }
      if (failedAt < 0) {
        delivered += pending.length;
        pending = [];
      } else {
        delivered += failedAt;
        pending = pending.slice(failedAt);
      }
    }
    if (pending.length) {
      this.givenUp += pending.length;
      this.log(
        `[streams] gave up on ${pending.length} record(s) after ${attempts} attempts (first sequence number ${pending[0]?.dynamodb?.SequenceNumber})`,
      );
    }
    this.delivered += delivered;
    return delivered;
  }
}

/** Where the local notification log line names the recipient: `user <sub>` or `role <role>`. */
function recipientOf(image: Record<string, { S?: string; M?: Record<string, { S?: string }> }>): string {
  const r = image.recipient?.M;
  if (r?.sub?.S) return `user ${r.sub.S}`;
  if (r?.role?.S) return `role ${r.role.S}`;
  return String(image.pk?.S ?? '?');
}

/**
 * The local notification sender: the AWS handler (`functions/jobs/notification-sender.ts`, channel
 * `log`: it records `deliveryStatus: logged` with its audit event) invoked as Lambda would be, plus one
 * readable line per notification it accepted (recipient and title), so they show in `npm start`'s output.
 */
export function localNotificationSender(
  log: (line: string) => void,
  entry = 'functions/jobs/notification-sender.ts',
  load: (entry: string) => Promise<LambdaHandler> = loadHandler,
): StreamHandler {
  return async (event) => {
    const handler = await load(entry);
    const response = (await handler(
      event,
      lambdaContext({
        functionName: 'local-notification-sender',
        requestId: randomUUID(),
        timeoutMs: 30_000,
      }),
    )) as DynamoDBBatchResponse | undefined;
    const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    for (const record of event.Records) {
      const sequence = record.dynamodb?.SequenceNumber ?? '';
      // Records from the first failure on are retried by the poller; log only the ones that went through.
      if (failed.has(sequence)) break;
      const image = (record.dynamodb?.NewImage ?? {}) as Parameters<typeof recipientOf>[0];
      log(`[notification] to ${recipientOf(image)}: ${image.title?.S ?? image.event?.S ?? '(no title)'}`);
    }
    return response ?? { batchItemFailures: [] };
  };
}
