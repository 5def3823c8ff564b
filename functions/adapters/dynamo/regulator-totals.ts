import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type Item, readAmountCounters } from './codec.ts';
import type { Db } from './db.ts';

export interface BankDayRow {
  day: string;
  bankId: string;
  frozen: Map<string, bigint>;
  confirmed: number;
}

/**
 * Access pattern 4: per bank per day, all banks of a day. One Query per day partition (its shards
 * summed here), never a Scan. A period of D days costs D queries, run in parallel.
 */
export async function bankDayRows(db: Db, days: string[]): Promise<BankDayRow[]> {
  const perDay = await Promise.all(
    days.map(async (day) => {
      const items: Item[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await db.doc.send(
          new QueryCommand({
            TableName: db.table,
            KeyConditionExpression: 'PK = :pk AND begins_with(SK, :bank)',
            ExpressionAttributeValues: { ':pk': `DAY#${day}`, ':bank': 'BANK#' },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        );
        items.push(...(out.Items ?? []));
        startKey = out.LastEvaluatedKey;
      } while (startKey);
      const byBank = new Map<string, BankDayRow>();
      for (const item of items) {
        const bankId = String(item.bankId);
        const row = byBank.get(bankId) ?? { day, bankId, frozen: new Map(), confirmed: 0 };
        for (const [currency, minor] of readAmountCounters(item, 'frozen')) {
          row.frozen.set(currency, (row.frozen.get(currency) ?? 0n) + minor);
        }
        row.confirmed += Number(item.confirmed ?? 0);
        byBank.set(bankId, row);
      }
      return [...byBank.values()];
    }),
  );
  return perDay.flat();
}
