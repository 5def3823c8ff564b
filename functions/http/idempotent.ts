import type { Db } from '../adapters/dynamo/db.ts';
import { getIdempotencyRecord, requestHash, type StoredResponse } from '../adapters/dynamo/idempotency.ts';
import { TransactionConflict } from '../adapters/dynamo/transact.ts';
import { StateConflict } from '../domain/errors.ts';
import { type HttpResult, json } from './http-handler.ts';

export interface IdempotentRequest {
  callerScope: string;
  key: string;
  hash: string;
}

/** The key is the caller's; the request it stands for is the route's path and the body. */
export function idempotentRequest(
  callerScope: string,
  key: string,
  path: string,
  body: unknown,
): IdempotentRequest {
  return { callerScope, key, hash: requestHash({ path, body }) };
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

export function storedToHttp(stored: StoredResponse): HttpResult {
  return json(stored.statusCode, stored.body, { 'idempotent-replayed': 'true' });
}

/**
 * A write that failed because a concurrent request with the same key completed first: that request's
 * answer, replayed. Anything else (another error, or the winner not complete yet) is undefined, and
 * the caller rethrows its error.
 */
export async function replayOfRaceWinner(
  db: Db,
  request: IdempotentRequest,
  error: unknown,
): Promise<HttpResult | undefined> {
  if (!(error instanceof TransactionConflict && error.failedLabels.includes('idempotency'))) return undefined;
  const winner = await replayIfSeen(db, request);
  return winner ? storedToHttp(winner) : undefined;
}
