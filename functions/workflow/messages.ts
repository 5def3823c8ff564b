import type { PushMessage } from '../adapters/bank-connector.ts';
import type { StopPaymentInstruction } from '../domain/entities.ts';
import { toMoneyJson } from '../domain/money.ts';

/** Where a bank confirms an instruction (docs/api.md route), absolute when the API's base URL is known. */
export function confirmUrl(apiBaseUrl: string, i: StopPaymentInstruction): string {
  return `${apiBaseUrl.replace(/\/$/, '')}/banks/${encodeURIComponent(i.bankId)}/instructions/${encodeURIComponent(i.instructionId)}/confirmations`;
}

/**
 * The FREEZE push body of docs/api.md "Webhooks", with the credit the police named (`reference`,
 * `transferredAt`) so the bank knows which incoming payment to stop. The inbox item has the same
 * shape (http/views.ts), where the times are null until the first delivery fixes them.
 */
export function freezeMessage(
  i: StopPaymentInstruction,
  times: { deadlineAt: string | null; holdUntil: string | null },
  apiBaseUrl: string,
): PushMessage {
  return {
    kind: 'FREEZE',
    instructionId: i.instructionId,
    caseId: i.caseId,
    orderId: i.orderId,
    hop: i.hop,
    bankId: i.bankId,
    accountNumber: i.accountNumber,
    ...(i.accountName ? { accountName: i.accountName } : {}),
    amount: toMoneyJson(i.requested),
    legalBasis: i.legalBasis,
    deadlineAt: times.deadlineAt,
    holdUntil: times.holdUntil,
    confirmUrl: confirmUrl(apiBaseUrl, i),
    ...(i.reference !== undefined ? { reference: i.reference } : {}),
    ...(i.transferredAt !== undefined ? { transferredAt: i.transferredAt } : {}),
  };
}

/** One REMINDER after OVERDUE, with the second deadline. */
export function reminderMessage(
  i: StopPaymentInstruction,
  deadlineAt: string,
  apiBaseUrl: string,
): PushMessage {
  return {
    kind: 'REMINDER',
    instructionId: i.instructionId,
    caseId: i.caseId,
    orderId: i.orderId,
    hop: i.hop,
    bankId: i.bankId,
    accountNumber: i.accountNumber,
    amount: toMoneyJson(i.requested),
    deadlineAt,
    originalDeadlineAt: i.deadlineAt,
    confirmUrl: confirmUrl(apiBaseUrl, i),
  };
}

/** A court-ordered release, delivered as an instruction of its own (docs/api.md "Push connector"). */
export function releaseMessage(
  i: StopPaymentInstruction,
  deadlineAt: string | null,
  apiBaseUrl: string,
): PushMessage {
  return {
    kind: 'RELEASE',
    instructionId: i.instructionId,
    releasesInstructionId: i.releasesInstructionId,
    caseId: i.caseId,
    bankId: i.bankId,
    accountNumber: i.accountNumber,
    amount: toMoneyJson(i.requested),
    disposition: i.disposition,
    authority: i.legalBasis,
    deadlineAt,
    confirmUrl: confirmUrl(apiBaseUrl, i),
  };
}

/** The hold was extended (converted or renewed) with a new legal basis. */
export function extendMessage(
  i: StopPaymentInstruction,
  holdUntil: string,
  legalBasis: unknown,
): PushMessage {
  return {
    kind: 'EXTEND',
    instructionId: i.instructionId,
    caseId: i.caseId,
    bankId: i.bankId,
    accountNumber: i.accountNumber,
    holdUntil,
    legalBasis,
  };
}

/** The hold lapsed unextended: the bank may let the funds go. */
export function expiredMessage(
  i: StopPaymentInstruction,
  expired: { currency: string; minor: bigint },
): PushMessage {
  return {
    kind: 'EXPIRED',
    instructionId: i.instructionId,
    caseId: i.caseId,
    bankId: i.bankId,
    accountNumber: i.accountNumber,
    holdUntil: i.holdUntil,
    amount: toMoneyJson(expired),
  };
}
