import '../support/quiet-logs.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetClients } from '../../functions/adapters/aws-clients.ts';
import { resetEnv } from '../../functions/shared/env.ts';
import { freePort } from '../../infra/local/services.ts';
import { apiEvent, jsonBody, lambdaContext } from '../support/api-events.ts';
import { useLocalServices } from './support/services.ts';

const { handler } = await import('../../functions/api/system.ts');

let endpoint: string | undefined;
beforeAll(async () => {
  await useLocalServices('system');
  endpoint = process.env.DYNAMODB_ENDPOINT;
});
afterAll(() => {
  process.env.DYNAMODB_ENDPOINT = endpoint;
  resetEnv();
  resetClients();
});

describe('system routes', () => {
  it('GET /health answers 200 without a token when the table is reachable', async () => {
    const res = await handler(apiEvent('GET /health'), lambdaContext());
    expect(res.statusCode).toBe(200);
    expect(jsonBody(res)).toMatchObject({ status: 'ok', stage: 'test' });
  });

  it('GET /openapi.json is public and lists the organisation routes', async () => {
    const res = await handler(apiEvent('GET /openapi.json'), lambdaContext());
    expect(res.statusCode).toBe(200);
    expect(Object.keys(jsonBody<{ paths: object }>(res).paths)).toContain('/v1/organisations/{orgId}');
  });

  it('GET /health is 503 problem+json when DynamoDB cannot be reached', async () => {
    process.env.DYNAMODB_ENDPOINT = `http://127.0.0.1:${await freePort()}`;
    resetEnv();
    resetClients();
    const res = await handler(apiEvent('GET /health'), lambdaContext());
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['content-type']).toBe('application/problem+json');
    expect(jsonBody(res).code).toBe('SERVICE_UNAVAILABLE');
  });
});
