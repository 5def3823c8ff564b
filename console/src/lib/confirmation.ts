import type { z } from 'zod';
import { type BankConfirmation, decideConfirmation } from '../../../functions/domain/confirmation-rules.ts';
import { ValidationProblem } from '../../../functions/domain/errors.ts';
import { FreezeConfirmationBody, ReleaseConfirmationBody } from '../../../functions/schemas/api.ts';
import { localInputToIso } from './idempotency.ts';
import type { MoneyJson } from './money.ts';
import { parseMajorAmount } from './money.ts';

/** The results a person picks; each maps to the API's result and amounts (API.md "Rules"). */
export const resultChoices = [
  { value: 'FROZEN', label: 'Frozen in full' },
  { value: 'PARTIAL', label: 'Frozen in part' },
  { value: 'MOVED', label: 'Moved on (onward transfers)' },
  { value: 'CASH', label: 'Cash withdrawn' },
  { value: 'NOT_FOUND', label: 'Account not found' },
  { value: 'REJECTED', label: 'Rejected (with a reason)' },
] as const;
export type ResultChoice = (typeof resultChoices)[number]['value'];

export interface TransferRow {
  /** The row's React key (rows are added and removed). */
  rowId: string;
  toBankId: string;
  toAccount: string;
  amount: string;
  /** `<input type="datetime-local">` value, the user's zone. */
  transferredAt: string;
  reference: string;
}
let rows = 0;
export const emptyTransfer = (): TransferRow => ({
  rowId: `t${++rows}`,
  toBankId: '',
  toAccount: '',
  amount: '',
  transferredAt: '',
  reference: '',
});

export interface ConfirmationForm {
  result: ResultChoice;
  frozen: string;
  cashWithdrawn: string;
  reason: string;
  transfers: TransferRow[];
}

/** Field errors keyed by the API's own paths (`onwardTransfers.1.amount`), so one map shows both. */
export type FieldErrors = Record<string, string>;

/**
 * The key a path's error is shown at: an amount's `.minor`/`.currency` belong to its amount field
 * (the person types one amount; the currency is the instruction's).
 */
export function fieldOf(path: string): string {
  return path.replace(/\.(minor|currency)$/, '');
}

export function addErrors(target: FieldErrors, errors: readonly { path: string; message: string }[]): void {
  for (const e of errors) {
    const key = fieldOf(e.path || 'form');
    target[key] = target[key] ? `${target[key]}; ${e.message}` : e.message;
  }
}

const zodErrors = (error: z.ZodError): { path: string; message: string }[] =>
  error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));

export const usesTransfers = (r: ResultChoice) => r === 'PARTIAL' || r === 'MOVED' || r === 'CASH';
export const usesCash = (r: ResultChoice) => r === 'PARTIAL' || r === 'MOVED' || r === 'CASH';

/**
 * The confirmation body of the form, checked in the browser by the rules the API applies: the
 * same zod schema (functions/schemas/api.ts) and the same decision (functions/domain/
 * confirmation-rules.ts). Returns the body (without confirmationId and reportedAt, which the
 * sender adds) or the field errors at the API's paths.
 */
export function buildConfirmation(
  form: ConfirmationForm,
  requested: MoneyJson,
):
  | { ok: true; body: Omit<z.infer<typeof FreezeConfirmationBody>, 'confirmationId'> }
  | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const currency = requested.currency;
  const amount = (text: string, path: string, required: boolean): MoneyJson | undefined => {
    if (!text.trim()) {
      if (required) errors[path] = 'required';
      return undefined;
    }
    const parsed = parseMajorAmount(text, currency);
    if (!parsed.ok) {
      errors[path] = parsed.message;
      return undefined;
    }
    return { currency, minor: parsed.minor };
  };
  const r = form.result;
  const body: Record<string, unknown> = {
    result: r === 'NOT_FOUND' ? 'ACCOUNT_NOT_FOUND' : r === 'REJECTED' ? 'REJECTED' : 'ACTIONED',
  };
  if (r === 'FROZEN') body.frozen = requested;
  if (r === 'PARTIAL') body.frozen = amount(form.frozen, 'frozen', true);
  if (r === 'MOVED' || r === 'CASH') body.frozen = { currency, minor: '0' };
  if (usesCash(r)) {
    const cash = amount(form.cashWithdrawn, 'cashWithdrawn', r === 'CASH');
    if (cash) body.cashWithdrawn = cash;
  }
  if (usesTransfers(r)) {
    const filled = form.transfers.filter((t) =>
      [t.toBankId, t.toAccount, t.amount, t.transferredAt, t.reference].some((v) => v.trim() !== ''),
    );
    if (r === 'MOVED' && filled.length === 0) errors.onwardTransfers = 'add at least one onward transfer';
    if (filled.length > 0)
      body.onwardTransfers = form.transfers.map((t, i) => ({
        toBankId: t.toBankId.trim(),
        toAccount: t.toAccount.trim(),
        amount: amount(t.amount, `onwardTransfers.${i}.amount`, true) ?? { currency, minor: '0' },
        ...(t.transferredAt ? { transferredAt: localInputToIso(t.transferredAt) } : {}),
        ...(t.reference.trim() ? { reference: t.reference.trim() } : {}),
      }));
  }
  if (form.reason.trim()) body.reason = form.reason.trim();

  const parsed = FreezeConfirmationBody.safeParse({ confirmationId: 'check', ...body });
  if (!parsed.success) {
    const fresh: FieldErrors = {};
    addErrors(fresh, zodErrors(parsed.error));
    // A field the browser already explained keeps that message.
    for (const [k, v] of Object.entries(fresh)) errors[k] ??= v;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const confirmation = parsed.data as z.infer<typeof FreezeConfirmationBody>;
  try {
    decideConfirmation(
      { currency, minor: BigInt(requested.minor) },
      toDomain(confirmation) as BankConfirmation,
    );
  } catch (error) {
    if (!(error instanceof ValidationProblem)) throw error;
    addErrors(errors, error.errors);
    return { ok: false, errors };
  }
  const { confirmationId: _unused, ...rest } = confirmation;
  return { ok: true, body: rest };
}

function toDomain(c: z.infer<typeof FreezeConfirmationBody>): BankConfirmation {
  const money = (m: MoneyJson | undefined) =>
    m ? { currency: m.currency, minor: BigInt(m.minor) } : undefined;
  return {
    confirmationId: c.confirmationId,
    result: c.result,
    frozen: money(c.frozen),
    cashWithdrawn: money(c.cashWithdrawn),
    onwardTransfers: c.onwardTransfers?.map((t) => ({
      ...t,
      amount: { currency: t.amount.currency, minor: BigInt(t.amount.minor) },
    })),
    reason: c.reason,
    reportedAt: c.reportedAt,
  };
}

/** A release's confirmation (API.md): the released amount, checked by the API's schema. */
export function buildReleaseConfirmation(
  released: string,
  reason: string,
  requested: MoneyJson,
):
  | { ok: true; body: { result: 'ACTIONED'; released: MoneyJson; reason?: string } }
  | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const parsedAmount = parseMajorAmount(released, requested.currency);
  if (!parsedAmount.ok) errors.released = released.trim() ? parsedAmount.message : 'required';
  const body = {
    result: 'ACTIONED' as const,
    released: { currency: requested.currency, minor: parsedAmount.ok ? parsedAmount.minor : '0' },
    ...(reason.trim() ? { reason: reason.trim() } : {}),
  };
  const parsed = ReleaseConfirmationBody.safeParse({ confirmationId: 'check', ...body });
  if (!parsed.success) {
    const fresh: FieldErrors = {};
    addErrors(fresh, zodErrors(parsed.error));
    for (const [k, v] of Object.entries(fresh)) errors[k] ??= v;
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, body };
}
