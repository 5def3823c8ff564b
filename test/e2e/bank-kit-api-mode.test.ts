import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReceiver, holdEverything, type Push } from '../../examples/bank-receiver/server.ts';
import { SANDBOX_RETRY_AFTER_SECONDS } from '../../functions/domain/sandbox.ts';
import { checkApi } from '../../packages/bank-kit/src/api-checks.ts';
import { type CheckResult, formatResult } from '../../packages/bank-kit/src/conformance.ts';
import { useLocalSystem } from '../support/local-system.ts';

/**
 * `freezeflow-conformance --api` against the local system: the example bank (kit receiver + kit
 * confirm) passes every check; three broken confirmation clients each fail the check naming their
 * fault: one never confirms, one retries a 503 at once, one sends a new confirmationId on retry.
 */
const local = useLocalSystem();
const SECRET = 'api-mode-secret-0123456789';
const servers: Server[] = [];

type Client = 'example' | 'never confirms' | 'ignores Retry-After' | 'new id on retry';
const bankIds: Record<Client, string> = {
  example: 'APIGOOD',
  'never confirms': 'APISILENT',
  'ignores Retry-After': 'APIHASTY',
  'new id on retry': 'APIFORGETFUL',
};

async function post(url: string, token: string, body: object): Promise<{ status: number }> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await r.arrayBuffer();
  return { status: r.status };
}

/** A broken client: its fault, in a loop of at most 4 attempts. */
const brokenHandler = (fault: Client, token: string) => async (push: Push) => {
  if (push.kind !== 'FREEZE' || typeof push.confirmUrl !== 'string' || fault === 'never confirms') return;
  for (let attempt = 1; attempt <= 4; attempt++) {
    const id =
      fault === 'new id on retry' ? `frz-${attempt}-${push.instructionId}` : `frz-${push.instructionId}`;
    const r = await post(push.confirmUrl, token, {
      confirmationId: id,
      result: 'ACTIONED',
      frozen: push.amount,
    });
    if (r.status !== 503) return;
    await new Promise((resolve) =>
      setTimeout(resolve, fault === 'ignores Retry-After' ? 50 : SANDBOX_RETRY_AFTER_SECONDS * 1000 + 100),
    );
  }
};

const results: Partial<Record<Client, CheckResult[]>> = {};

beforeAll(async () => {
  for (const [client, bankId] of Object.entries(bankIds) as [Client, string][]) {
    const token = await local.api.token('bank', { bankId });
    const server = createReceiver({
      secrets: () => [SECRET],
      handle: client === 'example' ? holdEverything(() => token) : brokenHandler(client, token),
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/freezeflow`;
    const registered = await local.api.request('PUT', `/banks/${bankId}`, {
      as: { role: 'admin' },
      body: { name: client, mode: 'push', endpoint, slaSeconds: 3600, signingSecret: SECRET },
    });
    expect(registered.status).toBe(201);
  }
  // The four banks side by side: each run mostly waits on the sandbox's Retry-After.
  await Promise.all(
    (Object.entries(bankIds) as [Client, string][]).map(async ([client, bankId]) => {
      const token = await local.api.token('bank', { bankId });
      results[client] = await checkApi({ api: local.system.url, bankId, token, waitSeconds: 25 });
    }),
  );
}, 120_000);

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

const failing = (client: Client) => (results[client] ?? []).filter((r) => !r.pass).map((r) => r.name);

describe('freezeflow-conformance --api (the bank’s confirmation client)', () => {
  it('the example bank passes every check', () => {
    console.log((results.example ?? []).map(formatResult).join('\n'));
    expect(results.example?.length).toBeGreaterThanOrEqual(11);
    expect(failing('example')).toEqual([]);
  });

  it('a client that never confirms fails "answers a sandbox FREEZE"', () => {
    expect(failing('never confirms')).toContain(
      'answers a sandbox FREEZE at its confirmUrl with a valid confirmation',
    );
  });

  it('a client that retries a 503 at once fails "no sooner than Retry-After"', () => {
    expect(failing('ignores Retry-After')).toContain('retries a 503 no sooner than Retry-After');
  });

  it('a client that makes a new confirmationId on retry fails "replays the same confirmation"', () => {
    expect(failing('new id on retry')).toEqual([
      'replays the same confirmation after a lost answer (same confirmationId and body)',
    ]);
  });
});
