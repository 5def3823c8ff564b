/**
 * The one DynamoDB table of freezeflow (single-table design, docs/design.md §3). CDK builds it from this
 * object and the local runtime creates it in DynamoDB Local from the same object.
 *
 * Items (PK / SK):
 *   CASE#<caseId> / #CASE                    the case, with its audit chain head (auditSeq, auditHead)
 *   CASE#<caseId> / #TOTALS                  case totals: per-currency counters, status counts (ADD)
 *   CASE#<caseId> / ORDER#<orderId>          a freeze order
 *   CASE#<caseId> / INSTR#<instructionId>    a stop-payment instruction (+ its task token)
 *   CASE#<caseId> / CONF#<bankId>#<confId>   a bank confirmation (idempotency by confirmationId)
 *   CASE#<caseId> / ACCT#<bankId>#<account>  account already targeted in the case (holds, cycles)
 *   CASE#<caseId> / EDGE#<fromId>#<nn>       a money-trail edge (an onward transfer)
 *   CASE#<caseId> / AUDIT#<seq>              the case's hash-chained audit events
 *   CASE#<caseId> / AUDITQ#<at>#<change>#<n> an audit entry committed with its change, waiting to be
 *                                            chained by the sequencer (app/sequence-audit.ts), then deleted
 *   BANK#<bankId> / #BANK                    bank directory entry (a reference to its signing secrets)
 *   SECRET#<bankId> / #SIGNING               LOCAL RUNTIME ONLY: the bank's signing secrets (newest
 *                                            first); in AWS they are in Secrets Manager (adapters/
 *                                            secret-store.ts) and this item never exists
 *   LOCAL#STREAM / <shardId>                 LOCAL RUNTIME ONLY: the stream poller's checkpoint per shard
 *   DAY#<yyyy-mm-dd> / BANK#<bankId>#<shard> frozen totals per bank per day (sharded, summed on read)
 *   IDEM#<caller>#<key> / #IDEM              idempotency record of a POST
 *   SANDBOX#<bankId> / TEST#<deliveryId>     a sandbox push and its confirmations (no case; expires)
 *   AUDIT#SYSTEM / #HEAD, AUDIT#<seq>, AUDITQ#… the system chain (banks registered, secrets rotated)
 * GSIs: `due` (GSI3PK DUE#<shard>, GSI3SK <dueAt>#<id>): SPARSE — only open instructions with a next
 *       step (domain/due-work.ts); the reconciler's one Query per shard for work that is due;
 *       `inbox` (GSI1PK BANK#<bankId>, GSI1SK <dispatchedAt>#<id>): a bank's instructions, oldest first;
 *       `inboxByStatus` (GSI2PK BANK#<bankId>#<status>, same sort): the same, by status;
 *       `inboxByUpdate` (GSI4PK BANK#<bankId>, GSI4SK <updatedAt>#<id>): the bank's change feed
 *       (`updatedSince`, dynamo/change-feed-index.ts).
 */
export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

export interface TableDefinition {
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  globalSecondaryIndexes: { indexName: string; partitionKey: KeyAttribute; sortKey: KeyAttribute }[];
  /** Confirmations drive "follow the money" through the table's stream (new images). */
  stream: 'NEW_IMAGE';
}

export const freezeflowTable: TableDefinition = {
  partitionKey: { name: 'PK', type: 'S' },
  sortKey: { name: 'SK', type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: 'inbox',
      partitionKey: { name: 'GSI1PK', type: 'S' },
      sortKey: { name: 'GSI1SK', type: 'S' },
    },
    {
      indexName: 'inboxByStatus',
      partitionKey: { name: 'GSI2PK', type: 'S' },
      sortKey: { name: 'GSI2SK', type: 'S' },
    },
    {
      indexName: 'inboxByUpdate',
      partitionKey: { name: 'GSI4PK', type: 'S' },
      sortKey: { name: 'GSI4SK', type: 'S' },
    },
    {
      indexName: 'due',
      partitionKey: { name: 'GSI3PK', type: 'S' },
      sortKey: { name: 'GSI3SK', type: 'S' },
    },
  ],
  stream: 'NEW_IMAGE',
};

/** Environment variable through which every function learns the table's name. */
export const TABLE_NAME_ENV = 'FREEZEFLOW_TABLE';
