import { describe, expect, it } from 'vitest';
import {
  type CaseView,
  cny,
  getCase,
  hoursOf,
  openCaseWithOrder,
  police,
  type TotalsView,
  until,
} from './support/api.ts';
import { ConfirmClient, type Sent } from './support/confirm-client.ts';
import { firstAttempts, ok, status } from './support/fault-bank.ts';
import { useFaultSystem, verdict } from './support/fault-system.ts';
import { caseFigures, failures, report } from './support/figures.ts';

/**
 * Issue 10 §1–2 and docs/api.md "Push connector", "Instructions and confirmations": 500/429 with
 * Retry-After are retried no earlier than it says; 410 is DISPATCH_FAILED, escalated at once, still
 * confirmable (money a bank froze is always counted) and redeliverable; a bank that confirms while
 * its push keeps failing is counted and its hold gets a holdUntil (and ends there).
 */
const sys = useFaultSystem('bank-answers', [
  { bankId: 'B500', slaSeconds: 120 },
  { bankId: 'B429', slaSeconds: 120 },
  { bankId: 'GONE', slaSeconds: 120 },
  { bankId: 'FLAKY', slaSeconds: 120 },
]);
const RETRY_AFTER = 4;
/** A clock tick and the bank's own bookkeeping: an attempt this much early is still "on time". */
const TOLERANCE_MS = 100;

const totals = (caseId: string) =>
  sys.api.expect<TotalsView>(200, 'GET', `/cases/${caseId}/totals`, { as: police });
const frozenOf = (t: TotalsView) => t.frozen.find((m) => m.currency === 'CNY')?.minor;
const instruction = (view: CaseView, id: string) => view.instructions.find((i) => i.instructionId === id);

describe('banks that answer 500, 429, 410, or confirm while their push fails', () => {
  it('500 and 429 with Retry-After: no attempt earlier than Retry-After; then delivered', async () => {
    const { api, bank } = sys;
    bank.set(firstAttempts(3, status(500, RETRY_AFTER)), 'B500');
    bank.set(firstAttempts(3, status(429, RETRY_AFTER)), 'B429');
    const { caseId, instructionIds } = await openCaseWithOrder(api, 'RETRY-AFTER', [
      { bankId: 'B500', accountNumber: 'R500', minor: 100_000n },
      { bankId: 'B429', accountNumber: 'R429', minor: 100_000n },
    ]);
    await until(
      'both delivered',
      () => (instructionIds.every((id) => bank.delivered(id)) ? true : undefined),
      90_000,
      500,
    ).catch(() => undefined);
    const early: string[] = [];
    const gaps: string[] = [];
    for (const id of instructionIds) {
      const attempts = bank.attemptsFor(id);
      for (let i = 1; i < attempts.length; i++) {
        const before = attempts[i - 1]!;
        const gap = attempts[i]!.receivedAt - (before.answeredAt ?? before.receivedAt);
        gaps.push(`${(gap / 1000).toFixed(1)}`);
        if (before.retryAfter !== undefined && gap < before.retryAfter * 1000 - TOLERANCE_MS) {
          early.push(
            `${id} attempt ${i + 1}: ${gap} ms after a ${before.answer} with Retry-After ${before.retryAfter}`,
          );
        }
      }
    }
    const client = new ConfirmClient(api, 'B500');
    const client429 = new ConfirmClient(api, 'B429');
    const [r500, r429] = instructionIds as [string, string];
    if (bank.delivered(r500))
      await client.confirm(r500, { confirmationId: 'r500', result: 'ACTIONED', frozen: cny(100_000n) });
    if (bank.delivered(r429))
      await client429.confirm(r429, { confirmationId: 'r429', result: 'ACTIONED', frozen: cny(100_000n) });
    const figures = await caseFigures(api, 'bank-500-429-retry-after', caseId, {
      ordered: instructionIds,
      confirmations: [client, client429],
      banks: [bank],
      slaSeconds: sys.slaSeconds,
    });
    report(
      figures,
      `gaps between attempts (s): ${gaps.join(', ')}; ${early.length} earlier than Retry-After`,
    );
    expect.soft(early, 'attempts earlier than Retry-After').toEqual([]);
    expect.soft(instructionIds.filter((id) => !bank.delivered(id))).toEqual([]);
    expect
      .soft(
        instructionIds.map((id) => new Set(bank.attemptsFor(id).map((a) => a.raw)).size),
        'one body per delivery',
      )
      .toEqual([1, 1]);
    expect(failures(figures), verdict(failures(figures), sys.server)).toEqual([]);
  });

  it('410: DISPATCH_FAILED and escalated; a confirmation of it is counted; redeliver delivers it again', async () => {
    const { api, bank } = sys;
    bank.set(status(410), 'GONE');
    const { caseId, instructionIds } = await openCaseWithOrder(api, 'GONE-410', [
      { bankId: 'GONE', accountNumber: 'G1', minor: 400_000n },
      { bankId: 'GONE', accountNumber: 'G2', minor: 250_000n },
    ]);
    const [g1, g2] = instructionIds as [string, string];
    const failed = await until(
      'DISPATCH_FAILED',
      async () => {
        const view = await getCase(api, caseId);
        return view.instructions.every((i) => i.status === 'DISPATCH_FAILED') ? view : undefined;
      },
      60_000,
      500,
    );
    expect
      .soft(
        failed.instructions.map((i) => [i.instructionId, Boolean(i.escalatedAt)]),
        'escalated at once',
      )
      .toEqual([
        [g1, true],
        [g2, true],
      ]);

    // The bank froze G1 anyway (it saw it in its inbox): accepted and counted.
    const client = new ConfirmClient(api, 'GONE');
    const confirmed = await client.confirm(g1, {
      confirmationId: 'gone-g1',
      result: 'ACTIONED',
      frozen: cny(400_000n),
    });
    expect.soft([confirmed.status, confirmed.answer]).toEqual([201, { instructionId: g1, status: 'FROZEN' }]);
    expect.soft(frozenOf(await totals(caseId)), 'counted').toBe('400000');
    expect
      .soft(
        instruction(await getCase(api, caseId), g1)?.holdUntil ?? null,
        'a frozen instruction has holdUntil',
      )
      .not.toBeNull();

    // The bank is back: the police redeliver G2, under the delivery id it had.
    bank.set(ok, 'GONE');
    const redeliver = await api.request('POST', `/cases/${caseId}/instructions/${g2}/redeliver`, {
      as: police,
      idempotencyKey: true,
    });
    expect.soft(redeliver.status, JSON.stringify(redeliver.body)).toBe(202);
    await until('the redelivery', () => (bank.delivered(g2) ? true : undefined), 30_000).catch(
      () => undefined,
    );
    const g2Attempts = bank.attemptsFor(g2);
    expect.soft(bank.delivered(g2), 'redelivered').toBe(true);
    expect.soft(new Set(g2Attempts.map((a) => a.deliveryId)).size, 'same delivery id').toBe(1);
    // The bank answered 200; the delivery is recorded just after (its own write).
    const after = await until(
      'G2 DISPATCHED',
      async () => {
        const i = instruction(await getCase(api, caseId), g2);
        return i?.status === 'DISPATCHED' ? i : undefined;
      },
      10_000,
      250,
    ).catch(async () => instruction(await getCase(api, caseId), g2));
    expect.soft(after?.status).toBe('DISPATCHED');
    // A confirmed instruction cannot be redelivered.
    const again = await api.request('POST', `/cases/${caseId}/instructions/${g1}/redeliver`, {
      as: police,
      idempotencyKey: true,
    });
    expect.soft(again.status).toBe(409);

    const figures = await caseFigures(api, 'bank-410-then-confirm-and-redeliver', caseId, {
      ordered: instructionIds,
      confirmations: [client],
      banks: [bank],
      // G1 was never delivered: the bank answered 410 and confirmed from its inbox.
      notDelivered: [g1],
      slaSeconds: sys.slaSeconds,
    });
    report(
      figures,
      `confirmation of DISPATCH_FAILED: ${confirmed.status}; redeliver: ${redeliver.status}; G2 attempts ${g2Attempts.map((a) => a.answer).join(', ')}`,
    );
    expect(failures(figures), verdict(failures(figures), sys.server)).toEqual([]);
  });

  it('a bank that confirms while its push keeps failing: counted, holdUntil set, the hold ends on time', async () => {
    const { api, bank } = sys;
    const HOLD_SECONDS = 20;
    bank.set(status(500), 'FLAKY');
    const client = new ConfirmClient(api, 'FLAKY');
    let confirming: Promise<Sent> | undefined;
    const off = bank.onAttempt((a) => {
      if (a.bankId !== 'FLAKY' || a.kind !== 'FREEZE' || confirming) return;
      confirming = client.confirm(a.instructionId, {
        confirmationId: 'flaky-1',
        result: 'ACTIONED',
        frozen: cny(700_000n),
      });
    });
    const { caseId, instructionIds } = await openCaseWithOrder(
      api,
      'CONFIRM-WHILE-FAILING',
      [{ bankId: 'FLAKY', accountNumber: 'K1', minor: 700_000n }],
      hoursOf(HOLD_SECONDS),
    );
    const id = instructionIds[0]!;
    await until('the first push', () => (confirming ? true : undefined), 30_000);
    off();
    const confirmed = await confirming!;
    // The push is still failing for a while after the confirmation.
    await new Promise((r) => setTimeout(r, 3_000));
    const view = await getCase(api, caseId);
    const held = instruction(view, id)!;
    const counted = frozenOf(await totals(caseId));
    bank.set(ok, 'FLAKY');
    expect.soft(confirmed.status).toBe(201);
    expect.soft(counted).toBe('700000');
    expect.soft(held.holdUntil, 'holdUntil = confirmation + holdHours').not.toBeNull();
    if (held.holdUntil && held.confirmedAt) {
      const expected = Date.parse(held.confirmedAt) + HOLD_SECONDS * 1000;
      expect.soft(Math.abs(Date.parse(held.holdUntil) - expected)).toBeLessThanOrEqual(2_000);
    }
    // The hold then lapses at holdUntil (±5 s: docs/api.md "Holds and releases").
    let expiredSeenAt = Number.NaN;
    const holdUntil = held.holdUntil ? Date.parse(held.holdUntil) : Date.now() + HOLD_SECONDS * 1000;
    await until(
      'EXPIRED',
      async () => {
        const now = Date.now();
        const status = instruction(await getCase(api, caseId), id)?.status;
        if (status === 'EXPIRED') expiredSeenAt = now;
        return status === 'EXPIRED' || now > holdUntil + 35_000 ? true : undefined;
      },
      HOLD_SECONDS * 1000 + 45_000,
      250,
    );
    const figures = await caseFigures(api, 'bank-confirms-while-push-fails', caseId, {
      ordered: instructionIds,
      confirmations: [client],
      banks: [bank],
      notDelivered: [id],
      slaSeconds: sys.slaSeconds,
    });
    report(
      figures,
      `confirmation ${confirmed.status} during ${bank.attemptsFor(id).filter((a) => a.answer === 500).length} failed pushes; holdUntil ${held.holdUntil}; EXPIRED ${Number.isNaN(expiredSeenAt) ? 'never' : `${((expiredSeenAt - holdUntil) / 1000).toFixed(1)} s after holdUntil`}`,
    );
    expect
      .soft(Math.abs(expiredSeenAt - holdUntil), 'EXPIRED within 5 s of holdUntil')
      .toBeLessThanOrEqual(5_000);
    expect(failures(figures), verdict(failures(figures), sys.server)).toEqual([]);
  });
});
