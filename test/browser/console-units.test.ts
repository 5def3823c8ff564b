import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Money } from '../../console/src/components/common.tsx';
import { formatMoney, minorToDecimal, parseMajorAmount, percentOf } from '../../console/src/lib/money.ts';
import { parseTargetsCsv, rowsToTargets, targetErrorAt } from '../../console/src/lib/targets.ts';

const nb = (s: string) => s.replace(/\s/g, ' ');

describe('money formatting (ISO 4217 exponents, exact)', () => {
  it('formats minor units with the currency exponent', () => {
    expect(nb(formatMoney({ currency: 'CNY', minor: '100000000' }, 'en-US'))).toBe('CNY 1,000,000.00');
    expect(nb(formatMoney({ currency: 'JPY', minor: '1234' }, 'en-US'))).toBe('JPY 1,234');
    expect(nb(formatMoney({ currency: 'KWD', minor: '1234' }, 'en-US'))).toBe('KWD 1.234');
    expect(nb(formatMoney({ currency: 'CLF', minor: '12345' }, 'en-US'))).toBe('CLF 1.2345');
    expect(nb(formatMoney({ currency: 'EUR', minor: '5' }, 'de-DE'))).toBe('0,05 EUR');
  });

  it('keeps every digit of an 18-digit amount (no float on the way)', () => {
    expect(nb(formatMoney({ currency: 'CNY', minor: '999999999999999999' }, 'en-US'))).toBe(
      'CNY 9,999,999,999,999,999.99',
    );
    expect(minorToDecimal('900719925474099301', 2)).toBe('9007199254740993.01');
  });

  it('never passes off an unknown currency as money with a guessed exponent', () => {
    expect(formatMoney({ currency: 'XYZ', minor: '100' })).toBe('XYZ 100 (minor units)');
  });

  it('reads a person’s amount into minor units and refuses extra decimals', () => {
    expect(parseMajorAmount('600000', 'CNY')).toEqual({ ok: true, minor: '60000000' });
    expect(parseMajorAmount('1,200.5', 'CNY')).toEqual({ ok: true, minor: '120050' });
    expect(parseMajorAmount('1234', 'JPY')).toEqual({ ok: true, minor: '1234' });
    expect(parseMajorAmount('12.345', 'CNY')).toMatchObject({ ok: false });
    expect(parseMajorAmount('1.5', 'JPY')).toMatchObject({ ok: false });
    expect(parseMajorAmount('-5', 'CNY')).toMatchObject({ ok: false });
    expect(parseMajorAmount('0', 'CNY')).toMatchObject({ ok: false });
    expect(parseMajorAmount('1e5', 'CNY')).toMatchObject({ ok: false });
    expect(parseMajorAmount('5', 'XYZ')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/unknown/),
    });
    expect(parseMajorAmount('9'.repeat(19), 'JPY')).toMatchObject({ ok: false });
  });

  it('computes shares exactly', () => {
    expect(percentOf(60000000n, 100000000n)).toBe('60.00 %');
    expect(percentOf(1n, 3n)).toBe('33.33 %');
    expect(percentOf(5n, 0n)).toBe('–');
  });

  it('renders <Money> with the exact minor units on hover (component)', () => {
    const html = renderToStaticMarkup(createElement(Money, { value: { currency: 'CNY', minor: '12345' } }));
    expect(nb(html)).toContain('CNY 123.45');
    expect(html).toContain('title="12345 minor units of CNY"');
    expect(renderToStaticMarkup(createElement(Money, { value: undefined }))).toContain('–');
  });
});

describe('CSV parsing of freeze-order targets', () => {
  it('reads a header and one account per line, quoted cells and aliases included', () => {
    const { rows, errors } = parseTargetsCsv(
      'Bank,Account Number,Name,Amount,Currency\nHARBOR,6222020000001111,"Li, Wei",600000.00,CNY\r\nLOTUS,6228480000002222,,1200,\n',
    );
    expect(errors).toEqual([]);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      bankId: 'HARBOR',
      accountName: 'Li, Wei',
      amount: '600000.00',
      currency: 'CNY',
    });
    expect(rows[1]?.currency).toBe('CNY');
    const { targets, errors: valueErrors } = rowsToTargets(rows);
    expect(valueErrors).toEqual([]);
    expect(targets[0]).toEqual({
      bankId: 'HARBOR',
      accountNumber: '6222020000001111',
      accountName: 'Li, Wei',
      amount: { currency: 'CNY', minor: '60000000' },
    });
    expect(targets[1]?.amount).toEqual({ currency: 'CNY', minor: '120000' });
  });

  it('refuses a file with unknown or missing columns as a whole', () => {
    const unknown = parseTargetsCsv('bank,acct,money\nA,1,2');
    expect(unknown.rows).toEqual([]);
    expect(unknown.errors.map((e) => e.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('unknown column "acct"'),
        expect.stringContaining('"amount"'),
      ]),
    );
    expect(parseTargetsCsv('').errors[0]?.message).toBe('the CSV is empty');
    expect(parseTargetsCsv('bankId,accountNumber,amount').errors[0]?.message).toContain('no account line');
  });

  it('puts value errors at their row and field', () => {
    const { rows } = parseTargetsCsv(
      'bankId,accountNumber,amount,currency\nA,1,12.345,CNY\n,2,1,CNY\nC,3,5,XYZ',
    );
    const { errors } = rowsToTargets(rows);
    expect(errors).toEqual([
      { row: 0, field: 'amount', message: expect.stringContaining('2 decimal place(s)') },
      { row: 1, field: 'bankId', message: 'bankId is required' },
      { row: 2, field: 'currency', message: expect.stringContaining('unknown ISO 4217') },
    ]);
  });

  it('flags a ragged line and more than 500 accounts', () => {
    expect(parseTargetsCsv('bankId,accountNumber,amount\nA,1').errors).toEqual([
      expect.objectContaining({ row: 0, message: expect.stringContaining('2 cells') }),
    ]);
    const many = ['bankId,accountNumber,amount', ...Array.from({ length: 501 }, (_, i) => `B,${i},1`)].join(
      '\n',
    );
    expect(parseTargetsCsv(many).errors.at(-1)?.message).toContain('at most 500');
  });

  it('maps problem+json paths to rows and fields', () => {
    expect(targetErrorAt('targets.3.amount.minor')).toEqual({ row: 3, field: 'amount' });
    expect(targetErrorAt('targets.0.amount.currency')).toEqual({ row: 0, field: 'currency' });
    expect(targetErrorAt('targets.2')).toEqual({ row: 2, field: undefined });
    expect(targetErrorAt('legalBasis.reference')).toBeUndefined();
  });
});
