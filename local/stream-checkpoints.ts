import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Db } from '../functions/adapters/dynamo/db.ts';
import type { StreamCheckpoints } from './stream-poller.ts';

/** LOCAL RUNTIME ONLY (table-definition.ts): where the stream poller resumes after a restart. */
export const STREAM_CHECKPOINT_PK = 'LOCAL#STREAM';

/**
 * The stream poller's positions as items of the table itself, so they live in FREEZEFLOW_DATA_DIR
 * with the data they point into. A batch made only of checkpoint writes is not checkpointed again:
 * otherwise each save would make a record that makes the next save.
 */
export function tableStreamCheckpoints(db: Db, consumer: string): StreamCheckpoints {
  // One position per consumer and shard, as each event source mapping keeps its own.
  const prefix = `${consumer}#`;
  return {
    async load() {
      const out = await db.doc.send(
        new QueryCommand({
          TableName: db.table,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :consumer)',
          ExpressionAttributeValues: { ':pk': STREAM_CHECKPOINT_PK, ':consumer': prefix },
          ConsistentRead: true,
        }),
      );
      return new Map(
        (out.Items ?? []).map((i) => [String(i.SK).slice(prefix.length), String(i.sequenceNumber)]),
      );
    },
    async save(shardId: string, sequenceNumber: string, records: DynamoDBRecord[]) {
      if (records.every((r) => r.dynamodb?.Keys?.PK?.S === STREAM_CHECKPOINT_PK)) return;
      await db.doc.send(
        new PutCommand({
          TableName: db.table,
          Item: {
            PK: STREAM_CHECKPOINT_PK,
            SK: `${prefix}${shardId}`,
            sequenceNumber,
            savedAt: new Date().toISOString(),
          },
        }),
      );
    },
  };
}
