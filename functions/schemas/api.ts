import { z } from 'zod';
import { instructionStatuses } from '../domain/instruction-lifecycle.ts';
import { Currency, Id, MoneySchema, PositiveMoney, ShortText, UtcDay, UtcTimestamp } from './common.ts';

/** Request bodies and query strings of docs/api.md. Objects are strict: an unknown field is a bad field. */

export const MAX_HOLD_HOURS = 4320;
export const DEFAULT_HOLD_HOURS = 48;
export const MAX_TARGETS_PER_ORDER = 500;
export const MAX_ONWARD_TRANSFERS = 25;

/**
 * PUT /banks/{bankId}. A push bank needs a signing secret to be registered; an update of a bank
 * that already has one on file may leave it out (the secret on file stays valid).
 */
export const registerBankBody = ({ secretOnFile }: { secretOnFile: boolean }) =>
  z
    .strictObject({
      name: ShortText(200),
      mode: z.enum(['push', 'pull']),
      endpoint: z
        .url({ protocol: /^https?$/ })
        .max(2048)
        .optional(),
      slaSeconds: z.number().int().min(1).max(604_800),
      signingSecret: z.string().min(16).max(256).optional(),
    })
    .superRefine(
      (bank, ctx) => {
        if (bank?.mode === 'push' && !bank.endpoint) {
          ctx.addIssue({ code: 'custom', path: ['endpoint'], message: 'required for a push connector' });
        }
        if (bank?.mode === 'push' && !bank.signingSecret && !secretOnFile) {
          ctx.addIssue({
            code: 'custom',
            path: ['signingSecret'],
            message: 'required for a push connector without a secret on file',
          });
        }
      },
      // Every bad field is named, even when another field already failed.
      { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
    );
/** The body of a new registration (the stricter of the two; the OpenAPI document shows it). */
export const RegisterBankBody = registerBankBody({ secretOnFile: false });
export type RegisterBankInput = z.infer<typeof RegisterBankBody>;

export const OpenCaseBody = z.strictObject({
  reference: ShortText(200),
  reportedLoss: PositiveMoney,
  reportedAt: UtcTimestamp,
  summary: z.string().max(4000).optional(),
});
export type OpenCaseInput = z.infer<typeof OpenCaseBody>;

export const LegalBasis = z.strictObject({
  kind: ShortText(200),
  reference: ShortText(200),
  issuedBy: ShortText(200),
  issuedAt: UtcTimestamp,
});
export type LegalBasisInput = z.infer<typeof LegalBasis>;

/** docs/api.md "Holds": the shortest hold is 0.36 s (tests use seconds-long holds). */
export const MIN_HOLD_HOURS = 0.0001;

/**
 * holdHours: a finite number in [0.0001, 4320]. The lower bound also keeps every accepted value a
 * number DynamoDB can store (its smallest magnitude is 1e-130: `5e-324` was a 500 on write). -0,
 * denormals, 1e309 (parsed as Infinity) and huge exponents are 422 naming the field.
 */
export const HoldHours = z
  .number()
  .min(MIN_HOLD_HOURS, `a number of hours from ${MIN_HOLD_HOURS} to ${MAX_HOLD_HOURS}`)
  .max(MAX_HOLD_HOURS, `a number of hours from ${MIN_HOLD_HOURS} to ${MAX_HOLD_HOURS}`);

export const FreezeTarget = z.strictObject({
  bankId: Id,
  accountNumber: Id,
  accountName: z.string().max(200).optional(),
  amount: PositiveMoney,
  transferredAt: UtcTimestamp.optional(),
  reference: z.string().max(200).optional(),
});
export type FreezeTargetInput = z.infer<typeof FreezeTarget>;

export const SubmitFreezeOrderBody = z
  .strictObject({
    legalBasis: LegalBasis,
    targets: z.array(FreezeTarget).min(1).max(MAX_TARGETS_PER_ORDER),
    holdHours: HoldHours.optional(),
  })
  .superRefine(
    (order, ctx) => {
      const seen = new Map<string, number>();
      const targets: unknown = order?.targets;
      if (!Array.isArray(targets)) return;
      targets.forEach((t: { bankId?: unknown; accountNumber?: unknown } | null, i) => {
        if (typeof t?.bankId !== 'string' || typeof t.accountNumber !== 'string') return;
        const key = `${t.bankId}/${t.accountNumber}`;
        const first = seen.get(key);
        if (first !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['targets', i, 'accountNumber'],
            message: `same account as targets.${first}: one instruction per account`,
          });
        } else seen.set(key, i);
      });
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );
export type SubmitFreezeOrderInput = z.infer<typeof SubmitFreezeOrderBody>;

export const OnwardTransferBody = z.strictObject({
  toBankId: Id,
  toAccount: Id,
  amount: PositiveMoney,
  transferredAt: UtcTimestamp.optional(),
  reference: z.string().max(200).optional(),
});

export const FreezeConfirmationBody = z.strictObject({
  confirmationId: Id,
  result: z.enum(['ACTIONED', 'ACCOUNT_NOT_FOUND', 'REJECTED']),
  frozen: MoneySchema.optional(),
  onwardTransfers: z.array(OnwardTransferBody).max(MAX_ONWARD_TRANSFERS).optional(),
  cashWithdrawn: MoneySchema.optional(),
  reason: z.string().max(2000).optional(),
  reportedAt: UtcTimestamp.optional(),
});
export type FreezeConfirmationInput = z.infer<typeof FreezeConfirmationBody>;

export const ReleaseConfirmationBody = z.strictObject({
  confirmationId: Id,
  result: z.literal('ACTIONED'),
  released: MoneySchema,
  reportedAt: UtcTimestamp.optional(),
  reason: z.string().max(2000).optional(),
});
export type ReleaseConfirmationInput = z.infer<typeof ReleaseConfirmationBody>;

export const pushKinds = ['FREEZE', 'EXTEND', 'EXPIRED', 'REMINDER', 'RELEASE'] as const;
export const PushKindSchema = z.enum(pushKinds);

/** POST /banks/{bankId}/test-deliveries: the kind of sandbox push to send. */
export const TestDeliveryBody = z.strictObject({ kind: PushKindSchema });

/** POST …/redeliver takes no fields (an empty body or `{}`). */
export const RedeliverBody = z.strictObject({});

export const ExtendHoldBody = z.strictObject({ legalBasis: LegalBasis, holdHours: HoldHours });

export const ReleaseBody = z.strictObject({
  instructionId: Id,
  amount: PositiveMoney,
  disposition: z.enum(['RETURN_TO_VICTIM', 'RELEASE_TO_HOLDER']),
  authority: LegalBasis,
});

export const InstructionStatusSchema = z.enum(instructionStatuses);

export const BankInboxQuery = z.strictObject({
  status: InstructionStatusSchema.optional(),
  /** The change feed: instructions changed at or after this time, oldest change first. */
  updatedSince: UtcTimestamp.optional(),
  // Plain decimal digits 1-100 only ("0x10", "+5", "1e1", " 5" and "101" are not limits).
  limit: z
    .string()
    .regex(/^(100|[1-9][0-9]?)$/, 'an integer from 1 to 100')
    .transform(Number)
    .default(50),
  cursor: z.string().max(2048).optional(),
});

export const PeriodQuery = z
  .strictObject({
    from: UtcDay.optional(),
    to: UtcDay.optional(),
    currency: Currency.optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['from'], message: 'must not be after `to`' });

/** One link of a case's hash chain (docs/api.md "Audit"). */
export const AuditEventSchema = z.strictObject({
  seq: z.number().int().min(1),
  at: UtcTimestamp,
  actor: z.string(),
  action: z.string(),
  subject: z.string(),
  prevHash: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});

/**
 * The answer of GET /cases/{caseId}/audit. `pending`: changes committed but not in `events` (here:
 * committed after the chain head was read); `verified` is judged on `events` and the head alone.
 */
export const CaseAuditAnswer = z.strictObject({
  caseId: Id,
  events: z.array(AuditEventSchema),
  head: z.string().regex(/^[0-9a-f]{64}$/),
  verified: z.boolean(),
  firstBadSeq: z.number().int().min(1).optional(),
  pending: z.number().int().min(0),
});
export type CaseAuditAnswerBody = z.infer<typeof CaseAuditAnswer>;
