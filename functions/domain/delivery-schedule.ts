/**
 * When a failed delivery is tried again (docs/api.md "Push connector"): exponential backoff with jitter,
 * never earlier than the bank's `Retry-After`, until the delivery's deadline. The step grows with
 * length of the delivery window, so that even a week-long SLA stays far below Step Functions' history
 * limit (at most ~2 × MAX_ATTEMPTS_PER_WINDOW waits per delivery, ~9 history events each).
 */
export const FIRST_RETRY_SECONDS = 1;
export const RETRY_GROWTH = 2;
/** Backoff cap for short deadlines; longer deadlines get a cap of remaining / MAX_ATTEMPTS_PER_WINDOW. */
export const MIN_RETRY_CAP_SECONDS = 30;
export const MAX_RETRY_CAP_SECONDS = 900;
export const MAX_ATTEMPTS_PER_WINDOW = 500;

export interface RetryPlan {
  /** Seconds to wait before the next attempt (≥ 1), or undefined: the deadline leaves no room. */
  waitSeconds: number | undefined;
}

/**
 * The wait after failed attempt number `attempt` (1 = the first attempt failed). "Equal jitter": half
 * the backoff fixed, half random, so attempts never bunch at zero. `retryAfterSeconds` (from the
 * bank) is a floor. `random` is injectable for tests.
 */
export function nextRetry(
  attempt: number,
  secondsToDeadline: number,
  retryAfterSeconds: number | undefined,
  random: () => number = Math.random,
  /** The whole delivery window (first attempt to deadline); the cap grows with it, not with what is left. */
  windowSeconds: number = secondsToDeadline,
): RetryPlan {
  const cap = Math.min(
    MAX_RETRY_CAP_SECONDS,
    Math.max(MIN_RETRY_CAP_SECONDS, windowSeconds / MAX_ATTEMPTS_PER_WINDOW),
  );
  const backoff = Math.min(cap, FIRST_RETRY_SECONDS * RETRY_GROWTH ** Math.max(0, attempt - 1));
  const jittered = backoff / 2 + random() * (backoff / 2);
  const wait = Math.max(1, Math.ceil(Math.max(jittered, retryAfterSeconds ?? 0)));
  return { waitSeconds: wait < secondsToDeadline ? wait : undefined };
}

/** `Retry-After` as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined if absent or bad. */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d{1,10}$/.test(trimmed)) return Number(trimmed);
  // An HTTP date names its day and month ("Tue, 01 Dec 2026 10:00:30 GMT"); Date.parse alone would
  // also read "-5" as a year.
  if (!/[A-Za-z]{3}/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/** Whole seconds from `now` until `iso` (at least 1; 1 when there is no such time): a wait's timeout. */
export const secondsUntil = (iso: string | null, now: Date): number =>
  iso ? Math.max(1, Math.ceil((Date.parse(iso) - now.getTime()) / 1000)) : 1;
