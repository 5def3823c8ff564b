import type {
  FreezeOrder,
  InstructionIdentity,
  LegalBasis,
  StopPaymentInstruction,
  TrailEdge,
} from './entities.ts';
import { assertTransition, type InstructionStatus } from './instruction-lifecycle.ts';
import type { Money } from './money.ts';
import { statusChangeDelta, type TotalsDelta } from './totals.ts';

/**
 * What one decision changes, said in the domain's terms (no table, key or expression here). The
 * domain's deciders return one; ONE adapter (adapters/dynamo/commit.ts) turns it into a single
 * transaction, with the audit entries chained to the case in the same write.
 */
export interface ChangeSet<A> {
  /** Changes of existing instructions, each written only onto the version it was decided on. */
  transitions: InstructionTransition[];
  /** New instructions, with how each one takes its account's marker in the case. */
  created: NewInstructionWrite[];
  order?: FreezeOrder | undefined;
  /** A bank's confirmation record, written once (put if absent on its confirmationId). */
  confirmation?: ConfirmationRecord | undefined;
  edges: TrailEdge[];
  /** The case totals' share (ADD); `newInstructionHops` keeps maxHop. */
  caseTotals?: { delta: TotalsDelta; newInstructionHops?: number[] } | undefined;
  /** Per bank per day counters (regulators, bank performance). */
  bankDay?: BankDayChange | undefined;
  /** What a bank holds for all cases, per currency (signed). */
  bankHeld: { bankId: string; amount: Money }[];
  /** The Idempotency-Key's answer, stored with the change it answers for. */
  idempotency?: IdempotencyAnswer | undefined;
  audit: AuditEntry[];
  /** What the caller is answered (also when nothing is written: an idempotent replay). */
  answer: A;
}

/** One audit-worthy change (docs/api.md "Audit"); seq and hashes are added when it is chained. */
export interface AuditEntry {
  actor: string;
  action: string;
  subject: string;
}

/** Attributes kept on an instruction beside the entity's own fields (notes for people and replays). */
export interface InstructionNotes {
  confirmationId?: string;
  escalationReason?: string;
  dispatchError?: string;
  holdLegalBasis?: LegalBasis;
  extendedAt?: string;
  releasedAt?: string;
}

/** What a change may set on an instruction: anything but what names it, its kind and its version. */
export type InstructionPatch = Partial<
  Omit<StopPaymentInstruction, InstructionIdentity | 'kind' | 'version'>
> &
  InstructionNotes;

export interface InstructionTransition {
  /** The instruction as read: the write applies only to this status and version. */
  before: StopPaymentInstruction;
  patch: InstructionPatch;
}

export interface NewInstructionWrite {
  instruction: StopPaymentInstruction;
  /**
   * `holdLimit` (an order's target): at most MAX_HOLDS_PER_ACCOUNT holds of the account per case;
   * `firstTarget` (a follow-on): refused when the account is already targeted (the trail's cycle stop);
   * `none` (a release: the hold it releases already counts the account).
   */
  account: 'holdLimit' | 'firstTarget' | 'none';
}

export interface ConfirmationRecord {
  caseId: string;
  bankId: string;
  instructionId: string;
  confirmationId: string;
  /** The stored fields (JSON-shaped: what a replay and the stream consumer read back). */
  fields: Record<string, unknown>;
}

export interface BankDayChange {
  bankId: string;
  at: string;
  received?: bigint;
  confirmed?: bigint;
  overdue?: bigint;
  late?: bigint;
  frozen?: Money;
  /** Seconds from delivery to confirmation (medians are computed on read). */
  latencySeconds?: number;
}

export interface IdempotencyAnswer {
  callerScope: string;
  key: string;
  hash: string;
  response: { statusCode: number; body: unknown };
  /** A large order completes the lease its chunks were written under. */
  expectInProgress?: boolean;
}

/** A change set that writes nothing and answers `answer` (a replay, or nothing to do). */
export function noChange<A>(answer: A): ChangeSet<A> {
  return { transitions: [], created: [], edges: [], bankHeld: [], audit: [], answer };
}

export function changeSet<A>(answer: A, parts: Partial<Omit<ChangeSet<A>, 'answer'>>): ChangeSet<A> {
  return { ...noChange(answer), ...parts };
}

export const writesNothing = (c: ChangeSet<unknown>): boolean =>
  c.transitions.length === 0 &&
  c.created.length === 0 &&
  c.order === undefined &&
  c.confirmation === undefined &&
  c.edges.length === 0 &&
  c.caseTotals === undefined &&
  c.bankDay === undefined &&
  c.bankHeld.length === 0 &&
  c.idempotency === undefined &&
  c.audit.length === 0;

/**
 * A transition of one instruction, checked against the lifecycle (instruction-lifecycle.ts): the only
 * way a status is ever changed. Throws on a transition the lifecycle does not allow.
 */
export function transition(before: StopPaymentInstruction, patch: InstructionPatch): InstructionTransition {
  if (patch.status !== undefined && patch.status !== before.status) {
    assertTransition(before.kind, before.status, patch.status, before.instructionId);
  }
  return { before, patch };
}

/** The instruction as it is once the transition is written. */
export const afterTransition = (t: InstructionTransition): StopPaymentInstruction => ({
  ...t.before,
  ...t.patch,
});

/** The status counts a freeze instruction's status change moves (releases are never counted). */
export function statusCountsDelta(t: InstructionTransition): TotalsDelta | undefined {
  const to: InstructionStatus | undefined = t.patch.status;
  if (!to || to === t.before.status || t.before.kind !== 'FREEZE') return undefined;
  return statusChangeDelta(t.before.status, to);
}

/** A decision about one instruction: its patch, and what else the same change writes. */
export interface InstructionDecision {
  patch: InstructionPatch;
  /** The totals' share; by default the status counts the transition moves (statusCountsDelta). */
  totals?: TotalsDelta | undefined;
  audit: AuditEntry[];
  /** Other writes of the same change (new instructions, bank counters, the idempotent answer). */
  with?: Partial<Pick<ChangeSet<unknown>, 'created' | 'bankDay' | 'bankHeld' | 'idempotency'>>;
}

/** The change set of one instruction's decision; its status change goes through `transition`. */
export function instructionChange<A>(
  before: StopPaymentInstruction,
  decision: InstructionDecision,
  answer: A,
): ChangeSet<A> {
  const t = transition(before, decision.patch);
  const delta = decision.totals ?? statusCountsDelta(t);
  return changeSet(answer, {
    ...decision.with,
    transitions: [t],
    caseTotals: delta ? { delta } : undefined,
    audit: decision.audit,
  });
}
