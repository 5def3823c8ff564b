import { describe, expect, it } from 'vitest';
import { instructionChange } from '../../../functions/domain/change-set.ts';
import {
  decideDelivered,
  decideDeliveryFailed,
  decideDeliveryTimes,
  decideRetry,
} from '../../../functions/domain/delivery.ts';
import { AT, freeze } from './deciders.ts';

const now = new Date(AT);
const bank = { bankId: 'B1', mode: 'push' as const };
const actor = 'system:workflow' as const;

describe('delivery deciders (domain/delivery.ts)', () => {
  it('the first attempt fixes deadlineAt and holdUntil once; a holdUntil a confirmation set first is kept', () => {
    const d = decideDeliveryTimes(freeze(), { now, slaSeconds: 60, inFlightMs: 15_000 });
    expect(d?.patch).toMatchObject({
      deliveryStartedAt: AT,
      deadlineAt: '2026-11-20T10:01:00.000Z',
      nextAttemptAt: '2026-11-20T10:00:15.000Z',
      holdUntil: '2026-11-22T10:00:00.000Z',
    });
    const confirmedFirst = freeze({ status: 'FROZEN', holdUntil: '2026-11-21T00:00:00.000Z' });
    expect(
      decideDeliveryTimes(confirmedFirst, { now, slaSeconds: 60, inFlightMs: 1 })?.patch.holdUntil,
    ).toBeUndefined();
    expect(
      decideDeliveryTimes(freeze({ deliveryStartedAt: AT }), { now, slaSeconds: 60, inFlightMs: 1 }),
    ).toBeUndefined();
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
