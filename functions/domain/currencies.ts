/**
 * ISO 4217 active currency codes with their minor-unit exponents (list of 2024-06, amendment 177).
 * One table for the whole system: an unknown currency is refused at the API (422).
 * Funds codes without a minor unit (XAU, XDR, ...) are left out: nobody freezes bullion here.
 */
const TWO_DECIMALS = `AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN
BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD
GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD
MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB
SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN
UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG`;
const ZERO_DECIMALS = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF';
const THREE_DECIMALS = 'BHD IQD JOD KWD LYD OMR TND';
const FOUR_DECIMALS = 'CLF UYW';

const exponents: ReadonlyMap<string, number> = new Map([
  ...TWO_DECIMALS.split(/\s+/).map((c) => [c, 2] as const),
  ...ZERO_DECIMALS.split(/\s+/).map((c) => [c, 0] as const),
  ...THREE_DECIMALS.split(/\s+/).map((c) => [c, 3] as const),
  ...FOUR_DECIMALS.split(/\s+/).map((c) => [c, 4] as const),
]);

export function isKnownCurrency(code: string): boolean {
  return exponents.has(code);
}

/** Number of decimal places of the currency's minor unit (CNY 2, JPY 0, KWD 3). */
export function currencyExponent(code: string): number {
  const exponent = exponents.get(code);
  if (exponent === undefined) throw new RangeError(`unknown ISO 4217 currency ${code}`);
  return exponent;
}

export const knownCurrencies: readonly string[] = [...exponents.keys()].sort();
