import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  awaitingConfirmationStatuses,
  canTransition,
  confirmedStatuses,
  heldStatuses,
  type InstructionStatus,
  instructionStatuses,
  isAwaitingConfirmation,
  isHeld,
  statusesLeadingTo,
} from '../../../functions/domain/instruction-lifecycle.ts';

/**
 * docs/api.md "Instructions and confirmations", written out independently of the module:
 * `PENDING → DISPATCHED → FROZEN | PARTIALLY_FROZEN | FUNDS_MOVED | CASH_WITHDRAWN | ACCOUNT_NOT_FOUND |
 * REJECTED`; `PENDING | DISPATCHED → DISPATCH_FAILED | OVERDUE`; held → `EXPIRED` or `RELEASED`;
 * a confirmation is accepted while the instruction is PENDING, DISPATCHED, DISPATCH_FAILED or OVERDUE
 * ("money a bank froze is always counted"); a redelivery that reaches the bank takes DISPATCH_FAILED
 * back to DISPATCHED (POST …/redeliver).
 */
const RESULTS: InstructionStatus[] = [
  'FROZEN',
  'PARTIALLY_FROZEN',
  'FUNDS_MOVED',
  'CASH_WITHDRAWN',
  'ACCOUNT_NOT_FOUND',
  'REJECTED',
];
const CONTRACT: Record<InstructionStatus, InstructionStatus[]> = {
  PENDING: ['DISPATCHED', 'DISPATCH_FAILED', 'OVERDUE', ...RESULTS],
  DISPATCHED: ['DISPATCH_FAILED', 'OVERDUE', ...RESULTS],
  OVERDUE: [...RESULTS],
  FROZEN: ['EXPIRED', 'RELEASED'],
  PARTIALLY_FROZEN: ['EXPIRED', 'RELEASED'],
  FUNDS_MOVED: [],
  CASH_WITHDRAWN: [],
  ACCOUNT_NOT_FOUND: [],
  REJECTED: [],
  DISPATCH_FAILED: ['DISPATCHED', ...RESULTS],
  EXPIRED: [],
  RELEASED: [],
};
const TERMINAL: InstructionStatus[] = [
  'FUNDS_MOVED',
  'CASH_WITHDRAWN',
  'ACCOUNT_NOT_FOUND',
  'REJECTED',
  'EXPIRED',
  'RELEASED',
];

const status = fc.constantFrom(...instructionStatuses);

describe('instruction statuses', () => {
  it('are the twelve statuses of docs/api.md', () => {
    expect([...instructionStatuses].sort()).toEqual(Object.keys(CONTRACT).sort());
    expect([...confirmedStatuses].sort()).toEqual([...RESULTS].sort());
    expect([...awaitingConfirmationStatuses].sort()).toEqual([
      'DISPATCHED',
      'DISPATCH_FAILED',
      'OVERDUE',
      'PENDING',
    ]);
    expect([...heldStatuses].sort()).toEqual(['FROZEN', 'PARTIALLY_FROZEN']);
  });
});

describe('transition table', () => {
  const pairs = instructionStatuses.flatMap((from) => instructionStatuses.map((to) => [from, to] as const));

  it.each(pairs)('%s → %s is allowed exactly as docs/api.md says', (from, to) => {
    expect(canTransition(from, to)).toBe(CONTRACT[from].includes(to));
  });

  it('accepts a confirmation from PENDING, DISPATCHED, DISPATCH_FAILED and OVERDUE only', () => {
    for (const from of instructionStatuses) {
      const accepts = ['PENDING', 'DISPATCHED', 'DISPATCH_FAILED', 'OVERDUE'].includes(from);
      expect(isAwaitingConfirmation(from), from).toBe(accepts);
      for (const to of confirmedStatuses) expect(canTransition(from, to), `${from} → ${to}`).toBe(accepts);
    }
  });

  it.each(TERMINAL)('%s is terminal: no way out', (from) => {
    expect(instructionStatuses.filter((to) => canTransition(from, to))).toEqual([]);
  });

  it.each(['FROZEN', 'PARTIALLY_FROZEN'] as const)('held %s goes to EXPIRED or RELEASED only', (from) => {
    expect(isHeld(from)).toBe(true);
    expect(instructionStatuses.filter((to) => canTransition(from, to)).sort()).toEqual([
      'EXPIRED',
      'RELEASED',
    ]);
  });

  it('only held statuses can expire or be released', () => {
    expect(statusesLeadingTo('EXPIRED').sort()).toEqual(['FROZEN', 'PARTIALLY_FROZEN']);
    expect(statusesLeadingTo('RELEASED').sort()).toEqual(['FROZEN', 'PARTIALLY_FROZEN']);
    for (const s of instructionStatuses)
      expect(isHeld(s), s).toBe(s === 'FROZEN' || s === 'PARTIALLY_FROZEN');
  });

  it('DISPATCH_FAILED and OVERDUE come only from PENDING or DISPATCHED', () => {
    expect(statusesLeadingTo('DISPATCH_FAILED').sort()).toEqual(['DISPATCHED', 'PENDING']);
    expect(statusesLeadingTo('OVERDUE').sort()).toEqual(['DISPATCHED', 'PENDING']);
    expect(statusesLeadingTo('DISPATCHED').sort()).toEqual(['DISPATCH_FAILED', 'PENDING']);
    expect(statusesLeadingTo('PENDING')).toEqual([]);
  });

  it('an OVERDUE instruction stays OVERDUE (no self-transition, no way back to DISPATCHED)', () => {
    expect(canTransition('OVERDUE', 'OVERDUE')).toBe(false);
    expect(canTransition('OVERDUE', 'DISPATCHED')).toBe(false);
    expect(canTransition('OVERDUE', 'PENDING')).toBe(false);
  });

  it('no status transitions to itself', () => {
    for (const s of instructionStatuses) expect(canTransition(s, s), s).toBe(false);
  });

  it('property: statusesLeadingTo(to) agrees with canTransition for all pairs', () => {
    fc.assert(
      fc.property(status, status, (from, to) => {
        expect(statusesLeadingTo(to).includes(from)).toBe(canTransition(from, to));
      }),
      { numRuns: 500 },
    );
    for (const to of instructionStatuses) {
      expect(statusesLeadingTo(to)).toEqual(instructionStatuses.filter((from) => canTransition(from, to)));
    }
  });

  it('property: any walk through the table ends in a terminal or held-then-terminal state within 4 steps besides redelivery rounds', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 10, maxLength: 10 }), (choices) => {
        let current: InstructionStatus = 'PENDING';
        let steps = 0;
        for (const choice of choices) {
          const next = instructionStatuses.filter((to) => canTransition(current, to));
          if (next.length === 0) break;
          const to = next[choice % next.length] as InstructionStatus;
          // A failed delivery and the redelivery that reaches the bank are one round, repeatable.
          if (
            !(current === 'DISPATCHED' && to === 'DISPATCH_FAILED') &&
            !(current === 'DISPATCH_FAILED' && to === 'DISPATCHED')
          )
            steps += 1;
          current = to;
        }
        const open = ['DISPATCHED', 'DISPATCH_FAILED', 'PENDING', 'OVERDUE', 'FROZEN', 'PARTIALLY_FROZEN'];
        if (!TERMINAL.includes(current)) expect(open).toContain(current);
        expect(steps).toBeLessThanOrEqual(4);
      }),
    );
  });
});
