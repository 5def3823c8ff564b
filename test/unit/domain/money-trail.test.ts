import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OnwardTransfer } from '../../../functions/domain/confirmation-rules.ts';
import { money } from '../../../functions/domain/money.ts';
import {
  accountKey,
  DEFAULT_HOP_LIMIT,
  followBudget,
  planFollowOns,
  type ReasonNotFollowed,
  reasonsNotFollowed,
  type TrailContext,
} from '../../../functions/domain/money-trail.ts';

const cny = (minor: bigint) => money('CNY', minor);
const transfer = (toBankId: string, toAccount: string, minor: bigint): OnwardTransfer => ({
  toBankId,
  toAccount,
  amount: cny(minor),
});

const ctx = (fields: Partial<TrailContext> = {}): TrailContext => ({
  parentHop: 1,
  hopLimit: DEFAULT_HOP_LIMIT,
  isTargeted: () => false,
  isBankIntegrated: () => true,
  ...fields,
});

describe('followBudget', () => {
  it('is requested − frozen − cash withdrawn', () => {
    expect(followBudget(cny(12_000n), cny(3_000n), cny(2_000n))).toEqual(cny(7_000n));
    expect(followBudget(cny(12_000n), cny(0n), cny(0n))).toEqual(cny(12_000n));
    expect(followBudget(cny(12_000n), cny(12_000n), cny(0n))).toEqual(cny(0n));
  });

  it('is never negative', () => {
    expect(followBudget(cny(100n), cny(60n), cny(60n))).toEqual(cny(0n));
    expect(followBudget(cny(100n), cny(0n), cny(500n))).toEqual(cny(0n));
  });

  it('refuses mixed currencies', () => {
    expect(() => followBudget(cny(100n), money('USD', 1n), cny(0n))).toThrow(RangeError);
  });

  it('property: max(0, requested − frozen − cash)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 18n }),
        fc.bigInt({ min: 0n, max: 10n ** 18n }),
        fc.bigInt({ min: 0n, max: 10n ** 18n }),
        (r, f, c) => {
          const budget = followBudget(cny(r), cny(f), cny(c));
          expect(budget.currency).toBe('CNY');
          expect(budget.minor).toBe(r - f - c > 0n ? r - f - c : 0n);
        },
      ),
    );
  });
});

describe('planFollowOns', () => {
  it('the default hop limit is 6 and the reasons are those of docs/api.md', () => {
    expect(DEFAULT_HOP_LIMIT).toBe(6);
    expect(reasonsNotFollowed).toEqual([
      'ALREADY_TARGETED',
      'BANK_NOT_INTEGRATED',
      'BUDGET_SPENT',
      'HOP_LIMIT',
    ]);
  });

  it('follows transfers in order for min(transfer, budget left)', () => {
    const steps = planFollowOns(
      cny(100n),
      [transfer('B2', 'a', 60n), transfer('B2', 'b', 60n), transfer('B3', 'c', 10n)],
      ctx(),
    );
    expect(steps.map((s) => s.transferIndex)).toEqual([0, 1, 2]);
    expect(steps[0]).toMatchObject({ followOnAmount: cny(60n) });
    expect(steps[1]).toMatchObject({ followOnAmount: cny(40n) });
    expect(steps[2]).toMatchObject({ reasonNotFollowed: 'BUDGET_SPENT' });
    expect(steps[2]?.followOnAmount).toBeUndefined();
    expect(steps[0]?.reasonNotFollowed).toBeUndefined();
  });

  it('keeps the transfer on each step (the edge is recorded either way)', () => {
    const transfers = [transfer('B2', 'a', 60n), transfer('B9', 'b', 60n)];
    const steps = planFollowOns(cny(100n), transfers, ctx({ isBankIntegrated: (b) => b === 'B2' }));
    expect(steps.map((s) => s.transfer)).toEqual(transfers);
  });

  it('no transfers → no steps', () => {
    expect(planFollowOns(cny(100n), [], ctx())).toEqual([]);
  });

  it('ALREADY_TARGETED: an account already targeted in the case', () => {
    const steps = planFollowOns(
      cny(100n),
      [transfer('B2', 'a', 10n), transfer('B2', 'b', 10n)],
      ctx({ isTargeted: (bank, account) => bank === 'B2' && account === 'a' }),
    );
    expect(steps.map((s) => s.reasonNotFollowed)).toEqual(['ALREADY_TARGETED', undefined]);
    expect(steps[1]?.followOnAmount).toEqual(cny(10n));
  });

  it('ALREADY_TARGETED: a second transfer to the same new account in one confirmation', () => {
    const steps = planFollowOns(
      cny(100n),
      [transfer('B2', 'a', 10n), transfer('B2', 'a', 20n), transfer('B3', 'a', 5n)],
      ctx(),
    );
    expect(steps.map((s) => s.reasonNotFollowed)).toEqual([undefined, 'ALREADY_TARGETED', undefined]);
    expect(steps.map((s) => s.followOnAmount?.minor)).toEqual([10n, undefined, 5n]);
  });

  it('BANK_NOT_INTEGRATED: the bank is not registered', () => {
    const steps = planFollowOns(
      cny(100n),
      [transfer('B404', 'a', 10n), transfer('B2', 'b', 10n)],
      ctx({ isBankIntegrated: (b) => b !== 'B404' }),
    );
    expect(steps.map((s) => s.reasonNotFollowed)).toEqual(['BANK_NOT_INTEGRATED', undefined]);
  });

  it('an unfollowed transfer spends no budget', () => {
    const steps = planFollowOns(
      cny(50n),
      [transfer('B404', 'a', 50n), transfer('B2', 'b', 50n)],
      ctx({ isBankIntegrated: (b) => b !== 'B404' }),
    );
    expect(steps[1]?.followOnAmount).toEqual(cny(50n));
  });

  it('HOP_LIMIT when parentHop + 1 > hopLimit', () => {
    const t = [transfer('B2', 'a', 10n)];
    expect(planFollowOns(cny(100n), t, ctx({ parentHop: 5, hopLimit: 6 }))[0]?.followOnAmount).toEqual(
      cny(10n),
    );
    expect(planFollowOns(cny(100n), t, ctx({ parentHop: 6, hopLimit: 6 }))[0]?.reasonNotFollowed).toBe(
      'HOP_LIMIT',
    );
    expect(planFollowOns(cny(100n), t, ctx({ parentHop: 1, hopLimit: 1 }))[0]?.reasonNotFollowed).toBe(
      'HOP_LIMIT',
    );
    expect(planFollowOns(cny(100n), t, ctx({ parentHop: 1, hopLimit: 2 }))[0]?.followOnAmount).toEqual(
      cny(10n),
    );
  });

  it('BUDGET_SPENT when the budget is 0 from the start', () => {
    const steps = planFollowOns(cny(0n), [transfer('B2', 'a', 10n)], ctx());
    expect(steps[0]?.reasonNotFollowed).toBe('BUDGET_SPENT');
  });

  it('BUDGET_SPENT exactly when the earlier follow-ons used it all', () => {
    const steps = planFollowOns(cny(30n), [transfer('B2', 'a', 30n), transfer('B2', 'b', 1n)], ctx());
    expect(steps.map((s) => s.reasonNotFollowed)).toEqual([undefined, 'BUDGET_SPENT']);
  });

  it('reasons take the order of docs/api.md: already targeted, bank not registered, budget spent, hop limit', () => {
    const t = [transfer('B2', 'a', 10n)];
    const everything = { isTargeted: () => true, isBankIntegrated: () => false, parentHop: 6, hopLimit: 6 };
    expect(planFollowOns(cny(0n), t, ctx(everything))[0]?.reasonNotFollowed).toBe('ALREADY_TARGETED');
    expect(
      planFollowOns(cny(0n), t, ctx({ ...everything, isTargeted: () => false }))[0]?.reasonNotFollowed,
    ).toBe('BANK_NOT_INTEGRATED');
    expect(
      planFollowOns(
        cny(0n),
        t,
        ctx({ ...everything, isTargeted: () => false, isBankIntegrated: () => true }),
      )[0]?.reasonNotFollowed,
    ).toBe('BUDGET_SPENT');
    expect(
      planFollowOns(
        cny(100n),
        t,
        ctx({ ...everything, isTargeted: () => false, isBankIntegrated: () => true }),
      )[0]?.reasonNotFollowed,
    ).toBe('HOP_LIMIT');
  });

  it('accountKey is bank/account', () => {
    expect(accountKey('B2', '6222')).toBe('B2/6222');
  });
});

/** docs/api.md "Follow the money", written out independently as the reference model. */
function referencePlan(
  budget: bigint,
  transfers: { bank: string; account: string; amount: bigint }[],
  targeted: ReadonlySet<string>,
  integrated: ReadonlySet<string>,
  parentHop: number,
  hopLimit: number,
): { follow?: bigint; reason?: ReasonNotFollowed }[] {
  let left = budget;
  const seen = new Set(targeted);
  return transfers.map(({ bank, account, amount }) => {
    const key = `${bank}/${account}`;
    if (seen.has(key)) return { reason: 'ALREADY_TARGETED' };
    if (!integrated.has(bank)) return { reason: 'BANK_NOT_INTEGRATED' };
    if (left <= 0n) return { reason: 'BUDGET_SPENT' };
    if (parentHop + 1 > hopLimit) return { reason: 'HOP_LIMIT' };
    const follow = amount < left ? amount : left;
    left -= follow;
    seen.add(key);
    return { follow };
  });
}

describe('planFollowOns properties', () => {
  const banks = ['B1', 'B2', 'B3', 'B4'];
  const accounts = ['a', 'b', 'c', 'd', 'e'];
  const scenario = fc.record({
    budget: fc.oneof(
      fc.constant(0n),
      fc.bigInt({ min: 0n, max: 5_000n }),
      fc.bigInt({ min: 0n, max: 10n ** 18n }),
    ),
    transfers: fc.array(
      fc.record({
        bank: fc.constantFrom(...banks),
        account: fc.constantFrom(...accounts),
        amount: fc.oneof(fc.bigInt({ min: 1n, max: 2_000n }), fc.bigInt({ min: 1n, max: 10n ** 18n })),
      }),
      { maxLength: 25 },
    ),
    targeted: fc.uniqueArray(
      fc.tuple(fc.constantFrom(...banks), fc.constantFrom(...accounts)).map(([b, a]) => `${b}/${a}`),
      { maxLength: 6 },
    ),
    integrated: fc.subarray(banks),
    parentHop: fc.integer({ min: 1, max: 8 }),
    hopLimit: fc.constantFrom(DEFAULT_HOP_LIMIT, 1, 3),
  });

  type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;
  const run = (s: Scenario) => {
    const targeted = new Set(s.targeted);
    const integrated = new Set(s.integrated);
    const transfers = s.transfers.map((t) => transfer(t.bank, t.account, t.amount));
    const steps = planFollowOns(cny(s.budget), transfers, {
      parentHop: s.parentHop,
      hopLimit: s.hopLimit,
      isTargeted: (b, a) => targeted.has(`${b}/${a}`),
      isBankIntegrated: (b) => integrated.has(b),
    });
    return { steps, transfers, targeted, integrated };
  };

  it('agrees with the docs/api.md reference model, step by step', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { steps, targeted, integrated } = run(s);
        const expected = referencePlan(s.budget, s.transfers, targeted, integrated, s.parentHop, s.hopLimit);
        expect(
          steps.map((st) => ({ follow: st.followOnAmount?.minor, reason: st.reasonNotFollowed })),
        ).toEqual(expected.map((e) => ({ follow: e.follow, reason: e.reason })));
      }),
      { numRuns: 500 },
    );
  });

  it('the sum of follow-ons never exceeds the budget; each is > 0 and ≤ its transfer', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { steps, transfers } = run(s);
        let sum = 0n;
        for (const step of steps) {
          const followed = step.followOnAmount !== undefined;
          expect(followed).toBe(step.reasonNotFollowed === undefined);
          if (step.followOnAmount) {
            expect(step.followOnAmount.currency).toBe('CNY');
            expect(step.followOnAmount.minor > 0n).toBe(true);
            expect(step.followOnAmount.minor <= step.transfer.amount.minor).toBe(true);
            sum += step.followOnAmount.minor;
          }
        }
        expect(sum <= s.budget).toBe(true);
        expect(steps.length).toBe(transfers.length);
        steps.forEach((step, i) => {
          expect(step.transferIndex).toBe(i);
          expect(step.transfer).toBe(transfers[i]);
        });
      }),
      { numRuns: 500 },
    );
  });

  it('transfers are taken in order: a later one is followed only if budget is left after the earlier ones', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { steps } = run(s);
        let spent = 0n;
        for (const step of steps) {
          if (step.followOnAmount) {
            expect(spent < s.budget).toBe(true);
            // A follow-on is cut short only when it takes the last of the budget.
            if (step.followOnAmount.minor < step.transfer.amount.minor) {
              expect(spent + step.followOnAmount.minor).toBe(s.budget);
            }
            spent += step.followOnAmount.minor;
          }
          if (step.reasonNotFollowed === 'BUDGET_SPENT') expect(spent).toBe(s.budget);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never follows an already-targeted account, nor the same new account twice', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { steps, targeted } = run(s);
        const followed = steps
          .filter((st) => st.followOnAmount)
          .map((st) => accountKey(st.transfer.toBankId, st.transfer.toAccount));
        expect(new Set(followed).size).toBe(followed.length);
        for (const key of followed) expect(targeted.has(key)).toBe(false);
        for (const st of steps) {
          if (targeted.has(accountKey(st.transfer.toBankId, st.transfer.toAccount))) {
            expect(st.reasonNotFollowed).toBe('ALREADY_TARGETED');
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('past the hop limit nothing is followed; a bank not registered is never followed', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { steps, integrated } = run(s);
        for (const st of steps) {
          if (st.followOnAmount) {
            expect(s.parentHop + 1 <= s.hopLimit).toBe(true);
            expect(integrated.has(st.transfer.toBankId)).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
