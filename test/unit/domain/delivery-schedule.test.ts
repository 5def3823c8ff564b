import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_RETRY_CAP_SECONDS,
  MIN_RETRY_CAP_SECONDS,
  nextRetry,
  parseRetryAfter,
  secondsUntil,
} from '../../../functions/domain/delivery-schedule.ts';

describe('the retry schedule of a delivery (docs/api.md "Push connector")', () => {
  it('property: a wait is ≥ 1 s, never before Retry-After, never past the cap (unless Retry-After asks), and only before the deadline', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 1, max: 604_800 }),
        fc.option(fc.integer({ min: 0, max: 3_600 }), { nil: undefined }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        (attempt, secondsLeft, retryAfter, random) => {
          const { waitSeconds } = nextRetry(attempt, secondsLeft, retryAfter, () => random, secondsLeft);
          if (waitSeconds === undefined) return;
          expect(waitSeconds).toBeGreaterThanOrEqual(1);
          expect(waitSeconds).toBeLessThan(secondsLeft);
          if (retryAfter !== undefined) expect(waitSeconds).toBeGreaterThanOrEqual(retryAfter);
          const cap = Math.min(MAX_RETRY_CAP_SECONDS, Math.max(MIN_RETRY_CAP_SECONDS, secondsLeft / 500));
          expect(waitSeconds).toBeLessThanOrEqual(Math.max(Math.ceil(cap), retryAfter ?? 0));
        },
      ),
    );
  });

  it('grows 1, 2, 4, 8 s … (equal jitter: between half and all of it) up to 30 s for a short SLA', () => {
    const low = [1, 2, 3, 4, 5, 6, 7].map((a) => nextRetry(a, 3_600, undefined, () => 0).waitSeconds);
    const high = [1, 2, 3, 4, 5, 6, 7].map((a) => nextRetry(a, 3_600, undefined, () => 0.999).waitSeconds);
    expect(low).toEqual([1, 1, 2, 4, 8, 15, 15]);
    expect(high).toEqual([1, 2, 4, 8, 16, 30, 30]);
  });

  it('stays far below the Step Functions history limit for a week-long SLA (< 1,500 attempts, ~13,500 events of 25,000)', () => {
    const deadline = 604_800;
    let elapsed = 0;
    let attempts = 0;
    for (;;) {
      attempts += 1;
      const { waitSeconds } = nextRetry(attempts, deadline - elapsed, undefined, () => 0, deadline);
      if (waitSeconds === undefined) break;
      elapsed += waitSeconds;
    }
    expect(attempts).toBeLessThan(1_500);
  });

  it('gives up when the deadline leaves no room for the wait Retry-After asks', () => {
    expect(nextRetry(1, 10, 30).waitSeconds).toBeUndefined();
    expect(nextRetry(1, 1, undefined).waitSeconds).toBeUndefined();
  });

  it('reads Retry-After as delta seconds or an HTTP date; anything else is absent', () => {
    const now = new Date('2026-12-01T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(' 7 ', now)).toBe(7);
    expect(parseRetryAfter('Tue, 01 Dec 2026 10:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Tue, 01 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('secondsUntil is at least 1, and 1 without a time', () => {
    const now = new Date('2026-12-01T10:00:00Z');
    expect(secondsUntil('2026-12-01T10:00:10.2Z', now)).toBe(11);
    expect(secondsUntil('2026-12-01T09:00:00Z', now)).toBe(1);
    expect(secondsUntil(null, now)).toBe(1);
  });
});
