import { describe, expect, it } from 'vitest';
import { cny, getCase, openCaseWithOrder, until } from './support/api.ts';
import { ConfirmClient, runConcurrently } from './support/confirm-client.ts';
import { type DeliveryAttempt, hang, ok } from './support/fault-bank.ts';
import { useFaultSystem, verdict } from './support/fault-system.ts';
import { caseFigures, failures, report } from './support/figures.ts';

/**
 * Issue 10 §4 and §6: SIGKILL of the whole server (JVM included) in the middle of a fan-out of 20
 * accounts — some pushes answered, some still waiting for the bank's answer, some not yet started —
 * then a restart on the same data dir. docs/api.md "Running it locally": within 30 s of /health 200
 * every delivery is made, none lost, and each under the delivery id it had before the crash.
 */
const sys = useFaultSystem('crash-mid-fan-out', [{ bankId: 'FANOUT', slaSeconds: 300 }]);
const ACCOUNTS = 20;
const ANSWERED_BEFORE_KILL = 6;
const KILL_AT_ATTEMPT = 9;

describe('SIGKILL of the server mid-fan-out', () => {
  it('delivers every instruction within 30 s of the restart, each under its first delivery id', async () => {
    const { api, bank, server } = sys;
    // The first pushes are answered, later ones hang (the bank is slow): the kill finds both.
    bank.set((_a, earlier) => (earlier.length < ANSWERED_BEFORE_KILL ? ok : hang));
    const killed = new Promise<void>((resolve) => {
      const off = bank.onAttempt((a: DeliveryAttempt) => {
        if (a.seq < KILL_AT_ATTEMPT) return;
        off();
        void server.kill().then(resolve);
      });
    });
    const targets = Array.from({ length: ACCOUNTS }, (_, i) => ({
      bankId: 'FANOUT',
      accountNumber: `F-${String(i).padStart(2, '0')}`,
      minor: 500_000n + BigInt(i),
    }));
    const { caseId, instructionIds } = await openCaseWithOrder(api, 'CRASH-FANOUT', targets);
    await until('the kill', () => killed.then(() => true), 30_000);
    const atKill = {
      attempted: new Set(bank.attempts.map((a) => a.instructionId)).size,
      delivered: instructionIds.filter((id) => bank.delivered(id)).length,
    };
    bank.set(ok);
    await server.restart();
    const healthy = server.healthyAt;

    const deadline = healthy + 30_000;
    const late: string[] = [];
    await until(
      'every FREEZE delivered after the restart',
      () =>
        instructionIds.every((id) => bank.delivered(id)) || Date.now() > deadline + 5_000 ? true : undefined,
      40_000,
    ).catch(() => undefined);
    for (const id of instructionIds) {
      const first = bank.attemptsFor(id).find((a) => typeof a.answer === 'number' && a.answer < 300);
      if (!first || first.receivedAt > deadline)
        late.push(`${id}: ${first ? `${first.receivedAt - healthy} ms after /health` : 'never'}`);
    }
    const deliveryIds = instructionIds.map((id) => new Set(bank.attemptsFor(id).map((a) => a.deliveryId)));
    const renamed = instructionIds.filter((_, i) => deliveryIds[i]!.size > 1);

    // The bank confirms everything: the totals must then be exact and nothing counted twice.
    const client = new ConfirmClient(api, 'FANOUT');
    await runConcurrently(
      instructionIds.filter((id) => bank.delivered(id)),
      4,
      (id) => {
        const t = targets[instructionIds.indexOf(id)]!;
        return client.confirm(id, {
          confirmationId: `fanout-${id}`,
          result: 'ACTIONED',
          frozen: cny(t.minor),
        });
      },
    );
    const view = await getCase(api, caseId);
    const figures = await caseFigures(api, 'sigkill-mid-fan-out', caseId, {
      ordered: instructionIds,
      confirmations: [client],
      banks: [bank],
      slaSeconds: sys.slaSeconds,
    });
    report(
      figures,
      `at the kill ${atKill.attempted}/${ACCOUNTS} pushed, ${atKill.delivered} answered 2xx; ${late.length} not delivered within 30 s of /health; ${renamed.length} under a new delivery id`,
    );
    expect(late, 'delivered within 30 s of /health 200').toEqual([]);
    expect(renamed, 'one delivery id per instruction across the restart').toEqual([]);
    expect(
      view.instructions.filter((i) => i.status !== 'FROZEN').map((i) => [i.instructionId, i.status]),
    ).toEqual([]);
    expect(failures(figures), verdict(failures(figures), server)).toEqual([]);
  });
});
