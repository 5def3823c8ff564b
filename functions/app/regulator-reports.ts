import type { Dependencies } from '../adapters/dependencies.ts';
import { bankDayRows, bankHeld } from '../adapters/dynamo/regulator-totals.ts';
import { bucketsToList } from '../domain/money.ts';
import { nearestRankPercentile } from '../domain/percentile.ts';
import { periodDays } from '../domain/period.ts';

/** A regulator's period (`YYYY-MM-DD` UTC days, both ends inclusive; default the last 30 days). */
export interface PeriodInput {
  from?: string | undefined;
  to?: string | undefined;
  currency?: string | undefined;
}

/**
 * Frozen funds confirmed in the period (GET /totals), overall, per bank and per day. Reads one
 * aggregate partition per day (sharded per bank), never the instructions.
 */
export async function regulatorTotals(deps: Dependencies, query: PeriodInput) {
  const { from, to, days } = periodDays(query.from, query.to, deps.now());
  const rows = await bankDayRows(deps.db, days);
  const overall = new Map<string, bigint>();
  const byBank = new Map<string, Map<string, bigint>>();
  const byDay = new Map<string, Map<string, bigint>>();
  const bump = (m: Map<string, bigint>, currency: string, minor: bigint) =>
    m.set(currency, (m.get(currency) ?? 0n) + minor);
  for (const row of rows) {
    for (const [currency, minor] of row.frozen) {
      if (query.currency && currency !== query.currency) continue;
      bump(overall, currency, minor);
      if (!byBank.has(row.bankId)) byBank.set(row.bankId, new Map());
      bump(byBank.get(row.bankId)!, currency, minor);
      if (!byDay.has(row.day)) byDay.set(row.day, new Map());
      bump(byDay.get(row.day)!, currency, minor);
    }
  }
  return {
    from,
    to,
    ...(query.currency ? { currency: query.currency } : {}),
    overall: bucketsToList(overall),
    byBank: [...byBank.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([bankId, frozen]) => ({ bankId, frozen: bucketsToList(frozen) })),
    byDay: [...byDay.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([day, frozen]) => ({ day, frozen: bucketsToList(frozen) })),
  };
}

/**
 * Bank performance (GET /banks/performance): per bank, in the period — instructions received
 * (delivered), confirmed, median and 90th-percentile seconds from delivery to confirmation, overdue
 * and late counts — and what it holds now. From the per-day aggregate items, never a Scan.
 */
export async function bankPerformance(deps: Dependencies, query: PeriodInput) {
  const { from, to, days } = periodDays(query.from, query.to, deps.now());
  const rows = await bankDayRows(deps.db, days);
  const perBank = new Map<
    string,
    { received: number; confirmed: number; overdue: number; late: number; latencies: number[] }
  >();
  for (const row of rows) {
    const bank = perBank.get(row.bankId) ?? {
      received: 0,
      confirmed: 0,
      overdue: 0,
      late: 0,
      latencies: [],
    };
    bank.received += row.received;
    bank.confirmed += row.confirmed;
    bank.overdue += row.overdue;
    bank.late += row.late;
    bank.latencies.push(...row.latencies);
    perBank.set(row.bankId, bank);
  }
  const bankIds = [...perBank.keys()].sort();
  const held = await bankHeld(deps.db, bankIds);
  const round = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);
  return {
    from,
    to,
    banks: bankIds.map((bankId) => {
      const b = perBank.get(bankId)!;
      const sorted = [...b.latencies].sort((x, y) => x - y);
      const heldNow = new Map(
        [...(held.get(bankId) ?? new Map<string, bigint>())].filter(([, v]) => v !== 0n),
      );
      return {
        bankId,
        received: b.received,
        confirmed: b.confirmed,
        medianSeconds: round(nearestRankPercentile(sorted, 50)),
        p90Seconds: round(nearestRankPercentile(sorted, 90)),
        overdue: b.overdue,
        late: b.late,
        held: bucketsToList(
          query.currency ? new Map([...heldNow].filter(([c]) => c === query.currency)) : heldNow,
        ),
      };
    }),
  };
}
