import { randomUUID } from 'node:crypto';
import { threadId } from 'node:worker_threads';
import type { Dependencies } from '../../../functions/adapters/dependencies.ts';

/**
 * A handler module for the sandbox pool's tests (test/integration/sandbox-pool.test.ts): it says
 * which module instance served, what its module state holds, and can hold, crash or hang on request.
 */
const instance = randomUUID();
let served = 0;
/** A lock in module state, as transact.ts once had: it orders only the callers of this instance. */
let lock: Promise<unknown> = Promise.resolve();

export interface ProbeEvent {
  holdMs?: number;
  crash?: boolean;
  hang?: boolean;
  fail?: string;
}

export interface ProbeAnswer {
  instance: string;
  threadId: number;
  served: number;
  startedAt: number;
  endedAt: number;
}

export const createProbe = (_deps: Dependencies) => async (event: ProbeEvent) => {
  served += 1;
  const mine = served;
  if (event.crash) process.exit(3);
  if (event.fail) throw Object.assign(new Error('asked to fail'), { name: event.fail });
  if (event.hang) await new Promise(() => undefined);
  const run = lock.then(async () => {
    const startedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, event.holdMs ?? 0));
    return { instance, threadId, served: mine, startedAt, endedAt: Date.now() } satisfies ProbeAnswer;
  });
  lock = run.catch(() => undefined);
  return run;
};
