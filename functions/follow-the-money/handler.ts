import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { Context, DynamoDBBatchItemFailure, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { skPrefix } from '../adapters/keys.ts';
import { log } from '../adapters/logger.ts';
import { followConfirmation, type StoredFreezeConfirmation } from '../app/follow-confirmation.ts';

/** What the event source mapping reads (ReportBatchItemFailures), plus the follow-ons made. */
export interface FollowTheMoneyResult {
  batchItemFailures: DynamoDBBatchItemFailure[];
  followOns: number;
}

/**
 * Follow the money (and start hold timers): the ONE path for every recorded confirmation, timely or late. In AWS a DynamoDB
 * Streams event source mapping (filtered to INSERTs of CONF# items) invokes it; locally the stream
 * poller of DynamoDB Local calls the same function. At-least-once delivery is safe: the trail of an
 * instruction is resolved once (see followTheMoney) and follow-on executions are named after it.
 * Records are processed in order through Powertools' batch processor: a record that fails is
 * reported in `batchItemFailures` (Lambda retries from it, the ones before it are done), so one
 * bad confirmation neither blocks nor repeats the others; a batch that fails whole throws.
 */
export const createFollowTheMoney = (deps: Dependencies) =>
  middy<DynamoDBStreamEvent, FollowTheMoneyResult, Error, Context>().handler(async (event, context) => {
    let followOns = 0;
    const record = async (r: DynamoDBRecord): Promise<void> => {
      if (r.eventName !== 'INSERT' || !r.dynamodb?.NewImage) return;
      const item = unmarshall(r.dynamodb.NewImage as Record<string, AttributeValue>);
      if (!String(item.SK).startsWith(skPrefix.confirmation) || item.kind !== 'FREEZE') return;
      const ids = { caseId: item.caseId, instructionId: item.instructionId, bankId: item.bankId };
      try {
        const result = await followConfirmation(deps, item as StoredFreezeConfirmation);
        if (!result.known) log.warn('confirmation names an unknown instruction', ids);
        followOns += result.followOns;
      } catch (error) {
        log.error('following a confirmation failed', {
          ...ids,
          sequenceNumber: r.dynamodb.SequenceNumber,
          error: String(error),
        });
        throw error;
      }
    };
    const processor = new BatchProcessor(EventType.DynamoDBStreams);
    // In order, not in parallel: Lambda retries a stream from the lowest failed sequence number.
    const { batchItemFailures } = await processPartialResponse(event, record, processor, {
      context,
      processInParallel: false,
    });
    return { batchItemFailures, followOns };
  });

export const handler = lambdaEntry(createFollowTheMoney);
