/** The Task states' functions: dispatch, register the wait token, overdue, escalate, dispatch failed. */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { keys } from '../../../functions/adapters/keys.ts';
import type { StopPaymentInstruction } from '../../../functions/domain/entities.ts';
import { createEscalateInstruction } from '../../../functions/escalate-instruction/handler.ts';
import { createRecordOverdue } from '../../../functions/record-overdue/handler.ts';
import { createRegisterTaskToken } from '../../../functions/register-task-token/handler.ts';
import {
  bankItem,
  CASE_ID,
  caseItem,
  FakeTable,
  fakeContext,
  INSTRUCTION_ID,
  instructionItem,
  isCaseTotalsKey,
  isInstructionKey,
  NOW,
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

const _SLA_SECONDS = 7200;
const _later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000).toISOString();
const _undispatched: Partial<StopPaymentInstruction> = {
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

// Delivery (FREEZE, REMINDER) and DISPATCH_FAILED run against DynamoDB Local: test/integration/delivery.test.ts.

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
      expect(putOfType(items, 'AuditIntent').Item).toMatchObject({ action: 'INSTRUCTION_OVERDUE' });
    },
  );

  it('a confirmation that won the race: nothing changes and the workflow ends', async () => {
    seed({ status: 'FROZEN' });
    expect(await overdue()).toEqual({ awaiting: false });
    expect(table.writes()).toHaveLength(0);
  });

  it('a transaction DynamoDB cancelled for a concurrent one is retried, not lost', async () => {
    seed({ status: 'DISPATCHED' });
    table.ddb
      .on(TransactWriteCommand)
      .rejectsOnce(
        new TransactionCanceledException({
          message: 'cancelled',
          $metadata: {},
          CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }, { Code: 'None' }],
        }),
      )
      .resolves({});
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
    expect(putOfType(items, 'AuditIntent').Item).toMatchObject({ action: 'INSTRUCTION_ESCALATED' });
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
