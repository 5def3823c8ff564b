import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { requestHash } from '../../../functions/adapters/dynamo/idempotency.ts';
import { keys } from '../../../functions/adapters/keys.ts';
import { replayIdentity } from '../../../functions/app/record-confirmation.ts';
import type { StopPaymentInstruction } from '../../../functions/domain/entities.ts';
import {
  type InstructionStatus,
  instructionStatuses,
} from '../../../functions/domain/instruction-lifecycle.ts';
import { createRecordConfirmation } from '../../../functions/record-confirmation/handler.ts';
import {
  CASE_ID,
  type Claims,
  caseItem,
  claims,
  errorPaths,
  expectProblem,
  FakeTable,
  httpEvent,
  INSTRUCTION_ID,
  instructionItem,
  invoke,
  isBankDayKey,
  isCaseTotalsKey,
  isInstructionKey,
  NOW,
  ORDER_ID,
  putOfType,
  testDeps,
  updatedAttributes,
  updateWhere,
} from './support.ts';

const table = new FakeTable();
let setup = testDeps();

beforeEach(() => {
  table.reset();
  setup = testDeps();
  table.put(caseItem(undefined, 3));
});

/** The instruction (requested CNY 120,000.00 at B001) in `status`, with a task token by default. */
const seedInstruction = (
  overrides: Partial<StopPaymentInstruction> = {},
  taskToken: string | null = 'tok-1',
) => table.put(instructionItem(overrides, taskToken ? { taskToken } : {}));

const cny = (minor: string) => ({ currency: 'CNY', minor });

const frozenInFull = {
  confirmationId: 'CONF-1',
  result: 'ACTIONED',
  frozen: cny('12000000'),
  reportedAt: '2026-11-20T09:59:00Z',
};

interface PostOptions {
  bankId?: string;
  instructionId?: string;
  who?: Claims;
}

const post = (body: unknown, options: PostOptions = {}) => {
  const bankId = options.bankId ?? 'B001';
  const instructionId = options.instructionId ?? INSTRUCTION_ID;
  return invoke(
    createRecordConfirmation(setup.deps),
    httpEvent({
      method: 'POST',
      path: `/banks/${bankId}/instructions/${instructionId}/confirmations`,
      pathParameters: { bankId, instructionId },
      claims: options.who ?? claims.bank,
      body,
    }),
  );
};

/** A stored confirmation, as recordFreezeConfirmation writes it. */
const storedConfirmation = (
  body: typeof frozenInFull,
  instructionId = INSTRUCTION_ID,
  status = 'FROZEN',
) => ({
  ...keys.confirmation(CASE_ID, 'B001', body.confirmationId),
  type: 'BankConfirmation',
  kind: 'FREEZE',
  caseId: CASE_ID,
  instructionId,
  bankId: 'B001',
  confirmationId: body.confirmationId,
  result: body.result,
  status,
  frozen: body.frozen,
  requestHash: requestHash(replayIdentity(body)),
  response: { instructionId, status },
});

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

describe('POST /banks/{bankId}/instructions/{instructionId}/confirmations', () => {
  it('201: one transaction with the confirmation, the instruction, both totals, the audit event and the chain head', async () => {
    seedInstruction();
    const answer = await post(frozenInFull);
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ instructionId: INSTRUCTION_ID, status: 'FROZEN' });

    expect(table.ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    const items = table.transactItems();

    expect(putOfType(items, 'BankConfirmation')).toMatchObject({
      Item: {
        ...keys.confirmation(CASE_ID, 'B001', 'CONF-1'),
        instructionId: INSTRUCTION_ID,
        status: 'FROZEN',
        frozen: cny('12000000'),
        late: false,
        requestHash: requestHash(replayIdentity(frozenInFull)),
        response: { instructionId: INSTRUCTION_ID, status: 'FROZEN' },
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    });

    const instruction = updateWhere(items, isInstructionKey);
    expect(instruction.Key).toEqual(keys.instruction(CASE_ID, INSTRUCTION_ID));
    expect(instruction.ConditionExpression).toContain('#status = :seen');
    expect(instruction.ExpressionAttributeNames).toMatchObject({ '#status': 'status' });
    expect(instruction.ExpressionAttributeValues).toMatchObject({ ':seen': 'DISPATCHED' });
    expect(updatedAttributes(instruction)).toMatchObject({
      status: 'FROZEN',
      GSI2PK: 'BANK#B001#FROZEN',
      frozen: cny('12000000'),
      confirmedAt: NOW.toISOString(),
      late: false,
      confirmationId: 'CONF-1',
    });

    const caseTotals = updateWhere(items, isCaseTotalsKey);
    expect(caseTotals.Key).toEqual(keys.caseTotals(CASE_ID));
    expect(caseTotals.UpdateExpression).toMatch(/ADD /);
    expect(updatedAttributes(caseTotals)).toMatchObject({
      amt_frozen_CNY: 12_000_000n,
      cnt_DISPATCHED: -1n,
      cnt_FROZEN: 1n,
    });

    const bankDay = updateWhere(items, isBankDayKey);
    expect(bankDay.Key).toEqual({ PK: 'DAY#2026-11-20', SK: expect.stringMatching(/^BANK#B001#\d+$/) });
    expect(bankDay.UpdateExpression).toMatch(/ADD /);
    expect(updatedAttributes(bankDay)).toMatchObject({
      confirmed: 1n,
      amt_frozen_CNY: 12_000_000n,
      bankId: 'B001',
    });

    // The audit entry, chained later from the stream (functions/app/sequence-audit.ts): nothing
    // every change of the case writes is in this transaction (no chain head).
    expect(putOfType(items, 'AuditIntent')).toMatchObject({
      Item: {
        PK: `CASE#${CASE_ID}`,
        SK: expect.stringMatching(/^AUDITQ#/),
        actor: 'bank:B001:ops1',
        action: 'CONFIRMATION_RECORDED',
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    });
    expect(items.some((op) => op.Update?.Key.SK === '#CASE')).toBe(false);
  });

  it('after recording, completes the waiting task with the stored token', async () => {
    seedInstruction({}, 'tok-1');
    setup.workflow.sendTaskSuccess.mockImplementation(async () => {
      expect(table.ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    });
    await post(frozenInFull);
    expect(setup.workflow.sendTaskSuccess).toHaveBeenCalledTimes(1);
    expect(setup.workflow.sendTaskSuccess).toHaveBeenCalledWith('tok-1', {
      instructionId: INSTRUCTION_ID,
      status: 'FROZEN',
    });
  });

  it('without a task token (not registered yet) no task is completed', async () => {
    seedInstruction({}, null);
    expect((await post(frozenInFull)).status).toBe(201);
    expect(setup.workflow.sendTaskSuccess).not.toHaveBeenCalled();
  });

  it.each([
    ['part of it frozen', { frozen: cny('5000000') }, 'PARTIALLY_FROZEN'],
    [
      'nothing frozen, funds moved on',
      {
        frozen: cny('0'),
        onwardTransfers: [{ toBankId: 'B002', toAccount: '6228480011223344', amount: cny('8000000') }],
      },
      'FUNDS_MOVED',
    ],
    [
      'nothing frozen, cash withdrawn',
      { frozen: undefined, cashWithdrawn: cny('12000000') },
      'CASH_WITHDRAWN',
    ],
    ['account not found', { result: 'ACCOUNT_NOT_FOUND', frozen: undefined }, 'ACCOUNT_NOT_FOUND'],
    [
      'rejected with a reason',
      { result: 'REJECTED', frozen: undefined, reason: 'no legal basis' },
      'REJECTED',
    ],
  ])('201 %s -> %s', async (_, change, status) => {
    seedInstruction();
    const answer = await post({ ...frozenInFull, ...change });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ instructionId: INSTRUCTION_ID, status });
  });

  it('nothing frozen: no frozen amount is added to the totals, the confirmation is still counted', async () => {
    seedInstruction();
    await post({ confirmationId: 'CONF-9', result: 'ACCOUNT_NOT_FOUND' });
    const items = table.transactItems();
    const totals = updatedAttributes(updateWhere(items, isCaseTotalsKey));
    expect(Object.keys(totals).some((k) => k.startsWith('amt_'))).toBe(false);
    expect(totals).toMatchObject({ cnt_DISPATCHED: -1n, cnt_ACCOUNT_NOT_FOUND: 1n });
    const day = updatedAttributes(updateWhere(items, isBankDayKey));
    expect(day).toMatchObject({ confirmed: 1n });
    expect(Object.keys(day).some((k) => k.startsWith('amt_'))).toBe(false);
  });

  it.each(['PENDING', 'DISPATCHED', 'OVERDUE'] as const)(
    'a confirmation is accepted while %s',
    async (status) => {
      seedInstruction({ status });
      expect((await post(frozenInFull)).status).toBe(201);
    },
  );

  it('a late confirmation (OVERDUE) is applied in full and marked late', async () => {
    seedInstruction({ status: 'OVERDUE', overdueAt: '2026-11-20T09:50:00.000Z' });
    const answer = await post(frozenInFull);
    expect(answer.body).toEqual({ instructionId: INSTRUCTION_ID, status: 'FROZEN' });
    const items = table.transactItems();
    expect(putOfType(items, 'BankConfirmation').Item.late).toBe(true);
    const instruction = updateWhere(items, isInstructionKey);
    expect(updatedAttributes(instruction)).toMatchObject({ status: 'FROZEN', late: true });
    expect(instruction.ExpressionAttributeValues).toMatchObject({ ':seen': 'OVERDUE' });
    expect(updatedAttributes(updateWhere(items, isCaseTotalsKey))).toMatchObject({
      amt_frozen_CNY: 12_000_000n,
      cnt_OVERDUE: -1n,
      cnt_FROZEN: 1n,
    });
    expect(putOfType(items, 'AuditIntent').Item.action).toBe('LATE_CONFIRMATION_RECORDED');
  });

  const notAwaiting = instructionStatuses.filter(
    (s): s is InstructionStatus => !['PENDING', 'DISPATCHED', 'DISPATCH_FAILED', 'OVERDUE'].includes(s),
  );

  it('accepts and counts a confirmation while DISPATCH_FAILED (money a bank froze is always counted)', async () => {
    seedInstruction({ status: 'DISPATCH_FAILED', dispatchedAt: null, holdUntil: null });
    const answer = await post(frozenInFull);
    expect(answer.status).toBe(201);
    const items = table.transactItems();
    const instruction = updateWhere(items, isInstructionKey);
    expect(updatedAttributes(instruction)).toMatchObject({ status: 'FROZEN', late: false });
    // The confirmation came first: it sets holdUntil (= confirmation + holdHours).
    expect(updatedAttributes(instruction)['holdUntil']).toEqual(expect.any(String));
    expect(updatedAttributes(updateWhere(items, isCaseTotalsKey))).toMatchObject({
      amt_frozen_CNY: 12_000_000n,
      cnt_DISPATCH_FAILED: -1n,
      cnt_FROZEN: 1n,
    });
  });
  it.each(notAwaiting)('409 for a new confirmation while %s, with nothing written', async (status) => {
    seedInstruction({ status, confirmedAt: '2026-11-20T09:30:00.000Z' });
    const problem = expectProblem(await post(frozenInFull), 409);
    expect(problem).toMatchObject({ title: 'Conflict', rule: 'INSTRUCTION_NOT_AWAITING_CONFIRMATION' });
    expect(table.writes()).toHaveLength(0);
    expect(setup.workflow.sendTaskSuccess).not.toHaveBeenCalled();
  });

  it('a replay of the same confirmationId answers 200 with the first answer and no transaction', async () => {
    seedInstruction({ status: 'FROZEN', confirmedAt: '2026-11-20T09:59:30.000Z' });
    table.put(storedConfirmation(frozenInFull));
    const answer = await post({ ...frozenInFull });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ instructionId: INSTRUCTION_ID, status: 'FROZEN' });
    expect(table.writes()).toHaveLength(0);
  });

  it('409 for the same confirmationId with another body', async () => {
    seedInstruction({ status: 'FROZEN' });
    table.put(storedConfirmation(frozenInFull));
    const problem = expectProblem(await post({ ...frozenInFull, frozen: cny('100') }), 409);
    expect(problem).toMatchObject({ rule: 'CONFIRMATION_ID_REUSED' });
    expect(table.writes()).toHaveLength(0);
  });

  it('two deliveries of one confirmation racing: the loser answers 200 as a replay', async () => {
    seedInstruction();
    table.ddb.on(TransactWriteCommand).callsFakeOnce(() => {
      table.put(
        storedConfirmation(frozenInFull),
        instructionItem({ status: 'FROZEN' }, { taskToken: 'tok-1' }),
      );
      throw cancelled('ConditionalCheckFailed', 'ConditionalCheckFailed', 'None', 'None', 'None', 'None');
    });
    const answer = await post(frozenInFull);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ instructionId: INSTRUCTION_ID, status: 'FROZEN' });
    expect(table.ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('the instruction changed under the transaction (condition on its status fails): decided again -> 409', async () => {
    seedInstruction();
    table.ddb.on(TransactWriteCommand).callsFakeOnce(() => {
      table.put(instructionItem({ status: 'REJECTED' }));
      throw cancelled('None', 'ConditionalCheckFailed', 'None', 'None', 'None', 'None');
    });
    const problem = expectProblem(await post(frozenInFull), 409);
    expect(problem.rule).toBe('INSTRUCTION_NOT_AWAITING_CONFIRMATION');
    expect(table.ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('422 frozen.minor when more than requested is frozen (a lien on the disputed amount, never more)', async () => {
    seedInstruction();
    const problem = expectProblem(await post({ ...frozenInFull, frozen: cny('12000001') }), 422);
    expect(errorPaths(problem)).toEqual(['frozen.minor']);
    expect(table.writes()).toHaveLength(0);
    expect(setup.workflow.sendTaskSuccess).not.toHaveBeenCalled();
  });

  it('422 frozen.currency when frozen is not in the instruction currency', async () => {
    seedInstruction();
    const problem = expectProblem(
      await post({ ...frozenInFull, frozen: { currency: 'USD', minor: '100' } }),
      422,
    );
    expect(errorPaths(problem)).toEqual(['frozen.currency']);
  });

  it('422 result for ACTIONED with nothing frozen, moved or withdrawn', async () => {
    seedInstruction();
    const problem = expectProblem(
      await post({ confirmationId: 'C-2', result: 'ACTIONED', frozen: cny('0') }),
      422,
    );
    expect(errorPaths(problem)).toEqual(['result']);
  });

  it('422 reason for a rejection without one', async () => {
    seedInstruction();
    const problem = expectProblem(await post({ confirmationId: 'C-3', result: 'REJECTED' }), 422);
    expect(errorPaths(problem)).toEqual(['reason']);
  });

  it('422 names every bad field of the body, unknown fields included', async () => {
    seedInstruction();
    const problem = expectProblem(
      await post({
        confirmationId: 'has space',
        result: 'DONE',
        frozen: { currency: 'XXX', minor: '1' },
        cashWithdrawn: cny('-1'),
        onwardTransfers: [
          { toBankId: 'B002', toAccount: '1', amount: cny('12.5') },
          { toBankId: 'B002', toAccount: '2', amount: cny('1234567890123456789'), memo: 'x' },
        ],
        reportedAt: 'now',
        signature: 'abc',
      }),
      422,
    );
    expect(errorPaths(problem)).toEqual(
      [
        'cashWithdrawn.minor',
        'confirmationId',
        'frozen.currency',
        'onwardTransfers.0.amount.minor',
        'onwardTransfers.1.amount.minor',
        'onwardTransfers.1.memo',
        'reportedAt',
        'result',
        'signature',
      ].sort(),
    );
    expect(table.writes()).toHaveLength(0);
  });

  it('404 on another bank path, with nothing read or written', async () => {
    seedInstruction();
    expectProblem(await post(frozenInFull, { who: claims.otherBank }), 404);
    expect(table.ddb.calls()).toHaveLength(0);
  });

  it('404 for another bank instruction, even under its own bank path, with nothing written', async () => {
    seedInstruction({ bankId: 'B001' });
    const problem = expectProblem(await post(frozenInFull, { bankId: 'B002', who: claims.otherBank }), 404);
    expect(problem.title).toBe('Not Found');
    expect(table.writes()).toHaveLength(0);
    expect(setup.workflow.sendTaskSuccess).not.toHaveBeenCalled();
  });

  it('404 for another bank instruction comes before 400 (malformed JSON)', async () => {
    seedInstruction({ bankId: 'B001' });
    expectProblem(await post('{oops', { bankId: 'B002', who: claims.otherBank }), 404);
  });

  it('404 for an instruction that does not exist or an id that is not one of ours', async () => {
    expectProblem(await post(frozenInFull, { instructionId: `${ORDER_ID}.9` }), 404);
    expectProblem(await post(frozenInFull, { instructionId: 'no-such-thing' }), 404);
    expect(table.writes()).toHaveLength(0);
  });

  it('400 for malformed JSON and 413 for a body over 256 KB', async () => {
    seedInstruction();
    expectProblem(await post('{"confirmationId":'), 400);
    expectProblem(await post(JSON.stringify({ ...frozenInFull, reason: 'x'.repeat(262_144) })), 413);
    expect(table.writes()).toHaveLength(0);
  });

  // Regression: a confirmationId is stored per (case, bank), and the replay check compares only the body.
  // A bank that sends the same confirmationId and body for ANOTHER of its instructions gets the first
  // instruction's answer (200, another instructionId) and this instruction's waiting task is
  // completed although nothing was recorded for it (it never goes OVERDUE).
  it('the same confirmationId for another instruction is not a replay of the first', async () => {
    const second = `${ORDER_ID}.2`;
    seedInstruction({ status: 'FROZEN' });
    table.put(
      instructionItem({ instructionId: second, accountNumber: '6222999988887777' }, { taskToken: 'tok-2' }),
    );
    table.put(storedConfirmation(frozenInFull, INSTRUCTION_ID));
    // DynamoDB refuses the put: that confirmationId is taken (by the first instruction).
    table.ddb.on(TransactWriteCommand).callsFakeOnce(() => {
      throw cancelled('ConditionalCheckFailed', 'None', 'None', 'None', 'None', 'None');
    });
    const answer = await post(frozenInFull, { instructionId: second });
    expect(answer.body?.instructionId).not.toBe(INSTRUCTION_ID);
    expectProblem(answer, 409);
    expect(setup.workflow.sendTaskSuccess).not.toHaveBeenCalled();
  });
});

describe('a confirmation that cannot be recorded now (busy, not wrong)', () => {
  it.each([
    ['the Lambda ran out of time (middy TimeoutError)', 'TimeoutError'],
    ['DynamoDB throttled', 'ThrottlingException'],
    ['the audit chain stayed contended', 'ChainRetriesExhausted'],
  ])('503 with Retry-After when %s; the bank repeats it', async (_, name) => {
    seedInstruction({ status: 'DISPATCHED' });
    const busy = Object.assign(new Error('busy'), { name });
    table.ddb.on(TransactWriteCommand).rejects(busy);
    const answer = await post(frozenInFull);
    const problem = expectProblem(answer, 503);
    expect(answer.headers?.['retry-after']).toBe('5');
    expect(problem.detail).toContain('confirmationId');
  });

  it('an unknown error is still a 500 (a bug is not reported as busy)', async () => {
    seedInstruction({ status: 'DISPATCHED' });
    table.ddb.on(TransactWriteCommand).rejects(new TypeError('x is undefined'));
    expectProblem(await post(frozenInFull), 500);
  });
});
