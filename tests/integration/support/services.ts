import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { dynamoClient, resetClients, s3Client } from '../../../functions/adapters/aws-clients.ts';
import { ensureBucket, ensureTable } from '../../../functions/adapters/table-admin.ts';
import { resetEnv } from '../../../functions/shared/env.ts';

/**
 * Points the functions' env and SDK clients at the shared DynamoDB Local / s3rver and at a fresh table
 * (and bucket) for this test file. Call in `beforeAll` before the first handler call.
 */
export async function useLocalServices(
  name: string,
  opts: { bucket?: boolean } = {},
): Promise<{ tableName: string; bucket: string }> {
  const suffix = randomUUID().slice(0, 8);
  const tableName = `it-${name}-${suffix}`;
  const bucket = `it-${name}-${suffix}`.toLowerCase().slice(0, 63);
  Object.assign(process.env, {
    TABLE_NAME: tableName,
    EVIDENCE_BUCKET: bucket,
    DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
    S3_ENDPOINT: inject('s3Endpoint'),
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_REGION: 'cn-north-1',
    STAGE: 'test',
  });
  resetEnv();
  resetClients();
  await ensureTable(dynamoClient(), tableName);
  if (opts.bucket) await ensureBucket(s3Client(), bucket);
  return { tableName, bucket };
}
