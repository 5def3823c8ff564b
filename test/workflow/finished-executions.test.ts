/**
 * The local engine's bookkeeping stays bounded on a long run: only the most recent finished records
 * stay in `executions`, older finished executions are forgotten but their names still make a second
 * start a no-op (within a bounded memory of names), and a running execution is never forgotten.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { executionName } from '../../functions/adapters/workflow-client.ts';
import { type ExecutionRecord, LocalWorkflowEngine } from '../../local/workflow-engine.ts';
import { CASE_ID, instructionId, type Payload, Stubs, until } from './harness.ts';

let engine: LocalWorkflowEngine | undefined;

afterEach(async () => {
  await engine?.stop();
  engine = undefined;
});

const key = (n: number) => `stopPaymentInstruction:${executionName(instructionId(n))}`;

describe('finished executions', () => {
  it('keeps the most recent records, forgets older ones, and still treats their names as started', async () => {
    // Delivered with nothing to await: each instruction execution succeeds at once.
    const stubs = new Stubs({
      dispatchInstruction: () => ({
        outcome: 'DELIVERED',
        waitSeconds: 1,
        awaiting: false,
        timeoutSeconds: 1,
      }),
    });
    const e = new LocalWorkflowEngine(stubs.functions(), {
      keepFinishedRecords: 2,
      rememberFinishedNames: 3,
    });
    engine = e;
    const started: string[] = [];
    e.on('executionStarted', (r: ExecutionRecord) => started.push(r.name));
    const run = async (n: number) => {
      const id = instructionId(n);
      await e.startExecution('stopPaymentInstruction', id, { caseId: CASE_ID, instructionId: id });
      await e.idle();
    };

    for (const n of [1, 2, 3, 4, 5]) await run(n);
    expect([...e.executions.keys()]).toEqual([key(4), key(5)]);
    expect([...e.executions.values()].map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);

    // 1, 2 and 3 are forgotten records but remembered names: starting them again is a no-op.
    for (const n of [1, 2, 3, 4, 5]) await run(n);
    expect(started).toEqual([1, 2, 3, 4, 5].map((n) => instructionId(n)));
    expect(stubs.of('dispatchInstruction', instructionId(1))).toHaveLength(1);

    // Memory of names is bounded too: two more finished executions push 1 and 2 out of it.
    await run(6);
    await run(7);
    expect([...e.executions.keys()]).toEqual([key(6), key(7)]);
    await run(1);
    expect(stubs.of('dispatchInstruction', instructionId(1))).toHaveLength(2);
    // Names now remembered: 4, 5, 6 (the records of 7 and 1 are kept).
    expect([...e.executions.keys()]).toEqual([key(7), key(1)]);
    await run(4);
    expect(stubs.of('dispatchInstruction', instructionId(4))).toHaveLength(1);
  });

  it('never forgets a running execution', async () => {
    const waiting = instructionId(9);
    const stubs = new Stubs({
      // Instruction 9 waits for its bank (a token that never comes); the others finish at once.
      dispatchInstruction: (p: Payload) =>
        p['instructionId'] === waiting
          ? { outcome: 'DELIVERED', waitSeconds: 1, awaiting: true, timeoutSeconds: 30 }
          : { outcome: 'DELIVERED', waitSeconds: 1, awaiting: false, timeoutSeconds: 1 },
    });
    const e = new LocalWorkflowEngine(stubs.functions(), {
      keepFinishedRecords: 1,
      rememberFinishedNames: 1,
    });
    engine = e;
    await e.startExecution('stopPaymentInstruction', waiting, { caseId: CASE_ID, instructionId: waiting });
    await until(() => stubs.tokens(waiting).length === 1, 5_000, 'the token registration');
    for (const n of [1, 2, 3]) {
      const id = instructionId(n);
      await e.startExecution('stopPaymentInstruction', id, { caseId: CASE_ID, instructionId: id });
      await until(() => e.executions.get(key(n))?.status !== 'RUNNING', 5_000, `instruction ${n}`);
    }
    await until(() => e.executions.size === 2, 5_000, 'the older finished records dropped');
    expect(e.executions.get(key(9))?.status).toBe('RUNNING');
    expect([...e.executions.keys()].sort()).toEqual([key(3), key(9)].sort());
  });
});
