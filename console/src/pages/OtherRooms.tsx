import { type FormEvent, useId, useState } from 'react';
import { useLocation } from 'wouter';
import { useAuth } from '../auth.tsx';

/** The bank desk arrives with "Console II" (issue 15); the frame, sign-in and role routing are here. */
export function BankRoom() {
  const { session } = useAuth();
  return (
    <section className="card">
      <h1>Bank desk · {session?.bankId}</h1>
      <p className="state empty">The bank desk (inbox and confirmation form) is not built yet.</p>
    </section>
  );
}

/** The regulator room's charts arrive with "Console II"; a case can already be opened read only. */
export function RegulatorRoom() {
  const [, navigate] = useLocation();
  const [caseId, setCaseId] = useState('');
  const id = useId();
  function open(event: FormEvent) {
    event.preventDefault();
    if (caseId.trim()) navigate(`/cases/${encodeURIComponent(caseId.trim())}`);
  }
  return (
    <section className="card">
      <h1>Regulator room</h1>
      <p className="state empty">Totals, charts and the bank league table are not built yet.</p>
      <form onSubmit={open} className="inline">
        <label htmlFor={id}>Case id</label>
        <input id={id} value={caseId} onChange={(e) => setCaseId(e.target.value)} />
        <button type="submit">Open read only</button>
      </form>
    </section>
  );
}
