import { type ChangeSet, changeSet, noChange, transition } from './change-set.ts';
import type { OnwardTransfer } from './confirmation-rules.ts';
import type { StopPaymentInstruction, TrailEdge } from './entities.ts';
import { followOnInstructionId } from './ids.ts';
import { accountKey, followBudget, planFollowOns } from './money-trail.ts';
import { newInstruction } from './new-instruction.ts';
import { instructionsCreatedDelta } from './totals.ts';

export interface FollowResult {
  parent: StopPaymentInstruction;
  followOns: StopPaymentInstruction[];
  edges: TrailEdge[];
  /** False when an earlier delivery of the same confirmation already resolved the trail. */
  createdNow: boolean;
}

export interface TrailState {
  /** `bankId/accountNumber` of every account already targeted in the case (accountKey). */
  targeted: ReadonlySet<string>;
  /** Banks registered with freezeflow. */
  integrated: ReadonlySet<string>;
  hopLimit: number;
  at: string;
  /** The parent's edges as recorded, when its trail is resolved already. */
  recordedEdges: readonly TrailEdge[];
}

/**
 * Follow the money for one recorded confirmation (docs/api.md "Follow the money"): every onward transfer
 * an edge, followed or not and why, a PENDING follow-on at hop + 1 for each one followed, their count
 * in the totals, the parent's trail marked resolved, and the audit entry. A trail resolved already
 * (a redelivered trigger) changes nothing and answers the edges recorded then.
 */
export function decideFollowOns(
  parent: StopPaymentInstruction,
  transfers: readonly OnwardTransfer[],
  state: TrailState,
): ChangeSet<FollowResult> {
  if (parent.trailResolvedAt) {
    return noChange({ parent, followOns: [], edges: [...state.recordedEdges], createdNow: false });
  }
  const steps = planFollowOns(
    followBudget(parent.requested, parent.frozen, parent.cashWithdrawn),
    transfers,
    {
      parentHop: parent.hop,
      hopLimit: state.hopLimit,
      isTargeted: (bankId, account) => state.targeted.has(accountKey(bankId, account)),
      isBankIntegrated: (bankId) => state.integrated.has(bankId),
    },
  );
  const followOns: StopPaymentInstruction[] = [];
  const edges: TrailEdge[] = steps.map((step) => {
    const toInstructionId = step.followOnAmount
      ? followOnInstructionId(parent.instructionId, step.transferIndex)
      : null;
    if (step.followOnAmount && toInstructionId) {
      followOns.push(
        newInstruction({
          caseId: parent.caseId,
          agencyId: parent.agencyId,
          orderId: parent.orderId,
          instructionId: toInstructionId,
          bankId: step.transfer.toBankId,
          accountNumber: step.transfer.toAccount,
          requested: step.followOnAmount,
          hop: parent.hop + 1,
          parentInstructionId: parent.instructionId,
          legalBasis: parent.legalBasis,
          holdHours: parent.holdHours,
          createdAt: state.at,
          transferredAt: step.transfer.transferredAt,
          reference: step.transfer.reference,
        }),
      );
    }
    return {
      fromInstructionId: parent.instructionId,
      transferIndex: step.transferIndex,
      toInstructionId,
      toBankId: step.transfer.toBankId,
      toAccount: step.transfer.toAccount,
      amount: step.transfer.amount,
      transferredAt: step.transfer.transferredAt ?? null,
      followed: Boolean(step.followOnAmount),
      reasonNotFollowed: step.reasonNotFollowed,
    };
  });
  const summary = edges
    .map((e) => (e.followed ? `${e.toInstructionId}` : `${e.toBankId}:${e.reasonNotFollowed}`))
    .join(',');
  return changeSet(
    { parent, followOns, edges, createdNow: true },
    {
      transitions: [transition(parent, { trailResolvedAt: state.at, followPending: false })],
      created: followOns.map((instruction) => ({ instruction, account: 'firstTarget' as const })),
      edges,
      caseTotals:
        followOns.length > 0
          ? {
              delta: instructionsCreatedDelta(followOns.length),
              newInstructionHops: followOns.map((f) => f.hop),
            }
          : undefined,
      audit: [
        {
          actor: 'system:money-trail',
          action: 'MONEY_TRAIL_FOLLOWED',
          subject: `${parent.instructionId}->${summary}`,
        },
      ],
    },
  );
}
