import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { currencyExponent } from '../../../functions/domain/currencies.ts';
import { ApiError, call } from '../api/client.ts';
import type { InstructionView, LegalBasis } from '../api/views.ts';
import { useConsole } from '../context.tsx';
import { isoToLocalInput, localInputToIso, useIdempotencyKey } from '../lib/idempotency.ts';
import { formatMoney, maskAccount, minorToDecimal, parseMajorAmount } from '../lib/money.ts';
import { ErrorBox } from './common.tsx';

type Step = 'edit' | 'review' | 'answer';

/**
 * A modal action with a confirmation step: edit → review ("Confirm") → the API's answer shown
 * as it came back (status, and the refusal's rule and fields). Native <dialog>: focus is trapped
 * and Escape closes it.
 */
function ActionDialog(props: {
  /** Whether the action applies now. The dialog stays mounted when it stops applying (a release
   * makes the funds no longer held) so the API's answer is still shown. */
  available: boolean;
  label: string;
  title: string;
  testId: string;
  form?: ReactNode;
  review: ReactNode;
  validate?(): string | undefined;
  perform(): Promise<{ status: number; data: unknown }>;
  answer(data: unknown): ReactNode;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [step, setStep] = useState<Step>('edit');
  const [invalid, setInvalid] = useState<string | undefined>();
  const queryClient = useQueryClient();
  const id = useId();
  const run = useMutation({
    mutationFn: props.perform,
    onSettled: () => {
      setStep('answer');
      void queryClient.invalidateQueries({ queryKey: ['case'] });
    },
  });
  useEffect(() => {
    const d = dialog.current;
    const onClose = () => {
      setStep('edit');
      run.reset();
    };
    d?.addEventListener('close', onClose);
    return () => d?.removeEventListener('close', onClose);
  }, [run.reset]);

  function next(event: FormEvent) {
    event.preventDefault();
    if (step === 'edit') {
      const message = props.validate?.();
      setInvalid(message);
      if (!message) setStep('review');
    } else if (step === 'review') run.mutate();
  }
  const retryable = run.error instanceof ApiError && run.error.isRetryable;
  return (
    <>
      {props.available ? (
        <button
          type="button"
          className="small"
          data-testid={`${props.testId}-open`}
          onClick={() => dialog.current?.showModal()}
        >
          {props.label}
        </button>
      ) : null}
      <dialog ref={dialog} aria-labelledby={`${id}-t`} data-testid={props.testId}>
        <form onSubmit={next}>
          <h3 id={`${id}-t`}>{props.title}</h3>
          {step === 'edit' ? props.form : null}
          {step === 'edit' && invalid ? (
            <p className="field-error" role="alert">
              {invalid}
            </p>
          ) : null}
          {step === 'review' ? (
            <div className="review">
              <p>
                <strong>Please confirm:</strong>
              </p>
              {props.review}
            </div>
          ) : null}
          {step === 'answer' ? (
            <div data-testid={`${props.testId}-answer`} role="status">
              {run.isSuccess ? (
                <p className="ok">
                  Done: the API answered {run.data.status}. {props.answer(run.data.data)}
                </p>
              ) : (
                <ErrorBox error={run.error} what="Refused" />
              )}
            </div>
          ) : null}
          <div className="actions">
            {step === 'edit' ? <button type="submit">Review</button> : null}
            {step === 'review' ? (
              <>
                <button type="button" onClick={() => setStep('edit')}>
                  Back
                </button>
                <button type="submit" className="primary" disabled={run.isPending}>
                  {run.isPending ? 'Sending…' : 'Confirm'}
                </button>
              </>
            ) : null}
            {step === 'answer' && retryable ? (
              <button type="button" onClick={() => run.mutate()}>
                Retry (same Idempotency-Key)
              </button>
            ) : null}
            <button type="button" onClick={() => dialog.current?.close()}>
              Close
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}

function BasisFields({ value, onChange }: { value: LegalBasis; onChange(v: LegalBasis): void }) {
  const id = useId();
  const input = (key: keyof LegalBasis, label: string) => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      {key === 'issuedAt' ? (
        <input
          id={`${id}-${key}`}
          type="datetime-local"
          value={isoToLocalInput(new Date(value.issuedAt))}
          onChange={(e) => onChange({ ...value, issuedAt: localInputToIso(e.target.value) })}
          required
        />
      ) : (
        <input
          id={`${id}-${key}`}
          value={value[key]}
          onChange={(e) => onChange({ ...value, [key]: e.target.value })}
          required
        />
      )}
    </div>
  );
  return (
    <>
      {input('kind', 'Kind')}
      {input('reference', 'Reference')}
      {input('issuedBy', 'Issued by')}
      {input('issuedAt', 'Issued at (your time)')}
    </>
  );
}

const who = (i: InstructionView) => `${i.bankId} ${maskAccount(i.accountNumber)}`;

export function ExtendAction({
  caseId,
  instruction,
  basis,
  available,
}: {
  caseId: string;
  instruction: InstructionView;
  basis: LegalBasis;
  available: boolean;
}) {
  const { api } = useConsole();
  const id = useId();
  const [legalBasis, setBasis] = useState<LegalBasis>({ ...basis, issuedAt: new Date().toISOString() });
  const [hours, setHours] = useState('48');
  const idem = useIdempotencyKey();
  const body = () => ({ legalBasis, holdHours: Number(hours) });
  return (
    <ActionDialog
      available={available}
      label="Extend"
      title={`Extend the hold at ${who(instruction)}`}
      testId={`extend-${instruction.instructionId}`}
      validate={() => (Number(hours) > 0 && Number(hours) <= 4320 ? undefined : 'hours: 0.0001 to 4320')}
      form={
        <div className="grid-form">
          <div className="field">
            <label htmlFor={`${id}-h`}>New hold from now (hours)</label>
            <input
              id={`${id}-h`}
              inputMode="decimal"
              value={hours}
              onChange={(e) => setHours(e.target.value)}
              required
            />
          </div>
          <BasisFields value={legalBasis} onChange={setBasis} />
        </div>
      }
      review={
        <p>
          The hold at {who(instruction)} will last until {hours} hour(s) from now (it may also shorten it).
          The bank is told.
        </p>
      }
      perform={async () => {
        const b = body();
        const result = await call<InstructionView>(
          api.POST('/cases/{caseId}/instructions/{instructionId}/extend', {
            params: {
              path: { caseId, instructionId: instruction.instructionId },
              header: { 'Idempotency-Key': idem.keyFor(b) },
            },
            body: b,
          }),
        );
        idem.done();
        return result;
      }}
      answer={(data) => `New hold until ${(data as InstructionView).holdUntil ?? '–'} (UTC).`}
    />
  );
}

export function RedeliverAction({
  caseId,
  instruction,
  available,
}: {
  caseId: string;
  instruction: InstructionView;
  available: boolean;
}) {
  const { api } = useConsole();
  return (
    <ActionDialog
      available={available}
      label="Redeliver"
      title={`Redeliver to ${who(instruction)}`}
      testId={`redeliver-${instruction.instructionId}`}
      review={
        <p>The instruction is delivered to {instruction.bankId} again (same delivery id and deadline).</p>
      }
      perform={() =>
        call(
          api.POST('/cases/{caseId}/instructions/{instructionId}/redeliver', {
            params: { path: { caseId, instructionId: instruction.instructionId } },
            body: {},
          }),
        )
      }
      answer={() => 'Delivery queued.'}
    />
  );
}

export function ReleaseAction({
  caseId,
  instruction,
  available,
}: {
  caseId: string;
  instruction: InstructionView;
  available: boolean;
}) {
  const { api } = useConsole();
  const id = useId();
  const currency = instruction.frozen.currency;
  const held = BigInt(instruction.frozen.minor) - BigInt(instruction.releasePending?.minor ?? '0');
  // Until the officer types an amount, it follows what is still held (the dialog stays mounted).
  const [typed, setAmount] = useState<string | undefined>();
  const amount = typed ?? minorToDecimal(held, currencyExponent(currency));
  const [disposition, setDisposition] = useState<'RETURN_TO_VICTIM' | 'RELEASE_TO_HOLDER'>(
    'RETURN_TO_VICTIM',
  );
  const [authority, setAuthority] = useState<LegalBasis>({
    kind: 'Court order',
    reference: '',
    issuedBy: '',
    issuedAt: new Date().toISOString(),
  });
  const idem = useIdempotencyKey();
  const parsed = parseMajorAmount(amount, currency);
  return (
    <ActionDialog
      available={available}
      label="Release"
      title={`Release funds held at ${who(instruction)}`}
      testId={`release-${instruction.instructionId}`}
      validate={() => (parsed.ok ? undefined : parsed.message)}
      form={
        <div className="grid-form">
          <div className="field">
            <label htmlFor={`${id}-amt`}>
              Amount ({currency}; held {formatMoney({ currency, minor: held.toString() })})
            </label>
            <input
              id={`${id}-amt`}
              inputMode="decimal"
              value={amount}
              onChange={(e) => setAmount(e.target.value)}
              required
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-to`}>To</label>
            <select
              id={`${id}-to`}
              value={disposition}
              onChange={(e) => setDisposition(e.target.value as typeof disposition)}
            >
              <option value="RETURN_TO_VICTIM">return to the victim</option>
              <option value="RELEASE_TO_HOLDER">release to the account holder</option>
            </select>
          </div>
          <BasisFields value={authority} onChange={setAuthority} />
        </div>
      }
      review={
        <p>
          {parsed.ok ? formatMoney({ currency, minor: parsed.minor }) : amount} held at {who(instruction)}{' '}
          will be{' '}
          {disposition === 'RETURN_TO_VICTIM' ? 'returned to the victim' : 'released to the account holder'}.
        </p>
      }
      perform={async () => {
        const b = {
          instructionId: instruction.instructionId,
          amount: { currency, minor: parsed.ok ? parsed.minor : '0' },
          disposition,
          authority,
        };
        const result = await call<{ releaseId: string; status: string }>(
          api.POST('/cases/{caseId}/releases', {
            params: { path: { caseId }, header: { 'Idempotency-Key': idem.keyFor(b) } },
            body: b,
          }),
        );
        idem.done();
        return result;
      }}
      answer={(data) =>
        `Release ${(data as { releaseId: string }).releaseId} is ${(data as { status: string }).status}.`
      }
    />
  );
}
