import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../functions/schemas/claims.ts';
import { type RouteDefinition, routes } from '../../functions/schemas/routes.ts';
import { cny, legalBasis } from '../support/fixtures.ts';
import { useLocalSystem } from '../support/local-system.ts';

/**
 * The access matrix of docs/api.md "Conventions", derived from the route table: every route × every
 * caller × (for scoped routes) own and foreign ids. Check order: 401 no token → 403 the role can
 * never use the route → 404 the id is missing or outside the caller's scope (never 403) → success.
 * A route added to functions/schemas/routes.ts is covered automatically; only its request (body,
 * query, extra path ids, success status) is written by hand in `requests` below, and the test fails
 * when a route has no entry there.
 */
const local = useLocalSystem();

// ---------------------------------------------------------------------------------------------------
// Callers

interface Caller {
  label: string;
  as?: { role: Role; agencyId?: string; bankId?: string };
}

const callers: Caller[] = [
  { label: 'no token' },
  { label: 'police PSB-1', as: { role: 'police', agencyId: 'PSB-1' } },
  { label: 'police PSB-2', as: { role: 'police', agencyId: 'PSB-2' } },
  { label: 'bank B1', as: { role: 'bank', bankId: 'B1' } },
  { label: 'bank B2', as: { role: 'bank', bankId: 'B2' } },
  { label: 'regulator', as: { role: 'regulator' } },
  { label: 'admin', as: { role: 'admin' } },
];

// ---------------------------------------------------------------------------------------------------
// The data of beforeAll: a case per agency, one instruction per bank (case C1 of PSB-1 targets B1 and
// B2), a FROZEN instruction in each case (for routes on held funds), and an admin-managed bank that
// the matrix only updates.

const world = {
  c1: '', // case of PSB-1
  c2: '', // case of PSB-2
  i1: '', // instruction of C1 at B1
  i2: '', // instruction of C1 at B2
  h1: '', // FROZEN instruction of C1 (at B1)
  h2: '', // FROZEN instruction of C2 (at B1)
  o2: '', // open (DISPATCHED) instruction of C2 (at B2), for redeliver
  missingCase: 'CZZZZZZZZZZ', // well-formed, never issued
  missingInstruction: '', // well-formed (C1's prefix), never issued
  d1: '', // a sandbox push to B1 (test-deliveries)
  d2: '', // a sandbox push to B2
  adminBank: `BX-${randomUUID().slice(0, 8)}`,
};
const REQUESTED = 500_000n;

/** One value of a route's path ids, and whose it is. */
interface Target {
  label: string;
  params: () => Record<string, string>;
  /** Who may see it: an agency's case, a bank's resource, or nobody (it does not exist / mismatched). */
  owner: { agencyId: string } | { bankId: string } | { unscoped: true } | null;
}

/** Case ids, each with a held instruction of that case for paths (or bodies) that name one. */
function caseTargets(route: RouteDefinition): Target[] {
  const targets: Target[] = [
    {
      label: "PSB-1's case",
      params: () => ({ caseId: world.c1, instructionId: world.h1 }),
      owner: { agencyId: 'PSB-1' },
    },
    {
      label: "PSB-2's case",
      params: () => ({ caseId: world.c2, instructionId: world.h2 }),
      owner: { agencyId: 'PSB-2' },
    },
    {
      label: 'a non-existent case',
      params: () => ({ caseId: world.missingCase, instructionId: `${world.missingCase}.O000000.1` }),
      owner: null,
    },
  ];
  if (!route.path.includes('{instructionId}')) return targets;
  return [
    ...targets,
    {
      label: "PSB-2's instruction under PSB-1's case",
      params: () => ({ caseId: world.c1, instructionId: world.h2 }),
      owner: null,
    },
    {
      label: "a non-existent instruction in PSB-1's case",
      params: () => ({ caseId: world.c1, instructionId: world.missingInstruction }),
      owner: null,
    },
  ];
}

function bankTargets(route: RouteDefinition): Target[] {
  if (route.path.includes('{deliveryId}')) {
    return [
      {
        label: "B1's sandbox push under B1",
        params: () => ({ bankId: 'B1', deliveryId: world.d1 }),
        owner: { bankId: 'B1' },
      },
      {
        label: "B2's sandbox push under B2",
        params: () => ({ bankId: 'B2', deliveryId: world.d2 }),
        owner: { bankId: 'B2' },
      },
      {
        label: "B1's sandbox push under B2",
        params: () => ({ bankId: 'B2', deliveryId: world.d1 }),
        owner: null,
      },
      {
        label: 'a non-existent sandbox push under B1',
        params: () => ({ bankId: 'B1', deliveryId: 'test-none' }),
        owner: null,
      },
    ];
  }
  const withInstruction = route.path.includes('{instructionId}');
  if (!withInstruction) {
    return [
      { label: "B1's id", params: () => ({ bankId: 'B1' }), owner: { bankId: 'B1' } },
      { label: "B2's id", params: () => ({ bankId: 'B2' }), owner: { bankId: 'B2' } },
    ];
  }
  return [
    {
      label: "B1's instruction under B1",
      params: () => ({ bankId: 'B1', instructionId: world.i1 }),
      owner: { bankId: 'B1' },
    },
    {
      label: "B2's instruction under B2",
      params: () => ({ bankId: 'B2', instructionId: world.i2 }),
      owner: { bankId: 'B2' },
    },
    {
      label: "B1's instruction under B2 (another bank's resource)",
      params: () => ({ bankId: 'B2', instructionId: world.i1 }),
      owner: null,
    },
    {
      label: 'a non-existent instruction under B1',
      params: () => ({ bankId: 'B1', instructionId: world.missingInstruction }),
      owner: null,
    },
  ];
}

function targetsOf(route: RouteDefinition): Target[] {
  switch (route.scope) {
    case 'case':
      return caseTargets(route);
    case 'bank':
      return bankTargets(route);
    default:
      return [{ label: 'no scoped id', params: () => ({}), owner: { unscoped: true } }];
  }
}

// ---------------------------------------------------------------------------------------------------
// Hand-written per route id: a valid request, so an in-scope call succeeds, and its success status.

interface RequestContext {
  params: Record<string, string>;
}
interface RouteRequest {
  success: number;
  build: (ctx: RequestContext) => {
    body?: unknown;
    query?: string;
    idempotencyKey?: boolean;
    /** Path ids of a scope-less route (e.g. the bank an admin registers). */
    params?: Record<string, string>;
    /** Path ids that replace the scoped ones (a route that needs an open instruction, not a hold). */
    replace?: Record<string, string>;
  };
}

let accountSeq = 0;
const freshAccount = () => `62220000${String(++accountSeq).padStart(8, '0')}`;

const requests: Partial<Record<string, RouteRequest>> = {
  health: { success: 200, build: () => ({}) },
  registerBank: {
    // An update of a bank registered in beforeAll: docs/api.md allows 201 only on create.
    success: 200,
    build: () => ({
      params: { bankId: world.adminBank },
      body: { name: 'Matrix bank', mode: 'pull', slaSeconds: 3600 },
    }),
  },
  openCase: {
    success: 201,
    build: () => ({
      idempotencyKey: true,
      body: { reference: 'M-1', reportedLoss: cny(1_000_000n), reportedAt: '2026-11-20T10:00:00Z' },
    }),
  },
  submitFreezeOrder: {
    success: 202,
    build: () => ({
      idempotencyKey: true,
      body: {
        legalBasis,
        targets: [{ bankId: 'B1', accountNumber: freshAccount(), amount: cny(1_000n) }],
      },
    }),
  },
  getCase: { success: 200, build: () => ({}) },
  getCaseTotals: { success: 200, build: () => ({}) },
  getCaseTrail: { success: 200, build: () => ({}) },
  getCaseAudit: { success: 200, build: () => ({}) },
  bankInbox: { success: 200, build: () => ({ query: 'limit=10' }) },
  recordConfirmation: {
    success: 201,
    build: () => ({
      body: { confirmationId: `conf-${randomUUID()}`, result: 'ACTIONED', frozen: cny(REQUESTED) },
    }),
  },
  regulatorTotals: { success: 200, build: () => ({ query: 'currency=CNY' }) },
  extendHold: {
    success: 200,
    build: () => ({ idempotencyKey: true, body: { legalBasis, holdHours: 72 } }),
  },
  redeliverInstruction: {
    success: 202,
    // The targets name holds (FROZEN, not redeliverable): use an open instruction of the same case.
    build: ({ params }) => ({
      replace:
        params.instructionId === world.h1
          ? { instructionId: world.i1 }
          : params.instructionId === world.h2
            ? { instructionId: world.o2 }
            : undefined,
    }),
  },
  orderRelease: {
    success: 202,
    build: ({ params }) => ({
      idempotencyKey: true,
      body: {
        instructionId: params.instructionId,
        amount: cny(1_000n),
        disposition: 'RETURN_TO_VICTIM',
        authority: legalBasis,
      },
    }),
  },
  bankPerformance: { success: 200, build: () => ({}) },
  getBank: { success: 200, build: () => ({}) },
  bankTestDelivery: { success: 202, build: () => ({ body: { kind: 'EXTEND' } }) },
  getTestDelivery: { success: 200, build: () => ({}) },
  // The sandbox's scripted first answer to a confirmation is 503 + Retry-After (domain/sandbox.ts).
  bankTestConfirmation: {
    success: 503,
    build: () => ({
      body: { confirmationId: `sbx-${randomUUID()}`, result: 'ACTIONED', frozen: cny(1_000n) },
    }),
  },
};

const requestOf = (route: RouteDefinition): RouteRequest | undefined => requests[route.id];

/** Every route of docs/api.md's route table, as `METHOD path`. */
const apiMdRoutes = [
  'GET /health',
  'PUT /banks/{bankId}',
  'POST /cases',
  'POST /cases/{caseId}/freeze-orders',
  'GET /cases/{caseId}',
  'GET /cases/{caseId}/totals',
  'GET /cases/{caseId}/trail',
  'GET /cases/{caseId}/audit',
  'POST /cases/{caseId}/instructions/{instructionId}/extend',
  'POST /cases/{caseId}/releases',
  'POST /cases/{caseId}/instructions/{instructionId}/redeliver',
  'GET /banks/{bankId}',
  'POST /banks/{bankId}/test-deliveries',
  'GET /banks/{bankId}/test-deliveries/{deliveryId}',
  'POST /banks/{bankId}/test-deliveries/{deliveryId}/confirmations',
  'GET /banks/{bankId}/instructions',
  'POST /banks/{bankId}/instructions/{instructionId}/confirmations',
  'GET /totals',
  'GET /banks/performance',
];

// ---------------------------------------------------------------------------------------------------
// The expected status, from the route table alone.

function inScope(caller: Caller, target: Target): boolean {
  const as = caller.as;
  if (!as || !target.owner) return false;
  if ('unscoped' in target.owner) return true;
  if ('agencyId' in target.owner) {
    // An admin may act in any case (redeliver is the only case route an admin's role reaches).
    return (
      as.role === 'regulator' ||
      as.role === 'admin' ||
      (as.role === 'police' && as.agencyId === target.owner.agencyId)
    );
  }
  // An admin reaches every bank on the bank routes its role is allowed (the registration, the sandbox).
  return (as.role === 'bank' && as.bankId === target.owner.bankId) || as.role === 'admin';
}

function expectedStatus(route: RouteDefinition, caller: Caller, target: Target): number {
  const success = requestOf(route)?.success ?? -1;
  if (route.roles.length === 0) return success;
  if (!caller.as) return 401;
  if (!route.roles.includes(caller.as.role)) return 403;
  if (route.scope !== 'none' && !inScope(caller, target)) return 404;
  return success;
}

interface MatrixCell {
  route: RouteDefinition;
  caller: Caller;
  target: Target;
  expected: number;
}

const matrix: MatrixCell[] = routes.flatMap((route: RouteDefinition) =>
  callers.flatMap((caller) =>
    targetsOf(route).map((target) => ({
      route,
      caller,
      target,
      expected: expectedStatus(route, caller, target),
    })),
  ),
);

// ---------------------------------------------------------------------------------------------------
// Calling a route

function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${path}`);
    return encodeURIComponent(value);
  });
}

async function callRoute(
  route: RouteDefinition,
  as: Caller['as'],
  scoped: Record<string, string>,
  override: { rawBody?: string } = {},
): Promise<{ status: number; contentType: string | null; body: unknown }> {
  const entry = requestOf(route);
  if (!entry) throw new Error(`route ${route.id} has no entry in the access matrix's request map`);
  const built = entry.build({ params: scoped });
  const path = fillPath(route.path, { ...built.params, ...scoped, ...built.replace });
  const headers: Record<string, string> = {};
  if (as) headers.authorization = `Bearer ${await local.api.token(as.role, as)}`;
  const body = override.rawBody ?? (built.body === undefined ? undefined : JSON.stringify(built.body));
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (built.idempotencyKey) headers['idempotency-key'] = `matrix-${randomUUID()}`;
  const response = await fetch(`${local.api.baseUrl}${path}${built.query ? `?${built.query}` : ''}`, {
    method: route.method,
    headers,
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: text ? (JSON.parse(text) as unknown) : undefined,
  };
}

// ---------------------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** B1's and B2's webhook endpoint (push banks, so the sandbox routes reach them): answers 200. */
let receiver: Server | undefined;
afterAll(async () => {
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
});

beforeAll(async () => {
  const api = local.api;
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((resolve) => receiver?.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  for (const bankId of ['B1', 'B2', world.adminBank]) {
    const push = bankId !== world.adminBank;
    const r = await api.request('PUT', `/banks/${bankId}`, {
      as: { role: 'admin' },
      body: push
        ? {
            name: bankId,
            mode: 'push',
            endpoint,
            slaSeconds: 3600,
            signingSecret: `matrix-secret-${bankId}-0123`,
          }
        : { name: bankId, mode: 'pull', slaSeconds: 3600 },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
  for (const bankId of ['B1', 'B2'] as const) {
    const r = await api.request<{ deliveryId: string }>('POST', `/banks/${bankId}/test-deliveries`, {
      as: { role: 'bank', bankId },
      body: { kind: 'FREEZE' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    world[bankId === 'B1' ? 'd1' : 'd2'] = r.body.deliveryId;
  }
  const open = async (agencyId: string) => {
    const r = await api.request<{ caseId: string }>('POST', '/cases', {
      as: { role: 'police', agencyId },
      idempotencyKey: true,
      body: { reference: `R-${agencyId}`, reportedLoss: cny(2_000_000n), reportedAt: '2026-11-20T10:00:00Z' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.caseId;
  };
  world.c1 = await open('PSB-1');
  world.c2 = await open('PSB-2');
  const order = await api.request<{
    orderId: string;
    instructions: { instructionId: string; bankId: string }[];
  }>('POST', `/cases/${world.c1}/freeze-orders`, {
    as: { role: 'police', agencyId: 'PSB-1' },
    idempotencyKey: true,
    body: {
      legalBasis,
      targets: [
        { bankId: 'B1', accountNumber: '6222000000000001', amount: cny(REQUESTED) },
        { bankId: 'B2', accountNumber: '6222000000000002', amount: cny(REQUESTED) },
      ],
    },
  });
  expect(order.status, JSON.stringify(order.body)).toBe(202);
  world.i1 = order.body.instructions.find((i) => i.bankId === 'B1')?.instructionId ?? '';
  world.i2 = order.body.instructions.find((i) => i.bankId === 'B2')?.instructionId ?? '';
  world.missingInstruction = `${order.body.orderId}.99`;
  // A FROZEN instruction in each case (confirmed right away: the bank may confirm before dispatch).
  const held = async (caseId: string, agencyId: string, accountNumber: string) => {
    const r = await api.request<{ instructions: { instructionId: string }[] }>(
      'POST',
      `/cases/${caseId}/freeze-orders`,
      {
        as: { role: 'police', agencyId },
        idempotencyKey: true,
        body: { legalBasis, targets: [{ bankId: 'B1', accountNumber, amount: cny(REQUESTED) }] },
      },
    );
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const instructionId = r.body.instructions[0]?.instructionId ?? '';
    const confirmed = await api.request<{ status: string }>(
      'POST',
      `/banks/B1/instructions/${instructionId}/confirmations`,
      {
        as: { role: 'bank', bankId: 'B1' },
        body: { confirmationId: `held-${instructionId}`, result: 'ACTIONED', frozen: cny(REQUESTED) },
      },
    );
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(201);
    expect(confirmed.body.status).toBe('FROZEN');
    return instructionId;
  };
  const open2 = await api.request<{ instructions: { instructionId: string }[] }>(
    'POST',
    `/cases/${world.c2}/freeze-orders`,
    {
      as: { role: 'police', agencyId: 'PSB-2' },
      idempotencyKey: true,
      body: {
        legalBasis,
        targets: [{ bankId: 'B2', accountNumber: '6222000000000021', amount: cny(REQUESTED) }],
      },
    },
  );
  expect(open2.status, JSON.stringify(open2.body)).toBe(202);
  world.o2 = open2.body.instructions[0]?.instructionId ?? '';
  world.h1 = await held(world.c1, 'PSB-1', '6222000000000011');
  world.h2 = await held(world.c2, 'PSB-2', '6222000000000012');
  // Let the workflow deliver both (pushed: DISPATCHED in the inbox), so the matrix runs against settled state.
  for (const [bankId, id] of [
    ['B1', world.i1],
    ['B2', world.i2],
  ] as const) {
    for (let i = 0; i < 200; i++) {
      const inbox = await api.request<{ items: { instructionId: string; status: string }[] }>(
        'GET',
        `/banks/${bankId}/instructions`,
        { as: { role: 'bank', bankId } },
      );
      if (inbox.body.items.find((x) => x.instructionId === id)?.status === 'DISPATCHED') break;
      await sleep(25);
    }
  }
});

let requestsMade = 0;
afterAll(() => {
  console.log(
    `access matrix: ${matrix.length} cells over ${routes.length} routes × ${callers.length} callers; ${requestsMade} requests in this file`,
  );
});

describe('access matrix (docs/api.md Conventions: 401 → 403 → 404 → success)', () => {
  it('every route of routes.ts has a hand-written request in the matrix', () => {
    const missing = routes.filter((r: RouteDefinition) => !requestOf(r)).map((r) => r.id);
    expect(missing, `add these route ids to \`requests\` in ${import.meta.url}`).toEqual([]);
  });

  // docs/api.md "Routes" is the contract: every route it lists must be in routes.ts (hence served locally
  // and deployed), and routes.ts must not grow routes the contract does not list.
  it('routes.ts has every route of docs/api.md', () => {
    const have = routes.map((r: RouteDefinition) => `${r.method} ${r.path}`);
    expect(apiMdRoutes.filter((r) => !have.includes(r))).toEqual([]);
  });

  it('routes.ts has no route that docs/api.md does not list', () => {
    const extra = routes
      .map((r: RouteDefinition) => `${r.method} ${r.path}`)
      .filter((r) => !apiMdRoutes.includes(r));
    expect(extra).toEqual([]);
  });

  it.each(matrix.map((cell) => ({ ...cell, name: `${cell.route.method} ${cell.route.path}` })))(
    '$name as $caller.label on $target.label → $expected',
    async ({ route, caller, target, expected }) => {
      const answer = await callRoute(route, caller.as, target.params());
      requestsMade += 1;
      expect(answer.status, JSON.stringify(answer.body)).toBe(expected);
      if (expected >= 400) {
        expect(answer.contentType).toBe('application/problem+json');
        expect((answer.body as { status?: unknown }).status).toBe(expected);
      } else {
        expect(answer.contentType).toMatch(/^application\/json/);
      }
    },
  );
});

describe('scope is never a 403', () => {
  const caseRoutesForPolice = routes.filter(
    (r: RouteDefinition) => r.scope === 'case' && r.roles.includes('police'),
  );

  it.each(caseRoutesForPolice.map((r: RouteDefinition) => ({ route: r, name: `${r.method} ${r.path}` })))(
    'police of another agency (PSB-3, PSB-2) get 404 on $name for every case that is not theirs',
    async ({ route }) => {
      for (const agencyId of ['PSB-3', 'PSB-2']) {
        for (const caseId of [world.c1, world.missingCase]) {
          const instructionId = caseId === world.c1 ? world.h1 : `${caseId}.O000000.1`;
          const answer = await callRoute(route, { role: 'police', agencyId }, { caseId, instructionId });
          requestsMade += 1;
          expect(answer.status, `${agencyId} on ${caseId}: ${JSON.stringify(answer.body)}`).toBe(404);
        }
      }
    },
  );

  it('a regulator never gets a 2xx on a POST or PUT', async () => {
    const writes = routes.filter((r: RouteDefinition) => r.method !== 'GET');
    expect(writes.length).toBeGreaterThan(0);
    for (const route of writes) {
      for (const target of targetsOf(route)) {
        const answer = await callRoute(route, { role: 'regulator' }, target.params());
        requestsMade += 1;
        expect(answer.status, `${route.method} ${route.path} on ${target.label}`).toBeGreaterThanOrEqual(400);
        expect(answer.status).toBe(403);
      }
    }
  });
});

describe('check order with a malformed body: 401 → 403 → 404 come before 400', () => {
  const writes = routes.filter((r: RouteDefinition) => r.method !== 'GET' && r.roles.length > 0);
  const cells = writes.flatMap((route: RouteDefinition) =>
    callers.flatMap((caller) =>
      targetsOf(route).map((target) => {
        const expected = expectedStatus(route, caller, target);
        // Where the valid request would pass every check (its success, or the sandbox's scripted
        // 503), the malformed one is the 400.
        const passes = expected < 300 || expected === requestOf(route)?.success;
        return { route, caller, target, expected: passes ? 400 : expected };
      }),
    ),
  );

  it.each(cells.map((c) => ({ ...c, name: `${c.route.method} ${c.route.path}` })))(
    '$name as $caller.label on $target.label with broken JSON → $expected',
    async ({ route, caller, target, expected }) => {
      const answer = await callRoute(route, caller.as, target.params(), { rawBody: '{"broken": ' });
      requestsMade += 1;
      expect(answer.status, JSON.stringify(answer.body)).toBe(expected);
      expect(answer.contentType).toBe('application/problem+json');
    },
  );
});
