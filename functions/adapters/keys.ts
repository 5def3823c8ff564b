/** Key builders for the items of table-definition.ts: the only place key formats are written. */
export const keys = {
  case: (caseId: string) => ({ PK: `CASE#${caseId}`, SK: '#CASE' }),
  caseTotals: (caseId: string) => ({ PK: `CASE#${caseId}`, SK: '#TOTALS' }),
  order: (caseId: string, orderId: string) => ({ PK: `CASE#${caseId}`, SK: `ORDER#${orderId}` }),
  instruction: (caseId: string, instructionId: string) => ({
    PK: `CASE#${caseId}`,
    SK: `INSTR#${instructionId}`,
  }),
  confirmation: (caseId: string, bankId: string, confirmationId: string) => ({
    PK: `CASE#${caseId}`,
    SK: `CONF#${bankId}#${confirmationId}`,
  }),
  targetedAccount: (caseId: string, bankId: string, accountNumber: string) => ({
    PK: `CASE#${caseId}`,
    SK: `ACCT#${bankId}#${accountNumber}`,
  }),
  trailEdge: (caseId: string, fromInstructionId: string, transferIndex: number) => ({
    PK: `CASE#${caseId}`,
    SK: `EDGE#${fromInstructionId}#${String(transferIndex).padStart(2, '0')}`,
  }),
  auditEvent: (chainPk: string, seq: number) => ({
    PK: chainPk,
    SK: `AUDIT#${String(seq).padStart(10, '0')}`,
  }),
  /** A change's audit entry waiting to be chained (functions/app/sequence-audit.ts): ordered by time. */
  auditIntent: (chainPk: string, at: string, changeId: string, index: number) => ({
    PK: chainPk,
    SK: `AUDITQ#${at}#${changeId}#${String(index).padStart(3, '0')}`,
  }),
  bank: (bankId: string) => ({ PK: `BANK#${bankId}`, SK: '#BANK' }),
  bankHeld: (bankId: string) => ({ PK: `BANK#${bankId}`, SK: '#HELD' }),
  /** Local runtime only (in AWS the secrets are in Secrets Manager): apart from the bank item. */
  signingSecrets: (bankId: string) => ({ PK: `SECRET#${bankId}`, SK: '#SIGNING' }),
  bankDayTotals: (day: string, bankId: string, shard: number) => ({
    PK: `DAY#${day}`,
    SK: `BANK#${bankId}#${shard}`,
  }),
  /** A sandbox push and the confirmations it got (app/test-delivery.ts): no case, expires. */
  sandboxDelivery: (bankId: string, deliveryId: string) => ({
    PK: `SANDBOX#${bankId}`,
    SK: `TEST#${deliveryId}`,
  }),
  idempotency: (callerScope: string, key: string) => ({ PK: `IDEM#${callerScope}#${key}`, SK: '#IDEM' }),
  inbox: (bankId: string) => `BANK#${bankId}`,
  inboxByStatus: (bankId: string, status: string) => `BANK#${bankId}#${status}`,
  casePartition: (caseId: string) => `CASE#${caseId}`,
  dueShard: (shard: number) => `DUE#${shard}`,
  systemChain: 'AUDIT#SYSTEM',
} as const;

export const skPrefix = {
  order: 'ORDER#',
  instruction: 'INSTR#',
  confirmation: 'CONF#',
  targetedAccount: 'ACCT#',
  trailEdge: 'EDGE#',
  auditEvent: 'AUDIT#',
  auditIntent: 'AUDITQ#',
} as const;

/** The sparse due index is spread over this many partitions (one Query each per reconciler sweep). */
export const DUE_SHARDS = 4;

/** Per-bank-per-day totals are split over this many items to stay under DynamoDB's per-item write rate. */
export const BANK_DAY_SHARDS = 4;
