/**
 * The audit of a case after a fault, through the API only (GET /cases/{id}, /totals, /trail, /audit,
 * /banks/{id}), printed as one line per fault and appended to .faults/figures.txt:
 *
 *   fault <name>: instructions N, lost N, stuck N, double-counted N, totals exact yes|no,
 *   audit verified yes|no, 500s N
 *
 * - lost: an ordered instruction missing from the case; an onward transfer of an accepted
 *   confirmation with no trail edge; a followed edge whose follow-on instruction does not exist; an
 *   instruction at one of the suite's push banks that never got a delivery answered 2xx (unless the
 *   test says that bank was meant not to take it);
 * - stuck: an instruction not at an end (a confirmation, EXPIRED, RELEASED) and not escalated, past
 *   its due time + 30 s: PENDING/DISPATCHED past deadlineAt (createdAt + SLA before a delivery),
 *   OVERDUE past its reminder's deadline, DISPATCH_FAILED at all (it is escalated at once); and a
 *   hold (money still frozen) past holdUntil + 30 s, or with no holdUntil 30 s after it was confirmed;
 * - double-counted: an instruction whose ever-frozen amount (frozen + released + expired) is more
 *   than its accepted confirmations froze, plus one if the case's totals exceed their sum;
 * - totals exact: GET /cases/{id}/totals equals what GET /cases/{id} adds up to (every bucket, every
 *   status count);
 * - audit verified: GET /cases/{id}/audit says `verified` (repeated while it reports `pending`);
 * - 500s: answers ≥ 500 other than 503 that the suite's client saw.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AuditView,
  admin,
  type CaseView,
  type FaultApi,
  type InstructionView,
  police,
  sleep,
  type TotalsView,
  type TrailView,
} from './api.ts';
import type { ConfirmClient } from './confirm-client.ts';
import type { FaultBank } from './fault-bank.ts';
import { FAULTS_DIR } from './server-process.ts';

export const GRACE_MS = 30_000;
const CONFIRMED = new Set([
  'FROZEN',
  'PARTIALLY_FROZEN',
  'FUNDS_MOVED',
  'CASH_WITHDRAWN',
  'ACCOUNT_NOT_FOUND',
  'REJECTED',
]);
const ENDS = new Set([...CONFIRMED, 'EXPIRED', 'RELEASED']);

export interface Figures {
  fault: string;
  instructions: number;
  lost: number;
  stuck: number;
  doubleCounted: number;
  totalsExact: boolean;
  auditVerified: boolean;
  serverErrors: number;
  /** One line per finding, for the failure message. */
  details: string[];
}

export interface CaseExpectations {
  /** Instruction ids the test ordered (answered 202). */
  ordered: string[];
  /** Every confirmation of the case went through these clients (their ledgers are the truth). */
  confirmations: ConfirmClient[];
  /** Push banks of the suite: every instruction at a bank they serve must have been delivered. */
  banks?: FaultBank[];
  /** Instructions that are not expected to have had a delivery answered 2xx (the test says why). */
  notDelivered?: Iterable<string>;
  /** SLA of each bank as the test registered it (else read from GET /banks/{bankId}). */
  slaSeconds?: Record<string, number>;
  /** Judge as of this time (epoch ms); now by default. */
  at?: number;
}

const minor = (m: { minor: string } | undefined) => BigInt(m?.minor ?? '0');
const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : Number.NaN);

function sumBy(
  list: InstructionView[],
  amount: (i: InstructionView) => { currency: string; minor: string } | undefined,
) {
  const sums = new Map<string, bigint>();
  for (const i of list) {
    const a = amount(i);
    if (!a) continue;
    sums.set(a.currency, (sums.get(a.currency) ?? 0n) + BigInt(a.minor));
  }
  return sums;
}

function bucket(list: { currency: string; minor: string }[]): Map<string, bigint> {
  return new Map(list.map((m) => [m.currency, BigInt(m.minor)]));
}

function sameAmounts(a: Map<string, bigint>, b: Map<string, bigint>): boolean {
  for (const c of new Set([...a.keys(), ...b.keys()]))
    if ((a.get(c) ?? 0n) !== (b.get(c) ?? 0n)) return false;
  return true;
}

const show = (m: Map<string, bigint>) => [...m].map(([c, v]) => `${c} ${v}`).join(', ') || '0';

export async function caseFigures(
  api: FaultApi,
  fault: string,
  caseId: string,
  expectations: CaseExpectations,
): Promise<Figures> {
  const at = expectations.at ?? Date.now();
  const details: string[] = [];
  const view = await api.expect<CaseView>(200, 'GET', `/cases/${caseId}`, { as: police });
  // The case answer carries its totals from the same read (docs/api.md: totals reflect every change
  // visible in GET /cases/{caseId}); a separate GET /totals taken a moment later may already count an
  // instruction the case answer still shows in its previous status (follow-ons being delivered).
  const totals =
    (view as { totals?: TotalsView | null }).totals ??
    (await api.expect<TotalsView>(200, 'GET', `/cases/${caseId}/totals`, { as: police }));
  const trail = await api.expect<TrailView>(200, 'GET', `/cases/${caseId}/trail`, { as: police });
  const freezes = view.instructions;
  const byId = new Map(freezes.map((i) => [i.instructionId, i]));
  const all = [...freezes, ...view.releases];
  const allIds = new Set(all.map((i) => i.instructionId));

  // SLA of each bank (GET /banks/{id} as admin): the due time of an instruction not yet delivered.
  const sla = new Map<string, number>();
  for (const bankId of new Set(all.map((i) => i.bankId))) {
    const known = expectations.slaSeconds?.[bankId];
    if (known !== undefined) {
      sla.set(bankId, known);
      continue;
    }
    const bank = await api.request<{ slaSeconds: number }>('GET', `/banks/${bankId}`, { as: admin });
    sla.set(bankId, bank.status === 200 ? bank.body.slaSeconds : 0);
  }

  /* lost */
  let lost = 0;
  for (const id of expectations.ordered) {
    if (!byId.has(id)) {
      lost++;
      details.push(`lost: ordered instruction ${id} is not in the case`);
    }
  }
  for (const client of expectations.confirmations) {
    for (const a of client.accepted.values()) {
      if (a.transfers === 0 || !byId.has(a.instructionId)) continue;
      const edges = trail.edges.filter((e) => e.fromInstructionId === a.instructionId).length;
      if (edges < a.transfers) {
        lost += a.transfers - edges;
        details.push(
          `lost: ${a.instructionId} confirmed ${a.transfers} transfer(s), trail has ${edges} edge(s)`,
        );
      }
    }
  }
  for (const e of trail.edges) {
    if (e.followed && (!e.toInstructionId || !allIds.has(e.toInstructionId))) {
      lost++;
      details.push(
        `lost: followed edge ${e.fromInstructionId} → ${e.toBankId}/${e.toAccount} has no instruction`,
      );
    }
  }
  const exempt = new Set(expectations.notDelivered ?? []);
  for (const i of all) {
    const bank = expectations.banks?.find((b) => b.serves(i.bankId));
    if (!bank || exempt.has(i.instructionId)) continue;
    const kind = i.kind === 'RELEASE' ? 'RELEASE' : 'FREEZE';
    if (!bank.delivered(i.instructionId, kind)) {
      lost++;
      details.push(`lost: ${kind} of ${i.instructionId} (${i.status}) never delivered to ${i.bankId}`);
    }
  }

  /* stuck */
  let stuck = 0;
  for (const i of all) {
    const slaMs = (sla.get(i.bankId) ?? 0) * 1000;
    const held = CONFIRMED.has(i.status) && minor(i.frozen) > 0n;
    let due = Number.NaN;
    if (held) {
      due = i.holdUntil ? ms(i.holdUntil) : ms(i.confirmedAt);
    } else if (!ENDS.has(i.status) && !i.escalatedAt) {
      const deadline = Number.isNaN(ms(i.deadlineAt)) ? ms(i.createdAt) + slaMs : ms(i.deadlineAt);
      if (i.status === 'OVERDUE') due = (Number.isNaN(ms(i.overdueAt)) ? deadline : ms(i.overdueAt)) + slaMs;
      else if (i.status === 'DISPATCH_FAILED')
        due = Number.isNaN(ms(i.deadlineAt)) ? ms(i.createdAt) : deadline;
      else due = deadline;
    }
    if (!Number.isNaN(due) && at > due + GRACE_MS) {
      stuck++;
      details.push(
        `stuck: ${i.instructionId} ${i.status}${held ? ` holding ${i.frozen.minor}` : ''}, due ${new Date(due).toISOString()}, ${Math.round((at - due) / 1000)} s ago (holdUntil ${i.holdUntil}, escalatedAt ${i.escalatedAt})`,
      );
    }
  }

  /* double-counted */
  let doubleCounted = 0;
  const confirmedFrozen = new Map<string, bigint>();
  for (const client of expectations.confirmations)
    for (const [id, sum] of client.frozenByInstruction())
      confirmedFrozen.set(id, (confirmedFrozen.get(id) ?? 0n) + sum);
  let ledgerTotal = 0n;
  for (const v of confirmedFrozen.values()) ledgerTotal += v;
  for (const i of freezes) {
    const ever = minor(i.frozen) + minor(i.released) + minor(i.expired);
    const confirmed = confirmedFrozen.get(i.instructionId) ?? 0n;
    if (ever > confirmed) {
      doubleCounted++;
      details.push(
        `double-counted: ${i.instructionId} counts ${ever}, its accepted confirmations froze ${confirmed}`,
      );
    }
  }
  let totalsEver = 0n;
  for (const b of [totals.frozen, totals.expired, totals.released, totals.restored])
    for (const m of b) totalsEver += BigInt(m.minor);
  if (totalsEver > ledgerTotal) {
    doubleCounted = Math.max(doubleCounted, 1);
    details.push(
      `double-counted: the totals hold ${totalsEver} ever frozen, the confirmations ${ledgerTotal}`,
    );
  }

  /* totals exact: the totals item against the sum of the case's instructions */
  const checks: [string, Map<string, bigint>, Map<string, bigint>][] = [
    ['frozen', bucket(totals.frozen), sumBy(freezes, (i) => i.frozen)],
    ['expired', bucket(totals.expired), sumBy(freezes, (i) => i.expired)],
  ];
  const releasedOrRestored = bucket(totals.released);
  for (const [c, v] of bucket(totals.restored))
    releasedOrRestored.set(c, (releasedOrRestored.get(c) ?? 0n) + v);
  checks.push(['released + restored', releasedOrRestored, sumBy(freezes, (i) => i.released)]);
  const restoredByReleases = sumBy(
    view.releases.filter((r) => r.disposition === 'RETURN_TO_VICTIM' && r.status === 'RELEASED'),
    (r) => r.requested,
  );
  checks.push(['restored', bucket(totals.restored), restoredByReleases]);
  let totalsExact = true;
  for (const [name, stored, recomputed] of checks) {
    if (!sameAmounts(stored, recomputed)) {
      totalsExact = false;
      details.push(`totals: ${name} is ${show(stored)}, the instructions add up to ${show(recomputed)}`);
    }
  }
  const counts = new Map<string, number>();
  for (const i of freezes) counts.set(i.status, (counts.get(i.status) ?? 0) + 1);
  for (const s of new Set([...counts.keys(), ...Object.keys(totals.instructions)])) {
    if ((totals.instructions[s] ?? 0) !== (counts.get(s) ?? 0)) {
      totalsExact = false;
      details.push(
        `totals: ${s} counted ${totals.instructions[s] ?? 0}, the case lists ${counts.get(s) ?? 0}`,
      );
    }
  }

  /* audit */
  let audit = await api.expect<AuditView>(200, 'GET', `/cases/${caseId}/audit`, { as: police });
  for (let i = 0; i < 20 && (audit.pending ?? 0) > 0; i++) {
    await sleep(250);
    audit = await api.expect<AuditView>(200, 'GET', `/cases/${caseId}/audit`, { as: police });
  }
  if (!audit.verified) details.push(`audit: verified false, firstBadSeq ${audit.firstBadSeq}`);

  for (const e of api.serverErrors)
    details.push(`500s: ${e.method} ${e.path} → ${e.status} ${JSON.stringify(e.body)}`);

  return {
    fault,
    instructions: all.length,
    lost,
    stuck,
    doubleCounted,
    totalsExact,
    auditVerified: audit.verified,
    serverErrors: api.serverErrors.length,
    details,
  };
}

/** Several cases of one fault as one line (counts added, booleans and-ed). */
export function combine(fault: string, parts: Figures[]): Figures {
  return {
    fault,
    instructions: parts.reduce((n, f) => n + f.instructions, 0),
    lost: parts.reduce((n, f) => n + f.lost, 0),
    stuck: parts.reduce((n, f) => n + f.stuck, 0),
    doubleCounted: parts.reduce((n, f) => n + f.doubleCounted, 0),
    totalsExact: parts.every((f) => f.totalsExact),
    auditVerified: parts.every((f) => f.auditVerified),
    // Every part reads the same client's count: the largest is the fault's.
    serverErrors: Math.max(0, ...parts.map((f) => f.serverErrors)),
    details: parts.flatMap((f) => f.details),
  };
}

export const yesNo = (b: boolean) => (b ? 'yes' : 'no');

export function figuresLine(f: Figures): string {
  return `fault ${f.fault}: instructions ${f.instructions}, lost ${f.lost}, stuck ${f.stuck}, double-counted ${f.doubleCounted}, totals exact ${yesNo(f.totalsExact)}, audit verified ${yesNo(f.auditVerified)}, 500s ${f.serverErrors}`;
}

export const FIGURES_FILE = join(FAULTS_DIR, 'figures.txt');

/** Prints the line (and the findings) and appends the line to .faults/figures.txt. */
export function report(f: Figures, extra?: string): string {
  const line = figuresLine(f);
  mkdirSync(FAULTS_DIR, { recursive: true });
  appendFileSync(FIGURES_FILE, `${new Date().toISOString()} ${line}${extra ? ` (${extra})` : ''}\n`);
  console.log([line, ...(extra ? [`  ${extra}`] : []), ...f.details.map((d) => `  ${d}`)].join('\n'));
  return line;
}

/** The verdict every fault test ends with: nothing lost, stuck or double-counted, no 500. */
export function failures(f: Figures): string[] {
  const bad: string[] = [];
  if (f.lost) bad.push(`lost ${f.lost}`);
  if (f.stuck) bad.push(`stuck ${f.stuck}`);
  if (f.doubleCounted) bad.push(`double-counted ${f.doubleCounted}`);
  if (!f.totalsExact) bad.push('totals not exact');
  if (!f.auditVerified) bad.push('audit not verified');
  if (f.serverErrors) bad.push(`500s ${f.serverErrors}`);
  return bad.length ? [`${figuresLine(f)}`, ...f.details] : [];
}
