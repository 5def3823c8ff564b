import {
  ATTEMPT_IN_FLIGHT_MS,
  type BankConnector,
  ConnectorPermanentError,
  ConnectorTransientError,
  type PushMessage,
} from '../adapters/bank-connector.ts';
import type { Dependencies } from '../adapters/dependencies.ts';
import { getBankForDelivery } from '../adapters/dynamo/banks.ts';
import { changeInstruction, getInstruction } from '../adapters/dynamo/instructions.ts';
import {
  type AttemptClaim,
  decideAttemptClaim,
  decideDelivered,
  decideDeliveryFailed,
  decideRetry,
  deliveryIdOf,
  deliveryLatencyMs,
  deliveryWanted,
} from '../domain/delivery.ts';
import { secondsUntil } from '../domain/delivery-schedule.ts';
import type { BankDirectoryEntry, StopPaymentInstruction } from '../domain/entities.ts';
import type { SystemActor } from '../domain/escalation.ts';
import { freezeMessage, releaseMessage } from '../workflow/messages.ts';
import { escalationEvent } from './escalate-instruction.ts';

export { deliverableStatuses, deliveryIdOf, deliveryWanted } from '../domain/delivery.ts';

/** What one delivery step did, for the workflow's loop (and the reconciler). */
export interface DeliveryStep {
  /** DELIVERED: it reached the bank (or its inbox); RETRY: try again after waitSeconds; DONE: nothing (more) to deliver. */
  outcome: 'DELIVERED' | 'RETRY' | 'DONE';
  /** Is the instruction waiting for the bank's confirmation (the workflow then waits for it)? */
  awaiting: boolean;
  /** Seconds until the instruction's deadline (≥ 1): the wait task's TimeoutSecondsPath. */
  timeoutSeconds: number;
  /** Seconds until the next attempt (RETRY; 1 otherwise). */
  waitSeconds: number;
  /** DELIVERED for the first time: ms from the first attempt to the bank's acknowledgement. */
  deliveryLatencyMs?: number;
}

export function deliveryMessage(i: StopPaymentInstruction, apiBaseUrl: string): PushMessage {
  const deadlineAt = i.deadlineAt ?? '';
  return i.kind === 'RELEASE'
    ? releaseMessage(i, deadlineAt, apiBaseUrl)
    : freezeMessage(i, { deadlineAt, holdUntil: i.holdUntil ?? '' }, apiBaseUrl);
}

function view(i: StopPaymentInstruction, now: Date, outcome: DeliveryStep['outcome'], waitSeconds = 1) {
  return {
    outcome,
    // Only a delivered instruction is waited for: PENDING waits on its retries, DISPATCH_FAILED on a person.
    awaiting: i.status === 'DISPATCHED' || (i.status === 'OVERDUE' && !i.remindedAt),
    timeoutSeconds: secondsUntil(i.status === 'OVERDUE' ? i.reminderDeadlineAt : i.deadlineAt, now),
    waitSeconds,
  } satisfies DeliveryStep;
}

/**
 * One attempt at delivering an instruction (docs/api.md "Push connector"). Each attempt first claims
 * the delivery (domain/delivery.ts decideAttemptClaim): the workflow, a retry of its task and the
 * reconciler may call this side by side, and only one pushes, never before a scheduled retry. The
 * first attempt fixes `deadlineAt` (now + the bank's SLA) and `holdUntil` (now + holdHours, unless a
 * confirmation set it first) and records them BEFORE the push, so every attempt carries the same body.
 * A transient fault schedules the next attempt (backoff with jitter, honouring Retry-After) until the
 * deadline; a permanent one, or the deadline, makes a new instruction DISPATCH_FAILED and escalates it
 * at once. A bank may confirm at any moment: the status it set is kept and only the delivery recorded.
 */
export async function deliverInstruction(
  deps: Dependencies,
  instructionId: string,
  actor: SystemActor = 'system:workflow',
): Promise<DeliveryStep> {
  const now = deps.now();
  const at = () => deps.now().toISOString();
  let instruction = await getInstruction(deps.db, instructionId);
  if (!instruction) throw new Error(`instruction ${instructionId} does not exist`);
  if (!deliveryWanted(instruction)) return view(instruction, now, 'DONE');
  const bank = await getBankForDelivery(deps.db, instruction.bankId);
  if (!bank) return failDelivery(deps, instructionId, `bank ${instruction.bankId} is not registered`, actor);

  const claim = await claimAttempt(deps, instructionId, bank, now);
  if (claim.kind === 'notWanted') return view(claim.instruction, now, 'DONE');
  // Another attempt is in flight or a retry is scheduled later: come back then (it may be done by then).
  if (claim.kind === 'notYet') return view(claim.instruction, now, 'RETRY', secondsUntil(claim.at, now));
  instruction = claim.instruction;

  try {
    await pushIfPushBank(
      deps.connector,
      bank,
      deliveryMessage(instruction, deps.apiBaseUrl),
      deliveryIdOf(instruction),
    );
  } catch (error) {
    if (error instanceof ConnectorTransientError) {
      return scheduleRetry(deps, instructionId, error, actor);
    }
    if (error instanceof ConnectorPermanentError)
      return failDelivery(deps, instructionId, error.message, actor);
    throw error;
  }
  return recordDelivered(deps, instructionId, bank, at, now, actor);
}

async function pushIfPushBank(
  connector: BankConnector,
  bank: BankDirectoryEntry,
  message: PushMessage,
  deliveryId: string,
): Promise<void> {
  // A pull bank's delivery is its inbox, where every instruction is from the start.
  if (bank.mode === 'push') await connector.push(bank, message, deliveryId);
}

/** The attempt's claim (domain/delivery.ts decideAttemptClaim), with the instruction as stored after it. */
async function claimAttempt(
  deps: Dependencies,
  instructionId: string,
  bank: BankDirectoryEntry,
  now: Date,
): Promise<
  | { kind: 'claimed' | 'notWanted'; instruction: StopPaymentInstruction }
  | { kind: 'notYet'; at: string; instruction: StopPaymentInstruction }
> {
  let claim: AttemptClaim = { kind: 'notWanted' };
  await changeInstruction(deps.db, instructionId, () => deps.now().toISOString(), {
    decide: (current) => {
      claim = decideAttemptClaim(current, {
        now,
        slaSeconds: bank.slaSeconds,
        inFlightMs: ATTEMPT_IN_FLIGHT_MS,
      });
      return claim.kind === 'claimed' ? claim.decision : undefined;
    },
  });
  const stored = await getInstruction(deps.db, instructionId);
  if (!stored) throw new Error(`instruction ${instructionId} vanished`);
  const decided = claim as AttemptClaim;
  return decided.kind === 'notYet'
    ? { kind: 'notYet', at: decided.at, instruction: stored }
    : { kind: decided.kind, instruction: stored };
}

async function recordDelivered(
  deps: Dependencies,
  instructionId: string,
  bank: BankDirectoryEntry,
  at: () => string,
  now: Date,
  actor: SystemActor,
): Promise<DeliveryStep> {
  const result = await changeInstruction(deps.db, instructionId, at, {
    decide: (current) => decideDelivered(current, { now, bank, actor }),
  });
  const after = await getInstruction(deps.db, instructionId);
  if (!after) throw new Error(`instruction ${instructionId} vanished`);
  if (!result?.changed) return view(after, now, 'DONE');
  // Only the first delivery has a latency: a redelivery keeps the first dispatchedAt.
  const latency = after.dispatchedAt === now.toISOString() ? deliveryLatencyMs(after) : undefined;
  return {
    ...view(after, now, 'DELIVERED'),
    ...(latency === undefined ? {} : { deliveryLatencyMs: latency }),
  };
}

async function scheduleRetry(
  deps: Dependencies,
  instructionId: string,
  error: ConnectorTransientError,
  actor: SystemActor,
): Promise<DeliveryStep> {
  const now = deps.now();
  const at = () => deps.now().toISOString();
  let waitSeconds: number | undefined;
  let gaveUp = false;
  const result = await changeInstruction(deps.db, instructionId, at, {
    decide: (current) => {
      const retry = decideRetry(current, { now, error, random: Math.random });
      gaveUp = retry.kind === 'giveUp';
      waitSeconds = retry.kind === 'retry' ? retry.waitSeconds : undefined;
      return retry.kind === 'retry' ? retry.decision : undefined;
    },
  });
  if (gaveUp) return failDelivery(deps, instructionId, `deadline reached: ${error.message}`, actor);
  const after = result?.changed ? await getInstruction(deps.db, instructionId) : undefined;
  if (!after || waitSeconds === undefined) {
    const current = after ?? (await getInstruction(deps.db, instructionId));
    if (!current) throw new Error(`instruction ${instructionId} vanished`);
    return view(current, now, 'DONE');
  }
  return view(after, now, 'RETRY', waitSeconds);
}

/** The delivery failed for good (domain/delivery.ts decideDeliveryFailed); an escalation is published. */
export async function failDelivery(
  deps: Dependencies,
  instructionId: string,
  reason: string,
  actor: SystemActor = 'system:workflow',
): Promise<DeliveryStep> {
  const now = deps.now();
  const at = () => deps.now().toISOString();
  const result = await changeInstruction(deps.db, instructionId, at, {
    decide: (current) => decideDeliveryFailed(current, { now, reason, actor }),
  });
  const after = await getInstruction(deps.db, instructionId);
  if (!after) throw new Error(`instruction ${instructionId} vanished`);
  if (result?.changed && !result.before.escalatedAt && after.escalatedAt) {
    await deps.events.publish(escalationEvent(after, after.escalatedAt, `DISPATCH_FAILED: ${reason}`));
  }
  return view(after, now, 'DONE');
}
