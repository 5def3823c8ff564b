import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadCaseView, queryCase } from '../../functions/adapters/dynamo/cases.ts';
import { changeInstruction } from '../../functions/adapters/dynamo/instructions.ts';
import { createFollowTheMoney } from '../../functions/follow-the-money/handler.ts';
import { createRecordConfirmation } from '../../functions/record-confirmation/handler.ts';
import { createRegisterTaskToken } from '../../functions/register-task-token/handler.ts';
import { localLambdaContext } from '../../local/lambda-context.ts';
import { dumpTable } from '../support/dump.ts';
import { useDynamoLocal } from '../support/dynamo.ts';
import { cny, openTestCase, registerPullBank, submitOrder, testDependencies } from '../support/fixtures.ts';
import { apiEvent, bank, call } from '../support/http-events.ts';

const dynamo = useDynamoLocal();

/** The stream record DynamoDB (or the local poller) would deliver for a confirmation item. */
async function streamEventFor(
  deps: ReturnType<typeof testDependencies>,
  caseId: string,
  instructionId: string,
) {
  const items = await queryCase(deps.db, caseId, 'CONF#');
  const item = items.find((i) => i.instructionId === instructionId);
  if (!item) throw new Error('no confirmation recorded');
  const image = marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: true });
  return {
    Records: [
      {
        eventID: '1',
        eventName: 'INSERT',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        dynamodb: {
          Keys: { PK: image.PK!, SK: image.SK! },
          NewImage: image,
          SequenceNumber: '1',
          StreamViewType: 'NEW_IMAGE',
        },
      },
    ],
  } as unknown as DynamoDBStreamEvent;
}

describe('follow the money (the stream consumer) against DynamoDB Local', () => {
  let deps: ReturnType<typeof testDependencies>;
  let caseId: string;

  beforeEach(async () => {
    deps = testDependencies(await dynamo.freshDb());
    for (const b of ['B1', 'B2', 'B3']) await registerPullBank(deps, b);
    caseId = await openTestCase(deps);
  });

  const confirm = (bankId: string, instructionId: string, body: Record<string, unknown>) =>
    call<{ status: string }>(
      createRecordConfirmation(deps),
      apiEvent('recordConfirmation', { claims: bank(bankId), path: { bankId, instructionId }, body }),
    );
  const follow = async (instructionId: string) =>
    createFollowTheMoney(deps)(await streamEventFor(deps, caseId, instructionId), localLambdaContext('ftm'));

  it('creates follow-ons at hop + 1 within the budget, in transfer order, and starts one execution for them', async () => {
    const order = await submitOrder(deps, caseId, [{ bankId: 'B1', accountNumber: 'A1', minor: 1000n }]);
    const parent = order.body.instructions[0]!.instructionId;
    await confirm('B1', parent, {
      confirmationId: 'c1',
      result: 'ACTIONED',
      frozen: cny(200n),
      cashWithdrawn: cny(100n),
      onwardTransfers: [
        { toBankId: 'B2', toAccount: 'A2', amount: cny(500n) },
        { toBankId: 'B3', toAccount: 'A3', amount: cny(500n) },
        { toBankId: 'B3', toAccount: 'A4', amount: cny(10n) },
      ],
    });
    const result = await follow(parent);
    expect(result).toEqual({ batchItemFailures: [], followOns: 2 });
    const view = await loadCaseView(deps.db, caseId);
    const children = view!.instructions.filter((i) => i.parentInstructionId === parent);
    // budget 1000 - 200 - 100 = 700: 500 to A2, then 200 to A3, nothing left for A4.
    expect(children.map((c) => [c.accountNumber, c.requested.minor, c.hop, c.status])).toEqual([
      ['A2', 500n, 2, 'PENDING'],
      ['A3', 200n, 2, 'PENDING'],
    ]);
    expect(view!.edges.map((e) => [e.toAccount, e.followed, e.reasonNotFollowed])).toEqual([
      ['A2', true, undefined],
      ['A3', true, undefined],
      ['A4', false, 'BUDGET_SPENT'],
    ]);
    expect(deps.workflow.startExecution).toHaveBeenCalledWith('freezeOrder', `${parent}-follow`, {
      caseId,
      orderId: order.body.orderId,
      instructionIds: children.map((c) => c.instructionId),
    });
  });

  it('a redelivered stream record creates nothing twice', async () => {
    const order = await submitOrder(deps, caseId, [{ bankId: 'B1', accountNumber: 'A1', minor: 1000n }]);
    const parent = order.body.instructions[0]!.instructionId;
    await confirm('B1', parent, {
      confirmationId: 'c1',
      result: 'ACTIONED',
      onwardTransfers: [{ toBankId: 'B2', toAccount: 'A2', amount: cny(1000n) }],
    });
    await follow(parent);
    const before = await dumpTable(deps.db);
    const again = await Promise.all([follow(parent), follow(parent)]);
    expect(again).toEqual([
      { batchItemFailures: [], followOns: 0 },
      { batchItemFailures: [], followOns: 0 },
    ]);
    expect(await dumpTable(deps.db)).toBe(before);
    // the start is repeated (the execution name makes it a no-op in Step Functions)
    const followStarts = deps.workflow.startExecution.mock.calls.filter((c) => c[1] === `${parent}-follow`);
    expect(followStarts).toHaveLength(3);
    expect(new Set(followStarts.map((c) => JSON.stringify(c[2]))).size).toBe(1);
  });

  it('does not follow a cycle back to an account already targeted, nor an unknown bank', async () => {
    const order = await submitOrder(deps, caseId, [
      { bankId: 'B1', accountNumber: 'A1', minor: 1000n },
      { bankId: 'B2', accountNumber: 'A2', minor: 1000n },
    ]);
    const [first] = order.body.instructions;
    await confirm('B1', first!.instructionId, {
      confirmationId: 'c1',
      result: 'ACTIONED',
      onwardTransfers: [
        { toBankId: 'B2', toAccount: 'A2', amount: cny(400n) },
        { toBankId: 'NOT-A-BANK', toAccount: 'X9', amount: cny(300n) },
        { toBankId: 'B3', toAccount: 'A3', amount: cny(300n) },
      ],
    });
    expect(await follow(first!.instructionId)).toEqual({ batchItemFailures: [], followOns: 1 });
    const view = await loadCaseView(deps.db, caseId);
    expect(view!.edges.map((e) => e.reasonNotFollowed ?? 'FOLLOWED')).toEqual([
      'ALREADY_TARGETED',
      'BANK_NOT_INTEGRATED',
      'FOLLOWED',
    ]);
  });

  it('stops at the hop limit', async () => {
    deps.hopLimit = 2;
    const order = await submitOrder(deps, caseId, [{ bankId: 'B1', accountNumber: 'A1', minor: 1000n }]);
    const hop1 = order.body.instructions[0]!.instructionId;
    await confirm('B1', hop1, {
      confirmationId: 'c1',
      result: 'ACTIONED',
      onwardTransfers: [{ toBankId: 'B2', toAccount: 'A2', amount: cny(1000n) }],
    });
    await follow(hop1);
    const hop2 = (await loadCaseView(deps.db, caseId))!.instructions.find((i) => i.hop === 2)!;
    await confirm('B2', hop2.instructionId, {
      confirmationId: 'c2',
      result: 'ACTIONED',
      onwardTransfers: [{ toBankId: 'B3', toAccount: 'A3', amount: cny(1000n) }],
    });
    expect(await follow(hop2.instructionId)).toEqual({ batchItemFailures: [], followOns: 0 });
    const view = await loadCaseView(deps.db, caseId);
    expect(view!.edges.find((e) => e.fromInstructionId === hop2.instructionId)?.reasonNotFollowed).toBe(
      'HOP_LIMIT',
    );
    expect(Math.max(...view!.instructions.map((i) => i.hop))).toBe(2);
  });

  it('a late confirmation (after OVERDUE) is applied in full and still starts its follow-ons', async () => {
    const order = await submitOrder(deps, caseId, [{ bankId: 'B1', accountNumber: 'A1', minor: 1000n }]);
    const id = order.body.instructions[0]!.instructionId;
    await changeInstruction(deps.db, id, () => new Date().toISOString(), {
      decide: () => ({
        patch: { status: 'OVERDUE', overdueAt: new Date().toISOString() },
        audit: [{ actor: 'test', action: 'INSTRUCTION_OVERDUE', subject: id }],
      }),
    });
    const answer = await confirm('B1', id, {
      confirmationId: 'late',
      result: 'ACTIONED',
      frozen: cny(600n),
      onwardTransfers: [{ toBankId: 'B2', toAccount: 'A2', amount: cny(400n) }],
    });
    expect(answer.status).toBe(201);
    expect(answer.body.status).toBe('PARTIALLY_FROZEN');
    expect(await follow(id)).toEqual({ batchItemFailures: [], followOns: 1 });
    const view = await loadCaseView(deps.db, caseId);
    const parent = view!.instructions.find((i) => i.instructionId === id)!;
    expect(parent.late).toBe(true);
    expect(view!.instructions.find((i) => i.hop === 2)?.requested.minor).toBe(400n);
  });

  it('the confirmation-before-token race: registering the token after the confirmation completes it at once', async () => {
    const order = await submitOrder(deps, caseId, [{ bankId: 'B1', accountNumber: 'A1', minor: 1000n }]);
    const id = order.body.instructions[0]!.instructionId;
    await confirm('B1', id, { confirmationId: 'c1', result: 'ACTIONED', frozen: cny(1000n) });
    expect(deps.workflow.sendTaskSuccess).not.toHaveBeenCalled();
    await createRegisterTaskToken(deps)(
      { caseId, instructionId: id, taskToken: 'tok-1' },
      localLambdaContext('rtt'),
    );
    expect(deps.workflow.sendTaskSuccess).toHaveBeenCalledWith('tok-1', {
      instructionId: id,
      status: 'FROZEN',
    });
  });
});
