import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyExponent, isKnownCurrency, knownCurrencies } from '../../../functions/domain/currencies.ts';
import {
  add,
  addToBuckets,
  bucketsToList,
  formatMoney,
  fromMoneyJson,
  MAX_MINOR_DIGITS,
  type Money,
  minMoney,
  money,
  sameCurrency,
  shareBasisPoints,
  subtract,
  toMoneyJson,
  zero,
} from '../../../functions/domain/money.ts';
import { MoneySchema } from '../../../functions/schemas/common.ts';

const MAX_MINOR = 10n ** BigInt(MAX_MINOR_DIGITS) - 1n;

/** A minor-units digit string as docs/api.md allows it: 1–18 digits, no leading zero (except "0"). */
const minorDigits = fc.bigInt({ min: 0n, max: MAX_MINOR }).map((n) => n.toString());
const currency = fc.constantFrom(...knownCurrencies);

describe('currencies (ISO 4217 exponents)', () => {
  it.each([
    ['CNY', 2],
    ['USD', 2],
    ['EUR', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['KWD', 3],
    ['BHD', 3],
    ['CLF', 4],
  ])('%s has exponent %i', (code, exponent) => {
    expect(isKnownCurrency(code)).toBe(true);
    expect(currencyExponent(code)).toBe(exponent);
  });

  it.each(['XXX', 'ABC', 'cny', 'CN', 'CNYY', '', 'XAU', 'XDR'])('refuses unknown currency %j', (code) => {
    expect(isKnownCurrency(code)).toBe(false);
    expect(() => currencyExponent(code)).toThrow(RangeError);
  });

  it('lists every known code once, sorted, as three upper-case letters', () => {
    expect(knownCurrencies.length).toBeGreaterThan(150);
    expect([...knownCurrencies].sort()).toEqual(knownCurrencies);
    expect(new Set(knownCurrencies).size).toBe(knownCurrencies.length);
    for (const code of knownCurrencies) {
      expect(code).toMatch(/^[A-Z]{3}$/);
      expect([0, 2, 3, 4]).toContain(currencyExponent(code));
    }
  });
});

describe('money construction and JSON', () => {
  it('money() takes bigint, safe integer or digit string and keeps minor units exact', () => {
    expect(money('CNY', 12345000n)).toEqual({ currency: 'CNY', minor: 12345000n });
    expect(money('CNY', 12345000)).toEqual({ currency: 'CNY', minor: 12345000n });
    expect(money('CNY', '999999999999999999')).toEqual({ currency: 'CNY', minor: 999_999_999_999_999_999n });
  });

  it('money() refuses fractional minor units', () => {
    expect(() => money('CNY', 1.5)).toThrow(RangeError);
    expect(() => money('CNY', '1.5')).toThrow(SyntaxError);
  });

  it('serialises minor units as a digit string, never a number', () => {
    const json = toMoneyJson(money('CNY', 999_999_999_999_999_999n));
    expect(json).toEqual({ currency: 'CNY', minor: '999999999999999999' });
    expect(JSON.stringify(json)).toBe('{"currency":"CNY","minor":"999999999999999999"}');
    expect(fromMoneyJson(json)).toEqual({ currency: 'CNY', minor: 999_999_999_999_999_999n });
  });

  it('property: JSON round trip of Money is exact for any 1–18 digit minor', () => {
    fc.assert(
      fc.property(currency, minorDigits, (code, digits) => {
        const wire: unknown = JSON.parse(JSON.stringify({ currency: code, minor: digits }));
        const parsed = MoneySchema.parse(wire);
        const amount = fromMoneyJson(parsed);
        expect(amount.minor).toBe(BigInt(digits));
        expect(amount.minor.toString()).toBe(digits);
        const back = JSON.parse(JSON.stringify(toMoneyJson(amount))) as unknown;
        expect(back).toEqual({ currency: code, minor: digits });
        expect(fromMoneyJson(MoneySchema.parse(back))).toEqual(amount);
      }),
    );
  });

  it('property: any digit string of exactly 1–18 digits (leading zeros too) parses to the same integer', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,18}$/), (digits) => {
        const amount = fromMoneyJson(MoneySchema.parse({ currency: 'CNY', minor: digits }));
        expect(amount.minor).toBe(BigInt(digits));
        expect(amount.minor <= MAX_MINOR).toBe(true);
      }),
    );
  });
});

describe('arithmetic', () => {
  it('adds and subtracts in the same currency exactly, beyond Number precision', () => {
    const a = money('CNY', 900_719_925_474_099_300n);
    const b = money('CNY', 7n);
    expect(add(a, b)).toEqual(money('CNY', 900_719_925_474_099_307n));
    expect(subtract(a, b)).toEqual(money('CNY', 900_719_925_474_099_293n));
    expect(subtract(b, a).minor).toBe(-900_719_925_474_099_293n);
  });

  it.each([
    ['add', add],
    ['subtract', subtract],
    ['minMoney', minMoney],
    ['shareBasisPoints', shareBasisPoints],
  ] as const)('%s throws on a currency mismatch', (_name, fn) => {
    expect(() => fn(money('CNY', 1n), money('USD', 1n))).toThrow(RangeError);
    expect(() => fn(money('CNY', 1n), money('USD', 1n))).toThrow(/currency mismatch: CNY vs USD/);
  });

  it('minMoney picks the smaller amount', () => {
    expect(minMoney(money('CNY', 5n), money('CNY', 7n))).toEqual(money('CNY', 5n));
    expect(minMoney(money('CNY', 9n), money('CNY', 7n))).toEqual(money('CNY', 7n));
  });

  it('zero and sameCurrency', () => {
    expect(zero('JPY')).toEqual({ currency: 'JPY', minor: 0n });
    expect(sameCurrency(money('JPY', 1n), money('JPY', 2n))).toBe(true);
    expect(sameCurrency(money('JPY', 1n), money('CNY', 1n))).toBe(false);
  });

  it('property: add/subtract are inverse and never lose precision', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -MAX_MINOR, max: MAX_MINOR }),
        fc.bigInt({ min: -MAX_MINOR, max: MAX_MINOR }),
        (x, y) => {
          const a = money('KWD', x);
          const b = money('KWD', y);
          expect(add(a, b).minor).toBe(x + y);
          expect(subtract(add(a, b), b)).toEqual(a);
        },
      ),
    );
  });
});

describe('shareBasisPoints', () => {
  it.each([
    [1n, 3n, 3333n],
    [2n, 3n, 6666n],
    [1n, 1n, 10_000n],
    [0n, 5n, 0n],
    [12_000_000n, 12_345_000n, 9720n],
    [3n, 2n, 15_000n],
  ])('%s of %s is %s bp (truncated, integer)', (part, whole, bp) => {
    expect(shareBasisPoints(money('CNY', part), money('CNY', whole))).toBe(bp);
  });

  it('is 0 when the whole is 0', () => {
    expect(shareBasisPoints(money('CNY', 5n), money('CNY', 0n))).toBe(0n);
  });

  it('is exact where a float computation would round up', () => {
    const part = money('CNY', 999_999_999_999_999_999n);
    const whole = money('CNY', 1_000_000_000_000_000_000n);
    expect(Math.floor((Number(part.minor) * 10_000) / Number(whole.minor))).toBe(10_000);
    expect(shareBasisPoints(part, whole)).toBe(9999n);
  });

  it('property: bp is the exact floor of part × 10000 / whole', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_MINOR }), fc.bigInt({ min: 1n, max: MAX_MINOR }), (p, w) => {
        const bp = shareBasisPoints(money('CNY', p), money('CNY', w));
        expect(bp * w <= p * 10_000n).toBe(true);
        expect((bp + 1n) * w > p * 10_000n).toBe(true);
      }),
    );
  });
});

describe('formatMoney', () => {
  it.each([
    [money('CNY', 12_345_000n), 'CNY 123,450.00'],
    [money('CNY', 5n), 'CNY 0.05'],
    [money('CNY', 0n), 'CNY 0.00'],
    [money('CNY', 100n), 'CNY 1.00'],
    [money('CNY', -5n), 'CNY -0.05'],
    [money('CNY', -123_456_789n), 'CNY -1,234,567.89'],
    [money('CNY', 999_999_999_999_999_999n), 'CNY 9,999,999,999,999,999.99'],
    [money('JPY', 0n), 'JPY 0'],
    [money('JPY', 1_234_567n), 'JPY 1,234,567'],
    [money('JPY', 999n), 'JPY 999'],
    [money('JPY', -1000n), 'JPY -1,000'],
    [money('KWD', 5n), 'KWD 0.005'],
    [money('KWD', 1234n), 'KWD 1.234'],
    [money('KWD', 1_234_567n), 'KWD 1,234.567'],
    [money('CLF', 12_345n), 'CLF 1.2345'],
  ])('%o → %s', (amount, text) => {
    expect(formatMoney(amount)).toBe(text);
  });

  it('refuses an unknown currency', () => {
    expect(() => formatMoney(money('XXX', 1n))).toThrow(RangeError);
    expect(() => formatMoney(money('ABC', 1n))).toThrow(/unknown ISO 4217 currency ABC/);
  });

  it('property: the formatted text reads back to the same minor units with the currency exponent', () => {
    fc.assert(
      fc.property(currency, fc.bigInt({ min: -MAX_MINOR, max: MAX_MINOR }), (code, minor) => {
        const amount: Money = money(code, minor);
        const text = formatMoney(amount);
        const match = /^([A-Z]{3}) (-?)(\d{1,3}(?:,\d{3})*)(?:\.(\d+))?$/.exec(text);
        expect(match, text).not.toBeNull();
        const [, shownCode, sign, whole, fraction] = match as RegExpExecArray;
        expect(shownCode).toBe(code);
        expect((fraction ?? '').length).toBe(currencyExponent(code));
        const back = BigInt(`${sign}${(whole ?? '').replaceAll(',', '')}${fraction ?? ''}`);
        expect(back).toBe(minor);
      }),
    );
  });
});

describe('buckets (per-currency sums)', () => {
  it('adds per currency without mutating the input, and lists sorted by currency', () => {
    const empty = new Map<string, bigint>();
    const one = addToBuckets(empty, money('USD', 5n));
    const two = addToBuckets(one, money('CNY', 7n));
    const three = addToBuckets(two, money('USD', 10n));
    expect(empty.size).toBe(0);
    expect(one.get('USD')).toBe(5n);
    expect(bucketsToList(three)).toEqual([
      { currency: 'CNY', minor: '7' },
      { currency: 'USD', minor: '15' },
    ]);
  });
});
