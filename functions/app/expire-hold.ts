import type { Dependencies } from '../adapters/dependencies.ts';
import { getBankForDelivery } from '../adapters/dynamo/banks.ts';
import { caseInstructions, changeInstruction, getInstruction } from '../adapters/dynamo/instructions.ts';
import type { StopPaymentInstruction } from '../domain/entities.ts';
import { decideExpiry } from '../domain/hold-change.ts';
import { isAwaitingConfirmation, isHeld } from '../domain/instruction-lifecycle.ts';
import { expiredMessage } from '../workflow/messages.ts';
import { deliverNotice, EXPIRED_NOTICE_HOURS, pendingNotice } from './deliver-notice.ts';
import type { SystemActor } from './escalate-instruction.ts';

/**
 * The longest single wait of a hold timer. Node's setTimeout holds at most 2^31-1 ms (~24.8 days; a
 * longer delay fires at once and spins), so a longer hold is waited for in steps of this size; in
 * Step Functions each step costs a few history events.
 */
export const MAX_TIMER_STEP_MS = 7 * 24 * 3_600_000;

export interface HoldCheck {
  /** The timer goes on: wait until `waitUntil`, then check again. */
  held: boolean;
  waitUntil: string;
}

/**
 * The hold timer's step: a hold whose `holdUntil` has passed unextended becomes EXPIRED — its amount
 * leaves "frozen" for "expired" in the totals, in the same transaction as the status and its audit
 * event — and the bank is told (an EXPIRED notice, delivered by the push rules). A release the bank is
 * still working on postpones the expiry and ends the timer; the reconciler looks again after each
 * lease (domain/due-work.ts), so no timer ever polls. A release that failed or was escalated no
 * longer keeps the hold open: it expires, reservation included.
 */
export async function checkHold(
  deps: Dependencies,
  instructionId: string,
  actor: SystemActor = 'system:hold-timer',
): Promise<HoldCheck> {
  const now = deps.now();
  const at = () => deps.now().toISOString();
  const stop = { held: false, waitUntil: now.toISOString() };
  const step = (until: string) => ({
    held: true,
    waitUntil: new Date(Math.min(Date.parse(until), now.getTime() + MAX_TIMER_STEP_MS)).toISOString(),
  });
  const instruction = await getInstruction(deps.db, instructionId);
  if (!instruction) throw new Error(`instruction ${instructionId} does not exist`);
  if (!isHeld(instruction.status) || !instruction.holdUntil) return stop;
  if (Date.parse(instruction.holdUntil) > now.getTime()) return step(instruction.holdUntil);
  // A release the bank is still working on decides what happens to the funds; one that failed or was
  // escalated (a person has it) no longer holds the hold open. The timer ends either way; while a
  // release is live the reconciler looks again after its lease.
  const releaseLive = instruction.releasePending > 0n && (await hasLiveRelease(deps, instruction));
  if (releaseLive) return stop;

  const bank = await getBankForDelivery(deps.db, instruction.bankId);
  const result = await changeInstruction(deps.db, instructionId, at, {
    decide: (current) =>
      decideExpiry(current, {
        now,
        releaseLive,
        // A release moved since the first read: look again rather than expire over it.
        seenReleasePending: instruction.releasePending,
        actor,
        notice:
          bank?.mode === 'push'
            ? pendingNotice(
                'EXPIRED',
                `${instructionId}:EXPIRED`,
                expiredMessage(current, current.frozen),
                now,
                new Date(now.getTime() + EXPIRED_NOTICE_HOURS * 3_600_000).toISOString(),
              )
            : undefined,
      }),
  });
  if (result?.changed) {
    await deliverNotice(deps, instructionId, actor);
    return stop;
  }
  // Extended, released or expired in between: look again at the hold as it is now.
  const current = await getInstruction(deps.db, instructionId);
  if (!current || !isHeld(current.status) || !current.holdUntil) return stop;
  return step(current.holdUntil);
}

/** Is a release of this hold still with the bank (not at an end, not failed or escalated)? */
async function hasLiveRelease(deps: Dependencies, held: StopPaymentInstruction): Promise<boolean> {
  return (await caseInstructions(deps.db, held.caseId)).some(
    (r) =>
      r.kind === 'RELEASE' &&
      r.releasesInstructionId === held.instructionId &&
      isAwaitingConfirmation(r.status) &&
      r.status !== 'DISPATCH_FAILED' &&
      !r.escalatedAt,
  );
}
