import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { followTheMoney } from '../adapters/dynamo/trail.ts';
import { skPrefix } from '../adapters/keys.ts';
import { log } from '../adapters/logger.ts';
import { fromMoneyJson, type MoneyJson } from '../domain/money.ts';

interface StoredTransfer {
  toBankId: string;
  toAccount: string;
  amount: MoneyJson;
  transferredAt?: string;
  reference?: string;
}

/**
 * Follow the money (and start hold timers): the ONE path for every recorded confirmation, timely or late. In AWS a DynamoDB
 * Streams event source mapping (filtered to INSERTs of CONF# items) invokes it; locally the stream
 * poller of DynamoDB Local calls the same function. At-least-once delivery is safe: the trail of an
 * instruction is resolved once (see followTheMoney) and follow-on executions are named after it.
 */
export const createFollowTheMoney = (deps: Dependencies) =>
  middy<DynamoDBStreamEvent, { followOns: number }, Error, Context>().handler(async (event) => {
    let followOns = 0;
    for (const record of event.Records) {
      if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) continue;
      const item = unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>);
      if (!String(item.SK).startsWith(skPrefix.confirmation) || item.kind !== 'FREEZE') continue;
      const instructionId = String(item.instructionId);
      // Every confirmation that froze funds starts the hold's timer (named after it: once).
      if (BigInt((item.frozen as MoneyJson | undefined)?.minor ?? '0') > 0n) {
        await deps.workflow.startExecution('holdTimer', `${instructionId}-hold`, {
          caseId: String(item.caseId),
          instructionId,
        });
      }
      const transfers = (item.onwardTransfers as StoredTransfer[] | undefined) ?? [];
      if (transfers.length === 0) continue;
      const result = await followTheMoney(
        deps.db,
        instructionId,
        transfers.map((t) => ({ ...t, amount: fromMoneyJson(t.amount) })),
        deps.hopLimit,
        () => deps.now().toISOString(),
      );
      if (!result) {
        log.warn('confirmation names an unknown instruction', { instructionId });
        continue;
      }
      // Started even on a redelivery: the execution name makes a second start a no-op.
      const ids = result.edges.flatMap((e) => (e.toInstructionId ? [e.toInstructionId] : []));
      if (ids.length > 0) {
        await deps.workflow.startExecution('freezeOrder', `${result.parent.instructionId}-follow`, {
          caseId: result.parent.caseId,
          orderId: result.parent.orderId,
          instructionIds: ids,
        });
      }
      followOns += result.followOns.length;
    }
    return { followOns };
  });

export const handler = lambdaEntry(createFollowTheMoney);
