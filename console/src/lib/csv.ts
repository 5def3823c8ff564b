import { formatMoney, type MoneyJson } from './money.ts';

export type CsvCell = string | number | null | undefined;

/**
 * RFC 4180: a header row, CRLF line ends, a field quoted when it holds a comma, quote or line
 * break. A text field that a spreadsheet would run as a formula (=, +, -, @ first) gets a leading
 * apostrophe; numbers are written as they are, so minor units stay exact digits.
 */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const cell = (value: CsvCell): string => {
    if (value === null || value === undefined) return '';
    if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
    const text = /^[=+\-@\t\r]/.test(value) && !/^-?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return `${[header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

/** The three money columns of every export: currency, exact minor units, and as shown. */
export const moneyCells = (m: MoneyJson | undefined): CsvCell[] =>
  m ? [m.currency, m.minor, formatMoney(m, 'en-US').replace(/\s/g, ' ')] : ['', '', ''];
export const moneyHeader = (prefix: string): string[] => [
  `${prefix}_currency`,
  `${prefix}_minor`,
  `${prefix}_formatted`,
];

/** ISO 8601 UTC to the second ("2026-12-02T01:02:03Z"). */
export const isoUtcNow = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
