import { z } from 'zod';
import { isKnownCurrency } from '../domain/currencies.ts';
import { ID_PATTERN } from '../domain/ids.ts';
import { MAX_MINOR_DIGITS } from '../domain/money.ts';

/** Ids in paths and bodies (docs/api.md Conventions). */
export const Id = z.string().regex(ID_PATTERN, 'must match [A-Za-z0-9._~-]{1,128}');

export const Currency = z.string().refine(isKnownCurrency, { message: 'unknown ISO 4217 currency' });

/** Money in JSON: minor units as a digit string (no sign, no point, at most 18 digits). */
export const MoneySchema = z.strictObject({
  currency: Currency,
  minor: z
    .string()
    .regex(
      new RegExp(`^\\d{1,${MAX_MINOR_DIGITS}}$`),
      `integer minor units as a string of 1-${MAX_MINOR_DIGITS} digits`,
    ),
});
export type MoneyInput = z.infer<typeof MoneySchema>;

export const PositiveMoney = MoneySchema.refine((m) => /^\d+$/.test(m.minor) && BigInt(m.minor) > 0n, {
  message: 'must be greater than zero',
  path: ['minor'],
});

/** ISO 8601 UTC timestamp ("...Z"). */
export const UtcTimestamp = z.iso.datetime({ offset: false, message: 'ISO 8601 UTC timestamp (…Z)' });

/** YYYY-MM-DD day in UTC. */
export const UtcDay = z.iso.date({ message: 'a YYYY-MM-DD day' });

export const ShortText = (max: number) => z.string().trim().min(1).max(max);

/** Idempotency-Key header: 1–128 visible ASCII characters, no spaces. */
export const IdempotencyKey = z
  .string()
  .regex(/^[\x21-\x7E]{1,128}$/, '1-128 visible ASCII characters, no spaces');
