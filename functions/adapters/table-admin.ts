import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketCorsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { GLOBAL_INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from './table-schema.ts';

/**
 * The table's stream as the CDK stateful stack declares it: new images, which the notification
 * sender reads (in AWS through the event source mapping, locally through `infra/local/stream-poller.ts`).
 */
export const TABLE_STREAM = { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } as const;

/**
 * Creates the registry table as `table-schema.ts` describes it (the CDK stateful stack declares the
 * same): PAY_PER_REQUEST, gsi1 and the sparse due index (ALL projection), TTL on `expiresAt`, a stream
 * of new images. Waits until ACTIVE. On an existing table it enables what is missing (TTL, the
 * stream) and refuses one that lacks an index. Local runtime and tests only.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const attributes = new Set<string>([TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey]);
  for (const index of GLOBAL_INDEXES) {
    attributes.add(index.partitionKey);
    attributes.add(index.sortKey);
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: GLOBAL_INDEXES.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
        StreamSpecification: TABLE_STREAM,
      }),
    );
  } catch (e) {
    if (!(e instanceof ResourceInUseException)) throw e;
  }
  await waitActive(client, tableName);
  await assertIndexes(client, tableName);
  await enableStream(client, tableName);
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  if (status !== 'ENABLED' && status !== 'ENABLING') {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  }
}

/**
 * A table persisted by an older version of the local runtime may lack an index added since. Adding an
 * index to an existing table on DynamoDB Local proved unreliable (the backfill sometimes never finishes),
 * so say exactly what to do instead of hanging.
 */
async function assertIndexes(client: DynamoDBClient, tableName: string): Promise<void> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  const missing = GLOBAL_INDEXES.filter((i) => !present.has(i.name)).map((i) => i.name);
  if (missing.length) {
    throw new Error(
      `Table ${tableName} lacks the index(es) ${missing.join(', ')} (it was created by an older version). ` +
        'Start with a fresh data folder (delete it or set DATA_DIR) or another TABLE_NAME to recreate it.',
    );
  }
}

/**
 * A table persisted before the stream was declared has none: enable it (new images) in place. A
 * stream of another view type cannot be changed in place: say how to recreate the table.
 */
async function enableStream(client: DynamoDBClient, tableName: string): Promise<void> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const stream = Table?.StreamSpecification;
  if (stream?.StreamEnabled) {
    if (stream.StreamViewType !== 'NEW_IMAGE' && stream.StreamViewType !== 'NEW_AND_OLD_IMAGES') {
      throw new Error(
        `Table ${tableName} has a ${stream.StreamViewType} stream; the notification sender needs new images. ` +
          'Start with a fresh data folder (delete it or set DATA_DIR) or another TABLE_NAME to recreate it.',
      );
    }
    return;
  }
  await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: TABLE_STREAM }));
  await waitActive(client, tableName);
}

async function waitActive(client: DynamoDBClient, tableName: string, seconds = 30): Promise<void> {
  for (let attempt = 0; attempt < seconds * 4; attempt += 1) {
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
      if (Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    } catch (e) {
      if (!(e instanceof ResourceNotFoundException)) throw e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Table ${tableName} did not become ACTIVE within ${seconds} s`);
}

/** Browser POST uploads (presigned POST) come from the consoles' origins. */
export const EVIDENCE_CORS_RULES = [
  {
    AllowedMethods: ['POST', 'GET', 'HEAD'],
    AllowedOrigins: ['*'],
    AllowedHeaders: ['*'],
    ExposeHeaders: ['ETag', 'Location'],
    MaxAgeSeconds: 3000,
  },
];

/** Creates the evidence bucket when missing and sets CORS for browser POST uploads. Local runtime and tests. */
export async function ensureBucket(s3: S3Client, bucket: string): Promise<void> {
  let exists = true;
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (e) {
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status !== 404 && (e as Error).name !== 'NotFound' && (e as Error).name !== 'NoSuchBucket') throw e;
    exists = false;
  }
  if (!exists) {
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (e) {
      const name = (e as Error).name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw e;
    }
  }
  await s3.send(
    new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: EVIDENCE_CORS_RULES } }),
  );
}
