import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type BankConfirmation, decideConfirmation } from '../../domain/confirmation-rules.ts';
import type { StopPaymentInstruction } from '../../domain/entities.ts';
import { StateConflict, ValidationProblem } from '../../domain/errors.ts';
import { isAwaitingConfirmation, isHeld } from '../../domain/instruction-lifecycle.ts';
import { type Money, toMoneyJson } from '../../domain/money.ts';
import { confirmationDelta, releaseDelta } from '../../domain/totals.ts';
import { keys } from '../keys.ts';
import { amountCounter } from './codec.ts';
import type { Db } from './db.ts';
import {
  getInstruction,
  type InstructionSnapshot,
  instructionUpdateOp,
  stillCurrent,
} from './instructions.ts';
import { bankDayTotalsOp, bankHeldOp, caseTotalsOp } from './totals-ops.ts';
import {
  type AuditChange,
  caseChain,
  commitChainedChange,
  type LabeledOp,
  TransactionConflict,
} from './transact.ts';

/**
 * The bank's confirmation, written once (put-if-absent on its confirmationId: a replay finds it) in
 * the transaction that applies it to the instruction.
 */
function confirmationPutOp(
  db: Db,
  instruction: Pick<StopPaymentInstruction, 'caseId' | 'bankId' | 'instructionId'>,
  confirmationId: string,
  fields: Record<string, unknown>,
): LabeledOp {
  return {
    label: 'confirmation',
    op: {
      Put: {
        TableName: db.table,
        Item: {
          ...keys.confirmation(instruction.caseId, instruction.bankId, confirmationId),
          type: 'BankConfirmation',
          caseId: instruction.caseId,
          instructionId: instruction.instructionId,
          bankId: instruction.bankId,
          confirmationId,
          ...fields,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
  };
}

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

function replayOf(stored: Record<string, unknown>, hash: string, instructionId: string): ConfirmationAnswer {
  if (stored.requestHash !== hash || stored.instructionId !== instructionId) {
    throw new StateConflict(
      `confirmationId ${String(stored.confirmationId)} was already used with a different body or for another instruction`,
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
  /** The instruction as the caller just read it: saves the first attempt a read while still current. */
  known?: InstructionSnapshot,
): Promise<ConfirmationAnswer> {
  const at = () => now().toISOString();
  const caseId = instructionId.split('.')[0]!;
  const replay = async (bankId: string) => {
    const stored = await storedConfirmation(db, caseId, bankId, confirmation.confirmationId);
    return stored ? replayOf(stored, requestHash, instructionId) : undefined;
  };
  let attempt = 0;
  try {
    return await commitChainedChange(db, caseChain(caseId), at, async () => {
      attempt += 1;
      const instruction =
        (attempt === 1 ? stillCurrent(db, known, instructionId) : undefined) ??
        (await getInstruction(db, instructionId));
      if (!instruction) throw new Error(`instruction ${instructionId} vanished`);
      const outcome = decideConfirmation(instruction.requested, confirmation);
      if (!isAwaitingConfirmation(instruction.status)) {
        // Answered already: by this very confirmation (a replay), or by another one (409).
        const first = await replay(instruction.bankId);
        if (first) return { ops: [], audit: [], result: first };
        throw new StateConflict(
          `instruction ${instructionId} is ${instruction.status}: a confirmation is accepted only while PENDING, DISPATCHED, DISPATCH_FAILED or OVERDUE`,
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
        confirmationPutOp(db, instruction, confirmation.confirmationId, {
          kind: 'FREEZE',
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
        }),
        instructionUpdateOp(db, instruction, {
          status: outcome.status,
          frozen: toMoneyJson(outcome.frozen),
          cashWithdrawn: toMoneyJson(outcome.cashWithdrawn),
          confirmedAt,
          late,
          confirmationId: confirmation.confirmationId,
          // The trail is followed from the stream; the due index (FOLLOW) catches a record never handled.
          ...(outcome.onwardTransfers.length > 0 ? { followPending: true } : {}),
          // holdUntil = the first of (delivery recorded, confirmation recorded) + holdHours (API.md).
          ...(instruction.holdUntil === null
            ? {
                holdUntil: new Date(
                  Date.parse(confirmedAt) + instruction.holdHours * 3_600_000,
                ).toISOString(),
              }
            : {}),
        }),
        caseTotalsOp(
          db,
          instruction.caseId,
          confirmationDelta(instruction.status, outcome.status, outcome.frozen),
          confirmedAt,
        ),
      ];
      const dayCounters = new Map<string, bigint>([['confirmed', 1n]]);
      if (late) dayCounters.set('late', 1n);
      if (outcome.frozen.minor > 0n) {
        dayCounters.set(amountCounter('frozen', outcome.frozen.currency), outcome.frozen.minor);
        ops.push(
          bankHeldOp(db, instruction.bankId, outcome.frozen.currency, outcome.frozen.minor, confirmedAt),
        );
      }
      const latencySeconds = instruction.dispatchedAt
        ? Math.max(0, (Date.parse(confirmedAt) - Date.parse(instruction.dispatchedAt)) / 1000)
        : 0;
      ops.push(
        bankDayTotalsOp(
          db,
          confirmedAt.slice(0, 10),
          instruction.bankId,
          dayCounters,
          confirmedAt,
          latencySeconds,
        ),
      );
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
    // The confirmationId is taken (a concurrent replay won, or the bank reused it for another
    // instruction): answer as a replay of the first, or 409.
    if (error instanceof TransactionConflict && error.failedLabels.includes('confirmation')) {
      const first = await replay(
        known?.instruction.bankId ?? (await getInstruction(db, instructionId))?.bankId ?? '',
      );
      if (first) return first;
    }
    throw error;
  }
}

export function isConfirmed(instruction: StopPaymentInstruction): boolean {
  return !isAwaitingConfirmation(instruction.status) && instruction.confirmedAt !== null;
}

export interface ReleaseConfirmation {
  confirmationId: string;
  released: Money;
  reportedAt?: string | undefined;
  reason?: string | undefined;
}

/**
 * Records a bank's confirmation of a RELEASE instruction in ONE transaction: the confirmation, the
 * release instruction (RELEASED), the held instruction (its frozen amount down by what was released,
 * its reservation cleared, RELEASED when nothing is left), the case totals (frozen → released or
 * restored), what the bank holds, and the audit event.
 */
export async function recordReleaseConfirmation(
  db: Db,
  releaseId: string,
  confirmation: ReleaseConfirmation,
  requestHash: string,
  actor: string,
  now: () => Date,
): Promise<ConfirmationAnswer> {
  const at = () => now().toISOString();
  for (;;) {
    try {
      return await commitChainedChange(db, caseChain(releaseId.split('.')[0]!), at, async () => {
        const release = await getInstruction(db, releaseId);
        if (!release?.releasesInstructionId || !release.disposition)
          throw new Error(`release ${releaseId} vanished`);
        const stored = await storedConfirmation(
          db,
          release.caseId,
          release.bankId,
          confirmation.confirmationId,
        );
        if (stored) return { ops: [], audit: [], result: replayOf(stored, requestHash, releaseId) };
        const { released } = confirmation;
        const errors = [];
        if (released.currency !== release.requested.currency) {
          errors.push({ path: 'released.currency', message: `must be ${release.requested.currency}` });
        } else if (released.minor <= 0n || released.minor > release.requested.minor) {
          errors.push({
            path: 'released.minor',
            message: `must be > 0 and at most the release's ${release.requested.minor}`,
          });
        }
        if (errors.length) throw new ValidationProblem(errors);
        if (!isAwaitingConfirmation(release.status)) {
          throw new StateConflict(
            `release ${releaseId} is ${release.status}`,
            'INSTRUCTION_NOT_AWAITING_CONFIRMATION',
          );
        }
        const held = await getInstruction(db, release.releasesInstructionId);
        if (!held || !isHeld(held.status) || held.frozen.minor < released.minor) {
          throw new StateConflict(
            `the hold ${release.releasesInstructionId} no longer holds ${released.minor}`,
            'NOTHING_HELD',
          );
        }
        const confirmedAt = at();
        const left = held.frozen.minor - released.minor;
        const fully = left === 0n;
        const answer: ConfirmationAnswer = {
          statusCode: 201,
          body: { instructionId: releaseId, status: 'RELEASED' },
        };
        const currency = released.currency;
        const ops = [
          confirmationPutOp(db, release, confirmation.confirmationId, {
            kind: 'RELEASE',
            releasesInstructionId: held.instructionId,
            result: 'ACTIONED',
            status: 'RELEASED',
            released: toMoneyJson(released),
            reason: confirmation.reason,
            reportedAt: confirmation.reportedAt,
            receivedAt: confirmedAt,
            late: release.status === 'OVERDUE',
            requestHash,
            response: answer.body,
          }),
          instructionUpdateOp(db, release, {
            status: 'RELEASED',
            frozen: toMoneyJson(released),
            confirmedAt,
            late: release.status === 'OVERDUE',
            confirmationId: confirmation.confirmationId,
          }),
          {
            ...instructionUpdateOp(db, held, {
              frozen: { currency, minor: left.toString() },
              released: { currency, minor: (held.released.minor + released.minor).toString() },
              releasePending:
                held.releasePending - release.requested.minor > 0n
                  ? held.releasePending - release.requested.minor
                  : 0n,
              ...(fully ? { status: 'RELEASED', releasedAt: confirmedAt } : {}),
            }),
            label: 'heldInstruction',
          },
          caseTotalsOp(
            db,
            release.caseId,
            releaseDelta(held.status, released, release.disposition, fully),
            confirmedAt,
          ),
          bankHeldOp(db, release.bankId, currency, -released.minor, confirmedAt),
        ];
        const audit: AuditChange[] = [
          {
            actor,
            action: 'RELEASE_CONFIRMED',
            subject: `${releaseId}:${held.instructionId}:${release.disposition}:${currency}:${released.minor}`,
          },
        ];
        return { ops, audit, result: answer, retryOn: ['instruction', 'heldInstruction'] };
      });
    } catch (error) {
      if (error instanceof TransactionConflict && error.failedLabels.includes('confirmation')) continue;
      throw error;
    }
  }
}
