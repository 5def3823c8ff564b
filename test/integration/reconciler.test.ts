/**
 * The reconciler (app/reconcile.ts) against DynamoDB Local: every workflow is "dead" here (the
 * workflow client is a stub that runs nothing), as after a crash or a restart, and a sweep must
 * carry each open instruction on from the table alone, exactly once, however many sweeps race.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { BankConnector, PushMessage } from '../../functions/adapters/bank-connector.ts';
import { queryCase } from '../../functions/adapters/dynamo/cases.ts';
import { getInstruction, getInstructionItem } from '../../functions/adapters/dynamo/instructions.ts';
import { skPrefix } from '../../functions/adapters/keys.ts';
import { reconcile } from '../../functions/app/reconcile.ts';
import { createGetCaseTotals } from '../../functions/get-case-totals/handler.ts';
import { createRecordConfirmation } from '../../functions/record-confirmation/handler.ts';
import { createRegisterBank } from '../../functions/register-bank/handler.ts';
import { useDynamoLocal } from '../support/dynamo.ts';
import { chainAudit, cny, openTestCase, submitOrder, testDependencies } from '../support/fixtures.ts';
import { admin, apiEvent, bank, call, police } from '../support/http-events.ts';

const dynamo = useDynamoLocal();
const options = { graceMs: 3_000, leaseMs: 30_000, limit: 100 };

class RecordingBank implements BankConnector {
  readonly pushes: { kind: string; deliveryId: string; body: string }[] = [];
  async push(_bank: unknown, message: PushMessage, deliveryId: string): Promise<void> {
    this.pushes.push({ kind: message.kind, deliveryId, body: JSON.stringify(message) });
  }
}

describe('the reconciler carries on what no workflow is doing', () => {
  let clock: Date;
  let connector: RecordingBank;
  let deps: ReturnType<typeof testDependencies>;
  let caseId: string;
  const advance = (seconds: number) => {
    clock = new Date(clock.getTime() + seconds * 1000);
  };
  const sweep = () => reconcile(deps, options);

  beforeEach(async () => {
    clock = new Date('2026-12-01T10:00:00.000Z');
    connector = new RecordingBank();
    deps = testDependencies(await dynamo.freshDb(), { connector, now: () => clock });
    for (const bankId of ['B1', 'B2']) {
      const answer = await call(
        createRegisterBank(deps),
        apiEvent('registerBank', {
          claims: admin(),
          path: { bankId },
          body: {
            name: bankId,
            mode: 'push',
            endpoint: `http://127.0.0.1:9/${bankId}`,
            slaSeconds: 60,
            signingSecret: `a-signing-secret-of-${bankId}`,
          },
        }),
      );
      expect(answer.status).toBeLessThan(300);
    }
    caseId = await openTestCase(deps);
  });

  const order = async (n: number, holdHours?: number) =>
    (
      await submitOrder(
        deps,
        caseId,
        Array.from({ length: n }, (_, i) => ({
          bankId: 'B1',
          accountNumber: `62220000000${String(100 + i)}`,
          minor: 1_000_000n,
        })),
        holdHours ? { holdHours } : {},
      )
    ).body.instructions.map((i) => i.instructionId);
  const confirm = (instructionId: string, body: Record<string, unknown>) =>
    call(
      createRecordConfirmation(deps),
      apiEvent('recordConfirmation', {
        claims: bank('B1'),
        path: { bankId: 'B1', instructionId },
        body,
      }),
    );
  const auditActions = async () => {
    await chainAudit(deps, caseId);
    return (await queryCase(deps.db, caseId, skPrefix.auditEvent)).map((e) => String(e.action));
  };

  it('delivers instructions whose workflow never ran, once each, even with sweeps racing', async () => {
    const ids = await order(5);
    // Not due yet: within the grace a workflow would still be doing it.
    expect((await sweep()).claimed).toBe(0);
    advance(4);
    const reports = await Promise.all([sweep(), sweep(), sweep()]);
    expect(reports.reduce((n, r) => n + (r.done.DELIVER ?? 0), 0)).toBe(5);
    expect(connector.pushes.map((p) => p.deliveryId).sort()).toEqual(ids.map((id) => `${id}:FREEZE`).sort());
    for (const id of ids) expect((await getInstruction(deps.db, id))?.status).toBe('DISPATCHED');
  });

  it('marks OVERDUE at the deadline, reminds once, then escalates at the second deadline', async () => {
    const [id] = await order(1);
    advance(4);
    await sweep();
    advance(60); // the SLA: deadlineAt passed
    expect((await sweep()).claimed).toBe(0); // still within the grace
    advance(4);
    expect((await sweep()).done).toMatchObject({ OVERDUE: 1 });
    expect((await getInstruction(deps.db, id!))?.status).toBe('OVERDUE');
    advance(4);
    expect((await sweep()).done).toMatchObject({ REMIND: 1 });
    expect(connector.pushes.map((p) => p.kind)).toEqual(['FREEZE', 'REMINDER']);
    advance(64);
    expect((await sweep()).done).toMatchObject({ ESCALATE: 1 });
    const escalated = await getInstruction(deps.db, id!);
    expect(escalated).toMatchObject({ status: 'OVERDUE' });
    expect(escalated?.escalatedAt).not.toBeNull();
    expect(deps.events.publish).toHaveBeenCalledTimes(1);
    // At an end for the reconciler: nothing more is due, the index entry is gone.
    advance(3_600);
    expect((await sweep()).claimed).toBe(0);
    expect((await getInstructionItem(deps.db, id!))?.GSI3PK).toBeUndefined();
    expect(await auditActions()).toEqual(
      expect.arrayContaining(['INSTRUCTION_OVERDUE', 'REMINDER_SENT', 'INSTRUCTION_ESCALATED']),
    );
  });

  it('expires a hold at holdUntil with no hold timer running, tells the bank once, and counts it as expired', async () => {
    const [id] = await order(1, 0.01); // 36 s
    advance(4);
    await sweep();
    expect(
      (await confirm(id!, { confirmationId: 'c1', result: 'ACTIONED', frozen: cny(600_000n) })).status,
    ).toBe(201);
    advance(36 + 4);
    const report = await sweep();
    expect(report.done).toMatchObject({ EXPIRE: 1 });
    expect(await getInstruction(deps.db, id!)).toMatchObject({ status: 'EXPIRED', pendingNotice: null });
    expect(connector.pushes.filter((p) => p.kind === 'EXPIRED')).toHaveLength(1);
    const totals = await call<{ frozen: unknown[]; expired: unknown[] }>(
      createGetCaseTotals(deps),
      apiEvent('getCaseTotals', { claims: police(), path: { caseId } }),
    );
    expect(totals.body.frozen).toEqual([cny(0n)]);
    expect(totals.body.expired).toEqual([cny(600_000n)]);
    advance(600);
    await sweep();
    expect(connector.pushes.filter((p) => p.kind === 'EXPIRED')).toHaveLength(1);
  });

  it('follows the money of an acknowledged confirmation whose stream record was never handled', async () => {
    const [id] = await order(1);
    advance(4);
    await sweep();
    const answer = await confirm(id!, {
      confirmationId: 'moved',
      result: 'ACTIONED',
      frozen: cny(0n),
      onwardTransfers: [
        {
          toBankId: 'B2',
          toAccount: '6222999900000001',
          amount: cny(700_000n),
          transferredAt: '2026-12-01T09:59:00Z',
        },
      ],
    });
    expect(answer.status).toBe(201);
    // No stream consumer ran (the process died after the 201): the due index has it.
    advance(4);
    expect((await sweep()).done).toMatchObject({ FOLLOW: 1 });
    const trail = await queryCase(deps.db, caseId, skPrefix.trailEdge);
    expect(trail).toHaveLength(1);
    expect(trail[0]).toMatchObject({ followed: true, toBankId: 'B2' });
    // The follow-on is PENDING in the table: the next sweep delivers it (its fan-out never started).
    advance(4);
    expect((await sweep()).done).toMatchObject({ DELIVER: 1 });
    const followOnId = String(trail[0]?.toInstructionId);
    expect((await getInstruction(deps.db, followOnId))?.status).toBe('DISPATCHED');
    expect(connector.pushes.at(-1)?.deliveryId).toBe(`${followOnId}:FREEZE`);
  });
});
