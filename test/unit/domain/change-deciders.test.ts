import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  afterTransition,
  instructionChange,
  noChange,
  transition,
  writesNothing,
} from '../../../functions/domain/change-set.ts';
import { decideFollowOns } from '../../../functions/domain/follow-ons.ts';
import {
  checkHoldLimit,
  decideFreezeOrder,
  MAX_HOLDS_PER_ACCOUNT,
} from '../../../functions/domain/freeze-order.ts';
import { decideExpiry, decideExtension } from '../../../functions/domain/hold-change.ts';
import {
  canTransitionFor,
  IllegalTransition,
  type InstructionStatus,
  instructionStatuses,
} from '../../../functions/domain/instruction-lifecycle.ts';
import { applyTotalsDelta, emptyTotals, everFrozen } from '../../../functions/domain/totals.ts';
import { AT, cny, freeze, hold } from './deciders.ts';

describe('transition: the one way a change set carries a status', () => {
  it('property: a status change is accepted exactly when the lifecycle of its kind allows it', () => {
    const status = fc.constantFrom(...instructionStatuses);
    fc.assert(
      fc.property(
        status,
        status,
        fc.constantFrom('FREEZE' as const, 'RELEASE' as const),
        (from, to, kind) => {
          const before = freeze({ kind, status: from });
          const attempt = () => transition(before, { status: to });
          if (from === to || canTransitionFor(kind, from, to)) expect(attempt().patch.status).toBe(to);
          else expect(attempt).toThrow(IllegalTransition);
        },
      ),
    );
  });

  it('instructionChange counts a freeze instruction’s status change in the totals, never a release’s', () => {
    const decision = { patch: { status: 'OVERDUE' as InstructionStatus }, audit: [] };
    expect(
      instructionChange(freeze({ status: 'DISPATCHED' }), decision, 1).caseTotals?.delta.statusCounts,
    ).toEqual({
      DISPATCHED: -1,
      OVERDUE: 1,
    });
    expect(
      instructionChange(freeze({ kind: 'RELEASE', status: 'DISPATCHED' }), decision, 1).caseTotals,
    ).toBeUndefined();
    expect(
      instructionChange(freeze(), { patch: { remindedAt: AT }, audit: [] }, 1).caseTotals,
    ).toBeUndefined();
    expect(() => instructionChange(freeze({ status: 'FROZEN' }), decision, 1)).toThrow(IllegalTransition);
  });

  it('noChange writes nothing', () => {
    expect(writesNothing(noChange('x'))).toBe(true);
    expect(writesNothing(instructionChange(freeze(), { patch: {}, audit: [] }, 1))).toBe(false);
  });
});

describe('decideFreezeOrder and the hold limit', () => {
  const targets = [
    { bankId: 'B1', accountNumber: 'A1', amount: cny(100n) },
    { bankId: 'B2', accountNumber: 'A2', amount: cny(200n) },
  ];
  it('one PENDING instruction per target at hop 1, the order, PENDING counts, hop counts, answer 202', () => {
    const c = decideFreezeOrder({
      fraudCase: { caseId: 'C1', agencyId: 'PSB-1' },
      orderId: 'C1.O1',
      submittedAt: AT,
      actor: 'police:PSB-1:u',
      legalBasis: freeze().legalBasis,
      holdHours: 12,
      targets,
      idempotency: { callerScope: 's', key: 'k', hash: 'h' },
    });
    expect(
      c.created.map((n) => [n.instruction.instructionId, n.instruction.status, n.instruction.hop, n.account]),
    ).toEqual([
      ['C1.O1.1', 'PENDING', 1, 'holdLimit'],
      ['C1.O1.2', 'PENDING', 1, 'holdLimit'],
    ]);
    expect(c.order?.instructionIds).toEqual(['C1.O1.1', 'C1.O1.2']);
    expect(c.caseTotals).toEqual({
      delta: { amounts: [], statusCounts: { PENDING: 2 } },
      newInstructionHops: [1, 1],
    });
    expect(c.idempotency?.response).toEqual({ statusCode: 202, body: c.answer });
    expect(c.answer.instructions.map((i) => i.amount)).toEqual(
      [cny(100n), cny(200n)].map((m) => ({ ...m, minor: String(m.minor) })),
    );
  });

  it('409 MAX_HOLDS_PER_ACCOUNT for an account held the most times already, naming it', () => {
    expect(() => checkHoldLimit(targets, new Map([['B1/A1', MAX_HOLDS_PER_ACCOUNT - 1]]))).not.toThrow();
    expect(() => checkHoldLimit(targets, new Map([['B2/A2', MAX_HOLDS_PER_ACCOUNT]]))).toThrow(
      expect.objectContaining({ rule: 'MAX_HOLDS_PER_ACCOUNT', message: expect.stringContaining('B2/A2') }),
    );
  });
});

describe('decideFollowOns', () => {
  const parent = freeze({ status: 'PARTIALLY_FROZEN', frozen: cny(300n), confirmedAt: AT });
  const state = {
    targeted: new Set(['B3/A3']),
    integrated: new Set(['B2', 'B3']),
    hopLimit: 6,
    at: AT,
    recordedEdges: [],
  };
  it('follows each transfer for what the budget allows, records every edge, resolves the parent once', () => {
    const c = decideFollowOns(
      parent,
      [
        { toBankId: 'B2', toAccount: 'A2', amount: cny(500n) },
        { toBankId: 'B3', toAccount: 'A3', amount: cny(100n) },
        { toBankId: 'B9', toAccount: 'A9', amount: cny(100n) },
      ],
      state,
    );
    expect(c.answer.followOns.map((f) => [f.instructionId, f.requested.minor, f.hop])).toEqual([
      ['C1.O1.0-1', 500n, 2],
    ]);
    expect(c.edges.map((e) => e.reasonNotFollowed ?? 'followed')).toEqual([
      'followed',
      'ALREADY_TARGETED',
      'BANK_NOT_INTEGRATED',
    ]);
    expect(c.created.every((n) => n.account === 'firstTarget')).toBe(true);
    expect(afterTransition(c.transitions[0]!)).toMatchObject({ trailResolvedAt: AT, followPending: false });
    expect(c.caseTotals?.delta.statusCounts).toEqual({ PENDING: 1 });
  });

  it('a resolved trail changes nothing and answers the edges recorded then', () => {
    const c = decideFollowOns(
      { ...parent, trailResolvedAt: AT },
      [{ toBankId: 'B2', toAccount: 'A2', amount: cny(5n) }],
      state,
    );
    expect(writesNothing(c)).toBe(true);
    expect(c.answer.createdNow).toBe(false);
  });

  it('property: the follow-ons never ask for more than the budget (requested − frozen − cash withdrawn)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 1n, max: 2_000n }), { maxLength: 10 }),
        fc.bigInt({ min: 0n, max: 1_000n }),
        (amounts, frozen) => {
          const p = freeze({ status: frozen > 0n ? 'PARTIALLY_FROZEN' : 'FUNDS_MOVED', frozen: cny(frozen) });
          const transfers = amounts.map((minor, i) => ({
            toBankId: 'B2',
            toAccount: `X${i}`,
            amount: cny(minor),
          }));
          const c = decideFollowOns(p, transfers, { ...state, targeted: new Set() });
          const asked = c.answer.followOns.reduce((sum, f) => sum + f.requested.minor, 0n);
          expect(asked <= 1_000n - frozen).toBe(true);
        },
      ),
    );
  });
});

describe('decideExtension and decideExpiry', () => {
  const idempotency = { callerScope: 's', key: 'k', hash: 'h', response: { statusCode: 200, body: {} } };
  const extend = (current = hold(1_000n), holdUntil = '2026-11-25T10:00:00.000Z') =>
    decideExtension(current, {
      holdUntil,
      holdHours: 100,
      legalBasis: current.legalBasis,
      at: AT,
      actor: 'police:PSB-1:u',
      notice: undefined,
      idempotency,
    });
  it('an extension sets holdUntil, says whether it shortens, and stores the answer; only a hold (409)', () => {
    expect(extend().patch).toMatchObject({ holdUntil: '2026-11-25T10:00:00.000Z', holdHours: 100 });
    expect(extend().shortened).toBe(false);
    expect(extend(hold(1_000n), '2026-11-21T00:00:00.000Z').shortened).toBe(true);
    expect(extend().with?.idempotency).toBe(idempotency);
    expect(() => extend(freeze({ status: 'EXPIRED' }))).toThrow(
      expect.objectContaining({ rule: 'HOLD_NOT_ACTIVE' }),
    );
  });

  const expire = (current: ReturnType<typeof hold>, now: string, releaseLive = false) =>
    decideExpiry(current, {
      now: new Date(now),
      releaseLive,
      seenReleasePending: current.releasePending,
      notice: undefined,
      actor: 'system:hold-timer',
    });
  it('a lapsed hold expires: frozen → expired, the bank holds less, ever-frozen unchanged', () => {
    const held = hold(400n, 100n);
    const d = expire(held, '2026-11-23T00:00:00.000Z');
    expect(d?.patch).toMatchObject({
      status: 'EXPIRED',
      frozen: cny(0n),
      expired: cny(400n),
      releasePending: 0n,
    });
    expect(d?.with?.bankHeld).toEqual([{ bankId: 'B1', amount: cny(-400n) }]);
    const before = applyTotalsDelta(emptyTotals(), {
      amounts: [{ bucket: 'frozen', amount: cny(400n) }],
      statusCounts: {},
    });
    expect(everFrozen(applyTotalsDelta(before, d!.totals!))).toEqual(everFrozen(before));
  });

  it('nothing to expire before holdUntil, off a hold, while a live release decides, or after a release moved', () => {
    expect(expire(hold(400n), '2026-11-21T00:00:00.000Z')).toBeUndefined();
    expect(expire(hold(400n, 0n, { status: 'RELEASED' }), '2026-11-23T00:00:00.000Z')).toBeUndefined();
    expect(expire(hold(400n, 100n), '2026-11-23T00:00:00.000Z', true)).toBeUndefined();
    const moved = decideExpiry(hold(400n, 100n), {
      now: new Date('2026-11-23T00:00:00.000Z'),
      releaseLive: false,
      seenReleasePending: 0n,
      notice: undefined,
      actor: 'system:hold-timer',
    });
    expect(moved).toBeUndefined();
  });
});
