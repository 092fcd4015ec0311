import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient, tableName } from '../adapters/dynamo-client.ts';
import { clock } from '../shared/clock.ts';
import { env } from '../shared/env.ts';
import { ServiceUnavailableError } from '../shared/errors.ts';
import { routeGroupHandler } from '../shared/http-handler.ts';
import { logger } from '../shared/powertools.ts';
import { spineRoutes } from './routes/spine.ts';

/** System routes: `GET /health` (the API answers and reaches the registry), `GET /openapi.json`. */
let openApi: object | undefined;

export const handler = routeGroupHandler('system', spineRoutes, {
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
    // Loaded on first use: the whole route table's schemas are not built on every cold start of /health.
    openApi ??= (await import('./openapi.ts')).buildOpenApi();
    return { status: 200, body: openApi, headers: { 'cache-control': 'public, max-age=300' } };
  },
});
