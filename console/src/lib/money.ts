import { currencyExponent, isKnownCurrency } from '../../../functions/domain/currencies.ts';

/** Money as the API sends it: ISO 4217 code + a string of integer minor units (docs/api.md "Conventions"). */
export interface MoneyJson {
  currency: string;
  minor: string;
}

/** "12345" with exponent 2 -> "123.45", exact (string arithmetic, never a float). */
export function minorToDecimal(minor: string | bigint, exponent: number): string {
  const value = BigInt(minor);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(exponent + 1, '0');
  const whole = exponent === 0 ? digits : digits.slice(0, -exponent);
  const fraction = exponent === 0 ? '' : `.${digits.slice(-exponent)}`;
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/**
 * Formats minor units per the currency's ISO 4217 exponent in the user's locale. Intl formats a
 * decimal string exactly (ES2023 Intl.NumberFormat v3), so 18-digit amounts keep every digit.
 */
export function formatMoney(amount: MoneyJson, locale?: string): string {
  if (!isKnownCurrency(amount.currency)) return `${amount.currency} ${amount.minor} (minor units)`;
  const exponent = currencyExponent(amount.currency);
  const format = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: amount.currency,
    currencyDisplay: 'code',
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  });
  return format.format(minorToDecimal(amount.minor, exponent) as Intl.StringNumericLiteral);
}

export type ParsedAmount = { ok: true; minor: string } | { ok: false; message: string };

/**
 * A person's amount in major units ("600000", "600000.5", "1,200.00") -> minor units of the
 * currency. Refuses more decimals than the currency has (a lien is never rounded).
 */
export function parseMajorAmount(text: string, currency: string): ParsedAmount {
  if (!isKnownCurrency(currency)) return { ok: false, message: `unknown ISO 4217 currency "${currency}"` };
  const exponent = currencyExponent(currency);
  const cleaned = text.trim().replace(/[,_\s](?=\d{3}(\D|$))/g, '');
  const match = /^(\d+)(?:\.(\d*))?$/.exec(cleaned);
  if (!match) return { ok: false, message: `"${text}" is not an amount (digits, optional decimal point)` };
  const fraction = match[2] ?? '';
  if (fraction.length > exponent)
    return { ok: false, message: `${currency} has ${exponent} decimal place(s); "${text}" has more` };
  const minor = BigInt(`${match[1]}${fraction.padEnd(exponent, '0')}`).toString();
  if (minor.length > 18) return { ok: false, message: 'amount too large (at most 18 digits of minor units)' };
  if (minor === '0') return { ok: false, message: 'the amount must be above zero' };
  return { ok: true, minor };
}

/** Sum of a list of amounts in one currency (bigint, exact). */
export function sumIn(list: readonly MoneyJson[] | undefined, currency: string): bigint {
  return (list ?? []).filter((m) => m.currency === currency).reduce((s, m) => s + BigInt(m.minor), 0n);
}

/** `part` as a percentage of `whole` with two decimals, exact ("60.00 %"); "–" when whole is 0. */
export function percentOf(part: bigint, whole: bigint): string {
  if (whole === 0n) return '–';
  const basisPoints = (part * 10_000n) / whole;
  return `${minorToDecimal(basisPoints, 2)} %`;
}

export const maskAccount = (account: string): string =>
  account.length <= 4 ? account : `****${account.slice(-4)}`;
