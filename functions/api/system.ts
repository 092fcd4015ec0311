import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient, tableName } from '../adapters/aws-clients.ts';
import { clock } from '../shared/clock.ts';
import { env } from '../shared/env.ts';
import { ServiceUnavailableError } from '../shared/errors.ts';
import { httpHandler } from '../shared/http.ts';
import { logger } from '../shared/powertools.ts';
import { buildOpenApi } from './openapi.ts';

/** System routes: `GET /health` (the API answers and reaches the registry), `GET /openapi.json`. */
let openApi: object | undefined;

export const handler = httpHandler('system', {
  getHealth: async () => {
    try {
      await dynamoDocumentClient().send(
        new GetCommand({ TableName: tableName(), Key: { pk: 'HEALTH', sk: 'HEALTH' } }),
      );
    } catch (error) {
      logger.warn('health: registry table unreachable', { error: error as Error });
      throw new ServiceUnavailableError('The registry table cannot be reached; try again shortly.');
    }
    const e = env();
    return {
      status: 200,
      body: { status: 'ok', stage: e.STAGE, time: clock.now().toISOString(), version: e.APP_VERSION },
      headers: { 'cache-control': 'no-store' },
    };
  },
  getOpenApi: async () => {
    openApi ??= buildOpenApi();
    return { status: 200, body: openApi, headers: { 'cache-control': 'public, max-age=300' } };
  },
});
