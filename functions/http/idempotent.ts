import type { CommandAnswer, IdempotentRequest } from '../app/idempotent-command.ts';
import { canonicalJson, sha256Hex } from '../domain/audit-chain.ts';
import { type HttpResult, json } from './http-handler.ts';

export type { IdempotentRequest } from '../app/idempotent-command.ts';

/** The key is the caller's; the request it stands for is the route's path and the body. */
export function idempotentRequest(
  callerScope: string,
  key: string,
  path: string,
  body: unknown,
): IdempotentRequest {
  // The same hash as adapters/dynamo/idempotency.ts requestHash: SHA-256 of the canonical JSON.
  return { callerScope, key, hash: sha256Hex(canonicalJson({ path, body })) };
}

/** A command's answer; a replayed one says so (`idempotent-replayed: true`). */
export function answerToHttp(answer: CommandAnswer): HttpResult {
  return json(answer.statusCode, answer.body, answer.replayed ? { 'idempotent-replayed': 'true' } : {});
}
