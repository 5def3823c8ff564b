import { startDynamoLocal, createTable, localClientConfig } from '../local/dynamo-local.ts';
import { DynamoDBStreamsClient, DescribeStreamCommand, GetShardIteratorCommand, GetRecordsCommand } from '@aws-sdk/client-dynamodb-streams';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
const d = await startDynamoLocal();
try {
  const t = await createTable(d.client, 'table1');
  const s = new DynamoDBStreamsClient(localClientConfig(d.endpoint));
  const desc = await s.send(new DescribeStreamCommand({ StreamArn: t.LatestStreamArn }));
  console.log(JSON.stringify(desc.StreamDescription, null, 1));
  const shard = desc.StreamDescription!.Shards![0]!;
  const it = await s.send(new GetShardIteratorCommand({ StreamArn: t.LatestStreamArn, ShardId: shard.ShardId, ShardIteratorType: 'LATEST' }));
  await d.client.send(new PutItemCommand({ TableName: 'table1', Item: { PK: { S: 'a' }, SK: { S: 'b' }, bin: { B: new Uint8Array([1,2,3]) }, n: { N: '12345678901234567890' } } }));
  const r = await s.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
  console.log(JSON.stringify(r, (k, v) => v, 1));
  const r2 = await s.send(new GetRecordsCommand({ ShardIterator: r.NextShardIterator }));
  console.log(r2.Records?.length, r2.NextShardIterator?.length);
  console.log(r.Records?.[0]?.dynamodb?.ApproximateCreationDateTime instanceof Date);
} finally { await d.stop(); }
