import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { bankDayRows } from '../adapters/dynamo/regulator-totals.ts';
import { bucketsToList } from '../domain/money.ts';
import { periodDays } from '../domain/period.ts';
import { httpHandler, json } from '../http/http-handler.ts';
import { PeriodQuery } from '../schemas/api.ts';

/**
 * GET /totals (regulator): frozen funds confirmed in the period, overall, per bank and per day.
 * Reads one aggregate partition per day (sharded per bank), never the instructions.
 */
export const createRegulatorTotals = (deps: Dependencies) =>
  httpHandler('regulatorTotals', async (request) => {
    const query = request.query(PeriodQuery);
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
    return json(200, {
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
    });
  });

export const handler = lambdaEntry(createRegulatorTotals);
