import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { getBankForDelivery } from '../adapters/dynamo/banks.ts';
import { changeInstruction, getInstruction } from '../adapters/dynamo/instructions.ts';
import { bankHeldOp } from '../adapters/dynamo/totals-ops.ts';
import { isHeld } from '../domain/instruction-lifecycle.ts';
import { expiryDelta } from '../domain/totals.ts';
import { expiredMessage } from '../workflow/messages.ts';
import { InstructionTaskInput, taskHandler } from '../workflow/task-handler.ts';

/** Re-check this often while something blocks the decision (hold end not known yet, release in flight). */
const RECHECK_MS = 5_000;

export interface HoldCheck {
  /** Still held: wait until `waitUntil`, then check again. */
  held: boolean;
  waitUntil: string;
}

/**
 * The hold timer's step: a hold whose `holdUntil` has passed unextended becomes EXPIRED — its amount
 * leaves "frozen" for "expired" in the totals, in the same transaction as the status and its audit
 * event — and the bank is told (push `kind: "EXPIRED"`). An extended hold just sets the next wake-up.
 * A release in flight postpones expiry: the court's release decides what happens to those funds.
 */
export const createCheckHold = (deps: Dependencies) =>
  taskHandler(InstructionTaskInput, async ({ instructionId }): Promise<HoldCheck> => {
    const now = deps.now();
    const at = () => deps.now().toISOString();
    const later = (ms: number) => new Date(now.getTime() + ms).toISOString();
    const instruction = await getInstruction(deps.db, instructionId);
    if (!instruction) throw new Error(`instruction ${instructionId} does not exist`);

    if (instruction.status === 'EXPIRED') {
      await notifyExpiry(deps, instructionId);
      return { held: false, waitUntil: now.toISOString() };
    }
    if (!isHeld(instruction.status)) return { held: false, waitUntil: now.toISOString() };
    if (!instruction.holdUntil || instruction.releasePending > 0n)
      return { held: true, waitUntil: later(RECHECK_MS) };
    if (Date.parse(instruction.holdUntil) > now.getTime())
      return { held: true, waitUntil: instruction.holdUntil };

    const result = await changeInstruction(deps.db, instructionId, at, {
      decide: (current) => {
        if (!isHeld(current.status) || current.releasePending > 0n) return undefined;
        if (!current.holdUntil || Date.parse(current.holdUntil) > now.getTime()) return undefined;
        return {
          set: {
            status: 'EXPIRED',
            frozen: { currency: current.frozen.currency, minor: '0' },
            expired: { currency: current.frozen.currency, minor: current.frozen.minor.toString() },
            expiredAt: at(),
          },
          delta: expiryDelta(current.status, current.frozen),
          extraOps: [
            bankHeldOp(deps.db, current.bankId, current.frozen.currency, -current.frozen.minor, at()),
          ],
          audit: [
            {
              actor: 'system:hold-timer',
              action: 'HOLD_EXPIRED',
              subject: `${instructionId}:${current.frozen.currency}:${current.frozen.minor}:${current.holdUntil}`,
            },
          ],
        };
      },
    });
    if (!result?.changed) {
      // Extended or released in between: look again at the hold as it is now.
      const current = await getInstruction(deps.db, instructionId);
      const stillHeld = current ? isHeld(current.status) : false;
      return {
        held: stillHeld,
        waitUntil: stillHeld && current?.holdUntil ? current.holdUntil : later(RECHECK_MS),
      };
    }
    await notifyExpiry(deps, instructionId);
    return { held: false, waitUntil: now.toISOString() };
  });

/** Tells a push bank the hold lapsed (once; a retried step re-sends until it is delivered). */
async function notifyExpiry(deps: Dependencies, instructionId: string): Promise<void> {
  const instruction = await getInstruction(deps.db, instructionId);
  if (instruction?.status !== 'EXPIRED') return;
  const bank = await getBankForDelivery(deps.db, instruction.bankId);
  if (bank?.mode !== 'push') return;
  await deps.connector.push(
    bank,
    expiredMessage(instruction, instruction.expired),
    `${instructionId}:EXPIRED`,
  );
}

export const handler = lambdaEntry(createCheckHold);
