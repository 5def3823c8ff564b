import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../functions/schemas/claims.ts';
import { type RouteDefinition, routes } from '../../functions/schemas/routes.ts';
import { ApiClient, type ApiResponse } from '../../local/api-client.ts';
import { DEV_JWT_SECRET } from '../../local/dev-jwt.ts';
import type { DynamoRestart } from '../../local/dynamo-local.ts';
import { type LocalSystem, startLocalSystem } from '../../local/system.ts';
import { cny, legalBasis } from '../support/fixtures.ts';

/**
 * Fault: DynamoDB Local's JVM is SIGKILLed under a running local system (docs/api.md "Running it
 * locally": /health 503 while the database does not answer, every route 503 + Retry-After, never
 * 500). The system has a DynamoDB Local of its own (in memory, supervised, as under `npm run serve`),
 * so the kill touches no other test file. The supervisor must bring the database back on the same
 * port, with the table, and the system must take writes again without being restarted.
 */
let system: LocalSystem;
let api: ApiClient;

const CASE = 'CFAULTCASE1';
const INSTRUCTION = `${CASE}.OORDER1.1`;

/** A valid request for every route, so that each one gets as far as the database. */
function requestFor(route: RouteDefinition): {
  path: string;
  as?: { role: Role; agencyId?: string; bankId?: string };
  body?: unknown;
  idempotencyKey?: true;
} {
  const police = { role: 'police' as const, agencyId: 'PSB-1' };
  const path = route.path
    .replace('{caseId}', CASE)
    .replace('{instructionId}', INSTRUCTION)
    .replace('{bankId}', 'B1')
    .replace('{deliveryId}', 'test-fault-1');
  switch (route.id) {
    case 'health':
      return { path };
    case 'registerBank':
      return { path, as: { role: 'admin' }, body: { name: 'B1', mode: 'pull', slaSeconds: 3600 } };
    case 'openCase':
      return {
        path,
        as: police,
        idempotencyKey: true,
        body: { reference: 'F-1', reportedLoss: cny(1_000_000n), reportedAt: '2026-11-20T10:00:00Z' },
      };
    case 'submitFreezeOrder':
      return {
        path,
        as: police,
        idempotencyKey: true,
        body: {
          legalBasis,
          targets: [{ bankId: 'B1', accountNumber: '6222000011112222', amount: cny(1_000n) }],
        },
      };
    case 'extendHold':
      return { path, as: police, idempotencyKey: true, body: { legalBasis, holdHours: 72 } };
    case 'orderRelease':
      return {
        path,
        as: police,
        idempotencyKey: true,
        body: {
          instructionId: INSTRUCTION,
          amount: cny(1n),
          disposition: 'RETURN_TO_VICTIM',
          authority: legalBasis,
        },
      };
    case 'bankInbox':
      return { path: `${path}?limit=10`, as: { role: 'bank', bankId: 'B1' } };
    case 'recordConfirmation':
      return {
        path,
        as: { role: 'bank', bankId: 'B1' },
        body: { confirmationId: 'conf-fault-1', result: 'ACTIONED', frozen: cny(1_000n) },
      };
    case 'regulatorTotals':
    case 'bankPerformance':
      return { path, as: { role: 'regulator' } };
    case 'bankTestConfirmation':
      return {
        path,
        as: { role: 'bank', bankId: 'B1' },
        body: { confirmationId: 'conf-fault-2', result: 'ACTIONED', frozen: cny(1_000n) },
      };
    default:
      return { path, as: route.roles.includes('police') ? police : { role: route.roles[0] as Role } };
  }
}

async function call(route: RouteDefinition): Promise<ApiResponse<{ status?: number; title?: string }>> {
  const { path, ...options } = requestFor(route);
  return api.request(route.method, path, options);
}

const figures = { requests: 0, status500: 0, status503: 0, other: new Map<number, number>(), recoveredMs: 0 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  system = await startLocalSystem({ port: 0 });
  api = new ApiClient(system.url, DEV_JWT_SECRET);
});

afterAll(async () => {
  const pid = system?.dynamo.pid;
  await system?.stop();
  // stop() leaves no JVM behind, the restarted one included.
  if (pid && pid > 0) expect(() => process.kill(pid, 0)).toThrow();
});

describe('fault: DynamoDB Local killed under a running system', () => {
  it('answers 503 + Retry-After (never 500) while it is down, and recovers without a restart', async () => {
    const supervisor = system.dynamo.supervisor;
    expect(supervisor, 'the system supervises its DynamoDB Local').toBeDefined();
    expect((await api.request('GET', '/health')).status).toBe(200);
    const registered = await api.request('PUT', '/banks/B1', requestFor(routes[1]));
    expect(registered.status, JSON.stringify(registered.body)).toBeLessThan(300);

    const killedPid = system.dynamo.pid;
    const restarted: Promise<DynamoRestart> = supervisor!.nextRestart();
    let back = false;
    void restarted.then(() => {
      back = true;
    });
    const killedAt = performance.now();
    supervisor!.kill('SIGKILL');
    // Wait until the JVM is really gone (a kill is asynchronous).
    while (
      (() => {
        try {
          process.kill(killedPid, 0);
          return true;
        } catch {
          return false;
        }
      })()
    )
      await sleep(10);

    // /health reuses its probe's answer for at most 1 s (functions/health/handler.ts).
    let health = await api.request('GET', '/health');
    while (health.status === 200 && performance.now() - killedAt < 1_500) {
      await sleep(50);
      health = await api.request('GET', '/health');
    }
    expect(health.status, JSON.stringify(health.body)).toBe(503);
    expect(health.headers.get('content-type')).toBe('application/problem+json');
    expect(Number(health.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    // Every route, round after round, until the supervisor reports the database back.
    const seenDown = new Set<string>();
    let rounds = 0;
    while (!back && rounds < 50) {
      rounds += 1;
      const answers = await Promise.all(routes.map(async (route) => ({ route, answer: await call(route) })));
      for (const { route, answer } of answers) {
        figures.requests += 1;
        if (answer.status >= 500 && answer.status !== 503) figures.status500 += 1;
        if (answer.status === 503) {
          figures.status503 += 1;
          seenDown.add(route.id);
          expect(answer.headers.get('content-type'), route.id).toBe('application/problem+json');
          expect(Number(answer.headers.get('retry-after')), route.id).toBeGreaterThanOrEqual(1);
        } else {
          figures.other.set(answer.status, (figures.other.get(answer.status) ?? 0) + 1);
        }
        expect(answer.status, `${route.method} ${route.path}: ${JSON.stringify(answer.body)}`).not.toBe(500);
      }
    }
    expect(figures.status500).toBe(0);
    // Every route answered 503 at least once while the database was down.
    expect([...seenDown].sort()).toEqual(routes.map((r) => r.id).sort());

    const restart = await restarted;
    expect(restart.pid).not.toBe(killedPid);
    expect(system.dynamo.pid).toBe(restart.pid);
    // Same port: the system's clients reach the new JVM without being rebuilt.
    expect(new URL(system.dynamo.endpoint).port).toBe(String(system.dynamo.port));

    let healthy = false;
    for (let i = 0; i < 100 && !healthy; i++) {
      healthy = (await api.request('GET', '/health')).status === 200;
      if (!healthy) await sleep(100);
    }
    expect(healthy, '/health is 200 again').toBe(true);
    figures.recoveredMs = performance.now() - killedAt;

    // Writes work again (the in-memory table was re-created by the restart hook).
    const opened = await api.request<{ caseId: string }>('POST', '/cases', requestFor(routes[2]));
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const bank = await api.request('PUT', '/banks/B1', requestFor(routes[1]));
    expect(bank.status, JSON.stringify(bank.body)).toBeLessThan(300);
    const order = await api.request('POST', `/cases/${opened.body.caseId}/freeze-orders`, {
      ...requestFor(routes[3]),
    });
    expect(order.status, JSON.stringify(order.body)).toBe(202);
    const read = await api.request('GET', `/cases/${opened.body.caseId}`, {
      as: { role: 'police', agencyId: 'PSB-1' },
    });
    expect(read.status).toBe(200);

    const others = [...figures.other].map(([status, n]) => `${status}: ${n}`).join(', ');
    console.log(
      `fault database-killed: requests ${figures.requests}, 500s ${figures.status500}, 503s ${figures.status503}` +
        `${others ? ` (other ${others})` : ''}, db back in ${(restart.downMs / 1000).toFixed(1)} s, ` +
        `recovered (/health 200) in ${(figures.recoveredMs / 1000).toFixed(1)} s, ` +
        `JVMs launched ${restart.attempts}${restart.failures.length ? ` (${restart.failures.join('; ')})` : ''}`,
    );
  });
});
