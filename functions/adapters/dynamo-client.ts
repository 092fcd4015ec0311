import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { env } from '../shared/env.ts';

/**
 * The DynamoDB clients, built once per process from `env()`. A module of its own (not with the S3
 * client) so a function that never touches S3 does not bundle or load the S3 client (issue 8, bundle
 * size and cold start). Against DynamoDB Local (`DYNAMODB_ENDPOINT` set) they use that endpoint and,
 * with no AWS credentials configured, dummies. Not wrapped for X-Ray subsegments: see powertools.ts.
 * Tests: `resetClients()` in aws-clients.ts forgets them.
 */
let dynamo: DynamoDBClient | undefined;
let doc: DynamoDBDocumentClient | undefined;

function localCredentials(endpoint: string | undefined) {
  if (!endpoint) return {};
  // Local services accept any credentials; fall back to dummies so a fresh machine needs no AWS config.
  if (process.env.AWS_ACCESS_KEY_ID) return {};
  return { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}

/** The low-level DynamoDB client (table admin, health). */
export function dynamoClient(): DynamoDBClient {
  if (!dynamo) {
    const e = env();
    dynamo = new DynamoDBClient({
      region: e.AWS_REGION,
      ...(e.DYNAMODB_ENDPOINT ? { endpoint: e.DYNAMODB_ENDPOINT } : {}),
      ...localCredentials(e.DYNAMODB_ENDPOINT),
      maxAttempts: e.DYNAMODB_ENDPOINT ? 2 : 3,
    });
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

/** The registry table's name, read per call so a test file can point it at its own table. */
export const tableName = (): string => env().TABLE_NAME;

/** Forget the DynamoDB clients (after the endpoint changed). */
export function resetDynamoClients(): void {
  dynamo?.destroy();
  dynamo = undefined;
  doc = undefined;
}
