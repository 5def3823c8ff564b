import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BankConfirmation,
  decideConfirmation,
  type OnwardTransfer,
} from '../../../functions/domain/confirmation-rules.ts';
import { type FieldError, ValidationProblem } from '../../../functions/domain/errors.ts';
import { type Money, money } from '../../../functions/domain/money.ts';

const REQUESTED = money('CNY', 12_345_000n);

const transfer = (minor: bigint, toAccount = '6222-1', currency = 'CNY'): OnwardTransfer => ({
  toBankId: 'B002',
  toAccount,
  amount: money(currency, minor),
  transferredAt: '2026-11-20T10:02:00Z',
  reference: 'TX123',
});

const actioned = (fields: Partial<BankConfirmation> = {}): BankConfirmation => ({
  confirmationId: 'conf-1',
  result: 'ACTIONED',
  ...fields,
});

/** The field errors of the 422 the rules answer (fails the test if they do not refuse). */
function refusal(requested: Money, confirmation: BankConfirmation): FieldError[] {
  try {
    decideConfirmation(requested, confirmation);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationProblem);
    return (error as ValidationProblem).errors;
  }
  throw new Error('expected a ValidationProblem (422), the confirmation was accepted');
}
const refusedPaths = (requested: Money, confirmation: BankConfirmation) =>
  refusal(requested, confirmation).map((e) => e.path);

describe('docs/api.md "Rules": status from an ACTIONED result', () => {
  it('frozen = requested → FROZEN', () => {
    const outcome = decideConfirmation(REQUESTED, actioned({ frozen: money('CNY', 12_345_000n) }));
    expect(outcome.status).toBe('FROZEN');
    expect(outcome.frozen).toEqual(money('CNY', 12_345_000n));
    expect(outcome.cashWithdrawn).toEqual(money('CNY', 0n));
    expect(outcome.onwardTransfers).toEqual([]);
  });

  it('0 < frozen < requested → PARTIALLY_FROZEN (onward transfers kept for the trail)', () => {
    const transfers = [transfer(8_000_000n)];
    const outcome = decideConfirmation(
      REQUESTED,
      actioned({
        frozen: money('CNY', 4_000_000n),
        onwardTransfers: transfers,
        cashWithdrawn: money('CNY', 345_000n),
      }),
    );
    expect(outcome.status).toBe('PARTIALLY_FROZEN');
    expect(outcome.frozen).toEqual(money('CNY', 4_000_000n));
    expect(outcome.cashWithdrawn).toEqual(money('CNY', 345_000n));
    expect(outcome.onwardTransfers).toEqual(transfers);
  });

  it('frozen = 1 minor unit → PARTIALLY_FROZEN; requested − 1 → PARTIALLY_FROZEN', () => {
    expect(decideConfirmation(REQUESTED, actioned({ frozen: money('CNY', 1n) })).status).toBe(
      'PARTIALLY_FROZEN',
    );
    expect(decideConfirmation(REQUESTED, actioned({ frozen: money('CNY', 12_344_999n) })).status).toBe(
      'PARTIALLY_FROZEN',
    );
  });

  it('frozen = 0 with onward transfers → FUNDS_MOVED', () => {
    const outcome = decideConfirmation(
      REQUESTED,
      actioned({ frozen: money('CNY', 0n), onwardTransfers: [transfer(8_000_000n)] }),
    );
    expect(outcome.status).toBe('FUNDS_MOVED');
    expect(outcome.frozen).toEqual(money('CNY', 0n));
  });

  it('frozen omitted with onward transfers → FUNDS_MOVED', () => {
    expect(decideConfirmation(REQUESTED, actioned({ onwardTransfers: [transfer(1n)] })).status).toBe(
      'FUNDS_MOVED',
    );
  });

  it('frozen = 0 with onward transfers and cash → FUNDS_MOVED (transfers come first)', () => {
    const outcome = decideConfirmation(
      REQUESTED,
      actioned({
        frozen: money('CNY', 0n),
        onwardTransfers: [transfer(5n)],
        cashWithdrawn: money('CNY', 5n),
      }),
    );
    expect(outcome.status).toBe('FUNDS_MOVED');
  });

  it('frozen = 0, no transfers, cash > 0 → CASH_WITHDRAWN', () => {
    const outcome = decideConfirmation(
      REQUESTED,
      actioned({ frozen: money('CNY', 0n), onwardTransfers: [], cashWithdrawn: money('CNY', 12_345_000n) }),
    );
    expect(outcome.status).toBe('CASH_WITHDRAWN');
    expect(outcome.cashWithdrawn).toEqual(money('CNY', 12_345_000n));
  });

  it('ACTIONED with nothing frozen, moved or withdrawn → 422', () => {
    expect(refusedPaths(REQUESTED, actioned())).toEqual(['result']);
    expect(
      refusedPaths(
        REQUESTED,
        actioned({ frozen: money('CNY', 0n), onwardTransfers: [], cashWithdrawn: money('CNY', 0n) }),
      ),
    ).toEqual(['result']);
    expect(refusal(REQUESTED, actioned())[0]?.message).toMatch(/ACCOUNT_NOT_FOUND or REJECTED/);
  });
});

describe('docs/api.md "Rules": frozen ≤ requested and in its currency, else 422', () => {
  it('frozen > requested → 422 at frozen.minor', () => {
    expect(refusedPaths(REQUESTED, actioned({ frozen: money('CNY', 12_345_001n) }))).toEqual([
      'frozen.minor',
    ]);
  });

  it('frozen in another currency → 422 at frozen.currency', () => {
    expect(refusedPaths(REQUESTED, actioned({ frozen: money('USD', 100n) }))).toEqual(['frozen.currency']);
    expect(
      refusedPaths(REQUESTED, actioned({ frozen: money('USD', 0n), onwardTransfers: [transfer(1n)] })),
    ).toEqual(['frozen.currency']);
  });

  it('cash withdrawn and onward transfers in another currency are named too', () => {
    expect(
      refusedPaths(
        REQUESTED,
        actioned({
          frozen: money('CNY', 1n),
          cashWithdrawn: money('JPY', 1n),
          onwardTransfers: [transfer(1n), transfer(1n, '6222-2', 'USD')],
        }),
      ),
    ).toEqual(['cashWithdrawn.currency', 'onwardTransfers.1.amount.currency']);
  });

  it('an onward transfer of 0 is refused at its amount', () => {
    expect(refusedPaths(REQUESTED, actioned({ onwardTransfers: [transfer(5n), transfer(0n)] }))).toEqual([
      'onwardTransfers.1.amount.minor',
    ]);
  });

  it('names every bad field at once', () => {
    expect(
      refusedPaths(REQUESTED, actioned({ frozen: money('USD', 1n), cashWithdrawn: money('JPY', 1n) })).sort(),
    ).toEqual(['cashWithdrawn.currency', 'frozen.currency']);
  });

  it('property: any frozen > requested in the instruction currency is a 422 at frozen.minor', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 17n }),
        fc.bigInt({ min: 1n, max: 10n ** 17n }),
        fc.boolean(),
        (requested, excess, withTransfers) => {
          const paths = refusedPaths(
            money('KWD', requested),
            actioned({
              frozen: money('KWD', requested + excess),
              onwardTransfers: withTransfers ? [transfer(1n, 'x', 'KWD')] : [],
            }),
          );
          expect(paths).toEqual(['frozen.minor']);
        },
      ),
    );
  });
});

describe('ACCOUNT_NOT_FOUND and REJECTED', () => {
  it('ACCOUNT_NOT_FOUND → ACCOUNT_NOT_FOUND with nothing frozen', () => {
    const outcome = decideConfirmation(REQUESTED, { confirmationId: 'c', result: 'ACCOUNT_NOT_FOUND' });
    expect(outcome.status).toBe('ACCOUNT_NOT_FOUND');
    expect(outcome.frozen).toEqual(money('CNY', 0n));
  });

  it('REJECTED with a reason → REJECTED with nothing frozen', () => {
    const outcome = decideConfirmation(REQUESTED, {
      confirmationId: 'c',
      result: 'REJECTED',
      reason: 'legal basis not recognised',
    });
    expect(outcome.status).toBe('REJECTED');
    expect(outcome.frozen).toEqual(money('CNY', 0n));
  });

  it('REJECTED requires a reason (422 at reason)', () => {
    expect(refusedPaths(REQUESTED, { confirmationId: 'c', result: 'REJECTED' })).toEqual(['reason']);
    expect(refusedPaths(REQUESTED, { confirmationId: 'c', result: 'REJECTED', reason: '' })).toEqual([
      'reason',
    ]);
  });

  it.each(['ACCOUNT_NOT_FOUND', 'REJECTED'] as const)(
    '%s with something frozen is a 422 at frozen.minor',
    (result) => {
      expect(
        refusedPaths(REQUESTED, { confirmationId: 'c', result, reason: 'r', frozen: money('CNY', 5n) }),
      ).toEqual(['frozen.minor']);
    },
  );

  it('ACCOUNT_NOT_FOUND with frozen = 0 is fine', () => {
    expect(
      decideConfirmation(REQUESTED, {
        confirmationId: 'c',
        result: 'ACCOUNT_NOT_FOUND',
        frozen: money('CNY', 0n),
      }).status,
    ).toBe('ACCOUNT_NOT_FOUND');
  });
});

describe('property: the status from a frozen amount', () => {
  it('for any requested and any frozen ≤ requested: FROZEN iff frozen = requested, PARTIALLY_FROZEN iff 0 < frozen < requested', () => {
    const arb = fc.bigInt({ min: 1n, max: 10n ** 18n - 1n }).chain((requested) =>
      fc.record({
        requested: fc.constant(requested),
        frozen: fc.oneof(
          fc.constant(requested),
          fc.constant(0n),
          fc.constant(1n),
          fc.bigInt({ min: 0n, max: requested }),
        ),
        transfers: fc.array(fc.bigInt({ min: 1n, max: 10n ** 12n }), { maxLength: 3 }),
        cash: fc.bigInt({ min: 0n, max: requested }),
        currency: fc.constantFrom('CNY', 'JPY', 'KWD'),
      }),
    );
    fc.assert(
      fc.property(arb, ({ requested, frozen, transfers, cash, currency }) => {
        const confirmation = actioned({
          frozen: money(currency, frozen),
          onwardTransfers: transfers.map((t, i) => transfer(t, `acct-${i}`, currency)),
          cashWithdrawn: money(currency, cash),
        });
        if (frozen === 0n && transfers.length === 0 && cash === 0n) {
          expect(refusedPaths(money(currency, requested), confirmation)).toEqual(['result']);
          return;
        }
        const { status, frozen: kept } = decideConfirmation(money(currency, requested), confirmation);
        expect(status === 'FROZEN').toBe(frozen === requested);
        expect(status === 'PARTIALLY_FROZEN').toBe(frozen > 0n && frozen < requested);
        expect(status === 'FUNDS_MOVED').toBe(frozen === 0n && transfers.length > 0);
        expect(status === 'CASH_WITHDRAWN').toBe(frozen === 0n && transfers.length === 0 && cash > 0n);
        expect(kept).toEqual(money(currency, frozen));
      }),
      { numRuns: 500 },
    );
  });
});
