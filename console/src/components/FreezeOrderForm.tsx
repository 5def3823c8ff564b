import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type ChangeEvent, type FormEvent, useId, useState } from 'react';
import { ApiError, call } from '../api/client.ts';
import { useConsole } from '../context.tsx';
import { isoToLocalInput, localInputToIso, useIdempotencyKey } from '../lib/idempotency.ts';
import {
  emptyRow,
  parseTargetsCsv,
  type RowError,
  rowsToTargets,
  type TargetBody,
  type TargetField,
  type TargetRow,
  targetErrorAt,
} from '../lib/targets.ts';
import { ErrorBox } from './common.tsx';

const columns: { field: TargetField; label: string; size?: number }[] = [
  { field: 'bankId', label: 'Bank id', size: 8 },
  { field: 'accountNumber', label: 'Account number', size: 18 },
  { field: 'accountName', label: 'Account name', size: 12 },
  { field: 'amount', label: 'Amount', size: 12 },
  { field: 'currency', label: 'Currency', size: 4 },
  { field: 'transferredAt', label: 'Transferred at (ISO UTC)', size: 20 },
  { field: 'reference', label: 'Transfer reference', size: 10 },
];

const csvExample = `bankId,accountNumber,accountName,amount,currency,transferredAt,reference
HARBOR,6222020000001111,Li Wei,600000.00,CNY,2026-11-20T09:41:00Z,TX-1`;

interface Errors {
  rows: Map<string, string>;
  fields: Map<string, string>;
  general: string[];
}
const noErrors = (): Errors => ({ rows: new Map(), fields: new Map(), general: [] });
interface OrderBody {
  legalBasis: { kind: string; reference: string; issuedBy: string; issuedAt: string };
  targets: TargetBody[];
  holdHours: number;
}
const cellKey = (row: number, field: TargetField | undefined) => `${row}.${field ?? ''}`;

function fromRowErrors(list: RowError[], base = noErrors()): Errors {
  for (const e of list) {
    if (e.row === undefined) base.general.push(e.message);
    else base.rows.set(cellKey(e.row, e.field), e.message);
  }
  return base;
}

/** The problem+json `errors` placed at their row and field (targets.N.field) or form field. */
function fromProblem(error: ApiError): Errors {
  const errors = noErrors();
  for (const e of error.problem.errors ?? []) {
    const at = targetErrorAt(e.path);
    if (at) errors.rows.set(cellKey(at.row, at.field), e.message);
    else errors.fields.set(e.path, e.message);
  }
  return errors;
}

export function FreezeOrderForm({
  caseId,
  onSubmitted,
}: {
  caseId: string;
  onSubmitted(orderId: string, instructions: number): void;
}) {
  const { api } = useConsole();
  const queryClient = useQueryClient();
  const id = useId();
  const [rows, setRows] = useState<TargetRow[]>([emptyRow()]);
  const [csv, setCsv] = useState('');
  const [basis, setBasis] = useState({ kind: 'Emergency stop-payment', reference: '', issuedBy: '' });
  const [issuedAt, setIssuedAt] = useState(() => isoToLocalInput(new Date()));
  const [holdHours, setHoldHours] = useState('48');
  const [errors, setErrors] = useState<Errors>(noErrors);
  const [csvNote, setCsvNote] = useState<string | undefined>();
  const idem = useIdempotencyKey();

  const submit = useMutation({
    mutationFn: async (body: OrderBody) =>
      call<{ orderId: string; instructions: unknown[] }>(
        api.POST('/cases/{caseId}/freeze-orders', {
          params: { path: { caseId }, header: { 'Idempotency-Key': idem.keyFor(body) } },
          body,
        }),
      ),
    onSuccess: ({ data }) => {
      idem.done();
      setErrors(noErrors());
      setRows([emptyRow()]);
      void queryClient.invalidateQueries({ queryKey: ['case', caseId] });
      onSubmitted(data.orderId, data.instructions.length);
    },
    onError: (error) => {
      if (error instanceof ApiError && error.problem.errors?.length) setErrors(fromProblem(error));
    },
  });

  function buildBody(targets: TargetBody[]): OrderBody {
    return {
      legalBasis: { ...basis, issuedAt: localInputToIso(issuedAt) },
      targets,
      holdHours: Number(holdHours),
    };
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const { targets, errors: rowErrors } = rowsToTargets(rows);
    if (rowErrors.length > 0) {
      setErrors(fromRowErrors(rowErrors));
      return;
    }
    setErrors(noErrors());
    submit.mutate(buildBody(targets));
  }

  function applyCsv(text: string) {
    const parsed = parseTargetsCsv(text);
    if (parsed.errors.length > 0 && parsed.rows.length === 0) {
      setErrors(fromRowErrors(parsed.errors));
      setCsvNote(undefined);
      return;
    }
    setRows(parsed.rows);
    // Values are checked at once, so a bad cell shows at its row before anything is sent.
    setErrors(fromRowErrors([...parsed.errors, ...rowsToTargets(parsed.rows).errors]));
    setCsvNote(`${parsed.rows.length} account(s) taken from the CSV`);
  }

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (!file) return;
    const text = await file.text();
    setCsv(text);
    applyCsv(text);
  }

  const setCell = (row: number, field: TargetField, value: string) =>
    setRows((list) => list.map((r, i) => (i === row ? { ...r, [field]: value } : r)));

  const fieldError = (path: string) => errors.fields.get(path);
  const basisInput = (key: 'kind' | 'reference' | 'issuedBy', label: string) => {
    const path = `legalBasis.${key}`;
    const message = fieldError(path);
    return (
      <div className="field">
        <label htmlFor={`${id}-${key}`}>{label}</label>
        <input
          id={`${id}-${key}`}
          value={basis[key]}
          onChange={(e) => setBasis((b) => ({ ...b, [key]: e.target.value }))}
          required
          aria-invalid={message ? true : undefined}
          aria-describedby={message ? `${id}-${key}-err` : undefined}
        />
        {message ? (
          <span className="field-error" id={`${id}-${key}-err`}>
            {message}
          </span>
        ) : null}
      </div>
    );
  };
  const retryable = submit.isError && submit.error instanceof ApiError && submit.error.isRetryable;

  return (
    <form
      onSubmit={onSubmit}
      className="card freeze-form"
      aria-labelledby={`${id}-h`}
      data-testid="freeze-order-form"
    >
      <h2 id={`${id}-h`}>Freeze order</h2>
      <fieldset className="grid-form">
        <legend>Legal basis and hold</legend>
        {basisInput('kind', 'Kind')}
        {basisInput('reference', 'Reference')}
        {basisInput('issuedBy', 'Issued by')}
        <div className="field">
          <label htmlFor={`${id}-issued`}>Issued at (your time)</label>
          <input
            id={`${id}-issued`}
            type="datetime-local"
            value={issuedAt}
            onChange={(e) => setIssuedAt(e.target.value)}
            required
          />
          {fieldError('legalBasis.issuedAt') ? (
            <span className="field-error">{fieldError('legalBasis.issuedAt')}</span>
          ) : null}
        </div>
        <div className="field small">
          <label htmlFor={`${id}-hold`}>Hold (hours)</label>
          <input
            id={`${id}-hold`}
            inputMode="decimal"
            value={holdHours}
            onChange={(e) => setHoldHours(e.target.value)}
            required
          />
          {fieldError('holdHours') ? <span className="field-error">{fieldError('holdHours')}</span> : null}
        </div>
      </fieldset>

      <fieldset>
        <legend>Targets from CSV</legend>
        <label htmlFor={`${id}-csv`}>Paste CSV (header row, then one account per line)</label>
        <textarea
          id={`${id}-csv`}
          rows={4}
          value={csv}
          placeholder={csvExample}
          onChange={(e) => setCsv(e.target.value)}
        />
        <div className="actions">
          <button type="button" onClick={() => applyCsv(csv)} disabled={!csv.trim()}>
            Use the pasted CSV
          </button>
          <label className="file">
            Upload a CSV file
            <input type="file" accept=".csv,text/csv" onChange={(e) => void onFile(e)} />
          </label>
          {csvNote ? <output>{csvNote}</output> : null}
        </div>
      </fieldset>

      <div className="table-wrap">
        <table className="targets">
          <caption>Target accounts ({rows.length})</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              {columns.map((c) => (
                <th key={c.field} scope="col">
                  {c.label}
                </th>
              ))}
              <th scope="col">
                <span className="sr-only">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => {
              const rowMessage = errors.rows.get(cellKey(i, undefined));
              return (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows have no id until the API gives one
                <tr key={i} data-testid={`target-row-${i}`} className={rowMessage ? 'row-error' : undefined}>
                  <th scope="row">
                    {i + 1}
                    {rowMessage ? (
                      <span className="field-error" data-testid={`row-error-${i}`}>
                        {rowMessage}
                      </span>
                    ) : null}
                  </th>
                  {columns.map((c) => {
                    const message = errors.rows.get(cellKey(i, c.field));
                    const inputId = `${id}-r${i}-${c.field}`;
                    return (
                      <td key={c.field}>
                        <input
                          id={inputId}
                          aria-label={`${c.label}, row ${i + 1}`}
                          size={c.size}
                          value={row[c.field]}
                          onChange={(e) => setCell(i, c.field, e.target.value)}
                          aria-invalid={message ? true : undefined}
                          aria-describedby={message ? `${inputId}-err` : undefined}
                          data-testid={`cell-${i}-${c.field}`}
                        />
                        {message ? (
                          <span
                            className="field-error"
                            id={`${inputId}-err`}
                            data-testid={`error-${i}-${c.field}`}
                          >
                            {message}
                          </span>
                        ) : null}
                      </td>
                    );
                  })}
                  <td>
                    <button
                      type="button"
                      className="link"
                      aria-label={`Remove row ${i + 1}`}
                      onClick={() =>
                        setRows((list) => (list.length > 1 ? list.filter((_, j) => j !== i) : [emptyRow()]))
                      }
                    >
                      ✕
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div className="actions">
        <button type="button" onClick={() => setRows((list) => [...list, emptyRow(list.at(-1)?.currency)])}>
          Add an account
        </button>
        <button type="submit" className="primary" disabled={submit.isPending}>
          {submit.isPending
            ? 'Submitting…'
            : retryable
              ? 'Retry: submit the same order'
              : `Submit freeze order (${rows.length})`}
        </button>
      </div>
      {errors.general.length > 0 ? (
        <ul className="field-error" role="alert" data-testid="csv-errors">
          {errors.general.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : null}
      {submit.isError ? (
        <div data-testid="order-error">
          <ErrorBox
            error={submit.error}
            what={
              retryable
                ? 'Not confirmed (safe to retry: the same Idempotency-Key is reused)'
                : 'The order was refused'
            }
          />
        </div>
      ) : null}
    </form>
  );
}
