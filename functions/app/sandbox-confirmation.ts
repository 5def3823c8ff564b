import { createHash } from 'node:crypto';
import type { Dependencies } from '../adapters/dependencies.ts';
import { getSandboxDelivery, putSandboxDelivery } from '../adapters/dynamo/sandbox.ts';
import { decideConfirmation } from '../domain/confirmation-rules.ts';
import { ValidationProblem } from '../domain/errors.ts';
import { fromMoneyJson } from '../domain/money.ts';
import { decideSandboxConfirmation, type SandboxAnswer, type SandboxDelivery } from '../domain/sandbox.ts';
import { FreezeConfirmationBody, ReleaseConfirmationBody } from '../schemas/api.ts';

/** Everything but reportedAt and reason: a retry may rebuild those (the real route's rule too). */
function identityOf(raw: unknown): string {
  const { reportedAt: _a, reason: _b, ...rest } = (raw ?? {}) as Record<string, unknown>;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

/**
 * POST /banks/{bankId}/test-deliveries/{deliveryId}/confirmations: the sandbox's scripted answers
 * (domain/sandbox.ts), each attempt recorded for `GET /banks/{bankId}/test-deliveries/{deliveryId}`.
 * undefined: no such sandbox push. `parse` parses the body with the given schema (422 per field).
 */
export async function confirmSandboxDelivery(
  deps: Dependencies,
  bankId: string,
  deliveryId: string,
  parse: (schema: typeof FreezeConfirmationBody | typeof ReleaseConfirmationBody) => unknown,
  raw: () => unknown,
): Promise<SandboxAnswer | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const record = await getSandboxDelivery(deps.db, bankId, deliveryId);
    if (!record || record.kind === 'EXTEND' || record.kind === 'EXPIRED') return undefined;
    const now = deps.now();
    let status: string;
    let confirmationId: string;
    try {
      if (record.kind === 'RELEASE') {
        const body = parse(ReleaseConfirmationBody) as {
          confirmationId: string;
          released: { minor: string };
        };
        if (BigInt(body.released.minor) > BigInt(record.requested.minor))
          throw new ValidationProblem([
            { path: 'released.minor', message: 'more than the release asks for' },
          ]);
        ({ confirmationId } = body);
        status = 'RELEASED';
      } else {
        const body = FreezeConfirmationBody.parse(parse(FreezeConfirmationBody));
        confirmationId = body.confirmationId;
        status = decideConfirmation(fromMoneyJson(record.requested), {
          ...body,
          frozen: body.frozen ? fromMoneyJson(body.frozen) : undefined,
          cashWithdrawn: body.cashWithdrawn ? fromMoneyJson(body.cashWithdrawn) : undefined,
          onwardTransfers: body.onwardTransfers?.map((t) => ({ ...t, amount: fromMoneyJson(t.amount) })),
        }).status;
      }
    } catch (error) {
      await save({ ...record, attempts: [...record.attempts, { at: now.toISOString(), status: 422 }] }).catch(
        () => undefined,
      );
      throw error;
    }
    const decision = decideSandboxConfirmation(
      record,
      { confirmationId, identity: identityOf(raw()), status },
      now,
    );
    const saved = await save({
      ...record,
      attempts: [...record.attempts, decision.attempt],
      accepted: decision.accepted,
    }).then(
      () => true,
      (error: Error) => {
        if (error.name === 'ConditionalCheckFailedException') return false;
        throw error;
      },
    );
    if (saved) return decision.answer;
  }
  throw Object.assign(new Error('sandbox record contended'), { name: 'ChainRetriesExhausted' });

  function save(next: SandboxDelivery) {
    return putSandboxDelivery(deps.db, { ...next, version: next.version + 1 });
  }
}

/** GET /banks/{bankId}/test-deliveries/{deliveryId}: the sandbox push and every confirmation attempt. */
export async function readSandboxDelivery(deps: Dependencies, bankId: string, deliveryId: string) {
  const record = await getSandboxDelivery(deps.db, bankId, deliveryId);
  if (!record) return undefined;
  const { version: _v, accepted, ...rest } = record;
  return {
    ...rest,
    confirmed: accepted ? { confirmationId: accepted.confirmationId, status: accepted.status } : null,
  };
}
