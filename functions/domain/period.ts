import { ValidationProblem } from './errors.ts';

/** Longest period one totals request may cover (one read per day). */
export const MAX_PERIOD_DAYS = 366;
export const DEFAULT_PERIOD_DAYS = 30;

const DAY_MS = 86_400_000;
const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/**
 * A regulator period: `from`/`to` are YYYY-MM-DD UTC days, both inclusive; default the last 30 days
 * ending today. Returns every day in it.
 */
export function periodDays(
  from: string | undefined,
  to: string | undefined,
  now: Date,
): { from: string; to: string; days: string[] } {
  const end =
    to ?? (from ? dayOf(new Date(Math.max(Date.parse(`${from}T00:00:00Z`), now.getTime()))) : dayOf(now));
  const endMs = Date.parse(`${end}T00:00:00Z`);
  const start = from ?? dayOf(new Date(endMs - (DEFAULT_PERIOD_DAYS - 1) * DAY_MS));
  const startMs = Date.parse(`${start}T00:00:00Z`);
  const count = Math.round((endMs - startMs) / DAY_MS) + 1;
  if (count < 1) throw new ValidationProblem([{ path: 'from', message: 'must not be after `to`' }]);
  if (count > MAX_PERIOD_DAYS) {
    throw new ValidationProblem([
      { path: 'from', message: `a period covers at most ${MAX_PERIOD_DAYS} days` },
    ]);
  }
  const days = Array.from({ length: count }, (_, i) => dayOf(new Date(startMs + i * DAY_MS)));
  return { from: start, to: end, days };
}
