/**
 * Every business rule a refusal can name in problem+json `rule` (docs/api.md "Errors"). The OpenAPI
 * file lists them from here; a test checks that every StateConflict in functions/ names one of them.
 */
export const ruleCodes = {
  CONFIRMATION_ID_REUSED:
    'the confirmationId was already used with another result, amount or transfer, or for another instruction',
  INSTRUCTION_NOT_AWAITING_CONFIRMATION:
    'the instruction is no longer PENDING, DISPATCHED, DISPATCH_FAILED or OVERDUE',
  INSTRUCTION_NOT_REDELIVERABLE: 'only PENDING, DISPATCHED, DISPATCH_FAILED or OVERDUE can be redelivered',
  HOLD_NOT_ACTIVE: 'only a hold (FROZEN or PARTIALLY_FROZEN) can be extended',
  NOTHING_HELD: 'nothing is held on that instruction',
  RELEASE_EXCEEDS_HOLD: 'more than is still held (and not already being released)',
  MAX_HOLDS_PER_ACCOUNT: 'an account may be placed on hold at most twice per case',
  IDEMPOTENCY_KEY_REUSED: 'the Idempotency-Key was used with another body',
  IN_PROGRESS: 'the first request with this Idempotency-Key has not finished',
  NOT_A_PUSH_BANK: 'a sandbox push needs a push bank with an endpoint and a signing secret',
} as const;

export type RuleCode = keyof typeof ruleCodes;
