import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { log } from '../adapters/logger.ts';
import { freezeflowTable } from '../adapters/table-definition.ts';
import { sequenceAudit } from '../app/sequence-audit.ts';
import { passesStreamFilter } from '../schemas/stream-consumers.ts';

/** Chains sequenced at once within one batch (each is a few reads and one transaction at a time). */
const CHAINS_AT_ONCE = 8;

/**
 * The audit chain's sequencer: the table's stream (new audit entries only, schemas/stream-consumers.ts)
 * names the chains that have entries waiting; each is chained once per batch (app/sequence-audit.ts).
 * A chain that fails reports its records as batch item failures, so only it is retried.
 */
export const createSequenceAudit = (deps: Dependencies) =>
  middy<DynamoDBStreamEvent, DynamoDBBatchResponse, Error, Context>().handler(async (event) => {
    const byChain = new Map<string, DynamoDBRecord[]>();
    for (const record of event.Records) {
      const pk = record.dynamodb?.Keys?.[freezeflowTable.partitionKey.name]?.S;
      if (pk === undefined || !passesStreamFilter('sequenceAudit', record)) continue;
      byChain.set(pk, [...(byChain.get(pk) ?? []), record]);
    }
    const failed: DynamoDBRecord[] = [];
    const chains = [...byChain.entries()];
    for (let i = 0; i < chains.length; i += CHAINS_AT_ONCE) {
      await Promise.all(
        chains.slice(i, i + CHAINS_AT_ONCE).map(async ([pk, records]) => {
          try {
            await sequenceAudit(deps, pk);
          } catch (error) {
            log.error('audit chain not sequenced', { chain: pk, error: String(error) });
            failed.push(...records);
          }
        }),
      );
    }
    return {
      batchItemFailures: failed.flatMap((r) =>
        r.dynamodb?.SequenceNumber ? [{ itemIdentifier: r.dynamodb.SequenceNumber }] : [],
      ),
    };
  });

export const handler = lambdaEntry(createSequenceAudit);
