import type { MoneyJson } from '../lib/money.ts';

/**
 * The answers of the routes the console reads (docs/api.md "Routes"; functions/http/views.ts builds
 * them). openapi.json describes the requests exactly but leaves these bodies open, so they are
 * written here.
 */
export interface LegalBasis {
  kind: string;
  reference: string;
  issuedBy: string;
  issuedAt: string;
}

export interface InstructionView {
  instructionId: string;
  kind?: 'FREEZE' | 'RELEASE';
  bankId: string;
  accountNumber: string;
  accountName?: string;
  hop: number;
  parentInstructionId: string | null;
  status: string;
  requested: MoneyJson;
  frozen: MoneyJson;
  released?: MoneyJson;
  expired?: MoneyJson;
  releasePending?: MoneyJson;
  late: boolean;
  dispatchedAt: string | null;
  deadlineAt: string | null;
  holdUntil: string | null;
  confirmedAt: string | null;
  overdueAt?: string | null;
  escalatedAt: string | null;
  releasesInstructionId?: string;
  disposition?: string;
}

export interface TotalsView {
  caseId: string;
  reportedLoss: MoneyJson;
  frozen: MoneyJson[];
  expired: MoneyJson[];
  released: MoneyJson[];
  restored: MoneyJson[];
  instructions: Record<string, number>;
  maxHop: number;
  updatedAt: string;
}

export interface CaseView {
  caseId: string;
  agencyId: string;
  reference: string;
  reportedLoss: MoneyJson;
  reportedAt: string;
  summary?: string;
  openedAt: string;
  orders: {
    orderId: string;
    legalBasis: LegalBasis;
    holdHours: number;
    submittedAt: string;
    instructionIds: string[];
  }[];
  instructions: InstructionView[];
  releases: InstructionView[];
  escalations: { instructionId: string; bankId: string; escalatedAt: string }[];
  banksNotIntegrated: {
    bankId: string;
    accountNumber: string;
    amount: MoneyJson;
    fromInstructionId: string;
  }[];
  totals: TotalsView | null;
}

export interface TrailView {
  nodes: {
    instructionId: string;
    bankId: string;
    accountNumber: string;
    hop: number;
    status: string;
    requested: MoneyJson;
    frozen: MoneyJson;
  }[];
  edges: {
    fromInstructionId: string;
    toInstructionId: string | null;
    toBankId: string;
    toAccount: string;
    amount: MoneyJson;
    transferredAt?: string;
    followed: boolean;
    reasonNotFollowed?: string;
  }[];
}

export interface AuditView {
  events: {
    seq: number;
    at: string;
    actor: string;
    action: string;
    subject: string;
    prevHash: string;
    hash: string;
  }[];
  head: string | null;
  verified: boolean;
  pending?: number;
  firstBadSeq?: number;
}

export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  rule?: string;
  errors?: { path: string; message: string }[];
}
