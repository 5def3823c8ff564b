import type { InstructionDecision } from './change-set.ts';
import { nextRetry, secondsUntil } from './delivery-schedule.ts';
import type { BankDirectoryEntry, StopPaymentInstruction } from './entities.ts';
import { escalationAudit, type SystemActor } from './escalation.ts';
import { holdEnd } from './hold-change.ts';
import type { InstructionStatus } from './instruction-lifecycle.ts';

/** Statuses a delivery (or a redelivery, docs/api.md `…/redeliver`) may be made in. */
export const deliverableStatuses: readonly InstructionStatus[] = [
  'PENDING',
  'DISPATCHED',
  'DISPATCH_FAILED',
  'OVERDUE',
];

/** A delivery is wanted: a new instruction, or a redelivery asked for (nextAttemptAt). */
export const deliveryWanted = (i: StopPaymentInstruction): boolean =>
  i.status === 'PENDING' || (i.nextAttemptAt !== null && deliverableStatuses.includes(i.status));

/** The same id on every attempt of one delivery (the bank de-duplicates on it). */
export const deliveryIdOf = (i: StopPaymentInstruction): string =>
  `${i.instructionId}:${i.kind === 'RELEASE' ? 'RELEASE' : 'FREEZE'}`;

export type AttemptClaim =
  /** This attempt may push: its decision marks it in flight. */
  | { kind: 'claimed'; decision: InstructionDecision }
  /** Nothing (more) to deliver. */
  | { kind: 'notWanted' }
  /** Another attempt is in flight, or the next one is scheduled for later (Retry-After, backoff). */
  | { kind: 'notYet'; at: string };

/**
 * Before every push, an attempt claims the delivery: it is due (`nextAttemptAt` unset or passed) and
 * this attempt moves `nextAttemptAt` past the time the push could take (`inFlightMs`), so the
 * workflow, its task retries and the reconciler never push the same delivery side by side, nor
 * earlier than a scheduled retry. Should the attempt die with its process, the next one is due once
 * the claim runs out (the due index never points back into the past while an attempt is in flight).
 * The first attempt also fixes `deadlineAt` (now + the bank's SLA) and `holdUntil` (now + holdHours,
 * unless a confirmation set it first), before the push, so every attempt carries the same body.
 */
export function decideAttemptClaim(
  current: StopPaymentInstruction,
  input: { now: Date; slaSeconds: number; inFlightMs: number },
): AttemptClaim {
  if (!deliveryWanted(current)) return { kind: 'notWanted' };
  const { now } = input;
  if (current.nextAttemptAt && Date.parse(current.nextAttemptAt) > now.getTime()) {
    return { kind: 'notYet', at: current.nextAttemptAt };
  }
  const first = !current.deliveryStartedAt;
  return {
    kind: 'claimed',
    decision: {
      patch: {
        nextAttemptAt: new Date(now.getTime() + input.inFlightMs).toISOString(),
        ...(first
          ? {
              deliveryStartedAt: now.toISOString(),
              deadlineAt: new Date(now.getTime() + input.slaSeconds * 1000).toISOString(),
              ...(current.kind === 'FREEZE' && !current.holdUntil
                ? { holdUntil: holdEnd(now, current.holdHours) }
                : {}),
            }
          : {}),
      },
      audit: [],
    },
  };
}

/**
 * The push reached the bank (or its inbox): DISPATCHED (from PENDING or DISPATCH_FAILED), counted as
 * received on the bank's day once. A bank that confirmed before the delivery was recorded keeps its
 * status; only the delivery's time is recorded.
 */
export function decideDelivered(
  current: StopPaymentInstruction,
  input: { now: Date; bank: Pick<BankDirectoryEntry, 'bankId' | 'mode'>; actor: SystemActor },
): InstructionDecision | undefined {
  const first = !current.dispatchedAt;
  const wanted = deliveryWanted(current);
  if (!wanted && !first) return undefined;
  const at = input.now.toISOString();
  const toDispatched = current.status === 'PENDING' || current.status === 'DISPATCH_FAILED';
  return {
    patch: {
      ...(first ? { dispatchedAt: at } : {}),
      ...(wanted && toDispatched ? { status: 'DISPATCHED' as const } : {}),
      nextAttemptAt: null,
      redeliverUntil: null,
      deliveryAttempts: current.deliveryAttempts + 1,
      lastDeliveryError: null,
    },
    ...(first ? { with: { bankDay: { bankId: current.bankId, at, received: 1n } } } : {}),
    audit: [
      {
        actor: input.actor,
        action: first ? 'INSTRUCTION_DISPATCHED' : 'INSTRUCTION_REDELIVERED',
        subject: `${current.instructionId}:${input.bank.bankId}:${input.bank.mode}`,
      },
    ],
  };
}

/**
 * Milliseconds from the first delivery attempt to the bank's acknowledgement of it (the
 * DeliveryLatency metric, functions/adapters/metrics.ts); undefined until both are known.
 */
export function deliveryLatencyMs(i: Pick<StopPaymentInstruction, 'deliveryStartedAt' | 'dispatchedAt'>) {
  if (!i.deliveryStartedAt || !i.dispatchedAt) return undefined;
  const ms = Date.parse(i.dispatchedAt) - Date.parse(i.deliveryStartedAt);
  return Number.isFinite(ms) ? Math.max(0, ms) : undefined;
}

export type RetryDecision =
  | { kind: 'retry'; waitSeconds: number; decision: InstructionDecision }
  | { kind: 'giveUp' }
  | { kind: 'none' };

/**
 * A transient fault: the next attempt after backoff with jitter (honouring Retry-After), until the
 * later of deadlineAt and a redelivery's own window; past it, the delivery is given up.
 */
export function decideRetry(
  current: StopPaymentInstruction,
  input: {
    now: Date;
    error: { message: string; retryAfterSeconds?: number | undefined };
    random: () => number;
  },
): RetryDecision {
  if (!deliveryWanted(current)) return { kind: 'none' };
  const attempts = current.deliveryAttempts + 1;
  const until = [current.deadlineAt, current.redeliverUntil]
    .filter((t): t is string => t !== null)
    .sort()
    .at(-1);
  const started = current.redeliverUntil ? current.nextAttemptAt : current.deliveryStartedAt;
  const window = until && started ? (Date.parse(until) - Date.parse(started)) / 1000 : undefined;
  const plan = nextRetry(
    attempts,
    secondsUntil(until ?? null, input.now),
    input.error.retryAfterSeconds,
    input.random,
    window,
  );
  if (plan.waitSeconds === undefined) return { kind: 'giveUp' };
  return {
    kind: 'retry',
    waitSeconds: plan.waitSeconds,
    decision: {
      patch: {
        deliveryAttempts: attempts,
        nextAttemptAt: new Date(input.now.getTime() + plan.waitSeconds * 1000).toISOString(),
        lastDeliveryError: input.error.message.slice(0, 500),
      },
      audit: [],
    },
  };
}

/**
 * The delivery failed for good. A first delivery makes the instruction DISPATCH_FAILED and escalates
 * it at once (docs/api.md); a failed redelivery leaves the status as it was and is audited. The bank may
 * still confirm (it sees the instruction in its inbox) and the police may redeliver.
 */
export function decideDeliveryFailed(
  current: StopPaymentInstruction,
  input: { now: Date; reason: string; actor: SystemActor },
): InstructionDecision | undefined {
  if (!deliveryWanted(current)) return undefined;
  const { reason, actor } = input;
  const failedAt = input.now.toISOString();
  const detail = `${current.instructionId}:${reason.slice(0, 200)}`;
  if (current.status !== 'PENDING' && current.status !== 'DISPATCH_FAILED') {
    return {
      patch: { nextAttemptAt: null, redeliverUntil: null, lastDeliveryError: reason.slice(0, 500) },
      audit: [{ actor, action: 'REDELIVERY_FAILED', subject: detail }],
    };
  }
  const escalate = !current.escalatedAt;
  return {
    patch: {
      status: 'DISPATCH_FAILED',
      dispatchFailedAt: failedAt,
      dispatchError: reason.slice(0, 500),
      nextAttemptAt: null,
      redeliverUntil: null,
      lastDeliveryError: reason.slice(0, 500),
      ...(escalate
        ? { escalatedAt: failedAt, escalationReason: `DISPATCH_FAILED: ${reason.slice(0, 300)}` }
        : {}),
    },
    audit: [
      {
        actor,
        action: current.status === 'PENDING' ? 'DISPATCH_FAILED' : 'REDELIVERY_FAILED',
        subject: detail,
      },
      ...(escalate ? [escalationAudit(actor, current, 'DISPATCH_FAILED')] : []),
    ],
  };
}
