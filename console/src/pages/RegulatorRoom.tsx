import { useQueries, useQuery } from '@tanstack/react-query';
import { type FormEvent, useId, useMemo, useState } from 'react';
import { useLocation } from 'wouter';
import { currencyExponent, isKnownCurrency } from '../../../functions/domain/currencies.ts';
import { PeriodQuery } from '../../../functions/schemas/api.ts';
import { call } from '../api/client.ts';
import type { AuditView, BankPerformanceView, RegulatorTotalsView, TotalsView } from '../api/views.ts';
import { AuditPanel } from '../components/Audit.tsx';
import { type Bar, BarChart } from '../components/BarChart.tsx';
import { CsvButton } from '../components/CsvButton.tsx';
import { Empty, ErrorBox, Loading, Money } from '../components/common.tsx';
import { useConsole } from '../context.tsx';
import { type CsvCell, moneyCells, moneyHeader } from '../lib/csv.ts';
import { slowestBanks } from '../lib/league.ts';
import { formatMoney, type MoneyJson, minorToDecimal } from '../lib/money.ts';

interface Period {
  from?: string;
  to?: string;
  currency?: string;
}

const bar = (label: string, m: MoneyJson): Bar => ({
  label,
  value: isKnownCurrency(m.currency)
    ? Number(minorToDecimal(m.minor, currencyExponent(m.currency)))
    : Number(m.minor),
  text: formatMoney(m, 'en-US'),
});
const inCurrency = (list: readonly MoneyJson[], currency: string): MoneyJson => ({
  currency,
  minor: list
    .filter((m) => m.currency === currency)
    .reduce((s, m) => s + BigInt(m.minor), 0n)
    .toString(),
});

export function RegulatorRoom() {
  const { api } = useConsole();
  const [period, setPeriod] = useState<Period>({});
  const query = {
    ...(period.from ? { from: period.from } : {}),
    ...(period.to ? { to: period.to } : {}),
  };
  const totals = useQuery({
    queryKey: ['regulator-totals', period],
    queryFn: async () =>
      (
        await call<RegulatorTotalsView>(
          api.GET('/totals', {
            params: { query: { ...query, ...(period.currency ? { currency: period.currency } : {}) } },
          }),
        )
      ).data,
  });
  const league = useQuery({
    queryKey: ['bank-performance', period.from, period.to],
    queryFn: async () =>
      (await call<BankPerformanceView>(api.GET('/banks/performance', { params: { query } }))).data,
  });
  return (
    <>
      <h1>Regulator room</h1>
      <p className="hint">
        Read only: every figure comes from the public API, and every table exports as CSV.
      </p>
      <PeriodForm onApply={setPeriod} />
      <section className="card" aria-labelledby="tot-h">
        <h2 id="tot-h">Intercepted (frozen) funds confirmed in the period</h2>
        {totals.isPending ? (
          <Loading what="the totals" />
        ) : totals.isError ? (
          <ErrorBox error={totals.error} what="Totals" />
        ) : (
          <PeriodTotals t={totals.data} />
        )}
      </section>
      <section className="card" aria-labelledby="league-h">
        <h2 id="league-h">Bank league table</h2>
        {league.isPending ? (
          <Loading what="the league table" />
        ) : league.isError ? (
          <ErrorBox error={league.error} what="League table" />
        ) : (
          <League view={league.data} />
        )}
      </section>
      <SessionCases />
      <Drilldown />
    </>
  );
}

function PeriodForm({ onApply }: { onApply(p: Period): void }) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [currency, setCurrency] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const id = useId();
  function apply(event: FormEvent) {
    event.preventDefault();
    const p = {
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(currency.trim() ? { currency: currency.trim().toUpperCase() } : {}),
    };
    // The API's own query schema (functions/schemas/api.ts): the same refusals, before asking.
    const parsed = PeriodQuery.safeParse(p);
    if (!parsed.success) {
      setErrors(Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0] ?? 'from'), i.message])));
      return;
    }
    setErrors({});
    onApply(p);
  }
  const err = (name: string) =>
    errors[name] ? (
      <span className="field-error" id={`${id}-${name}-e`} data-testid={`error-${name}`}>
        {errors[name]}
      </span>
    ) : null;
  return (
    <form className="card inline period" onSubmit={apply} aria-label="Period" data-testid="period-form">
      <span className="field">
        <label htmlFor={`${id}-from`}>From (UTC day)</label>
        <input
          id={`${id}-from`}
          type="date"
          value={from}
          onChange={(e) => setFrom(e.target.value)}
          aria-invalid={Boolean(errors.from)}
          aria-describedby={errors.from ? `${id}-from-e` : undefined}
        />
        {err('from')}
      </span>
      <span className="field">
        <label htmlFor={`${id}-to`}>To (UTC day)</label>
        <input
          id={`${id}-to`}
          type="date"
          value={to}
          onChange={(e) => setTo(e.target.value)}
          aria-invalid={Boolean(errors.to)}
          aria-describedby={errors.to ? `${id}-to-e` : undefined}
        />
        {err('to')}
      </span>
      <span className="field">
        <label htmlFor={`${id}-cur`}>Currency (optional)</label>
        <input
          id={`${id}-cur`}
          value={currency}
          size={5}
          maxLength={3}
          onChange={(e) => setCurrency(e.target.value)}
          aria-invalid={Boolean(errors.currency)}
          aria-describedby={errors.currency ? `${id}-cur-e` : undefined}
        />
        {err('currency')}
      </span>
      <button type="submit">Show the period</button>
      <span className="sub">Empty: the last 30 days (the API's default).</span>
    </form>
  );
}

function PeriodTotals({ t }: { t: RegulatorTotalsView }) {
  const currencies = [...new Set([...t.overall.map((m) => m.currency)])].sort();
  const [picked, setPicked] = useState<string | undefined>();
  const chartCurrency = picked && currencies.includes(picked) ? picked : currencies[0];
  const id = useId();
  const byDayBars = useMemo(
    () => (chartCurrency ? t.byDay.map((d) => bar(d.day, inCurrency(d.frozen, chartCurrency))) : []),
    [t, chartCurrency],
  );
  const byBankBars = useMemo(
    () =>
      chartCurrency
        ? t.byBank
            .map((b) => bar(b.bankId, inCurrency(b.frozen, chartCurrency)))
            .filter((b) => b.value > 0)
            .sort((a, b) => b.value - a.value)
        : [],
    [t, chartCurrency],
  );
  const period = [t.from, t.to];
  return (
    <>
      <p data-testid="period">
        From <strong>{t.from}</strong> to <strong>{t.to}</strong> (UTC days, both included)
        {t.currency ? `, ${t.currency} only` : ''}.
      </p>
      {t.overall.length === 0 ? (
        <Empty>Nothing was frozen in this period.</Empty>
      ) : (
        <>
          <div className="table-wrap">
            <table data-testid="totals-overall">
              <caption>
                Overall, per currency{' '}
                <CsvButton
                  testId="csv-overall"
                  name={`frozen-overall-${t.from}-${t.to}.csv`}
                  header={['period_from', 'period_to', ...moneyHeader('frozen')]}
                  rows={t.overall.map((m) => [...period, ...moneyCells(m)])}
                />
              </caption>
              <thead>
                <tr>
                  <th scope="col">Currency</th>
                  <th scope="col">Frozen</th>
                  <th scope="col">Minor units</th>
                </tr>
              </thead>
              <tbody>
                {t.overall.map((m) => (
                  <tr key={m.currency} data-testid={`overall-${m.currency}`}>
                    <td>{m.currency}</td>
                    <td>
                      <Money value={m} />
                    </td>
                    <td className="num">{m.minor}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {currencies.length > 1 ? (
            <p className="inline">
              <label htmlFor={`${id}-cc`}>Charts in</label>
              <select id={`${id}-cc`} value={chartCurrency} onChange={(e) => setPicked(e.target.value)}>
                {currencies.map((c) => (
                  <option key={c}>{c}</option>
                ))}
              </select>
            </p>
          ) : null}
          {chartCurrency ? (
            <div className="charts">
              <BarChart
                testId="chart-by-day"
                title={`Frozen by day, ${chartCurrency}`}
                description={`Bars per UTC day from ${t.from} to ${t.to}; days with nothing frozen are left out.`}
                bars={byDayBars}
                unit={chartCurrency}
                labelName="Day"
              />
              <BarChart
                testId="chart-by-bank"
                title={`Frozen by bank, ${chartCurrency}`}
                description="Horizontal bars per bank, largest first."
                bars={byBankBars}
                unit={chartCurrency}
                labelName="Bank"
                horizontal
              />
            </div>
          ) : null}
          <MoneyTable
            testId="totals-by-day"
            caption="By day"
            keyName="Day"
            csvKey="day"
            csvName={`frozen-by-day-${t.from}-${t.to}.csv`}
            rows={t.byDay.map((d) => ({ key: d.day, amounts: d.frozen }))}
          />
          <MoneyTable
            testId="totals-by-bank"
            caption="By bank"
            keyName="Bank"
            csvKey="bank_id"
            csvName={`frozen-by-bank-${t.from}-${t.to}.csv`}
            rows={t.byBank.map((b) => ({ key: b.bankId, amounts: b.frozen }))}
          />
        </>
      )}
    </>
  );
}

function MoneyTable(props: {
  testId: string;
  caption: string;
  keyName: string;
  csvKey: string;
  csvName: string;
  rows: { key: string; amounts: MoneyJson[] }[];
}) {
  const flat = props.rows.flatMap((r) => r.amounts.map((m) => ({ key: r.key, m })));
  return (
    <div className="table-wrap">
      <table data-testid={props.testId}>
        <caption>
          {props.caption}{' '}
          <CsvButton
            testId={`csv-${props.testId}`}
            name={props.csvName}
            header={[props.csvKey, ...moneyHeader('frozen')]}
            rows={flat.map(({ key, m }) => [key, ...moneyCells(m)])}
          />
        </caption>
        <thead>
          <tr>
            <th scope="col">{props.keyName}</th>
            <th scope="col">Frozen</th>
            <th scope="col">Minor units</th>
          </tr>
        </thead>
        <tbody>
          {flat.map(({ key, m }) => (
            <tr key={`${key}/${m.currency}`}>
              <td>{key}</td>
              <td>
                <Money value={m} />
              </td>
              <td className="num">{m.minor}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type SortKey = 'bankId' | 'received' | 'confirmed' | 'medianSeconds' | 'p90Seconds' | 'overdue' | 'late';
const columns: { key: SortKey; label: string }[] = [
  { key: 'bankId', label: 'Bank' },
  { key: 'received', label: 'Received' },
  { key: 'confirmed', label: 'Confirmed' },
  { key: 'medianSeconds', label: 'Median s' },
  { key: 'p90Seconds', label: 'p90 s' },
  { key: 'overdue', label: 'Overdue' },
  { key: 'late', label: 'Late' },
];

function League({ view }: { view: BankPerformanceView }) {
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'p90Seconds', dir: -1 });
  const slow = slowestBanks(view.banks);
  const rows = [...view.banks].sort((a, b) => {
    const x = a[sort.key];
    const y = b[sort.key];
    // A bank with nothing timed sorts last either way.
    if (x === null || y === null) return x === y ? a.bankId.localeCompare(b.bankId) : x === null ? 1 : -1;
    const c = typeof x === 'string' ? x.localeCompare(String(y)) : x - Number(y);
    return c * sort.dir || a.bankId.localeCompare(b.bankId);
  });
  if (view.banks.length === 0) return <Empty>No bank received an instruction in this period.</Empty>;
  const csvRows: CsvCell[][] = view.banks.flatMap((b) => {
    const base: CsvCell[] = [
      view.from,
      view.to,
      b.bankId,
      b.received,
      b.confirmed,
      b.medianSeconds,
      b.p90Seconds,
      b.overdue,
      b.late,
      slow.has(b.bankId) ? 'yes' : 'no',
    ];
    return b.held.length === 0
      ? [[...base, ...moneyCells(undefined)]]
      : b.held.map((m) => [...base, ...moneyCells(m)]);
  });
  return (
    <>
      <p className="hint">
        {view.from} to {view.to}: seconds from delivery to confirmation. Flagged slowest: the quarter of the
        banks (at least one) with the highest p90. Click a column to sort.
      </p>
      <div className="table-wrap">
        <table data-testid="league">
          <caption>
            Banks ({view.banks.length}){' '}
            <CsvButton
              testId="csv-league"
              name={`bank-league-${view.from}-${view.to}.csv`}
              header={[
                'period_from',
                'period_to',
                'bank_id',
                'received',
                'confirmed',
                'median_seconds',
                'p90_seconds',
                'overdue',
                'late',
                'slowest',
                ...moneyHeader('held_now'),
              ]}
              rows={csvRows}
            />
          </caption>
          <thead>
            <tr>
              {columns.map((c) => (
                <th
                  key={c.key}
                  scope="col"
                  aria-sort={sort.key === c.key ? (sort.dir === 1 ? 'ascending' : 'descending') : undefined}
                >
                  <button
                    type="button"
                    className="sort"
                    onClick={() =>
                      setSort((s) => ({
                        key: c.key,
                        dir: s.key === c.key ? (s.dir === 1 ? -1 : 1) : c.key === 'bankId' ? 1 : -1,
                      }))
                    }
                  >
                    {c.label}
                    <span aria-hidden="true">{sort.key === c.key ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}</span>
                  </button>
                </th>
              ))}
              <th scope="col">Held now</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((b) => (
              <tr
                key={b.bankId}
                data-testid={`league-${b.bankId}`}
                className={slow.has(b.bankId) ? 'row-flag' : undefined}
              >
                <td>
                  {b.bankId}
                  {slow.has(b.bankId) ? (
                    <span className="badge bad" data-testid={`slow-${b.bankId}`}>
                      slowest
                    </span>
                  ) : null}
                  {b.overdue > 0 ? <span className="badge warn">overdue</span> : null}
                </td>
                <td className="num">{b.received}</td>
                <td className="num">{b.confirmed}</td>
                <td className="num">{b.medianSeconds ?? '–'}</td>
                <td className="num">{b.p90Seconds ?? '–'}</td>
                <td className="num">{b.overdue}</td>
                <td className="num">{b.late}</td>
                <td>
                  {b.held.length === 0
                    ? '–'
                    : b.held.map((m) => (
                        <div key={m.currency}>
                          <Money value={m} />
                        </div>
                      ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/**
 * Frozen against expired, released and restored. `GET /totals` counts only what was frozen in a
 * period (API.md), so the four buckets come from the cases' own totals: those opened in this room.
 */
function SessionCases() {
  const { api, knownCases } = useConsole();
  const results = useQueries({
    queries: knownCases.map((caseId) => ({
      queryKey: ['case-totals', caseId],
      queryFn: async () =>
        (await call<TotalsView>(api.GET('/cases/{caseId}/totals', { params: { path: { caseId } } }))).data,
    })),
  });
  const loaded = results.flatMap((r) => (r.data ? [r.data] : []));
  const pending = results.some((r) => r.isPending);
  const failed = results.flatMap((r, n) => (r.isError ? [knownCases[n]] : []));
  const buckets = ['frozen', 'expired', 'released', 'restored'] as const;
  const currencies = [
    ...new Set(loaded.flatMap((t) => buckets.flatMap((b) => t[b].map((m) => m.currency)))),
  ].sort();
  const sums = currencies.map((currency) => ({
    currency,
    ...Object.fromEntries(
      buckets.map((b) => [
        b,
        inCurrency(
          loaded.flatMap((t) => t[b]),
          currency,
        ),
      ]),
    ),
  })) as ({ currency: string } & Record<(typeof buckets)[number], MoneyJson>)[];
  const first = sums[0];
  return (
    <section className="card" aria-labelledby="fvs-h">
      <h2 id="fvs-h">Frozen against expired, released and restored</h2>
      <p className="hint">
        Over the cases opened in this room in this session ({knownCases.length}). The API's period totals
        count what was frozen only; these four come from each case's totals.
      </p>
      {knownCases.length === 0 ? (
        <Empty>Open a case below to include it here.</Empty>
      ) : pending ? (
        <Loading what="the cases' totals" />
      ) : (
        <>
          {failed.length > 0 ? (
            <p className="warn-text">Left out (not readable): {failed.join(', ')}</p>
          ) : null}
          <div className="table-wrap">
            <table data-testid="case-buckets">
              <caption>
                Per currency{' '}
                <CsvButton
                  testId="csv-case-buckets"
                  name="cases-frozen-expired-released-restored.csv"
                  header={['cases', ...buckets.flatMap((b) => moneyHeader(b))]}
                  rows={sums.map((s) => [knownCases.join(' '), ...buckets.flatMap((b) => moneyCells(s[b]))])}
                />
              </caption>
              <thead>
                <tr>
                  <th scope="col">Currency</th>
                  <th scope="col">Held now (frozen)</th>
                  <th scope="col">Expired</th>
                  <th scope="col">Released to holder</th>
                  <th scope="col">Restored to victim</th>
                </tr>
              </thead>
              <tbody>
                {sums.map((s) => (
                  <tr key={s.currency}>
                    <td>{s.currency}</td>
                    {buckets.map((b) => (
                      <td key={b}>
                        <Money value={s[b]} />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {first ? (
            <BarChart
              testId="chart-buckets"
              title={`Frozen against expired, released and restored, ${first.currency}`}
              description="Four bars: still held, lapsed, released to the holder, restored to the victim."
              bars={[
                bar('held now', first.frozen),
                bar('expired', first.expired),
                bar('released', first.released),
                bar('restored', first.restored),
              ]}
              unit={first.currency}
              labelName="Bucket"
            />
          ) : null}
        </>
      )}
    </section>
  );
}

function Drilldown() {
  const [, navigate] = useLocation();
  const { api } = useConsole();
  const [caseId, setCaseId] = useState('');
  const [auditId, setAuditId] = useState('');
  const [checked, setChecked] = useState<string | undefined>();
  const id = useId();
  const audit = useQuery({
    queryKey: ['audit-check', checked],
    enabled: Boolean(checked),
    queryFn: async () =>
      (
        await call<AuditView>(
          api.GET('/cases/{caseId}/audit', { params: { path: { caseId: checked ?? '' } } }),
        )
      ).data,
  });
  function open(event: FormEvent) {
    event.preventDefault();
    const value = caseId.trim();
    if (!value) return;
    navigate(`/cases/${encodeURIComponent(value)}`);
  }
  function check(event: FormEvent) {
    event.preventDefault();
    if (auditId.trim()) setChecked(auditId.trim());
  }
  return (
    <section className="card" aria-labelledby="drill-h">
      <h2 id="drill-h">A case</h2>
      <form onSubmit={open} className="inline">
        <label htmlFor={`${id}-case`}>Case id</label>
        <input id={`${id}-case`} value={caseId} onChange={(e) => setCaseId(e.target.value)} />
        <button type="submit">Open read only</button>
      </form>
      <form onSubmit={check} className="inline">
        <label htmlFor={`${id}-audit`}>Audit check of case</label>
        <input id={`${id}-audit`} value={auditId} onChange={(e) => setAuditId(e.target.value)} />
        <button type="submit">Check the audit chain</button>
      </form>
      {checked ? (
        audit.isPending ? (
          <Loading what={`the audit chain of ${checked}`} />
        ) : audit.isError ? (
          <ErrorBox error={audit.error} what={`Audit of ${checked}`} />
        ) : (
          <div data-testid="audit-check">
            <p>
              Case <code>{checked}</code>:{' '}
              <strong>{audit.data.verified ? 'the chain is verified' : 'the chain does NOT verify'}</strong>
              {audit.data.pending ? ` (${audit.data.pending} change(s) not chained yet)` : ''}.{' '}
            </p>
            <AuditPanel audit={audit.data} />
          </div>
        )
      ) : null}
    </section>
  );
}
