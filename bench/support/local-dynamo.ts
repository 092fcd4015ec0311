import { dynamoClient, resetClients } from '../../functions/adapters/aws-clients.ts';
import { ensureTable } from '../../functions/adapters/table-admin.ts';
import { resetEnv } from '../../functions/shared/env.ts';
import { freePort, startDynamoDbLocal } from '../../infra/local/services.ts';

/**
 * An in-memory DynamoDB Local for one bench part, with the handlers' environment pointed at a fresh
 * registry table on it (so `dynamoClient()` and every store use it). In memory, because a part's
 * figures must not depend on what an earlier run left on disk. Each part runs in its own process
 * (`bench/run-part.ts`), so setting `process.env` here touches no other part.
 */
export interface BenchDynamo {
  readonly endpoint: string;
  readonly tableName: string;
  stop(): Promise<void>;
}

/** Points the handlers' environment at `endpoint` and creates `tableName` there. */
export async function useTable(endpoint: string, tableName: string): Promise<void> {
  Object.assign(process.env, {
    STAGE: 'local',
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: endpoint,
    AWS_REGION: 'cn-north-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  delete process.env.AWS_SESSION_TOKEN;
  resetEnv();
  resetClients();
  await ensureTable(dynamoClient(), tableName);
}

export async function startBenchDynamo(tableName: string): Promise<BenchDynamo> {
  const host = '127.0.0.1';
  const dynamo = await startDynamoDbLocal({ port: await freePort(host), host });
  await useTable(dynamo.endpoint, tableName);
  return { endpoint: dynamo.endpoint, tableName, stop: dynamo.stop };
}
