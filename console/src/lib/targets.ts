import Papa from 'papaparse';
import { type MoneyJson, parseMajorAmount } from './money.ts';

/** One target row of the freeze-order form, as a person types it (all text). */
export interface TargetRow {
  bankId: string;
  accountNumber: string;
  accountName: string;
  /** In major units of `currency` ("600000.00"). */
  amount: string;
  currency: string;
  transferredAt: string;
  reference: string;
}

export const targetFields = [
  'bankId',
  'accountNumber',
  'accountName',
  'amount',
  'currency',
  'transferredAt',
  'reference',
] as const satisfies readonly (keyof TargetRow)[];
export type TargetField = (typeof targetFields)[number];
const required: readonly TargetField[] = ['bankId', 'accountNumber', 'amount', 'currency'];

export const emptyRow = (currency = 'CNY'): TargetRow => ({
  bankId: '',
  accountNumber: '',
  accountName: '',
  amount: '',
  currency,
  transferredAt: '',
  reference: '',
});

/** An error at a row (0-based) and field; `row` absent = about the whole file. */
export interface RowError {
  row?: number;
  field?: TargetField;
  message: string;
}

/** Header names people use for each field (case and punctuation ignored). */
const aliases: Record<string, TargetField> = {
  bankid: 'bankId',
  bank: 'bankId',
  accountnumber: 'accountNumber',
  account: 'accountNumber',
  accountname: 'accountName',
  name: 'accountName',
  amount: 'amount',
  currency: 'currency',
  transferredat: 'transferredAt',
  reference: 'reference',
  ref: 'reference',
};

/**
 * Parses pasted or uploaded CSV of targets (a header row, then one account per line) into form
 * rows. Structural problems (no header, unknown or missing columns, ragged lines) are errors at
 * the file or the line; the values are checked by `rowsToTargets`, like rows typed by hand.
 */
export function parseTargetsCsv(
  text: string,
  defaultCurrency = 'CNY',
): { rows: TargetRow[]; errors: RowError[] } {
  const parsed = Papa.parse<string[]>(text.trim(), { skipEmptyLines: 'greedy' });
  const errors: RowError[] = [];
  const [header, ...lines] = parsed.data;
  if (!header) return { rows: [], errors: [{ message: 'the CSV is empty' }] };
  const columns = header.map((h) => aliases[h.toLowerCase().replace(/[^a-z]/g, '')]);
  header.forEach((h, i) => {
    if (!columns[i]) errors.push({ message: `unknown column "${h}" (expected: ${targetFields.join(', ')})` });
  });
  for (const field of required)
    if (field !== 'currency' && !columns.includes(field))
      errors.push({ message: `the header lacks the column "${field}"` });
  for (const e of parsed.errors)
    if (e.type !== 'Delimiter') errors.push({ row: (e.row ?? 1) - 1, message: `CSV: ${e.message}` });
  if (errors.length > 0) return { rows: [], errors };
  const rows = lines.map((cells, row) => {
    if (cells.length !== header.length)
      errors.push({ row, message: `line ${row + 2} has ${cells.length} cells, the header ${header.length}` });
    const target = emptyRow(defaultCurrency);
    columns.forEach((field, i) => {
      if (field) target[field] = (cells[i] ?? '').trim();
    });
    if (!target.currency) target.currency = defaultCurrency;
    return target;
  });
  if (rows.length === 0) errors.push({ message: 'the CSV has a header but no account line' });
  if (rows.length > 500) errors.push({ message: `${rows.length} accounts: an order takes at most 500` });
  return { rows, errors };
}

export interface TargetBody {
  bankId: string;
  accountNumber: string;
  accountName?: string;
  amount: MoneyJson;
  transferredAt?: string;
  reference?: string;
}

/**
 * Form rows -> the API's `targets` (amounts in minor units). Checks only what the browser must
 * know to build the body (amounts, required cells); every other rule is the API's, whose
 * problem+json errors come back at their row and field.
 */
export function rowsToTargets(rows: readonly TargetRow[]): { targets: TargetBody[]; errors: RowError[] } {
  const errors: RowError[] = [];
  const targets = rows.map((r, row) => {
    for (const field of required)
      if (!r[field].trim()) errors.push({ row, field, message: `${field} is required` });
    const currency = r.currency.trim().toUpperCase();
    let minor = '0';
    if (r.amount.trim() && currency) {
      const amount = parseMajorAmount(r.amount, currency);
      if (amount.ok) minor = amount.minor;
      else
        errors.push({
          row,
          field: amount.message.startsWith('unknown') ? 'currency' : 'amount',
          message: amount.message,
        });
    }
    const target: TargetBody = {
      bankId: r.bankId.trim(),
      accountNumber: r.accountNumber.trim(),
      amount: { currency, minor },
    };
    if (r.accountName.trim()) target.accountName = r.accountName.trim();
    if (r.transferredAt.trim()) target.transferredAt = r.transferredAt.trim();
    if (r.reference.trim()) target.reference = r.reference.trim();
    return target;
  });
  return { targets, errors };
}

/** problem+json path `targets.3.amount.minor` -> row 3, field amount. */
export function targetErrorAt(path: string): { row: number; field: TargetField | undefined } | undefined {
  const m = /^targets\.(\d+)(?:\.(\w+)(?:\.(\w+))?)?/.exec(path);
  if (!m) return undefined;
  const name = m[2] === 'amount' && m[3] === 'currency' ? 'currency' : m[2];
  const field = targetFields.find((f) => f === name);
  return { row: Number(m[1]), field };
}
