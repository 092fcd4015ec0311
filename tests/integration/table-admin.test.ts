import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoClient } from '../../functions/adapters/aws-clients.ts';
import { ensureTable } from '../../functions/adapters/table-admin.ts';
import { GLOBAL_INDEXES } from '../../functions/adapters/table-schema.ts';
import { useLocalServices } from './support/services.ts';

describe('ensureTable', () => {
  beforeAll(async () => {
    await useLocalServices('table-admin');
  });

  it('adds the indexes a table persisted by an older version lacks, and is then a no-op', {
    timeout: 120_000,
  }, async () => {
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

    // Act: twice, as two starts of the local runtime would.
    await ensureTable(dynamoClient(), name);
    await ensureTable(dynamoClient(), name);

    // Assess
    const { Table } = await dynamoClient().send(new DescribeTableCommand({ TableName: name }));
    expect((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName).sort()).toEqual(
      GLOBAL_INDEXES.map((i) => i.name).sort(),
    );
  });
});
