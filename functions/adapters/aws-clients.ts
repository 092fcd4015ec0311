import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { env } from '../shared/env.ts';
import { tracer } from '../shared/powertools.ts';

/**
 * AWS SDK clients, built once per process from `env()`. Against the local services (`DYNAMODB_ENDPOINT`,
 * `S3_ENDPOINT` set) they use those endpoints; against s3rver also path-style addressing and checksums
 * only when required (s3rver does not implement the newer flexible checksums).
 * In Lambda the tracer records their calls (X-Ray); elsewhere that is a no-op.
 * Tests point them elsewhere by changing process.env, then `resetEnv()` and `resetClients()`.
 */
let dynamo: DynamoDBClient | undefined;
let doc: DynamoDBDocumentClient | undefined;
let s3: S3Client | undefined;

function localCredentials(endpoint: string | undefined) {
  if (!endpoint) return {};
  // Local services accept any credentials; fall back to dummies so a fresh machine needs no AWS config.
  if (process.env.AWS_ACCESS_KEY_ID) return {};
  return { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}

const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** The low-level DynamoDB client (table admin, health). */
export function dynamoClient(): DynamoDBClient {
  if (!dynamo) {
    const e = env();
    dynamo = tracer.captureAWSv3Client(
      new DynamoDBClient({
        region: e.AWS_REGION,
        ...(e.DYNAMODB_ENDPOINT ? { endpoint: e.DYNAMODB_ENDPOINT } : {}),
        ...localCredentials(e.DYNAMODB_ENDPOINT),
        maxAttempts: e.DYNAMODB_ENDPOINT ? 2 : 3,
      }),
    );
  }
  return dynamo;
}

/** The document client every repository uses (plain JS values, `undefined` removed). */
export function dynamoDocumentClient(): DynamoDBDocumentClient {
  if (!doc) {
    doc = DynamoDBDocumentClient.from(dynamoClient(), {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
  }
  return doc;
}

/** The S3 client for the evidence bucket. */
export function s3Client(): S3Client {
  if (!s3) {
    const e = env();
    s3 = tracer.captureAWSv3Client(
      new S3Client({
        region: e.AWS_REGION,
        ...(e.S3_ENDPOINT
          ? {
              endpoint: e.S3_ENDPOINT,
              forcePathStyle: true,
              requestChecksumCalculation: 'WHEN_REQUIRED',
              responseChecksumValidation: 'WHEN_REQUIRED',
            }
          : {}),
        // s3rver knows one account (S3RVER/S3RVER); it skips signature checks but not the key id.
        ...(e.S3_ENDPOINT ? { credentials: S3RVER_CREDENTIALS } : {}),
      }),
    );
  }
  return s3;
}

/** The registry table's name, read per call so a test file can point it at its own table. */
export const tableName = (): string => env().TABLE_NAME;

/** Tests: forget the clients after changing the endpoints. */
export function resetClients(): void {
  dynamo?.destroy();
  s3?.destroy();
  dynamo = undefined;
  doc = undefined;
  s3 = undefined;
}
