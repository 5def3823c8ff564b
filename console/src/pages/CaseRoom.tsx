import { useMutation, useQueries } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { ApiError, call } from '../api/client.ts';
import type { CaseView } from '../api/views.ts';
import { Empty, ErrorBox, Loading, LocalTime, Money } from '../components/common.tsx';
import { useConsole } from '../context.tsx';
import { isoToLocalInput, localInputToIso, useIdempotencyKey } from '../lib/idempotency.ts';
import { parseMajorAmount, percentOf, sumIn } from '../lib/money.ts';

function OpenCaseForm() {
  const { api, rememberCase } = useConsole();
  const [, navigate] = useLocation();
  const id = useId();
  const [reference, setReference] = useState('');
  const [loss, setLoss] = useState('');
  const [currency, setCurrency] = useState('CNY');
  const [reportedAt, setReportedAt] = useState(() => isoToLocalInput(new Date()));
  const [summary, setSummary] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const idem = useIdempotencyKey();
  const open = useMutation({
    mutationFn: async (body: {
      reference: string;
      reportedLoss: { currency: string; minor: string };
      reportedAt: string;
      summary?: string;
    }) =>
      call<{ caseId: string }>(
        api.POST('/cases', { params: { header: { 'Idempotency-Key': idem.keyFor(body) } }, body }),
      ),
    onSuccess: ({ data }) => {
      idem.done();
      rememberCase(data.caseId);
      navigate(`/cases/${data.caseId}`);
    },
    onError: (error) => {
      if (error instanceof ApiError)
        setFieldErrors(Object.fromEntries((error.problem.errors ?? []).map((e) => [e.path, e.message])));
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const amount = parseMajorAmount(loss, currency.trim().toUpperCase());
    if (!amount.ok) {
      setFieldErrors({ 'reportedLoss.minor': amount.message });
      return;
    }
    setFieldErrors({});
    open.mutate({
      reference: reference.trim(),
      reportedLoss: { currency: currency.trim().toUpperCase(), minor: amount.minor },
      reportedAt: localInputToIso(reportedAt),
      ...(summary.trim() ? { summary: summary.trim() } : {}),
    });
  }
  const err = (path: string) =>
    fieldErrors[path] ? (
      <span className="field-error" id={`${id}-${path}-err`}>
        {fieldErrors[path]}
      </span>
    ) : null;
  const invalid = (path: string) =>
    fieldErrors[path] ? { 'aria-invalid': true as const, 'aria-describedby': `${id}-${path}-err` } : {};

  return (
    <form onSubmit={submit} className="card grid-form" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Open a case</h2>
      <div className="field">
        <label htmlFor={`${id}-ref`}>Police reference</label>
        <input
          id={`${id}-ref`}
          value={reference}
          onChange={(e) => setReference(e.target.value)}
          required
          {...invalid('reference')}
        />
        {err('reference')}
      </div>
      <div className="field">
        <label htmlFor={`${id}-loss`}>Reported loss</label>
        <input
          id={`${id}-loss`}
          inputMode="decimal"
          value={loss}
          onChange={(e) => setLoss(e.target.value)}
          required
          {...invalid('reportedLoss.minor')}
        />
        {err('reportedLoss.minor')}
      </div>
      <div className="field small">
        <label htmlFor={`${id}-cur`}>Currency</label>
        <input
          id={`${id}-cur`}
          value={currency}
          maxLength={3}
          onChange={(e) => setCurrency(e.target.value)}
          required
          {...invalid('reportedLoss.currency')}
        />
        {err('reportedLoss.currency')}
      </div>
      <div className="field">
        <label htmlFor={`${id}-at`}>Reported at (your time)</label>
        <input
          id={`${id}-at`}
          type="datetime-local"
          value={reportedAt}
          onChange={(e) => setReportedAt(e.target.value)}
          required
          {...invalid('reportedAt')}
        />
        {err('reportedAt')}
      </div>
      <div className="field wide">
        <label htmlFor={`${id}-sum`}>Summary (optional)</label>
        <input
          id={`${id}-sum`}
          value={summary}
          onChange={(e) => setSummary(e.target.value)}
          {...invalid('summary')}
        />
        {err('summary')}
      </div>
      <div className="actions wide">
        <button type="submit" disabled={open.isPending}>
          {open.isPending
            ? 'Opening…'
            : open.isError && (open.error as ApiError).isRetryable
              ? 'Retry: open the case'
              : 'Open the case'}
        </button>
      </div>
      {open.isError ? <ErrorBox error={open.error} what="The case was not opened" /> : null}
    </form>
  );
}

function FindCase() {
  const [, navigate] = useLocation();
  const { rememberCase } = useConsole();
  const [caseId, setCaseId] = useState('');
  const id = useId();
  return (
    <form
      className="inline"
      onSubmit={(e) => {
        e.preventDefault();
        const value = caseId.trim();
        if (!value) return;
        rememberCase(value);
        navigate(`/cases/${encodeURIComponent(value)}`);
      }}
    >
      <label htmlFor={id}>Open a case by its id</label>
      <input id={id} value={caseId} onChange={(e) => setCaseId(e.target.value)} />
      <button type="submit">Open</button>
    </form>
  );
}

function KnownCases() {
  const { api, knownCases } = useConsole();
  const cases = useQueries({
    queries: knownCases.map((caseId) => ({
      queryKey: ['case', caseId],
      queryFn: async () =>
        (await call<CaseView>(api.GET('/cases/{caseId}', { params: { path: { caseId } } }))).data,
      refetchInterval: 5000,
    })),
  });
  if (knownCases.length === 0)
    return (
      <Empty>
        No case yet in this session. Open one above, or open a case by its id (the API has no route that lists
        an agency's cases, so this list holds the cases you opened or looked up since you signed in).
      </Empty>
    );
  return (
    <div className="table-wrap">
      <table className="cases">
        <caption>Your cases (this session)</caption>
        <thead>
          <tr>
            <th scope="col">Case</th>
            <th scope="col">Opened</th>
            <th scope="col">Reported loss</th>
            <th scope="col">Intercepted</th>
            <th scope="col">Held now</th>
            <th scope="col">Restored</th>
            <th scope="col">Instructions</th>
          </tr>
        </thead>
        <tbody>
          {knownCases.map((caseId, i) => {
            const q = cases[i];
            const c = q?.data;
            if (!c)
              return (
                <tr key={caseId}>
                  <td>
                    <Link href={`/cases/${caseId}`}>{caseId}</Link>
                  </td>
                  <td colSpan={6}>
                    {q?.isError ? (
                      <ErrorBox error={q.error} what="Not readable" />
                    ) : (
                      <Loading what="the case" />
                    )}
                  </td>
                </tr>
              );
            const cur = c.reportedLoss.currency;
            const t = c.totals;
            const ever = t
              ? sumIn(t.frozen, cur) + sumIn(t.expired, cur) + sumIn(t.released, cur) + sumIn(t.restored, cur)
              : 0n;
            const loss = BigInt(c.reportedLoss.minor);
            return (
              <tr key={caseId} data-testid={`case-row-${caseId}`}>
                <td>
                  <Link href={`/cases/${caseId}`}>{c.reference}</Link>
                  <div className="sub">{caseId}</div>
                </td>
                <td>
                  <LocalTime iso={c.openedAt} />
                </td>
                <td>
                  <Money value={c.reportedLoss} />
                </td>
                <td>
                  <Money value={{ currency: cur, minor: ever.toString() }} />{' '}
                  <span className="sub">{percentOf(ever, loss)}</span>
                </td>
                <td>
                  <Money value={{ currency: cur, minor: sumIn(t?.frozen, cur).toString() }} />
                </td>
                <td>
                  <Money value={{ currency: cur, minor: sumIn(t?.restored, cur).toString() }} />
                </td>
                <td>{c.instructions.length}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function CaseRoom() {
  return (
    <>
      <h1>Case room</h1>
      <OpenCaseForm />
      <section className="card">
        <h2>Cases</h2>
        <FindCase />
        <KnownCases />
      </section>
    </>
  );
}
