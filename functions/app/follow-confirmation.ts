import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Dependencies } from '../adapters/dependencies.ts';
import { getInstructionItem } from '../adapters/dynamo/instructions.ts';
import { followTheMoney } from '../adapters/dynamo/trail.ts';
import { keys } from '../adapters/keys.ts';
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
    deps.db,
    instructionId,
    transfers.map((t) => ({ ...t, amount: fromMoneyJson(t.amount) })),
    deps.hopLimit,
    () => deps.now().toISOString(),
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

/** The stored confirmation an instruction was answered with (the reconciler's FOLLOW step). */
export async function confirmationOf(
  deps: Dependencies,
  instructionId: string,
): Promise<StoredFreezeConfirmation | undefined> {
  const item = await getInstructionItem(deps.db, instructionId);
  if (!item || typeof item.confirmationId !== 'string') return undefined;
  const out = await deps.db.doc.send(
    new GetCommand({
      TableName: deps.db.table,
      Key: keys.confirmation(String(item.caseId), String(item.bankId), item.confirmationId),
      ConsistentRead: true,
    }),
  );
  return out.Item as StoredFreezeConfirmation | undefined;
}
