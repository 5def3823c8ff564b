import { describe, expect, it } from 'vitest';
import type { BankInstructionView, BankPerformanceRow } from '../../console/src/api/views.ts';
import {
  buildConfirmation,
  buildReleaseConfirmation,
  type ConfirmationForm,
  emptyTransfer,
  fieldOf,
} from '../../console/src/lib/confirmation.ts';
import { moneyCells, toCsv } from '../../console/src/lib/csv.ts';
import { inboxOrder } from '../../console/src/lib/inbox-order.ts';
import { slowestBanks } from '../../console/src/lib/league.ts';

const requested = { currency: 'CNY', minor: '50000000' };
const form = (patch: Partial<ConfirmationForm>): ConfirmationForm => ({
  result: 'FROZEN',
  frozen: '',
  cashWithdrawn: '',
  reason: '',
  transfers: [emptyTransfer()],
  ...patch,
});
const transfer = (toBankId: string, toAccount: string, amount: string) => ({
  ...emptyTransfer(),
  toBankId,
  toAccount,
  amount,
});

describe('the confirmation form, checked by the API schema and rules', () => {
  it('builds each result as the API expects it', () => {
    expect(buildConfirmation(form({ result: 'FROZEN' }), requested)).toEqual({
      ok: true,
      body: { result: 'ACTIONED', frozen: requested },
    });
    expect(buildConfirmation(form({ result: 'PARTIAL', frozen: '120,000.50' }), requested)).toEqual({
      ok: true,
      body: { result: 'ACTIONED', frozen: { currency: 'CNY', minor: '12000050' } },
    });
    const moved = buildConfirmation(
      form({
        result: 'MOVED',
        transfers: [
          { ...transfer('FERN', '7003', '200000'), transferredAt: '2026-12-01T16:10', reference: 'TX1' },
          transfer('IVY', '7004', '150000.00'),
        ],
      }),
      requested,
    );
    expect(
      moved.ok && moved.body.onwardTransfers?.map((t) => [t.toBankId, t.amount.minor, t.reference]),
    ).toEqual([
      ['FERN', '20000000', 'TX1'],
      ['IVY', '15000000', undefined],
    ]);
    expect(buildConfirmation(form({ result: 'CASH', cashWithdrawn: '500000' }), requested)).toEqual({
      ok: true,
      body: {
        result: 'ACTIONED',
        frozen: { currency: 'CNY', minor: '0' },
        cashWithdrawn: { currency: 'CNY', minor: '50000000' },
      },
    });
    expect(buildConfirmation(form({ result: 'NOT_FOUND' }), requested)).toEqual({
      ok: true,
      body: { result: 'ACCOUNT_NOT_FOUND' },
    });
  });

  it('refuses what the API refuses, at the API path of each field', () => {
    // The domain rule: a lien is never more than the disputed amount.
    expect(buildConfirmation(form({ result: 'PARTIAL', frozen: '500000.01' }), requested)).toMatchObject({
      ok: false,
      errors: { frozen: expect.stringContaining('must not exceed the requested amount') },
    });
    expect(buildConfirmation(form({ result: 'REJECTED' }), requested)).toMatchObject({
      ok: false,
      errors: { reason: 'a rejection must give its reason' },
    });
    expect(buildConfirmation(form({ result: 'MOVED' }), requested)).toMatchObject({
      ok: false,
      errors: { onwardTransfers: 'add at least one onward transfer' },
    });
    const bad = buildConfirmation(
      form({
        result: 'MOVED',
        transfers: [transfer('FERN', '7003', '1'), transfer('IV Y', '70 04', '1.001')],
      }),
      requested,
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(Object.keys(bad.errors).sort()).toEqual([
        'onwardTransfers.1.amount',
        'onwardTransfers.1.toAccount',
        'onwardTransfers.1.toBankId',
      ]);
      expect(bad.errors['onwardTransfers.1.amount']).toContain('CNY has 2 decimal place(s)');
    }
    // A transfer row left empty in "frozen in part" is no transfer.
    expect(buildConfirmation(form({ result: 'PARTIAL', frozen: '1' }), requested).ok).toBe(true);
  });

  it('shows an API problem path at the field a person typed', () => {
    expect(fieldOf('onwardTransfers.0.amount.minor')).toBe('onwardTransfers.0.amount');
    expect(fieldOf('frozen.currency')).toBe('frozen');
    expect(fieldOf('onwardTransfers.1.toAccount')).toBe('onwardTransfers.1.toAccount');
  });

  it('builds a release confirmation', () => {
    expect(buildReleaseConfirmation('40000', '', { currency: 'CNY', minor: '4000000' })).toEqual({
      ok: true,
      body: { result: 'ACTIONED', released: { currency: 'CNY', minor: '4000000' } },
    });
    expect(buildReleaseConfirmation('', '', requested)).toMatchObject({
      ok: false,
      errors: { released: 'required' },
    });
  });
});

describe('CSV exports', () => {
  it('writes a header row, CRLF rows, quoted formatted amounts and exact minor units', () => {
    const csv = toCsv(
      ['bank_id', 'frozen_currency', 'frozen_minor', 'frozen_formatted', 'note'],
      [
        ['ALDER', ...moneyCells({ currency: 'CNY', minor: '999999999999999999' }), 'say "hi"'],
        ['-BIRCH', ...moneyCells({ currency: 'JPY', minor: '1234' }), '=1+1'],
      ],
    );
    expect(csv.split('\r\n')).toEqual([
      'bank_id,frozen_currency,frozen_minor,frozen_formatted,note',
      'ALDER,CNY,999999999999999999,"CNY 9,999,999,999,999,999.99","say ""hi"""',
      // A spreadsheet would run these as formulas: they get a leading apostrophe.
      '\'-BIRCH,JPY,1234,"JPY 1,234",\'=1+1',
      '',
    ]);
  });
});

describe('the inbox order and the league table flags', () => {
  const item = (id: string, status: string, deadlineAt: string | null) =>
    ({ instructionId: id, status, deadlineAt, createdAt: '2026-12-01T00:00:00Z' }) as BankInstructionView;
  it('puts what needs action first, then the nearest deadline, none last', () => {
    const list = [
      item('answered', 'FROZEN', '2026-12-01T01:00:00Z'),
      item('later', 'DISPATCHED', '2026-12-03T00:00:00Z'),
      item('none', 'PENDING', null),
      item('overdue', 'OVERDUE', '2026-12-01T00:00:00Z'),
      item('soon', 'DISPATCH_FAILED', '2026-12-02T00:00:00Z'),
    ];
    expect([...list].sort(inboxOrder).map((i) => i.instructionId)).toEqual([
      'overdue',
      'soon',
      'later',
      'none',
      'answered',
    ]);
  });

  it('flags the slowest quarter by p90 (at least one, with two banks to compare)', () => {
    const bank = (bankId: string, p90Seconds: number | null) =>
      ({ bankId, p90Seconds, medianSeconds: p90Seconds }) as BankPerformanceRow;
    expect([...slowestBanks([bank('A', 9)])]).toEqual([]);
    expect([...slowestBanks([bank('A', 9), bank('B', 1), bank('C', null)])]).toEqual(['A']);
    expect(
      [...slowestBanks([bank('A', 1), bank('B', 5), bank('C', 3), bank('D', 8), bank('E', 2)])].sort(),
    ).toEqual(['B', 'D']);
  });
});
