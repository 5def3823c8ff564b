import { randomUUID } from 'node:crypto';
import type { PushKind, PushMessage } from '../adapters/bank-connector.ts';
import type { Dependencies } from '../adapters/dependencies.ts';
import { getBank } from '../adapters/dynamo/banks.ts';
import { markSandboxDelivered, putSandboxDelivery } from '../adapters/dynamo/sandbox.ts';
import type { BankDirectoryEntry, StopPaymentInstruction } from '../domain/entities.ts';
import { StateConflict } from '../domain/errors.ts';
import { ID_PATTERN, randomToken } from '../domain/ids.ts';
import { toMoneyJson } from '../domain/money.ts';
import {
  expiredMessage,
  extendMessage,
  freezeMessage,
  releaseMessage,
  reminderMessage,
} from '../workflow/messages.ts';

/**
 * A made-up instruction of the bank: ids that name no case (`CTEST…`), amounts of 1,000.00 CNY.
 * The sandbox push is built by the same functions as a real one, so it has the real shape.
 */
function sampleInstruction(bank: BankDirectoryEntry, now: Date): StopPaymentInstruction {
  const caseId = `CTEST${randomToken(6)}`;
  const at = now.toISOString();
  const inAnHour = new Date(now.getTime() + 3_600_000).toISOString();
  const money = { currency: 'CNY', minor: 100_000n };
  const zero = { currency: 'CNY', minor: 0n };
  return {
    kind: 'FREEZE',
    caseId,
    agencyId: 'TEST',
    orderId: `${caseId}.OTEST01`,
    instructionId: `${caseId}.OTEST01.1`,
    bankId: bank.bankId,
    accountNumber: '6222000000000000',
    accountName: 'Test Holder',
    requested: money,
    hop: 1,
    parentInstructionId: null,
    status: 'DISPATCHED',
    legalBasis: { kind: 'TEST', reference: 'TEST-0000', issuedBy: 'freezeflow sandbox', issuedAt: at },
    holdHours: 48,
    frozen: money,
    released: zero,
    releasePending: 0n,
    expired: zero,
    cashWithdrawn: zero,
    late: false,
    createdAt: at,
    dispatchedAt: at,
    deadlineAt: inAnHour,
    holdUntil: new Date(now.getTime() + 48 * 3_600_000).toISOString(),
    confirmedAt: null,
    escalatedAt: null,
    overdueAt: null,
    reminderDeadlineAt: null,
    deliveryStartedAt: at,
    deliveryAttempts: 0,
    nextAttemptAt: null,
    redeliverUntil: null,
    lastDeliveryError: null,
    remindedAt: null,
    dispatchFailedAt: null,
    expiredAt: null,
    pendingNotice: null,
    followPending: false,
    trailResolvedAt: null,
    reference: 'TX-TEST-0001',
    transferredAt: new Date(now.getTime() - 600_000).toISOString(),
  };
}

/** Where the bank confirms a sandbox push: the sandbox's own route, never a real instruction's. */
export const sandboxConfirmUrl = (apiBaseUrl: string, bankId: string, deliveryId: string): string =>
  `${apiBaseUrl.replace(/\/$/, '')}/banks/${encodeURIComponent(bankId)}/test-deliveries/${encodeURIComponent(deliveryId)}/confirmations`;

/** A push of `kind` about a made-up instruction, marked `"test": true` (docs/api.md "Sandbox"). */
export function samplePush(
  kind: PushKind,
  bank: BankDirectoryEntry,
  now: Date,
  apiBaseUrl: string,
  deliveryId: string,
): PushMessage {
  const i = sampleInstruction(bank, now);
  const deadlineAt = i.deadlineAt ?? '';
  const holdUntil = i.holdUntil ?? '';
  const release: StopPaymentInstruction = {
    ...i,
    kind: 'RELEASE',
    instructionId: `${i.caseId}.RTEST0001`,
    releasesInstructionId: i.instructionId,
    disposition: 'RETURN_TO_VICTIM',
  };
  const body = {
    FREEZE: () => freezeMessage(i, { deadlineAt, holdUntil }, apiBaseUrl),
    EXTEND: () => extendMessage(i, holdUntil, i.legalBasis),
    EXPIRED: () => expiredMessage(i, i.requested),
    REMINDER: () => reminderMessage(i, deadlineAt, apiBaseUrl),
    RELEASE: () => releaseMessage(release, deadlineAt, apiBaseUrl),
  }[kind]();
  const confirmUrl =
    'confirmUrl' in body ? { confirmUrl: sandboxConfirmUrl(apiBaseUrl, bank.bankId, deliveryId) } : {};
  return { ...body, ...confirmUrl, test: true };
}

export interface TestDeliveryAnswer {
  deliveryId: string;
  kind: PushKind;
  /** Whether the bank answered 2xx to the one attempt made. */
  delivered: boolean;
  /** Why not, when it did not. */
  detail?: string;
}

/**
 * POST /banks/{bankId}/test-deliveries: one signed attempt of a sandbox push to the bank's endpoint,
 * answered with its outcome. It writes only the sandbox record (SANDBOX#<bankId>, where the
 * confirmations of the push are scripted, app/sandbox-confirmation.ts): no case changes.
 * undefined: no such bank.
 */
export async function sendTestDelivery(
  deps: Dependencies,
  bankId: string,
  /** Parses the body: called once the bank is known to exist (404 comes before 422). */
  kindOf: () => PushKind,
): Promise<TestDeliveryAnswer | undefined> {
  const bank = ID_PATTERN.test(bankId) ? await getBank(deps.db, bankId) : undefined;
  if (!bank) return undefined;
  const kind = kindOf();
  if (bank.mode !== 'push' || !bank.endpoint || !bank.signingSecretRef) {
    throw new StateConflict(
      `bank ${bankId} is not a push bank with an endpoint and a signing secret`,
      'NOT_A_PUSH_BANK',
    );
  }
  const deliveryId = `test-${randomUUID()}`;
  const now = deps.now();
  const message = samplePush(kind, bank, now, deps.apiBaseUrl, deliveryId);
  // Written before the push: the bank may confirm before this request has its answer.
  await putSandboxDelivery(deps.db, {
    bankId,
    deliveryId,
    kind,
    instructionId: message.instructionId,
    requested:
      (message.amount as ReturnType<typeof toMoneyJson> | undefined) ??
      toMoneyJson({ currency: 'CNY', minor: 0n }),
    createdAt: now.toISOString(),
    delivered: null,
    attempts: [],
    accepted: null,
    version: 0,
  });
  let answer: TestDeliveryAnswer;
  try {
    await deps.connector.push(bank, message, deliveryId);
    answer = { deliveryId, kind, delivered: true };
  } catch (error) {
    answer = { deliveryId, kind, delivered: false, detail: (error as Error).message };
  }
  await markSandboxDelivered(deps.db, bankId, deliveryId, answer.delivered, answer.detail);
  return answer;
}
