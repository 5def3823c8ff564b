import { describe, expect, it } from 'vitest';
import {
  auditedAt,
  type CaseView,
  cny,
  getCase,
  hoursOf,
  openCaseWithOrder,
  sleep,
  until,
} from './support/api.ts';
import { ConfirmClient, runConcurrently } from './support/confirm-client.ts';
import { useFaultSystem, verdict } from './support/fault-system.ts';
import { caseFigures, failures, report } from './support/figures.ts';

/**
 * Issue 10 §4 and docs/api.md "Holds and releases", "Running it locally": deadlines and hold expiries
 * are kept without a restart (EXPIRED within 5 s of holdUntil) and carried on after one (within 30 s
 * of /health 200): an instruction left DISPATCHED past its deadline becomes OVERDUE (then reminder
 * and escalation), a confirmed hold whose holdUntil passed while the server was down expires.
 */
const sys = useFaultSystem('restart-timers', [
  { bankId: 'SILENT', slaSeconds: 6 },
  { bankId: 'KEEPS', slaSeconds: 300 },
]);
const GRACE_MS = 30_000;
const ACCOUNTS = 4;

const fmt = (ms: number) => (Number.isNaN(ms) ? 'never' : `${(ms / 1000).toFixed(1)} s`);

/** Polls the case; first time each instruction met `done` (epoch ms; NaN if never before `byMs`). */
async function firstSeen(
  caseId: string,
  ids: string[],
  done: (i: CaseView['instructions'][number]) => boolean,
  byMs: number,
) {
  const seen = new Map<string, number>();
  await until(
    'instructions to move on',
    async () => {
      const now = Date.now();
      for (const i of (await getCase(sys.api, caseId)).instructions)
        if (!seen.has(i.instructionId) && done(i)) seen.set(i.instructionId, now);
      return seen.size === ids.length || now > byMs ? true : undefined;
    },
    Math.max(1_000, byMs - Date.now() + 5_000),
    250,
  );
  return ids.map((id) => seen.get(id) ?? Number.NaN);
}

async function heldCase(reference: string, holdSeconds: number) {
  const { api, bank } = sys;
  const targets = Array.from({ length: ACCOUNTS }, (_, i) => ({
    bankId: 'KEEPS',
    accountNumber: `${reference}-${i}`,
    minor: 120_000n,
  }));
  const { caseId, instructionIds } = await openCaseWithOrder(api, reference, targets, hoursOf(holdSeconds));
  await until(
    'FREEZE deliveries',
    () => (instructionIds.every((id) => bank.delivered(id)) ? true : undefined),
    30_000,
  );
  const client = new ConfirmClient(api, 'KEEPS');
  await runConcurrently(instructionIds, ACCOUNTS, (id) =>
    client.confirm(id, { confirmationId: `held-${id}`, result: 'ACTIONED', frozen: cny(120_000n) }),
  );
  return { caseId, instructionIds, client };
}

describe('deadlines and holds, with and without a restart', () => {
  it('without a restart, holds expire within 5 s of holdUntil', async () => {
    const { caseId, instructionIds, client } = await heldCase('EXPIRE-LIVE', 6);
    const view = await getCase(sys.api, caseId);
    const holdUntil = instructionIds.map((id) =>
      Date.parse(view.instructions.find((i) => i.instructionId === id)?.holdUntil ?? ''),
    );
    const last = Math.max(...holdUntil.filter((t) => !Number.isNaN(t)), Date.now());
    const seen = await firstSeen(caseId, instructionIds, (i) => i.status === 'EXPIRED', last + GRACE_MS);
    // The expiry's own time is its audit event's; a poll sees it later (by more on a loaded machine).
    const recorded = await auditedAt(sys.api, caseId, 'HOLD_EXPIRED', instructionIds);
    const offsets = recorded.map((r, k) => r.at - holdUntil[k]!);
    const seenAfter = seen.map((t, k) => t - holdUntil[k]!);
    const figures = await caseFigures(sys.api, 'hold-expiry-no-restart', caseId, {
      ordered: instructionIds,
      confirmations: [client],
      banks: [sys.bank],
      slaSeconds: sys.slaSeconds,
    });
    report(
      figures,
      `EXPIRED after holdUntil: ${offsets.map(fmt).join(', ')} by ${recorded.map((r) => r.actor).join(', ')} (seen by a poll of the case ${seenAfter.map(fmt).join(', ')})`,
    );
    expect(seen.filter(Number.isNaN), 'every hold seen EXPIRED').toEqual([]);
    expect(
      offsets.filter((o) => !(Math.abs(o) <= 5_000)),
      'EXPIRED within ±5 s of holdUntil',
    ).toEqual([]);
    expect(failures(figures), verdict(failures(figures), sys.server)).toEqual([]);
  });

  it('after a restart: DISPATCHED past its deadline → OVERDUE, held past holdUntil → EXPIRED, within 30 s', async () => {
    const { api, bank, server } = sys;
    const silentTargets = Array.from({ length: ACCOUNTS }, (_, i) => ({
      bankId: 'SILENT',
      accountNumber: `S-${i}`,
      minor: 90_000n,
    }));
    const silent = await openCaseWithOrder(api, 'RESTART-OVERDUE', silentTargets);
    const held = await heldCase('RESTART-EXPIRE', 12);
    const dispatched = await until(
      'DISPATCHED with deadlines',
      async () => {
        const view = await getCase(api, silent.caseId);
        return view.instructions.every((i) => i.status === 'DISPATCHED' && i.deadlineAt) ? view : undefined;
      },
      30_000,
    );
    const deadlines = silent.instructionIds.map((id) =>
      Date.parse(dispatched.instructions.find((i) => i.instructionId === id)!.deadlineAt!),
    );
    const heldView = await getCase(api, held.caseId);
    const holdUntil = held.instructionIds.map((id) =>
      Date.parse(heldView.instructions.find((i) => i.instructionId === id)?.holdUntil ?? ''),
    );
    await server.kill();
    // Down until every deadline has passed.
    await sleep(Math.max(0, Math.max(...deadlines) + 1_000 - Date.now()));
    await server.restart();
    const healthy = server.healthyAt;

    const overdueBy = Math.max(healthy, ...deadlines) + GRACE_MS;
    const [overdue, expired] = await Promise.all([
      firstSeen(
        silent.caseId,
        silent.instructionIds,
        (i) => i.status === 'OVERDUE' || Boolean(i.overdueAt),
        overdueBy,
      ),
      firstSeen(
        held.caseId,
        held.instructionIds,
        (i) => i.status === 'EXPIRED',
        Math.max(healthy, ...holdUntil.filter((t) => !Number.isNaN(t))) + GRACE_MS,
      ),
    ]);
    // Then the reminder and the escalation follow (one more SLA), still carried on.
    const escalated = await firstSeen(
      silent.caseId,
      silent.instructionIds,
      (i) => Boolean(i.escalatedAt),
      overdueBy + 6_000 + 5_000,
    );
    const reminded = silent.instructionIds.filter((id) => bank.delivered(id, 'REMINDER')).length;

    const lateOverdue = overdue.filter((t, k) => !(t <= Math.max(healthy, deadlines[k]!) + GRACE_MS));
    const lateExpiry = expired.filter((t, k) => !(t <= Math.max(healthy, holdUntil[k]!) + GRACE_MS));
    const f1 = await caseFigures(api, 'restart-dispatched-past-deadline', silent.caseId, {
      ordered: silent.instructionIds,
      confirmations: [],
      banks: [bank],
      slaSeconds: sys.slaSeconds,
    });
    report(
      f1,
      `OVERDUE ${overdue.map((t) => fmt(t - healthy)).join(', ')} after /health; escalated ${escalated.map((t) => fmt(t - healthy)).join(', ')}; ${reminded}/${ACCOUNTS} reminders pushed`,
    );
    const f2 = await caseFigures(api, 'restart-hold-expiry', held.caseId, {
      ordered: held.instructionIds,
      confirmations: [held.client],
      banks: [bank],
      slaSeconds: sys.slaSeconds,
    });
    report(
      f2,
      `EXPIRED ${expired.map((t, k) => fmt(t - Math.max(healthy, holdUntil[k]!))).join(', ')} after max(/health, holdUntil)`,
    );
    expect.soft(lateOverdue, 'OVERDUE within 30 s of /health').toEqual([]);
    expect
      .soft(
        escalated.filter((t) => Number.isNaN(t)),
        'escalated after the reminder',
      )
      .toEqual([]);
    expect.soft(lateExpiry, 'EXPIRED within 30 s of /health').toEqual([]);
    expect.soft(failures(f1), verdict(failures(f1), server)).toEqual([]);
    expect(failures(f2), verdict(failures(f2), server)).toEqual([]);
  });
});
