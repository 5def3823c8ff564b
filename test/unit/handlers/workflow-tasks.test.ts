/** The Task states' functions: dispatch, register the wait token, overdue, escalate, dispatch failed. */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ConnectorPermanentError,
  ConnectorTransientError,
} from '../../../functions/adapters/bank-connector.ts';
import { keys } from '../../../functions/adapters/keys.ts';
import { createDispatchInstruction } from '../../../functions/dispatch-instruction/handler.ts';
import type { StopPaymentInstruction } from '../../../functions/domain/entities.ts';
import { createEscalateInstruction } from '../../../functions/escalate-instruction/handler.ts';
import { createRecordDispatchFailed } from '../../../functions/record-dispatch-failed/handler.ts';
import { createRecordOverdue } from '../../../functions/record-overdue/handler.ts';
import { createRegisterTaskToken } from '../../../functions/register-task-token/handler.ts';
import {
  bank,
  bankItem,
  CASE_ID,
  caseItem,
  FakeTable,
  fakeContext,
  INSTRUCTION_ID,
  instructionItem,
  isCaseHeadKey,
  isCaseTotalsKey,
  isInstructionKey,
  legalBasis,
  NOW,
  ORDER_ID,
  putOfType,
  testDeps,
  updatedAttributes,
  updatesWhere,
  updateWhere,
} from './support.ts';

const table = new FakeTable();
let setup = testDeps();

beforeEach(() => {
  table.reset();
  setup = testDeps();
  table.put(caseItem(undefined, 5), bankItem({ slaSeconds: 7200 }));
});

const SLA_SECONDS = 7200;
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000).toISOString();
const undispatched: Partial<StopPaymentInstruction> = {
  status: 'PENDING',
  dispatchedAt: null,
  deadlineAt: null,
  holdUntil: null,
  holdHours: 48,
};
const seed = (overrides: Partial<StopPaymentInstruction>, extra: Record<string, unknown> = {}) =>
  table.put(instructionItem(overrides, extra));
const input = { caseId: CASE_ID, instructionId: INSTRUCTION_ID };

const cancelledAt = (index: number, length: number) =>
  new TransactionCanceledException({
    message: 'cancelled',
    $metadata: {},
    CancellationReasons: Array.from({ length }, (_, i) => ({
      Code: i === index ? 'ConditionalCheckFailed' : 'None',
    })),
  });

describe('dispatch-instruction (FREEZE)', () => {
  const dispatch = (kind: 'FREEZE' | 'REMINDER' = 'FREEZE') =>
    createDispatchInstruction(setup.deps)({ ...input, kind }, fakeContext());

  it('pushes the API.md FREEZE message, records DISPATCHED, and waits about slaSeconds', async () => {
    seed(undispatched);
    setup.connector.push.mockImplementation(async () => {
      expect(table.ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    });
    const result = await dispatch();
    expect(result).toEqual({ awaiting: true, timeoutSeconds: SLA_SECONDS });

    expect(setup.connector.push).toHaveBeenCalledTimes(1);
    const [toBank, message, deliveryId] = setup.connector.push.mock.calls[0]!;
    expect(toBank).toEqual(bank({ slaSeconds: 7200 }));
    expect(deliveryId).toBe(`${INSTRUCTION_ID}:FREEZE`);
    expect(message).toEqual({
      kind: 'FREEZE',
      instructionId: INSTRUCTION_ID,
      caseId: CASE_ID,
      orderId: ORDER_ID,
      hop: 1,
      bankId: 'B001',
      accountNumber: '6222020200112233',
      accountName: 'Zhang San',
      amount: { currency: 'CNY', minor: '12000000' },
      legalBasis,
      deadlineAt: later(SLA_SECONDS),
      holdUntil: later(48 * 3600),
      confirmUrl: `https://api.freezeflow.test/banks/B001/instructions/${INSTRUCTION_ID}/confirmations`,
    });
    expect(Number.isInteger(message.hop)).toBe(true);

    const items = table.transactItems();
    const instruction = updateWhere(items, isInstructionKey);
    expect(instruction).toMatchObject({
      Key: keys.instruction(CASE_ID, INSTRUCTION_ID),
      ExpressionAttributeValues: { ':seen': 'PENDING' },
    });
    expect(instruction.ConditionExpression).toContain('#status = :seen');
    expect(updatedAttributes(instruction)).toMatchObject({
      status: 'DISPATCHED',
      GSI2PK: 'BANK#B001#DISPATCHED',
      dispatchedAt: NOW.toISOString(),
      deadlineAt: later(SLA_SECONDS),
      holdUntil: later(48 * 3600),
    });
    expect(updatedAttributes(updateWhere(items, isCaseTotalsKey))).toMatchObject({
      cnt_PENDING: -1n,
      cnt_DISPATCHED: 1n,
    });
    expect(putOfType(items, 'AuditEvent').Item).toMatchObject({
      seq: 6,
      action: 'INSTRUCTION_DISPATCHED',
      actor: 'system:workflow',
    });
    expect(updateWhere(items, isCaseHeadKey).ExpressionAttributeValues).toMatchObject({
      ':prev': 5,
      ':next': 6,
    });
  });

  it('timeoutSeconds follows the bank SLA', async () => {
    table.put(bankItem({ slaSeconds: 90 }));
    seed(undispatched);
    expect(await dispatch()).toEqual({ awaiting: true, timeoutSeconds: 90 });
  });

  it('a pull bank is not pushed to (the instruction is in its inbox) but is recorded DISPATCHED', async () => {
    table.put(
      bankItem({ mode: 'pull', endpoint: undefined, signingSecretRef: undefined, signingSecretsValid: 0 }),
    );
    seed(undispatched);
    expect(await dispatch()).toEqual({ awaiting: true, timeoutSeconds: SLA_SECONDS });
    expect(setup.connector.push).not.toHaveBeenCalled();
    expect(updatedAttributes(updateWhere(table.transactItems(), isInstructionKey))).toMatchObject({
      status: 'DISPATCHED',
    });
  });

  it('a transient connector error propagates by name (the ASL retries it), nothing recorded', async () => {
    seed(undispatched);
    setup.connector.push.mockRejectedValue(new ConnectorTransientError('bank B001 answered 503'));
    await expect(dispatch()).rejects.toMatchObject({ name: 'ConnectorTransientError' });
    expect(table.writes()).toHaveLength(0);
  });

  it('a permanent connector error propagates by name (the ASL catches it)', async () => {
    seed(undispatched);
    setup.connector.push.mockRejectedValue(new ConnectorPermanentError('bank B001 answered 404'));
    await expect(dispatch()).rejects.toMatchObject({ name: 'ConnectorPermanentError' });
    expect(table.writes()).toHaveLength(0);
  });

  it('a bank that is not registered is a permanent error', async () => {
    seed({ ...undispatched, bankId: 'B404' });
    await expect(dispatch()).rejects.toMatchObject({ name: 'ConnectorPermanentError' });
    expect(setup.connector.push).not.toHaveBeenCalled();
  });

  it('an instruction already confirmed is not delivered again', async () => {
    seed({ status: 'FROZEN', confirmedAt: '2026-11-20T09:59:00.000Z' });
    expect(await dispatch()).toEqual({ awaiting: false, timeoutSeconds: 1 });
    expect(setup.connector.push).not.toHaveBeenCalled();
    expect(table.writes()).toHaveLength(0);
  });

  it('reads the instruction once: the version-locked write proves the read before the push current', async () => {
    seed(undispatched);
    await dispatch();
    const instructionReads = table.ddb
      .commandCalls(GetCommand)
      .filter((c) => (c.args[0].input.Key as { SK: string }).SK.startsWith('INSTR#'));
    expect(instructionReads).toHaveLength(1);
    expect(table.ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('a bank confirming during the push keeps its status; only the times are recorded and the wait ends', async () => {
    seed(undispatched);
    setup.connector.push.mockImplementation(async () => {
      seed({ ...undispatched, status: 'FROZEN', confirmedAt: NOW.toISOString() });
    });
    // The write decided on the instruction read before the push fails its status/version condition
    // in DynamoDB (the instruction is the first item); the retry reads it again.
    table.ddb.on(TransactWriteCommand).rejectsOnce(cancelledAt(0, 4)).resolves({});
    expect(await dispatch()).toEqual({ awaiting: false, timeoutSeconds: SLA_SECONDS });
    expect(table.ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
    const items = table.transactItems(1);
    const instruction = updateWhere(items, isInstructionKey);
    const set = updatedAttributes(instruction);
    expect(set).toMatchObject({ dispatchedAt: NOW.toISOString(), deadlineAt: later(SLA_SECONDS) });
    expect(set).not.toHaveProperty('status');
    expect(instruction.ExpressionAttributeValues).toMatchObject({ ':seen': 'FROZEN' });
    // no totals change: the status did not move
    expect(updatesWhere(items, isCaseTotalsKey)).toEqual([]);
  });

  it('a redelivered dispatch does not move dispatchedAt (holdUntil counts from the first delivery)', async () => {
    seed({ status: 'DISPATCHED', dispatchedAt: '2026-11-20T09:00:00.000Z', deadlineAt: later(600) });
    expect(await dispatch()).toEqual({ awaiting: true, timeoutSeconds: 600 });
    expect(table.writes()).toHaveLength(0);
  });

  it('a malformed task payload fails loudly', async () => {
    await expect(
      createDispatchInstruction(setup.deps)({ instructionId: 'x' }, fakeContext()),
    ).rejects.toThrow();
    await expect(
      createDispatchInstruction(setup.deps)({ ...input, kind: 'SHOUT' }, fakeContext()),
    ).rejects.toThrow();
  });
});

describe('dispatch-instruction (REMINDER)', () => {
  const remind = () => createDispatchInstruction(setup.deps)({ ...input, kind: 'REMINDER' }, fakeContext());

  it('pushes one REMINDER with a second deadline and records it', async () => {
    seed({
      status: 'OVERDUE',
      overdueAt: '2026-11-20T09:59:00.000Z',
      deadlineAt: '2026-11-20T09:58:00.000Z',
    });
    expect(await remind()).toEqual({ awaiting: true, timeoutSeconds: SLA_SECONDS });
    const [, message, deliveryId] = setup.connector.push.mock.calls[0]!;
    expect(deliveryId).toBe(`${INSTRUCTION_ID}:REMINDER`);
    expect(message).toMatchObject({
      kind: 'REMINDER',
      instructionId: INSTRUCTION_ID,
      deadlineAt: later(SLA_SECONDS),
      originalDeadlineAt: '2026-11-20T09:58:00.000Z',
    });
    const set = updatedAttributes(updateWhere(table.transactItems(), isInstructionKey));
    expect(set).toMatchObject({ reminderDeadlineAt: later(SLA_SECONDS), remindedAt: NOW.toISOString() });
    expect(set).not.toHaveProperty('status');
  });

  it('no reminder once the bank has confirmed', async () => {
    seed({ status: 'FROZEN', late: true });
    expect(await remind()).toEqual({ awaiting: false, timeoutSeconds: 1 });
    expect(setup.connector.push).not.toHaveBeenCalled();
  });
});

describe('register-task-token', () => {
  const register = (taskToken = 'task-token-1') =>
    createRegisterTaskToken(setup.deps)({ ...input, taskToken }, fakeContext());

  it('stores the token on the instruction and waits while it is DISPATCHED', async () => {
    table.ddb
      .on(UpdateCommand)
      .resolves({ Attributes: instructionItem({ status: 'DISPATCHED' }, { taskToken: 'task-token-1' }) });
    expect(await register()).toEqual({ completed: false });
    expect(setup.workflow.sendTaskSuccess).not.toHaveBeenCalled();
    expect(table.ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      Key: keys.instruction(CASE_ID, INSTRUCTION_ID),
      UpdateExpression: 'SET taskToken = :token',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':token': 'task-token-1' },
      ReturnValues: 'ALL_NEW',
    });
  });

  it.each(['PENDING', 'OVERDUE'] as const)('waits while %s', async (status) => {
    table.ddb.on(UpdateCommand).resolves({ Attributes: instructionItem({ status }) });
    expect(await register()).toEqual({ completed: false });
    expect(setup.workflow.sendTaskSuccess).not.toHaveBeenCalled();
  });

  it('the race: the bank confirmed before the token was stored -> completes the task at once', async () => {
    table.ddb.on(UpdateCommand).resolves({
      Attributes: instructionItem(
        { status: 'FROZEN', confirmedAt: NOW.toISOString() },
        { taskToken: 'task-token-1' },
      ),
    });
    expect(await register()).toEqual({ completed: true });
    expect(setup.workflow.sendTaskSuccess).toHaveBeenCalledTimes(1);
    expect(setup.workflow.sendTaskSuccess).toHaveBeenCalledWith('task-token-1', {
      instructionId: INSTRUCTION_ID,
      status: 'FROZEN',
    });
  });

  it('an instruction that does not exist fails the task', async () => {
    table.ddb.on(UpdateCommand).rejects(
      Object.assign(new Error('The conditional request failed'), {
        name: 'ConditionalCheckFailedException',
      }),
    );
    await expect(register()).rejects.toThrow();
    await expect(
      createRegisterTaskToken(setup.deps)(
        { caseId: CASE_ID, instructionId: 'not-ours', taskToken: 't' },
        fakeContext(),
      ),
    ).rejects.toThrow(/does not exist/);
    expect(setup.workflow.sendTaskSuccess).not.toHaveBeenCalled();
  });
});

describe('record-overdue', () => {
  const overdue = () => createRecordOverdue(setup.deps)(input, fakeContext());

  it.each(['PENDING', 'DISPATCHED'] as const)(
    '%s -> OVERDUE with totals and an audit event',
    async (status) => {
      seed({ status });
      expect(await overdue()).toEqual({ awaiting: true });
      const items = table.transactItems();
      const instruction = updateWhere(items, isInstructionKey);
      expect(instruction.ExpressionAttributeValues).toMatchObject({ ':seen': status });
      expect(updatedAttributes(instruction)).toMatchObject({
        status: 'OVERDUE',
        overdueAt: NOW.toISOString(),
        GSI2PK: 'BANK#B001#OVERDUE',
      });
      expect(updatedAttributes(updateWhere(items, isCaseTotalsKey))).toMatchObject({
        [`cnt_${status}`]: -1n,
        cnt_OVERDUE: 1n,
      });
      expect(putOfType(items, 'AuditEvent').Item).toMatchObject({ action: 'INSTRUCTION_OVERDUE' });
    },
  );

  it('a confirmation that won the race: nothing changes and the workflow ends', async () => {
    seed({ status: 'FROZEN' });
    expect(await overdue()).toEqual({ awaiting: false });
    expect(table.writes()).toHaveLength(0);
  });

  it('a concurrent change of the case chain is retried, not lost', async () => {
    seed({ status: 'DISPATCHED' });
    table.ddb.on(TransactWriteCommand).rejectsOnce(cancelledAt(3, 4)).resolves({});
    expect(await overdue()).toEqual({ awaiting: true });
    expect(table.ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });

  it('the instruction confirmed meanwhile (its condition fails): decided again, nothing written', async () => {
    seed({ status: 'DISPATCHED' });
    table.ddb.on(TransactWriteCommand).callsFakeOnce(() => {
      seed({ status: 'FROZEN' });
      throw cancelledAt(0, 4);
    });
    expect(await overdue()).toEqual({ awaiting: false });
    expect(table.ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });
});

describe('escalate-instruction', () => {
  const escalate = () => createEscalateInstruction(setup.deps)(input, fakeContext());

  it('an OVERDUE instruction stays OVERDUE and gets escalatedAt plus an event', async () => {
    seed({ status: 'OVERDUE', overdueAt: '2026-11-20T08:00:00.000Z' });
    expect(await escalate()).toEqual({ escalated: true });
    const items = table.transactItems();
    const set = updatedAttributes(updateWhere(items, isInstructionKey));
    expect(set).toMatchObject({ escalatedAt: NOW.toISOString() });
    expect(set).not.toHaveProperty('status');
    expect(updatesWhere(items, isCaseTotalsKey)).toEqual([]);
    expect(putOfType(items, 'AuditEvent').Item).toMatchObject({ action: 'INSTRUCTION_ESCALATED' });
  });

  it('escalates once', async () => {
    seed({ status: 'OVERDUE', escalatedAt: '2026-11-20T09:00:00.000Z' });
    expect(await escalate()).toEqual({ escalated: false });
    expect(table.writes()).toHaveLength(0);
  });

  it('not after a late confirmation', async () => {
    seed({ status: 'FROZEN', late: true });
    expect(await escalate()).toEqual({ escalated: false });
    expect(table.writes()).toHaveLength(0);
  });
});

describe('record-dispatch-failed', () => {
  const failed = (error?: { Error: string; Cause?: unknown }) =>
    createRecordDispatchFailed(setup.deps)({ ...input, ...(error ? { error } : {}) }, fakeContext());

  it.each(['PENDING', 'DISPATCHED'] as const)('%s -> DISPATCH_FAILED with the reason', async (status) => {
    seed({ status });
    const result = await failed({
      Error: 'ConnectorPermanentError',
      Cause: 'bank B001 answered 404 to FREEZE',
    });
    expect(result).toEqual({ recorded: true });
    const items = table.transactItems();
    expect(updatedAttributes(updateWhere(items, isInstructionKey))).toMatchObject({
      status: 'DISPATCH_FAILED',
      dispatchFailedAt: NOW.toISOString(),
      dispatchError: 'ConnectorPermanentError: bank B001 answered 404 to FREEZE',
    });
    expect(updatedAttributes(updateWhere(items, isCaseTotalsKey))).toMatchObject({
      [`cnt_${status}`]: -1n,
      cnt_DISPATCH_FAILED: 1n,
    });
    expect(putOfType(items, 'AuditEvent').Item).toMatchObject({ action: 'DISPATCH_FAILED' });
  });

  it('without an error object the reason says unknown', async () => {
    seed({ status: 'PENDING' });
    await failed();
    expect(updatedAttributes(updateWhere(table.transactItems(), isInstructionKey)).dispatchError).toMatch(
      /^unknown/,
    );
  });

  it('a confirmed instruction is left alone', async () => {
    seed({ status: 'FROZEN' });
    expect(await failed({ Error: 'States.Timeout' })).toEqual({ recorded: false });
    expect(table.writes()).toHaveLength(0);
  });
});
