import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../functions/adapters/dynamo/db.ts';

/** Every item of the table, canonical and sorted: "nothing was written" means this is unchanged. */
export async function dumpTable(db: Db): Promise<string> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.doc.send(
      new ScanCommand({ TableName: db.table, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  const canonical = (item: Record<string, unknown>) =>
    JSON.stringify(item, (_, v) =>
      typeof v === 'bigint' ? v.toString() : v instanceof Set ? [...v].sort() : v,
    );
  return JSON.stringify(items.map(canonical).sort());
}
