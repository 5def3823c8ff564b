import { beforeAll, describe, expect, it } from 'vitest';
import { getInstructionItem } from '../../functions/adapters/dynamo/instructions.ts';
import { dumpTable } from '../support/dump.ts';
import { cny, legalBasis } from '../support/fixtures.ts';
import { useLocalSystem } from '../support/local-system.ts';

/**
 * Bad input through the real HTTP API (issue "Spine I" §7): each answer is the right 4xx as
 * problem+json naming the bad field, and the database is exactly as before.
 */
const local = useLocalSystem();
const police = { role: 'police' as const, agencyId: 'PSB-1' };
const otherPolice = { role: 'police' as const, agencyId: 'PSB-2' };
const b1 = { role: 'bank' as const, bankId: 'B1' };
const b2 = { role: 'bank' as const, bankId: 'B2' };

let caseId = '';
let instructionId = '';

beforeAll(async () => {
  const api = local.api;
  for (const bankId of ['B1', 'B2']) {
    const r = await api.request('PUT', `/banks/${bankId}`, {
      as: { role: 'admin' },
      body: { name: bankId, mode: 'pull', slaSeconds: 3600 },
    });
    expect(r.status).toBeLessThan(300);
  }
  const opened = await api.request<{ caseId: string }>('POST', '/cases', {
    as: police,
    idempotencyKey: 'case-1',
    body: { reference: 'R', reportedLoss: cny(1_000_000n), reportedAt: '2026-11-20T10:00:00Z' },
  });
  caseId = opened.body.caseId;
  const order = await api.request<{ instructions: { instructionId: string }[] }>(
    'POST',
    `/cases/${caseId}/freeze-orders`,
    {
      as: police,
      idempotencyKey: 'order-1',
      body: {
        legalBasis,
        targets: [{ bankId: 'B1', accountNumber: '6222000000000001', amount: cny(500_000n) }],
      },
    },
  );
  instructionId = order.body.instructions[0]!.instructionId;
  // Let the workflow deliver it (its wait for the bank then lasts the SLA: the hour this file needs).
  for (let i = 0; i < 100; i++) {
    const inbox = await api.request<{ items: { status: string }[] }>('GET', '/banks/B1/instructions', {
      as: b1,
    });
    if (inbox.body.items[0]?.status === 'DISPATCHED') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  // …and start waiting for the bank (its token stored), so nothing writes while the cases run.
  for (let i = 0; i < 100; i++) {
    if ((await getInstructionItem(local.system.deps.db, instructionId))?.taskToken) break;
    await new Promise((r) => setTimeout(r, 50));
  }
});

type Case = {
  name: string;
  method: string;
  path: () => string;
  as?: { role: 'police' | 'bank' | 'regulator' | 'admin'; agencyId?: string; bankId?: string };
  token?: string;
  body?: unknown;
  key?: string;
  status: number;
  paths?: string[];
};

const order = (targets: unknown[]) => ({ legalBasis, targets });
const target = (amount: unknown) => ({ bankId: 'B1', accountNumber: '6222000000000099', amount });

const cases: Case[] = [
  { name: 'no token', method: 'GET', path: () => `/cases/${caseId}`, status: 401 },
  {
    name: 'forged token',
    method: 'GET',
    path: () => `/cases/${caseId}`,
    token: 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoicmVndWxhdG9yIn0.AAAA',
    status: 401,
  },
  {
    name: 'wrong role (bank opens a case)',
    method: 'POST',
    path: () => '/cases',
    as: b1,
    key: 'x',
    body: {},
    status: 403,
  },
  {
    name: 'wrong role (regulator submits an order)',
    method: 'POST',
    path: () => `/cases/${caseId}/freeze-orders`,
    as: { role: 'regulator' },
    key: 'x',
    body: {},
    status: 403,
  },
  {
    name: "another agency's case",
    method: 'GET',
    path: () => `/cases/${caseId}`,
    as: otherPolice,
    status: 404,
  },
  {
    name: "another agency's case (order)",
    method: 'POST',
    path: () => `/cases/${caseId}/freeze-orders`,
    as: otherPolice,
    key: 'o',
    body: order([target(cny(1n))]),
    status: 404,
  },
  {
    name: "another bank's instruction",
    method: 'POST',
    path: () => `/banks/B2/instructions/${instructionId}/confirmations`,
    as: b2,
    body: { confirmationId: 'c', result: 'ACCOUNT_NOT_FOUND' },
    status: 404,
  },
  { name: "another bank's inbox", method: 'GET', path: () => '/banks/B1/instructions', as: b2, status: 404 },
  {
    name: 'malformed JSON',
    method: 'POST',
    path: () => `/cases/${caseId}/freeze-orders`,
    as: police,
    key: 'm',
    body: '{"legalBasis": ',
    status: 400,
  },
  {
    name: 'body over 256 KB',
    method: 'POST',
    path: () => '/cases',
    as: police,
    key: 'big',
    body: JSON.stringify({ summary: 'x'.repeat(300_000) }),
    status: 413,
  },
  {
    name: 'schema violations name every bad field (unknown field too)',
    method: 'POST',
    path: () => '/cases',
    as: police,
    key: 'v',
    body: {
      reference: '',
      reportedLoss: { currency: 'CNY', minor: 12 },
      reportedAt: 'yesterday',
      colour: 'red',
    },
    status: 422,
    paths: ['reference', 'reportedLoss.minor', 'reportedAt', 'colour'],
  },
  {
    name: 'negative amount',
    method: 'POST',
    path: () => `/cases/${caseId}/freeze-orders`,
    as: police,
    key: 'n1',
    body: order([target(cny('-5'))]),
    status: 422,
    paths: ['targets.0.amount.minor'],
  },
  {
    name: 'fractional amount',
    method: 'POST',
    path: () => `/cases/${caseId}/freeze-orders`,
    as: police,
    key: 'n2',
    body: order([target(cny('12.50'))]),
    status: 422,
    paths: ['targets.0.amount.minor'],
  },
  {
    name: 'float amount',
    method: 'POST',
    path: () => `/cases/${caseId}/freeze-orders`,
    as: police,
    key: 'n3',
    body: order([target({ currency: 'CNY', minor: 12.5 })]),
    status: 422,
    paths: ['targets.0.amount.minor'],
  },
  {
    name: '19-digit amount',
    method: 'POST',
    path: () => `/cases/${caseId}/freeze-orders`,
    as: police,
    key: 'n4',
    body: order([target(cny('1234567890123456789'))]),
    status: 422,
    paths: ['targets.0.amount.minor'],
  },
  {
    name: 'unknown currency',
    method: 'POST',
    path: () => `/cases/${caseId}/freeze-orders`,
    as: police,
    key: 'n5',
    body: order([target({ currency: 'XYZ', minor: '100' })]),
    status: 422,
    paths: ['targets.0.amount.currency'],
  },
  {
    name: 'unregistered bank',
    method: 'POST',
    path: () => `/cases/${caseId}/freeze-orders`,
    as: police,
    key: 'n6',
    body: order([{ ...target(cny(5n)), bankId: 'NOPE' }]),
    status: 422,
    paths: ['targets.0.bankId'],
  },
  {
    name: 'missing Idempotency-Key',
    method: 'POST',
    path: () => `/cases/${caseId}/freeze-orders`,
    as: police,
    body: order([target(cny(5n))]),
    status: 422,
    paths: ['headers.Idempotency-Key'],
  },
  {
    name: 'frozen > requested',
    method: 'POST',
    path: () => `/banks/B1/instructions/${instructionId}/confirmations`,
    as: b1,
    body: { confirmationId: 'c1', result: 'ACTIONED', frozen: cny(500_001n) },
    status: 422,
    paths: ['frozen.minor'],
  },
  {
    name: 'frozen in another currency',
    method: 'POST',
    path: () => `/banks/B1/instructions/${instructionId}/confirmations`,
    as: b1,
    body: { confirmationId: 'c2', result: 'ACTIONED', frozen: { currency: 'USD', minor: '100' } },
    status: 422,
    paths: ['frozen.currency'],
  },
  {
    name: 'ACTIONED with nothing frozen, moved or withdrawn',
    method: 'POST',
    path: () => `/banks/B1/instructions/${instructionId}/confirmations`,
    as: b1,
    body: { confirmationId: 'c3', result: 'ACTIONED' },
    status: 422,
    paths: ['result'],
  },
  {
    name: 'same Idempotency-Key with another body',
    method: 'POST',
    path: () => '/cases',
    as: police,
    key: 'case-1',
    body: { reference: 'OTHER', reportedLoss: cny(1_000_000n), reportedAt: '2026-11-20T10:00:00Z' },
    status: 409,
  },
];

describe('bad input: the right 4xx, problem+json, nothing written', () => {
  it.each(cases)('$name → $status', async (c) => {
    const before = await dumpTable(local.system.deps.db);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (c.token) headers.authorization = `Bearer ${c.token}`;
    if (c.as) headers.authorization = `Bearer ${await local.api.token(c.as.role, c.as)}`;
    if (c.key) headers['idempotency-key'] = c.key;
    const response = await fetch(`${local.api.baseUrl}${c.path()}`, {
      method: c.method,
      headers,
      body: c.body === undefined ? undefined : typeof c.body === 'string' ? c.body : JSON.stringify(c.body),
    });
    const problem = (await response.json()) as {
      status: number;
      title: string;
      type: string;
      errors?: { path: string }[];
    };
    expect(response.status).toBe(c.status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(problem.status).toBe(c.status);
    expect(typeof problem.title).toBe('string');
    for (const path of c.paths ?? []) expect(problem.errors?.map((e) => e.path)).toContain(path);
    expect(await dumpTable(local.system.deps.db)).toBe(before);
  });
});
