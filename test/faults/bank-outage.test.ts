import { describe, expect, it } from 'vitest';
import { bankCaller, cny, getCase, openCaseWithOrder, until } from './support/api.ts';
import { ConfirmClient } from './support/confirm-client.ts';
import { type FaultBank, firstAttempts, hang, ok, status } from './support/fault-bank.ts';
import { useFaultSystem, verdict } from './support/fault-system.ts';
import { caseFigures, failures, report } from './support/figures.ts';

/**
 * Issue 10 §1 and docs/api.md "Push connector": connection errors and timeouts are transient and retried
 * with backoff until the instruction's deadline, every attempt under the same FreezeFlow-Delivery
 * id with the same body; meanwhile the instruction is in the bank's inbox from the start.
 */
const sys = useFaultSystem('bank-outage', [
  { bankId: 'DOWN60', slaSeconds: 240 },
  { bankId: 'HANGS', slaSeconds: 240 },
]);

/** Every recorded FREEZE attempt of each instruction: one delivery id, one body. */
function sameDeliveryEverywhere(bank: FaultBank, ids: string[]) {
  return ids.flatMap((id) => {
    const attempts = bank.attemptsFor(id);
    const deliveryIds = new Set(attempts.map((a) => a.deliveryId));
    const bodies = new Set(attempts.map((a) => a.raw));
    return deliveryIds.size === 1 && bodies.size === 1
      ? []
      : [`${id}: ${attempts.length} attempts, ${deliveryIds.size} delivery ids, ${bodies.size} bodies`];
  });
}

async function confirmAll(client: ConfirmClient, ids: string[], minor: bigint) {
  for (const id of ids)
    await client.confirm(id, { confirmationId: `c-${id}`, result: 'ACTIONED', frozen: cny(minor) });
}

describe('a bank that is down or hangs', () => {
  it('refusing connections for 60 s: delivered once it is back, same delivery id and body on every attempt', async () => {
    const { api, bank } = sys;
    const outage = bank.refuse(60_000);
    const startedAt = Date.now();
    // Back up, the first answer is still a 503: at least two attempts seen, to compare.
    bank.set(firstAttempts(1, status(503, 1)), 'DOWN60');
    const targets = ['D1', 'D2', 'D3'].map((a) => ({ bankId: 'DOWN60', accountNumber: a, minor: 300_000n }));
    const { caseId, instructionIds } = await openCaseWithOrder(api, 'BANK-DOWN-60S', targets);

    // A push bank can always fall back to pulling: its inbox has the instructions from the start.
    const inbox = await api.expect<{ items: { instructionId: string }[] }>(
      200,
      'GET',
      '/banks/DOWN60/instructions',
      {
        as: bankCaller('DOWN60'),
      },
    );
    const inInbox = instructionIds.filter((id) => inbox.items.some((i) => i.instructionId === id));
    const duringOutage = await getCase(api, caseId);
    await outage;
    const backAt = Date.now();
    await until(
      'deliveries after the outage',
      async () => {
        if (instructionIds.every((id) => bank.delivered(id))) return true;
        // A dead end before the deadline (240 s away) will not deliver: no point waiting on.
        const view = await getCase(api, caseId);
        return view.instructions.every((i) => i.status === 'DISPATCH_FAILED') ? true : undefined;
      },
      120_000,
      1_000,
    ).catch(() => undefined);
    const after = await getCase(api, caseId);
    const client = new ConfirmClient(api, 'DOWN60');
    await confirmAll(
      client,
      instructionIds.filter((id) => bank.delivered(id)),
      300_000n,
    );
    const figures = await caseFigures(api, 'bank-refuses-connections-60s', caseId, {
      ordered: instructionIds,
      confirmations: [client],
      banks: [bank],
      slaSeconds: sys.slaSeconds,
    });
    const firstDelivered = instructionIds.map(
      (id) => bank.attemptsFor(id).find((a) => a.answer === 200)?.receivedAt ?? Number.NaN,
    );
    report(
      figures,
      `outage ${Math.round((backAt - startedAt) / 1000)} s; delivered ${firstDelivered.filter((t) => !Number.isNaN(t)).length}/3, ${firstDelivered.map((t) => (Number.isNaN(t) ? 'never' : `${Math.round((t - backAt) / 1000)} s`)).join(', ')} after it ended; statuses ${after.instructions.map((i) => i.status).join(', ')}`,
    );
    expect(inInbox, 'in the inbox from the start').toEqual(instructionIds);
    expect(duringOutage.instructions.map((i) => i.status).filter((s) => s === 'DISPATCH_FAILED')).toEqual([]);
    expect(
      instructionIds.filter((id) => !bank.delivered(id)),
      'delivered after the outage',
    ).toEqual([]);
    expect(sameDeliveryEverywhere(bank, instructionIds)).toEqual([]);
    expect(failures(figures), verdict(failures(figures), sys.server)).toEqual([]);
  });

  it('hanging past the push timeout: retried, same delivery id and body, delivered', async () => {
    const { api, bank } = sys;
    bank.set(firstAttempts(1, hang, ok), 'HANGS');
    const targets = ['H1', 'H2'].map((a) => ({ bankId: 'HANGS', accountNumber: a, minor: 200_000n }));
    const { caseId, instructionIds } = await openCaseWithOrder(api, 'BANK-HANGS', targets);
    await until(
      'a retry after the hang',
      () => (instructionIds.every((id) => bank.delivered(id)) ? true : undefined),
      90_000,
      500,
    ).catch(() => undefined);
    const client = new ConfirmClient(api, 'HANGS');
    await confirmAll(
      client,
      instructionIds.filter((id) => bank.delivered(id)),
      200_000n,
    );
    const figures = await caseFigures(api, 'bank-hangs-past-timeout', caseId, {
      ordered: instructionIds,
      confirmations: [client],
      banks: [bank],
      slaSeconds: sys.slaSeconds,
    });
    const first = instructionIds.map((id) => bank.attemptsFor(id)[0]);
    const waited = first.map((a) =>
      a?.answeredAt && a.receivedAt ? a.answeredAt - a.receivedAt : Number.NaN,
    );
    report(
      figures,
      `first attempt given up after ${waited.map((w) => `${Math.round(w / 100) / 10} s`).join(', ')}`,
    );
    expect(first.map((a) => a?.answer)).toEqual(['aborted', 'aborted']);
    expect(
      instructionIds.filter((id) => !bank.delivered(id)),
      'delivered on a retry',
    ).toEqual([]);
    expect(sameDeliveryEverywhere(bank, instructionIds)).toEqual([]);
    expect(failures(figures), verdict(failures(figures), sys.server)).toEqual([]);
  });
});
