import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoClient } from '../../functions/adapters/aws-clients.ts';
import { ensureTable } from '../../functions/adapters/table-admin.ts';
import { GLOBAL_INDEXES } from '../../functions/adapters/table-schema.ts';
import { useLocalServices } from './support/services.ts';

describe('ensureTable', () => {
  beforeAll(async () => {
    await useLocalServices('table-admin');
  });

  it('is a no-op on a table it created', async () => {
    const name = `it-again-${Date.now()}`;
    await ensureTable(dynamoClient(), name);
    await expect(ensureTable(dynamoClient(), name)).resolves.toBeUndefined();
  });

  it('refuses a table persisted by an older version without an index, saying how to recreate it', async () => {
    // Prepare: a table as the spine's first version created it (gsi1 and due only).
    const name = `it-old-${Date.now()}`;
    const old = GLOBAL_INDEXES.filter((i) => i.name !== 'gsi2');
    const attrs = new Set(['pk', 'sk', ...old.flatMap((i) => [i.partitionKey, i.sortKey])]);
    await dynamoClient().send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attrs].map((a) => ({ AttributeName: a, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: old.map((i) => ({
          IndexName: i.name,
          KeySchema: [
            { AttributeName: i.partitionKey, KeyType: 'HASH' },
            { AttributeName: i.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );

    // Act / Assess
    await expect(ensureTable(dynamoClient(), name)).rejects.toThrow(
      /lacks the index\(es\) gsi2.*fresh data folder/,
    );
  });
});
