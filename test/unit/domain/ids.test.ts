import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  caseIdOfInstruction,
  followOnInstructionId,
  ID_PATTERN,
  newCaseId,
  newOrderId,
  newReleaseId,
  orderInstructionId,
  randomToken,
} from '../../../functions/domain/ids.ts';

const CASE = 'CABCDEFGHJK';
const ORDER = `${CASE}.O123456`;

describe('server-chosen ids', () => {
  it('random tokens use the Crockford-like alphabet (no I, L, O, U) and the length asked', () => {
    for (let i = 0; i < 50; i++) {
      const token = randomToken(20);
      expect(token).toHaveLength(20);
      expect(token).toMatch(/^[0-9A-HJKMNP-TV-Z]{20}$/);
    }
  });

  it('case, order, instruction and release ids are shaped as documented and path-safe', () => {
    const caseId = newCaseId();
    expect(caseId).toMatch(/^C[0-9A-Z]{10}$/);
    const orderId = newOrderId(caseId);
    expect(orderId).toMatch(new RegExp(`^${caseId}\\.O[0-9A-Z]{6}$`));
    expect(orderInstructionId(orderId, 0)).toBe(`${orderId}.1`);
    expect(orderInstructionId(orderId, 499)).toBe(`${orderId}.500`);
    expect(followOnInstructionId(`${orderId}.1`, 0)).toBe(`${orderId}.1-1`);
    expect(followOnInstructionId(`${orderId}.1-1`, 2)).toBe(`${orderId}.1-1-3`);
    expect(newReleaseId(caseId)).toMatch(new RegExp(`^${caseId}\\.R[0-9A-Z]{8}$`));
    for (const id of [caseId, orderId, orderInstructionId(orderId, 3), newReleaseId(caseId)]) {
      expect(id).toMatch(ID_PATTERN);
    }
  });

  it('new case ids do not repeat', () => {
    const ids = new Set(Array.from({ length: 1000 }, newCaseId));
    expect(ids.size).toBe(1000);
  });

  it('a follow-on id is derived, so a redelivery finds the same id', () => {
    expect(followOnInstructionId(`${ORDER}.2`, 4)).toBe(followOnInstructionId(`${ORDER}.2`, 4));
  });
});

describe('ID_PATTERN (docs/api.md: [A-Za-z0-9._~-]{1,128})', () => {
  it.each(['a', 'B001', '6222-0000.1~x_y', 'x'.repeat(128)])('accepts %j', (id) => {
    expect(ID_PATTERN.test(id)).toBe(true);
  });
  it.each(['', 'x'.repeat(129), 'a b', 'a/b', 'a%2F', 'ä', 'a\n', 'a?b', 'a#b'])('refuses %j', (id) => {
    expect(ID_PATTERN.test(id)).toBe(false);
  });
});

describe('caseIdOfInstruction', () => {
  it.each([
    [`${ORDER}.1`, CASE],
    [`${ORDER}.500`, CASE],
    [`${ORDER}.1-2`, CASE],
    [`${ORDER}.3-1-4-1-5`, CASE],
    [`${CASE}.RABCDEFGH`, CASE],
  ])('%s belongs to case %s', (instructionId, caseId) => {
    expect(caseIdOfInstruction(instructionId)).toBe(caseId);
  });

  it.each([
    '',
    CASE,
    'C12345.O123456.1',
    'CABCDEFGHJKL.O1.1',
    'cabcdefghjk.O1.1',
    'XABCDEFGHJK.O1.1',
    'Cabcdefghjk.O1.1',
    `${ORDER}/1`,
    `${ORDER} .1`,
    `${ORDER}.1?x=1`,
    `${ORDER}.${'1'.repeat(120)}`,
    '..',
    '.CABCDEFGHJK.O1',
    'B001',
  ])('refuses junk %j', (junk) => {
    expect(caseIdOfInstruction(junk)).toBeUndefined();
  });

  it('property: the case of any order or follow-on instruction id, however deep', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 499 }),
        fc.array(fc.integer({ min: 0, max: 24 }), { maxLength: 5 }),
        (targetIndex, transferIndexes) => {
          const caseId = newCaseId();
          let id = orderInstructionId(newOrderId(caseId), targetIndex);
          for (const t of transferIndexes) id = followOnInstructionId(id, t);
          expect(id).toMatch(ID_PATTERN);
          expect(caseIdOfInstruction(id)).toBe(caseId);
        },
      ),
    );
  });

  it('property: never throws and only answers a case id that prefixes a valid id', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[A-Z0-9.-]{1,20}$/)), (s) => {
        const caseId = caseIdOfInstruction(s);
        if (caseId !== undefined) {
          expect(ID_PATTERN.test(s)).toBe(true);
          expect(caseId).toMatch(/^C[0-9A-Z]{10}$/);
          expect(s.startsWith(`${caseId}.`)).toBe(true);
        }
      }),
    );
  });
});
