/**
 * workflows/freeze-order.asl.json run by the local engine with stub tasks: the fan-out to one
 * stop-payment-instruction execution per instruction, the summary, and idempotent starts.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectorPermanentError } from '../../functions/adapters/bank-connector.ts';
import { executionName } from '../../functions/adapters/workflow-client.ts';
import { type ExecutionRecord, LocalWorkflowEngine } from '../../local/workflow-engine.ts';
import {
  CASE_ID,
  execution,
  instructionExecution,
  instructionId,
  newEngine,
  ORDER_ID,
  outputOf,
  Stubs,
  until,
} from './harness.ts';

let engine: LocalWorkflowEngine | undefined;

function engineFor(stubs: Stubs): LocalWorkflowEngine {
  engine = newEngine(stubs);
  return engine;
}

afterEach(async () => {
  await engine?.stop();
  engine = undefined;
});

/** Records every 'executionStarted' event as `workflow:name`. */
function startedLog(e: LocalWorkflowEngine): string[] {
  const log: string[] = [];
  e.on('executionStarted', (r: ExecutionRecord) => log.push(`${r.workflow}:${executionName(r.name)}`));
  return log;
}

const orderInput = (orderId: string, instructionIds: string[]) => ({
  caseId: CASE_ID,
  orderId,
  instructionIds,
});

describe('freeze order fan-out', () => {
  it('starts one instruction execution per instruction, each dispatched once, and summarizes the order', async () => {
    const ids = [1, 2, 3].map((n) => instructionId(n));
    const stubs = new Stubs({
      summarizeOrder: (p) => ({ orderId: p['orderId'], instructions: 3, summarized: true }),
    });
    const e = engineFor(stubs);
    const started = startedLog(e);

    await e.startExecution('freezeOrder', ORDER_ID, orderInput(ORDER_ID, ids));
    const order = execution(e, 'freezeOrder', ORDER_ID);
    await until(() => ids.every((id) => stubs.tokens(id).length === 1), 5_000, 'three token registrations');

    expect(started).toEqual([
      `freezeOrder:${executionName(ORDER_ID)}`,
      ...ids.map((id) => `stopPaymentInstruction:${executionName(id)}`),
    ]);
    for (const id of ids) {
      const record = instructionExecution(e, id);
      expect(record.input).toEqual({ caseId: CASE_ID, instructionId: id });
      expect(stubs.of('dispatchInstruction', id).map((c) => c.payload)).toEqual([
        { caseId: CASE_ID, instructionId: id, kind: 'FREEZE' },
      ]);
      expect(stubs.of('registerTaskToken', id)[0]?.payload).toEqual({
        caseId: CASE_ID,
        instructionId: id,
        taskToken: expect.any(String),
        timeoutSeconds: 30,
      });
      expect(record.status).toBe('RUNNING');
    }
    expect(new Set(ids.flatMap((id) => stubs.tokens(id))).size).toBe(3);

    // The order only starts the instruction workflows: it is done before any bank answered.
    await order.done;
    expect(order.status).toBe('SUCCEEDED');
    expect(stubs.of('summarizeOrder').map((c) => c.payload)).toEqual([orderInput(ORDER_ID, ids)]);
    expect(outputOf(order)).toEqual({ summary: { orderId: ORDER_ID, instructions: 3, summarized: true } });

    // The test acts as the confirmation handler.
    for (const id of ids) {
      await e.sendTaskSuccess(stubs.tokens(id)[0] ?? '', { instructionId: id, status: 'FROZEN' });
    }
    await e.idle();
    for (const id of ids) {
      const record = instructionExecution(e, id);
      expect(record.status).toBe('SUCCEEDED');
      expect(outputOf(record)['confirmation']).toEqual({ instructionId: id, status: 'FROZEN' });
    }
    expect(stubs.of('recordOverdue')).toHaveLength(0);
    expect(stubs.of('escalateInstruction')).toHaveLength(0);
    expect(stubs.of('recordDispatchFailed')).toHaveLength(0);
    expect(stubs.dispatches('REMINDER')).toHaveLength(0);
  });

  it('summarizes an empty batch without starting anything', async () => {
    const stubs = new Stubs();
    const e = engineFor(stubs);
    const started = startedLog(e);
    await e.startExecution('freezeOrder', ORDER_ID, orderInput(ORDER_ID, []));
    await e.idle();
    expect(started).toEqual([`freezeOrder:${executionName(ORDER_ID)}`]);
    expect(execution(e, 'freezeOrder', ORDER_ID).status).toBe('SUCCEEDED');
    expect(stubs.calls.map((c) => c.fn)).toEqual(['summarizeOrder']);
  });

  type Behaviour =
    | { kind: 'confirmsAtOnce' }
    | { kind: 'notAwaiting' }
    | { kind: 'permanent' }
    | { kind: 'retryThenOk'; retries: number }
    | { kind: 'givesUp'; retries: number }
    | { kind: 'stepFails' };

  const behaviour: fc.Arbitrary<Behaviour> = fc.oneof(
    fc.constant<Behaviour>({ kind: 'confirmsAtOnce' }),
    fc.constant<Behaviour>({ kind: 'notAwaiting' }),
    fc.constant<Behaviour>({ kind: 'permanent' }),
    fc.integer({ min: 1, max: 8 }).map<Behaviour>((retries) => ({ kind: 'retryThenOk', retries })),
    fc.integer({ min: 0, max: 4 }).map<Behaviour>((retries) => ({ kind: 'givesUp', retries })),
    fc.constant<Behaviour>({ kind: 'stepFails' }),
  );

  it('property: every instruction of any order ends on its own path, whatever its bank does', async () => {
    // One engine for all runs (building one validates both ASL files); each run has its own ids.
    const behaviours = new Map<string, Behaviour>();
    const attempts = new Map<string, number>();
    let e!: LocalWorkflowEngine;
    const stubs = new Stubs({
      dispatchInstruction: (p) => {
        const id = String(p['instructionId']);
        const n = (attempts.get(id) ?? 0) + 1;
        attempts.set(id, n);
        const b = behaviours.get(id);
        const retry = { outcome: 'RETRY', awaiting: false, timeoutSeconds: 30, waitSeconds: 1 };
        if (b?.kind === 'permanent') throw new ConnectorPermanentError('422 from bank');
        if (b?.kind === 'stepFails') throw new Error('a bug in the step');
        if (b?.kind === 'retryThenOk' && n <= b.retries) return retry;
        if (b?.kind === 'givesUp') {
          return n <= b.retries
            ? retry
            : { outcome: 'DONE', awaiting: false, timeoutSeconds: 1, waitSeconds: 1 };
        }
        return {
          outcome: 'DELIVERED',
          awaiting: b?.kind !== 'notAwaiting',
          timeoutSeconds: 30,
          waitSeconds: 1,
        };
      },
      registerTaskToken: (p) => {
        void e.sendTaskSuccess(String(p['taskToken']), {
          instructionId: p['instructionId'],
          status: 'FROZEN',
        });
        return { completed: true };
      },
    });
    e = new LocalWorkflowEngine(stubs.functions(), {
      retryIntervalOverrides: { DispatchInstruction: 5, EscalateOnError: 5, RecordDispatchFailed: 5 },
      waitTimeOverrides: { WaitBeforeRetry: 5 },
    });
    engine = e;
    let run = 0;

    await fc.assert(
      fc.asyncProperty(fc.array(behaviour, { maxLength: 12 }), async (plan) => {
        run += 1;
        const orderId = `${CASE_ID}.O${String(run).padStart(6, '0')}`;
        const ids = plan.map((_, i) => instructionId(i + 1, orderId));
        for (const [i, id] of ids.entries()) behaviours.set(id, plan[i] ?? { kind: 'confirmsAtOnce' });

        await e.startExecution('freezeOrder', orderId, orderInput(orderId, ids));
        await e.idle();

        expect(execution(e, 'freezeOrder', orderId).status).toBe('SUCCEEDED');
        expect(stubs.of('summarizeOrder').filter((c) => c.payload['orderId'] === orderId)).toHaveLength(1);
        ids.forEach((id, i) => {
          const b = plan[i];
          const record = instructionExecution(e, id);
          expect(record.status).toBe('SUCCEEDED');
          const trail = stubs.trail(id);
          const freezes = trail.filter((t) => t === 'dispatchInstruction:FREEZE').length;
          switch (b?.kind) {
            case 'confirmsAtOnce':
              expect(trail).toEqual(['dispatchInstruction:FREEZE', 'registerTaskToken']);
              break;
            case 'notAwaiting':
              expect(trail).toEqual(['dispatchInstruction:FREEZE']);
              break;
            case 'permanent':
              expect(trail).toEqual(['dispatchInstruction:FREEZE', 'recordDispatchFailed']);
              break;
            case 'retryThenOk':
              expect(freezes).toBe(b.retries + 1);
              expect(trail.slice(freezes)).toEqual(['registerTaskToken']);
              break;
            case 'givesUp':
              expect(trail).toEqual(Array(b.retries + 1).fill('dispatchInstruction:FREEZE'));
              break;
            case 'stepFails':
              expect(trail).toEqual(['dispatchInstruction:FREEZE', 'escalateInstruction']);
              break;
            default:
              throw new Error('no behaviour');
          }
        });
      }),
      { numRuns: 25 },
    );
  });
});

describe('idempotent starts', () => {
  it('runs one execution for two starts with the same name', async () => {
    const id = instructionId(1);
    const stubs = new Stubs();
    const e = engineFor(stubs);
    const started = startedLog(e);

    await e.startExecution('stopPaymentInstruction', id, { caseId: CASE_ID, instructionId: id });
    const first = instructionExecution(e, id);
    await e.startExecution('stopPaymentInstruction', id, { caseId: CASE_ID, instructionId: id });
    expect(instructionExecution(e, id)).toBe(first);
    await until(() => stubs.tokens(id).length === 1, 5_000, 'the token registration');

    expect(started).toEqual([`stopPaymentInstruction:${executionName(id)}`]);
    expect(stubs.of('dispatchInstruction', id)).toHaveLength(1);
    expect([...e.executions.keys()]).toEqual([`stopPaymentInstruction:${executionName(id)}`]);
  });

  it('runs a freeze order once, and a follow-on batch starts only the instructions without an execution', async () => {
    const ids = [1, 2, 3].map((n) => instructionId(n));
    const stubs = new Stubs();
    const e = engineFor(stubs);
    const started = startedLog(e);

    await e.startExecution('freezeOrder', ORDER_ID, orderInput(ORDER_ID, ids));
    await e.startExecution('freezeOrder', ORDER_ID, orderInput(ORDER_ID, ids));
    await until(() => ids.every((id) => stubs.tokens(id).length === 1), 5_000, 'three token registrations');
    await execution(e, 'freezeOrder', ORDER_ID).done;
    expect(stubs.of('summarizeOrder')).toHaveLength(1);

    // Instruction 1 is confirmed and finished; 2 and 3 are still waiting.
    const [id1, id2, id3] = ids as [string, string, string];
    await e.sendTaskSuccess(stubs.tokens(id1)[0] ?? '', { instructionId: id1, status: 'FROZEN' });
    await instructionExecution(e, id1).done;
    expect(instructionExecution(e, id1).status).toBe('SUCCEEDED');

    // A redelivered follow-on batch names the old instructions again plus one new one.
    const followId = `${id2}-1`;
    const followName = `${ORDER_ID}-follow`;
    await e.startExecution('freezeOrder', followName, orderInput(ORDER_ID, [id1, id2, id3, followId]));
    const follow = execution(e, 'freezeOrder', followName);
    await follow.done;
    await until(() => stubs.tokens(followId).length === 1, 5_000, 'the follow-on token');

    expect(follow.status).toBe('SUCCEEDED');
    expect(started).toEqual([
      `freezeOrder:${executionName(ORDER_ID)}`,
      ...ids.map((id) => `stopPaymentInstruction:${executionName(id)}`),
      `freezeOrder:${executionName(followName)}`,
      `stopPaymentInstruction:${executionName(followId)}`,
    ]);
    for (const id of ids) expect(stubs.of('dispatchInstruction', id)).toHaveLength(1);
    expect(stubs.of('dispatchInstruction', followId)).toHaveLength(1);
    expect(instructionExecution(e, id2).status).toBe('RUNNING');
    expect(stubs.of('summarizeOrder')).toHaveLength(2);
  });
});
