import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { createBankInbox } from '../../../functions/bank-inbox/handler.ts';
import {
  type Claims,
  claims,
  errorPaths,
  expectProblem,
  FakeTable,
  httpEvent,
  instructionItem,
  invoke,
  legalBasis,
  ORDER_ID,
  testDeps,
} from './support.ts';

const table = new FakeTable();

beforeEach(() => {
  table.reset();
  table.put(
    instructionItem({
      instructionId: `${ORDER_ID}.2`,
      createdAt: '2026-11-20T09:00:02.000Z',
      status: 'PENDING',
    }),
    instructionItem(
      { instructionId: `${ORDER_ID}.1`, createdAt: '2026-11-20T09:00:01.000Z', status: 'DISPATCHED' },
      { taskToken: 'secret-task-token' },
    ),
    instructionItem({
      instructionId: `${ORDER_ID}.3`,
      createdAt: '2026-11-20T09:00:03.000Z',
      status: 'FROZEN',
    }),
    instructionItem({ instructionId: `${ORDER_ID}.4`, bankId: 'B002', accountNumber: '6228480011223344' }),
  );
});

const inbox = (query?: Record<string, string>, who: Claims = claims.bank, bankId = 'B001') =>
  invoke(
    createBankInbox(testDeps().deps),
    httpEvent({ path: `/banks/${bankId}/instructions`, pathParameters: { bankId }, claims: who, query }),
  );

const lastQuery = () => table.ddb.commandCalls(QueryCommand).at(-1)?.args[0].input;

describe('GET /banks/{bankId}/instructions', () => {
  it('the bank sees its own instructions, oldest first, with what a FREEZE push carries', async () => {
    const answer = await inbox();
    expect(answer.status).toBe(200);
    expect(answer.body.nextCursor).toBeNull();
    const items = answer.body.items as Record<string, unknown>[];
    expect(items.map((i) => i.instructionId)).toEqual([`${ORDER_ID}.1`, `${ORDER_ID}.2`, `${ORDER_ID}.3`]);
    expect(items.every((i) => i.bankId === 'B001')).toBe(true);
    expect(items[0]).toMatchObject({
      kind: 'FREEZE',
      status: 'DISPATCHED',
      accountNumber: '6222020200112233',
      amount: { currency: 'CNY', minor: '12000000' },
      legalBasis,
      hop: 1,
      deadlineAt: expect.any(String),
    });
    expect(JSON.stringify(answer.body)).not.toContain('secret-task-token');
    expect(lastQuery()).toMatchObject({
      IndexName: 'inbox',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': 'BANK#B001' },
      Limit: 50,
    });
  });

  it('?status= reads the by-status index', async () => {
    const answer = await inbox({ status: 'PENDING' });
    expect(answer.body.items.map((i: { instructionId: string }) => i.instructionId)).toEqual([
      `${ORDER_ID}.2`,
    ]);
    expect(lastQuery()).toMatchObject({
      IndexName: 'inboxByStatus',
      ExpressionAttributeValues: { ':pk': 'BANK#B001#PENDING' },
    });
  });

  it('limit may be 1..100', async () => {
    await inbox({ limit: '100' });
    expect(lastQuery()?.Limit).toBe(100);
    await inbox({ limit: '1' });
    expect(lastQuery()?.Limit).toBe(1);
  });

  it.each([
    ['limit over 100', { limit: '101' }, 'limit'],
    ['limit 0', { limit: '0' }, 'limit'],
    ['a non-numeric limit', { limit: 'ten' }, 'limit'],
    ['a fractional limit', { limit: '2.5' }, 'limit'],
    ['an unknown status', { status: 'SHREDDED' }, 'status'],
    ['an unknown parameter', { colour: 'red' }, 'colour'],
  ])('422 for %s', async (_, query, path) => {
    const problem = expectProblem(await inbox(query), 422);
    expect(errorPaths(problem)).toEqual([path]);
    expect(table.ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('nextCursor pages on: it carries the last key and comes back as ExclusiveStartKey', async () => {
    const lastKey = {
      PK: 'CASE#CTESTCASE01',
      SK: `INSTR#${ORDER_ID}.1`,
      GSI1PK: 'BANK#B001',
      GSI1SK: `2026-11-20T09:00:01.000Z#${ORDER_ID}.1`,
    };
    table.ddb.on(QueryCommand).resolvesOnce({
      Items: [instructionItem({ instructionId: `${ORDER_ID}.1` })],
      LastEvaluatedKey: lastKey,
    });
    const first = await inbox({ limit: '1' });
    expect(typeof first.body.nextCursor).toBe('string');
    expect(first.body.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    await inbox({ limit: '1', cursor: first.body.nextCursor });
    expect(lastQuery()?.ExclusiveStartKey).toEqual(lastKey);
  });

  it('a page with no item carries no cursor: the query goes on past empty DynamoDB pages', async () => {
    const lastKey = {
      PK: 'CASE#CTESTCASE01',
      SK: `INSTR#${ORDER_ID}.1`,
      GSI4PK: 'BANK#B001',
      GSI4SK: `2026-11-20T09:00:01.000Z#${ORDER_ID}.1`,
    };
    // The fault: DynamoDB answers a filtered page with no item but a LastEvaluatedKey, twice.
    table.ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [], LastEvaluatedKey: lastKey })
      .resolvesOnce({ Items: [], LastEvaluatedKey: lastKey })
      .resolvesOnce({ Items: [] });
    const answer = await inbox({ updatedSince: '2026-11-20T09:00:00Z', status: 'FROZEN' });
    expect(answer.body).toEqual({ items: [], nextCursor: null });
    expect(table.ddb.commandCalls(QueryCommand)).toHaveLength(3);
    expect(lastQuery()).toMatchObject({
      IndexName: 'inboxByUpdate',
      FilterExpression: '#status = :status',
      ExpressionAttributeValues: { ':since': '2026-11-20T09:00:00.000Z', ':status': 'FROZEN' },
    });
  });

  it('422 limit for 101 (the pattern itself stops at 100)', async () => {
    const problem = expectProblem(await inbox({ limit: '101' }), 422);
    expect(errorPaths(problem)).toEqual(['limit']);
  });

  it('422 cursor for a cursor of another bank or garbage', async () => {
    const foreign = Buffer.from(
      JSON.stringify({ PK: 'CASE#C1', SK: 'INSTR#x', GSI1PK: 'BANK#B002', GSI1SK: 'x' }),
      'utf8',
    ).toString('base64url');
    expect(errorPaths(expectProblem(await inbox({ cursor: foreign }), 422))).toEqual(['cursor']);
    expect(errorPaths(expectProblem(await inbox({ cursor: 'not-a-cursor' }), 422))).toEqual(['cursor']);
  });

  it('404 for another bank inbox, without a read', async () => {
    expectProblem(await inbox(undefined, claims.otherBank), 404);
    expect(table.ddb.calls()).toHaveLength(0);
  });
});
