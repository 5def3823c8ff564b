import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { keys } from '../../../functions/adapters/keys.ts';
import { createSubmitFreezeOrder } from '../../../functions/submit-freeze-order/handler.ts';
import {
  bankItem,
  CASE_ID,
  type Claims,
  caseItem,
  claims,
  errorPaths,
  expectProblem,
  FakeTable,
  fraudCase,
  httpEvent,
  idempotencyItem,
  invoke,
  legalBasis,
  NOW,
  OTHER_CASE_ID,
  testDeps,
  updatedAttributes,
} from './support.ts';

const table = new FakeTable();
let setup = testDeps();

beforeEach(() => {
  table.reset();
  setup = testDeps();
  table.put(
    caseItem(fraudCase(), 3),
    caseItem(fraudCase({ caseId: OTHER_CASE_ID, agencyId: 'PSB-2' }), 1),
    bankItem({ bankId: 'B001' }),
    bankItem({
      bankId: 'B002',
      mode: 'pull',
      endpoint: undefined,
      signingSecretRef: undefined,
      signingSecretsValid: 0,
    }),
  );
});

const target = (
  bankId: string,
  accountNumber: string,
  minor: string,
  extra: Record<string, unknown> = {},
) => ({
  bankId,
  accountNumber,
  amount: { currency: 'CNY', minor },
  ...extra,
});

const validBody = {
  legalBasis,
  targets: [
    target('B001', '6222020200112233', '12000000'),
    target('B002', '6228480011223344', '8000000', {
      accountName: 'Li Si',
      transferredAt: '2026-11-19T08:30:00Z',
      reference: 'TX-9',
    }),
  ],
  holdHours: 72,
};

interface PostOptions {
  caseId?: string;
  headers?: Record<string, string>;
  who?: Claims;
}

const post = (body: unknown, options: PostOptions = {}) => {
  const caseId = options.caseId ?? CASE_ID;
  return invoke(
    createSubmitFreezeOrder(setup.deps),
    httpEvent({
      method: 'POST',
      path: `/cases/${caseId}/freeze-orders`,
      pathParameters: { caseId },
      claims: options.who ?? claims.police,
      body,
      headers: options.headers ?? { 'Idempotency-Key': 'order-1' },
    }),
  );
};

const expectNothingDone = () => {
  expect(table.writes()).toHaveLength(0);
  expect(setup.workflow.startExecution).not.toHaveBeenCalled();
};

describe('POST /cases/{caseId}/freeze-orders', () => {
  it('202: writes the order in one transaction, then starts the fan-out once', async () => {
    setup.workflow.startExecution.mockImplementation(async () => {
      // The workflow only starts once the order is committed.
      expect(table.ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    });
    const answer = await post(validBody);
    expect(answer.status).toBe(202);
    const orderId = answer.body.orderId as string;
    expect(orderId).toMatch(new RegExp(`^${CASE_ID}\\.O[0-9A-Z]+$`));
    expect(answer.body).toEqual({
      orderId,
      caseId: CASE_ID,
      holdHours: 72,
      instructions: [
        {
          instructionId: `${orderId}.1`,
          bankId: 'B001',
          accountNumber: '6222020200112233',
          amount: { currency: 'CNY', minor: '12000000' },
          status: 'PENDING',
        },
        {
          instructionId: `${orderId}.2`,
          bankId: 'B002',
          accountNumber: '6228480011223344',
          amount: { currency: 'CNY', minor: '8000000' },
          status: 'PENDING',
        },
      ],
    });
    expect(setup.workflow.startExecution).toHaveBeenCalledTimes(1);
    expect(setup.workflow.startExecution).toHaveBeenCalledWith('freezeOrder', orderId, {
      caseId: CASE_ID,
      orderId,
      instructionIds: [`${orderId}.1`, `${orderId}.2`],
    });

    const items = table.transactItems();
    const puts = items.flatMap((i) => (i.Put ? [i.Put] : []));
    const updates = items.flatMap((i) => (i.Update ? [i.Update] : []));
    const instructionPuts = puts.filter((p) => p.Item.type === 'Instruction');
    expect(instructionPuts).toHaveLength(2);
    expect(instructionPuts[0]).toMatchObject({
      Item: {
        ...keys.instruction(CASE_ID, `${orderId}.1`),
        status: 'PENDING',
        hop: 1,
        parentInstructionId: null,
        holdHours: 72,
        agencyId: 'PSB-1',
        requested: { currency: 'CNY', minor: '12000000' },
        frozen: { currency: 'CNY', minor: '0' },
        legalBasis,
        GSI1PK: 'BANK#B001',
        GSI2PK: 'BANK#B001#PENDING',
        createdAt: NOW.toISOString(),
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    });
    expect(instructionPuts[1]?.Item).toMatchObject({
      accountName: 'Li Si',
      transferredAt: '2026-11-19T08:30:00Z',
    });
    const accountMarkers = updates.filter((u) => String(u.Key.SK).startsWith('ACCT#'));
    expect(accountMarkers.map((u) => u.Key)).toEqual([
      keys.targetedAccount(CASE_ID, 'B001', '6222020200112233'),
      keys.targetedAccount(CASE_ID, 'B002', '6228480011223344'),
    ]);
    expect(puts.find((p) => p.Item.type === 'FreezeOrder')).toMatchObject({
      Item: {
        ...keys.order(CASE_ID, orderId),
        instructionIds: [`${orderId}.1`, `${orderId}.2`],
        holdHours: 72,
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    });
    const totals = updates.find((u) => u.Key.SK === '#TOTALS');
    expect(totals && updatedAttributes(totals)).toMatchObject({ cnt_PENDING: 2n, hop_1: 2n });
    expect(puts.find((p) => p.Item.type === 'IdempotencyRecord')?.Item).toMatchObject({
      PK: 'IDEM#police:PSB-1:u1#order-1',
      state: 'COMPLETE',
      response: { statusCode: 202, body: answer.body },
    });
    // The audit entry waits to be chained (functions/app/sequence-audit.ts): no chain head is written.
    expect(puts.find((p) => p.Item.type === 'AuditIntent')?.Item).toMatchObject({
      PK: `CASE#${CASE_ID}`,
      SK: expect.stringMatching(/^AUDITQ#/),
      action: 'FREEZE_ORDER_SUBMITTED',
      actor: 'police:PSB-1:u1',
    });
    expect(updates.find((u) => u.Key.SK === '#CASE')).toBeUndefined();
  });

  it('holdHours defaults to 48', async () => {
    const { holdHours: _, ...withoutHold } = validBody;
    const answer = await post(withoutHold);
    expect(answer.status).toBe(202);
    expect(answer.body.holdHours).toBe(48);
  });

  it('404 for another agency case, with nothing written and no workflow', async () => {
    expectProblem(await post(validBody, { caseId: OTHER_CASE_ID }), 404);
    expectNothingDone();
  });

  it('404 for another agency case even when the body is malformed or invalid (404 before 400/422)', async () => {
    expectProblem(await post('{not json', { caseId: OTHER_CASE_ID }), 404);
    expectProblem(await post({ colour: 'red' }, { caseId: OTHER_CASE_ID, headers: {} }), 404);
    expectNothingDone();
  });

  it('404 for a case that does not exist and for an id that is not an id', async () => {
    expectProblem(await post(validBody, { caseId: 'CNOSUCHCASE' }), 404);
    expectProblem(await post(validBody, { caseId: 'a b' }), 404);
    expectNothingDone();
  });

  it('400 for malformed JSON and 413 for a body over 256 KB', async () => {
    expectProblem(await post('{"legalBasis":'), 400);
    const huge = JSON.stringify({
      ...validBody,
      targets: [target('B001', '1', '1', { reference: 'x'.repeat(262_144) })],
    });
    expectProblem(await post(huge), 413);
    expectNothingDone();
  });

  it('422 names every bad field, unknown fields included', async () => {
    const problem = expectProblem(
      await post({
        legalBasis: { ...legalBasis, issuedAt: 'last week', stamp: 'red' },
        targets: [
          target('B001', 'A1', '100', { colour: 'red' }),
          target('B001', 'A2', '-5'),
          target('B001', 'A3', '12.5'),
          target('B001', 'A4', '1234567890123456789'),
          { ...target('B001', 'A5', '100'), amount: { currency: 'XXX', minor: '100' } },
          target('B001', 'A6', '0'),
          target('bank 7', 'A 7', '100'),
        ],
        holdHours: 0,
        priority: 'urgent',
      }),
      422,
    );
    expect(errorPaths(problem)).toEqual(
      [
        'holdHours',
        'legalBasis.issuedAt',
        'legalBasis.stamp',
        'priority',
        'targets.0.colour',
        'targets.1.amount.minor',
        'targets.2.amount.minor',
        'targets.3.amount.minor',
        'targets.4.amount.currency',
        'targets.5.amount.minor',
        'targets.6.accountNumber',
        'targets.6.bankId',
      ].sort(),
    );
    expectNothingDone();
  });

  it.each([
    ['no targets', { targets: [] }, 'targets'],
    [
      '501 targets',
      { targets: Array.from({ length: 501 }, (_, i) => target('B001', `A${i}`, '1')) },
      'targets',
    ],
    ['holdHours over 4320', { holdHours: 4320.5 }, 'holdHours'],
    ['a negative holdHours', { holdHours: -1 }, 'holdHours'],
    ['holdHours as a string', { holdHours: '48' }, 'holdHours'],
    ['no legalBasis', { legalBasis: undefined }, 'legalBasis'],
  ])('422 for %s', async (_, change, path) => {
    const problem = expectProblem(await post({ ...validBody, ...change }), 422);
    expect(errorPaths(problem)).toEqual([path]);
    expectNothingDone();
  });

  it('holdHours may be a fraction (seconds-long holds)', async () => {
    expect((await post({ ...validBody, holdHours: 0.001 })).status).toBe(202);
  });

  it('422 targets.N.accountNumber for the same account twice in one order', async () => {
    const problem = expectProblem(
      await post({
        ...validBody,
        targets: [validBody.targets[0], validBody.targets[1], validBody.targets[0]],
      }),
      422,
    );
    expect(errorPaths(problem)).toEqual(['targets.2.accountNumber']);
  });

  it('422 targets.N.bankId for a bank that is not registered', async () => {
    const problem = expectProblem(
      await post({
        ...validBody,
        targets: [validBody.targets[0], target('B404', '6222000011112222', '100')],
      }),
      422,
    );
    expect(problem.errors).toEqual([{ path: 'targets.1.bankId', message: expect.stringContaining('B404') }]);
    expectNothingDone();
  });

  it('422 headers.Idempotency-Key when the header is missing', async () => {
    const problem = expectProblem(await post(validBody, { headers: {} }), 422);
    expect(errorPaths(problem)).toEqual(['headers.Idempotency-Key']);
    expectNothingDone();
  });

  it('409 when an account is already held twice in the case, with nothing written', async () => {
    table.put({
      ...keys.targetedAccount(CASE_ID, 'B002', '6228480011223344'),
      type: 'TargetedAccount',
      bankId: 'B002',
      accountNumber: '6228480011223344',
      instructionIds: new Set([`${CASE_ID}.OAAAAAA.1`, `${CASE_ID}.OBBBBBB.1`]),
    });
    const problem = expectProblem(await post(validBody), 409);
    expect(problem).toMatchObject({ title: 'Conflict', rule: 'MAX_HOLDS_PER_ACCOUNT' });
    expect(problem.detail).toContain('B002/6228480011223344');
    expectNothingDone();
  });

  it('an account held once may be held a second time', async () => {
    table.put({
      ...keys.targetedAccount(CASE_ID, 'B002', '6228480011223344'),
      type: 'TargetedAccount',
      bankId: 'B002',
      accountNumber: '6228480011223344',
      instructionIds: new Set([`${CASE_ID}.OAAAAAA.1`]),
    });
    expect((await post(validBody)).status).toBe(202);
  });

  it('409 when a concurrent order takes the second hold first (the marker condition fails)', async () => {
    table.ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        // instruction #1, its account marker, instruction #2, its account marker (failed), ...
        CancellationReasons: [
          { Code: 'None' },
          { Code: 'None' },
          { Code: 'None' },
          { Code: 'ConditionalCheckFailed' },
        ],
      }),
    );
    const problem = expectProblem(await post(validBody), 409);
    expect(problem).toMatchObject({ rule: 'MAX_HOLDS_PER_ACCOUNT' });
    expect(setup.workflow.startExecution).not.toHaveBeenCalled();
  });

  it('a replay with the same key and body answers the first response and starts the workflow again (a no-op)', async () => {
    const first = {
      orderId: `${CASE_ID}.OFIRST1`,
      caseId: CASE_ID,
      holdHours: 72,
      instructions: [
        {
          instructionId: `${CASE_ID}.OFIRST1.1`,
          bankId: 'B001',
          accountNumber: '6222020200112233',
          status: 'PENDING',
        },
        {
          instructionId: `${CASE_ID}.OFIRST1.2`,
          bankId: 'B002',
          accountNumber: '6228480011223344',
          status: 'PENDING',
        },
      ],
    };
    table.put(
      idempotencyItem(
        'police:PSB-1:u1',
        'order-1',
        validBody,
        { statusCode: 202, body: first },
        `/cases/${CASE_ID}/freeze-orders`,
      ),
    );
    const answer = await post(validBody);
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual(first);
    expect(table.writes()).toHaveLength(0);
    expect(setup.workflow.startExecution).toHaveBeenCalledTimes(1);
    expect(setup.workflow.startExecution).toHaveBeenCalledWith('freezeOrder', first.orderId, {
      caseId: CASE_ID,
      orderId: first.orderId,
      instructionIds: [`${CASE_ID}.OFIRST1.1`, `${CASE_ID}.OFIRST1.2`],
    });
  });

  it('409 for the same key with another body, with nothing written and no workflow', async () => {
    table.put(
      idempotencyItem(
        'police:PSB-1:u1',
        'order-1',
        validBody,
        { statusCode: 202, body: {} },
        `/cases/${CASE_ID}/freeze-orders`,
      ),
    );
    const problem = expectProblem(await post({ ...validBody, holdHours: 24 }), 409);
    expect(problem.title).toBe('Conflict');
    expectNothingDone();
  });

  it('reads the case, the banks and the holds without a Scan', async () => {
    await post(validBody);
    const names = table.ddb.calls().map((c) => c.args[0].constructor.name);
    expect(names).not.toContain('ScanCommand');
    expect(table.ddb.commandCalls(GetCommand, { Key: keys.case(CASE_ID) }).length).toBeGreaterThan(0);
  });

  it('an order over one transaction is written in chunks under an IN_PROGRESS lease, then completed', async () => {
    const targets = Array.from({ length: 60 }, (_, i) =>
      target('B001', `ACC${String(i).padStart(4, '0')}`, '100'),
    );
    const answer = await post({ legalBasis, targets });
    expect(answer.status).toBe(202);
    expect(answer.body.instructions).toHaveLength(60);
    const lease = table.ddb.commandCalls(PutCommand)[0]?.args[0].input;
    expect(lease?.Item).toMatchObject({ state: 'IN_PROGRESS', reserved: { orderId: answer.body.orderId } });
    const transactions = table.ddb
      .commandCalls(TransactWriteCommand)
      .map((c) => c.args[0].input.TransactItems ?? []);
    expect(transactions.every((t) => t.length <= 100)).toBe(true);
    const instructionPuts = transactions.flat().filter((op) => op.Put?.Item?.type === 'Instruction');
    expect(instructionPuts).toHaveLength(60);
    const final = transactions.at(-1) ?? [];
    expect(final.find((op) => op.Put?.Item?.type === 'IdempotencyRecord')?.Put).toMatchObject({
      Item: { state: 'COMPLETE', response: { statusCode: 202 } },
      ConditionExpression: '#state = :inProgress AND requestHash = :hash',
    });
    expect(setup.workflow.startExecution).toHaveBeenCalledTimes(1);
  });
});
