import { DescribeTableCommand, type DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { freezeflowTable } from '../functions/adapters/table-definition.ts';

/**
 * A data dir made by an older version lacks an index the table definition now has (e.g. the sparse
 * `due` index): add it, as CloudFormation would on a deploy, and wait until it is ACTIVE. Items are
 * indexed as they are next written; an open instruction that is never written again is not seen by
 * the reconciler (nothing is lost: its workflow still runs it, as before).
 */
export async function addMissingIndexes(client: DynamoDBClient, tableName: string): Promise<string[]> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  const added: string[] = [];
  for (const index of freezeflowTable.globalSecondaryIndexes) {
    if (present.has(index.indexName)) continue;
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [
          { AttributeName: index.partitionKey.name, AttributeType: index.partitionKey.type },
          { AttributeName: index.sortKey.name, AttributeType: index.sortKey.type },
        ],
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: index.indexName,
              KeySchema: [
                { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
                { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          },
        ],
      }),
    );
    added.push(index.indexName);
  }
  for (let waited = 0; added.length > 0 && waited < 30_000; waited += 100) {
    const { Table: now } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if ((now?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return added;
}
