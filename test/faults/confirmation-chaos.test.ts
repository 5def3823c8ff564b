import { describe, expect, it } from 'vitest';
import { cny, getCase, openCaseWithOrder, until } from './support/api.ts';
import { type ConfirmationBody, ConfirmClient } from './support/confirm-client.ts';
import { useFaultSystem, verdict } from './support/fault-system.ts';
import { caseFigures, failures, report } from './support/figures.ts';

/**
 * Issue 10 §6: 20 % duplicate, 10 % reordered and 5 % conflicting confirmations on 50 instructions
 * (some of them FUNDS_MOVED, so a duplicate could also start a follow-on twice). Nothing may be
 * counted twice, a conflicting reuse of a confirmationId is 409 CONFIRMATION_ID_REUSED, the totals
 * are exact and every follow-on exists once.
 */
const sys = useFaultSystem('confirmation-chaos', [
  { bankId: 'CHAOS', slaSeconds: 600 },
  { bankId: 'ONWARD', slaSeconds: 600 },
]);
const N = 50;
const REQUESTED = 1_000_000n;

async function scenario(fault: string, N: number, rebuildOnRetry: boolean, prefix: string) {
  const { api, bank } = sys;
  const targets = Array.from({ length: N }, (_, i) => ({
    bankId: 'CHAOS',
    accountNumber: `${prefix}-${String(i).padStart(3, '0')}`,
    minor: REQUESTED,
  }));
  const { caseId, instructionIds } = await openCaseWithOrder(api, fault, targets);
  await until(
    'every FREEZE delivered',
    () => (instructionIds.every((id) => bank.delivered(id)) ? true : undefined),
    60_000,
  );

  const items = instructionIds.map((instructionId, i) => {
    const confirmationId = `${prefix}-${i}`;
    let body: ConfirmationBody;
    switch (i % 10) {
      case 6:
      case 7:
        body = { confirmationId, result: 'ACTIONED', frozen: cny(REQUESTED / 2n) };
        break;
      case 8:
        body = { confirmationId, result: 'ACCOUNT_NOT_FOUND', reason: 'no such account' };
        break;
      case 9:
        body = {
          confirmationId,
          result: 'ACTIONED',
          frozen: cny(0),
          onwardTransfers: [
            {
              toBankId: 'ONWARD',
              toAccount: `${prefix}-O-${i}`,
              amount: cny(REQUESTED / 4n),
              transferredAt: '2026-11-20T10:02:00Z',
            },
          ],
        };
        break;
      default:
        body = { confirmationId, result: 'ACTIONED', frozen: cny(REQUESTED) };
    }
    return { instructionId, body };
  });
  const client = new ConfirmClient(api, 'CHAOS');
  const plan = await client.sendWithChaos(items, {
    duplicates: 0.2,
    reordered: 0.1,
    conflicting: 0.05,
    seed: 20261201,
    concurrency: 6,
    rebuildOnRetry,
  });
  const onwardCount = items.filter((_, i) => i % 10 === 9).length;
  await until(
    `${onwardCount} follow-ons delivered`,
    async () => {
      const view = await getCase(api, caseId);
      const followOns = view.instructions.filter((i) => i.hop === 2);
      return followOns.length >= onwardCount && followOns.every((f) => bank.delivered(f.instructionId))
        ? true
        : undefined;
    },
    30_000,
  );

  const figures = await caseFigures(api, fault, caseId, {
    ordered: instructionIds,
    confirmations: [client],
    banks: [bank],
    slaSeconds: sys.slaSeconds,
  });
  const conflicts = client.sent.filter((s) => s.role === 'conflict');
  const conflictAnswers = conflicts.map((s) => [s.status, (s.answer as { rule?: string }).rule]);
  const acceptedPerId = new Map<string, number>();
  for (const s of client.sent) {
    if (s.status === 201)
      acceptedPerId.set(s.body.confirmationId, (acceptedPerId.get(s.body.confirmationId) ?? 0) + 1);
  }
  const duplicates = client.sent.filter((s) => s.role === 'duplicate');
  const view = await getCase(api, caseId);
  report(
    figures,
    `sent ${client.sent.length}: ${plan.duplicated.size} duplicated, ${plan.reordered.size} reordered, ${plan.conflicting.size} conflicting`,
  );

  expect(conflicts).toHaveLength(Math.round(N * 0.05));
  expect(plan.duplicated.size).toBe(Math.round(N * 0.2));
  expect(plan.reordered.size).toBe(Math.round(N * 0.1));
  expect(conflictAnswers).toEqual(conflicts.map(() => [409, 'CONFIRMATION_ID_REUSED']));
  // A retry of a confirmation is answered 200 with the first answer (or 201 when it overtook it).
  expect(
    duplicates
      .filter((s) => s.status !== 200 && s.status !== 201)
      .map((s) => [s.instructionId, s.status, s.answer]),
  ).toEqual([]);
  expect([...acceptedPerId.values()].every((n) => n === 1)).toBe(true);
  expect(acceptedPerId.size).toBe(N);
  // One follow-on per FUNDS_MOVED, none twice.
  expect(view.instructions.filter((i) => i.hop === 2)).toHaveLength(onwardCount);
  expect(view.instructions).toHaveLength(N + onwardCount);
  expect(failures(figures), verdict(failures(figures), sys.server)).toEqual([]);
}

describe('duplicate, reordered and conflicting confirmations', () => {
  it('counts each once and refuses every conflicting reuse (retries repeat the same bytes)', async () => {
    await scenario('confirmations-20%dup-10%reorder-5%conflict', N, false, 'chaos');
  });

  it('takes a retry whose body was rebuilt (new reportedAt and reason) as a replay: 200, counted once', async () => {
    // docs/api.md, confirmations route: "reportedAt and reason may differ: a bank's retry rebuilds its body".
    await scenario('confirmations-rebuilt-retries', 20, true, 'rebuilt');
  });
});
