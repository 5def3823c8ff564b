import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET } from '../../local/dev-jwt.ts';
import { type SimulatedBanks, startSimulatedBanks } from '../../local/simulated-banks.ts';
import { cny, legalBasis } from '../support/fixtures.ts';
import { useLocalSystem } from '../support/local-system.ts';

/**
 * Issue "Money trail and freeze lifecycle" end to end, through HTTP with a push bank: a hold expires,
 * one is extended, a late confirmation lands after OVERDUE, part of a hold goes back to the victim and
 * the rest to the holder — with the totals checked after every step.
 */
const local = useLocalSystem();
const police = { role: 'police' as const, agencyId: 'PSB-1' };
const simBank = { role: 'bank' as const, bankId: 'SIM' };
const regulator = { role: 'regulator' as const };
const SECOND_IN_HOURS = 1 / 3600;

let banks: SimulatedBanks;
let caseId = '';
const ids: Record<'A1' | 'A2' | 'A3', string> = { A1: '', A2: '', A3: '' };

interface Totals {
  frozen: { minor: string }[];
  expired: { minor: string }[];
  released: { minor: string }[];
  restored: { minor: string }[];
  instructions: Record<string, number>;
}
interface Instruction {
  instructionId: string;
  status: string;
  late: boolean;
  holdUntil: string | null;
  frozen: { minor: string };
  released: { minor: string };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const totals = async () =>
  (await local.api.request<Totals>('GET', `/cases/${caseId}/totals`, { as: police })).body;
const amounts = (t: Totals) => ({
  frozen: t.frozen[0]?.minor,
  expired: t.expired[0]?.minor,
  released: t.released[0]?.minor,
  restored: t.restored[0]?.minor,
});
const instruction = async (id: string) => {
  const view = await local.api.request<{ instructions: Instruction[]; releases: Instruction[] }>(
    'GET',
    `/cases/${caseId}`,
    { as: police },
  );
  return [...view.body.instructions, ...view.body.releases].find((i) => i.instructionId === id)!;
};
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
const confirm = (instructionId: string, body: Record<string, unknown>) =>
  local.api.request<{ status: string }>('POST', `/banks/SIM/instructions/${instructionId}/confirmations`, {
    as: simBank,
    body,
  });
const deliveries = (kind: string, id: string) =>
  banks.deliveries.filter((d) => d.kind === kind && d.message.instructionId === id);

beforeAll(async () => {
  banks = await startSimulatedBanks({
    jwtSecret: DEV_JWT_SECRET,
    banks: [
      {
        bankId: 'SIM',
        name: 'Sim',
        signingSecret: 'sim-secret-0123456789abcdef',
        slaSeconds: 2,
        accounts: {},
        defaultScript: { result: 'SILENT' },
      },
    ],
  });
  const api = local.api;
  await api.request('PUT', '/banks/SIM', {
    as: { role: 'admin' },
    body: {
      name: 'Sim',
      mode: 'push',
      endpoint: banks.endpoint('SIM'),
      slaSeconds: 2,
      signingSecret: 'sim-secret-0123456789abcdef',
    },
  });
  const opened = await api.request<{ caseId: string }>('POST', '/cases', {
    as: police,
    idempotencyKey: true,
    body: { reference: 'LIFECYCLE', reportedLoss: cny(100_000_000n), reportedAt: '2026-11-20T10:00:00Z' },
  });
  caseId = opened.body.caseId;
});

afterAll(async () => {
  await banks?.stop();
});

describe('holds, extension, late confirmation, release and restoration', () => {
  it('runs the whole lifecycle with exact totals after each step', async () => {
    const api = local.api;
    const order = async (targets: { account: string; minor: bigint }[], holdHours: number) => {
      const r = await api.request<{ instructions: { instructionId: string }[] }>(
        'POST',
        `/cases/${caseId}/freeze-orders`,
        {
          as: police,
          idempotencyKey: true,
          body: {
            legalBasis,
            holdHours,
            targets: targets.map((t) => ({ bankId: 'SIM', accountNumber: t.account, amount: cny(t.minor) })),
          },
        },
      );
      expect(r.status).toBe(202);
      return r.body.instructions.map((i) => i.instructionId);
    };
    // Long enough for both confirmations to land first even while sandboxes start cold (~0.5 s each).
    ids.A1 = (await order([{ account: 'A1', minor: 30_000_000n }], 12 * SECOND_IN_HOURS))[0]!;
    [ids.A2, ids.A3] = (await order(
      [
        { account: 'A2', minor: 20_000_000n },
        { account: 'A3', minor: 10_000_000n },
      ],
      1,
    )) as [string, string];
    for (const id of Object.values(ids))
      await until(`FREEZE of ${id}`, async () => (deliveries('FREEZE', id).length ? true : undefined));

    // 1. Two banks' holds are confirmed in full.
    expect(
      (await confirm(ids.A1, { confirmationId: 'a1', result: 'ACTIONED', frozen: cny(30_000_000n) })).status,
    ).toBe(201);
    expect(
      (await confirm(ids.A2, { confirmationId: 'a2', result: 'ACTIONED', frozen: cny(20_000_000n) })).status,
    ).toBe(201);
    expect(amounts(await totals())).toEqual({
      frozen: '50000000',
      expired: '0',
      released: '0',
      restored: '0',
    });

    // 2. A2's hold is extended: new holdUntil = now + 2 h, and the bank is told.
    const before = Date.now();
    const extended = await api.request<Instruction>(
      'POST',
      `/cases/${caseId}/instructions/${ids.A2}/extend`,
      {
        as: police,
        idempotencyKey: true,
        body: { legalBasis: { ...legalBasis, kind: 'Freeze (converted)', reference: 'FZ-9' }, holdHours: 2 },
      },
    );
    expect(extended.status).toBe(200);
    const newEnd = Date.parse(extended.body.holdUntil!);
    expect(newEnd).toBeGreaterThanOrEqual(before + 2 * 3600_000 - 1000);
    expect(newEnd).toBeLessThanOrEqual(Date.now() + 2 * 3600_000 + 1000);
    await until('EXTEND push', async () => (deliveries('EXTEND', ids.A2).length ? true : undefined));
    expect(amounts(await totals())).toEqual({
      frozen: '50000000',
      expired: '0',
      released: '0',
      restored: '0',
    });

    // 3. A3's bank stays silent past its deadline: OVERDUE (a reminder follows).
    await until('A3 OVERDUE', async () =>
      (await instruction(ids.A3)).status === 'OVERDUE' ? true : undefined,
    );

    // 4. A1's hold lapses unextended: EXPIRED, its amount moves from frozen to expired, the bank is told.
    const a1 = await until('A1 EXPIRED', async () => {
      const i = await instruction(ids.A1);
      return i.status === 'EXPIRED' ? i : undefined;
    });
    expect(Date.now() - Date.parse(a1.holdUntil!)).toBeLessThan(5_000);
    await until('EXPIRED push', async () => (deliveries('EXPIRED', ids.A1).length ? true : undefined));
    expect(amounts(await totals())).toEqual({
      frozen: '20000000',
      expired: '30000000',
      released: '0',
      restored: '0',
    });
    expect((await instruction(ids.A2)).status).toBe('FROZEN'); // extended: still held

    // 5. A3's bank answers late: applied in full, marked late.
    const late = await confirm(ids.A3, { confirmationId: 'a3', result: 'ACTIONED', frozen: cny(8_000_000n) });
    expect(late.status).toBe(201);
    expect(late.body.status).toBe('PARTIALLY_FROZEN');
    expect((await instruction(ids.A3)).late).toBe(true);
    expect(amounts(await totals())).toEqual({
      frozen: '28000000',
      expired: '30000000',
      released: '0',
      restored: '0',
    });

    // 6. Half of A3's hold goes back to the victim.
    const tooMuch = await api.request('POST', `/cases/${caseId}/releases`, {
      as: police,
      idempotencyKey: true,
      body: {
        instructionId: ids.A3,
        amount: cny(8_000_001n),
        disposition: 'RETURN_TO_VICTIM',
        authority: legalBasis,
      },
    });
    expect(tooMuch.status).toBe(409);
    const toVictim = await api.request<{
      releaseId: string;
      instructionId: string;
      releasesInstructionId: string;
      status: string;
    }>('POST', `/cases/${caseId}/releases`, {
      as: police,
      idempotencyKey: true,
      body: {
        instructionId: ids.A3,
        amount: cny(4_000_000n),
        disposition: 'RETURN_TO_VICTIM',
        authority: legalBasis,
      },
    });
    expect(toVictim.status).toBe(202);
    expect(toVictim.body).toMatchObject({ releasesInstructionId: ids.A3, status: 'PENDING' });
    expect(toVictim.body.instructionId).toBe(toVictim.body.releaseId);
    // While it is in flight the rest cannot be over-released either.
    const overReserved = await api.request('POST', `/cases/${caseId}/releases`, {
      as: police,
      idempotencyKey: true,
      body: {
        instructionId: ids.A3,
        amount: cny(4_000_001n),
        disposition: 'RELEASE_TO_HOLDER',
        authority: legalBasis,
      },
    });
    expect(overReserved.status).toBe(409);
    await until('RELEASE push', async () =>
      deliveries('RELEASE', toVictim.body.releaseId).length ? true : undefined,
    );
    const released1 = await confirm(toVictim.body.releaseId, {
      confirmationId: 'r1',
      result: 'ACTIONED',
      released: cny(4_000_000n),
    });
    expect(released1.status).toBe(201);
    expect(released1.body.status).toBe('RELEASED');
    expect(amounts(await totals())).toEqual({
      frozen: '24000000',
      expired: '30000000',
      released: '0',
      restored: '4000000',
    });
    expect((await instruction(ids.A3)).status).toBe('PARTIALLY_FROZEN');

    // 7. The rest is released to the account holder: A3 ends RELEASED.
    const toHolder = await api.request<{ releaseId: string }>('POST', `/cases/${caseId}/releases`, {
      as: police,
      idempotencyKey: true,
      body: {
        instructionId: ids.A3,
        amount: cny(4_000_000n),
        disposition: 'RELEASE_TO_HOLDER',
        authority: legalBasis,
      },
    });
    expect(toHolder.status).toBe(202);
    await until('second RELEASE push', async () =>
      deliveries('RELEASE', toHolder.body.releaseId).length ? true : undefined,
    );
    expect(
      (
        await confirm(toHolder.body.releaseId, {
          confirmationId: 'r2',
          result: 'ACTIONED',
          released: cny(4_000_000n),
        })
      ).status,
    ).toBe(201);
    const end = await totals();
    expect(amounts(end)).toEqual({
      frozen: '20000000',
      expired: '30000000',
      released: '4000000',
      restored: '4000000',
    });
    // frozen + expired + released + restored = everything ever frozen (30 + 20 + 8 million)
    expect(20_000_000 + 30_000_000 + 4_000_000 + 4_000_000).toBe(58_000_000);
    const a3 = await instruction(ids.A3);
    expect(a3.status).toBe('RELEASED');
    expect(a3.released.minor).toBe('8000000');
    expect(end.instructions).toMatchObject({
      FROZEN: 1,
      EXPIRED: 1,
      RELEASED: 1,
      PARTIALLY_FROZEN: 0,
      OVERDUE: 0,
    });
    // Releases are listed apart and never counted among the instructions.
    expect(Object.values(end.instructions).reduce((a, b) => a + b, 0)).toBe(3);

    // The regulators' view of the bank.
    const perf = await api.request<{
      banks: {
        bankId: string;
        received: number;
        confirmed: number;
        overdue: number;
        late: number;
        held: { minor: string }[];
        medianSeconds: number | null;
      }[];
    }>('GET', '/banks/performance', { as: regulator });
    expect(perf.status).toBe(200);
    const sim = perf.body.banks.find((b) => b.bankId === 'SIM')!;
    expect(sim.received).toBeGreaterThanOrEqual(5); // 3 freezes + 2 releases
    expect(sim.overdue).toBe(1);
    expect(sim.late).toBe(1);
    expect(sim.held).toEqual([cny(20_000_000n)]);
    expect(sim.medianSeconds).not.toBeNull();
  });
});
