import type { MoneyJson } from './money.ts';

/**
 * The sandbox's confirmation script (docs/api.md "Sandbox"): what a bank's confirmation client
 * meets in production, in order, so `freezeflow-conformance --api` can judge it:
 *   1. the first confirmation is answered 503 + Retry-After (busy);
 *   2. the next one, made after Retry-After, is recorded, but its answer is 503 again (an answer
 *      lost after the write: the client cannot know whether it landed);
 *   3. from then on the same confirmationId with the same result, amounts and transfers gets 200 and
 *      the first answer; another body 409 CONFIRMATION_ID_REUSED; another id 409
 *      INSTRUCTION_NOT_AWAITING_CONFIRMATION.
 * A retry sooner than Retry-After is marked `early` and answered 503 again.
 */
// Long enough that a client retrying at once is told apart from one that waited, on a busy machine too.
export const SANDBOX_RETRY_AFTER_SECONDS = 3;

export interface SandboxAttempt {
  at: string;
  status: number;
  confirmationId?: string | undefined;
  early?: boolean;
  rule?: string;
}

export interface SandboxDelivery {
  bankId: string;
  deliveryId: string;
  kind: string;
  instructionId: string;
  requested: MoneyJson;
  createdAt: string;
  delivered: boolean | null;
  detail?: string | undefined;
  attempts: SandboxAttempt[];
  accepted: { confirmationId: string; identity: string; status: string } | null;
  version: number;
}

export interface SandboxAnswer {
  status: number;
  body: Record<string, unknown>;
  retryAfter?: number;
  rule?: string;
}

/** What a valid confirmation says: its id, what makes it "the same" (`identity`) and its status. */
export interface SandboxConfirmation {
  confirmationId: string;
  identity: string;
  status: string;
}

export function decideSandboxConfirmation(
  record: SandboxDelivery,
  confirmation: SandboxConfirmation,
  now: Date,
): { answer: SandboxAnswer; attempt: SandboxAttempt; accepted: SandboxDelivery['accepted'] } {
  const at = now.toISOString();
  const last = record.attempts.filter((a) => a.status !== 422).at(-1);
  const busy = (extra: Partial<SandboxAttempt> = {}) => ({
    answer: {
      status: 503,
      retryAfter: SANDBOX_RETRY_AFTER_SECONDS,
      body: { detail: 'sandbox: busy, repeat the same request after Retry-After' },
    },
    attempt: { at, status: 503, confirmationId: confirmation.confirmationId, ...extra },
    accepted: record.accepted,
  });
  if (last && now.getTime() - Date.parse(last.at) < SANDBOX_RETRY_AFTER_SECONDS * 1000) {
    return busy({ early: true });
  }
  if (!last) return busy();
  if (!record.accepted) {
    const accepted = { ...confirmation };
    return { ...busy(), accepted };
  }
  const answerBody = { instructionId: record.instructionId, status: record.accepted.status, test: true };
  if (confirmation.confirmationId === record.accepted.confirmationId) {
    if (confirmation.identity === record.accepted.identity) {
      return {
        answer: { status: 200, body: answerBody },
        attempt: { at, status: 200, confirmationId: confirmation.confirmationId },
        accepted: record.accepted,
      };
    }
    return conflict('CONFIRMATION_ID_REUSED');
  }
  return conflict('INSTRUCTION_NOT_AWAITING_CONFIRMATION');

  function conflict(rule: string) {
    return {
      answer: { status: 409, rule, body: { detail: `sandbox: ${rule}` } },
      attempt: { at, status: 409, confirmationId: confirmation.confirmationId, rule },
      accepted: record.accepted,
    };
  }
}
