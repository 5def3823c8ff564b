import { createHash } from 'node:crypto';
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { cny, legalBasis } from '../support/fixtures.ts';
import { useLocalSystem } from '../support/local-system.ts';

/**
 * docs/api.md "Audit" through the real HTTP API and workflow: the per-case hash chain, recomputed here
 * independently (node:crypto and a canonical JSON of our own), then tampered with directly in
 * DynamoDB Local to show `GET /cases/{id}/audit` notices.
 */
const local = useLocalSystem();
const police = { role: 'police' as const, agencyId: 'PSB-1' };
const regulator = { role: 'regulator' as const };

interface AuditEvent {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  prevHash: string;
  hash: string;
}
interface AuditAnswer {
  events: AuditEvent[];
  head: string;
  verified: boolean;
  firstBadSeq?: number;
}

const GENESIS = '0'.repeat(64);

/** Canonical JSON written independently of functions/domain/audit-chain.ts: keys sorted, no spaces. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v)).join(',')}]`;
  const keys = Object.keys(value as object)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

const sha256 = (text: string) => createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');

function recomputedHash(event: AuditEvent): string {
  const { hash: _hash, ...rest } = event;
  return sha256(canonical(rest));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function audit(caseId: string, as: { role: 'police' | 'regulator'; agencyId?: string } = police) {
  const r = await local.api.request<AuditAnswer>('GET', `/cases/${caseId}/audit`, { as });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

/** Polls the audit until it holds every action in `actions` and has stopped growing. */
async function settledAudit(caseId: string, actions: Record<string, number>): Promise<AuditAnswer> {
  let last: AuditAnswer | undefined;
  let stableSince = 0;
  for (let i = 0; i < 400; i++) {
    const current = await audit(caseId);
    const complete = Object.entries(actions).every(
      ([action, n]) => current.events.filter((e) => e.action === action).length >= n,
    );
    if (complete && last && last.events.length === current.events.length) {
      if (Date.now() - stableSince >= 300) return current;
    } else {
      stableSince = Date.now();
    }
    last = current;
    await sleep(25);
  }
  throw new Error(`audit of ${caseId} did not settle on ${JSON.stringify(actions)}: ${JSON.stringify(last)}`);
}

async function openCase(): Promise<string> {
  const r = await local.api.request<{ caseId: string }>('POST', '/cases', {
    as: police,
    idempotencyKey: true,
    body: { reference: 'AUD-1', reportedLoss: cny(10_000_000n), reportedAt: '2026-11-20T10:00:00Z' },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.caseId;
}

let accountSeq = 0;
async function submitOrder(caseId: string, banks: string[]) {
  const r = await local.api.request<{
    orderId: string;
    instructions: { instructionId: string; bankId: string; amount: { currency: string; minor: string } }[];
  }>('POST', `/cases/${caseId}/freeze-orders`, {
    as: police,
    idempotencyKey: true,
    body: {
      legalBasis,
      targets: banks.map((bankId) => ({
        bankId,
        accountNumber: `62229${String(++accountSeq).padStart(11, '0')}`,
        amount: cny(400_000n),
      })),
    },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return r.body;
}

async function confirm(bankId: string, instructionId: string, minor: string) {
  return local.api.request<{ instructionId: string; status: string }>(
    'POST',
    `/banks/${bankId}/instructions/${instructionId}/confirmations`,
    {
      as: { role: 'bank', bankId },
      body: {
        confirmationId: `conf-${instructionId}`,
        result: 'ACTIONED',
        frozen: cny(minor),
        reportedAt: new Date().toISOString(),
      },
    },
  );
}

/** Open, order one instruction at B1, wait for its dispatch, confirm it: the whole chain settled. */
async function confirmedCase(): Promise<{ caseId: string; trail: AuditAnswer }> {
  const caseId = await openCase();
  const order = await submitOrder(caseId, ['B1']);
  const instruction = order.instructions[0]!;
  await settledAudit(caseId, { INSTRUCTION_DISPATCHED: 1 });
  const confirmed = await confirm('B1', instruction.instructionId, instruction.amount.minor);
  expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(201);
  expect(confirmed.body.status).toBe('FROZEN');
  const trail = await settledAudit(caseId, {
    CASE_OPENED: 1,
    FREEZE_ORDER_SUBMITTED: 1,
    INSTRUCTION_DISPATCHED: 1,
    CONFIRMATION_RECORDED: 1,
  });
  return { caseId, trail };
}

/** The chain checks of docs/api.md "Audit", done here without the project's code. */
function expectSoundChain(trail: AuditAnswer): void {
  const { events } = trail;
  expect(events.length).toBeGreaterThan(0);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(events[0]!.prevHash).toBe(GENESIS);
  events.forEach((event, i) => {
    expect(Object.keys(event).sort()).toEqual([
      'action',
      'actor',
      'at',
      'hash',
      'prevHash',
      'seq',
      'subject',
    ]);
    expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(event.hash, `hash of seq ${event.seq}`).toBe(recomputedHash(event));
    if (i > 0) expect(event.prevHash, `link of seq ${event.seq}`).toBe(events[i - 1]!.hash);
  });
  expect(trail.head).toBe(events.at(-1)!.hash);
  expect(trail.verified).toBe(true);
  expect(trail.firstBadSeq).toBeUndefined();
}

const auditKey = (caseId: string, seq: number) => ({
  PK: `CASE#${caseId}`,
  SK: `AUDIT#${String(seq).padStart(10, '0')}`,
});

beforeAll(async () => {
  for (const bankId of ['B1', 'B2']) {
    const r = await local.api.request('PUT', `/banks/${bankId}`, {
      as: { role: 'admin' },
      body: { name: bankId, mode: 'pull', slaSeconds: 3600 },
    });
    expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
  }
});

describe('the audit chain of a case (docs/api.md "Audit")', () => {
  it('records open → order → dispatch → confirmation as a verifiable hash chain', async () => {
    const { caseId, trail } = await confirmedCase();
    expectSoundChain(trail);
    const actions = trail.events.map((e) => e.action);
    expect(actions.slice(0, 2)).toEqual(['CASE_OPENED', 'FREEZE_ORDER_SUBMITTED']);
    expect(actions).toContain('INSTRUCTION_DISPATCHED');
    expect(actions).toContain('CONFIRMATION_RECORDED');
    // In order of happening: dispatch before the confirmation that followed it.
    expect(actions.indexOf('INSTRUCTION_DISPATCHED')).toBeLessThan(actions.indexOf('CONFIRMATION_RECORDED'));
    const times = trail.events.map((e) => Date.parse(e.at));
    expect(times.every((t) => Number.isFinite(t))).toBe(true);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // The regulator reads the same chain.
    expect(await audit(caseId, regulator)).toEqual(trail);
  });

  it('an extension and a release each append to the chain, which still verifies', async () => {
    const { caseId, trail } = await confirmedCase();
    const view = await local.api.request<{ instructions: { instructionId: string; status: string }[] }>(
      'GET',
      `/cases/${caseId}`,
      { as: police },
    );
    const held = view.body.instructions.find((i) => i.status === 'FROZEN');
    expect(held, JSON.stringify(view.body)).toBeDefined();
    const extended = await local.api.request(
      'POST',
      `/cases/${caseId}/instructions/${held!.instructionId}/extend`,
      {
        as: police,
        idempotencyKey: true,
        body: { legalBasis, holdHours: 72 },
      },
    );
    expect(extended.status, JSON.stringify(extended.body)).toBe(200);
    const afterExtend = await settledAudit(caseId, {});
    expect(afterExtend.events.length).toBe(trail.events.length + 1);
    expectSoundChain(afterExtend);

    const released = await local.api.request('POST', `/cases/${caseId}/releases`, {
      as: police,
      idempotencyKey: true,
      body: {
        instructionId: held!.instructionId,
        amount: cny(1_000n),
        disposition: 'RETURN_TO_VICTIM',
        authority: legalBasis,
      },
    });
    expect(released.status, JSON.stringify(released.body)).toBe(202);
    const afterRelease = await settledAudit(caseId, {});
    expect(afterRelease.events.length).toBeGreaterThan(afterExtend.events.length);
    expectSoundChain(afterRelease);
  });

  it('a stored event whose subject was edited in DynamoDB fails verification at that seq', async () => {
    const { caseId, trail } = await confirmedCase();
    const seq = 2;
    await local.system.deps.db.doc.send(
      new UpdateCommand({
        TableName: local.system.deps.db.table,
        Key: auditKey(caseId, seq),
        UpdateExpression: 'SET subject = :s',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':s': 'tampered-subject' },
      }),
    );
    const after = await audit(caseId);
    expect(after.verified).toBe(false);
    expect(after.firstBadSeq).toBe(seq);
    expect(after.events).toHaveLength(trail.events.length);
    const tampered = after.events.find((e) => e.seq === seq)!;
    expect(tampered.subject).toBe('tampered-subject');
    expect(recomputedHash(tampered)).not.toBe(tampered.hash);
  });

  it('deleting the last event is detected (the head stored on the case no longer matches)', async () => {
    const { caseId, trail } = await confirmedCase();
    const last = trail.events.at(-1)!;
    await local.system.deps.db.doc.send(
      new DeleteCommand({
        TableName: local.system.deps.db.table,
        Key: auditKey(caseId, last.seq),
        ConditionExpression: 'attribute_exists(PK)',
      }),
    );
    const after = await audit(caseId);
    expect(after.events).toHaveLength(trail.events.length - 1);
    // What is left is a sound chain on its own: only the stored head can tell that its end was cut off.
    expect(after.events.every((e) => recomputedHash(e) === e.hash)).toBe(true);
    expect(after.verified).toBe(false);
    expect(after.firstBadSeq).toBeDefined();
  });

  it('two concurrent confirmations of different instructions leave one chain: no fork, no gap', async () => {
    const caseId = await openCase();
    const order = await submitOrder(caseId, ['B1', 'B2']);
    await settledAudit(caseId, { INSTRUCTION_DISPATCHED: 2 });
    const answers = await Promise.all(
      order.instructions.map((i) => confirm(i.bankId, i.instructionId, i.amount.minor)),
    );
    expect(answers.map((a) => a.status)).toEqual([201, 201]);
    const trail = await settledAudit(caseId, { CONFIRMATION_RECORDED: 2 });
    expectSoundChain(trail);
    expect(new Set(trail.events.map((e) => e.seq)).size).toBe(trail.events.length);
    expect(new Set(trail.events.map((e) => e.prevHash)).size).toBe(trail.events.length);
    const confirmations = trail.events.filter((e) => e.action === 'CONFIRMATION_RECORDED');
    expect(confirmations).toHaveLength(2);
  });

  it('many confirmations racing the dispatches of the same order still leave one contiguous chain', async () => {
    const caseId = await openCase();
    const order = await submitOrder(caseId, ['B1', 'B2', 'B1', 'B2', 'B1', 'B2', 'B1', 'B2']);
    // No wait for the workflow: confirmations land while dispatches are still being recorded.
    const answers = await Promise.all(
      order.instructions.map((i) => confirm(i.bankId, i.instructionId, i.amount.minor)),
    );
    expect(answers.map((a) => a.status)).toEqual(order.instructions.map(() => 201));
    // (An instruction confirmed before the workflow reached it is not dispatched at all.)
    const trail = await settledAudit(caseId, { CONFIRMATION_RECORDED: order.instructions.length });
    expectSoundChain(trail);
  });
});
