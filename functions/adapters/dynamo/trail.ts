import type { OnwardTransfer } from '../../domain/confirmation-rules.ts';
import type { StopPaymentInstruction, TrailEdge } from '../../domain/entities.ts';
import { caseIdOfInstruction, followOnInstructionId } from '../../domain/ids.ts';
import { accountKey, followBudget, planFollowOns } from '../../domain/money-trail.ts';
import { newInstruction } from '../../domain/new-instruction.ts';
import { instructionsCreatedDelta } from '../../domain/totals.ts';
import { skPrefix } from '../keys.ts';
import { getBanks } from './banks.ts';
import { queryCase } from './cases.ts';
import { edgeFromItem, edgeToItem, instructionFromItem } from './codec.ts';
import type { Db } from './db.ts';
import { getInstructionItem, instructionUpdateOp } from './instructions.ts';
import { instructionPutOp, targetedAccountOp } from './orders.ts';
import { caseTotalsOp } from './totals-ops.ts';
import { caseChain, commitChainedChange, type LabeledOp } from './transact.ts';

export interface FollowResult {
  parent: StopPaymentInstruction;
  followOns: StopPaymentInstruction[];
  edges: TrailEdge[];
  /** False when an earlier delivery of the same confirmation already resolved the trail. */
  createdNow: boolean;
}

/**
 * Follow the money for one recorded confirmation: the trail edges (followed or not, and why), the
 * follow-on instructions at hop + 1 and their targeted-account markers, in ONE transaction that also
 * marks the parent's trail resolved. A redelivered trigger finds it resolved and creates nothing.
 * The cycle check reads the case's targeted accounts; a concurrent follow-on that targets the same
 * account first makes the marker's condition fail, and the plan is made again.
 */
export async function followTheMoney(
  db: Db,
  instructionId: string,
  transfers: OnwardTransfer[],
  hopLimit: number,
  at: () => string,
): Promise<FollowResult | undefined> {
  const caseId = caseIdOfInstruction(instructionId);
  if (!caseId) return undefined;
  return commitChainedChange<FollowResult | undefined>(db, caseChain(caseId), at, async () => {
    const parentItem = await getInstructionItem(db, instructionId);
    if (!parentItem) return { ops: [], audit: [], result: undefined };
    const parent = instructionFromItem(parentItem);
    if (parentItem.trailResolvedAt) {
      const edges = (await queryCase(db, parent.caseId, `${skPrefix.trailEdge}${instructionId}#`)).map(
        edgeFromItem,
      );
      return { ops: [], audit: [], result: { parent, followOns: [], edges, createdNow: false } };
    }
    const targeted = new Set(
      (await queryCase(db, parent.caseId, skPrefix.targetedAccount)).map((i) =>
        accountKey(String(i.bankId), String(i.accountNumber)),
      ),
    );
    const banks = await getBanks(
      db,
      transfers.map((t) => t.toBankId),
    );
    const budget = followBudget(parent.requested, parent.frozen, parent.cashWithdrawn);
    const steps = planFollowOns(budget, transfers, {
      parentHop: parent.hop,
      hopLimit,
      isTargeted: (bankId, account) => targeted.has(accountKey(bankId, account)),
      isBankIntegrated: (bankId) => banks.has(bankId),
    });
    const now = at();
    const followOns: StopPaymentInstruction[] = [];
    const edges: TrailEdge[] = [];
    const ops: LabeledOp[] = [
      instructionUpdateOp(db, parent, { trailResolvedAt: now, followPending: false }),
    ];
    for (const step of steps) {
      const toInstructionId = step.followOnAmount
        ? followOnInstructionId(instructionId, step.transferIndex)
        : null;
      const edge: TrailEdge = {
        fromInstructionId: instructionId,
        transferIndex: step.transferIndex,
        toInstructionId,
        toBankId: step.transfer.toBankId,
        toAccount: step.transfer.toAccount,
        amount: step.transfer.amount,
        transferredAt: step.transfer.transferredAt ?? null,
        followed: Boolean(step.followOnAmount),
        reasonNotFollowed: step.reasonNotFollowed,
      };
      edges.push(edge);
      ops.push({
        label: 'edge',
        op: { Put: { TableName: db.table, Item: edgeToItem(parent.caseId, edge) } },
      });
      if (!step.followOnAmount || !toInstructionId) continue;
      const followOn = newInstruction({
        caseId: parent.caseId,
        agencyId: parent.agencyId,
        orderId: parent.orderId,
        instructionId: toInstructionId,
        bankId: step.transfer.toBankId,
        accountNumber: step.transfer.toAccount,
        requested: step.followOnAmount,
        hop: parent.hop + 1,
        parentInstructionId: instructionId,
        legalBasis: parent.legalBasis,
        holdHours: parent.holdHours,
        createdAt: now,
        transferredAt: step.transfer.transferredAt,
        reference: step.transfer.reference,
      });
      followOns.push(followOn);
      ops.push(instructionPutOp(db, followOn, true));
      ops.push(targetedAccountOp(db, followOn, 'firstTarget'));
    }
    if (followOns.length > 0) {
      ops.push(
        caseTotalsOp(
          db,
          parent.caseId,
          instructionsCreatedDelta(followOns.length),
          now,
          followOns.map((f) => f.hop),
        ),
      );
    }
    const summary = edges
      .map((e) => (e.followed ? `${e.toInstructionId}` : `${e.toBankId}:${e.reasonNotFollowed}`))
      .join(',');
    return {
      ops,
      audit: [
        {
          actor: 'system:money-trail',
          action: 'MONEY_TRAIL_FOLLOWED',
          subject: `${instructionId}->${summary}`,
        },
      ],
      result: { parent, followOns, edges, createdNow: true },
      retryOn: ['instruction', 'followOnAccount'],
    };
  });
}
