import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { Link } from 'wouter';
import { currencyExponent } from '../../../../functions/domain/currencies.ts';
import { ApiError, call } from '../../api/client.ts';
import type { BankInstructionView } from '../../api/views.ts';
import { useAuth } from '../../auth.tsx';
import {
  Countdown,
  ErrorBox,
  Loading,
  LocalTime,
  Money,
  StatusBadge,
  useNow,
} from '../../components/common.tsx';
import { Field } from '../../components/Field.tsx';
import { useConsole } from '../../context.tsx';
import {
  addErrors,
  buildConfirmation,
  buildReleaseConfirmation,
  type ConfirmationForm,
  emptyTransfer,
  type FieldErrors,
  type ResultChoice,
  resultChoices,
  type TransferRow,
  usesCash,
  usesTransfers,
} from '../../lib/confirmation.ts';
import { isoUtcNow } from '../../lib/csv.ts';
import { minorToDecimal } from '../../lib/money.ts';
import { DeskNav } from './BankDesk.tsx';
import { acknowledgeHold, holdChange, isOverdue, needsAction, useInbox } from './inbox.ts';

export function BankInstructionPage({ instructionId }: { instructionId: string }) {
  const { session } = useAuth();
  const bankId = session?.bankId ?? '';
  const inbox = useInbox(bankId);
  const now = useNow();
  const [, rerender] = useState(0);
  // Latched: once the form was shown it stays, with its answer and its Retry button, even when the
  // next refresh shows the instruction answered (a confirmation that landed while its answer was lost).
  const formShown = useRef(false);
  if (inbox.isPending) return <Loading what={`instruction ${instructionId}`} />;
  if (inbox.isError) return <ErrorBox error={inbox.error} what="Inbox" />;
  // Only the signed-in bank's inbox is read (the API scopes it): another bank's id is simply not here.
  const i = inbox.data.items.find((x) => x.instructionId === instructionId);
  if (!i)
    return (
      <>
        <h1>Bank desk · {bankId}</h1>
        <DeskNav />
        <div className="state error" role="alert" data-testid="instruction-not-found">
          No instruction <code>{instructionId}</code> in the inbox of {bankId}.{' '}
          <Link href="/bank">Back to the inbox</Link>
        </div>
      </>
    );
  const change = holdChange(bankId, i);
  if (needsAction(i)) formShown.current = true;
  const held = BigInt(i.frozen.minor) > 0n;
  return (
    <>
      <h1>
        {i.kind === 'RELEASE' ? 'Release' : 'Freeze instruction'}{' '}
        <code className="sub">{i.instructionId}</code>
      </h1>
      <DeskNav />
      <section className="card" aria-labelledby="detail-h" data-testid="instruction-detail">
        <h2 id="detail-h">
          <StatusBadge status={i.status} />{' '}
          {isOverdue(i, now) ? <span className="badge bad">overdue</span> : null}
          {i.late ? <span className="badge warn">late</span> : null} Details
        </h2>
        <dl className="kv">
          <dt>Account</dt>
          <dd data-testid="detail-account">
            {i.accountNumber}
            {i.accountName ? ` (${i.accountName})` : ''}
          </dd>
          <dt>{i.kind === 'RELEASE' ? 'Amount to release' : 'Amount to freeze'}</dt>
          <dd data-testid="detail-amount">
            <Money value={i.requested} />
          </dd>
          {i.kind === 'RELEASE' ? (
            <>
              <dt>Disposition</dt>
              <dd>
                {i.disposition === 'RETURN_TO_VICTIM' ? 'return to the victim' : 'release to the holder'}
              </dd>
              <dt>Releases</dt>
              <dd>
                <Link href={`/bank/instructions/${encodeURIComponent(i.releasesInstructionId ?? '')}`}>
                  <code>{i.releasesInstructionId}</code>
                </Link>
              </dd>
            </>
          ) : null}
          <dt>Legal basis</dt>
          <dd data-testid="detail-legal-basis">
            {i.legalBasis.kind}, {i.legalBasis.reference}, issued by {i.legalBasis.issuedBy} on{' '}
            <LocalTime iso={i.legalBasis.issuedAt} />
          </dd>
          <dt>Police reference</dt>
          <dd>
            case <code>{i.caseId}</code> · order <code>{i.orderId}</code> · hop {i.hop}
          </dd>
          <dt>Transfer reference · time</dt>
          <dd>
            {i.reference ?? '–'} · <LocalTime iso={i.transferredAt} />
          </dd>
          <dt>Deadline</dt>
          <dd>
            <LocalTime iso={i.deadlineAt} />{' '}
            {needsAction(i) && i.deadlineAt ? <Countdown iso={i.deadlineAt} label="deadline" /> : null}
          </dd>
          <dt>Hold</dt>
          <dd data-testid="detail-hold">
            {held ? (
              <>
                <Money value={i.frozen} /> held until <LocalTime iso={i.holdUntil} /> (
                <Countdown iso={i.holdUntil} label="hold until" />)
              </>
            ) : (
              <>
                nothing held · hold until <LocalTime iso={i.holdUntil} />
              </>
            )}
            {change ? (
              <div className="warn-text" role="status">
                The police {change} this hold: it now ends <LocalTime iso={i.holdUntil} />.{' '}
                <button
                  type="button"
                  className="small"
                  onClick={() => {
                    acknowledgeHold(bankId, i);
                    rerender((n) => n + 1);
                  }}
                >
                  Noted
                </button>
              </div>
            ) : null}
          </dd>
          <dt>Received · answered</dt>
          <dd>
            <LocalTime iso={i.dispatchedAt} /> · <LocalTime iso={i.confirmedAt} />
          </dd>
        </dl>
      </section>
      {formShown.current ? (
        i.kind === 'RELEASE' ? (
          <ReleaseForm bankId={bankId} instruction={i} />
        ) : (
          <FreezeConfirmationForm bankId={bankId} instruction={i} />
        )
      ) : (
        <p className="state empty">This instruction has been answered: nothing to confirm.</p>
      )}
    </>
  );
}

type Body = Record<string, unknown> & { confirmationId: string };

/**
 * Sends a confirmation and keeps its confirmationId for as long as the body stays the same: a
 * retry after a network error (or a 503) sends the same id, so the API records it once (API.md:
 * "Confirmations are idempotent by confirmationId").
 */
function useConfirmationSender(bankId: string, instructionId: string) {
  const { api } = useConsole();
  const queryClient = useQueryClient();
  const last = useRef<{ key: string; body: Body } | undefined>(undefined);
  const send = useMutation({
    mutationFn: async (body: Body) =>
      call<{ instructionId: string; status: string }>(
        api.POST('/banks/{bankId}/instructions/{instructionId}/confirmations', {
          params: { path: { bankId, instructionId } },
          // The body was checked by the API's own schema (lib/confirmation.ts).
          body: body as never,
        }),
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['inbox', bankId] }),
  });
  return {
    send,
    submit(content: Record<string, unknown>) {
      const key = JSON.stringify(content);
      if (last.current?.key !== key)
        last.current = {
          key,
          body: { confirmationId: `desk-${crypto.randomUUID()}`, ...content, reportedAt: isoUtcNow() },
        };
      send.mutate(last.current.body);
    },
    retry() {
      if (last.current) send.mutate(last.current.body);
    },
    get confirmationId() {
      return last.current?.body.confirmationId;
    },
  };
}

function SendResult({
  send,
  retry,
  confirmationId,
}: {
  send: ReturnType<typeof useConfirmationSender>['send'];
  retry(): void;
  confirmationId: string | undefined;
}) {
  if (send.isSuccess)
    return (
      <p className="ok" role="status" data-testid="confirmation-answer">
        Recorded: the API answered {send.data.status}, status {send.data.data.status}.
      </p>
    );
  if (!send.isError) return null;
  const error = send.error;
  const retryable = error instanceof ApiError && error.isRetryable;
  return (
    <div data-testid="confirmation-error">
      <ErrorBox error={error} what="Not recorded" />
      {retryable ? (
        <>
          <p className="hint">
            The answer was lost or the service was busy: the confirmation may have been recorded. Retrying
            sends the same confirmation id ({confirmationId}), so it is recorded once.
          </p>
          <button type="button" onClick={retry} disabled={send.isPending}>
            Retry (same confirmation id)
          </button>
        </>
      ) : null}
    </div>
  );
}

/** Field errors of an API refusal at the API's paths (422); the rest shows in the refusal box. */
function apiFieldErrors(error: unknown): FieldErrors {
  const errors: FieldErrors = {};
  if (error instanceof ApiError && error.problem.errors) addErrors(errors, error.problem.errors);
  return errors;
}

function focusFirstError(form: HTMLFormElement | null) {
  requestAnimationFrame(() => form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
}

function FreezeConfirmationForm({
  bankId,
  instruction,
}: {
  bankId: string;
  instruction: BankInstructionView;
}) {
  const currency = instruction.requested.currency;
  const exponent = currencyExponent(currency);
  const [form, setForm] = useState<ConfirmationForm>({
    result: 'FROZEN',
    frozen: '',
    cashWithdrawn: '',
    reason: '',
    transfers: [emptyTransfer()],
  });
  const [localErrors, setLocalErrors] = useState<FieldErrors>({});
  const sender = useConfirmationSender(bankId, instruction.instructionId);
  const formRef = useRef<HTMLFormElement>(null);
  const id = useId();
  const sendError = sender.send.error;
  const apiErrors = apiFieldErrors(sendError);
  useEffect(() => {
    // An API refusal naming fields takes the focus to the first of them, as the browser's check does.
    if (sendError instanceof ApiError && sendError.problem.errors?.length) focusFirstError(formRef.current);
  }, [sendError]);
  const errors = { ...apiErrors, ...localErrors };
  const set = (patch: Partial<ConfirmationForm>) => {
    setForm((f) => ({ ...f, ...patch }));
    setLocalErrors({});
  };
  const setTransfer = (n: number, patch: Partial<TransferRow>) =>
    set({ transfers: form.transfers.map((t, i) => (i === n ? { ...t, ...patch } : t)) });

  function submit(event: FormEvent) {
    event.preventDefault();
    const built = buildConfirmation(form, instruction.requested);
    if (!built.ok) {
      setLocalErrors(built.errors);
      focusFirstError(formRef.current);
      return;
    }
    setLocalErrors({});
    sender.send.reset();
    sender.submit(built.body);
  }
  const r = form.result;
  const amountHint = `${currency}, major units${exponent ? ` (up to ${exponent} decimals)` : ''}`;
  return (
    <section className="card" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Confirm the result</h2>
      <form ref={formRef} onSubmit={submit} noValidate data-testid="confirmation-form">
        <fieldset>
          <legend>Result</legend>
          {resultChoices.map((c) => (
            <label key={c.value} className="choice">
              <input
                type="radio"
                name={`${id}-result`}
                value={c.value}
                checked={r === c.value}
                onChange={() => set({ result: c.value as ResultChoice })}
              />{' '}
              {c.label}
            </label>
          ))}
          {errors.result ? (
            <span className="field-error" data-testid="error-result">
              {errors.result}
            </span>
          ) : null}
        </fieldset>
        {r === 'FROZEN' ? (
          <p>
            Frozen in full: <Money value={instruction.requested} />.
          </p>
        ) : null}
        <div className="grid-form">
          {r === 'PARTIAL' ? (
            <Field
              name="frozen"
              label={`Frozen (${currency})`}
              error={errors.frozen}
              hint={`less than ${minorToDecimal(instruction.requested.minor, exponent)}; ${amountHint}`}
            >
              {(a) => (
                <input
                  {...a}
                  inputMode="decimal"
                  value={form.frozen}
                  onChange={(e) => set({ frozen: e.target.value })}
                />
              )}
            </Field>
          ) : null}
          {usesCash(r) ? (
            <Field
              name="cashWithdrawn"
              label={r === 'CASH' ? `Cash withdrawn (${currency})` : `Cash withdrawn (${currency}, optional)`}
              error={errors.cashWithdrawn}
              hint={amountHint}
            >
              {(a) => (
                <input
                  {...a}
                  inputMode="decimal"
                  value={form.cashWithdrawn}
                  onChange={(e) => set({ cashWithdrawn: e.target.value })}
                />
              )}
            </Field>
          ) : null}
          <Field
            name="reason"
            label={r === 'REJECTED' ? 'Reason' : 'Reason or note (optional)'}
            error={errors.reason}
            className="wide"
          >
            {(a) => (
              <textarea
                {...a}
                rows={2}
                value={form.reason}
                onChange={(e) => set({ reason: e.target.value })}
              />
            )}
          </Field>
        </div>
        {usesTransfers(r) ? (
          <fieldset data-testid="transfers">
            <legend>{r === 'MOVED' ? 'Onward transfers' : 'Onward transfers (optional)'}</legend>
            {errors.onwardTransfers ? (
              <span className="field-error" data-testid="error-onwardTransfers">
                {errors.onwardTransfers}
              </span>
            ) : null}
            {form.transfers.map((t, n) => (
              <fieldset key={t.rowId} className="grid-form transfer" data-testid={`transfer-${n}`}>
                <legend>Onward transfer {n + 1}</legend>
                <Field
                  name={`onwardTransfers.${n}.toBankId`}
                  label="To bank (id)"
                  error={errors[`onwardTransfers.${n}.toBankId`]}
                >
                  {(a) => (
                    <input
                      {...a}
                      value={t.toBankId}
                      onChange={(e) => setTransfer(n, { toBankId: e.target.value })}
                    />
                  )}
                </Field>
                <Field
                  name={`onwardTransfers.${n}.toAccount`}
                  label="To account"
                  error={errors[`onwardTransfers.${n}.toAccount`]}
                >
                  {(a) => (
                    <input
                      {...a}
                      value={t.toAccount}
                      onChange={(e) => setTransfer(n, { toAccount: e.target.value })}
                    />
                  )}
                </Field>
                <Field
                  name={`onwardTransfers.${n}.amount`}
                  label={`Amount (${currency})`}
                  error={errors[`onwardTransfers.${n}.amount`]}
                >
                  {(a) => (
                    <input
                      {...a}
                      inputMode="decimal"
                      value={t.amount}
                      onChange={(e) => setTransfer(n, { amount: e.target.value })}
                    />
                  )}
                </Field>
                <Field
                  name={`onwardTransfers.${n}.transferredAt`}
                  label="Transferred at (your time)"
                  error={errors[`onwardTransfers.${n}.transferredAt`]}
                >
                  {(a) => (
                    <input
                      {...a}
                      type="datetime-local"
                      step={1}
                      value={t.transferredAt}
                      onChange={(e) => setTransfer(n, { transferredAt: e.target.value })}
                    />
                  )}
                </Field>
                <Field
                  name={`onwardTransfers.${n}.reference`}
                  label="Reference"
                  error={errors[`onwardTransfers.${n}.reference`]}
                >
                  {(a) => (
                    <input
                      {...a}
                      value={t.reference}
                      onChange={(e) => setTransfer(n, { reference: e.target.value })}
                    />
                  )}
                </Field>
                <div className="actions">
                  <button
                    type="button"
                    className="small"
                    onClick={() => set({ transfers: form.transfers.filter((_, i) => i !== n) })}
                    disabled={form.transfers.length === 1}
                  >
                    Remove transfer {n + 1}
                  </button>
                </div>
              </fieldset>
            ))}
            <button type="button" onClick={() => set({ transfers: [...form.transfers, emptyTransfer()] })}>
              Add an onward transfer
            </button>
          </fieldset>
        ) : null}
        {Object.keys(localErrors).length > 0 ? (
          <p className="field-error" role="alert" data-testid="form-invalid">
            Please correct the fields marked above ({Object.keys(localErrors).length}).
          </p>
        ) : null}
        <div className="actions">
          <button type="submit" className="primary" disabled={sender.send.isPending}>
            {sender.send.isPending ? 'Sending…' : 'Send the confirmation'}
          </button>
        </div>
        <SendResult send={sender.send} retry={sender.retry} confirmationId={sender.confirmationId} />
      </form>
    </section>
  );
}

function ReleaseForm({ bankId, instruction }: { bankId: string; instruction: BankInstructionView }) {
  const currency = instruction.requested.currency;
  const [released, setReleased] = useState(
    minorToDecimal(instruction.requested.minor, currencyExponent(currency)),
  );
  const [reason, setReason] = useState('');
  const [localErrors, setLocalErrors] = useState<FieldErrors>({});
  const sender = useConfirmationSender(bankId, instruction.instructionId);
  const formRef = useRef<HTMLFormElement>(null);
  const id = useId();
  const errors = { ...apiFieldErrors(sender.send.error), ...localErrors };
  function submit(event: FormEvent) {
    event.preventDefault();
    const built = buildReleaseConfirmation(released, reason, instruction.requested);
    if (!built.ok) {
      setLocalErrors(built.errors);
      focusFirstError(formRef.current);
      return;
    }
    setLocalErrors({});
    sender.send.reset();
    sender.submit(built.body);
  }
  return (
    <section className="card" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Confirm the release</h2>
      <p>
        {instruction.disposition === 'RETURN_TO_VICTIM'
          ? 'Pay the amount back to the victim, as the police order says, then confirm.'
          : 'Lift the hold on the amount for the account holder, then confirm.'}
      </p>
      <form ref={formRef} onSubmit={submit} noValidate data-testid="release-form">
        <div className="grid-form">
          <Field name="released" label={`Released (${currency})`} error={errors.released}>
            {(a) => (
              <input
                {...a}
                inputMode="decimal"
                value={released}
                onChange={(e) => setReleased(e.target.value)}
              />
            )}
          </Field>
          <Field name="reason" label="Note (optional)" error={errors.reason} className="wide">
            {(a) => <textarea {...a} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />}
          </Field>
        </div>
        <div className="actions">
          <button type="submit" className="primary" disabled={sender.send.isPending}>
            {sender.send.isPending ? 'Sending…' : 'Confirm the release'}
          </button>
        </div>
        <SendResult send={sender.send} retry={sender.retry} confirmationId={sender.confirmationId} />
      </form>
    </section>
  );
}
