import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { SANDBOX_RETRY_AFTER_SECONDS } from '../../functions/domain/sandbox.ts';
import { CaseAuditAnswer } from '../../functions/schemas/api.ts';
import type { Role } from '../../functions/schemas/claims.ts';
import { documentedStatuses } from '../../functions/schemas/openapi.ts';
import * as answers from '../../functions/schemas/responses.ts';
import { type RouteId, routeById, routes } from '../../functions/schemas/routes.ts';
import { deleteTable } from '../../local/dynamo-local.ts';
import { cny, legalBasis } from '../support/fixtures.ts';
import { useLocalSystem } from '../support/local-system.ts';

/**
 * The spec held to the server (issue 13 §2): every status openapi.json documents for a route is
 * seen from the running local system, no undocumented status appears, and every success body
 * parses with the zod schema the OpenAPI file was generated from. The 503 of every route is seen
 * last, with the table deleted under the running system (a missing table is "the database does not
 * answer").
 */
const local = useLocalSystem();

const AGENCY = 'PSB-SPEC';
const PULL = 'SPECPULL';
const PUSH = 'SPECPUSH';
const SECRET = 'spec-signing-secret-0123456789';
type Who = { role: Role; agencyId?: string; bankId?: string } | undefined;
const police: Who = { role: 'police', agencyId: AGENCY };
const otherPolice: Who = { role: 'police', agencyId: 'PSB-OTHER' };
const admin: Who = { role: 'admin' };
const regulator: Who = { role: 'regulator' };
const pullBank: Who = { role: 'bank', bankId: PULL };
const pushBank: Who = { role: 'bank', bankId: PUSH };

const seen = new Map<RouteId, Set<number>>();
const bodyErrors: string[] = [];

const successSchemas: Partial<Record<RouteId, ZodType>> = {
  health: answers.HealthAnswer,
  registerBank: answers.BankRegistration,
  getBank: answers.BankRegistration,
  bankTestDelivery: answers.TestDeliveryAnswer,
  getTestDelivery: answers.SandboxRecord,
  bankTestConfirmation: answers.ConfirmationAnswer,
  openCase: answers.CaseAnswer,
  submitFreezeOrder: answers.OrderAnswer,
  getCase: answers.CaseDetailAnswer,
  getCaseTotals: answers.TotalsAnswer,
  getCaseTrail: answers.TrailAnswer,
  getCaseAudit: CaseAuditAnswer,
  extendHold: answers.InstructionAnswer,
  redeliverInstruction: answers.RedeliverAnswer,
  orderRelease: answers.ReleaseAnswer,
  bankInbox: answers.InboxPage,
  recordConfirmation: answers.ConfirmationAnswer,
  regulatorTotals: answers.RegulatorTotalsAnswer,
  bankPerformance: answers.BankPerformanceAnswer,
};

interface Call {
  params?: Record<string, string>;
  query?: string;
  as?: Who;
  body?: unknown;
  /** Sent as is (malformed JSON, oversized bodies). */
  raw?: string;
  key?: string | false;
}

const ids: Record<string, string> = {};

/** One request to a route of routes.ts; its status is recorded against the route. */
async function hit(routeId: RouteId, call: Call = {}) {
  const route = routeById(routeId);
  const params: Record<string, string | undefined> = {
    caseId: ids.caseId,
    instructionId: ids.frozen,
    bankId: PULL,
    ...call.params,
  };
  const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? 'X'));
  const headers: Record<string, string> = {};
  if (call.as) headers.authorization = `Bearer ${await local.api.token(call.as.role, call.as)}`;
  const body = call.raw ?? (call.body === undefined ? undefined : JSON.stringify(call.body));
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (call.key !== false && route.method === 'POST')
    headers['idempotency-key'] = call.key ?? crypto.randomUUID();
  const r = await fetch(`${local.system.url}${path}${call.query ? `?${call.query}` : ''}`, {
    method: route.method,
    headers,
    body,
  });
  const text = await r.text();
  const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!seen.has(routeId)) seen.set(routeId, new Set());
  seen.get(routeId)!.add(r.status);
  const schema = successSchemas[routeId];
  if (r.status < 300 && schema) {
    const check = schema.safeParse(parsed);
    if (!check.success) bodyErrors.push(`${routeId} ${r.status}: ${check.error.message}`);
  }
  if (r.status === 503) expect(r.headers.get('retry-after'), routeId).toMatch(/^\d+$/);
  return { status: r.status, body: parsed };
}

let receiver: Server;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  await hit('health');
  const pull = { name: 'Spec Pull', mode: 'pull', slaSeconds: 3600 };
  expect((await hit('registerBank', { params: { bankId: PULL }, as: admin, body: pull })).status).toBe(201);
  expect((await hit('registerBank', { params: { bankId: PULL }, as: admin, body: pull })).status).toBe(200);
  await hit('registerBank', {
    params: { bankId: PUSH },
    as: admin,
    body: { name: 'Spec Push', mode: 'push', endpoint, slaSeconds: 3600, signingSecret: SECRET },
  });
  const opened = await hit('openCase', {
    as: police,
    key: 'spec-open',
    body: { reference: 'SPEC', reportedLoss: cny(10_000_000n), reportedAt: '2026-11-20T10:00:00Z' },
  });
  ids.caseId = String(opened.body.caseId);
  const order = await hit('submitFreezeOrder', {
    as: police,
    body: {
      legalBasis,
      targets: [1, 2, 3].map((n) => ({ bankId: PULL, accountNumber: `SPEC-${n}`, amount: cny(100_000n) })),
    },
  });
  const [first, second] = (order.body.instructions as { instructionId: string }[]).map(
    (i) => i.instructionId,
  );
  ids.frozen = first!;
  ids.waiting = second!;
  const confirmation = { confirmationId: 'spec-c1', result: 'ACTIONED', frozen: cny(100_000n) };
  expect((await hit('recordConfirmation', { as: pullBank, body: confirmation })).status).toBe(201);
  expect(
    (await hit('recordConfirmation', { as: pullBank, body: { ...confirmation, reason: 'again' } })).status,
  ).toBe(200);
  await sleep(200);
}, 60_000);

afterAll(async () => {
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
});

const tooLarge = JSON.stringify({ reference: 'x'.repeat(300 * 1024) });

/** The statuses every route shares, from its role list and its inputs. */
async function commonStatuses(routeId: RouteId, call: Call) {
  const route = routeById(routeId);
  const documented = documentedStatuses()[routeId];
  if (documented.includes(401)) await hit(routeId, { ...call, as: undefined });
  if (documented.includes(403)) {
    const outsider = (['regulator', 'police', 'bank', 'admin'] as const).find(
      (r) => !route.roles.includes(r as never),
    )!;
    await hit(routeId, { ...call, as: { role: outsider, agencyId: AGENCY, bankId: PULL } });
  }
  if (documented.includes(400)) await hit(routeId, { ...call, raw: '{"reference": ' });
  if (documented.includes(413)) await hit(routeId, { ...call, raw: tooLarge });
}

describe('openapi.json vs the running server', () => {
  it('walks every route through its documented statuses', async () => {
    // Reads of a case: 200, 404 outside the agency.
    for (const id of ['getCase', 'getCaseTotals', 'getCaseTrail', 'getCaseAudit'] as const) {
      await hit(id, { as: police });
      await hit(id, { as: otherPolice });
      await commonStatuses(id, { as: police });
    }
    // Banks.
    await hit('getBank', { as: admin });
    await hit('getBank', { as: pushBank });
    await commonStatuses('getBank', { as: admin });
    await hit('registerBank', { params: { bankId: PULL }, as: admin, body: { name: '', mode: 'sideways' } });
    await commonStatuses('registerBank', { params: { bankId: PULL }, as: admin });

    const sandbox = await hit('bankTestDelivery', {
      params: { bankId: PUSH },
      as: pushBank,
      body: { kind: 'FREEZE' },
    });
    const deliveryId = String(sandbox.body.deliveryId);
    await hit('bankTestDelivery', { as: pullBank, body: { kind: 'FREEZE' } }); // 409 NOT_A_PUSH_BANK
    await hit('bankTestDelivery', { params: { bankId: PUSH }, as: pullBank, body: { kind: 'FREEZE' } });
    await hit('bankTestDelivery', { params: { bankId: PUSH }, as: pushBank, body: { kind: 'NOPE' } });
    await commonStatuses('bankTestDelivery', { params: { bankId: PUSH }, as: pushBank });

    const sandboxCall: Call = { params: { bankId: PUSH, deliveryId }, as: pushBank, key: false };
    const sandboxConfirmation = { confirmationId: 'spec-s1', result: 'ACTIONED', frozen: cny(100_000n) };
    await hit('bankTestConfirmation', { ...sandboxCall, body: sandboxConfirmation }); // 503
    await sleep(SANDBOX_RETRY_AFTER_SECONDS * 1000 + 100);
    await hit('bankTestConfirmation', { ...sandboxCall, body: sandboxConfirmation }); // recorded, 503
    await sleep(SANDBOX_RETRY_AFTER_SECONDS * 1000 + 100);
    await hit('bankTestConfirmation', { ...sandboxCall, body: sandboxConfirmation }); // 200
    await sleep(SANDBOX_RETRY_AFTER_SECONDS * 1000 + 100);
    await hit('bankTestConfirmation', {
      ...sandboxCall,
      body: { ...sandboxConfirmation, confirmationId: 'x' },
    });
    await hit('bankTestConfirmation', {
      ...sandboxCall,
      body: { confirmationId: 'spec-s2', result: 'MAYBE' },
    });
    await hit('bankTestConfirmation', { ...sandboxCall, as: pullBank, body: sandboxConfirmation });
    await commonStatuses('bankTestConfirmation', sandboxCall);
    await hit('getTestDelivery', { params: { bankId: PUSH, deliveryId }, as: pushBank });
    await hit('getTestDelivery', { params: { bankId: PUSH, deliveryId: 'test-nope' }, as: pushBank });
    await commonStatuses('getTestDelivery', { params: { bankId: PUSH, deliveryId }, as: pushBank });

    // Cases and orders.
    await hit('openCase', {
      as: police,
      key: 'spec-open',
      body: { reference: 'OTHER', reportedLoss: cny(1n), reportedAt: '2026-11-20T10:00:00Z' },
    });
    await hit('openCase', { as: police, body: { reference: 'SPEC' } });
    await commonStatuses('openCase', { as: police });
    const target = { bankId: PULL, accountNumber: 'SPEC-9', amount: cny(1n) };
    await hit('submitFreezeOrder', {
      as: police,
      key: 'spec-order',
      body: { legalBasis, targets: [target] },
    });
    await hit('submitFreezeOrder', {
      as: police,
      key: 'spec-order',
      body: { legalBasis, targets: [{ ...target, amount: cny(2n) }] },
    });
    await hit('submitFreezeOrder', { as: otherPolice, body: { legalBasis, targets: [target] } });
    await hit('submitFreezeOrder', { as: police, body: { legalBasis, targets: [] } });
    await commonStatuses('submitFreezeOrder', { as: police });

    // Confirmations.
    await hit('recordConfirmation', {
      as: pullBank,
      body: { confirmationId: 'spec-c1', result: 'ACTIONED', frozen: cny(1n) },
    });
    await hit('recordConfirmation', {
      params: { bankId: PUSH },
      as: pushBank,
      body: { confirmationId: 'z', result: 'REJECTED', reason: 'r' },
    });
    await hit('recordConfirmation', {
      as: pullBank,
      body: { confirmationId: 'spec-c9', result: 'ACTIONED' },
    });
    await commonStatuses('recordConfirmation', { as: pullBank });

    // Holds: extend, release, redeliver.
    const extend = { legalBasis, holdHours: 24 };
    await hit('extendHold', { as: police, body: extend });
    await hit('extendHold', { params: { instructionId: ids.waiting! }, as: police, body: extend }); // 409
    await hit('extendHold', { as: otherPolice, body: extend });
    await hit('extendHold', { as: police, body: { ...extend, holdHours: -1 } });
    await commonStatuses('extendHold', { as: police });
    const release = { instructionId: ids.frozen, disposition: 'RETURN_TO_VICTIM', authority: legalBasis };
    await hit('orderRelease', { as: police, body: { ...release, amount: cny(999_999n) } }); // 409
    await hit('orderRelease', { as: police, body: { ...release, amount: cny(1_000n) } });
    await hit('orderRelease', { as: otherPolice, body: { ...release, amount: cny(1_000n) } });
    await hit('orderRelease', { as: police, body: { ...release, amount: cny(0n) } });
    await commonStatuses('orderRelease', { as: police });
    await hit('redeliverInstruction', { params: { instructionId: ids.waiting! }, as: admin, key: false });
    await hit('redeliverInstruction', { as: police, key: false }); // FROZEN: 409
    await hit('redeliverInstruction', { as: otherPolice, key: false });
    await hit('redeliverInstruction', {
      params: { instructionId: ids.waiting! },
      as: police,
      body: { now: true },
      key: false,
    });
    await commonStatuses('redeliverInstruction', {
      params: { instructionId: ids.waiting! },
      as: police,
      key: false,
    });

    // The inbox and the regulator's reads.
    await hit('bankInbox', { as: pullBank, query: 'updatedSince=2026-01-01T00:00:00Z' });
    await hit('bankInbox', { params: { bankId: PUSH }, as: pullBank });
    await hit('bankInbox', { as: pullBank, query: 'limit=101' });
    await commonStatuses('bankInbox', { as: pullBank });
    for (const id of ['regulatorTotals', 'bankPerformance'] as const) {
      await hit(id, { as: regulator });
      await hit(id, { as: regulator, query: 'from=yesterday' });
      await commonStatuses(id, { as: regulator });
    }
  }, 120_000);

  it('every route answers 503 with Retry-After while the database does not answer', async () => {
    await deleteTable(local.system.dynamo.client, local.system.deps.db.table);
    const deliveryId = 'test-any';
    const good: Record<RouteId, Call> = {
      health: {},
      registerBank: {
        params: { bankId: 'NEWBANK' },
        as: admin,
        body: { name: 'N', mode: 'pull', slaSeconds: 60 },
      },
      getBank: { as: admin },
      bankTestDelivery: { params: { bankId: PUSH }, as: pushBank, body: { kind: 'FREEZE' } },
      getTestDelivery: { params: { bankId: PUSH, deliveryId }, as: pushBank },
      bankTestConfirmation: { params: { bankId: PUSH, deliveryId }, as: pushBank, body: {}, key: false },
      openCase: {
        as: police,
        body: { reference: 'R', reportedLoss: cny(1n), reportedAt: '2026-11-20T10:00:00Z' },
      },
      submitFreezeOrder: {
        as: police,
        body: { legalBasis, targets: [{ bankId: PULL, accountNumber: 'A', amount: cny(1n) }] },
      },
      getCase: { as: police },
      getCaseTotals: { as: police },
      getCaseTrail: { as: police },
      getCaseAudit: { as: police },
      extendHold: { as: police, body: { legalBasis, holdHours: 1 } },
      redeliverInstruction: { as: police, key: false },
      orderRelease: { as: police, body: {} },
      bankInbox: { as: pullBank },
      recordConfirmation: { as: pullBank, body: { confirmationId: 'c', result: 'REJECTED', reason: 'r' } },
      regulatorTotals: { as: regulator },
      bankPerformance: { as: regulator },
    };
    for (const route of routes) expect((await hit(route.id, good[route.id])).status, route.id).toBe(503);
  }, 120_000);

  it('saw every documented status of every route, no other, and success bodies matching their schemas', () => {
    const documented = documentedStatuses();
    const report: Record<string, { missing: number[]; undocumented: number[] }> = {};
    for (const route of routes) {
      const want = documented[route.id];
      const got = [...(seen.get(route.id) ?? [])];
      const missing = want.filter((s) => !got.includes(s));
      const undocumented = got.filter((s) => !want.includes(s));
      if (missing.length || undocumented.length) report[route.id] = { missing, undocumented };
    }
    expect(report).toEqual({});
    expect(bodyErrors).toEqual([]);
  });
});
