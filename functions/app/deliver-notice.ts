import {
  ATTEMPT_IN_FLIGHT_MS,
  ConnectorPermanentError,
  ConnectorTransientError,
} from '../adapters/bank-connector.ts';
import type { Dependencies } from '../adapters/dependencies.ts';
import { getBankForDelivery } from '../adapters/dynamo/banks.ts';
import { changeInstruction, getInstruction } from '../adapters/dynamo/instructions.ts';
import type { PendingNotice } from '../domain/entities.ts';
import { decideNoticeAttempt, decideNoticeClaim } from '../domain/follow-up.ts';
import type { SystemActor } from './escalate-instruction.ts';

/** How long an EXPIRED notice is tried (an EXTEND notice is tried until the new holdUntil). */
export const EXPIRED_NOTICE_HOURS = 72;

/** A notice owed to a push bank: kept on the instruction until delivered (same id, same body). */
export function pendingNotice(
  kind: PendingNotice['kind'],
  deliveryId: string,
  message: Record<string, unknown>,
  now: Date,
  giveUpAt: string,
): PendingNotice {
  return { kind, deliveryId, message, attempts: 0, nextAttemptAt: now.toISOString(), giveUpAt };
}

/**
 * One attempt at a pending EXTEND or EXPIRED notice (docs/api.md "Push connector": the same rules as a
 * FREEZE). The attempt claims the notice first (domain/follow-up.ts decideNoticeClaim). Delivered or
 * given up, it is an audit event; a transient fault schedules the next attempt.
 * The reconciler finds a notice whose attempt is due (domain/due-work.ts `NOTIFY`).
 */
export async function deliverNotice(
  deps: Dependencies,
  instructionId: string,
  actor: SystemActor = 'system:workflow',
): Promise<{ delivered: boolean }> {
  const now = deps.now();
  const at = () => deps.now().toISOString();
  const instruction = await getInstruction(deps.db, instructionId);
  const notice = instruction?.pendingNotice;
  if (!instruction || !notice) return { delivered: false };
  const bank = await getBankForDelivery(deps.db, instruction.bankId);
  // Not due, in flight elsewhere, delivered or replaced meanwhile: not this attempt's to push.
  const claim = await changeInstruction(deps.db, instructionId, at, {
    decide: (current) =>
      decideNoticeClaim(current, { deliveryId: notice.deliveryId, now, inFlightMs: ATTEMPT_IN_FLIGHT_MS }),
  });
  if (!claim?.changed) return { delivered: false };
  let failure: { message: string; transient: boolean; retryAfterSeconds?: number | undefined } | undefined;
  if (bank?.mode === 'push') {
    try {
      await deps.connector.push(
        bank,
        { ...notice.message, kind: notice.kind, instructionId },
        notice.deliveryId,
      );
    } catch (error) {
      if (!(error instanceof ConnectorTransientError) && !(error instanceof ConnectorPermanentError))
        throw error;
      const transient = error instanceof ConnectorTransientError;
      failure = {
        message: error.message,
        transient,
        retryAfterSeconds: transient ? error.retryAfterSeconds : undefined,
      };
    }
  }
  const result = await changeInstruction(deps.db, instructionId, at, {
    decide: (current) => decideNoticeAttempt(current, { deliveryId: notice.deliveryId, now, actor, failure }),
  });
  return { delivered: failure === undefined && result?.changed === true };
}
