import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { dynamoClient, resetClients, s3Client } from '../../functions/adapters/aws-clients.ts';
import { ensureBucket, ensureTable } from '../../functions/adapters/table-admin.ts';
import { setWorkflowEngine } from '../../functions/adapters/workflow-engine.ts';
import { ROUTE_GROUPS } from '../../functions/api/routes.ts';
import { setClock } from '../../functions/shared/clock.ts';
import { resetEnv } from '../../functions/shared/env.ts';
import { workflows } from '../workflows/index.ts';
import type { LocalConfig } from './config.ts';
import { ensureConsoleBuilt } from './console-site.ts';
import { createLocalHttpServer } from './http-server.ts';
import { issuerFor, LocalJwtIssuer } from './jwt-issuer.ts';
import { loadHandler } from './lambda-runtime.ts';
import { LocalScheduler, SCHEDULED_JOBS } from './scheduler.ts';
import { assertJava, assertPortFree, freePort, startDynamoDbLocal, startS3rver } from './services.ts';
import { isNotificationInsert, LocalStreamPoller, localNotificationSender } from './stream-poller.ts';
import { LocalWorkflowEngine } from './workflow-engine.ts';

/**
 * The embedded local runtime behind `npm start`: DynamoDB Local and s3rver (persisted under the data
 * folder), the registry table and evidence bucket (created on first start), the in-process workflow
 * engine (waiting executions resumed), the local scheduler (deadline job), the table stream feeding
 * the notification sender (channel `log`) and the HTTP API serving the route table with the Lambda
 * handlers. `stop()` shuts it down in reverse order.
 */

export interface LocalRuntime {
  /** Base URL of the API, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  readonly dataDir: string;
  readonly dynamoEndpoint: string;
  readonly s3Endpoint: string;
  readonly tableName: string;
  readonly evidenceBucket: string;
  readonly issuer: LocalJwtIssuer;
  readonly engine: LocalWorkflowEngine;
  readonly scheduler: LocalScheduler;
  /** Feeds new notifications from the table's stream to the notification sender. */
  readonly notifications: LocalStreamPoller;
  /** Executions continued from an earlier run, and the callback tasks now waiting. */
  readonly resumed: { readonly resumed: number; readonly waiting: number };
  readonly deadlineJobEverySeconds: number;
  /** Stops everything; data stays in the data folder. */
  stop(): Promise<void>;
}

/** The environment the handlers see locally (the CDK stack sets the AWS equivalents). */
export function handlerEnvironment(opts: {
  tableName: string;
  evidenceBucket: string;
  dynamoEndpoint: string;
  s3Endpoint: string;
}): Record<string, string> {
  return {
    STAGE: 'local',
    TABLE_NAME: opts.tableName,
    EVIDENCE_BUCKET: opts.evidenceBucket,
    DYNAMODB_ENDPOINT: opts.dynamoEndpoint,
    S3_ENDPOINT: opts.s3Endpoint,
    AWS_REGION: 'cn-north-1',
    AWS_DEFAULT_REGION: 'cn-north-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_SERVICE_NAME: 'zs-ai-platform',
    POWERTOOLS_METRICS_NAMESPACE: 'zs-ai-platform',
    POWERTOOLS_METRICS_DISABLED: 'true',
    // Pretty-printed logs, no metrics flushing (Powertools' dev mode).
    POWERTOOLS_DEV: 'true',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    // Notifications are logged (and marked `logged`), as in a stage without SES.
    NOTIFICATION_CHANNEL: 'log',
  };
}

/** The stream-fed handler: the same module the stateless stack deploys as the notification sender. */
const NOTIFICATION_SENDER = 'functions/jobs/notification-sender.ts';

/** Loads every handler module once, so a broken module shows at start and first requests are fast. */
async function warmUp(log: (line: string) => void): Promise<void> {
  const entries = [
    ...ROUTE_GROUPS.map((g) => `functions/api/${g}.ts`),
    ...workflows.map((w) => w.handlerEntry),
    ...Object.values(SCHEDULED_JOBS),
    NOTIFICATION_SENDER,
  ];
  const results = await Promise.allSettled(entries.map((entry) => loadHandler(entry)));
  results.forEach((r, i) => {
    if (r.status === 'rejected') log(`[warning] ${entries[i]}: ${(r.reason as Error).message}`);
  });
}

/** Starts the local runtime; on any failure stops what was started and rethrows a clear error. */
export async function startLocalRuntime(
  config: LocalConfig,
  opts: { log?: (line: string) => void } = {},
): Promise<LocalRuntime> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const stops: { what: string; stop: () => Promise<void> }[] = [];
  const stopAll = async (): Promise<void> => {
    for (const { what, stop } of stops.reverse()) {
      try {
        await stop();
      } catch (e) {
        log(`[runtime] stopping ${what} failed: ${(e as Error).message}`);
      }
    }
    stops.length = 0;
  };
  try {
    assertJava();
    const host = config.host;
    const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    const urlHost = reachable.includes(':') ? `[${reachable}]` : reachable;
    const port = config.port || (await freePort(host));
    const dynamoPort = config.dynamoPort || (await freePort(host));
    const s3Port = config.s3Port || (await freePort(host));
    await assertPortFree(port, host, 'the local API', 'PORT');
    await assertPortFree(dynamoPort, host, 'DynamoDB Local', 'DYNAMODB_PORT');
    await assertPortFree(s3Port, host, 's3rver', 'S3_PORT');
    mkdirSync(config.dataDir, { recursive: true });

    const dynamoEndpoint = `http://${urlHost}:${dynamoPort}`;
    const s3Endpoint = `http://${urlHost}:${s3Port}`;
    Object.assign(
      process.env,
      handlerEnvironment({
        tableName: config.tableName,
        evidenceBucket: config.evidenceBucket,
        dynamoEndpoint,
        s3Endpoint,
      }),
    );
    delete process.env.AWS_SESSION_TOKEN;
    resetEnv();
    resetClients();

    const warming = warmUp(log);
    const dynamo = await startDynamoDbLocal({
      port: dynamoPort,
      host,
      dataDir: config.dataDir,
      detached: true,
      portEnvVar: 'DYNAMODB_PORT',
    });
    stops.push({ what: 'DynamoDB Local', stop: dynamo.stop });
    const s3 = await startS3rver({
      port: s3Port,
      host,
      directory: path.join(config.dataDir, 's3'),
      portEnvVar: 'S3_PORT',
    });
    stops.push({ what: 's3rver', stop: s3.stop });
    await ensureTable(dynamoClient(), config.tableName);
    await ensureBucket(s3Client(), config.evidenceBucket);
    await warming;

    // Before anything that writes (resumed executions, the first deadline run, requests): from LATEST on.
    const streams = new DynamoDBStreamsClient({
      region: 'cn-north-1',
      endpoint: dynamoEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 2,
    });
    const notifications = new LocalStreamPoller({
      streams,
      tableName: config.tableName,
      handler: localNotificationSender(log, NOTIFICATION_SENDER),
      filter: isNotificationInsert,
      log,
    });
    await notifications.start();
    stops.push({
      what: 'the notification stream',
      stop: async () => {
        // Notifications written by the last requests and job runs are still logged.
        await notifications.pollNow();
        await notifications.stop();
        streams.destroy();
      },
    });

    const engine = new LocalWorkflowEngine({ client: dynamoClient(), tableName: config.tableName, log });
    setWorkflowEngine(engine);
    stops.push({
      what: 'the workflow engine',
      stop: async () => {
        await engine.stop();
        setWorkflowEngine(undefined);
      },
    });
    const resumed = await engine.resumeWaiting();

    const scheduler = new LocalScheduler({ everyMs: config.deadlineJobEverySeconds * 1000, log });
    stops.push({ what: 'the scheduler', stop: () => scheduler.stop() });
    await scheduler.start();

    const url = `http://${urlHost}:${port}`;
    const issuer = await LocalJwtIssuer.open({
      dir: path.join(config.dataDir, 'issuer'),
      issuer: issuerFor(url),
    });
    // Optional-auth routes verify a sent token in the handler against this issuer's JWKS.
    Object.assign(process.env, {
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: issuer.audience,
      JWKS_URL: `${url}/.well-known/jwks.json`,
    });
    resetEnv();
    // The web consoles (issue 7): built on first start (or after their sources changed), then served
    // at /console/. A failed build leaves the API running and says why.
    const consoleDir = await ensureConsoleBuilt(log).catch((e: unknown) => {
      log(`[console] not served: the build failed: ${(e as Error).message}`);
      return undefined;
    });
    const api = createLocalHttpServer({
      issuer,
      engine,
      scheduler,
      log,
      ...(consoleDir ? { consoleDir } : {}),
    });
    await api.listen(port, host);
    stops.push({ what: 'the HTTP API', stop: () => api.close() });

    return {
      url,
      dataDir: config.dataDir,
      dynamoEndpoint,
      s3Endpoint,
      tableName: config.tableName,
      evidenceBucket: config.evidenceBucket,
      issuer,
      engine,
      scheduler,
      notifications,
      resumed,
      deadlineJobEverySeconds: config.deadlineJobEverySeconds,
      stop: async () => {
        await stopAll();
        setClock(undefined);
      },
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
