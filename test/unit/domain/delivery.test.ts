import { describe, expect, it } from 'vitest';
import { instructionChange } from '../../../functions/domain/change-set.ts';
import {
  decideAttemptClaim,
  decideDelivered,
  decideDeliveryFailed,
  decideRetry,
  deliveryLatencyMs,
} from '../../../functions/domain/delivery.ts';
import { AT, freeze } from './deciders.ts';

const now = new Date(AT);
const bank = { bankId: 'B1', mode: 'push' as const };
const actor = 'system:workflow' as const;

describe('delivery deciders (domain/delivery.ts)', () => {
  it('the first attempt claims the delivery and fixes deadlineAt and holdUntil once; a holdUntil set first is kept', () => {
    const d = decideAttemptClaim(freeze(), { now, slaSeconds: 60, inFlightMs: 15_000 });
    expect(d.kind === 'claimed' && d.decision.patch).toMatchObject({
      deliveryStartedAt: AT,
      deadlineAt: '2026-11-20T10:01:00.000Z',
      nextAttemptAt: '2026-11-20T10:00:15.000Z',
      holdUntil: '2026-11-22T10:00:00.000Z',
    });
    const heldFirst = decideAttemptClaim(freeze({ holdUntil: '2026-11-21T00:00:00.000Z' }), {
      now,
      slaSeconds: 60,
      inFlightMs: 1,
    });
    expect(heldFirst.kind === 'claimed' && heldFirst.decision.patch.holdUntil).toBeUndefined();
    expect(decideAttemptClaim(freeze({ status: 'FROZEN' }), { now, slaSeconds: 60, inFlightMs: 1 })).toEqual({
      kind: 'notWanted',
    });
  });

  it('a later attempt claims only a due delivery, and keeps the times the first one fixed', () => {
    const started = { deliveryStartedAt: '2026-11-20T09:59:00.000Z', deadlineAt: '2026-11-20T10:09:00.000Z' };
    // In flight (another attempt claimed it) or scheduled later (Retry-After): not yet.
    const inFlight = freeze({ ...started, nextAttemptAt: '2026-11-20T10:00:00.001Z' });
    expect(decideAttemptClaim(inFlight, { now, slaSeconds: 60, inFlightMs: 15_000 })).toEqual({
      kind: 'notYet',
      at: '2026-11-20T10:00:00.001Z',
    });
    const due = freeze({ ...started, nextAttemptAt: AT });
    const claim = decideAttemptClaim(due, { now, slaSeconds: 60, inFlightMs: 15_000 });
    expect(claim.kind === 'claimed' && claim.decision.patch).toEqual({
      nextAttemptAt: '2026-11-20T10:00:15.000Z',
    });
  });

  it('delivered: PENDING → DISPATCHED and received once; a bank that confirmed first keeps its status', () => {
    const d = decideDelivered(freeze(), { now, bank, actor });
    expect(d?.patch.status).toBe('DISPATCHED');
    expect(d?.with?.bankDay).toEqual({ bankId: 'B1', at: AT, received: 1n });
    const confirmed = decideDelivered(freeze({ status: 'FROZEN' }), { now, bank, actor });
    expect(confirmed?.patch.status).toBeUndefined();
    expect(confirmed?.patch.dispatchedAt).toBe(AT);
    expect(
      decideDelivered(freeze({ status: 'FROZEN', dispatchedAt: AT }), { now, bank, actor }),
    ).toBeUndefined();
    // Every decision passes the lifecycle (a confirmed instruction is never moved back to DISPATCHED).
    expect(() => instructionChange(freeze({ status: 'FROZEN' }), confirmed!, 1)).not.toThrow();
  });

  it('a transient fault retries until the deadline, then gives up', () => {
    const open = freeze({ deliveryStartedAt: AT, deadlineAt: '2026-11-20T11:00:00.000Z' });
    const retry = decideRetry(open, { now, error: { message: 'boom' }, random: () => 0.5 });
    expect(retry.kind).toBe('retry');
    if (retry.kind === 'retry') expect(retry.decision.patch.deliveryAttempts).toBe(1);
    const late = decideRetry(freeze({ deliveryStartedAt: AT, deadlineAt: AT }), {
      now,
      error: { message: 'boom' },
      random: () => 0.5,
    });
    expect(late.kind).toBe('giveUp');
    expect(
      decideRetry(freeze({ status: 'FROZEN' }), { now, error: { message: 'x' }, random: Math.random }).kind,
    ).toBe('none');
  });

  it('a failed first delivery is DISPATCH_FAILED and escalated once; a failed redelivery keeps the status', () => {
    const failed = decideDeliveryFailed(freeze(), { now, reason: '410 Gone', actor });
    expect(failed?.patch).toMatchObject({ status: 'DISPATCH_FAILED', escalatedAt: AT });
    expect(failed?.audit.map((a) => a.action)).toEqual(['DISPATCH_FAILED', 'INSTRUCTION_ESCALATED']);
    const again = decideDeliveryFailed(
      freeze({ status: 'DISPATCH_FAILED', escalatedAt: AT, nextAttemptAt: AT }),
      {
        now,
        reason: 'x',
        actor,
      },
    );
    expect(again?.audit.map((a) => a.action)).toEqual(['REDELIVERY_FAILED']);
    const redelivery = decideDeliveryFailed(freeze({ status: 'OVERDUE', nextAttemptAt: AT }), {
      now,
      reason: 'x',
      actor,
    });
    expect(redelivery?.patch.status).toBeUndefined();
  });
});

describe('deliveryLatencyMs (the DeliveryLatency metric)', () => {
  it('is the time from the first attempt to the acknowledgement, and nothing before both are known', () => {
    expect(
      deliveryLatencyMs({
        deliveryStartedAt: '2026-12-01T10:00:00.000Z',
        dispatchedAt: '2026-12-01T10:00:02.500Z',
      }),
    ).toBe(2_500);
    expect(
      deliveryLatencyMs({ deliveryStartedAt: '2026-12-01T10:00:00.000Z', dispatchedAt: null }),
    ).toBeUndefined();
    expect(
      deliveryLatencyMs({ deliveryStartedAt: null, dispatchedAt: '2026-12-01T10:00:00.000Z' }),
    ).toBeUndefined();
  });
});
