import type { BankPerformanceRow } from '../api/views.ts';

/**
 * The slowest banks: the quarter (at least one) with the highest p90, among banks that confirmed
 * anything, when there are at least two to compare. Overdue answers are flagged apart.
 */
export function slowestBanks(rows: readonly BankPerformanceRow[]): Set<string> {
  const timed = rows
    .filter((r) => r.p90Seconds !== null)
    .sort((a, b) => (b.p90Seconds ?? 0) - (a.p90Seconds ?? 0));
  if (timed.length < 2) return new Set();
  const n = Math.max(1, Math.ceil(timed.length / 4));
  const cut = timed[n - 1]?.p90Seconds ?? 0;
  return new Set(
    timed.filter((r) => (r.p90Seconds ?? 0) >= cut && (r.p90Seconds ?? 0) > 0).map((r) => r.bankId),
  );
}
