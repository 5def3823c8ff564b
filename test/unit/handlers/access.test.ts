/**
 * docs/api.md Conventions, checks 1 and 2 for every HTTP handler: 401 without a usable token, 403 for a
 * role that can never use the route — answered as problem+json before any DynamoDB read.
 */
import type { Context } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Dependencies } from '../../../functions/adapters/dependencies.ts';
import { createBankInbox } from '../../../functions/bank-inbox/handler.ts';
import { createGetCase } from '../../../functions/get-case/handler.ts';
import { createGetCaseAudit } from '../../../functions/get-case-audit/handler.ts';
import { createGetCaseTotals } from '../../../functions/get-case-totals/handler.ts';
import { createGetCaseTrail } from '../../../functions/get-case-trail/handler.ts';
import { createHealth } from '../../../functions/health/handler.ts';
import { createOpenCase } from '../../../functions/open-case/handler.ts';
import { createRecordConfirmation } from '../../../functions/record-confirmation/handler.ts';
import { createRegisterBank } from '../../../functions/register-bank/handler.ts';
import { createRegulatorTotals } from '../../../functions/regulator-totals/handler.ts';
import { type Role, roles } from '../../../functions/schemas/claims.ts';
import { createSubmitFreezeOrder } from '../../../functions/submit-freeze-order/handler.ts';
import {
  CASE_ID,
  type Claims,
  claims,
  expectProblem,
  FakeTable,
  type HttpEvent,
  type HttpResult,
  httpEvent,
  INSTRUCTION_ID,
  invoke,
  testDeps,
} from './support.ts';

type Factory = (deps: Dependencies) => (event: HttpEvent, context: Context) => Promise<HttpResult>;

interface RouteCase {
  name: string;
  factory: Factory;
  method: string;
  path: string;
  pathParameters?: Record<string, string>;
  allowed: Role[];
  body?: unknown;
}

const routeCases: RouteCase[] = [
  {
    name: 'PUT /banks/{bankId}',
    factory: createRegisterBank,
    method: 'PUT',
    path: '/banks/B001',
    pathParameters: { bankId: 'B001' },
    allowed: ['admin'],
    body: { name: 'x', mode: 'pull', slaSeconds: 60 },
  },
  {
    name: 'POST /cases',
    factory: createOpenCase,
    method: 'POST',
    path: '/cases',
    allowed: ['police'],
    body: {},
  },
  {
    name: 'POST /cases/{caseId}/freeze-orders',
    factory: createSubmitFreezeOrder,
    method: 'POST',
    path: `/cases/${CASE_ID}/freeze-orders`,
    pathParameters: { caseId: CASE_ID },
    allowed: ['police'],
    body: {},
  },
  {
    name: 'GET /cases/{caseId}',
    factory: createGetCase,
    method: 'GET',
    path: `/cases/${CASE_ID}`,
    pathParameters: { caseId: CASE_ID },
    allowed: ['police', 'regulator'],
  },
  {
    name: 'GET /cases/{caseId}/totals',
    factory: createGetCaseTotals,
    method: 'GET',
    path: `/cases/${CASE_ID}/totals`,
    pathParameters: { caseId: CASE_ID },
    allowed: ['police', 'regulator'],
  },
  {
    name: 'GET /cases/{caseId}/trail',
    factory: createGetCaseTrail,
    method: 'GET',
    path: `/cases/${CASE_ID}/trail`,
    pathParameters: { caseId: CASE_ID },
    allowed: ['police', 'regulator'],
  },
  {
    name: 'GET /cases/{caseId}/audit',
    factory: createGetCaseAudit,
    method: 'GET',
    path: `/cases/${CASE_ID}/audit`,
    pathParameters: { caseId: CASE_ID },
    allowed: ['police', 'regulator'],
  },
  {
    name: 'GET /banks/{bankId}/instructions',
    factory: createBankInbox,
    method: 'GET',
    path: '/banks/B001/instructions',
    pathParameters: { bankId: 'B001' },
    allowed: ['bank'],
  },
  {
    name: 'POST /banks/{bankId}/instructions/{instructionId}/confirmations',
    factory: createRecordConfirmation,
    method: 'POST',
    path: `/banks/B001/instructions/${INSTRUCTION_ID}/confirmations`,
    pathParameters: { bankId: 'B001', instructionId: INSTRUCTION_ID },
    allowed: ['bank'],
    body: {},
  },
  {
    name: 'GET /totals',
    factory: createRegulatorTotals,
    method: 'GET',
    path: '/totals',
    allowed: ['regulator'],
  },
];

const claimsOfRole: Record<Role, Claims> = {
  police: claims.police,
  bank: claims.bank,
  regulator: claims.regulator,
  admin: claims.admin,
};

const table = new FakeTable();

beforeEach(() => {
  table.reset();
});

const eventFor = (route: RouteCase, who: Claims | null) =>
  httpEvent({
    method: route.method,
    path: route.path,
    pathParameters: route.pathParameters,
    claims: who,
    body: route.body,
    headers: { 'idempotency-key': 'key-1' },
  });

describe('GET /health', () => {
  it('answers 200 {"status":"ok"} without a token, after one read that the database answers', async () => {
    const answer = await invoke(createHealth(testDeps().deps), httpEvent({ path: '/health' }));
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.body).toEqual({ status: 'ok' });
    expect(table.ddb.calls()).toHaveLength(1);
    expect(table.writes()).toHaveLength(0);
  });
});

describe.each(routeCases)('$name', (route) => {
  const handler = () => route.factory(testDeps().deps);

  it('401 without a token (no authorizer claims)', async () => {
    const problem = expectProblem(await invoke(handler(), eventFor(route, null)), 401);
    expect(problem.title).toBe('Unauthorized');
    expect(table.ddb.calls()).toHaveLength(0);
  });

  it('401 with an unknown role', async () => {
    expectProblem(
      await invoke(handler(), eventFor(route, { sub: 'u1', role: 'superuser', agencyId: 'PSB-1' })),
      401,
    );
    expect(table.ddb.calls()).toHaveLength(0);
  });

  it('401 for police without agencyId and a bank without bankId', async () => {
    expectProblem(await invoke(handler(), eventFor(route, { sub: 'u1', role: 'police' })), 401);
    expectProblem(await invoke(handler(), eventFor(route, { sub: 'u1', role: 'bank' })), 401);
    expect(table.ddb.calls()).toHaveLength(0);
  });

  it('401 without a subject', async () => {
    expectProblem(await invoke(handler(), eventFor(route, { role: 'regulator' })), 401);
  });

  it('401 when a scope claim is not an id (e.g. a path separator)', async () => {
    expectProblem(
      await invoke(handler(), eventFor(route, { sub: 'u1', role: 'police', agencyId: 'PSB/1' })),
      401,
    );
  });

  const forbidden = roles.filter((r) => !route.allowed.includes(r));
  it.each(forbidden)('403 for role %s, before any read', async (role) => {
    const problem = expectProblem(await invoke(handler(), eventFor(route, claimsOfRole[role])), 403);
    expect(problem.title).toBe('Forbidden');
    expect(table.ddb.calls()).toHaveLength(0);
  });
});

describe('problem+json', () => {
  it('has type, title, status and detail, and no errors member when there are none', async () => {
    const answer = await invoke(createOpenCase(testDeps().deps), eventFor(routeCases[1]!, null));
    const problem = expectProblem(answer, 401);
    expect(problem.type).toMatch(/^https:\/\/.+unauthorized$/);
    expect(problem).not.toHaveProperty('errors');
  });

  it('an unexpected failure is a 500 problem that does not leak the error', async () => {
    table.ddb.rejects(new Error('socket hang up 6222020200112233'));
    const answer = await invoke(
      createGetCase(testDeps().deps),
      httpEvent({ path: `/cases/${CASE_ID}`, pathParameters: { caseId: CASE_ID }, claims: claims.regulator }),
    );
    const problem = expectProblem(answer, 500);
    expect(JSON.stringify(problem)).not.toContain('6222020200112233');
  });
});
