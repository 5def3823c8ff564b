import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { type AuditEvent, GENESIS_HASH, nextAuditEvent } from '../../domain/audit-chain.ts';
import { keys } from '../keys.ts';
import type { Db } from './db.ts';

export type TxOp = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
/** A transaction item with a name, so a cancelled transaction says which condition failed. */
export interface LabeledOp {
  label: string;
  op: TxOp;
}

export class TransactionConflict extends Error {
  override readonly name = 'TransactionConflict';
  constructor(
    readonly failedLabels: string[],
    /** True when DynamoDB cancelled for a concurrent transaction rather than a failed condition. */
    readonly contended: boolean,
  ) {
    super(`transaction cancelled: ${failedLabels.join(', ') || 'contention'}`);
  }
}

export const MAX_TRANSACTION_ITEMS = 100;

export async function transact(db: Db, ops: LabeledOp[]): Promise<void> {
  if (ops.length > MAX_TRANSACTION_ITEMS) throw new Error(`transaction of ${ops.length} items (max 100)`);
  try {
    await db.doc.send(new TransactWriteCommand({ TransactItems: ops.map((o) => o.op) }));
  } catch (error) {
    if (error instanceof TransactionCanceledException) {
      const reasons = error.CancellationReasons ?? [];
      const failed = reasons.flatMap((r, i) =>
        r.Code === 'ConditionalCheckFailed' ? [ops[i]?.label ?? `#${i}`] : [],
      );
      const contended = reasons.some((r) => r.Code === 'TransactionConflict');
      throw new TransactionConflict(failed, contended && failed.length === 0);
    }
    throw error;
  }
}

/** One audit-worthy change (API.md "Audit"); seq and hashes are added when it is chained. */
export interface AuditChange {
  actor: string;
  action: string;
  subject: string;
}

/** Where a chain lives: its head item and the partition its events go to. */
export interface AuditChain {
  headKey: { PK: string; SK: string };
  eventsPk: string;
}

export const caseChain = (caseId: string): AuditChain => ({
  headKey: keys.case(caseId),
  eventsPk: keys.casePartition(caseId),
});
export const systemChain: AuditChain = {
  headKey: { PK: keys.systemChain, SK: '#HEAD' },
  eventsPk: keys.systemChain,
};

export interface ChainedChange<T> {
  ops: LabeledOp[];
  audit: AuditChange[];
  result: T;
  /** Labels whose failed condition means "state moved under us: decide again". */
  retryOn?: string[];
}

export class ChainRetriesExhausted extends Error {
  override readonly name = 'ChainRetriesExhausted';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function readChainHead(db: Db, chain: AuditChain): Promise<{ seq: number; hash: string }> {
  const head = await db.doc.send(
    new GetCommand({
      TableName: db.table,
      Key: chain.headKey,
      ConsistentRead: true,
      ProjectionExpression: 'auditSeq, auditHead',
    }),
  );
  return { seq: Number(head.Item?.auditSeq ?? 0), hash: String(head.Item?.auditHead ?? GENESIS_HASH) };
}

/**
 * Commits a change together with its audit events in ONE transaction, conditioned on the chain head
 * (auditSeq) so two concurrent changes can never fork the chain: the loser re-reads and re-decides.
 * `build` runs again on every attempt and must read the state it decides on.
 */
export async function commitChainedChange<T>(
  db: Db,
  chain: AuditChain,
  at: () => string,
  build: () => Promise<ChainedChange<T>>,
  maxAttempts = 40,
): Promise<T> {
  return withChainLock(chainKey(db, chain), () => commitWithRetries(db, chain, at, build, maxAttempts));
}

/**
 * The head this process last wrote, per chain: the next change of the chain in this process (they
 * queue behind withChainLock) links to it without reading it again. Only an optimisation: the
 * transaction is still conditioned on the head (auditSeq = :prev), so a head moved by another
 * process fails the write, drops the entry and the retry reads the head. Bounded (oldest out).
 */
const knownHeads = new Map<string, { seq: number; hash: string }>();
const KNOWN_HEADS_MAX = 10_000;
const chainKey = (db: Db, chain: AuditChain) => `${db.table}|${chain.eventsPk}`;

/**
 * Where this process last saw a chain (its head seq; undefined when not known here). Every change of
 * a case goes through its chain, so a read taken at mark M is still current, as far as this process
 * can tell, while the mark is still M: a change built on it may skip reading again. Only an
 * optimisation, like knownHeads: the version-locked write still catches a change from elsewhere.
 */
export type ChainMark = number | undefined;
export const chainMark = (db: Db, chain: AuditChain): ChainMark => knownHeads.get(chainKey(db, chain))?.seq;

function rememberHead(key: string, head: { seq: number; hash: string }): void {
  knownHeads.delete(key);
  knownHeads.set(key, head);
  if (knownHeads.size > KNOWN_HEADS_MAX) {
    const oldest = knownHeads.keys().next();
    if (!oldest.done) knownHeads.delete(oldest.value);
  }
}

/**
 * Changes of one chain made in the same process (one Lambda container, or the whole local runtime)
 * queue here instead of racing for the head: the conditional write still guards against other
 * processes, but concurrent confirmations of one case no longer burn attempts against each other.
 */
const chainLocks = new Map<string, Promise<unknown>>();

async function withChainLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = chainLocks.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const settled = run.catch(() => undefined);
  chainLocks.set(key, settled);
  try {
    return await run;
  } finally {
    if (chainLocks.get(key) === settled) chainLocks.delete(key);
  }
}

async function commitWithRetries<T>(
  db: Db,
  chain: AuditChain,
  at: () => string,
  build: () => Promise<ChainedChange<T>>,
  maxAttempts: number,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const cacheKey = chainKey(db, chain);
    const known = knownHeads.get(cacheKey);
    const [head, change] = await Promise.all([known ?? readChainHead(db, chain), build()]);
    if (change.ops.length === 0 && change.audit.length === 0) return change.result;
    const events: AuditEvent[] = [];
    let link = head;
    const now = at();
    for (const a of change.audit) {
      const event = nextAuditEvent(link, { at: now, ...a });
      events.push(event);
      link = { seq: event.seq, hash: event.hash };
    }
    const auditOps: LabeledOp[] = events.map((event) => ({
      label: 'auditEvent',
      op: {
        Put: {
          TableName: db.table,
          Item: { ...keys.auditEvent(chain.eventsPk, event.seq), type: 'AuditEvent', ...event },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    }));
    const headOp: LabeledOp[] =
      events.length === 0
        ? []
        : [
            {
              label: 'chainHead',
              op: {
                Update: {
                  TableName: db.table,
                  Key: chain.headKey,
                  UpdateExpression: 'SET auditSeq = :next, auditHead = :hash',
                  ConditionExpression:
                    head.seq === 0
                      ? 'attribute_not_exists(auditSeq) OR auditSeq = :prev'
                      : 'auditSeq = :prev',
                  ExpressionAttributeValues: { ':next': link.seq, ':hash': link.hash, ':prev': head.seq },
                },
              },
            },
          ];
    try {
      await transact(db, [...change.ops, ...auditOps, ...headOp]);
      if (events.length > 0) rememberHead(cacheKey, link);
      return change.result;
    } catch (error) {
      // The head we used may be stale (another process moved it) or the write may have landed
      // unseen (a timeout): read it again next time.
      knownHeads.delete(cacheKey);
      if (!(error instanceof TransactionConflict)) throw error;
      const retryable =
        error.contended ||
        error.failedLabels.some(
          (l) => l === 'chainHead' || l === 'auditEvent' || change.retryOn?.includes(l),
        );
      if (!retryable) throw error;
      if (attempt >= maxAttempts) throw new ChainRetriesExhausted(`gave up after ${attempt} attempts`);
      await sleep(Math.random() * Math.min(100, 2 * 2 ** Math.min(attempt, 6)));
    }
  }
}
