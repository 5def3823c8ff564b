import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { createRegulatorTotals } from '../../../functions/regulator-totals/handler.ts';
import { claims, errorPaths, expectProblem, FakeTable, httpEvent, invoke, testDeps } from './support.ts';

const table = new FakeTable();

const dayItem = (day: string, bankId: string, shard: number, counters: Record<string, number | bigint>) => ({
  PK: `DAY#${day}`,
  SK: `BANK#${bankId}#${shard}`,
  bankId,
  day,
  updatedAt: `${day}T12:00:00.000Z`,
  ...counters,
});

beforeEach(() => {
  table.reset();
  table.put(
    dayItem('2026-11-20', 'B001', 0, { amt_frozen_CNY: 100, confirmed: 1 }),
    dayItem('2026-11-20', 'B001', 3, { amt_frozen_CNY: 50, amt_frozen_USD: 7, confirmed: 2 }),
    dayItem('2026-11-20', 'B002', 1, { amt_frozen_CNY: 30, confirmed: 1 }),
    dayItem('2026-11-20', 'B003', 2, { confirmed: 4 }),
    dayItem('2026-11-19', 'B001', 2, { amt_frozen_CNY: 5, confirmed: 1 }),
    dayItem('2026-10-01', 'B001', 0, { amt_frozen_CNY: 1000, confirmed: 1 }),
  );
});

const totals = (query?: Record<string, string>) =>
  invoke(
    createRegulatorTotals(testDeps().deps),
    httpEvent({ path: '/totals', claims: claims.regulator, query }),
  );

describe('GET /totals', () => {
  it('defaults to the last 30 days, one Query per day, shards summed per bank', async () => {
    const answer = await totals();
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      from: '2026-10-22',
      to: '2026-11-20',
      overall: [
        { currency: 'CNY', minor: '185' },
        { currency: 'USD', minor: '7' },
      ],
      byBank: [
        {
          bankId: 'B001',
          frozen: [
            { currency: 'CNY', minor: '155' },
            { currency: 'USD', minor: '7' },
          ],
        },
        { bankId: 'B002', frozen: [{ currency: 'CNY', minor: '30' }] },
      ],
      byDay: [
        { day: '2026-11-19', frozen: [{ currency: 'CNY', minor: '5' }] },
        {
          day: '2026-11-20',
          frozen: [
            { currency: 'CNY', minor: '180' },
            { currency: 'USD', minor: '7' },
          ],
        },
      ],
    });
    const queries = table.ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries).toHaveLength(30);
    expect(queries.every((q) => q.KeyConditionExpression?.startsWith('PK = :pk'))).toBe(true);
    expect(table.ddb.calls().every((c) => c.args[0] instanceof QueryCommand)).toBe(true);
  });

  it('from/to are inclusive UTC days', async () => {
    const answer = await totals({ from: '2026-10-01', to: '2026-10-01' });
    expect(answer.body).toMatchObject({
      from: '2026-10-01',
      to: '2026-10-01',
      overall: [{ currency: 'CNY', minor: '1000' }],
    });
    expect(table.ddb.commandCalls(QueryCommand)).toHaveLength(1);
    const both = await totals({ from: '2026-11-19', to: '2026-11-20' });
    expect(both.body.overall).toEqual([
      { currency: 'CNY', minor: '185' },
      { currency: 'USD', minor: '7' },
    ]);
  });

  it('currency= keeps that currency only', async () => {
    const answer = await totals({ currency: 'USD' });
    expect(answer.body.overall).toEqual([{ currency: 'USD', minor: '7' }]);
    expect(answer.body.byBank).toEqual([{ bankId: 'B001', frozen: [{ currency: 'USD', minor: '7' }] }]);
  });

  it('sums exactly past 2^53', async () => {
    table.put(dayItem('2026-11-18', 'B009', 0, { amt_frozen_CNY: 999_999_999_999_999_999n }));
    table.put(dayItem('2026-11-18', 'B009', 1, { amt_frozen_CNY: 999_999_999_999_999_999n }));
    const answer = await totals({ from: '2026-11-18', to: '2026-11-18' });
    expect(answer.body.overall).toEqual([{ currency: 'CNY', minor: '1999999999999999998' }]);
  });

  it.each([
    ['from after to', { from: '2026-11-20', to: '2026-11-01' }, 'from'],
    ['a malformed day', { from: '2026-13-01' }, 'from'],
    ['a timestamp instead of a day', { to: '2026-11-20T00:00:00Z' }, 'to'],
    ['an unknown currency', { currency: 'XXX' }, 'currency'],
    ['an unknown parameter', { bank: 'B001' }, 'bank'],
    ['a period over 366 days', { from: '2024-01-01', to: '2026-01-01' }, 'from'],
  ])('422 for %s', async (_, query, path) => {
    const problem = expectProblem(await totals(query), 422);
    expect(errorPaths(problem)).toEqual([path]);
    expect(table.ddb.calls()).toHaveLength(0);
  });
});
