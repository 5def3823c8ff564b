import type { Dependencies } from '../adapters/dependencies.ts';
import { getBankForDelivery } from '../adapters/dynamo/banks.ts';
import { queryCase } from '../adapters/dynamo/cases.ts';
import { instructionFromItem } from '../adapters/dynamo/codec.ts';
import { changeInstruction, getInstruction } from '../adapters/dynamo/instructions.ts';
import { bankHeldOp } from '../adapters/dynamo/totals-ops.ts';
import { skPrefix } from '../adapters/keys.ts';
import type { StopPaymentInstruction } from '../domain/entities.ts';
import { isAwaitingConfirmation, isHeld } from '../domain/instruction-lifecycle.ts';
import { expiryDelta } from '../domain/totals.ts';
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
    decide: (current) => {
      if (!isHeld(current.status) || (current.releasePending > 0n && releaseLive)) return undefined;
      if (current.releasePending !== instruction.releasePending) return undefined; // a release moved: look again
      if (!current.holdUntil || Date.parse(current.holdUntil) > now.getTime()) return undefined;
      const expired = { currency: current.frozen.currency, minor: current.frozen.minor };
      return {
        set: {
          status: 'EXPIRED',
          frozen: { currency: current.frozen.currency, minor: '0' },
          expired: { currency: current.frozen.currency, minor: current.frozen.minor.toString() },
          expiredAt: at(),
          // Reserved for a release that stalled: the reservation lapses with the hold.
          releasePending: 0n,
          ...(bank?.mode === 'push'
            ? {
                pendingNotice: pendingNotice(
                  'EXPIRED',
                  `${instructionId}:EXPIRED`,
                  expiredMessage(current, expired),
                  now,
                  new Date(now.getTime() + EXPIRED_NOTICE_HOURS * 3_600_000).toISOString(),
                ),
              }
            : {}),
        },
        delta: expiryDelta(current.status, current.frozen),
        extraOps: [bankHeldOp(deps.db, current.bankId, current.frozen.currency, -current.frozen.minor, at())],
        audit: [
          {
            actor,
            action: 'HOLD_EXPIRED',
            subject: `${instructionId}:${current.frozen.currency}:${current.frozen.minor}:${current.holdUntil}`,
          },
        ],
      };
    },
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
  const items = await queryCase(deps.db, held.caseId, skPrefix.instruction);
  return items
    .map(instructionFromItem)
    .some(
      (r) =>
        r.kind === 'RELEASE' &&
        r.releasesInstructionId === held.instructionId &&
        isAwaitingConfirmation(r.status) &&
        r.status !== 'DISPATCH_FAILED' &&
        !r.escalatedAt,
    );
}
