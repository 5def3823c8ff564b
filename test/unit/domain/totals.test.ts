import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canTransition, type InstructionStatus } from '../../../functions/domain/instruction-lifecycle.ts';
import { type Money, money } from '../../../functions/domain/money.ts';
import {
  applyTotalsDelta,
  type CaseTotalsState,
  confirmationDelta,
  emptyTotals,
  everFrozen,
  expiryDelta,
  instructionsCreatedDelta,
  type ReleaseDisposition,
  releaseDelta,
  statusChangeDelta,
  type TotalsBucket,
  type TotalsDelta,
  totalsBuckets,
} from '../../../functions/domain/totals.ts';

/** A Map as a plain object without zero entries, keys sorted: what the API would list. */
function nonZero<K extends string, V extends bigint | number>(map: ReadonlyMap<K, V>): Record<string, V> {
  return Object.fromEntries(
    [...map.entries()].filter(([, v]) => v !== 0n && v !== 0).sort(([a], [b]) => a.localeCompare(b)),
  );
}
const applyAll = (deltas: readonly TotalsDelta[], from: CaseTotalsState = emptyTotals()) =>
  deltas.reduce(applyTotalsDelta, from);

describe('deltas', () => {
  it('new instructions enter as PENDING', () => {
    const state = applyAll([instructionsCreatedDelta(3), instructionsCreatedDelta(2)]);
    expect(nonZero(state.statusCounts)).toEqual({ PENDING: 5 });
    expect(nonZero(everFrozen(state))).toEqual({});
  });

  it('a status change moves one count', () => {
    const state = applyAll([instructionsCreatedDelta(2), statusChangeDelta('PENDING', 'DISPATCHED')]);
    expect(nonZero(state.statusCounts)).toEqual({ PENDING: 1, DISPATCHED: 1 });
  });

  it('a status change to the same status changes nothing', () => {
    expect(statusChangeDelta('OVERDUE', 'OVERDUE')).toEqual({ amounts: [], statusCounts: {} });
  });

  it('a confirmation adds the frozen amount to frozen', () => {
    const delta = confirmationDelta('DISPATCHED', 'PARTIALLY_FROZEN', money('CNY', 4_000n));
    expect(delta).toEqual({
      amounts: [{ bucket: 'frozen', amount: money('CNY', 4_000n) }],
      statusCounts: { DISPATCHED: -1, PARTIALLY_FROZEN: 1 },
    });
  });

  it('a confirmation with nothing frozen adds no amount', () => {
    expect(confirmationDelta('OVERDUE', 'FUNDS_MOVED', money('CNY', 0n)).amounts).toEqual([]);
  });

  it('an expiry moves what is still held from frozen to expired', () => {
    const state = applyAll([
      instructionsCreatedDelta(1),
      confirmationDelta('PENDING', 'FROZEN', money('JPY', 500n)),
      expiryDelta('FROZEN', money('JPY', 500n)),
    ]);
    expect(nonZero(state.amounts.frozen)).toEqual({});
    expect(nonZero(state.amounts.expired)).toEqual({ JPY: 500n });
    expect(nonZero(state.statusCounts)).toEqual({ EXPIRED: 1 });
  });

  it.each([
    ['RETURN_TO_VICTIM', 'restored'],
    ['RELEASE_TO_HOLDER', 'released'],
  ] as const)('a release %s goes to %s', (disposition, bucket) => {
    const state = applyAll([
      instructionsCreatedDelta(1),
      confirmationDelta('PENDING', 'FROZEN', money('KWD', 1_000n)),
      releaseDelta('FROZEN', money('KWD', 400n), disposition, false),
    ]);
    expect(nonZero(state.amounts.frozen)).toEqual({ KWD: 600n });
    expect(nonZero(state.amounts[bucket])).toEqual({ KWD: 400n });
    expect(nonZero(state.statusCounts)).toEqual({ FROZEN: 1 });
    const all = applyTotalsDelta(state, releaseDelta('FROZEN', money('KWD', 600n), disposition, true));
    expect(nonZero(all.amounts.frozen)).toEqual({});
    expect(nonZero(all.amounts[bucket])).toEqual({ KWD: 1_000n });
    expect(nonZero(all.statusCounts)).toEqual({ RELEASED: 1 });
  });

  it('applyTotalsDelta does not mutate the state it is given', () => {
    const before = applyAll([instructionsCreatedDelta(1)]);
    const snapshot = { counts: nonZero(before.statusCounts), frozen: nonZero(before.amounts.frozen) };
    applyTotalsDelta(before, confirmationDelta('PENDING', 'FROZEN', money('CNY', 5n)));
    expect({ counts: nonZero(before.statusCounts), frozen: nonZero(before.amounts.frozen) }).toEqual(
      snapshot,
    );
  });

  it('keeps currencies apart', () => {
    const state = applyAll([
      instructionsCreatedDelta(2),
      confirmationDelta('PENDING', 'FROZEN', money('CNY', 5n)),
      confirmationDelta('PENDING', 'FROZEN', money('USD', 7n)),
    ]);
    expect(nonZero(state.amounts.frozen)).toEqual({ CNY: 5n, USD: 7n });
    expect(nonZero(everFrozen(state))).toEqual({ CNY: 5n, USD: 7n });
    expect(totalsBuckets).toEqual(['frozen', 'expired', 'released', 'restored']);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: consistent stories of instructions (only release/expire what is held).

type Outcome =
  | { kind: 'waiting' }
  | { kind: 'failed' }
  | { kind: 'closed'; status: 'FUNDS_MOVED' | 'CASH_WITHDRAWN' | 'ACCOUNT_NOT_FOUND' | 'REJECTED' }
  | {
      kind: 'held';
      frozen: bigint;
      releases: { amount: bigint; disposition: ReleaseDisposition }[];
      end: 'stay' | 'expire' | { releaseAll: ReleaseDisposition };
    };

interface Story {
  currency: string;
  requested: bigint;
  dispatched: boolean;
  overdue: boolean;
  outcome: Outcome;
}

interface Event {
  instruction: number;
  delta: TotalsDelta;
  /** The amount a bank's confirmation froze (for the "ever frozen" invariant). */
  confirmedFrozen?: Money;
  created?: true;
}

interface Expected {
  events: Event[][];
  finalStatuses: InstructionStatus[];
  buckets: Record<TotalsBucket, Map<string, bigint>>;
  confirmed: Map<string, bigint>;
}

const disposition = fc.constantFrom<ReleaseDisposition>('RETURN_TO_VICTIM', 'RELEASE_TO_HOLDER');

const storyArb: fc.Arbitrary<Story> = fc
  .record({
    currency: fc.constantFrom('CNY', 'JPY', 'KWD'),
    requested: fc.oneof(fc.bigInt({ min: 1n, max: 1_000n }), fc.bigInt({ min: 1n, max: 10n ** 17n })),
    dispatched: fc.boolean(),
    overdue: fc.boolean(),
  })
  .chain((base) => {
    const held = fc.record({
      kind: fc.constant('held' as const),
      frozen: fc.oneof(fc.constant(base.requested), fc.bigInt({ min: 1n, max: base.requested })),
      releases: fc.array(fc.record({ amount: fc.bigInt({ min: 1n, max: base.requested }), disposition }), {
        maxLength: 4,
      }),
      end: fc.oneof(
        fc.constant('stay' as const),
        fc.constant('expire' as const),
        disposition.map((d) => ({ releaseAll: d })),
      ),
    });
    const outcome: fc.Arbitrary<Outcome> = fc.oneof(
      { arbitrary: held, weight: 4 },
      fc.constant({ kind: 'waiting' as const }),
      fc.constant({ kind: 'failed' as const }),
      fc
        .constantFrom('FUNDS_MOVED', 'CASH_WITHDRAWN', 'ACCOUNT_NOT_FOUND', 'REJECTED' as const)
        .map((status) => ({ kind: 'closed' as const, status })),
    );
    return outcome.map((o) => ({ ...base, outcome: o }));
  });

/** Turns stories into each instruction's deltas, in lifecycle order, and what the totals must be. */
function play(stories: readonly Story[]): Expected {
  const buckets: Expected['buckets'] = {
    frozen: new Map(),
    expired: new Map(),
    released: new Map(),
    restored: new Map(),
  };
  const bump = (bucket: TotalsBucket, currency: string, minor: bigint) =>
    buckets[bucket].set(currency, (buckets[bucket].get(currency) ?? 0n) + minor);
  const confirmed = new Map<string, bigint>();
  const finalStatuses: InstructionStatus[] = [];

  const events = stories.map((story, instruction) => {
    const list: Event[] = [{ instruction, delta: instructionsCreatedDelta(1), created: true }];
    let status: InstructionStatus = 'PENDING';
    const move = (to: InstructionStatus, delta: TotalsDelta, extra: Partial<Event> = {}) => {
      expect(canTransition(status, to), `${status} → ${to}`).toBe(true);
      list.push({ instruction, delta, ...extra });
      status = to;
    };
    if (story.dispatched) move('DISPATCHED', statusChangeDelta(status, 'DISPATCHED'));
    const { outcome, currency } = story;
    if (outcome.kind === 'failed' && !story.overdue)
      move('DISPATCH_FAILED', statusChangeDelta(status, 'DISPATCH_FAILED'));
    else if (story.overdue) move('OVERDUE', statusChangeDelta(status, 'OVERDUE'));

    if (outcome.kind === 'closed') {
      move(outcome.status, confirmationDelta(status, outcome.status, money(currency, 0n)), {
        confirmedFrozen: money(currency, 0n),
      });
    } else if (outcome.kind === 'held') {
      const to = outcome.frozen === story.requested ? 'FROZEN' : 'PARTIALLY_FROZEN';
      const frozen = money(currency, outcome.frozen);
      move(to, confirmationDelta(status, to, frozen), { confirmedFrozen: frozen });
      confirmed.set(currency, (confirmed.get(currency) ?? 0n) + outcome.frozen);
      let held = outcome.frozen;
      for (const release of outcome.releases) {
        if (held === 0n) break;
        const amount = release.amount < held ? release.amount : held;
        const full = amount === held;
        const bucket = release.disposition === 'RETURN_TO_VICTIM' ? 'restored' : 'released';
        const delta = releaseDelta(status, money(currency, amount), release.disposition, full);
        if (full) move('RELEASED', delta);
        else list.push({ instruction, delta });
        bump(bucket, currency, amount);
        held -= amount;
      }
      if (held > 0n && outcome.end === 'expire') {
        move('EXPIRED', expiryDelta(status, money(currency, held)));
        bump('expired', currency, held);
        held = 0n;
      } else if (held > 0n && typeof outcome.end === 'object') {
        const d = outcome.end.releaseAll;
        move('RELEASED', releaseDelta(status, money(currency, held), d, true));
        bump(d === 'RETURN_TO_VICTIM' ? 'restored' : 'released', currency, held);
        held = 0n;
      }
      bump('frozen', currency, held);
    }
    finalStatuses.push(status);
    return list;
  });
  return { events, finalStatuses, buckets, confirmed };
}

/** Interleaves the instructions' event lists by `order`, keeping each instruction's own order. */
function interleave(events: readonly Event[][], order: readonly number[]): Event[] {
  const flat = events.flat();
  const next = events.map(() => 0);
  return order.map((p) => {
    const instruction = (flat[p] as Event).instruction;
    const i = next[instruction] as number;
    next[instruction] = i + 1;
    return (events[instruction] as Event[])[i] as Event;
  });
}

const scenario = fc.array(storyArb, { minLength: 1, maxLength: 10 }).chain((stories) => {
  const { events } = play(stories);
  const indexes = events.flat().map((_, i) => i);
  const permutation = fc.shuffledSubarray(indexes, { minLength: indexes.length, maxLength: indexes.length });
  return fc.record({ stories: fc.constant(stories), order: permutation, shuffle: permutation });
});

describe('property: totals from any sequence of consistent deltas', () => {
  it('frozen + expired + released + restored = everything ever frozen, at every step of any interleaving', () => {
    fc.assert(
      fc.property(scenario, ({ stories, order }) => {
        const { events } = play(stories);
        let state = emptyTotals();
        const confirmedSoFar = new Map<string, bigint>();
        let created = 0;
        for (const event of interleave(events, order)) {
          state = applyTotalsDelta(state, event.delta);
          if (event.confirmedFrozen) {
            const { currency, minor } = event.confirmedFrozen;
            confirmedSoFar.set(currency, (confirmedSoFar.get(currency) ?? 0n) + minor);
          }
          if (event.created) created += 1;
          expect(nonZero(everFrozen(state))).toEqual(nonZero(confirmedSoFar));
          for (const bucket of totalsBuckets) {
            for (const [currency, minor] of state.amounts[bucket])
              expect(minor >= 0n, `${bucket} ${currency}`).toBe(true);
          }
          const counts = [...state.statusCounts.values()];
          for (const n of counts) expect(n).toBeGreaterThanOrEqual(0);
          expect(counts.reduce((a, b) => a + b, 0)).toBe(created);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('final totals: each bucket as played, status counts sum to the number of instructions', () => {
    fc.assert(
      fc.property(scenario, ({ stories, order }) => {
        const expected = play(stories);
        const state = applyAll(interleave(expected.events, order).map((e) => e.delta));
        for (const bucket of totalsBuckets) {
          expect(nonZero(state.amounts[bucket]), bucket).toEqual(nonZero(expected.buckets[bucket]));
        }
        expect(nonZero(everFrozen(state))).toEqual(nonZero(expected.confirmed));
        const tally = new Map<InstructionStatus, number>();
        for (const s of expected.finalStatuses) tally.set(s, (tally.get(s) ?? 0) + 1);
        expect(nonZero(state.statusCounts)).toEqual(nonZero(tally));
        expect([...state.statusCounts.values()].reduce((a, b) => a + b, 0)).toBe(stories.length);
      }),
      { numRuns: 300 },
    );
  });

  it('totals equal the sum of recorded confirmations whatever the order (shuffled events → same totals)', () => {
    fc.assert(
      fc.property(scenario, ({ stories, order, shuffle }) => {
        const { events, confirmed } = play(stories);
        const inOrder = applyAll(interleave(events, order).map((e) => e.delta));
        const flat = events.flat();
        const shuffled = applyAll(shuffle.map((i) => (flat[i] as Event).delta));
        for (const bucket of totalsBuckets) {
          expect(nonZero(shuffled.amounts[bucket]), bucket).toEqual(nonZero(inOrder.amounts[bucket]));
        }
        expect(nonZero(shuffled.statusCounts)).toEqual(nonZero(inOrder.statusCounts));
        expect(nonZero(everFrozen(shuffled))).toEqual(nonZero(confirmed));
      }),
      { numRuns: 300 },
    );
  });
});
