import { type ChangeSet, type ConfirmationRecord, changeSet, noChange, transition } from './change-set.ts';
import { type BankConfirmation, decideConfirmation } from './confirmation-rules.ts';
import type { StopPaymentInstruction } from './entities.ts';
import { StateConflict, ValidationProblem } from './errors.ts';
import { isAwaitingConfirmation, isHeld } from './instruction-lifecycle.ts';
import { type Money, toMoneyJson } from './money.ts';
import { confirmationDelta, releaseDelta } from './totals.ts';

export interface ConfirmationAnswer {
  statusCode: 200 | 201;
  body: { instructionId: string; status: string };
}

/** A confirmation as stored, as far as a replay needs it. */
export interface StoredConfirmation {
  confirmationId: string;
  instructionId: string;
  requestHash: string;
  response: ConfirmationAnswer['body'];
}

export interface ConfirmationContext {
  requestHash: string;
  actor: string;
  /** When the confirmation is recorded (ISO 8601 UTC). */
  at: string;
}

/**
 * A confirmationId seen before: the first answer again (200) when it is the same confirmation of the
 * same instruction, else 409 CONFIRMATION_ID_REUSED (docs/api.md).
 */
export function replayOf(
  stored: StoredConfirmation,
  requestHash: string,
  instructionId: string,
): ConfirmationAnswer {
  if (stored.requestHash !== requestHash || stored.instructionId !== instructionId) {
    throw new StateConflict(
      `confirmationId ${stored.confirmationId} was already used with a different body or for another instruction`,
      'CONFIRMATION_ID_REUSED',
    );
  }
  return { statusCode: 200, body: stored.response };
}

/**
 * A bank's result for a freeze instruction (docs/api.md "Instructions and confirmations"): while the
 * instruction awaits a confirmation, its new status, frozen and withdrawn amounts, holdUntil (the
 * first of delivery and confirmation + holdHours), the case and bank/day totals, what the bank holds,
 * the confirmation record and the audit entry; once answered, the first answer again (a replay) or a
 * 409. `stored`: the record already kept under this confirmationId, if any.
 */
export function decideFreezeConfirmation(
  instruction: StopPaymentInstruction,
  confirmation: BankConfirmation,
  stored: StoredConfirmation | undefined,
  ctx: ConfirmationContext,
): ChangeSet<ConfirmationAnswer> {
  const outcome = decideConfirmation(instruction.requested, confirmation);
  const { instructionId } = instruction;
  if (!isAwaitingConfirmation(instruction.status)) {
    // Answered already: by this very confirmation (a replay), or by another one (409).
    if (stored) return noChange(replayOf(stored, ctx.requestHash, instructionId));
    throw new StateConflict(
      `instruction ${instructionId} is ${instruction.status}: a confirmation is accepted only while PENDING, DISPATCHED, DISPATCH_FAILED or OVERDUE`,
      'INSTRUCTION_NOT_AWAITING_CONFIRMATION',
    );
  }
  // The id is taken by a confirmation of another instruction (or a different body): never applied.
  if (stored) return noChange(replayOf(stored, ctx.requestHash, instructionId));
  const confirmedAt = ctx.at;
  const late = instruction.status === 'OVERDUE';
  const answer: ConfirmationAnswer = { statusCode: 201, body: { instructionId, status: outcome.status } };
  const latencySeconds = instruction.dispatchedAt
    ? Math.max(0, (Date.parse(confirmedAt) - Date.parse(instruction.dispatchedAt)) / 1000)
    : 0;
  return changeSet(answer, {
    confirmation: confirmationRecord(instruction, confirmation, ctx, late, answer, {
      kind: 'FREEZE',
      result: confirmation.result,
      status: outcome.status,
      frozen: toMoneyJson(outcome.frozen),
      cashWithdrawn: toMoneyJson(outcome.cashWithdrawn),
      onwardTransfers: outcome.onwardTransfers.map((t) => ({ ...t, amount: toMoneyJson(t.amount) })),
    }),
    transitions: [
      transition(instruction, {
        status: outcome.status,
        frozen: outcome.frozen,
        cashWithdrawn: outcome.cashWithdrawn,
        confirmedAt,
        late,
        confirmationId: confirmation.confirmationId,
        // The trail is followed from the stream; the due index (FOLLOW) catches a record never handled.
        ...(outcome.onwardTransfers.length > 0 ? { followPending: true } : {}),
        ...(instruction.holdUntil === null
          ? { holdUntil: new Date(Date.parse(confirmedAt) + instruction.holdHours * 3_600_000).toISOString() }
          : {}),
      }),
    ],
    caseTotals: { delta: confirmationDelta(instruction.status, outcome.status, outcome.frozen) },
    bankDay: {
      bankId: instruction.bankId,
      at: confirmedAt,
      confirmed: 1n,
      ...(late ? { late: 1n } : {}),
      frozen: outcome.frozen,
      latencySeconds,
    },
    bankHeld: outcome.frozen.minor > 0n ? [{ bankId: instruction.bankId, amount: outcome.frozen }] : [],
    audit: [
      {
        actor: ctx.actor,
        action: late ? 'LATE_CONFIRMATION_RECORDED' : 'CONFIRMATION_RECORDED',
        subject: `${instructionId}:${outcome.status}:${outcome.frozen.minor}`,
      },
    ],
  });
}

/** The record kept under the confirmationId: what was reported, when, and the answer a replay gets. */
function confirmationRecord(
  instruction: StopPaymentInstruction,
  confirmation: { confirmationId: string; reason?: string | undefined; reportedAt?: string | undefined },
  ctx: ConfirmationContext,
  late: boolean,
  answer: ConfirmationAnswer,
  result: Record<string, unknown>,
): ConfirmationRecord {
  return {
    caseId: instruction.caseId,
    bankId: instruction.bankId,
    instructionId: instruction.instructionId,
    confirmationId: confirmation.confirmationId,
    fields: {
      ...result,
      reason: confirmation.reason,
      reportedAt: confirmation.reportedAt,
      receivedAt: ctx.at,
      late,
      requestHash: ctx.requestHash,
      response: answer.body,
    },
  };
}

export interface ReleaseConfirmation {
  confirmationId: string;
  released: Money;
  reportedAt?: string | undefined;
  reason?: string | undefined;
}

/** What a confirmed release leaves on the hold it releases (docs/api.md "Holds and releases"). */
export interface ReleaseArithmetic {
  /** Still held after the release. */
  left: bigint;
  /** Nothing left: the hold becomes RELEASED. */
  fully: boolean;
  /** Released from the hold so far, this release included. */
  releasedSoFar: bigint;
  /** Reserved for releases still with the bank, this one's reservation taken off (never < 0). */
  releasePending: bigint;
}

/**
 * The arithmetic of a release the bank confirmed: `released` (≤ the release's amount, which was
 * reserved out of the hold when it was ordered) leaves the hold; the release's whole reservation is
 * lifted. Refused (409 NOTHING_HELD) when the hold no longer holds that much.
 */
export function releaseArithmetic(
  held: Pick<StopPaymentInstruction, 'instructionId' | 'status' | 'frozen' | 'released' | 'releasePending'>,
  releaseAmount: bigint,
  released: bigint,
): ReleaseArithmetic {
  if (!isHeld(held.status) || held.frozen.minor < released) {
    throw new StateConflict(`the hold ${held.instructionId} no longer holds ${released}`, 'NOTHING_HELD');
  }
  const left = held.frozen.minor - released;
  const pending = held.releasePending - releaseAmount;
  return {
    left,
    fully: left === 0n,
    releasedSoFar: held.released.minor + released,
    releasePending: pending > 0n ? pending : 0n,
  };
}

/**
 * A bank's confirmation of a RELEASE instruction: the release RELEASED, the hold's frozen amount down
 * by what was released (RELEASED when nothing is left), the case totals (frozen → released or
 * restored), what the bank holds, the confirmation record and the audit entry. A replay answers the
 * first answer; a bad amount is a 422; a release already answered or a hold that no longer holds the
 * amount is a 409.
 */
export function decideReleaseConfirmation(
  release: StopPaymentInstruction,
  held: StopPaymentInstruction | undefined,
  confirmation: ReleaseConfirmation,
  stored: StoredConfirmation | undefined,
  ctx: ConfirmationContext,
): ChangeSet<ConfirmationAnswer> {
  const releaseId = release.instructionId;
  if (!release.releasesInstructionId || !release.disposition) throw new Error(`${releaseId} is no release`);
  if (stored) return noChange(replayOf(stored, ctx.requestHash, releaseId));
  const { released } = confirmation;
  if (released.currency !== release.requested.currency) {
    throw new ValidationProblem([
      { path: 'released.currency', message: `must be ${release.requested.currency}` },
    ]);
  }
  if (released.minor <= 0n || released.minor > release.requested.minor) {
    throw new ValidationProblem([
      { path: 'released.minor', message: `must be > 0 and at most the release's ${release.requested.minor}` },
    ]);
  }
  if (!isAwaitingConfirmation(release.status)) {
    throw new StateConflict(
      `release ${releaseId} is ${release.status}`,
      'INSTRUCTION_NOT_AWAITING_CONFIRMATION',
    );
  }
  if (!held) {
    throw new StateConflict(`the hold ${release.releasesInstructionId} no longer exists`, 'NOTHING_HELD');
  }
  const sum = releaseArithmetic(held, release.requested.minor, released.minor);
  const confirmedAt = ctx.at;
  const late = release.status === 'OVERDUE';
  const currency = released.currency;
  const answer: ConfirmationAnswer = {
    statusCode: 201,
    body: { instructionId: releaseId, status: 'RELEASED' },
  };
  return changeSet(answer, {
    confirmation: confirmationRecord(release, confirmation, ctx, late, answer, {
      kind: 'RELEASE',
      releasesInstructionId: held.instructionId,
      result: 'ACTIONED',
      status: 'RELEASED',
      released: toMoneyJson(released),
    }),
    transitions: [
      transition(release, {
        status: 'RELEASED',
        frozen: released,
        confirmedAt,
        late,
        confirmationId: confirmation.confirmationId,
      }),
      transition(held, {
        frozen: { currency, minor: sum.left },
        released: { currency, minor: sum.releasedSoFar },
        releasePending: sum.releasePending,
        ...(sum.fully ? { status: 'RELEASED', releasedAt: confirmedAt } : {}),
      }),
    ],
    caseTotals: { delta: releaseDelta(held.status, released, release.disposition, sum.fully) },
    bankHeld: [{ bankId: release.bankId, amount: { currency, minor: -released.minor } }],
    audit: [
      {
        actor: ctx.actor,
        action: 'RELEASE_CONFIRMED',
        subject: `${releaseId}:${held.instructionId}:${release.disposition}:${currency}:${released.minor}`,
      },
    ],
  });
}
