import { skPrefix } from '../adapters/keys.ts';
import { freezeflowTable } from '../adapters/table-definition.ts';

/**
 * The table stream's consumers and the records each one is given: one definition for the event
 * source mapping's filter (infra/constructs/functions.ts), the local poller (local/handlers.ts) and
 * the handlers themselves, which check it again (a filter is a cost saving, not a guarantee).
 */
export const streamConsumers = {
  /** Follow the money: every new confirmation item. */
  followTheMoney: { handler: 'follow-the-money', eventName: 'INSERT', sortKeyPrefix: skPrefix.confirmation },
  /** Chain the audit: every new audit entry waiting to be chained. */
  sequenceAudit: { handler: 'sequence-audit', eventName: 'INSERT', sortKeyPrefix: skPrefix.auditIntent },
} as const;

export type StreamConsumer = keyof typeof streamConsumers;

/** The part of a stream record the filters look at (aws-lambda's DynamoDBRecord fits). */
interface FilteredRecord {
  eventName?: string;
  dynamodb?: { Keys?: Record<string, { S?: string } | undefined> };
}

export function passesStreamFilter(consumer: StreamConsumer, record: FilteredRecord): boolean {
  const filter = streamConsumers[consumer];
  const sortKey = record.dynamodb?.Keys?.[freezeflowTable.sortKey.name]?.S;
  return record.eventName === filter.eventName && sortKey?.startsWith(filter.sortKeyPrefix) === true;
}
