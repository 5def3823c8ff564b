import { describe, expect, it } from 'vitest';
import {
  cny,
  getCase,
  type InstructionView,
  openCaseWithOrder,
  police,
  type TrailView,
  until,
} from './support/api.ts';
import { ConfirmClient, runConcurrently } from './support/confirm-client.ts';
import { useFaultSystem, verdict } from './support/fault-system.ts';
import { caseFigures, failures, report } from './support/figures.ts';

/**
 * Issue 10 §4 and §6: 10 FUNDS_MOVED confirmations are answered 201 and the whole server is killed
 * at once, before follow-the-money may have run for them. A confirmation answered 201 is
 * acknowledged: after a restart on the same data dir every trail edge and every follow-on
 * instruction must exist (within 30 s of /health 200) and the follow-ons must be delivered.
 */
const sys = useFaultSystem('crash-after-confirmations', [
  { bankId: 'LAYER1', slaSeconds: 300 },
  { bankId: 'LAYER2', slaSeconds: 300 },
]);
const ACCOUNTS = 10;

describe('SIGKILL just after FUNDS_MOVED confirmations were answered 201', () => {
  it('creates every follow-on instruction and trail edge after the restart', async () => {
    const { api, bank, server } = sys;
    const targets = Array.from({ length: ACCOUNTS }, (_, i) => ({
      bankId: 'LAYER1',
      accountNumber: `L1-${i}`,
      minor: 800_000n,
    }));
    const { caseId, instructionIds } = await openCaseWithOrder(api, 'CRASH-CONFIRMED', targets);
    await until(
      'every FREEZE delivered',
      () => (instructionIds.every((id) => bank.delivered(id)) ? true : undefined),
      60_000,
    );

    const client = new ConfirmClient(api, 'LAYER1');
    await runConcurrently(instructionIds, ACCOUNTS, (id) =>
      client.confirm(id, {
        confirmationId: `moved-${id}`,
        result: 'ACTIONED',
        frozen: cny(0),
        onwardTransfers: [
          {
            toBankId: 'LAYER2',
            toAccount: `L2-${id.split('.').pop()}`,
            amount: cny(600_000n),
            transferredAt: '2026-11-20T10:05:00Z',
          },
        ],
      }),
    );
    await server.kill();
    const acknowledged = client.sent.filter((s) => s.status === 201).length;
    await server.restart();
    const deadline = server.healthyAt + 30_000;

    const complete = (trail: TrailView, view: { instructions: InstructionView[] }) =>
      instructionIds.every((id) => {
        const edge = trail.edges.find((e) => e.fromInstructionId === id);
        const child =
          edge?.toInstructionId && view.instructions.find((i) => i.instructionId === edge.toInstructionId);
        return edge?.followed === true && child && bank.delivered(child.instructionId);
      });
    let trail: TrailView = { nodes: [], edges: [] };
    await until(
      'every follow-on and edge',
      async () => {
        trail = await api.expect<TrailView>(200, 'GET', `/cases/${caseId}/trail`, { as: police });
        const view = await getCase(api, caseId);
        return complete(trail, view) || Date.now() > deadline ? true : undefined;
      },
      45_000,
      500,
    );
    const view = await getCase(api, caseId);
    const followOns = view.instructions.filter((i) => i.hop === 2);
    const edges = trail.edges.filter((e) => instructionIds.includes(e.fromInstructionId));
    const figures = await caseFigures(api, 'sigkill-after-10-funds-moved', caseId, {
      ordered: instructionIds,
      confirmations: [client],
      banks: [bank],
      slaSeconds: sys.slaSeconds,
    });
    report(
      figures,
      `${acknowledged} confirmations answered 201 before the kill; after the restart ${edges.length} edges, ${followOns.length} follow-ons, ${followOns.filter((f) => bank.delivered(f.instructionId)).length} delivered`,
    );
    expect(acknowledged).toBe(ACCOUNTS);
    expect(edges.filter((e) => e.followed && e.toInstructionId)).toHaveLength(ACCOUNTS);
    expect(followOns).toHaveLength(ACCOUNTS);
    expect(followOns.filter((f) => bank.delivered(f.instructionId))).toHaveLength(ACCOUNTS);
    expect(failures(figures), verdict(failures(figures), server)).toEqual([]);
  });
});
