import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  databaseProbe,
  HEALTH_CACHE_MS,
  HEALTH_PROBE_TIMEOUT_MS,
} from '../../../functions/app/database-health.ts';
import { createHealth } from '../../../functions/health/handler.ts';
import { expectProblem, FakeTable, httpEvent, invoke, testDeps } from './support.ts';

/** GET /health answers 200 only while the database answers (docs/api.md "Running it locally"). */
const table = new FakeTable();
const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });

beforeEach(() => {
  table.reset();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('GET /health', () => {
  it('503 problem+json with Retry-After while the database refuses connections', async () => {
    table.ddb.on(GetCommand).rejects(refused());
    const answer = await invoke(createHealth(testDeps().deps), httpEvent({ path: '/health' }));
    const problem = expectProblem(answer, 503);
    expect(problem.title).toBe('Service Unavailable');
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('503 when the table is missing (DynamoDB Local restarted in memory, before the table is back)', async () => {
    table.ddb.on(GetCommand).rejects(
      Object.assign(new Error('Cannot do operations on a non-existent table'), {
        name: 'ResourceNotFoundException',
      }),
    );
    expectProblem(await invoke(createHealth(testDeps().deps), httpEvent({ path: '/health' })), 503);
  });

  it('503 when the database does not answer within the probe timeout', async () => {
    vi.useFakeTimers();
    table.ddb.on(GetCommand).callsFake(() => new Promise(() => undefined));
    const pending = invoke(createHealth(testDeps().deps), httpEvent({ path: '/health' }));
    await vi.advanceTimersByTimeAsync(HEALTH_PROBE_TIMEOUT_MS + 1);
    expectProblem(await pending, 503);
  });
});

describe('databaseProbe', () => {
  it('reuses an answer for at most HEALTH_CACHE_MS, then asks again', async () => {
    let now = 1_000_000;
    const probe = databaseProbe(testDeps().deps, () => now);
    expect(await probe()).toBe(true);
    table.ddb.on(GetCommand).rejects(refused());
    now += HEALTH_CACHE_MS - 1;
    expect(await probe()).toBe(true); // cached
    expect(table.ddb.commandCalls(GetCommand)).toHaveLength(1);
    now += 1;
    expect(await probe()).toBe(false);
    expect(table.ddb.commandCalls(GetCommand)).toHaveLength(2);
    table.reset();
    now += HEALTH_CACHE_MS;
    expect(await probe()).toBe(true); // back as soon as the database is
  });

  it('concurrent probes share one request', async () => {
    const probe = databaseProbe(testDeps().deps);
    const answers = await Promise.all(Array.from({ length: 20 }, () => probe()));
    expect(answers.every(Boolean)).toBe(true);
    expect(table.ddb.commandCalls(GetCommand)).toHaveLength(1);
  });
});
