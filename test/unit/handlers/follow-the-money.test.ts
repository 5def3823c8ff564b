/** The stream consumer that follows the money for every recorded confirmation (and summarize-order). */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { edgeToItem } from '../../../functions/adapters/dynamo/codec.ts';
import { keys } from '../../../functions/adapters/keys.ts';
import type { StopPaymentInstruction } from '../../../functions/domain/entities.ts';
import { money } from '../../../functions/domain/money.ts';
import { createFollowTheMoney } from '../../../functions/follow-the-money/handler.ts';
import { createSummarizeOrder } from '../../../functions/summarize-order/handler.ts';
import {
  bankItem,
  CASE_ID,
  caseItem,
  FakeTable,
  fakeContext,
  INSTRUCTION_ID,
  instructionItem,
  NOW,
  ORDER_ID,
  testDeps,
  updatedAttributes,
  updateWhere,
} from './support.ts';

const table = new FakeTable();
let setup = testDeps();

const PARENT_ACCOUNT = '6222020200112233';

beforeEach(() => {
  table.reset();
  setup = testDeps();
  table.put(caseItem(undefined, 7), bankItem({ bankId: 'B001' }), bankItem({ bankId: 'B002' }), {
    ...keys.targetedAccount(CASE_ID, 'B001', PARENT_ACCOUNT),
    type: 'TargetedAccount',
    bankId: 'B001',
    accountNumber: PARENT_ACCOUNT,
    instructionIds: new Set([INSTRUCTION_ID]),
  });
});

const transfer = (toBankId: string, toAccount: string, minor: string) => ({
  toBankId,
  toAccount,
  amount: { currency: 'CNY', minor },
  transferredAt: '2026-11-20T09:30:00Z',
});

const seedParent = (overrides: Partial<StopPaymentInstruction>, extra: Record<string, unknown> = {}) =>
  table.put(instructionItem({ status: 'FUNDS_MOVED', confirmedAt: NOW.toISOString(), ...overrides }, extra));

function streamEvent(
  transfers: ReturnType<typeof transfer>[],
  options: { eventName?: DynamoDBRecord['eventName']; sk?: string } = {},
): DynamoDBStreamEvent {
  const image = {
    ...keys.confirmation(CASE_ID, 'B001', 'CONF-1'),
    ...(options.sk ? { SK: options.sk } : {}),
    type: 'BankConfirmation',
    kind: 'FREEZE',
    caseId: CASE_ID,
    instructionId: INSTRUCTION_ID,
    bankId: 'B001',
    confirmationId: 'CONF-1',
    onwardTransfers: transfers,
  };
  return {
    Records: [
      {
        eventName: options.eventName ?? 'INSERT',
        // The Lambda stream types and the SDK's AttributeValue describe the same wire shape.
        dynamodb: { NewImage: marshall(image, { removeUndefinedValues: true }) as never },
      },
    ],
  };
}

const follow = (event: DynamoDBStreamEvent) => createFollowTheMoney(setup.deps)(event, fakeContext());

describe('follow-the-money', () => {
  it('records every edge, creates the hop+1 follow-on in one transaction and starts its execution', async () => {
    seedParent({});
    const result = await follow(
      streamEvent([
        transfer('B002', '6228480011223344', '8000000'),
        transfer('B999', '9999000011112222', '1000000'),
        transfer('B001', PARENT_ACCOUNT, '500000'),
      ]),
    );
    expect(result).toEqual({ batchItemFailures: [], followOns: 1 });
    const items = table.transactItems();
    const followOnId = `${INSTRUCTION_ID}-1`;

    const parent = updateWhere(items, (key) => key.SK === `INSTR#${INSTRUCTION_ID}`);
    expect(parent.ExpressionAttributeValues).toMatchObject({ ':seen': 'FUNDS_MOVED' });
    expect(updatedAttributes(parent)).toMatchObject({ trailResolvedAt: NOW.toISOString() });

    const edges = items.flatMap((op) => (op.Put?.Item.type === 'TrailEdge' ? [op.Put.Item] : []));
    expect(edges.map((e) => [e.toBankId, e.followed, e.toInstructionId, e.reasonNotFollowed])).toEqual([
      ['B002', true, followOnId, undefined],
      ['B999', false, null, 'BANK_NOT_INTEGRATED'],
      ['B001', false, null, 'ALREADY_TARGETED'],
    ]);

    const followOn = items.find((op) => op.Put?.Item.type === 'Instruction')?.Put;
    expect(followOn).toMatchObject({
      Item: {
        ...keys.instruction(CASE_ID, followOnId),
        hop: 2,
        parentInstructionId: INSTRUCTION_ID,
        status: 'PENDING',
        bankId: 'B002',
        accountNumber: '6228480011223344',
        requested: { currency: 'CNY', minor: '8000000' },
        orderId: ORDER_ID,
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    });
    const marker = items.find((op) => op.Update?.Key.SK === `ACCT#B002#6228480011223344`)?.Update;
    expect(marker?.ConditionExpression).toBe('attribute_not_exists(instructionIds)');
    const totals = items.find((op) => op.Update?.Key.SK === '#TOTALS')?.Update;
    expect(totals && updatedAttributes(totals)).toMatchObject({ cnt_PENDING: 1n, hop_2: 1n });
    expect(items.find((op) => op.Put?.Item.type === 'AuditIntent')?.Put?.Item).toMatchObject({
      SK: expect.stringMatching(/^AUDITQ#/),
      action: 'MONEY_TRAIL_FOLLOWED',
    });

    expect(setup.workflow.startExecution).toHaveBeenCalledTimes(1);
    expect(setup.workflow.startExecution).toHaveBeenCalledWith('freezeOrder', `${INSTRUCTION_ID}-follow`, {
      caseId: CASE_ID,
      orderId: ORDER_ID,
      instructionIds: [followOnId],
    });
  });

  it('the budget is requested - frozen - cash withdrawn, taken in the order given', async () => {
    seedParent({
      status: 'PARTIALLY_FROZEN',
      requested: money('CNY', 12_000_000n),
      frozen: money('CNY', 3_000_000n),
      cashWithdrawn: money('CNY', 1_000_000n),
    });
    await follow(
      streamEvent([
        transfer('B002', 'ACC-A', '6000000'),
        transfer('B002', 'ACC-B', '6000000'),
        transfer('B002', 'ACC-C', '100'),
      ]),
    );
    const items = table.transactItems();
    const followOns = items.flatMap((op) => (op.Put?.Item.type === 'Instruction' ? [op.Put.Item] : []));
    expect(followOns.map((f) => [f.accountNumber, (f.requested as { minor: string }).minor])).toEqual([
      ['ACC-A', '6000000'],
      ['ACC-B', '2000000'],
    ]);
    const edges = items.flatMap((op) => (op.Put?.Item.type === 'TrailEdge' ? [op.Put.Item] : []));
    expect(edges[2]).toMatchObject({ followed: false, reasonNotFollowed: 'BUDGET_SPENT' });
  });

  it('no follow-on past the hop limit', async () => {
    seedParent({ hop: 6 });
    expect(await follow(streamEvent([transfer('B002', 'ACC-A', '100')]))).toEqual({
      batchItemFailures: [],
      followOns: 0,
    });
    const edges = table
      .transactItems()
      .flatMap((op) => (op.Put?.Item.type === 'TrailEdge' ? [op.Put.Item] : []));
    expect(edges).toEqual([expect.objectContaining({ reasonNotFollowed: 'HOP_LIMIT', followed: false })]);
    expect(setup.workflow.startExecution).not.toHaveBeenCalled();
  });

  it('a redelivered record creates nothing and starts the same (idempotent) execution again', async () => {
    const followOnId = `${INSTRUCTION_ID}-1`;
    seedParent({}, { trailResolvedAt: NOW.toISOString() });
    table.put(
      edgeToItem(CASE_ID, {
        fromInstructionId: INSTRUCTION_ID,
        transferIndex: 0,
        toInstructionId: followOnId,
        toBankId: 'B002',
        toAccount: 'ACC-A',
        amount: money('CNY', 100n),
        transferredAt: null,
        followed: true,
      }),
    );
    expect(await follow(streamEvent([transfer('B002', 'ACC-A', '100')]))).toEqual({
      batchItemFailures: [],
      followOns: 0,
    });
    expect(table.ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(setup.workflow.startExecution).toHaveBeenCalledWith('freezeOrder', `${INSTRUCTION_ID}-follow`, {
      caseId: CASE_ID,
      orderId: ORDER_ID,
      instructionIds: [followOnId],
    });
  });

  it('ignores modifications, other items and confirmations without transfers', async () => {
    seedParent({});
    await follow(streamEvent([transfer('B002', 'ACC-A', '100')], { eventName: 'MODIFY' }));
    await follow(streamEvent([transfer('B002', 'ACC-A', '100')], { sk: 'AUDIT#0000000001' }));
    await follow(streamEvent([]));
    expect(table.ddb.calls()).toHaveLength(0);
    expect(setup.workflow.startExecution).not.toHaveBeenCalled();
  });
});

describe('summarize-order', () => {
  it('summarizes the fan-out', async () => {
    const result = await createSummarizeOrder(setup.deps)(
      { caseId: CASE_ID, orderId: ORDER_ID, instructionIds: [`${ORDER_ID}.1`, `${ORDER_ID}.2`] },
      fakeContext(),
    );
    expect(result).toEqual({
      caseId: CASE_ID,
      orderId: ORDER_ID,
      instructionsStarted: 2,
      fannedOutAt: NOW.toISOString(),
    });
  });
});
