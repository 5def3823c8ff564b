import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { createOpenCase } from '../../../functions/open-case/handler.ts';
import {
  claims,
  errorPaths,
  expectProblem,
  FakeTable,
  httpEvent,
  idempotencyItem,
  invoke,
  NOW,
  putOfType,
  TABLE,
  testDeps,
} from './support.ts';

const table = new FakeTable();
beforeEach(() => {
  table.reset();
});

const validBody = {
  reference: 'PSB-1/2026/001',
  reportedLoss: { currency: 'CNY', minor: '50000000' },
  reportedAt: '2026-11-19T08:00:00Z',
  summary: 'Investment scam, three transfers',
};

const post = (
  body: unknown,
  headers: Record<string, string> = { 'Idempotency-Key': 'open-1' },
  who = claims.police,
) =>
  invoke(
    createOpenCase(testDeps().deps),
    httpEvent({ method: 'POST', path: '/cases', claims: who, body, headers }),
  );

describe('POST /cases', () => {
  it('201: opens the case for the caller agency in one transaction (case, totals, audit #1, idempotency)', async () => {
    const answer = await post(validBody);
    expect(answer.status).toBe(201);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.body).toEqual({
      caseId: expect.stringMatching(/^C[0-9A-Z]{10}$/),
      agencyId: 'PSB-1',
      reference: validBody.reference,
      reportedLoss: validBody.reportedLoss,
      reportedAt: validBody.reportedAt,
      summary: validBody.summary,
      openedAt: NOW.toISOString(),
    });
    const caseId = answer.body.caseId as string;
    expect(table.ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    const items = table.transactItems();
    expect(putOfType(items, 'Case')).toMatchObject({
      Item: { PK: `CASE#${caseId}`, SK: '#CASE', agencyId: 'PSB-1' },
      ConditionExpression: 'attribute_not_exists(PK)',
    });
    expect(putOfType(items, 'CaseTotals')).toMatchObject({
      Item: { PK: `CASE#${caseId}`, SK: '#TOTALS', agencyId: 'PSB-1', reportedLoss: validBody.reportedLoss },
      ConditionExpression: 'attribute_not_exists(PK)',
    });
    expect(putOfType(items, 'AuditIntent').Item).toMatchObject({
      PK: `CASE#${caseId}`,
      SK: expect.stringMatching(/^AUDITQ#/),
      action: 'CASE_OPENED',
      actor: 'police:PSB-1:u1',
    });
    expect(putOfType(items, 'Case').Item).toMatchObject({ auditSeq: 0 }); // an empty chain
    const idem = putOfType(items, 'IdempotencyRecord');
    expect(idem).toMatchObject({
      Item: {
        PK: 'IDEM#police:PSB-1:u1#open-1',
        state: 'COMPLETE',
        response: { statusCode: 201, body: answer.body },
      },
    });
    expect(idem.ConditionExpression).toContain('attribute_not_exists(PK)');
    for (const op of table.transactItems()) expect(Object.values(op)[0]).toMatchObject({ TableName: TABLE });
  });

  it('400 for malformed JSON, without a write', async () => {
    const problem = expectProblem(await post('{"reference": "x",'), 400);
    expect(problem.title).toBe('Bad Request');
    expect(table.writes()).toHaveLength(0);
  });

  it('413 for a body over 256 KB (before validating it)', async () => {
    const huge = JSON.stringify({ ...validBody, summary: 'x'.repeat(256 * 1024) });
    expectProblem(await post(huge), 413);
    expect(table.writes()).toHaveLength(0);
  });

  it('413 counts bytes, not characters, and also applies to base64-encoded bodies', async () => {
    const multiByte = JSON.stringify({ ...validBody, summary: '款'.repeat(90 * 1024) }); // ~270 KB in UTF-8
    expect(multiByte.length).toBeLessThan(256 * 1024);
    expectProblem(await post(multiByte), 413);
    const event = httpEvent({
      method: 'POST',
      path: '/cases',
      claims: claims.police,
      headers: { 'idempotency-key': 'k' },
      body: Buffer.from(multiByte, 'utf8').toString('base64'),
      isBase64Encoded: true,
    });
    expectProblem(await invoke(createOpenCase(testDeps().deps), event), 413);
  });

  it('a body of exactly 256 KB is not a 413', async () => {
    const base = JSON.stringify({ ...validBody, summary: '' });
    const padded = `${base}${' '.repeat(256 * 1024 - base.length)}`;
    expect(Buffer.byteLength(padded)).toBe(256 * 1024);
    expect((await post(padded)).status).toBe(201);
  });

  it('422 names every bad field, unknown fields included', async () => {
    const problem = expectProblem(
      await post({
        reference: '',
        reportedLoss: { currency: 'XXX', minor: '-1', cents: 5 },
        reportedAt: 'yesterday',
        colour: 'red',
      }),
      422,
    );
    expect(errorPaths(problem)).toEqual([
      'colour',
      'reference',
      'reportedAt',
      'reportedLoss.cents',
      'reportedLoss.currency',
      'reportedLoss.minor',
    ]);
    expect(table.writes()).toHaveLength(0);
  });

  it.each([
    ['a negative amount', { currency: 'CNY', minor: '-5' }, 'reportedLoss.minor'],
    ['a fractional amount', { currency: 'CNY', minor: '12.5' }, 'reportedLoss.minor'],
    ['a 19-digit amount', { currency: 'CNY', minor: '1234567890123456789' }, 'reportedLoss.minor'],
    ['a number instead of a digit string', { currency: 'CNY', minor: 500 }, 'reportedLoss.minor'],
    ['a zero loss', { currency: 'CNY', minor: '0' }, 'reportedLoss.minor'],
    ['an unknown currency', { currency: 'XYZ', minor: '100' }, 'reportedLoss.currency'],
    ['a lower-case currency', { currency: 'cny', minor: '100' }, 'reportedLoss.currency'],
  ])('422 for %s', async (_, reportedLoss, path) => {
    const problem = expectProblem(await post({ ...validBody, reportedLoss }), 422);
    expect(errorPaths(problem)).toEqual([path]);
    expect(table.writes()).toHaveLength(0);
  });

  it('an 18-digit amount is accepted', async () => {
    const answer = await post({
      ...validBody,
      reportedLoss: { currency: 'CNY', minor: '999999999999999999' },
    });
    expect(answer.status).toBe(201);
    expect(answer.body.reportedLoss).toEqual({ currency: 'CNY', minor: '999999999999999999' });
  });

  it('422 for a JSON body that is not an object', async () => {
    expectProblem(await post('[]'), 422);
    expectProblem(await post('null'), 422);
  });

  it('422 headers.Idempotency-Key when the header is missing', async () => {
    const problem = expectProblem(await post(validBody, {}), 422);
    expect(problem.errors).toEqual([{ path: 'headers.Idempotency-Key', message: expect.any(String) }]);
    expect(table.writes()).toHaveLength(0);
  });

  it.each([
    ['with a space', 'a key'],
    ['empty', ''],
    ['over 128 characters', 'k'.repeat(129)],
    ['non-ASCII', 'clé'],
  ])('422 headers.Idempotency-Key when the key is %s', async (_, key) => {
    const problem = expectProblem(await post(validBody, { 'Idempotency-Key': key }), 422);
    expect(errorPaths(problem)).toEqual(['headers.Idempotency-Key']);
  });

  it('the header name is case-insensitive', async () => {
    expect((await post(validBody, { 'IDEMPOTENCY-KEY': 'k1' })).status).toBe(201);
  });

  it('a replay with the same key and body answers the first response, without a write', async () => {
    const first = { statusCode: 201, body: { caseId: 'CFIRSTCASE1', agencyId: 'PSB-1', reference: 'x' } };
    table.put(idempotencyItem('police:PSB-1:u1', 'open-1', validBody, first, '/cases'));
    const answer = await post({ ...validBody });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual(first.body);
    expect(table.writes()).toHaveLength(0);
  });

  it('a replay matches the body canonically (key order does not matter)', async () => {
    const first = { statusCode: 201, body: { caseId: 'CFIRSTCASE1' } };
    table.put(idempotencyItem('police:PSB-1:u1', 'open-1', validBody, first, '/cases'));
    const reordered = {
      summary: validBody.summary,
      reportedAt: validBody.reportedAt,
      reportedLoss: { minor: '50000000', currency: 'CNY' },
      reference: validBody.reference,
    };
    const answer = await post(reordered);
    expect(answer.body).toEqual(first.body);
  });

  it('409 for the same key with another body, without a write', async () => {
    table.put(
      idempotencyItem('police:PSB-1:u1', 'open-1', validBody, { statusCode: 201, body: {} }, '/cases'),
    );
    const problem = expectProblem(await post({ ...validBody, reference: 'another' }), 409);
    expect(problem.title).toBe('Conflict');
    expect(table.writes()).toHaveLength(0);
  });

  it('keys are scoped to the caller: another officer may use the same key', async () => {
    table.put(
      idempotencyItem(
        'police:PSB-1:u1',
        'open-1',
        validBody,
        {
          statusCode: 201,
          body: { caseId: 'CFIRSTCASE1' },
        },
        '/cases',
      ),
    );
    const answer = await post(validBody, { 'Idempotency-Key': 'open-1' }, { ...claims.police, sub: 'u2' });
    expect(answer.status).toBe(201);
    expect(answer.body.caseId).not.toBe('CFIRSTCASE1');
    expect(table.ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('a concurrent request with the same key that commits first is answered as a replay', async () => {
    const winner = { statusCode: 201, body: { caseId: 'CWINNERCASE' } };
    table.ddb.on(TransactWriteCommand).callsFake(() => {
      table.put(idempotencyItem('police:PSB-1:u1', 'open-1', validBody, winner, '/cases'));
      throw new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [
          { Code: 'None' },
          { Code: 'None' },
          { Code: 'None' },
          { Code: 'ConditionalCheckFailed' },
        ],
      });
    });
    const answer = await post(validBody);
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual(winner.body);
  });
});
