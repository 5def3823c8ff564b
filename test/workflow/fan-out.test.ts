/**
 * "No bank waits on another": every instruction of an order is dispatched at once and times out at
 * its own deadline, however many there are and however slow some banks are.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalWorkflowEngine } from '../../local/workflow-engine.ts';
import {
  CASE_ID,
  execution,
  instructionExecution,
  instructionId,
  newEngine,
  ORDER_ID,
  Stubs,
  until,
} from './harness.ts';

let engine: LocalWorkflowEngine | undefined;

afterEach(async () => {
  await engine?.stop();
  engine = undefined;
});

describe('fan-out', () => {
  it('dispatches 200 silent banks at once; each goes OVERDUE and is escalated at its own deadline', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => instructionId(i + 1));
    const stubs = new Stubs({
      dispatchInstruction: () => ({
        outcome: 'DELIVERED',
        waitSeconds: 1,
        awaiting: true,
        timeoutSeconds: 2,
      }),
    });
    const e = newEngine(stubs);
    engine = e;

    const t0 = Date.now();
    await e.startExecution('freezeOrder', ORDER_ID, {
      caseId: CASE_ID,
      orderId: ORDER_ID,
      instructionIds: ids,
    });
    await until(() => stubs.dispatches('FREEZE').length === 200, 10_000, '200 dispatches');
    const freezes = stubs.dispatches('FREEZE');
    const lastDispatch = Math.max(...freezes.map((c) => c.at)) - t0;
    console.log(`[fan-out] 200th FREEZE dispatch ${lastDispatch} ms after startExecution`);
    expect(lastDispatch).toBeLessThan(5_000);
    expect(new Set(freezes.map((c) => c.payload['instructionId']))).toEqual(new Set(ids));

    // The order execution only starts the instruction workflows: it ends long before any deadline.
    const order = execution(e, 'freezeOrder', ORDER_ID);
    await order.done;
    expect(order.status).toBe('SUCCEEDED');
    expect(Date.now() - t0).toBeLessThan(5_000);

    await until(() => stubs.of('escalateInstruction').length === 200, 15_000, '200 escalations');
    await e.idle();

    const lateness: number[] = [];
    for (const id of ids) {
      const [freeze] = stubs.dispatches('FREEZE', id);
      const [overdue] = stubs.of('recordOverdue', id);
      const [reminder] = stubs.dispatches('REMINDER', id);
      const [escalate] = stubs.of('escalateInstruction', id);
      if (!freeze || !overdue || !reminder || !escalate) throw new Error(`${id}: a step is missing`);
      const overdueAfter = overdue.at - freeze.at;
      const escalateAfter = escalate.at - reminder.at;
      lateness.push(overdueAfter - 2_000, escalateAfter - 2_000);
      expect(overdueAfter, `${id} overdue`).toBeGreaterThanOrEqual(1_950);
      expect(overdueAfter, `${id} overdue`).toBeLessThan(3_500);
      expect(escalateAfter, `${id} escalated`).toBeGreaterThanOrEqual(1_950);
      expect(escalateAfter, `${id} escalated`).toBeLessThan(3_500);
      expect(instructionExecution(e, id).status).toBe('SUCCEEDED');
    }
    console.log(
      `[fan-out] deadline lateness max ${Math.max(...lateness)} ms; all 200 escalated ${Date.now() - t0} ms after start`,
    );
    expect(stubs.of('recordDispatchFailed')).toHaveLength(0);
  });

  it('does not hold an instruction back behind 40 banks whose connectors hang (the Map limit of 40)', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => instructionId(i + 1));
    const slow = new Set(ids.slice(0, 40));
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const stubs = new Stubs({
      dispatchInstruction: async (p) => {
        if (slow.has(String(p['instructionId']))) await gate;
        return { outcome: 'DELIVERED', waitSeconds: 1, awaiting: true, timeoutSeconds: 30 };
      },
    });
    const e = newEngine(stubs);
    engine = e;

    const t0 = Date.now();
    await e.startExecution('freezeOrder', ORDER_ID, {
      caseId: CASE_ID,
      orderId: ORDER_ID,
      instructionIds: ids,
    });
    const fast = ids.slice(40);
    await until(() => fast.every((id) => stubs.tokens(id).length === 1), 3_000, 'the 20 fast banks waiting');
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(stubs.dispatches('FREEZE')).toHaveLength(60);
    for (const id of slow) expect(stubs.tokens(id)).toHaveLength(0);

    release();
    await until(() => ids.every((id) => stubs.tokens(id).length === 1), 3_000, 'all 60 waiting');
    for (const id of ids) {
      await e.sendTaskSuccess(stubs.tokens(id)[0] ?? '', { instructionId: id, status: 'FROZEN' });
    }
    await e.idle();
    expect(ids.filter((id) => instructionExecution(e, id).status !== 'SUCCEEDED')).toEqual([]);
  });
});
