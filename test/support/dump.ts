import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../functions/adapters/dynamo/db.ts';
import { STREAM_CHECKPOINT_PK } from '../../local/stream-checkpoints.ts';

/**
 * Every item of the table, canonical and sorted: "nothing was written" means this is unchanged. The
 * local stream poller's checkpoints are left out: they move whenever the poller reads (a write made
 * before the dump, or its own), and they are the runtime's bookkeeping, not the application's data.
 */
export async function dumpTable(db: Db): Promise<string> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.doc.send(
      new ScanCommand({ TableName: db.table, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(out.Items ?? []).filter((item) => item.PK !== STREAM_CHECKPOINT_PK));
    start = out.LastEvaluatedKey;
  } while (start);
  const canonical = (item: Record<string, unknown>) =>
    JSON.stringify(item, (_, v) =>
      typeof v === 'bigint' ? v.toString() : v instanceof Set ? [...v].sort() : v,
    );
  return JSON.stringify(items.map(canonical).sort());
}
