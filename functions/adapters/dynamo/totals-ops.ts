import type { TotalsDelta } from '../../domain/totals.ts';
import { BANK_DAY_SHARDS, keys } from '../keys.ts';
import { amountCounter, statusCounter } from './codec.ts';
import type { Db } from './db.ts';
import type { LabeledOp } from './transact.ts';

/** DynamoDB ADD of every counter a delta touches (several deltas to one counter are summed first). */
function addExpression(counters: Map<string, bigint>, set: Record<string, unknown>) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const adds: string[] = [];
  const sets: string[] = [];
  let i = 0;
  for (const [name, value] of counters) {
    if (value === 0n) continue;
    names[`#c${i}`] = name;
    values[`:c${i}`] = value;
    adds.push(`#c${i} :c${i}`);
    i++;
  }
  for (const [name, value] of Object.entries(set)) {
    names[`#s${i}`] = name;
    values[`:s${i}`] = value;
    sets.push(`#s${i} = :s${i}`);
    i++;
  }
  const expression = [
    sets.length ? `SET ${sets.join(', ')}` : '',
    adds.length ? `ADD ${adds.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return { UpdateExpression: expression, ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}

export function deltaCounters(delta: TotalsDelta): Map<string, bigint> {
  const counters = new Map<string, bigint>();
  const bump = (name: string, by: bigint) => counters.set(name, (counters.get(name) ?? 0n) + by);
  for (const { bucket, amount } of delta.amounts) bump(amountCounter(bucket, amount.currency), amount.minor);
  for (const [status, n] of Object.entries(delta.statusCounts)) bump(statusCounter(status), BigInt(n ?? 0));
  return counters;
}

/** Instructions per hop (`hop_<n>`): maxHop is the largest n counted, kept with ADD only. */
export const hopCounter = (hop: number): string => `hop_${hop}`;

/** The case totals item's share of a change. */
export function caseTotalsOp(
  db: Db,
  caseId: string,
  delta: TotalsDelta,
  updatedAt: string,
  newInstructionHops: number[] = [],
): LabeledOp {
  const counters = deltaCounters(delta);
  for (const hop of newInstructionHops)
    counters.set(hopCounter(hop), (counters.get(hopCounter(hop)) ?? 0n) + 1n);
  const update = addExpression(counters, { updatedAt });
  return {
    label: 'caseTotals',
    op: {
      Update: {
        TableName: db.table,
        Key: keys.caseTotals(caseId),
        ...update,
        ConditionExpression: 'attribute_exists(PK)',
      },
    },
  };
}

/**
 * Frozen funds and performance counters per bank per day (regulators), on one of BANK_DAY_SHARDS
 * items picked at random. `latencySeconds` is appended to the shard's list of delivery-to-confirmation
 * times (medians are computed on read).
 */
export function bankDayTotalsOp(
  db: Db,
  day: string,
  bankId: string,
  counters: Map<string, bigint>,
  updatedAt: string,
  latencySeconds?: number,
): LabeledOp {
  const shard = Math.floor(Math.random() * BANK_DAY_SHARDS);
  const update = addExpression(counters, { updatedAt, bankId, day });
  if (latencySeconds !== undefined) {
    update.UpdateExpression = update.UpdateExpression.replace(
      /^SET /,
      'SET latencies = list_append(if_not_exists(latencies, :noLatencies), :latency), ',
    );
    update.ExpressionAttributeValues[':noLatencies'] = [];
    update.ExpressionAttributeValues[':latency'] = [latencySeconds];
  }
  return {
    label: 'bankDayTotals',
    op: { Update: { TableName: db.table, Key: keys.bankDayTotals(day, bankId, shard), ...update } },
  };
}

/** Bank performance counters (received, confirmed, overdue, late) on the bank's day shard. */
export function bankDayCounterOp(
  db: Db,
  atIso: string,
  bankId: string,
  counters: Record<string, bigint>,
): LabeledOp {
  return bankDayTotalsOp(db, atIso.slice(0, 10), bankId, new Map(Object.entries(counters)), atIso);
}

/** What a bank holds for all cases now, per currency (`amt_held_<CUR>` on BANK#<id> / #HELD). */
export function bankHeldOp(
  db: Db,
  bankId: string,
  currency: string,
  delta: bigint,
  atIso: string,
): LabeledOp {
  const update = addExpression(new Map([[`amt_held_${currency}`, delta]]), { updatedAt: atIso, bankId });
  return {
    label: 'bankHeld',
    op: { Update: { TableName: db.table, Key: keys.bankHeld(bankId), ...update } },
  };
}
