import type { Dependencies } from '../adapters/dependencies.ts';
import { getBankForDelivery } from '../adapters/dynamo/banks.ts';
import { changeInstruction, getInstruction } from '../adapters/dynamo/instructions.ts';
import { bankHeldOp } from '../adapters/dynamo/totals-ops.ts';
import { isHeld } from '../domain/instruction-lifecycle.ts';
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
 * event — and the bank is told (an EXPIRED notice, delivered by the push rules). A release in flight
 * ends the timer: the release's confirmation decides, and if funds are still held afterwards the
 * reconciler expires them once holdUntil is due (domain/due-work.ts), so no timer ever polls.
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
  if (!isHeld(instruction.status) || !instruction.holdUntil || instruction.releasePending > 0n) return stop;
  if (Date.parse(instruction.holdUntil) > now.getTime()) return step(instruction.holdUntil);

  const bank = await getBankForDelivery(deps.db, instruction.bankId);
  const result = await changeInstruction(deps.db, instructionId, at, {
    decide: (current) => {
      if (!isHeld(current.status) || current.releasePending > 0n) return undefined;
      if (!current.holdUntil || Date.parse(current.holdUntil) > now.getTime()) return undefined;
      const expired = { currency: current.frozen.currency, minor: current.frozen.minor };
      return {
        set: {
          status: 'EXPIRED',
          frozen: { currency: current.frozen.currency, minor: '0' },
          expired: { currency: current.frozen.currency, minor: current.frozen.minor.toString() },
          expiredAt: at(),
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
  if (!current || !isHeld(current.status) || !current.holdUntil || current.releasePending > 0n) return stop;
  return step(current.holdUntil);
}
