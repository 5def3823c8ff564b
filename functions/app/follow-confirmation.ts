import type { Dependencies } from '../adapters/dependencies.ts';
import { getBanks } from '../adapters/dynamo/banks.ts';
import { commitCaseChange } from '../adapters/dynamo/commit.ts';
import { getConfirmation } from '../adapters/dynamo/confirmations.ts';
import { getInstruction, getInstructionItem } from '../adapters/dynamo/instructions.ts';
import { edgesFrom, targetedAccounts } from '../adapters/dynamo/trail.ts';
import { noChange } from '../domain/change-set.ts';
import type { OnwardTransfer } from '../domain/confirmation-rules.ts';
import { decideFollowOns, type FollowResult } from '../domain/follow-ons.ts';
import { caseIdOfInstruction } from '../domain/ids.ts';
import { fromMoneyJson, type MoneyJson } from '../domain/money.ts';

interface StoredTransfer {
  toBankId: string;
  toAccount: string;
  amount: MoneyJson;
  transferredAt?: string;
  reference?: string;
}

/** A recorded freeze confirmation as stored (adapters/dynamo/confirmations.ts). */
export interface StoredFreezeConfirmation {
  caseId: string;
  instructionId: string;
  frozen?: MoneyJson;
  onwardTransfers?: StoredTransfer[];
}

/**
 * What follows a recorded freeze confirmation, timely or late: the hold's timer (money frozen) and the
 * money trail (onward transfers: edges, follow-on instructions at hop + 1 and their fan-out). Safe to
 * run any number of times: the trail is resolved once (adapters/dynamo/trail.ts) and executions are
 * named after what they serve, so a second start is a no-op.
 */
export async function followConfirmation(
  deps: Dependencies,
  confirmation: StoredFreezeConfirmation,
): Promise<{ followOns: number; known: boolean }> {
  const { instructionId, caseId } = confirmation;
  if (BigInt(confirmation.frozen?.minor ?? '0') > 0n) {
    await deps.workflow.startExecution('holdTimer', `${instructionId}-hold`, { caseId, instructionId });
  }
  const transfers = confirmation.onwardTransfers ?? [];
  if (transfers.length === 0) return { followOns: 0, known: true };
  const result = await followTheMoney(
    deps,
    instructionId,
    transfers.map((t) => ({ ...t, amount: fromMoneyJson(t.amount) })),
  );
  if (!result) return { followOns: 0, known: false };
  const ids = result.edges.flatMap((e) => (e.toInstructionId ? [e.toInstructionId] : []));
  if (ids.length > 0) {
    // Started even on a redelivery: the execution name makes a second start a no-op. Should this
    // start be lost, the follow-ons are PENDING in the table and the reconciler delivers them.
    await deps.workflow.startExecution('freezeOrder', `${result.parent.instructionId}-follow`, {
      caseId: result.parent.caseId,
      orderId: result.parent.orderId,
      instructionIds: ids,
    });
  }
  return { followOns: result.followOns.length, known: true };
}

/**
 * Follow the money for one recorded confirmation (domain/follow-ons.ts), in ONE change that also
 * marks the parent's trail resolved: a redelivered trigger finds it resolved and creates nothing. The
 * cycle check reads the case's targeted accounts; a concurrent follow-on that targets the same account
 * first makes its marker's condition fail, and the plan is made again on what is there now.
 */
export async function followTheMoney(
  deps: Dependencies,
  instructionId: string,
  transfers: OnwardTransfer[],
): Promise<FollowResult | undefined> {
  const caseId = caseIdOfInstruction(instructionId);
  if (!caseId) return undefined;
  const at = () => deps.now().toISOString();
  const banks = await getBanks(
    deps.db,
    transfers.map((t) => t.toBankId),
  );
  return commitCaseChange<FollowResult | undefined>(deps.db, caseId, at, async () => {
    const parent = await getInstruction(deps.db, instructionId);
    if (!parent) return noChange(undefined);
    const resolved = parent.trailResolvedAt !== null;
    return decideFollowOns(parent, transfers, {
      targeted: resolved ? new Set() : await targetedAccounts(deps.db, caseId),
      integrated: new Set(banks.keys()),
      hopLimit: deps.hopLimit,
      at: at(),
      recordedEdges: resolved ? await edgesFrom(deps.db, caseId, instructionId) : [],
    });
  });
}

/** The stored confirmation an instruction was answered with (the reconciler's FOLLOW step). */
export async function confirmationOf(
  deps: Dependencies,
  instructionId: string,
): Promise<StoredFreezeConfirmation | undefined> {
  const item = await getInstructionItem(deps.db, instructionId);
  if (!item || typeof item.confirmationId !== 'string') return undefined;
  return getConfirmation(deps.db, String(item.caseId), String(item.bankId), item.confirmationId);
}
