import { keys } from '../keys.ts';
import { readAmountCounters } from './codec.ts';
import { batchGetAll, type Db, queryAll } from './db.ts';

export interface BankDayRow {
  day: string;
  bankId: string;
  frozen: Map<string, bigint>;
  received: number;
  confirmed: number;
  overdue: number;
  late: number;
  /** Seconds from delivery to confirmation, one per confirmation of that day. */
  latencies: number[];
}

/**
 * Access pattern 4: per bank per day, all banks of a day. One Query per day partition (its shards
 * summed here), never a Scan. A period of D days costs D queries, run in parallel.
 */
export async function bankDayRows(db: Db, days: string[]): Promise<BankDayRow[]> {
  const perDay = await Promise.all(
    days.map(async (day) => {
      const items = await queryAll(db, {
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :bank)',
        ExpressionAttributeValues: { ':pk': `DAY#${day}`, ':bank': 'BANK#' },
        ConsistentRead: true,
      });
      const byBank = new Map<string, BankDayRow>();
      for (const item of items) {
        const bankId = String(item.bankId);
        const row: BankDayRow = byBank.get(bankId) ?? {
          day,
          bankId,
          frozen: new Map(),
          received: 0,
          confirmed: 0,
          overdue: 0,
          late: 0,
          latencies: [],
        };
        for (const [currency, minor] of readAmountCounters(item, 'frozen')) {
          row.frozen.set(currency, (row.frozen.get(currency) ?? 0n) + minor);
        }
        row.confirmed += Number(item.confirmed ?? 0);
        row.received += Number(item.received ?? 0);
        row.overdue += Number(item.overdue ?? 0);
        row.late += Number(item.late ?? 0);
        for (const l of (item.latencies as unknown[] | undefined) ?? []) row.latencies.push(Number(l));
        byBank.set(bankId, row);
      }
      return [...byBank.values()];
    }),
  );
  return perDay.flat();
}

/** What each bank holds now for all cases (BANK#<id> / #HELD), per currency. */
export async function bankHeld(db: Db, bankIds: string[]): Promise<Map<string, Map<string, bigint>>> {
  const out = new Map<string, Map<string, bigint>>();
  for (const item of await batchGetAll(
    db,
    bankIds.map((id) => keys.bankHeld(id)),
  ))
    out.set(String(item.bankId), readAmountCounters(item, 'held'));
  return out;
}
