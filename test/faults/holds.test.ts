import { describe, expect, it } from 'vitest';
import { processCpuSeconds, processRssMiB } from '../../local/process-stats.ts';
import {
  auditedAt,
  type CaseView,
  cny,
  getCase,
  hoursOf,
  legalBasis,
  openCaseWithOrder,
  police,
  sleep,
  until,
} from './support/api.ts';
import { ConfirmClient } from './support/confirm-client.ts';
import { useFaultSystem, verdict } from './support/fault-system.ts';
import { caseFigures, failures, report } from './support/figures.ts';

/**
 * Issue 10 §2–4 and docs/api.md "Holds and releases": a 600 h hold (over Node's 2^31 ms timer limit)
 * must not spin a timer and must end at the right holdUntil; an extend that shortens a hold makes it
 * lapse at the new time; a release the bank never confirms must not keep anything spinning, and the
 * hold still ends.
 */
const sys = useFaultSystem('holds', [
  { bankId: 'HOLDS', slaSeconds: 300 },
  { bankId: 'PENDREL', slaSeconds: 3 },
]);
const CPU_WINDOW_MS = 5_000;
/** A spinning timer takes a whole core (issue 10); an idle server uses a few per cent. */
const MAX_CPU_SHARE = 0.25;

const instructionOf = (view: CaseView, id: string) => view.instructions.find((i) => i.instructionId === id)!;

async function orderAndFreeze(
  reference: string,
  bankId: string,
  account: string,
  minor: bigint,
  holdHours: number,
) {
  const { api, bank } = sys;
  const { caseId, instructionIds } = await openCaseWithOrder(
    api,
    reference,
    [{ bankId, accountNumber: account, minor }],
    holdHours,
  );
  const id = instructionIds[0]!;
  await until(`FREEZE of ${id}`, () => (bank.delivered(id) ? true : undefined), 30_000);
  const client = new ConfirmClient(api, bankId);
  const sent = await client.confirm(id, {
    confirmationId: `hold-${id}`,
    result: 'ACTIONED',
    frozen: cny(minor),
  });
  expect(sent.status).toBe(201);
  return { caseId, id, instructionIds, client };
}

/** CPU share of the server process over a few seconds, and how much its memory grew. */
async function serverLoad() {
  const pid = sys.server.pid;
  // NaN where /proc cannot tell: the assertions on it then fail instead of passing on nothing.
  const cpu = () => processCpuSeconds(pid) ?? Number.NaN;
  const rss = () => processRssMiB(pid) ?? Number.NaN;
  const cpu0 = cpu();
  const rss0 = rss();
  await sleep(CPU_WINDOW_MS);
  return {
    share: (cpu() - cpu0) / (CPU_WINDOW_MS / 1000),
    rssGrowthMiB: rss() - rss0,
  };
}

/** Polls the case until the instruction reaches `status`; the epoch ms it was first seen, or NaN. */
async function seenAt(caseId: string, id: string, statuses: string[], byMs: number): Promise<number> {
  let seen = Number.NaN;
  await until(
    statuses.join('/'),
    async () => {
      const now = Date.now();
      const status = instructionOf(await getCase(sys.api, caseId), id).status;
      if (statuses.includes(status)) seen = now;
      return !Number.isNaN(seen) || now > byMs ? true : undefined;
    },
    Math.max(1_000, byMs - Date.now() + 5_000),
    250,
  );
  return seen;
}

const fmt = (ms: number) => (Number.isNaN(ms) ? 'never' : `${(ms / 1000).toFixed(1)} s`);

describe('holds', () => {
  it('an extend that shortens the hold: it lapses at the new holdUntil (±5 s) and the bank is told', async () => {
    const { caseId, id, instructionIds, client } = await orderAndFreeze(
      'HOLD-SHORTENED',
      'HOLDS',
      'HSHORT',
      500_000n,
      1,
    );
    const NEW_SECONDS = 8;
    const extended = await sys.api.expect<{ holdUntil: string }>(
      200,
      'POST',
      `/cases/${caseId}/instructions/${id}/extend`,
      {
        as: police,
        idempotencyKey: true,
        body: { legalBasis, holdHours: hoursOf(NEW_SECONDS) },
      },
    );
    const holdUntil = Date.parse(extended.holdUntil);
    expect(Math.abs(holdUntil - (Date.now() + NEW_SECONDS * 1000))).toBeLessThanOrEqual(3_000);
    await until('the EXTEND push', () => (sys.bank.delivered(id, 'EXTEND') ? true : undefined), 15_000).catch(
      () => undefined,
    );
    const seenExpired = await seenAt(caseId, id, ['EXPIRED'], holdUntil + 35_000);
    // The expiry's own time is its audit event's; a poll sees it later (by more on a loaded machine).
    const [expired] = await auditedAt(sys.api, caseId, 'HOLD_EXPIRED', [id]);
    const expiredAt = expired?.at ?? Number.NaN;
    await until(
      'the EXPIRED push',
      () => (sys.bank.delivered(id, 'EXPIRED') ? true : undefined),
      10_000,
    ).catch(() => undefined);
    const figures = await caseFigures(sys.api, 'hold-shortened-by-extend', caseId, {
      ordered: instructionIds,
      confirmations: [client],
      banks: [sys.bank],
      slaSeconds: sys.slaSeconds,
    });
    report(
      figures,
      `EXPIRED ${fmt(expiredAt - holdUntil)} after the new holdUntil by ${expired?.actor} (the old one was 1 h away; seen by a poll ${fmt(seenExpired - holdUntil)} after)`,
    );
    expect.soft(seenExpired, 'seen EXPIRED').not.toBeNaN();
    expect.soft(sys.bank.delivered(id, 'EXTEND'), 'EXTEND pushed').toBe(true);
    expect
      .soft(Math.abs(expiredAt - holdUntil), 'EXPIRED within 5 s of the new holdUntil')
      .toBeLessThanOrEqual(5_000);
    expect.soft(sys.bank.delivered(id, 'EXPIRED'), 'EXPIRED pushed').toBe(true);
    expect(failures(figures), verdict(failures(figures), sys.server)).toEqual([]);
  });

  it('a release the bank never confirms: nothing spins, the release is escalated and the hold still ends', async () => {
    const HOLD_SECONDS = 25;
    const { caseId, id, instructionIds, client } = await orderAndFreeze(
      'HOLD-RELEASE-PENDING',
      'PENDREL',
      'HREL',
      600_000n,
      hoursOf(HOLD_SECONDS),
    );
    const release = await sys.api.expect<{ instructionId: string }>(
      202,
      'POST',
      `/cases/${caseId}/releases`,
      {
        as: police,
        idempotencyKey: true,
        body: {
          instructionId: id,
          amount: cny(200_000n),
          disposition: 'RETURN_TO_VICTIM',
          authority: {
            kind: 'Court order',
            reference: 'CRT-FAULTS-1',
            issuedBy: 'Court',
            issuedAt: '2026-11-21T09:00:00Z',
          },
        },
      },
    );
    await until(
      'the RELEASE push',
      () => (sys.bank.delivered(release.instructionId, 'RELEASE') ? true : undefined),
      15_000,
    );
    // Measured once the release has nothing left to do but wait (overdue, reminded, escalated):
    // the steps before it are real work (with the sandboxes' cold starts, a third of a core over
    // 5 s on a loaded machine), a spinning timer is not.
    await until(
      'the release escalated',
      async () =>
        (await getCase(sys.api, caseId)).releases.find((r) => r.instructionId === release.instructionId)
          ?.escalatedAt
          ? true
          : undefined,
      HOLD_SECONDS * 1000,
    );
    const load = await serverLoad();
    const held = instructionOf(await getCase(sys.api, caseId), id);
    const holdUntil = Date.parse(held.holdUntil ?? '') || Date.now() + HOLD_SECONDS * 1000;
    const endedAt = await seenAt(caseId, id, ['EXPIRED', 'RELEASED'], holdUntil + 35_000);
    const view = await getCase(sys.api, caseId);
    const rel = view.releases.find((r) => r.instructionId === release.instructionId);
    const figures = await caseFigures(sys.api, 'hold-with-release-left-pending', caseId, {
      ordered: instructionIds,
      confirmations: [client],
      banks: [sys.bank],
      slaSeconds: sys.slaSeconds,
    });
    report(
      figures,
      `server CPU ${(load.share * 100).toFixed(0)} % over 5 s with the release pending; hold ${instructionOf(view, id).status} ${fmt(endedAt - holdUntil)} after holdUntil; release ${rel?.status}, escalated ${rel?.escalatedAt ?? 'no'}`,
    );
    expect.soft(load.share, 'server CPU share with a release pending').toBeLessThan(MAX_CPU_SHARE);
    expect.soft(endedAt - holdUntil, 'the hold ends within 30 s of holdUntil').toBeLessThanOrEqual(30_000);
    expect(failures(figures), verdict(failures(figures), sys.server)).toEqual([]);
  });

  // Last: on today's main a 600 h hold spins a timer for the rest of the server's life, which
  // would also be what the release case measures.
  it('600 h (over 2^31 ms): no spinning timer, holdUntil = first of delivery/confirmation + 600 h', async () => {
    const { caseId, id, instructionIds, client } = await orderAndFreeze(
      'HOLD-600H',
      'HOLDS',
      'H600',
      900_000n,
      600,
    );
    await sleep(1_000);
    const load = await serverLoad();
    const held = instructionOf(await getCase(sys.api, caseId), id);
    const start =
      Math.min(Date.parse(held.dispatchedAt ?? ''), Date.parse(held.confirmedAt ?? '')) || Number.NaN;
    const offBy = Math.abs(Date.parse(held.holdUntil ?? '') - (start + 600 * 3_600_000));
    const figures = await caseFigures(sys.api, 'hold-600h', caseId, {
      ordered: instructionIds,
      confirmations: [client],
      banks: [sys.bank],
      slaSeconds: sys.slaSeconds,
    });
    report(
      figures,
      `server CPU ${(load.share * 100).toFixed(0)} % of a core over 5 s, RSS ${load.rssGrowthMiB >= 0 ? '+' : ''}${load.rssGrowthMiB.toFixed(1)} MiB; holdUntil ${held.holdUntil}`,
    );
    expect.soft(load.share, 'server CPU share with a 600 h hold').toBeLessThan(MAX_CPU_SHARE);
    expect.soft(offBy, 'holdUntil off by (ms)').toBeLessThanOrEqual(2_000);
    expect(failures(figures), verdict(failures(figures), sys.server)).toEqual([]);
  });
});
