import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { knownCurrencies } from '../../../functions/domain/currencies.ts';
import {
  Currency,
  Id,
  IdempotencyKey,
  MoneySchema,
  PositiveMoney,
  ShortText,
  UtcDay,
  UtcTimestamp,
} from '../../../functions/schemas/common.ts';
import { errorPaths, fieldErrors, parseOk } from './field-errors.ts';

describe('MoneySchema (docs/api.md Conventions: ISO 4217 code + string of ≤ 18 digits, never floats)', () => {
  it.each([
    ['CNY', '12345000'],
    ['JPY', '0'],
    ['KWD', '999999999999999999'],
    ['USD', '000000000000000001'],
  ])('accepts %s %s', (currency, minor) => {
    expect(parseOk(MoneySchema, { currency, minor })).toEqual({ currency, minor });
  });

  it.each([
    ['negative', '-1'],
    ['fractional', '1.5'],
    ['19 digits', '1234567890123456789'],
    ['empty', ''],
    ['plus sign', '+1'],
    ['exponent', '1e3'],
    ['hex', '0x1F'],
    ['spaces', ' 12'],
    ['thousands separator', '1,000'],
    ['full-width digits', '１２'],
    ['Arabic-Indic digits', '١٢'],
    ['newline', '12\n'],
  ])('refuses %s minor %j at minor', (_what, minor) => {
    expect(errorPaths(MoneySchema, { currency: 'CNY', minor })).toEqual(['minor']);
  });

  it.each([
    ['float', 1.5],
    ['integer number', 123],
    ['bigint', 123n],
    ['null', null],
    ['missing', undefined],
  ])('refuses a %s minor at minor', (_what, minor) => {
    expect(errorPaths(MoneySchema, { currency: 'CNY', minor })).toEqual(['minor']);
  });

  it.each(['XXX', 'ABC', 'cny', 'CN', '', 'XAU'])('refuses unknown currency %j at currency', (currency) => {
    expect(errorPaths(MoneySchema, { currency, minor: '1' })).toEqual(['currency']);
  });

  it('refuses unknown fields, named by their own path', () => {
    expect(fieldErrors(MoneySchema, { currency: 'CNY', minor: '1', amount: 1, exponent: 2 })).toEqual([
      { path: 'amount', message: 'unknown field' },
      { path: 'exponent', message: 'unknown field' },
    ]);
  });

  it('names every bad field at once', () => {
    expect(errorPaths(MoneySchema, { currency: 'ABC', minor: '1.5', extra: true })).toEqual([
      'currency',
      'extra',
      'minor',
    ]);
  });

  it('refuses a non-object at (body)', () => {
    expect(errorPaths(MoneySchema, '12.50 CNY')).toEqual(['(body)']);
    expect(errorPaths(MoneySchema, null)).toEqual(['(body)']);
  });

  it('property: any 1–18 digit string in any known currency is accepted unchanged', () => {
    fc.assert(
      fc.property(fc.constantFrom(...knownCurrencies), fc.stringMatching(/^\d{1,18}$/), (currency, minor) => {
        expect(parseOk(MoneySchema, { currency, minor })).toEqual({ currency, minor });
      }),
    );
  });

  it('property: 19 or more digits are refused at minor', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{19,40}$/), (minor) => {
        expect(errorPaths(MoneySchema, { currency: 'CNY', minor })).toEqual(['minor']);
      }),
    );
  });

  it('property: any string with a non-digit character is refused at minor, never thrown', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (minor) => {
        fc.pre(!/^\d{1,18}$/.test(minor));
        expect(errorPaths(MoneySchema, { currency: 'CNY', minor })).toEqual(['minor']);
      }),
    );
  });

  it('property: any number (integer or float) as minor is refused', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.double({ noNaN: true })), (minor) => {
        expect(errorPaths(MoneySchema, { currency: 'CNY', minor })).toEqual(['minor']);
      }),
    );
  });
});

describe('PositiveMoney (amounts asked for: > 0)', () => {
  it('accepts 1 and refuses 0 at minor', () => {
    expect(parseOk(PositiveMoney, { currency: 'CNY', minor: '1' })).toEqual({ currency: 'CNY', minor: '1' });
    expect(fieldErrors(PositiveMoney, { currency: 'CNY', minor: '0' })).toEqual([
      { path: 'minor', message: 'must be greater than zero' },
    ]);
    expect(errorPaths(PositiveMoney, { currency: 'CNY', minor: '000' })).toEqual(['minor']);
  });

  it.each([
    ['negative', '-1'],
    ['empty', ''],
    ['19 digits', '1234567890123456789'],
  ])('refuses %s minor %j at minor', (_what, minor) => {
    expect(errorPaths(PositiveMoney, { currency: 'CNY', minor })).toEqual(['minor']);
  });

  it('refuses number minor, unknown currency and unknown fields like MoneySchema', () => {
    expect(errorPaths(PositiveMoney, { currency: 'CNY', minor: 1.5 })).toEqual(['minor']);
    expect(errorPaths(PositiveMoney, { currency: 'XXX', minor: '5' })).toEqual(['currency']);
    expect(errorPaths(PositiveMoney, { currency: 'CNY', minor: '5', x: 1 })).toEqual(['x']);
  });

  // Regression: the `> 0` refinement once ran BigInt(minor) after the digits regex refused the
  // string, so safeParse THREW instead of reporting a 422 at `minor`. docs/api.md Conventions: "Money: … a string of integer minor units (digits only …)" and
  // "422 validation (every bad field named …)". Every PositiveMoney field is affected:
  // targets.N.amount, reportedLoss, releases' amount, onwardTransfers.N.amount.
  it.each([
    ['fractional', '1.5'],
    ['exponent', '1e3'],
    ['letters', 'abc'],
    ['decimal comma', '1,5'],
  ])('refuses %s minor %j at minor ', (_what, minor) => {
    expect(errorPaths(PositiveMoney, { currency: 'CNY', minor })).toEqual(['minor']);
  });

  it('(property) any non-digit string as minor is a field error, never a thrown SyntaxError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), (minor) => {
        fc.pre(!/^\d{1,18}$/.test(minor));
        expect(errorPaths(PositiveMoney, { currency: 'CNY', minor })).toEqual(['minor']);
      }),
    );
  });
});

describe('Currency', () => {
  it('accepts every known code and refuses unknown ones', () => {
    for (const code of knownCurrencies) expect(Currency.safeParse(code).success, code).toBe(true);
    for (const code of ['XXX', 'ABC', 'usd', 'US', 'USDX', ''])
      expect(Currency.safeParse(code).success, code).toBe(false);
    expect(Currency.safeParse(840).success).toBe(false);
  });
});

describe('Id (docs/api.md: [A-Za-z0-9._~-]{1,128})', () => {
  it.each(['B001', '6222021234567890', 'a.b_c~d-e', 'x'.repeat(128)])('accepts %j', (id) => {
    expect(Id.safeParse(id).success).toBe(true);
  });
  it.each(['', 'x'.repeat(129), '6222 0212', 'a/b', '../x', 'ä', 'a%20', 42])('refuses %j', (id) => {
    expect(Id.safeParse(id).success).toBe(false);
  });
});

describe('UtcTimestamp and UtcDay', () => {
  it.each(['2026-11-20T10:02:00Z', '2026-11-20T10:02:00.123Z'])('accepts timestamp %j', (t) => {
    expect(UtcTimestamp.safeParse(t).success).toBe(true);
  });
  it.each([
    '2026-11-20T10:02:00+08:00',
    '2026-11-20T10:02:00',
    '2026-11-20',
    '2026-13-20T10:02:00Z',
    'yesterday',
    '',
  ])('refuses timestamp %j', (t) => {
    expect(UtcTimestamp.safeParse(t).success).toBe(false);
  });
  it('accepts YYYY-MM-DD days only', () => {
    expect(UtcDay.safeParse('2026-11-20').success).toBe(true);
    expect(UtcDay.safeParse('2026-02-30').success).toBe(false);
    expect(UtcDay.safeParse('2026-11-20T00:00:00Z').success).toBe(false);
    expect(UtcDay.safeParse('20261120').success).toBe(false);
  });
});

describe('ShortText', () => {
  it('trims and needs 1..max characters', () => {
    expect(ShortText(5).parse('  abc  ')).toBe('abc');
    expect(ShortText(5).safeParse('   ').success).toBe(false);
    expect(ShortText(5).safeParse('abcdef').success).toBe(false);
  });
});

describe('IdempotencyKey (1–128 visible ASCII characters, no spaces)', () => {
  it.each(['a', 'order-2026-11-20#1', '!~', 'k'.repeat(128)])('accepts %j', (key) => {
    expect(IdempotencyKey.safeParse(key).success).toBe(true);
  });
  it.each(['', 'k'.repeat(129), 'has space', 'tab\there', 'ünïcode', 'line\n'])('refuses %j', (key) => {
    expect(IdempotencyKey.safeParse(key).success).toBe(false);
  });
  it('property: exactly the strings of 1–128 chars in 0x21–0x7E', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 140 }), (key) => {
        expect(IdempotencyKey.safeParse(key).success).toBe(/^[!-~]{1,128}$/.test(key));
      }),
    );
  });
});
