import { describe, expect, it } from 'vitest';
import { instructionChange } from '../../../functions/domain/change-set.ts';
import {
  decideEscalation,
  decideNoticeAttempt,
  decideNoticeClaim,
  decideOverdue,
  decideRedelivery,
  decideReminded,
} from '../../../functions/domain/follow-up.ts';
import { AT, freeze } from './deciders.ts';

const actor = 'system:workflow' as const;
const notice = {
  kind: 'EXPIRED' as const,
  deliveryId: 'C1.O1.0:EXPIRED',
  message: {},
  attempts: 0,
  nextAttemptAt: AT,
  giveUpAt: '2026-11-23T10:00:00.000Z',
};

describe('follow-up deciders (domain/follow-up.ts): once each, and only where the lifecycle allows', () => {
  it('OVERDUE from PENDING or DISPATCHED only; counted on the bank’s day; a second time changes nothing', () => {
    const d = decideOverdue(freeze({ status: 'DISPATCHED' }), { at: AT, actor });
    expect(d?.patch).toEqual({ status: 'OVERDUE', overdueAt: AT });
    expect(instructionChange(freeze({ status: 'DISPATCHED' }), d!, 1).caseTotals?.delta.statusCounts).toEqual(
      {
        DISPATCHED: -1,
        OVERDUE: 1,
      },
    );
    expect(decideOverdue(freeze({ status: 'OVERDUE' }), { at: AT, actor })).toBeUndefined();
    expect(decideOverdue(freeze({ status: 'FROZEN' }), { at: AT, actor })).toBeUndefined();
  });

  it('escalates once; the "no answer" path leaves an answered instruction alone', () => {
    const input = { at: AT, reason: 'silent', actor, onlyIfUnanswered: true };
    expect(decideEscalation(freeze({ status: 'OVERDUE' }), input)?.patch).toEqual({
      escalatedAt: AT,
      escalationReason: 'silent',
    });
    expect(decideEscalation(freeze({ status: 'OVERDUE', escalatedAt: AT }), input)).toBeUndefined();
    expect(decideEscalation(freeze({ status: 'FROZEN' }), input)).toBeUndefined();
    expect(
      decideEscalation(freeze({ status: 'FROZEN' }), { ...input, onlyIfUnanswered: false }),
    ).toBeDefined();
  });

  it('a reminder is recorded once, only while OVERDUE', () => {
    expect(decideReminded(freeze({ status: 'OVERDUE' }), { at: AT, actor })?.patch).toEqual({
      remindedAt: AT,
    });
    expect(decideReminded(freeze({ status: 'OVERDUE', remindedAt: AT }), { at: AT, actor })).toBeUndefined();
    expect(decideReminded(freeze({ status: 'FROZEN' }), { at: AT, actor })).toBeUndefined();
  });

  it('a redelivery of an instruction at an end is 409 INSTRUCTION_NOT_REDELIVERABLE', () => {
    const input = { at: AT, redeliverUntil: AT, actor: 'police:PSB-1:u' };
    expect(decideRedelivery(freeze({ status: 'DISPATCH_FAILED' }), input).patch.nextAttemptAt).toBe(AT);
    for (const status of ['FROZEN', 'EXPIRED', 'RELEASED', 'REJECTED'] as const) {
      expect(() => decideRedelivery(freeze({ status }), input)).toThrow(
        expect.objectContaining({ rule: 'INSTRUCTION_NOT_REDELIVERABLE' }),
      );
    }
  });

  it('a notice: delivered clears it; a transient fault retries; a permanent one gives up; another notice is left alone', () => {
    const held = freeze({ status: 'EXPIRED', pendingNotice: notice });
    const base = { deliveryId: notice.deliveryId, now: new Date(AT), actor };
    expect(decideNoticeAttempt(held, base)?.audit[0]?.action).toBe('NOTICE_DELIVERED');
    const retry = decideNoticeAttempt(held, { ...base, failure: { message: '503', transient: true } });
    expect(retry?.patch.pendingNotice).toMatchObject({ attempts: 1 });
    expect(retry?.audit).toEqual([]);
    const given = decideNoticeAttempt(held, { ...base, failure: { message: '410', transient: false } });
    expect(given?.patch.pendingNotice).toBeNull();
    expect(given?.audit[0]?.action).toBe('NOTICE_FAILED');
    expect(decideNoticeAttempt(held, { ...base, deliveryId: 'other' })).toBeUndefined();
  });

  it('a notice attempt claims it only when due: marked in flight; in flight or retried later, not claimed', () => {
    const held = freeze({ status: 'EXPIRED', pendingNotice: notice });
    const input = { deliveryId: notice.deliveryId, now: new Date(AT), inFlightMs: 15_000 };
    const claim = decideNoticeClaim(held, input);
    expect(claim?.patch.pendingNotice).toEqual({ ...notice, nextAttemptAt: '2026-11-20T10:00:15.000Z' });
    const claimed = freeze({ status: 'EXPIRED', pendingNotice: claim?.patch.pendingNotice ?? null });
    expect(decideNoticeClaim(claimed, input), 'in flight').toBeUndefined();
    expect(decideNoticeClaim(claimed, { ...input, now: new Date('2026-11-20T10:00:15.000Z') })).toBeDefined();
    expect(decideNoticeClaim(held, { ...input, deliveryId: 'other' })).toBeUndefined();
  });
});
