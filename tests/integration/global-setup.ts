import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, startDynamoDbLocal, startS3rver } from '../../infra/local/services.ts';

/**
 * Starts DynamoDB Local (in memory) and s3rver (temporary folder) once per run on free ports and hands
 * their endpoints to the test files (`inject('dynamoEndpoint')`, `inject('s3Endpoint')`). Each test
 * file creates its own table (tests/integration/support/services.ts).
 */
declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    s3Endpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const host = '127.0.0.1';
  const s3Dir = mkdtempSync(path.join(os.tmpdir(), 'zs-s3rver-'));
  const dynamo = await startDynamoDbLocal({ port: await freePort(host), host });
  let s3: Awaited<ReturnType<typeof startS3rver>>;
  try {
    s3 = await startS3rver({ port: await freePort(host), host, directory: s3Dir });
  } catch (e) {
    await dynamo.stop();
    throw e;
  }
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('s3Endpoint', s3.endpoint);
  return async () => {
    await Promise.allSettled([dynamo.stop(), s3.stop()]);
    rmSync(s3Dir, { recursive: true, force: true });
  };
}
