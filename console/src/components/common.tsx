import { useEffect, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { formatMoney, type MoneyJson } from '../lib/money.ts';
import { countdown, formatLocalTime } from '../lib/time.ts';

/** An amount per its currency; the exact minor units on hover. */
export function Money({ value }: { value: MoneyJson | undefined }) {
  if (!value) return <span>–</span>;
  return (
    <span className="money" title={`${value.minor} minor units of ${value.currency}`}>
      {formatMoney(value)}
    </span>
  );
}

/** A time in the user's zone; UTC (ISO 8601) on hover. */
export function LocalTime({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span>–</span>;
  return (
    <time dateTime={iso} title={`${iso} (UTC)`}>
      {formatLocalTime(iso)}
    </time>
  );
}

/** The current time, re-read every second, for countdowns that move without a reload. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}

export function Countdown({ iso, label }: { iso: string | null | undefined; label: string }) {
  const now = useNow();
  if (!iso) return <span>–</span>;
  const c = countdown(iso, now);
  return (
    <span className={c.past ? 'countdown past' : 'countdown'} title={`${label}: ${iso} (UTC)`}>
      {c.text}
    </span>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="state loading" role="status">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: React.ReactNode }) {
  return <p className="state empty">{children}</p>;
}

export function ErrorBox({ error, what }: { error: unknown; what: string }) {
  const problem = error instanceof ApiError ? error.problem : undefined;
  return (
    <div className="state error" role="alert">
      <strong>
        {what}: {problem ? `${problem.status || 'network'} ${problem.title}` : String(error)}
      </strong>
      {problem?.detail ? <div>{problem.detail}</div> : null}
      {problem?.rule ? <div>rule: {problem.rule}</div> : null}
      {problem?.errors?.length ? (
        <ul>
          {problem.errors.map((e) => (
            <li key={`${e.path}:${e.message}`}>
              <code>{e.path}</code>: {e.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

const statusTone: Record<string, string> = {
  FROZEN: 'good',
  PARTIALLY_FROZEN: 'good',
  RELEASED: 'done',
  EXPIRED: 'warn',
  FUNDS_MOVED: 'warn',
  CASH_WITHDRAWN: 'bad',
  ACCOUNT_NOT_FOUND: 'bad',
  REJECTED: 'bad',
  DISPATCH_FAILED: 'bad',
  OVERDUE: 'bad',
  PENDING: 'wait',
  DISPATCHED: 'wait',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge ${statusTone[status] ?? 'wait'}`}>{status.replace(/_/g, ' ')}</span>;
}
