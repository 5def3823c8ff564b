import { beforeEach, describe, expect, it } from 'vitest';
import { loadCaseView } from '../../functions/adapters/dynamo/cases.ts';
import { verifyAuditChain } from '../../functions/domain/audit-chain.ts';
import { createGetCaseTotals } from '../../functions/get-case-totals/handler.ts';
import { createRecordConfirmation } from '../../functions/record-confirmation/handler.ts';
import { createRegulatorTotals } from '../../functions/regulator-totals/handler.ts';
import { dumpTable as dump } from '../support/dump.ts';
import { useDynamoLocal } from '../support/dynamo.ts';
import {
  chainAudit,
  cny,
  openTestCase,
  registerPullBank,
  submitOrder,
  testDependencies,
} from '../support/fixtures.ts';
import { apiEvent, bank, call, police, regulator } from '../support/http-events.ts';

const dynamo = useDynamoLocal();

describe('recording confirmations against DynamoDB Local', () => {
  let deps: ReturnType<typeof testDependencies>;
  let caseId: string;

  beforeEach(async () => {
    deps = testDependencies(await dynamo.freshDb());
    await registerPullBank(deps, 'B1');
    caseId = await openTestCase(deps);
  });

  const confirm = (instructionId: string, body: Record<string, unknown>, bankId = 'B1') =>
    call<{ instructionId: string; status: string }>(
      createRecordConfirmation(deps),
      apiEvent('recordConfirmation', { claims: bank(bankId), path: { bankId, instructionId }, body }),
    );
  const totals = async () =>
    (
      await call<{ frozen: { currency: string; minor: string }[]; instructions: Record<string, number> }>(
        createGetCaseTotals(deps),
        apiEvent('getCaseTotals', { claims: police(), path: { caseId } }),
      )
    ).body;

  it('counts a duplicate confirmation once, sequentially and concurrently', async () => {
    const order = await submitOrder(deps, caseId, [
      { bankId: 'B1', accountNumber: '6222000000000001', minor: 5_000_000n },
    ]);
    const id = order.body.instructions[0]!.instructionId;
    const body = { confirmationId: 'conf-1', result: 'ACTIONED', frozen: cny(3_000_000n) };
    const answers = await Promise.all([confirm(id, body), confirm(id, body), confirm(id, body)]);
    const again = await confirm(id, body);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 201]);
    expect(again.status).toBe(200);
    for (const a of [...answers, again])
      expect(a.body).toEqual({ instructionId: id, status: 'PARTIALLY_FROZEN' });
    expect((await totals()).frozen).toEqual([cny(3_000_000n)]);
    const view = await loadCaseView(deps.db, caseId);
    expect(view?.confirmations).toHaveLength(1);
  });

  it('answers a retry with a rebuilt reportedAt and reason as a replay (200), and another amount as 409', async () => {
    const order = await submitOrder(deps, caseId, [
      { bankId: 'B1', accountNumber: '6222000000000009', minor: 5_000_000n },
    ]);
    const id = order.body.instructions[0]!.instructionId;
    const first = {
      confirmationId: 'retry-1',
      result: 'ACTIONED',
      frozen: cny(1_000n),
      reportedAt: '2026-12-01T10:00:00Z',
      reason: 'first try',
    };
    expect((await confirm(id, first)).status).toBe(201);
    const retry = await confirm(id, {
      ...first,
      reportedAt: '2026-12-01T10:00:09Z',
      reason: 'rebuilt on retry',
    });
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual({ instructionId: id, status: 'PARTIALLY_FROZEN' });
    const conflicting = await confirm(id, { ...first, frozen: cny(2_000n) });
    expect(conflicting.status).toBe(409);
    expect((conflicting.body as unknown as { rule: string }).rule).toBe('CONFIRMATION_ID_REUSED');
    expect((await totals()).frozen).toEqual([cny(1_000n)]);
  });

  it('refuses a confirmation that does not fit the state (409) and writes nothing', async () => {
    const order = await submitOrder(deps, caseId, [
      { bankId: 'B1', accountNumber: '6222000000000002', minor: 1000n },
    ]);
    const id = order.body.instructions[0]!.instructionId;
    expect(
      (await confirm(id, { confirmationId: 'c-1', result: 'ACTIONED', frozen: cny(1000n) })).status,
    ).toBe(201);
    const before = await dump(deps.db);
    const second = await confirm(id, { confirmationId: 'c-2', result: 'ACTIONED', frozen: cny(500n) });
    expect(second.status).toBe(409);
    expect(second.headers['content-type']).toBe('application/problem+json');
    const invalid = await confirm(id, { confirmationId: 'c-3', result: 'ACTIONED', frozen: cny(5000n) });
    expect(invalid.status).toBe(422);
    expect(await dump(deps.db)).toBe(before);
  });

  it('the same confirmationId with another body is a conflict, not a replay', async () => {
    const order = await submitOrder(deps, caseId, [
      { bankId: 'B1', accountNumber: '6222000000000003', minor: 1000n },
    ]);
    const id = order.body.instructions[0]!.instructionId;
    expect(
      (await confirm(id, { confirmationId: 'c-1', result: 'ACTIONED', frozen: cny(1000n) })).status,
    ).toBe(201);
    expect((await confirm(id, { confirmationId: 'c-1', result: 'ACTIONED', frozen: cny(999n) })).status).toBe(
      409,
    );
  });

  it('a confirmationId reused for another instruction is refused (409) and completes nothing', async () => {
    const order = await submitOrder(deps, caseId, [
      { bankId: 'B1', accountNumber: '6222000000000011', minor: 1000n },
      { bankId: 'B1', accountNumber: '6222000000000012', minor: 1000n },
    ]);
    const [first, second] = order.body.instructions;
    const body = { confirmationId: 'same', result: 'ACTIONED', frozen: cny(1000n) };
    expect((await confirm(first!.instructionId, body)).status).toBe(201);
    const before = await dump(deps.db);
    expect((await confirm(second!.instructionId, body)).status).toBe(409);
    expect(await dump(deps.db)).toBe(before);
  });

  it('50 concurrent confirmations on one case add up exactly, with an unbroken audit chain', async () => {
    const targets = Array.from({ length: 50 }, (_, i) => ({
      bankId: 'B1',
      accountNumber: `62220000000${String(i).padStart(5, '0')}`,
      minor: 1_000_000n + BigInt(i),
    }));
    const order = await submitOrder(deps, caseId, targets);
    expect(order.status).toBe(202);
    // Frozen amounts chosen so the exact sum is known: instruction i freezes i * 1001 + 7 (≤ requested).
    const expected = order.body.instructions.reduce((sum, _, i) => sum + BigInt(i * 1001 + 7), 0n);
    const answers = await Promise.all(
      order.body.instructions.map((instr, i) =>
        confirm(instr.instructionId, {
          confirmationId: `c-${i}`,
          result: 'ACTIONED',
          frozen: cny(i * 1001 + 7),
        }),
      ),
    );
    expect(answers.every((a) => a.status === 201)).toBe(true);
    const t = await totals();
    expect(t.frozen).toEqual([cny(expected)]);
    expect(t.instructions.PARTIALLY_FROZEN).toBe(50);
    expect(t.instructions.PENDING).toBe(0);
    await chainAudit(deps, caseId);
    const view = await loadCaseView(deps.db, caseId);
    const chain = verifyAuditChain(view!.auditEvents);
    expect(chain.verified).toBe(true);
    // opened + order submitted + 50 confirmations, seq 1..52 with no gap
    expect(view!.auditEvents.map((e) => e.seq)).toEqual(Array.from({ length: 52 }, (_, i) => i + 1));

    const period = await call<{
      overall: { currency: string; minor: string }[];
      byBank: { bankId: string }[];
    }>(createRegulatorTotals(deps), apiEvent('regulatorTotals', { claims: regulator() }));
    expect(period.status).toBe(200);
    expect(period.body.overall).toEqual([cny(expected)]);
    expect(period.body.byBank.map((b) => b.bankId)).toEqual(['B1']);
  });

  it('completes the waiting workflow task when a token is stored', async () => {
    const order = await submitOrder(deps, caseId, [
      { bankId: 'B1', accountNumber: '6222000000000004', minor: 1000n },
    ]);
    const id = order.body.instructions[0]!.instructionId;
    const { storeTaskToken } = await import('../../functions/adapters/dynamo/instructions.ts');
    await storeTaskToken(deps.db, id, 'token-123');
    await confirm(id, { confirmationId: 'c-1', result: 'ACCOUNT_NOT_FOUND' });
    expect(deps.workflow.sendTaskSuccess).toHaveBeenCalledWith('token-123', {
      instructionId: id,
      status: 'ACCOUNT_NOT_FOUND',
    });
  });

  it("answers 404 for another bank's instruction and writes nothing", async () => {
    await registerPullBank(deps, 'B2');
    const order = await submitOrder(deps, caseId, [
      { bankId: 'B1', accountNumber: '6222000000000005', minor: 1000n },
    ]);
    const id = order.body.instructions[0]!.instructionId;
    const before = await dump(deps.db);
    const answer = await call(
      createRecordConfirmation(deps),
      apiEvent('recordConfirmation', {
        claims: bank('B2'),
        path: { bankId: 'B2', instructionId: id },
        body: { confirmationId: 'x', result: 'ACCOUNT_NOT_FOUND' },
      }),
    );
    expect(answer.status).toBe(404);
    expect(await dump(deps.db)).toBe(before);
  });
});
