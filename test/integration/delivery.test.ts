/**
 * Delivery until the deadline (app/deliver-instruction.ts) against DynamoDB Local, with a bank
 * connector that fails the way real banks do: transient faults with Retry-After, permanent refusals,
 * a confirmation that arrives while the push is still failing, and redelivery.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type BankConnector,
  ConnectorPermanentError,
  ConnectorTransientError,
  type PushMessage,
} from '../../functions/adapters/bank-connector.ts';
import { queryCase } from '../../functions/adapters/dynamo/cases.ts';
import { getInstruction } from '../../functions/adapters/dynamo/instructions.ts';
import { skPrefix } from '../../functions/adapters/keys.ts';
import { deliverInstruction } from '../../functions/app/deliver-instruction.ts';
import { createGetCaseTotals } from '../../functions/get-case-totals/handler.ts';
import { createRecordConfirmation } from '../../functions/record-confirmation/handler.ts';
import { createRedeliverInstruction } from '../../functions/redeliver-instruction/handler.ts';
import { createRegisterBank } from '../../functions/register-bank/handler.ts';
import { useDynamoLocal } from '../support/dynamo.ts';
import { chainAudit, cny, openTestCase, submitOrder, testDependencies } from '../support/fixtures.ts';
import { admin, apiEvent, bank, call, police } from '../support/http-events.ts';

const dynamo = useDynamoLocal();

/** A bank whose next answers are scripted: each entry is thrown, or undefined = 2xx. */
class ScriptedBank implements BankConnector {
  readonly deliveries: { deliveryId: string; body: string; kind: string }[] = [];
  script: (Error | undefined)[] = [];
  otherwise: Error | undefined;
  /** While set, a push hangs until it resolves (an attempt in flight). */
  gate: Promise<void> | undefined;
  async push(_bank: unknown, message: PushMessage, deliveryId: string): Promise<void> {
    this.deliveries.push({ deliveryId, body: JSON.stringify(message), kind: message.kind });
    await this.gate;
    const next = this.script.length > 0 ? this.script.shift() : this.otherwise;
    if (next) throw next;
  }
}

describe('delivery until the deadline', () => {
  let clock: Date;
  let connector: ScriptedBank;
  let deps: ReturnType<typeof testDependencies>;
  let caseId: string;
  const advance = (seconds: number) => {
    clock = new Date(clock.getTime() + seconds * 1000);
  };

  beforeEach(async () => {
    clock = new Date('2026-12-01T10:00:00.000Z');
    connector = new ScriptedBank();
    deps = testDependencies(await dynamo.freshDb(), { connector, now: () => clock });
    const answer = await call(
      createRegisterBank(deps),
      apiEvent('registerBank', {
        claims: admin(),
        path: { bankId: 'B1' },
        body: {
          name: 'B1',
          mode: 'push',
          endpoint: 'http://127.0.0.1:9/hook',
          slaSeconds: 600,
          signingSecret: 'a-signing-secret-of-b1',
        },
      }),
    );
    expect(answer.status).toBeLessThan(300);
    caseId = await openTestCase(deps);
  });

  const newInstruction = async () => {
    const order = await submitOrder(deps, caseId, [
      { bankId: 'B1', accountNumber: '6222000000000001', minor: 5_000_000n },
    ]);
    return order.body.instructions[0]!.instructionId;
  };
  const confirm = (instructionId: string, confirmationId: string, minor: bigint) =>
    call<{ status: string }>(
      createRecordConfirmation(deps),
      apiEvent('recordConfirmation', {
        claims: bank('B1'),
        path: { bankId: 'B1', instructionId },
        body: { confirmationId, result: 'ACTIONED', frozen: cny(minor) },
      }),
    );
  const frozenTotal = async () =>
    (
      await call<{ frozen: { minor: string }[] }>(
        createGetCaseTotals(deps),
        apiEvent('getCaseTotals', { claims: police(), path: { caseId } }),
      )
    ).body.frozen;

  it('retries transient faults no earlier than Retry-After, with the same delivery id and body, until delivered', async () => {
    const id = await newInstruction();
    connector.script = [
      new ConnectorTransientError('connection refused'),
      new ConnectorTransientError('503', 20),
      new ConnectorTransientError('401 mid-rotation'),
    ];
    const waits: number[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const step = await deliverInstruction(deps, id);
      expect(step.outcome).toBe('RETRY');
      waits.push(step.waitSeconds);
      advance(step.waitSeconds);
    }
    expect(waits[1]).toBeGreaterThanOrEqual(20); // Retry-After is a floor
    const delivered = await deliverInstruction(deps, id);
    expect(delivered).toMatchObject({ outcome: 'DELIVERED', awaiting: true });
    // The DeliveryLatency metric's value: first attempt → the bank's acknowledgement.
    expect(delivered.deliveryLatencyMs).toBe(waits.reduce((a, b) => a + b, 0) * 1000);
    expect(connector.deliveries).toHaveLength(4);
    expect(new Set(connector.deliveries.map((d) => d.deliveryId))).toEqual(new Set([`${id}:FREEZE`]));
    expect(new Set(connector.deliveries.map((d) => d.body)).size).toBe(1); // the same body each time
    const stored = await getInstruction(deps.db, id);
    expect(stored).toMatchObject({ status: 'DISPATCHED', deliveryAttempts: 4, nextAttemptAt: null });
    // The deadline counts from the first attempt (fixed then, so the body never changed).
    expect(stored?.deadlineAt).toBe('2026-12-01T10:10:00.000Z');
    const body = JSON.parse(connector.deliveries[0]!.body) as { deadlineAt: string; holdUntil: string };
    expect(body.deadlineAt).toBe(stored?.deadlineAt);
    expect(body.holdUntil).toBe(stored?.holdUntil);
  });

  it('the workflow, a task retry and the reconciler side by side: one push per attempt, none before Retry-After', async () => {
    const id = await newInstruction();
    connector.script = [new ConnectorTransientError('503', 4)];
    let open: () => void = () => undefined;
    connector.gate = new Promise((resolve) => {
      open = resolve;
    });
    // Three invocations meet the same due delivery at once (no lock is shared between them: the
    // claim is a conditional write, app/deliver-instruction.ts claimAttempt).
    const racing = [
      deliverInstruction(deps, id, 'system:workflow'),
      deliverInstruction(deps, id, 'system:workflow'),
      deliverInstruction(deps, id, 'system:reconciler'),
    ];
    let settled = 0;
    for (const step of racing) void step.then(() => (settled += 1));
    await expect.poll(() => connector.deliveries.length).toBe(1);
    // The two that lost the claim answer while the attempt is still in flight (the gate holds it):
    // wait for them, so that a slow machine cannot make them read the retry written after it.
    await expect.poll(() => settled, { timeout: 10_000 }).toBe(2);
    open();
    connector.gate = undefined;
    const steps = await Promise.all(racing);
    expect(connector.deliveries).toHaveLength(1);
    // Each comes back: the one that pushed after Retry-After, the others once the attempt in flight is over.
    expect(steps.map((s) => s.outcome)).toEqual(['RETRY', 'RETRY', 'RETRY']);
    expect(steps.map((s) => s.waitSeconds).sort((a, b) => a - b)).toEqual([4, 15, 15]);
    // Before Retry-After nobody pushes, whoever asks; at it, one does.
    advance(3);
    const early = await Promise.all([
      deliverInstruction(deps, id),
      deliverInstruction(deps, id, 'system:reconciler'),
    ]);
    expect(early.map((s) => [s.outcome, s.waitSeconds])).toEqual([
      ['RETRY', 1],
      ['RETRY', 1],
    ]);
    expect(connector.deliveries).toHaveLength(1);
    advance(1);
    const due = await Promise.all([
      deliverInstruction(deps, id),
      deliverInstruction(deps, id, 'system:reconciler'),
    ]);
    expect(connector.deliveries).toHaveLength(2);
    // The other saw it in flight (RETRY) or, later, delivered (DONE): never a second push.
    expect(due.filter((s) => s.outcome === 'DELIVERED')).toHaveLength(1);
    await expect(getInstruction(deps.db, id)).resolves.toMatchObject({
      status: 'DISPATCHED',
      deliveryAttempts: 2,
    });
  });

  it('gives up at the deadline: DISPATCH_FAILED, escalated at once; a confirmation is then accepted and counted', async () => {
    const id = await newInstruction();
    connector.otherwise = new ConnectorTransientError('connection refused');
    let step = await deliverInstruction(deps, id);
    let attempts = 1;
    while (step.outcome === 'RETRY') {
      advance(step.waitSeconds);
      step = await deliverInstruction(deps, id);
      attempts += 1;
      expect(attempts).toBeLessThan(200);
    }
    expect(step).toMatchObject({ outcome: 'DONE', awaiting: false });
    expect(clock.getTime()).toBeLessThanOrEqual(Date.parse('2026-12-01T10:10:00.000Z') + 31_000);
    const failed = await getInstruction(deps.db, id);
    expect(failed).toMatchObject({ status: 'DISPATCH_FAILED', escalatedAt: clock.toISOString() });
    expect(deps.events.publish).toHaveBeenCalledTimes(1);
    await chainAudit(deps, caseId);
    const actions = (await queryCase(deps.db, caseId, skPrefix.auditEvent)).map((e) => String(e.action));
    expect(actions).toEqual(expect.arrayContaining(['DISPATCH_FAILED', 'INSTRUCTION_ESCALATED']));

    expect((await confirm(id, 'c-after-failure', 5_000_000n)).status).toBe(201);
    expect(await frozenTotal()).toEqual([cny(5_000_000n)]);
    const confirmed = await getInstruction(deps.db, id);
    expect(confirmed?.status).toBe('FROZEN');
    expect(confirmed?.holdUntil).not.toBeNull();
  });

  it('a permanent refusal (410) fails at once and escalates; redeliver delivers it again with the same id and body', async () => {
    const id = await newInstruction();
    connector.script = [new ConnectorPermanentError('410 Gone')];
    expect(await deliverInstruction(deps, id)).toMatchObject({ outcome: 'DONE' });
    expect((await getInstruction(deps.db, id))?.status).toBe('DISPATCH_FAILED');

    const answer = await call<{ status: string }>(
      createRedeliverInstruction(deps),
      apiEvent('redeliverInstruction', { claims: police(), path: { caseId, instructionId: id } }),
    );
    expect(answer.status).toBe(202);
    expect(deps.workflow.startExecution).toHaveBeenCalledWith(
      'stopPaymentInstruction',
      expect.stringContaining(`${id}-redeliver-`),
      { caseId, instructionId: id },
    );
    advance(1);
    expect(await deliverInstruction(deps, id)).toMatchObject({ outcome: 'DELIVERED', awaiting: true });
    expect((await getInstruction(deps.db, id))?.status).toBe('DISPATCHED');
    expect(connector.deliveries.map((d) => d.deliveryId)).toEqual([`${id}:FREEZE`, `${id}:FREEZE`]);
    expect(connector.deliveries[0]?.body).toBe(connector.deliveries[1]?.body);
  });

  it('redeliver refuses an instruction at an end (409) and another agency (404)', async () => {
    const id = await newInstruction();
    await deliverInstruction(deps, id);
    expect((await confirm(id, 'c1', 5_000_000n)).status).toBe(201);
    const refused = await call<{ rule: string }>(
      createRedeliverInstruction(deps),
      apiEvent('redeliverInstruction', { claims: admin(), path: { caseId, instructionId: id } }),
    );
    expect(refused.status).toBe(409);
    expect(refused.body.rule).toBe('INSTRUCTION_NOT_REDELIVERABLE');
    const foreign = await call(
      createRedeliverInstruction(deps),
      apiEvent('redeliverInstruction', { claims: police('PSB-OTHER'), path: { caseId, instructionId: id } }),
    );
    expect(foreign.status).toBe(404);
  });

  it('a bank that confirms while its push still fails is counted, gets a holdUntil, and the delivery is still recorded', async () => {
    const id = await newInstruction();
    connector.script = [new ConnectorTransientError('500')];
    expect((await deliverInstruction(deps, id)).outcome).toBe('RETRY');
    expect((await confirm(id, 'c-inbox', 2_000_000n)).status).toBe(201);
    const confirmed = await getInstruction(deps.db, id);
    expect(confirmed).toMatchObject({ status: 'PARTIALLY_FROZEN' });
    expect(confirmed?.holdUntil).not.toBeNull();
    // The confirmation ended the delivery: nothing more is pushed.
    advance(60);
    expect(await deliverInstruction(deps, id)).toMatchObject({ outcome: 'DONE', awaiting: false });
    expect(connector.deliveries).toHaveLength(1);
    expect(await frozenTotal()).toEqual([cny(2_000_000n)]);
  });
});
