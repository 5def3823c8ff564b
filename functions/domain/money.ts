import { currencyExponent } from './currencies.ts';

/** An amount of money: integer minor units of an ISO 4217 currency. Never a float. */
export interface Money {
  readonly currency: string;
  readonly minor: bigint;
}

/** Money as it travels in JSON: minor units as a digit string. */
export interface MoneyJson {
  currency: string;
  minor: string;
}

export const MAX_MINOR_DIGITS = 18;

export function money(currency: string, minor: bigint | number | string): Money {
  return { currency, minor: BigInt(minor) };
}

export function toMoneyJson(amount: Money): MoneyJson {
  return { currency: amount.currency, minor: amount.minor.toString() };
}

export function fromMoneyJson(json: MoneyJson): Money {
  return { currency: json.currency, minor: BigInt(json.minor) };
}

export function sameCurrency(a: Money, b: Money): boolean {
  return a.currency === b.currency;
}

function assertSameCurrency(a: Money, b: Money): void {
  if (!sameCurrency(a, b)) throw new RangeError(`currency mismatch: ${a.currency} vs ${b.currency}`);
}

export function add(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return { currency: a.currency, minor: a.minor + b.minor };
}

export function subtract(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return { currency: a.currency, minor: a.minor - b.minor };
}

export function minMoney(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return a.minor <= b.minor ? a : b;
}

export function zero(currency: string): Money {
  return { currency, minor: 0n };
}

/** Human display with the currency's exponent, e.g. CNY 120000.00 (for the demo and logs only). */
export function formatMoney(amount: Money): string {
  const exponent = currencyExponent(amount.currency);
  const negative = amount.minor < 0n;
  const digits = (negative ? -amount.minor : amount.minor).toString().padStart(exponent + 1, '0');
  const whole = exponent === 0 ? digits : digits.slice(0, -exponent);
  const fraction = exponent === 0 ? '' : `.${digits.slice(-exponent)}`;
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${amount.currency} ${negative ? '-' : ''}${grouped}${fraction}`;
}

/** Share of `part` in `whole` in basis points (1/100 of a percent), exact integer arithmetic. */
export function shareBasisPoints(part: Money, whole: Money): bigint {
  assertSameCurrency(part, whole);
  if (whole.minor === 0n) return 0n;
  return (part.minor * 10_000n) / whole.minor;
}

/** Per-currency sums: what totals hold ("frozen: [Money]"). Keys are currency codes. */
export type MoneyByCurrency = ReadonlyMap<string, bigint>;

export function addToBuckets(buckets: MoneyByCurrency, amount: Money): Map<string, bigint> {
  const next = new Map(buckets);
  next.set(amount.currency, (next.get(amount.currency) ?? 0n) + amount.minor);
  return next;
}

export function bucketsToList(buckets: MoneyByCurrency): MoneyJson[] {
  return [...buckets.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, minor]) => ({ currency, minor: minor.toString() }));
}
