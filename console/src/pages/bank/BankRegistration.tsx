import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { ApiError, call } from '../../api/client.ts';
import type { BankRegistrationView } from '../../api/views.ts';
import { useAuth } from '../../auth.tsx';
import { ErrorBox, Loading, LocalTime } from '../../components/common.tsx';
import { useConsole } from '../../context.tsx';
import { DeskNav } from './BankDesk.tsx';

const KINDS = ['FREEZE', 'EXTEND', 'EXPIRED', 'REMINDER', 'RELEASE'] as const;

/** 404 or 405 from a route API.md lists: this deployment does not have it (yet). */
const notAvailable = (error: unknown) =>
  error instanceof ApiError && (error.status === 404 || error.status === 405);

function NotAvailable({ error, what }: { error: unknown; what: string }) {
  const problem = error instanceof ApiError ? error.problem : undefined;
  return (
    <div className="state empty" role="status" data-testid="not-available">
      <strong>{what} is not available here.</strong> The API answered {problem?.status}
      {problem?.detail ? ` (${problem.detail})` : ''}: this deployment does not offer the route yet
      {what === 'The registration' ? ', or the bank is not registered' : ''}. Ask the operator.
    </div>
  );
}

/** The bank's own connector settings (`GET /banks/{bankId}`) and a test delivery to its receiver. */
export function BankRegistration() {
  const { session } = useAuth();
  const { api } = useConsole();
  const bankId = session?.bankId ?? '';
  const reg = useQuery({
    queryKey: ['bank-registration', bankId],
    queryFn: async () =>
      (await call<BankRegistrationView>(api.GET('/banks/{bankId}', { params: { path: { bankId } } }))).data,
  });
  return (
    <>
      <h1>Bank desk · {bankId}</h1>
      <DeskNav />
      <section className="card" aria-labelledby="reg-h">
        <h2 id="reg-h">Registration</h2>
        {reg.isPending ? (
          <Loading what="the registration" />
        ) : reg.isError ? (
          notAvailable(reg.error) ? (
            <NotAvailable error={reg.error} what="The registration" />
          ) : (
            <ErrorBox error={reg.error} what="Registration" />
          )
        ) : (
          <dl className="kv" data-testid="registration">
            <dt>Bank</dt>
            <dd>
              {reg.data.name} (<code>{reg.data.bankId}</code>)
            </dd>
            <dt>Connector</dt>
            <dd data-testid="registration-mode">
              {reg.data.mode === 'push'
                ? 'push: freezeflow posts signed webhooks to your endpoint'
                : 'pull: you read your inbox (this desk, or GET /banks/{bankId}/instructions)'}
            </dd>
            {reg.data.endpoint ? (
              <>
                <dt>Endpoint</dt>
                <dd>
                  <code>{reg.data.endpoint}</code>
                </dd>
              </>
            ) : null}
            <dt>Answer within (SLA)</dt>
            <dd>{reg.data.slaSeconds.toLocaleString('en-US')} s</dd>
            <dt>Signing secret</dt>
            <dd>{reg.data.secretOnFile ? 'on file (never shown)' : 'none on file'}</dd>
            <dt>Updated</dt>
            <dd>
              <LocalTime iso={reg.data.updatedAt} />
            </dd>
          </dl>
        )}
      </section>
      {reg.data?.mode === 'pull' ? null : <TestDelivery bankId={bankId} />}
    </>
  );
}

function TestDelivery({ bankId }: { bankId: string }) {
  const { api } = useConsole();
  const [kind, setKind] = useState<(typeof KINDS)[number]>('FREEZE');
  const id = useId();
  const send = useMutation({
    mutationFn: async () =>
      call<{ deliveryId: string }>(
        api.POST('/banks/{bankId}/test-deliveries', { params: { path: { bankId } }, body: { kind } }),
      ),
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    send.mutate();
  }
  return (
    <section className="card" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Send yourself a test delivery</h2>
      <p className="hint">
        A signed push marked <code>"test": true</code> with made-up ids, to check your receiver. It changes no
        case.
      </p>
      <form onSubmit={submit} className="inline">
        <label htmlFor={`${id}-kind`}>Kind</label>
        <select
          id={`${id}-kind`}
          value={kind}
          onChange={(e) => setKind(e.target.value as (typeof KINDS)[number])}
        >
          {KINDS.map((k) => (
            <option key={k}>{k}</option>
          ))}
        </select>
        <button type="submit" disabled={send.isPending}>
          {send.isPending ? 'Sending…' : 'Send a test delivery'}
        </button>
      </form>
      {send.isSuccess ? (
        <p className="ok" role="status" data-testid="test-delivery-answer">
          Queued: delivery id <code>{send.data.data.deliveryId}</code> (the API answered {send.data.status}).
        </p>
      ) : send.isError ? (
        notAvailable(send.error) ? (
          <NotAvailable error={send.error} what="A test delivery" />
        ) : (
          <ErrorBox error={send.error} what="Test delivery" />
        )
      ) : null}
    </section>
  );
}
