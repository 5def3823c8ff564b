import type { Db } from '../adapters/dynamo/db.ts';
import { getIdempotencyRecord, type StoredResponse } from '../adapters/dynamo/idempotency.ts';
import { TransactionConflict } from '../adapters/dynamo/transact.ts';
import { StateConflict } from '../domain/errors.ts';

/** An Idempotency-Key request (docs/api.md Conventions): the caller's key and the hash of what it stands for. */
export interface IdempotentRequest {
  callerScope: string;
  key: string;
  hash: string;
}

export interface CommandAnswer extends StoredResponse {
  /** The first answer again (a replay, or a concurrent request with the same key that won). */
  replayed: boolean;
}

/** A replay answers with the first response; the same key with another body is a 409. */
export async function replayIfSeen(db: Db, request: IdempotentRequest): Promise<StoredResponse | undefined> {
  const record = await getIdempotencyRecord(db, request.callerScope, request.key);
  if (!record) return undefined;
  if (record.requestHash !== request.hash) {
    throw new StateConflict(
      'this Idempotency-Key was already used with a different body',
      'IDEMPOTENCY_KEY_REUSED',
    );
  }
  return record.state === 'COMPLETE' ? record.response : undefined;
}

/**
 * Runs a command under its Idempotency-Key: a key seen before answers the first response (after
 * `onReplay`, which re-starts what the first attempt may not have started before a crash); a write
 * that lost the race to a concurrent request with the same key answers the winner's response.
 * `run` stores its answer in the same transaction as its change (domain/change-set.ts idempotency).
 */
export async function idempotentCommand(
  db: Db,
  request: IdempotentRequest,
  run: () => Promise<StoredResponse>,
  onReplay: (first: StoredResponse) => Promise<void> = async () => undefined,
): Promise<CommandAnswer> {
  const seen = await replayIfSeen(db, request);
  if (seen) {
    await onReplay(seen);
    return { ...seen, replayed: true };
  }
  try {
    return { ...(await run()), replayed: false };
  } catch (error) {
    if (!(error instanceof TransactionConflict && error.failedLabels.includes('idempotency'))) throw error;
    const winner = await replayIfSeen(db, request);
    if (!winner) throw error;
    return { ...winner, replayed: true };
  }
}
