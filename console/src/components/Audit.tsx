import type { AuditView } from '../api/views.ts';
import { CsvButton } from './CsvButton.tsx';
import { LocalTime } from './common.tsx';

export function AuditPanel({ audit }: { audit: AuditView }) {
  return (
    <div data-testid="audit-panel">
      <dl className="kv">
        <dt>Chain</dt>
        <dd>
          {audit.verified ? (
            <span className="badge good" data-testid="audit-verified">
              verified
            </span>
          ) : (
            <span className="badge bad" data-testid="audit-verified">
              NOT verified
            </span>
          )}
        </dd>
        <dt>Events</dt>
        <dd data-testid="audit-count">{audit.events.length}</dd>
        <dt>Pending (not chained yet)</dt>
        <dd>{audit.pending ?? 0}</dd>
        <dt>First bad seq</dt>
        <dd data-testid="audit-first-bad">{audit.firstBadSeq ?? 'none'}</dd>
        <dt>Head</dt>
        <dd>
          <code className="hash">{audit.head ?? '–'}</code>
        </dd>
      </dl>
      <CsvButton
        testId="csv-audit"
        name="audit-events.csv"
        header={['seq', 'at', 'actor', 'action', 'subject', 'prev_hash', 'hash']}
        rows={audit.events.map((e) => [e.seq, e.at, e.actor, e.action, e.subject, e.prevHash, e.hash])}
      />
      <details>
        <summary>Events ({audit.events.length})</summary>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Seq</th>
                <th scope="col">At</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Subject</th>
                <th scope="col">Hash</th>
              </tr>
            </thead>
            <tbody>
              {audit.events.map((e) => (
                <tr key={e.seq} className={audit.firstBadSeq === e.seq ? 'row-error' : undefined}>
                  <td>{e.seq}</td>
                  <td>
                    <LocalTime iso={e.at} />
                  </td>
                  <td>{e.actor}</td>
                  <td>{e.action}</td>
                  <td>{e.subject}</td>
                  <td>
                    <code className="hash">{e.hash.slice(0, 12)}…</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}
