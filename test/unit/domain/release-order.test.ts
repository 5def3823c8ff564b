import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { afterTransition } from '../../../functions/domain/change-set.ts';
import { decideReleaseConfirmation } from '../../../functions/domain/confirmation-change.ts';
import type { StopPaymentInstruction } from '../../../functions/domain/entities.ts';
import { StateConflict, ValidationProblem } from '../../../functions/domain/errors.ts';
import {
  checkReleaseTarget,
  decideReleaseOrder,
  releasable,
} from '../../../functions/domain/release-order.ts';
import { AT, cny, freeze, hold } from './deciders.ts';

const order = (held: StopPaymentInstruction, minor: bigint, releaseId = 'C1.R1') =>
  decideReleaseOrder({
    held,
    releaseId,
    amount: cny(minor),
    disposition: 'RELEASE_TO_HOLDER',
    authority: { kind: 'court', reference: 'CRT-1', issuedBy: 'court', issuedAt: AT },
    actor: 'police:PSB-1:u',
    at: AT,
    idempotency: { callerScope: 'police:PSB-1:u', key: 'k', hash: 'h' },
  });

describe('decideReleaseOrder', () => {
  it('reserves the amount on the hold and creates the RELEASE instruction with the idempotent answer', () => {
    const c = order(hold(1_000n, 200n), 300n);
    expect(c.transitions[0]?.patch).toEqual({ releasePending: 500n });
    expect(c.created).toHaveLength(1);
    expect(c.created[0]).toMatchObject({
      account: 'none',
      instruction: {
        kind: 'RELEASE',
        status: 'PENDING',
        requested: cny(300n),
        releasesInstructionId: 'C1.O1.0',
      },
    });
    expect(c.idempotency?.response).toEqual({ statusCode: 202, body: c.answer });
    expect(c.audit[0]?.action).toBe('RELEASE_ORDERED');
  });

  it('409 RELEASE_EXCEEDS_HOLD past what is held and not already being released; 409 NOTHING_HELD off a hold', () => {
    expect(() => order(hold(1_000n, 800n), 201n)).toThrow(
      expect.objectContaining({ rule: 'RELEASE_EXCEEDS_HOLD' }),
    );
    expect(order(hold(1_000n, 800n), 200n).transitions[0]?.patch.releasePending).toBe(1_000n);
    expect(() => order(freeze({ status: 'FUNDS_MOVED' }), 1n)).toThrow(
      expect.objectContaining({ rule: 'NOTHING_HELD' }),
    );
  });

  it('422 for an instruction of another case, a release, or another currency', () => {
    expect(() => checkReleaseTarget(undefined, 'C1', cny(1n))).toThrow(ValidationProblem);
    expect(() => checkReleaseTarget(hold(10n), 'C2', cny(1n))).toThrow(ValidationProblem);
    expect(() => checkReleaseTarget(hold(10n, 0n, { kind: 'RELEASE' }), 'C1', cny(1n))).toThrow(
      ValidationProblem,
    );
    expect(() => checkReleaseTarget(hold(10n), 'C1', { currency: 'USD', minor: 1n })).toThrow(
      ValidationProblem,
    );
  });

  it('property: any sequence of orders and confirmations never releases or reserves more than is held', () => {
    const step = fc.oneof(
      fc.record({ op: fc.constant('order' as const), minor: fc.bigInt({ min: 1n, max: 1_500n }) }),
      fc.record({ op: fc.constant('confirm' as const), share: fc.integer({ min: 1, max: 100 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        let held = hold(1_000n);
        const open: bigint[] = [];
        let releasedTotal = 0n;
        for (const s of steps) {
          if (s.op === 'order') {
            try {
              held = afterTransition(order(held, s.minor).transitions[0]!);
              open.push(s.minor);
            } catch (error) {
              expect(error).toBeInstanceOf(StateConflict);
              expect(s.minor > releasable(held) || held.status === 'RELEASED').toBe(true);
            }
          } else {
            const amount = open.shift();
            if (amount === undefined) continue;
            const released = (amount * BigInt(s.share) + 99n) / 100n;
            const release = freeze({
              kind: 'RELEASE',
              instructionId: `C1.R${releasedTotal}`,
              requested: cny(amount),
              releasesInstructionId: held.instructionId,
              disposition: 'RELEASE_TO_HOLDER',
              status: 'DISPATCHED',
            });
            const c = decideReleaseConfirmation(
              release,
              held,
              { confirmationId: 'K', released: cny(released) },
              undefined,
              {
                requestHash: 'h',
                actor: 'bank:B1:u',
                at: AT,
              },
            );
            held = afterTransition(c.transitions[1]!);
            releasedTotal += released;
          }
          expect(held.frozen.minor >= 0n).toBe(true);
          expect(held.releasePending <= held.frozen.minor).toBe(true);
          expect(held.frozen.minor + releasedTotal).toBe(1_000n);
        }
      }),
    );
  });
});
