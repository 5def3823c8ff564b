import type { Dependencies } from '../adapters/dependencies.ts';
import { claimDue, queryDue } from '../adapters/dynamo/due-index.ts';
import { getInstruction } from '../adapters/dynamo/instructions.ts';
import { log } from '../adapters/logger.ts';
import { type DueStep, nextDue } from '../domain/due-work.ts';
import { deliverInstruction } from './deliver-instruction.ts';
import { deliverNotice } from './deliver-notice.ts';
import { escalateInstruction } from './escalate-instruction.ts';
import { checkHold } from './expire-hold.ts';
import { confirmationOf, followConfirmation } from './follow-confirmation.ts';
import { recordOverdue } from './record-overdue.ts';
import { sendReminder } from './send-reminder.ts';

export interface ReconcileOptions {
  /**
   * Work is taken only once it is this late: a workflow still running does its own step on time (and
   * moves the due time on), so the reconciler only carries on what nobody is doing.
   */
  graceMs: number;
  /** How long a claimed entry is left alone before it may be taken again (the step failed or hung). */
  leaseMs: number;
  /** At most this many entries per sweep (the rest wait for the next sweep). */
  limit: number;
}

export interface SweepReport {
  due: number;
  claimed: number;
  done: Partial<Record<DueStep, number>>;
  failed: number;
}

/**
 * One sweep of the reconciler (docs/design.md §1): every open instruction whose next step is overdue by
 * more than the grace, found through the sparse due index, is claimed and carried on by the same use
 * case the workflow runs: deliver, OVERDUE, reminder, escalation, expiry, a pending notice, or the
 * follow-ons of an acknowledged confirmation. Each step is idempotent (conditional writes on the
 * instruction's version and status), so a step a workflow also makes is never applied twice.
 */
export async function reconcile(deps: Dependencies, options: ReconcileOptions): Promise<SweepReport> {
  const now = deps.now();
  const entries = await queryDue(deps.db, new Date(now.getTime() - options.graceMs), options.limit);
  const report: SweepReport = { due: entries.length, claimed: 0, done: {}, failed: 0 };
  for (const entry of entries) {
    if (!(await claimDue(deps.db, entry, now, options.leaseMs))) continue;
    report.claimed += 1;
    try {
      const instruction = await getInstruction(deps.db, entry.instructionId);
      const due = instruction ? nextDue(instruction) : undefined;
      if (!due) continue;
      await carryOn(deps, entry.instructionId, due.step, instruction?.status === 'DISPATCH_FAILED');
      report.done[due.step] = (report.done[due.step] ?? 0) + 1;
    } catch (error) {
      // The claim expires after the lease and the next sweep tries again.
      report.failed += 1;
      log.warn('reconciler step failed', {
        instructionId: entry.instructionId,
        error: (error as Error).message,
      });
    }
  }
  return report;
}

async function carryOn(
  deps: Dependencies,
  instructionId: string,
  step: DueStep,
  dispatchFailed: boolean,
): Promise<void> {
  const actor = 'system:reconciler';
  switch (step) {
    case 'DELIVER':
      await deliverInstruction(deps, instructionId, actor);
      return;
    case 'OVERDUE':
      await recordOverdue(deps, instructionId, actor);
      return;
    case 'REMIND':
      await sendReminder(deps, instructionId, actor);
      return;
    case 'ESCALATE':
      await escalateInstruction(
        deps,
        instructionId,
        dispatchFailed ? 'DISPATCH_FAILED' : 'no answer after the reminder',
        actor,
      );
      return;
    case 'EXPIRE':
      await checkHold(deps, instructionId, actor);
      return;
    case 'NOTIFY':
      await deliverNotice(deps, instructionId, actor);
      return;
    case 'FOLLOW': {
      const confirmation = await confirmationOf(deps, instructionId);
      if (confirmation) await followConfirmation(deps, confirmation);
      return;
    }
  }
}
