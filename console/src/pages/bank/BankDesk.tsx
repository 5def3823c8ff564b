import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import type { BankInstructionView } from '../../api/views.ts';
import { useAuth } from '../../auth.tsx';
import {
  Countdown,
  Empty,
  ErrorBox,
  Loading,
  LocalTime,
  Money,
  StatusBadge,
  useNow,
} from '../../components/common.tsx';
import { holdChange, inboxOrder, isOverdue, needsAction, useInbox } from './inbox.ts';

/** The bank desk's own tabs: inbox and registration. */
export function DeskNav() {
  const [location] = useLocation();
  const tabs = [
    {
      href: '/bank',
      label: 'Inbox',
      current: location === '/bank' || location.startsWith('/bank/instructions'),
    },
    { href: '/bank/registration', label: 'Registration', current: location === '/bank/registration' },
  ];
  return (
    <nav aria-label="Bank desk" className="subnav">
      {tabs.map((t) => (
        <Link key={t.href} href={t.href} aria-current={t.current ? 'page' : undefined}>
          {t.label}
        </Link>
      ))}
    </nav>
  );
}

type Filter = 'ACTION' | 'ALL' | string;

export function BankDesk() {
  const { session } = useAuth();
  const bankId = session?.bankId ?? '';
  const inbox = useInbox(bankId);
  const now = useNow();
  const [filter, setFilter] = useState<Filter>('ACTION');

  const items = inbox.data?.items ?? [];
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i.status, (counts.get(i.status) ?? 0) + 1);
  const actionCount = items.filter(needsAction).length;
  const filters: { value: Filter; label: string; count: number }[] = [
    { value: 'ACTION', label: 'Needs action', count: actionCount },
    { value: 'ALL', label: 'All', count: items.length },
    ...[...counts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([status, count]) => ({ value: status, label: status.replace(/_/g, ' '), count })),
  ];
  const shown = items
    .filter((i) => (filter === 'ACTION' ? needsAction(i) : filter === 'ALL' ? true : i.status === filter))
    .sort(inboxOrder);

  return (
    <>
      <h1>Bank desk · {bankId}</h1>
      <DeskNav />
      <section className="card" aria-labelledby="inbox-h">
        <h2 id="inbox-h">Inbox</h2>
        <p className="hint">
          Freeze instructions and releases for {bankId}, the ones waiting for your answer first, then by
          deadline. Refreshed every 5 s.
        </p>
        <fieldset className="filters">
          <legend>Show</legend>
          {filters.map((f) => (
            <label key={f.value} className="filter">
              <input
                type="radio"
                name="inbox-filter"
                value={f.value}
                checked={filter === f.value}
                data-testid={`filter-${f.value}`}
                onChange={() => setFilter(f.value)}
              />{' '}
              {f.label} ({f.count})
            </label>
          ))}
        </fieldset>
        {inbox.isPending ? (
          <Loading what="the inbox" />
        ) : inbox.isError ? (
          <ErrorBox error={inbox.error} what="Inbox" />
        ) : shown.length === 0 ? (
          <Empty>
            {items.length === 0
              ? 'The inbox is empty: no instruction for this bank yet.'
              : 'Nothing here with this filter.'}
          </Empty>
        ) : (
          <InboxTable bankId={bankId} list={shown} now={now} />
        )}
        {inbox.data?.truncated ? (
          <p className="warn-text">Only the first 2,000 instructions are listed.</p>
        ) : null}
      </section>
    </>
  );
}

function InboxTable({ bankId, list, now }: { bankId: string; list: BankInstructionView[]; now: number }) {
  return (
    <div className="table-wrap">
      <table data-testid="inbox">
        <caption>Instructions ({list.length})</caption>
        <thead>
          <tr>
            <th scope="col">Instruction</th>
            <th scope="col">Kind</th>
            <th scope="col">Status</th>
            <th scope="col">Account</th>
            <th scope="col">Amount</th>
            <th scope="col">Deadline</th>
            <th scope="col">Hold until</th>
          </tr>
        </thead>
        <tbody>
          {list.map((i) => {
            const overdue = isOverdue(i, now);
            const change = holdChange(bankId, i);
            return (
              <tr
                key={i.instructionId}
                data-testid={`inbox-row-${i.instructionId}`}
                data-status={i.status}
                className={overdue ? 'row-error' : undefined}
              >
                <td>
                  <Link href={`/bank/instructions/${encodeURIComponent(i.instructionId)}`}>
                    <code>{i.instructionId}</code>
                  </Link>
                  {needsAction(i) ? <span className="badge wait">needs action</span> : null}
                </td>
                <td>
                  {i.kind === 'RELEASE'
                    ? `RELEASE (${i.disposition?.replace(/_/g, ' ') ?? ''})`
                    : `FREEZE · hop ${i.hop}`}
                </td>
                <td>
                  <StatusBadge status={i.status} />
                  {overdue ? <span className="badge bad">overdue</span> : null}
                  {i.late ? <span className="badge warn">late</span> : null}
                </td>
                <td>{i.accountNumber}</td>
                <td>
                  <Money value={i.requested} />
                </td>
                <td>
                  {needsAction(i) ? (
                    <Countdown iso={i.deadlineAt} label="deadline" />
                  ) : (
                    <span className="sub">
                      answered <LocalTime iso={i.confirmedAt} />
                    </span>
                  )}
                </td>
                <td>
                  {BigInt(i.frozen.minor) > 0n ? (
                    <Countdown iso={i.holdUntil} label="hold until" />
                  ) : (
                    <LocalTime iso={i.holdUntil} />
                  )}
                  {change ? (
                    <span className="badge warn" data-testid={`hold-${change}-${i.instructionId}`}>
                      hold {change}
                    </span>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
