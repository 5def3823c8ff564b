import { describe, expect, it } from 'vitest';
import {
  ExtendHoldBody,
  HoldHours,
  MAX_HOLD_HOURS,
  MIN_HOLD_HOURS,
  SubmitFreezeOrderBody,
} from '../../../functions/schemas/api.ts';
import { errorPaths, parseOk } from './field-errors.ts';

/**
 * docs/api.md "Holds": holdHours is a number from 0.0001 to 4320. Every value outside is a 422 naming the
 * field, including the ones JSON.parse turns into something a DynamoDB number cannot hold (5e-324 is a
 * denormal, below DynamoDB's 1e-130; 1e309 parses as Infinity; -0).
 */
const legalBasis = {
  kind: 'Stop-payment notice',
  reference: 'PSB-0001-2026-123',
  issuedBy: 'Officer Li',
  issuedAt: '2026-11-20T09:00:00Z',
};
const target = { bankId: 'B001', accountNumber: '6222-1', amount: { currency: 'CNY', minor: '1000' } };

/** The body text as a client sends it: the literal reaches JSON.parse exactly as written. */
const orderWith = (literal: string) =>
  JSON.parse(
    `{"legalBasis":${JSON.stringify(legalBasis)},"targets":[${JSON.stringify(target)}],"holdHours":${literal}}`,
  );
const extendWith = (literal: string) =>
  JSON.parse(`{"legalBasis":${JSON.stringify(legalBasis)},"holdHours":${literal}}`);

const outOfRange = [
  '5e-324', // smallest denormal: DynamoDB answered "Number underflow" (a 500 before)
  '1e-130',
  '1e-400', // parses as 0
  '-0',
  '0',
  '0.00009999',
  '1e309', // parses as Infinity
  '-1e309',
  '1e308',
  '4320.000001',
  '9007199254740993',
  '-5e-324',
];
const inRange = ['0.0001', '1e-4', '4320', '4.32e3', '48', '0.0003', '4319.9999999999'];

describe('holdHours bounds (order and extend)', () => {
  it('are the bounds of docs/api.md', () => {
    expect([MIN_HOLD_HOURS, MAX_HOLD_HOURS]).toEqual([0.0001, 4320]);
  });

  it.each(outOfRange)('%s is refused on the order, naming holdHours', (literal) => {
    expect(errorPaths(SubmitFreezeOrderBody, orderWith(literal))).toEqual(['holdHours']);
  });

  it.each(outOfRange)('%s is refused on the extend, naming holdHours', (literal) => {
    expect(errorPaths(ExtendHoldBody, extendWith(literal))).toEqual(['holdHours']);
  });

  it.each(inRange)('%s is accepted on both', (literal) => {
    const value = JSON.parse(literal) as number;
    expect(parseOk(SubmitFreezeOrderBody, orderWith(literal)).holdHours).toBe(value);
    expect(parseOk(ExtendHoldBody, extendWith(literal)).holdHours).toBe(value);
  });

  it('every accepted value is a number DynamoDB can store (magnitude 1e-130 .. 1e126, 38 digits)', () => {
    for (const literal of inRange) {
      const value = HoldHours.parse(JSON.parse(literal));
      expect(Number.isFinite(value)).toBe(true);
      expect(Math.abs(value)).toBeGreaterThanOrEqual(1e-130);
      expect(String(value).replace(/[^0-9]/g, '').length).toBeLessThanOrEqual(38);
    }
    expect(HoldHours.safeParse(Number.NaN).success).toBe(false);
  });
});
