import { afterEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../functions/adapters/event-publisher.ts';
import { SandboxPool } from '../../local/sandbox/pool.ts';
import { useDynamoLocal } from '../support/dynamo.ts';
import type { ProbeAnswer } from '../support/sandbox/probe-handler.ts';

const dynamo = useDynamoLocal();
const PROBE = new URL('../support/sandbox/probe-handler.ts', import.meta.url).href;

const pools: SandboxPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

function pool(maxPerFunction: number, extra: { timeoutMs?: number } = {}) {
  const published: DomainEvent[] = [];
  const created = new SandboxPool({
    dynamoEndpoint: dynamo.endpoint,
    tableName: 'sandbox-pool-test',
    maxPerFunction,
    ...extra,
    services: {
      workflow: {
        startExecution: async () => undefined,
        sendTaskSuccess: async () => undefined,
        sendTaskFailure: async () => undefined,
      },
      events: { publish: async (event) => void published.push(event) },
      nudge: () => undefined,
    },
  });
  pools.push(created);
  return created;
}

const probe = (p: SandboxPool, event: object) => p.invoke('probe', PROBE, event) as Promise<ProbeAnswer>;

describe('the sandbox pool: each invocation in an isolated sandbox, as Lambda runs them', () => {
  it('two concurrent invocations get different module instances, and a lock in module state cannot order them', async () => {
    const p = pool(2);
    await p.warm('probe', PROBE, 2); // both ready, so their cold starts cannot keep them apart
    const [a, b] = await Promise.all([probe(p, { holdMs: 400 }), probe(p, { holdMs: 400 })]);
    expect(a.instance).not.toBe(b.instance);
    expect(a.threadId).not.toBe(b.threadId);
    // Both ran at the same time: neither waited on the other's module-state lock.
    expect(Math.max(a.startedAt, b.startedAt)).toBeLessThan(Math.min(a.endedAt, b.endedAt));
  });

  it('in ONE process the same module-state lock does order them (what the pool takes away)', async () => {
    const { createProbe } = await import('../support/sandbox/probe-handler.ts');
    const handler = createProbe({} as never);
    const [a, b] = await Promise.all([handler({ holdMs: 200 }), handler({ holdMs: 200 })]);
    expect(a.instance).toBe(b.instance);
    expect(b.startedAt).toBeGreaterThanOrEqual(a.endedAt);
  });

  it('a sandbox serves one invocation at a time and stays warm: module state carries over, no new cold start', async () => {
    const p = pool(1);
    const first = await p.invokeWithStats('probe', PROBE, {});
    const second = await p.invokeWithStats('probe', PROBE, {});
    const a = first.value as ProbeAnswer;
    const b = second.value as ProbeAnswer;
    expect(b.instance).toBe(a.instance);
    expect(b.served).toBe(a.served + 1);
    expect([first.stats.coldStart, second.stats.coldStart]).toEqual([true, false]);
    expect(p.started.get('probe')).toBe(1);
  });

  it('never runs more sandboxes of a function than its limit: further invocations wait for a free one', async () => {
    const p = pool(2);
    await p.warm('probe', PROBE, 2);
    const answers = await Promise.all(Array.from({ length: 6 }, () => probe(p, { holdMs: 150 })));
    // Both warm sandboxes serve the burst; none more is started.
    expect(new Set(answers.map((a) => a.instance)).size).toBe(2);
    expect(p.started.get('probe')).toBe(2);
    // At no moment were more than two running.
    const moments = answers.flatMap((a) => [a.startedAt, a.endedAt - 1]);
    for (const t of moments) {
      expect(answers.filter((a) => a.startedAt <= t && t < a.endedAt).length).toBeLessThanOrEqual(2);
    }
  });

  it('a burst on a cold function starts one sandbox at a time (no stampede of cold starts), never past the limit', async () => {
    const p = pool(3);
    const answers = await Promise.all(Array.from({ length: 12 }, () => probe(p, { holdMs: 50 })));
    expect(answers).toHaveLength(12);
    expect(p.started.get('probe')).toBeLessThanOrEqual(3);
    expect(new Set(answers.map((a) => a.instance)).size).toBeLessThanOrEqual(p.started.get('probe') ?? 0);
  });

  it('a thrown error crosses with its name (what a Catch or a retry rule matches)', async () => {
    const p = pool(1);
    await expect(probe(p, { fail: 'BankUnavailable' })).rejects.toMatchObject({
      name: 'BankUnavailable',
      message: 'asked to fail',
    });
    // The sandbox is still there for the next invocation.
    await expect(probe(p, {})).resolves.toMatchObject({ served: 2 });
  });

  it('a sandbox that dies fails only its own invocation; the next one gets a fresh sandbox', async () => {
    const p = pool(2);
    const before = await probe(p, {});
    await expect(probe(p, { crash: true })).rejects.toMatchObject({ name: 'Sandbox.Exited' });
    const after = await probe(p, {});
    expect(after.instance).toBeDefined();
    expect(p.alive().probe).toBeGreaterThanOrEqual(1);
    expect(before.instance).toBeDefined();
  });

  it('an invocation over its timeout is ended with its sandbox (as Lambda ends a timed-out one)', async () => {
    const p = pool(1, { timeoutMs: 500 });
    await expect(probe(p, { hang: true })).rejects.toMatchObject({ name: 'Sandbox.Timeout' });
    const next = await probe(p, {});
    expect(next.served).toBe(1); // a new module instance
  });
});
