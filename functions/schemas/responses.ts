import { z } from 'zod';
import { pushKinds } from './api.ts';
import { MoneySchema as Money } from './common.ts';

/**
 * Schemas of what the routes answer and of the pushes (docs/api.md), for the OpenAPI file and the
 * typed clients generated from it. Objects are open (`looseObject`): a later version may add fields,
 * and a client must not break on them. The handlers build the bodies (http/views.ts and the
 * handlers); test/e2e/openapi-conformance.test.ts holds the server to these schemas.
 */
const Time = z.string().describe('ISO 8601 UTC');
const NullableTime = Time.nullable();
const Status = z.string().describe('an instruction status (docs/api.md "Instructions")');

export const LegalBasisOut = z.looseObject({
  kind: z.string(),
  reference: z.string(),
  issuedBy: z.string(),
  issuedAt: Time,
});

export const HealthAnswer = z.looseObject({ status: z.literal('ok') });

export const BankRegistration = z.looseObject({
  bankId: z.string(),
  name: z.string(),
  mode: z.enum(['push', 'pull']),
  endpoint: z.string().optional(),
  slaSeconds: z.number().int(),
  secretOnFile: z.boolean(),
  signingSecretsValid: z.number().int(),
  registeredAt: Time,
  updatedAt: Time,
});

export const CaseAnswer = z.looseObject({
  caseId: z.string(),
  agencyId: z.string(),
  reference: z.string(),
  reportedLoss: Money,
  reportedAt: Time,
  summary: z.string().optional(),
  openedAt: Time,
});

export const InstructionAnswer = z.looseObject({
  instructionId: z.string(),
  kind: z.enum(['FREEZE', 'RELEASE']),
  caseId: z.string(),
  orderId: z.string(),
  bankId: z.string(),
  accountNumber: z.string(),
  hop: z.number().int(),
  parentInstructionId: z.string().nullable(),
  status: Status,
  requested: Money,
  frozen: Money,
  late: z.boolean(),
  dispatchedAt: NullableTime,
  deadlineAt: NullableTime,
  holdUntil: NullableTime,
  confirmedAt: NullableTime,
  escalatedAt: NullableTime,
});

export const TotalsAnswer = z.looseObject({
  caseId: z.string(),
  reportedLoss: Money,
  frozen: z.array(Money),
  expired: z.array(Money),
  released: z.array(Money),
  restored: z.array(Money),
  instructions: z.record(z.string(), z.number().int()),
  maxHop: z.number().int(),
  updatedAt: Time,
});

export const CaseDetailAnswer = CaseAnswer.extend({
  orders: z.array(
    z.looseObject({
      orderId: z.string(),
      legalBasis: LegalBasisOut,
      holdHours: z.number(),
      submittedAt: Time,
      instructionIds: z.array(z.string()),
    }),
  ),
  instructions: z.array(InstructionAnswer),
  releases: z.array(InstructionAnswer),
  escalations: z.array(z.looseObject({ instructionId: z.string(), bankId: z.string(), escalatedAt: Time })),
  banksNotIntegrated: z.array(
    z.looseObject({ bankId: z.string(), accountNumber: z.string(), amount: Money }),
  ),
  totals: TotalsAnswer.nullable(),
});

export const TrailAnswer = z.looseObject({
  caseId: z.string(),
  nodes: z.array(
    z.looseObject({
      instructionId: z.string(),
      bankId: z.string(),
      accountNumber: z.string(),
      hop: z.number().int(),
      status: Status,
      requested: Money,
      frozen: Money,
    }),
  ),
  edges: z.array(
    z.looseObject({
      fromInstructionId: z.string(),
      toInstructionId: z.string().nullable(),
      toBankId: z.string(),
      toAccount: z.string(),
      amount: Money,
      transferredAt: NullableTime,
      followed: z.boolean(),
      reasonNotFollowed: z
        .enum(['ALREADY_TARGETED', 'BANK_NOT_INTEGRATED', 'BUDGET_SPENT', 'HOP_LIMIT'])
        .optional(),
    }),
  ),
});

export const OrderAnswer = z.looseObject({
  orderId: z.string(),
  instructions: z.array(
    z.looseObject({
      instructionId: z.string(),
      bankId: z.string(),
      accountNumber: z.string(),
      amount: Money,
      status: Status,
    }),
  ),
});

export const ReleaseAnswer = z.looseObject({
  releaseId: z.string(),
  instructionId: z.string(),
  releasesInstructionId: z.string(),
  status: Status,
});

export const RedeliverAnswer = z.looseObject({
  instructionId: z.string(),
  status: Status,
  redeliveryRequestedAt: Time,
});

export const ConfirmationAnswer = z.looseObject({ instructionId: z.string(), status: Status });

export const TestDeliveryAnswer = z.looseObject({
  deliveryId: z.string(),
  kind: z.enum(pushKinds),
  delivered: z.boolean().describe("whether the bank's endpoint answered 2xx to the one attempt made"),
  detail: z.string().optional(),
});

export const SandboxRecord = z.looseObject({
  bankId: z.string(),
  deliveryId: z.string(),
  kind: z.enum(pushKinds),
  instructionId: z.string(),
  createdAt: Time,
  delivered: z.boolean().nullable(),
  attempts: z.array(
    z.looseObject({
      at: Time,
      status: z.number().int(),
      confirmationId: z.string().optional(),
      early: z.boolean().optional().describe('made sooner than the Retry-After of the answer before'),
      rule: z.string().optional(),
    }),
  ),
  confirmed: z.looseObject({ confirmationId: z.string(), status: Status }).nullable(),
});

const pushCommon = {
  instructionId: z.string(),
  caseId: z.string(),
  bankId: z.string(),
  accountNumber: z.string(),
  test: z.literal(true).optional().describe('present on sandbox pushes only'),
};

export const FreezePush = z.looseObject({
  kind: z.literal('FREEZE'),
  ...pushCommon,
  orderId: z.string(),
  hop: z.number().int(),
  accountName: z.string().optional(),
  amount: Money,
  legalBasis: LegalBasisOut,
  deadlineAt: Time,
  holdUntil: Time,
  confirmUrl: z.string(),
  reference: z.string().optional().describe("the police's reference of the credit to stop"),
  transferredAt: Time.optional().describe('when that credit reached the account'),
});
export const ExtendPush = z.looseObject({
  kind: z.literal('EXTEND'),
  ...pushCommon,
  holdUntil: Time,
  legalBasis: LegalBasisOut,
});
export const ExpiredPush = z.looseObject({
  kind: z.literal('EXPIRED'),
  ...pushCommon,
  holdUntil: NullableTime,
  amount: Money,
});
export const ReminderPush = z.looseObject({
  kind: z.literal('REMINDER'),
  ...pushCommon,
  orderId: z.string(),
  hop: z.number().int(),
  amount: Money,
  deadlineAt: Time,
  originalDeadlineAt: NullableTime,
  confirmUrl: z.string(),
});
export const ReleasePush = z.looseObject({
  kind: z.literal('RELEASE'),
  ...pushCommon,
  releasesInstructionId: z.string(),
  amount: Money,
  disposition: z.enum(['RETURN_TO_VICTIM', 'RELEASE_TO_HOLDER']),
  authority: LegalBasisOut,
  deadlineAt: Time,
  confirmUrl: z.string(),
});
export const pushSchemas = {
  FREEZE: FreezePush,
  EXTEND: ExtendPush,
  EXPIRED: ExpiredPush,
  REMINDER: ReminderPush,
  RELEASE: ReleasePush,
} as const;

/** An inbox item: the announcing push's fields (with times null before delivery), plus its state. */
const inboxState = {
  status: Status,
  updatedAt: Time,
  frozen: Money,
  late: z.boolean(),
  confirmedAt: NullableTime,
  escalatedAt: NullableTime,
};
export const InboxItem = z.union([
  FreezePush.extend({ deadlineAt: NullableTime, holdUntil: NullableTime, ...inboxState }),
  ReleasePush.extend({ deadlineAt: NullableTime, ...inboxState }),
]);
export const InboxPage = z.looseObject({
  items: z.array(InboxItem),
  nextCursor: z.string().nullable().describe('null at the end; never set on a page with no items'),
});

export const RegulatorTotalsAnswer = z.looseObject({
  from: z.string(),
  to: z.string(),
  currency: z.string().optional(),
  overall: z.array(Money),
  byBank: z.array(z.looseObject({ bankId: z.string(), frozen: z.array(Money) })),
  byDay: z.array(z.looseObject({ day: z.string(), frozen: z.array(Money) })),
});

export const BankPerformanceAnswer = z.looseObject({
  from: z.string(),
  to: z.string(),
  banks: z.array(
    z.looseObject({
      bankId: z.string(),
      received: z.number().int(),
      confirmed: z.number().int(),
      medianSeconds: z.number().nullable(),
      p90Seconds: z.number().nullable(),
      overdue: z.number().int(),
      late: z.number().int(),
      held: z.array(Money),
    }),
  ),
});
