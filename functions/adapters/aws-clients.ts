import { resetDynamoClients } from './dynamo-client.ts';
import { resetS3Client } from './s3-client.ts';

/**
 * All AWS SDK clients in one place, for the local runtime, tests and benchmarks. Handler code imports
 * `dynamo-client.ts` or `s3-client.ts` directly instead, so each function bundles only the clients it
 * uses (issue 8); both modules keep one client per process, so the instances here are the handlers'.
 * Tests point them elsewhere by changing process.env, then `resetEnv()` and `resetClients()`.
 */
export { dynamoClient, dynamoDocumentClient, tableName } from './dynamo-client.ts';
export { s3Client } from './s3-client.ts';

/** Tests: forget the clients after changing the endpoints. */
export function resetClients(): void {
  resetDynamoClients();
  resetS3Client();
}
