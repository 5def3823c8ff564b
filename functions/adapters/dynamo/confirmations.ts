import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type BankConfirmation, decideConfirmation } from '../../domain/confirmation-rules.ts';
import type { StopPaymentInstruction } from '../../domain/entities.ts';
import { StateConflict } from '../../domain/errors.ts';
import { isAwaitingConfirmation } from '../../domain/instruction-lifecycle.ts';
import { toMoneyJson } from '../../domain/money.ts';
import { confirmationDelta } from '../../domain/totals.ts';
import { keys } from '../keys.ts';
import { amountCounter } from './codec.ts';
import type { Db } from './db.ts';
import { getInstruction, instructionUpdateOp } from './instructions.ts';
import { bankDayTotalsOp, caseTotalsOp } from './totals-ops.ts';
import { type AuditChange, caseChain, commitChainedChange, TransactionConflict } from './transact.ts';

export interface ConfirmationAnswer {
  statusCode: 200 | 201;
  body: { instructionId: string; status: string };
}

async function storedConfirmation(db: Db, caseId: string, bankId: string, confirmationId: string) {
  const out = await db.doc.send(
    new GetCommand({
      TableName: db.table,
      Key: keys.confirmation(caseId, bankId, confirmationId),
      ConsistentRead: true,
    }),
  );
  return out.Item;
}

function replayOf(stored: Record<string, unknown>, hash: string): ConfirmationAnswer {
  if (stored.requestHash !== hash) {
    throw new StateConflict(
      `confirmationId ${String(stored.confirmationId)} was already used with a different body`,
      'CONFIRMATION_ID_REUSED',
    );
  }
  return { statusCode: 200, body: stored.response as ConfirmationAnswer['body'] };
}

/**
 * Records a bank's result for a freeze instruction in ONE transaction: the confirmation (put if
 * absent: idempotency by confirmationId), the instruction's status (conditioned on the status it was
 * read in), the case totals ADD, the bank/day totals ADD and the audit event. A replay answers 200
 * with the first answer; a result that does not fit the status is a 409.
 */
export async function recordFreezeConfirmation(
  db: Db,
  instructionId: string,
  confirmation: BankConfirmation,
  requestHash: string,
  actor: string,
  now: () => Date,
): Promise<ConfirmationAnswer> {
  const at = () => now().toISOString();
  for (;;) {
    try {
      return await commitChainedChange(db, caseChain(instructionId.split('.')[0]!), at, async () => {
        const instruction = await getInstruction(db, instructionId);
        if (!instruction) throw new Error(`instruction ${instructionId} vanished`);
        const stored = await storedConfirmation(
          db,
          instruction.caseId,
          instruction.bankId,
          confirmation.confirmationId,
        );
        if (stored) return { ops: [], audit: [], result: replayOf(stored, requestHash) };
        const outcome = decideConfirmation(instruction.requested, confirmation);
        if (!isAwaitingConfirmation(instruction.status)) {
          throw new StateConflict(
            `instruction ${instructionId} is ${instruction.status}: a confirmation is accepted only while PENDING, DISPATCHED or OVERDUE`,
            'INSTRUCTION_NOT_AWAITING_CONFIRMATION',
          );
        }
        const confirmedAt = at();
        const late = instruction.status === 'OVERDUE';
        const answer: ConfirmationAnswer = {
          statusCode: 201,
          body: { instructionId, status: outcome.status },
        };
        const ops = [
          {
            label: 'confirmation',
            op: {
              Put: {
                TableName: db.table,
                Item: {
                  ...keys.confirmation(instruction.caseId, instruction.bankId, confirmation.confirmationId),
                  type: 'BankConfirmation',
                  kind: 'FREEZE',
                  caseId: instruction.caseId,
                  instructionId,
                  bankId: instruction.bankId,
                  confirmationId: confirmation.confirmationId,
                  result: confirmation.result,
                  status: outcome.status,
                  frozen: toMoneyJson(outcome.frozen),
                  cashWithdrawn: toMoneyJson(outcome.cashWithdrawn),
                  onwardTransfers: outcome.onwardTransfers.map((t) => ({
                    ...t,
                    amount: toMoneyJson(t.amount),
                  })),
                  reason: confirmation.reason,
                  reportedAt: confirmation.reportedAt,
                  receivedAt: confirmedAt,
                  late,
                  requestHash,
                  response: answer.body,
                },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
          },
          instructionUpdateOp(db, instruction, {
            status: outcome.status,
            frozen: toMoneyJson(outcome.frozen),
            cashWithdrawn: toMoneyJson(outcome.cashWithdrawn),
            confirmedAt,
            late,
            confirmationId: confirmation.confirmationId,
          }),
          caseTotalsOp(
            db,
            instruction.caseId,
            confirmationDelta(instruction.status, outcome.status, outcome.frozen),
            confirmedAt,
          ),
        ];
        const dayCounters = new Map<string, bigint>([['confirmed', 1n]]);
        if (outcome.frozen.minor > 0n)
          dayCounters.set(amountCounter('frozen', outcome.frozen.currency), outcome.frozen.minor);
        ops.push(bankDayTotalsOp(db, confirmedAt.slice(0, 10), instruction.bankId, dayCounters, confirmedAt));
        const audit: AuditChange[] = [
          {
            actor,
            action: late ? 'LATE_CONFIRMATION_RECORDED' : 'CONFIRMATION_RECORDED',
            subject: `${instructionId}:${outcome.status}:${toMoneyJson(outcome.frozen).minor}`,
          },
        ];
        return { ops, audit, result: answer, retryOn: ['instruction'] };
      });
    } catch (error) {
      // Two deliveries of the same confirmationId raced: the loser answers as a replay.
      if (error instanceof TransactionConflict && error.failedLabels.includes('confirmation')) continue;
      throw error;
    }
  }
}

export function isConfirmed(instruction: StopPaymentInstruction): boolean {
  return !isAwaitingConfirmation(instruction.status) && instruction.confirmedAt !== null;
}
