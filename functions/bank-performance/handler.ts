import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { bankDayRows, bankHeld } from '../adapters/dynamo/regulator-totals.ts';
import { bucketsToList } from '../domain/money.ts';
import { nearestRankPercentile } from '../domain/percentile.ts';
import { periodDays } from '../domain/period.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { PeriodQuery } from '../schemas/api.ts';

/**
 * GET /banks/performance (regulator): per bank, in the period — instructions received (delivered),
 * confirmed, median and 90th-percentile seconds from delivery to confirmation, overdue and late
 * counts — and what it holds now. From the per-day aggregate items, never a Scan.
 */
export const createBankPerformance = (deps: Dependencies) =>
  httpHandler('bankPerformance', async (request) => {
    const query = request.query(PeriodQuery);
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
    return json(200, {
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
    });
  });

export const handler = lambdaEntry(createBankPerformance);
