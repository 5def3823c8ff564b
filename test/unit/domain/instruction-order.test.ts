import { describe, expect, it } from 'vitest';
import { updateTime } from '../../../functions/adapters/dynamo/change-feed-index.ts';
import {
  compareInstructionIds,
  followOnInstructionId,
  orderInstructionId,
  sortableInstructionId,
} from '../../../functions/domain/ids.ts';

const ORDER = 'C0123456789.OABC123';

describe('instruction ids sort numerically within an order', () => {
  it('.7 before .10, .2-3 before .2-12, and text order would get both wrong', () => {
    const ids = [10, 7, 1, 500, 2].map((n) => orderInstructionId(ORDER, n - 1));
    const followOns = [12, 3, 1].map((n) => followOnInstructionId(`${ORDER}.2`, n - 1));
    const all = [...ids, ...followOns];
    expect([...all].sort()).not.toEqual([...all].sort(compareInstructionIds));
    expect([...all].sort(compareInstructionIds)).toEqual([
      `${ORDER}.1`,
      `${ORDER}.2`,
      `${ORDER}.2-1`,
      `${ORDER}.2-3`,
      `${ORDER}.2-12`,
      `${ORDER}.7`,
      `${ORDER}.10`,
      `${ORDER}.500`,
    ]);
  });

  it('the sort key keeps the random parts of the ids as they are', () => {
    expect(sortableInstructionId(`${ORDER}.7-2`)).toBe(`${ORDER}.00007-00002`);
    expect(sortableInstructionId('C0123456789.R12345678')).toBe('C0123456789.R12345678');
  });
});

describe('change feed times', () => {
  it('never go behind the last change (a clock that steps back keeps the feed in write order)', () => {
    expect(updateTime('2026-12-02T10:00:00.000Z', new Date('2026-12-02T09:59:59.000Z'))).toBe(
      '2026-12-02T10:00:00.000Z',
    );
    expect(updateTime('2026-12-02T10:00:00.000Z', new Date('2026-12-02T10:00:01.000Z'))).toBe(
      '2026-12-02T10:00:01.000Z',
    );
    expect(updateTime(undefined, new Date('2026-12-02T10:00:01.000Z'))).toBe('2026-12-02T10:00:01.000Z');
  });
});
