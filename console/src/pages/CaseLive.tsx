import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { call } from '../api/client.ts';
import type { AuditView, CaseView, InstructionView, LegalBasis, TrailView } from '../api/views.ts';
import { useAuth } from '../auth.tsx';
import { ExtendAction, RedeliverAction, ReleaseAction } from '../components/Actions.tsx';
import { AuditPanel } from '../components/Audit.tsx';
import { CsvButton } from '../components/CsvButton.tsx';
import { Countdown, Empty, ErrorBox, Loading, LocalTime, Money, StatusBadge } from '../components/common.tsx';
import { FreezeOrderForm } from '../components/FreezeOrderForm.tsx';
import { TrailGraph, TrailList } from '../components/Trail.tsx';
import { useConsole } from '../context.tsx';
import { moneyCells, moneyHeader } from '../lib/csv.ts';
import { type MoneyJson, maskAccount, percentOf, sumIn } from '../lib/money.ts';

const AWAITING = new Set(['PENDING', 'DISPATCHED', 'DISPATCH_FAILED', 'OVERDUE']);
const FAST_MS = 1000;
const SLOW_MS = 15_000;

/** What changes when anything in the case changes: the poll backs off while it stays the same. */
function signature(c: CaseView): string {
  return JSON.stringify([
    c.totals?.updatedAt,
    c.instructions.map((i) => [i.status, i.frozen.minor, i.holdUntil, i.dispatchedAt, i.escalatedAt]),
    c.releases.map((r) => r.status),
  ]);
}

/**
 * Polling with backoff (the API has no stream): every second while the case changes or a
 * deadline or hold end is less than 10 s away, then slower the longer nothing changed (a quarter
 * of the quiet time), at most every 15 s.
 */
function usePolledCase(caseId: string) {
  const { api } = useConsole();
  const last = useRef({ sig: '', at: Date.now() });
  return useQuery({
    queryKey: ['case', caseId],
    queryFn: async () =>
      (await call<CaseView>(api.GET('/cases/{caseId}', { params: { path: { caseId } } }))).data,
    refetchInterval: (query) => {
      const data = query.state.data;
      if (!data) return FAST_MS;
      const sig = signature(data);
      const now = Date.now();
      if (sig !== last.current.sig) last.current = { sig, at: now };
      const soon = data.instructions.some((i) =>
        [AWAITING.has(i.status) ? i.deadlineAt : null, i.holdUntil].some(
          (t) => t && Math.abs(Date.parse(t) - now) < 10_000,
        ),
      );
      if (soon) return FAST_MS;
      return Math.min(SLOW_MS, Math.max(FAST_MS, (now - last.current.at) / 4));
    },
  });
}

function Totals({ c }: { c: CaseView }) {
  const cur = c.reportedLoss.currency;
  const t = c.totals;
  const loss = BigInt(c.reportedLoss.minor);
  const held = sumIn(t?.frozen, cur);
  const restored = sumIn(t?.restored, cur);
  const released = sumIn(t?.released, cur);
  const expired = sumIn(t?.expired, cur);
  const ever = held + restored + released + expired;
  const m = (minor: bigint): MoneyJson => ({ currency: cur, minor: minor.toString() });
  const other = (t?.frozen ?? []).filter((x) => x.currency !== cur && x.minor !== '0');
  return (
    <dl className="totals" data-testid="totals">
      <div>
        <dt>Reported loss</dt>
        <dd data-testid="total-loss">
          <Money value={c.reportedLoss} />
        </dd>
      </div>
      <div>
        <dt>Intercepted</dt>
        <dd data-testid="total-intercepted">
          <Money value={m(ever)} />
        </dd>
        <dd className="sub" data-testid="total-intercepted-pct">
          {percentOf(ever, loss)} of the loss
        </dd>
      </div>
      <div>
        <dt>Held now</dt>
        <dd data-testid="total-held">
          <Money value={m(held)} />
        </dd>
        <dd className="sub">{percentOf(held, loss)}</dd>
      </div>
      <div>
        <dt>Restored to the victim</dt>
        <dd data-testid="total-restored">
          <Money value={m(restored)} />
        </dd>
        <dd className="sub" data-testid="total-restored-pct">
          {percentOf(restored, loss)}
        </dd>
      </div>
      <div>
        <dt>Released to holder · expired</dt>
        <dd>
          <Money value={m(released)} /> · <Money value={m(expired)} />
        </dd>
      </div>
      {other.length > 0 ? (
        <div>
          <dt>Held in other currencies</dt>
          {other.map((x) => (
            <dd key={x.currency}>
              <Money value={x} />
            </dd>
          ))}
        </div>
      ) : null}
    </dl>
  );
}

function Progress({ list }: { list: InstructionView[] }) {
  const total = list.length;
  const delivered = list.filter((i) => i.dispatchedAt).length;
  const confirmed = list.filter((i) => i.confirmedAt).length;
  const overdue = list.filter((i) => i.status === 'OVERDUE' || i.status === 'DISPATCH_FAILED').length;
  const pct = (n: number) => (total ? (n / total) * 100 : 0);
  const text = `${delivered} of ${total} delivered · ${confirmed} confirmed · ${overdue} overdue or failed`;
  return (
    <div className="progress" data-testid="progress">
      <div className="bar" role="img" aria-label={`Order progress: ${text}`}>
        <span className="seg confirmed" style={{ width: `${pct(confirmed)}%` }} />
        <span
          className="seg delivered"
          style={{ width: `${pct(Math.max(0, delivered - confirmed - overdue))}%` }}
        />
        <span className="seg overdue" style={{ width: `${pct(overdue)}%` }} />
      </div>
      <p data-testid="progress-text">{text}</p>
    </div>
  );
}

function Instructions({ c, canAct }: { c: CaseView; canAct: boolean }) {
  const basisOf = (i: InstructionView): LegalBasis | undefined =>
    (c.orders.find((o) => o.instructionIds.includes(i.instructionId)) ?? c.orders[0])?.legalBasis;
  const sorted = [...c.instructions].sort((a, b) => a.hop - b.hop || a.bankId.localeCompare(b.bankId));
  return (
    <div className="table-wrap">
      <table className="instructions" data-testid="instructions">
        <caption>
          Instructions ({c.instructions.length}){' '}
          <CsvButton
            testId="csv-instructions"
            name={`case-${c.caseId}-instructions.csv`}
            header={[
              'instruction_id',
              'bank_id',
              'account_masked',
              'hop',
              'status',
              'late',
              ...moneyHeader('requested'),
              ...moneyHeader('frozen'),
              'dispatched_at',
              'deadline_at',
              'hold_until',
              'confirmed_at',
              'escalated_at',
            ]}
            rows={sorted.map((i) => [
              i.instructionId,
              i.bankId,
              maskAccount(i.accountNumber),
              i.hop,
              i.status,
              i.late ? 'yes' : 'no',
              ...moneyCells(i.requested),
              ...moneyCells(i.frozen),
              i.dispatchedAt,
              i.deadlineAt,
              i.holdUntil,
              i.confirmedAt,
              i.escalatedAt,
            ])}
          />
        </caption>
        <thead>
          <tr>
            <th scope="col">Bank</th>
            <th scope="col">Account</th>
            <th scope="col">Hop</th>
            <th scope="col">Status</th>
            <th scope="col">Requested</th>
            <th scope="col">Frozen (held)</th>
            <th scope="col">Deadline</th>
            <th scope="col">Hold until</th>
            {canAct ? <th scope="col">Actions</th> : null}
          </tr>
        </thead>
        <tbody>
          {sorted.map((i) => {
            const held = BigInt(i.frozen.minor) - BigInt(i.releasePending?.minor ?? '0');
            const basis = basisOf(i);
            return (
              <tr key={i.instructionId} data-testid={`instruction-${i.accountNumber}`} data-status={i.status}>
                <td>{i.bankId}</td>
                <td>{maskAccount(i.accountNumber)}</td>
                <td>{i.hop}</td>
                <td>
                  <StatusBadge status={i.status} />
                  {i.late ? <span className="badge warn">late</span> : null}
                  {i.escalatedAt ? <span className="badge bad">escalated</span> : null}
                </td>
                <td>
                  <Money value={i.requested} />
                </td>
                <td>
                  <Money value={i.frozen} />
                </td>
                <td>
                  {AWAITING.has(i.status) ? (
                    <Countdown iso={i.deadlineAt} label="deadline" />
                  ) : (
                    <span className="sub">
                      answered <LocalTime iso={i.confirmedAt} />
                    </span>
                  )}
                </td>
                <td data-testid={`hold-${i.accountNumber}`} data-hold-until={i.holdUntil ?? ''}>
                  {held > 0n ? (
                    <Countdown iso={i.holdUntil} label="hold until" />
                  ) : (
                    <LocalTime iso={i.holdUntil} />
                  )}
                </td>
                {canAct ? (
                  <td className="row-actions">
                    {basis ? (
                      <ExtendAction caseId={c.caseId} instruction={i} basis={basis} available={held > 0n} />
                    ) : null}
                    <ReleaseAction caseId={c.caseId} instruction={i} available={held > 0n} />
                    <RedeliverAction caseId={c.caseId} instruction={i} available={AWAITING.has(i.status)} />
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Releases({ c }: { c: CaseView }) {
  if (c.releases.length === 0) return null;
  const target = new Map(c.instructions.map((i) => [i.instructionId, i]));
  return (
    <div className="table-wrap">
      <table data-testid="releases">
        <caption>Releases ({c.releases.length})</caption>
        <thead>
          <tr>
            <th scope="col">Of</th>
            <th scope="col">Disposition</th>
            <th scope="col">Amount</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {c.releases.map((r) => {
            const of = target.get(r.releasesInstructionId ?? '');
            return (
              <tr key={r.instructionId}>
                <td>{of ? `${of.bankId} ${maskAccount(of.accountNumber)}` : r.releasesInstructionId}</td>
                <td>{r.disposition?.replace(/_/g, ' ')}</td>
                <td>
                  <Money value={r.requested} />
                </td>
                <td>
                  <StatusBadge status={r.status} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function CaseLive({ caseId }: { caseId: string }) {
  const { api, rememberCase } = useConsole();
  const { session } = useAuth();
  const canAct = session?.role === 'police';
  const caseQ = usePolledCase(caseId);
  const version = caseQ.data ? signature(caseQ.data) : '';
  const trailQ = useQuery({
    queryKey: ['trail', caseId, version],
    queryFn: async () =>
      (await call<TrailView>(api.GET('/cases/{caseId}/trail', { params: { path: { caseId } } }))).data,
    enabled: Boolean(caseQ.data),
    placeholderData: keepPreviousData,
  });
  const auditQ = useQuery({
    queryKey: ['audit', caseId, version],
    queryFn: async () =>
      (await call<AuditView>(api.GET('/cases/{caseId}/audit', { params: { path: { caseId } } }))).data,
    enabled: Boolean(caseQ.data),
    placeholderData: keepPreviousData,
  });
  // Latched on the first read (open when the case has no order yet), so an order that lands while
  // its answer was lost does not take the form, and its Retry button, away from the officer.
  const [showForm, setShowForm] = useState<boolean | undefined>();
  const [accepted, setAccepted] = useState<string | undefined>();
  const firstOrders = caseQ.data?.orders.length;
  useEffect(() => {
    if (firstOrders !== undefined) setShowForm((open) => open ?? firstOrders === 0);
  }, [firstOrders]);
  useEffect(() => {
    // The regulator room sums the cases opened this session (frozen against expired, released, restored).
    if (caseQ.data) rememberCase(caseId);
  }, [caseQ.data, caseId, rememberCase]);

  if (caseQ.isPending) return <Loading what={`case ${caseId}`} />;
  if (caseQ.isError) return <ErrorBox error={caseQ.error} what={`Case ${caseId}`} />;
  const c = caseQ.data;
  const formOpen = canAct && (showForm ?? c.orders.length === 0);
  return (
    <>
      <header className="case-head">
        <h1>
          Case {c.reference} <span className="sub">{c.caseId}</span>
        </h1>
        <p className="sub">
          opened <LocalTime iso={c.openedAt} /> · reported <LocalTime iso={c.reportedAt} /> · live (polling,
          backs off when quiet)
        </p>
        {c.summary ? <p>{c.summary}</p> : null}
      </header>
      <section className="card" aria-labelledby="totals-h">
        <h2 id="totals-h">Totals</h2>
        <Totals c={c} />
        {c.instructions.length > 0 ? <Progress list={c.instructions} /> : null}
      </section>
      {formOpen ? (
        <FreezeOrderForm
          caseId={caseId}
          onSubmitted={(orderId, count) => {
            setShowForm(false);
            setAccepted(`Order ${orderId} accepted: ${count} instruction(s).`);
          }}
        />
      ) : canAct ? (
        <p>
          <button type="button" onClick={() => setShowForm(true)}>
            New freeze order
          </button>
        </p>
      ) : null}
      <section className="card" aria-labelledby="instr-h">
        <h2 id="instr-h">Live view</h2>
        {accepted ? (
          <p role="status" className="ok" data-testid="order-accepted">
            {accepted}
          </p>
        ) : null}
        {c.instructions.length === 0 ? (
          <Empty>No instruction yet: submit a freeze order.</Empty>
        ) : (
          <Instructions c={c} canAct={canAct} />
        )}
        <Releases c={c} />
        {c.banksNotIntegrated.length > 0 ? (
          <p className="warn-text">
            Banks not integrated (money escaped there):{' '}
            {c.banksNotIntegrated.map((b) => `${b.bankId} ${maskAccount(b.accountNumber)}`).join(', ')}
          </p>
        ) : null}
      </section>
      <section className="card" aria-labelledby="trail-h">
        <h2 id="trail-h">Money trail</h2>
        {trailQ.isPending ? (
          <Loading what="the trail" />
        ) : trailQ.isError ? (
          <ErrorBox error={trailQ.error} what="Trail" />
        ) : trailQ.data.nodes.length === 0 ? (
          <Empty>No account on the trail yet.</Empty>
        ) : (
          <>
            <TrailGraph trail={trailQ.data} />
            <details>
              <summary>The trail as a list</summary>
              <TrailList trail={trailQ.data} />
            </details>
          </>
        )}
      </section>
      <section className="card" aria-labelledby="audit-h">
        <h2 id="audit-h">Audit</h2>
        {auditQ.isPending ? (
          <Loading what="the audit chain" />
        ) : auditQ.isError ? (
          <ErrorBox error={auditQ.error} what="Audit" />
        ) : (
          <AuditPanel audit={auditQ.data} />
        )}
      </section>
    </>
  );
}
