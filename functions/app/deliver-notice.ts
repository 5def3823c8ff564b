import { ConnectorPermanentError, ConnectorTransientError } from '../adapters/bank-connector.ts';
import type { Dependencies } from '../adapters/dependencies.ts';
import { getBankForDelivery } from '../adapters/dynamo/banks.ts';
import { changeInstruction, getInstruction } from '../adapters/dynamo/instructions.ts';
import { nextRetry } from '../domain/delivery-schedule.ts';
import type { PendingNotice, StopPaymentInstruction } from '../domain/entities.ts';
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

const noticeMatches = (i: StopPaymentInstruction, deliveryId: string) =>
  i.pendingNotice?.deliveryId === deliveryId;

/**
 * One attempt at a pending EXTEND or EXPIRED notice (API.md "Push connector": the same rules as a
 * FREEZE). Delivered or given up, it is an audit event; a transient fault schedules the next attempt.
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
  let failure: string | undefined;
  let retryAfter: number | undefined;
  let transient = false;
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
      failure = error.message;
      transient = error instanceof ConnectorTransientError;
      retryAfter = error instanceof ConnectorTransientError ? error.retryAfterSeconds : undefined;
    }
  }
  const result = await changeInstruction(deps.db, instructionId, at, {
    decide: (current) => {
      if (!noticeMatches(current, notice.deliveryId) || !current.pendingNotice) return undefined;
      const subject = `${instructionId}:${notice.kind}:${notice.deliveryId}`;
      if (failure === undefined) {
        return { patch: { pendingNotice: null }, audit: [{ actor, action: 'NOTICE_DELIVERED', subject }] };
      }
      const attempts = current.pendingNotice.attempts + 1;
      const secondsLeft = Math.ceil((Date.parse(current.pendingNotice.giveUpAt) - now.getTime()) / 1000);
      const plan = transient ? nextRetry(attempts, secondsLeft, retryAfter) : { waitSeconds: undefined };
      if (plan.waitSeconds === undefined) {
        return {
          patch: { pendingNotice: null },
          audit: [{ actor, action: 'NOTICE_FAILED', subject: `${subject}:${failure.slice(0, 200)}` }],
        };
      }
      return {
        patch: {
          pendingNotice: {
            ...current.pendingNotice,
            attempts,
            nextAttemptAt: new Date(now.getTime() + plan.waitSeconds * 1000).toISOString(),
          },
        },
        audit: [],
      };
    },
  });
  return { delivered: failure === undefined && result?.changed === true };
}
