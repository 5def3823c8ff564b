import type { InstructionStatus } from './instruction-lifecycle.ts';
import type { Money } from './money.ts';
import type { ReasonNotFollowed } from './money-trail.ts';
import type { ReleaseDisposition } from './totals.ts';

/** The entities of docs/design.md §3 as the domain sees them (money as bigint, times as ISO strings). */

export interface LegalBasis {
  kind: string;
  reference: string;
  issuedBy: string;
  issuedAt: string;
}

export interface FraudCase {
  caseId: string;
  agencyId: string;
  reference: string;
  reportedLoss: Money;
  reportedAt: string;
  summary?: string | undefined;
  openedAt: string;
  openedBy: string;
}

export interface FreezeOrder {
  caseId: string;
  orderId: string;
  legalBasis: LegalBasis;
  holdHours: number;
  submittedAt: string;
  submittedBy: string;
  instructionIds: string[];
}

export type InstructionKind = 'FREEZE' | 'RELEASE';

export interface StopPaymentInstruction {
  kind: InstructionKind;
  caseId: string;
  agencyId: string;
  orderId: string;
  instructionId: string;
  bankId: string;
  accountNumber: string;
  accountName?: string | undefined;
  requested: Money;
  hop: number;
  parentInstructionId: string | null;
  status: InstructionStatus;
  legalBasis: LegalBasis;
  holdHours: number;
  /** Amount the bank holds now (frozen minus released or expired); zero when nothing is held. */
  frozen: Money;
  /** Released from this hold so far (to the holder or back to the victim). */
  released: Money;
  /** Amount of releases ordered but not yet confirmed by the bank (reserved out of `frozen`). */
  releasePending: bigint;
  /** What lapsed when the hold expired. */
  expired: Money;
  cashWithdrawn: Money;
  late: boolean;
  createdAt: string;
  dispatchedAt: string | null;
  deadlineAt: string | null;
  holdUntil: string | null;
  confirmedAt: string | null;
  escalatedAt: string | null;
  overdueAt: string | null;
  reminderDeadlineAt: string | null;
  /** When the first delivery attempt began: deadlineAt and holdUntil are fixed then (same body on every attempt). */
  deliveryStartedAt: string | null;
  /** Delivery attempts made so far (of the current delivery). */
  deliveryAttempts: number;
  /** A delivery (or redelivery) is wanted at this time; null when none is wanted. */
  nextAttemptAt: string | null;
  /** A redelivery is retried until this (or deadlineAt, whichever is later). */
  redeliverUntil: string | null;
  lastDeliveryError: string | null;
  remindedAt: string | null;
  dispatchFailedAt: string | null;
  expiredAt: string | null;
  /** A notice (EXTEND, EXPIRED) owed to a push bank, delivered by the same retry rules. */
  pendingNotice: PendingNotice | null;
  /** A confirmation with onward transfers was recorded: the trail is to be followed (once). */
  followPending: boolean;
  trailResolvedAt: string | null;
  transferredAt?: string | undefined;
  reference?: string | undefined;
  /** When the instruction last changed (the bank's change feed, `updatedSince`); createdAt at first. */
  updatedAt?: string | undefined;
  /** Incremented by every update (optimistic locking); absent on a new instruction. */
  version?: number;
  /** RELEASE instructions only. */
  releasesInstructionId?: string | undefined;
  disposition?: ReleaseDisposition | undefined;
}

/** What names an instruction and what it asks for: set when it is created, never changed after. */
export type InstructionIdentity =
  | 'caseId'
  | 'agencyId'
  | 'orderId'
  | 'instructionId'
  | 'bankId'
  | 'accountNumber'
  | 'requested'
  | 'createdAt';

/** A push owed to the bank about an instruction, kept until delivered (same id and body each attempt). */
export interface PendingNotice {
  kind: 'EXTEND' | 'EXPIRED';
  deliveryId: string;
  message: Record<string, unknown>;
  attempts: number;
  nextAttemptAt: string;
  /** Given up (and audited) after this time. */
  giveUpAt: string;
}

export interface BankDirectoryEntry {
  bankId: string;
  name: string;
  mode: 'push' | 'pull';
  endpoint?: string | undefined;
  slaSeconds: number;
  /**
   * Where the signing secrets are (adapters/secret-store.ts): a Secrets Manager secret name in AWS.
   * The secrets themselves are never on this entry. Absent for a bank registered without a secret.
   */
  signingSecretRef?: string | undefined;
  /** How many secrets are valid behind the reference (two during a rotation). */
  signingSecretsValid: number;
  registeredAt: string;
  updatedAt: string;
}

export interface TrailEdge {
  fromInstructionId: string;
  transferIndex: number;
  toInstructionId: string | null;
  toBankId: string;
  toAccount: string;
  amount: Money;
  transferredAt: string | null;
  followed: boolean;
  reasonNotFollowed?: ReasonNotFollowed | undefined;
}
