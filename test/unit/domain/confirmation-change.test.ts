import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { afterTransition } from '../../../functions/domain/change-set.ts';
import {
  decideFreezeConfirmation,
  decideReleaseConfirmation,
  releaseArithmetic,
  type StoredConfirmation,
} from '../../../functions/domain/confirmation-change.ts';
import { StateConflict, ValidationProblem } from '../../../functions/domain/errors.ts';
import { applyTotalsDelta, emptyTotals, everFrozen } from '../../../functions/domain/totals.ts';
import { AT, cny, freeze, hold, releaseOf } from './deciders.ts';

const ctx = { requestHash: 'h1', actor: 'bank:B1:u', at: AT };
const stored = (over: Partial<StoredConfirmation> = {}): StoredConfirmation => ({
  confirmationId: 'K1',
  instructionId: 'C1.O1.0',
  requestHash: 'h1',
  response: { instructionId: 'C1.O1.0', status: 'FROZEN' },
  ...over,
});

describe('decideFreezeConfirmation', () => {
  it('a full freeze of a DISPATCHED instruction: FROZEN, holdUntil from the confirmation, totals, bank held, audit', () => {
    const i = freeze({ status: 'DISPATCHED', dispatchedAt: '2026-11-20T09:59:00.000Z' });
    const c = decideFreezeConfirmation(
      i,
      { confirmationId: 'K1', result: 'ACTIONED', frozen: cny(1_000n) },
      undefined,
      ctx,
    );
    expect(c.answer).toEqual({ statusCode: 201, body: { instructionId: i.instructionId, status: 'FROZEN' } });
    expect(c.transitions).toHaveLength(1);
    const after = afterTransition(c.transitions[0]!);
    expect(after).toMatchObject({
      status: 'FROZEN',
      frozen: cny(1_000n),
      late: false,
      holdUntil: '2026-11-22T10:00:00.000Z',
    });
    expect(c.caseTotals?.delta).toEqual({
      amounts: [{ bucket: 'frozen', amount: cny(1_000n) }],
      statusCounts: { DISPATCHED: -1, FROZEN: 1 },
    });
    expect(c.bankHeld).toEqual([{ bankId: 'B1', amount: cny(1_000n) }]);
    expect(c.bankDay).toMatchObject({ confirmed: 1n, frozen: cny(1_000n), latencySeconds: 60 });
    expect(c.bankDay?.late).toBeUndefined();
    expect(c.confirmation).toMatchObject({
      confirmationId: 'K1',
      fields: { requestHash: 'h1', status: 'FROZEN' },
    });
    expect(c.audit).toEqual([
      { actor: ctx.actor, action: 'CONFIRMATION_RECORDED', subject: 'C1.O1.0:FROZEN:1000' },
    ]);
  });

  it('an OVERDUE instruction is confirmed late: late everywhere, counted in full', () => {
    const c = decideFreezeConfirmation(
      freeze({ status: 'OVERDUE', holdUntil: '2026-11-21T00:00:00.000Z' }),
      { confirmationId: 'K1', result: 'ACTIONED', frozen: cny(400n) },
      undefined,
      ctx,
    );
    expect(afterTransition(c.transitions[0]!)).toMatchObject({
      status: 'PARTIALLY_FROZEN',
      late: true,
      // holdUntil already set at delivery: kept.
      holdUntil: '2026-11-21T00:00:00.000Z',
    });
    expect(c.bankDay?.late).toBe(1n);
    expect(c.audit[0]?.action).toBe('LATE_CONFIRMATION_RECORDED');
  });

  it('onward transfers leave the trail to be followed (followPending)', () => {
    const c = decideFreezeConfirmation(
      freeze({ status: 'DISPATCHED' }),
      {
        confirmationId: 'K1',
        result: 'ACTIONED',
        onwardTransfers: [{ toBankId: 'B2', toAccount: 'A2', amount: cny(500n) }],
      },
      undefined,
      ctx,
    );
    expect(c.transitions[0]?.patch).toMatchObject({ status: 'FUNDS_MOVED', followPending: true });
    expect(c.bankHeld).toEqual([]);
  });

  it('an answered instruction: the same confirmation is a replay (no writes), another one a 409', () => {
    const answered = freeze({ status: 'FROZEN' });
    const confirmation = { confirmationId: 'K1', result: 'ACTIONED' as const, frozen: cny(1_000n) };
    const replay = decideFreezeConfirmation(answered, confirmation, stored(), ctx);
    expect(replay.answer.statusCode).toBe(200);
    expect(replay.transitions).toEqual([]);
    expect(replay.audit).toEqual([]);
    expect(() => decideFreezeConfirmation(answered, confirmation, undefined, ctx)).toThrow(
      expect.objectContaining({ rule: 'INSTRUCTION_NOT_AWAITING_CONFIRMATION' }),
    );
    expect(() =>
      decideFreezeConfirmation(answered, confirmation, stored({ requestHash: 'other' }), ctx),
    ).toThrow(expect.objectContaining({ rule: 'CONFIRMATION_ID_REUSED' }));
    expect(() =>
      decideFreezeConfirmation(answered, confirmation, stored({ instructionId: 'C1.O1.9' }), ctx),
    ).toThrow(expect.objectContaining({ rule: 'CONFIRMATION_ID_REUSED' }));
  });

  it('a body the rules refuse is a 422 before any state is looked at', () => {
    expect(() =>
      decideFreezeConfirmation(
        freeze({ status: 'FROZEN' }),
        { confirmationId: 'K', result: 'ACTIONED', frozen: cny(1_001n) },
        undefined,
        ctx,
      ),
    ).toThrow(ValidationProblem);
  });
});

describe('releaseArithmetic: a confirmed release never takes more than is held', () => {
  it('property: what is left is held − released, never negative; the reservation never goes below 0', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 15n }),
        fc.bigInt({ min: 0n, max: 10n ** 15n }),
        fc.bigInt({ min: 1n, max: 10n ** 15n }),
        fc.bigInt({ min: 1n, max: 10n ** 15n }),
        (frozen, pendingRaw, releaseRaw, releasedRaw) => {
          const pending = pendingRaw % (frozen + 1n);
          const releaseAmount = (releaseRaw % (2n * frozen)) + 1n;
          const released = (releasedRaw % releaseAmount) + 1n;
          const held = hold(frozen, pending);
          if (released > frozen) {
            expect(() => releaseArithmetic(held, releaseAmount, released)).toThrow(StateConflict);
            return;
          }
          const sum = releaseArithmetic(held, releaseAmount, released);
          expect(sum.left).toBe(frozen - released);
          expect(sum.left >= 0n).toBe(true);
          expect(sum.fully).toBe(sum.left === 0n);
          expect(sum.releasedSoFar).toBe(held.released.minor + released);
          expect(sum.releasePending >= 0n && sum.releasePending <= pending).toBe(true);
          // Nothing appears or vanishes: what is left plus what was released is what was held.
          expect(sum.left + released).toBe(frozen);
        },
      ),
    );
  });

  it('refuses a release of more than the hold holds now, or of a hold that ended (409 NOTHING_HELD)', () => {
    expect(() => releaseArithmetic(hold(100n), 200n, 101n)).toThrow(
      expect.objectContaining({ rule: 'NOTHING_HELD' }),
    );
    expect(() => releaseArithmetic(hold(100n, 0n, { status: 'EXPIRED' }), 50n, 50n)).toThrow(
      expect.objectContaining({ rule: 'NOTHING_HELD' }),
    );
  });
});

describe('decideReleaseConfirmation', () => {
  it('a full release: both instructions RELEASED, frozen → restored, the bank holds less, totals still add up', () => {
    const held = hold(1_000n, 1_000n);
    const release = releaseOf(held, 1_000n);
    const c = decideReleaseConfirmation(
      release,
      held,
      { confirmationId: 'K2', released: cny(1_000n) },
      undefined,
      ctx,
    );
    expect(c.transitions.map((t) => afterTransition(t).status)).toEqual(['RELEASED', 'RELEASED']);
    expect(afterTransition(c.transitions[1]!)).toMatchObject({
      frozen: cny(0n),
      released: cny(1_000n),
      releasePending: 0n,
    });
    expect(c.bankHeld).toEqual([{ bankId: 'B1', amount: cny(-1_000n) }]);
    const before = applyTotalsDelta(emptyTotals(), {
      amounts: [{ bucket: 'frozen', amount: cny(1_000n) }],
      statusCounts: { FROZEN: 1 },
    });
    const after = applyTotalsDelta(before, c.caseTotals!.delta);
    expect(everFrozen(after)).toEqual(everFrozen(before));
    expect(after.amounts.restored.get('CNY')).toBe(1_000n);
    expect(after.statusCounts.get('RELEASED')).toBe(1);
  });

  it('a partial release keeps the hold (no status change of it) and lifts only this release’s reservation', () => {
    const held = hold(600n, 500n);
    const c = decideReleaseConfirmation(
      releaseOf(held, 300n),
      held,
      { confirmationId: 'K2', released: cny(200n) },
      undefined,
      ctx,
    );
    expect(c.transitions[1]?.patch.status).toBeUndefined();
    expect(afterTransition(c.transitions[1]!)).toMatchObject({ frozen: cny(400n), releasePending: 200n });
    expect(c.caseTotals?.delta.statusCounts).toEqual({});
  });

  it('422 for an amount above the release or in another currency; 409 for a release already answered', () => {
    const held = hold(600n);
    const release = releaseOf(held, 300n);
    expect(() =>
      decideReleaseConfirmation(release, held, { confirmationId: 'K', released: cny(301n) }, undefined, ctx),
    ).toThrow(ValidationProblem);
    expect(() =>
      decideReleaseConfirmation(
        release,
        held,
        { confirmationId: 'K', released: { currency: 'USD', minor: 1n } },
        undefined,
        ctx,
      ),
    ).toThrow(ValidationProblem);
    expect(() =>
      decideReleaseConfirmation(
        { ...release, status: 'RELEASED' },
        held,
        { confirmationId: 'K', released: cny(1n) },
        undefined,
        ctx,
      ),
    ).toThrow(expect.objectContaining({ rule: 'INSTRUCTION_NOT_AWAITING_CONFIRMATION' }));
    expect(() =>
      decideReleaseConfirmation(
        release,
        undefined,
        { confirmationId: 'K', released: cny(1n) },
        undefined,
        ctx,
      ),
    ).toThrow(expect.objectContaining({ rule: 'NOTHING_HELD' }));
  });
});
