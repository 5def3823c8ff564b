import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { skPrefix } from '../adapters/keys.ts';
import { log } from '../adapters/logger.ts';
import { followConfirmation, type StoredFreezeConfirmation } from '../app/follow-confirmation.ts';

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
      const result = await followConfirmation(deps, item as StoredFreezeConfirmation);
      if (!result.known)
        log.warn('confirmation names an unknown instruction', { instructionId: item.instructionId });
      followOns += result.followOns;
    }
    return { followOns };
  });

export const handler = lambdaEntry(createFollowTheMoney);
