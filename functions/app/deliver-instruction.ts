import {
  type BankConnector,
  ConnectorPermanentError,
  ConnectorTransientError,
  PUSH_TIMEOUT_MS,
  type PushMessage,
} from '../adapters/bank-connector.ts';
import type { Dependencies } from '../adapters/dependencies.ts';
import { getBankForDelivery } from '../adapters/dynamo/banks.ts';
import { changeInstruction, getInstruction } from '../adapters/dynamo/instructions.ts';
import type { AuditEntry } from '../domain/change-set.ts';
import { nextRetry, secondsUntil } from '../domain/delivery-schedule.ts';
import type { BankDirectoryEntry, StopPaymentInstruction } from '../domain/entities.ts';
import type { InstructionStatus } from '../domain/instruction-lifecycle.ts';
import { freezeMessage, releaseMessage } from '../workflow/messages.ts';
import { escalationAudit, escalationEvent, type SystemActor } from './escalate-instruction.ts';

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
}

/** Statuses a delivery (or a redelivery, API.md `…/redeliver`) may be made in. */
export const deliverableStatuses: readonly InstructionStatus[] = [
  'PENDING',
  'DISPATCHED',
  'DISPATCH_FAILED',
  'OVERDUE',
];

/**
 * Longer than one push can take (PUSH_TIMEOUT_MS plus the writes around it), and short enough that a
 * restart carries an attempt cut off by a crash on well within 30 s (API.md "Running it locally").
 */
const ATTEMPT_IN_FLIGHT_MS = PUSH_TIMEOUT_MS + 5_000;

/** A delivery is wanted: a new instruction, or a redelivery asked for (nextAttemptAt). */
export const deliveryWanted = (i: StopPaymentInstruction): boolean =>
  i.status === 'PENDING' || (i.nextAttemptAt !== null && deliverableStatuses.includes(i.status));

/** The same id on every attempt of one delivery (the bank de-duplicates on it). */
export const deliveryIdOf = (i: StopPaymentInstruction): string =>
  `${i.instructionId}:${i.kind === 'RELEASE' ? 'RELEASE' : 'FREEZE'}`;

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
 * One attempt at delivering an instruction (API.md "Push connector"). The first attempt fixes
 * `deadlineAt` (now + the bank's SLA) and `holdUntil` (now + holdHours, unless a confirmation set it
 * first) and records them BEFORE the push, so every attempt carries the same body and delivery id.
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

  if (!instruction.deliveryStartedAt) instruction = await fixDeliveryTimes(deps, instruction, bank, now);
  if (!deliveryWanted(instruction)) return view(instruction, now, 'DONE');

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

async function fixDeliveryTimes(
  deps: Dependencies,
  instruction: StopPaymentInstruction,
  bank: BankDirectoryEntry,
  now: Date,
): Promise<StopPaymentInstruction> {
  const patch = {
    deliveryStartedAt: now.toISOString(),
    // Should this attempt die with its process, the next one is due after the push could have timed
    // out: the due index never points back into the past while an attempt is in flight.
    nextAttemptAt: new Date(now.getTime() + ATTEMPT_IN_FLIGHT_MS).toISOString(),
    deadlineAt: new Date(now.getTime() + bank.slaSeconds * 1000).toISOString(),
    ...(instruction.kind === 'FREEZE' && !instruction.holdUntil
      ? { holdUntil: new Date(now.getTime() + instruction.holdHours * 3_600_000).toISOString() }
      : {}),
  };
  await changeInstruction(deps.db, instruction.instructionId, () => deps.now().toISOString(), {
    decide: (current) => (current.deliveryStartedAt ? undefined : { patch, audit: [] }),
  });
  // Whoever won, the times are on the item now: deliver with what is stored.
  const stored = await getInstruction(deps.db, instruction.instructionId);
  if (!stored) throw new Error(`instruction ${instruction.instructionId} vanished`);
  return stored;
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
    decide: (current) => {
      const first = !current.dispatchedAt;
      const wanted = deliveryWanted(current);
      // Confirmed before the delivery was recorded: record the delivery's time, keep the bank's status.
      if (!wanted && !first) return undefined;
      const audit: AuditEntry[] = [
        {
          actor,
          action: first ? 'INSTRUCTION_DISPATCHED' : 'INSTRUCTION_REDELIVERED',
          subject: `${instructionId}:${bank.bankId}:${bank.mode}`,
        },
      ];
      const toDispatched = current.status === 'PENDING' || current.status === 'DISPATCH_FAILED';
      return {
        patch: {
          ...(first ? { dispatchedAt: now.toISOString() } : {}),
          ...(wanted && toDispatched ? { status: 'DISPATCHED' as const } : {}),
          nextAttemptAt: null,
          redeliverUntil: null,
          deliveryAttempts: current.deliveryAttempts + 1,
          lastDeliveryError: null,
        },
        ...(first
          ? { with: { bankDay: { bankId: current.bankId, at: now.toISOString(), received: 1n } } }
          : {}),
        audit,
      };
    },
  });
  const after = await getInstruction(deps.db, instructionId);
  if (!after) throw new Error(`instruction ${instructionId} vanished`);
  return view(after, now, result?.changed ? 'DELIVERED' : 'DONE');
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
      if (!deliveryWanted(current)) return undefined;
      const attempts = current.deliveryAttempts + 1;
      const until = [current.deadlineAt, current.redeliverUntil]
        .filter((t): t is string => t !== null)
        .sort()
        .at(-1);
      const started = current.redeliverUntil ? current.nextAttemptAt : current.deliveryStartedAt;
      const window = until && started ? (Date.parse(until) - Date.parse(started)) / 1000 : undefined;
      const plan = nextRetry(
        attempts,
        secondsUntil(until ?? null, now),
        error.retryAfterSeconds,
        Math.random,
        window,
      );
      if (plan.waitSeconds === undefined) {
        gaveUp = true;
        return undefined;
      }
      waitSeconds = plan.waitSeconds;
      return {
        patch: {
          deliveryAttempts: attempts,
          nextAttemptAt: new Date(now.getTime() + plan.waitSeconds * 1000).toISOString(),
          lastDeliveryError: error.message.slice(0, 500),
        },
        audit: [],
      };
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

/**
 * The delivery failed for good. A first delivery makes the instruction DISPATCH_FAILED and escalates
 * it at once (API.md); a failed redelivery leaves the status as it was and is audited. The bank may
 * still confirm (it sees the instruction in its inbox) and the police may redeliver.
 */
export async function failDelivery(
  deps: Dependencies,
  instructionId: string,
  reason: string,
  actor: SystemActor = 'system:workflow',
): Promise<DeliveryStep> {
  const now = deps.now();
  const at = () => deps.now().toISOString();
  const failedAt = now.toISOString();
  const result = await changeInstruction(deps.db, instructionId, at, {
    decide: (current) => {
      if (!deliveryWanted(current)) return undefined;
      const detail = `${instructionId}:${reason.slice(0, 200)}`;
      if (current.status === 'PENDING' || current.status === 'DISPATCH_FAILED') {
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
      return {
        patch: { nextAttemptAt: null, redeliverUntil: null, lastDeliveryError: reason.slice(0, 500) },
        audit: [{ actor, action: 'REDELIVERY_FAILED', subject: detail }],
      };
    },
  });
  const after = await getInstruction(deps.db, instructionId);
  if (!after) throw new Error(`instruction ${instructionId} vanished`);
  if (result?.changed && !result.before.escalatedAt && after.escalatedAt) {
    await deps.events.publish(escalationEvent(after, after.escalatedAt, `DISPATCH_FAILED: ${reason}`));
  }
  return view(after, now, 'DONE');
}
