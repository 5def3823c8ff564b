import { Worker } from 'node:worker_threads';
import type { EventPublisher } from '../../functions/adapters/event-publisher.ts';
import type { WorkflowClient } from '../../functions/adapters/workflow-client.ts';
import type { MeterCalls } from '../local-dependencies.ts';
import { bundleSandboxes, type SandboxBundle } from './bundle.ts';
import {
  deserializeError,
  type FromSandbox,
  type SandboxConfig,
  type ServiceCall,
  serializeError,
  type ToSandbox,
} from './protocol.ts';

export interface SandboxPoolOptions {
  dynamoEndpoint: string;
  tableName: string;
  /** The API's own URL as handlers see it (set once the HTTP front listens; see setApiBaseUrl). */
  apiBaseUrl?: string;
  /** Sandboxes per function at most (Lambda's concurrency); further invocations wait for one. */
  maxPerFunction: number;
  /** An invocation running longer is ended with its sandbox, as Lambda ends a timed-out one. */
  timeoutMs?: number;
  /** A sandbox idle this long is stopped (Lambda reclaims idle containers too). */
  idleMs?: number;
  /** What lives in the main process and sandboxes reach by messages. */
  services: { workflow: WorkflowClient; events: EventPublisher; meter?: MeterCalls; nudge: () => void };
}

/** How one invocation ran. */
export interface InvocationStats {
  /** It had to start its sandbox first (a cold start). */
  coldStart: boolean;
  /** DynamoDB write requests it sent, attempts included. */
  writeRequests: number;
  /** Of those, TransactWriteItems requests (a change retried after a conflict counts twice). */
  transactions: number;
  /** Transactions that did not commit (cancelled for a failed condition or a conflict, or failed). */
  cancelledTransactions: number;
  /** The sandbox (worker thread) it ran in. */
  threadId: number;
  /** Milliseconds it waited for a sandbox (a free one, or one starting), and then ran in it. */
  queuedMs: number;
  runMs: number;
}

interface Waiting {
  event: unknown;
  /** performance.now() when it was asked for. */
  at: number;
  resolve: (outcome: { value: unknown; stats: InvocationStats }) => void;
  reject: (error: Error) => void;
}

interface Sandbox {
  worker: Worker;
  ready: Promise<void>;
  /** Its handler is loaded: it can take an invocation. */
  isReady: boolean;
  busy: boolean;
  warm: boolean;
  idleTimer?: NodeJS.Timeout;
  current?: Waiting & { id: number; coldStart: boolean; timer?: NodeJS.Timeout; sentAt?: number };
}

interface FunctionPool {
  moduleUrl: string;
  /** Where its sandboxes load from (set before its first sandbox starts). */
  built?: { workerUrl: URL; moduleUrl: string };
  sandboxes: Set<Sandbox>;
  queue: Waiting[];
}

/**
 * The local runtime's Lambda: every invocation runs in a sandbox, a worker thread with its own
 * module instances, SDK clients, caches and locks, one invocation at a time, as a Lambda container
 * runs them (local/sandbox/worker.ts). Sandboxes are per function, started on demand up to
 * `maxPerFunction`, reused while warm. Nothing a handler keeps in module state is shared with
 * another sandbox, so an in-process lock cannot hide a race that AWS would show.
 */
export class SandboxPool {
  private readonly functions = new Map<string, FunctionPool>();
  private nextId = 1;
  private closed = false;
  private apiBaseUrl: string;
  /** Handler modules to bundle, and the bundle of them (rebuilt when one it lacks is invoked). */
  private readonly modules = new Set<string>();
  private bundle?: Promise<SandboxBundle>;
  private readonly bundles: Promise<SandboxBundle>[] = [];
  /** Sandboxes started so far (cold starts), by function. */
  readonly started = new Map<string, number>();
  /** Told of every invocation that ended (the bench counts write attempts with it). */
  readonly observers = new Set<(functionName: string, ok: boolean, stats: InvocationStats) => void>();

  readonly maxPerFunction: number;

  constructor(private readonly options: SandboxPoolOptions) {
    this.maxPerFunction = options.maxPerFunction;
    this.apiBaseUrl = options.apiBaseUrl ?? '';
  }

  /** The URL sandboxes started from now on give handlers (FREEZEFLOW_API_URL in AWS). */
  setApiBaseUrl(url: string): void {
    this.apiBaseUrl = url;
  }

  /** Runs `event` through `functionName`'s handler in one of its sandboxes. */
  async invoke(functionName: string, moduleUrl: string, event: unknown): Promise<unknown> {
    return (await this.invokeWithStats(functionName, moduleUrl, event)).value;
  }

  async invokeWithStats(
    functionName: string,
    moduleUrl: string,
    event: unknown,
  ): Promise<{ value: unknown; stats: InvocationStats }> {
    if (this.closed) throw new Error('sandbox pool closed');
    const pool = await this.builtPool(functionName, moduleUrl);
    if (this.closed) throw new Error('sandbox pool closed');
    return new Promise((resolve, reject) => {
      pool.queue.push({ event, at: performance.now(), resolve, reject });
      this.schedule(functionName, pool);
    });
  }

  /**
   * Bundles these handler modules now (local/sandbox/bundle.ts), so that their first invocations do
   * not wait for it; a module invoked later that is not among them makes a new bundle then.
   */
  async prepare(moduleUrls: readonly string[]): Promise<void> {
    await this.bundleWith(moduleUrls);
  }

  /** Starts sandboxes of `functionName` until it has `count` (each ready before this resolves). */
  async warm(functionName: string, moduleUrl: string, count: number): Promise<void> {
    const pool = await this.builtPool(functionName, moduleUrl);
    const starting: Promise<void>[] = [];
    while (pool.sandboxes.size < Math.min(count, this.options.maxPerFunction)) {
      const sandbox = this.start(functionName, pool);
      sandbox.warm = true;
      starting.push(sandbox.ready);
    }
    await Promise.all(starting);
  }

  /** Stops the sandboxes of `functionName` that are idle now (as Lambda reclaims them). */
  async retire(functionName: string): Promise<void> {
    const pool = this.functions.get(functionName);
    if (!pool) return;
    await Promise.all([...pool.sandboxes].filter((s) => !s.busy).map((s) => s.worker.terminate()));
  }

  /** Sandboxes alive now, by function. */
  alive(): Record<string, number> {
    return Object.fromEntries([...this.functions].map(([name, pool]) => [name, pool.sandboxes.size]));
  }

  /** Stops every sandbox; invocations still waiting or running are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.functions.values()].flatMap((pool) => {
      for (const waiting of pool.queue.splice(0)) waiting.reject(new Error('sandbox pool closed'));
      return [...pool.sandboxes];
    });
    await Promise.all(all.map((sandbox) => sandbox.worker.terminate()));
    const built = await Promise.allSettled(this.bundles);
    await Promise.all(built.map((b) => (b.status === 'fulfilled' ? b.value.remove() : undefined)));
  }

  private async builtPool(functionName: string, moduleUrl: string): Promise<FunctionPool> {
    const pool = this.functionPool(functionName, moduleUrl);
    if (pool.built) return pool;
    const bundle = await this.bundleWith([moduleUrl]);
    const bundled = bundle.moduleUrlOf(moduleUrl);
    if (!bundled) throw new Error(`${functionName}: ${moduleUrl} is not in the sandbox bundle`);
    pool.built ??= { workerUrl: bundle.workerUrl, moduleUrl: bundled };
    return pool;
  }

  /** The current bundle if it has these modules, else a new one of every module asked for so far. */
  private bundleWith(moduleUrls: readonly string[]): Promise<SandboxBundle> {
    if (this.bundle && moduleUrls.every((url) => this.modules.has(url))) return this.bundle;
    for (const url of moduleUrls) this.modules.add(url);
    const bundle = bundleSandboxes([...this.modules]);
    this.bundle = bundle;
    this.bundles.push(bundle);
    // A failed build is not kept: the next invocation tries again.
    bundle.catch(() => {
      if (this.bundle === bundle) this.bundle = undefined;
    });
    return bundle;
  }

  private functionPool(functionName: string, moduleUrl: string): FunctionPool {
    let pool = this.functions.get(functionName);
    if (!pool) {
      pool = { moduleUrl, sandboxes: new Set(), queue: [] };
      this.functions.set(functionName, pool);
    }
    return pool;
  }

  /**
   * Hands waiting invocations to idle, ready sandboxes; while some still wait, starts ONE more
   * sandbox at a time (up to the limit) instead of one per waiting invocation: a burst is served by
   * the warm sandboxes as they free up, and a stampede of cold starts (each ~0.3 s of CPU) cannot
   * starve the machine it runs on.
   */
  private schedule(functionName: string, pool: FunctionPool): void {
    for (const sandbox of pool.sandboxes) {
      if (pool.queue.length === 0) return;
      if (!sandbox.isReady || sandbox.busy) continue;
      const waiting = pool.queue.shift();
      if (waiting) this.run(functionName, pool, sandbox, waiting);
    }
    if (pool.queue.length === 0 || pool.sandboxes.size >= this.options.maxPerFunction) return;
    if ([...pool.sandboxes].some((s) => !s.isReady)) return;
    this.start(functionName, pool);
  }

  private start(functionName: string, pool: FunctionPool): Sandbox {
    if (!pool.built) throw new Error(`${functionName}: started before its bundle was built`);
    const config: SandboxConfig = {
      moduleUrl: pool.built.moduleUrl,
      functionName,
      dynamoEndpoint: this.options.dynamoEndpoint,
      tableName: this.options.tableName,
      apiBaseUrl: this.apiBaseUrl,
      metered: this.options.services.meter !== undefined,
    };
    const worker = new Worker(pool.built.workerUrl, { workerData: config, execArgv: [] });
    this.started.set(functionName, (this.started.get(functionName) ?? 0) + 1);
    let markReady: () => void = () => undefined;
    let markFailed: (error: Error) => void = () => undefined;
    const sandbox: Sandbox = {
      worker,
      busy: false,
      warm: false,
      isReady: false,
      ready: new Promise<void>((resolve, reject) => {
        markReady = resolve;
        markFailed = reject;
      }),
    };
    sandbox.ready.catch(() => undefined);
    pool.sandboxes.add(sandbox);
    worker.on('message', (message: FromSandbox) => {
      if (message.type !== 'ready') return this.onMessage(functionName, pool, sandbox, message);
      sandbox.isReady = true;
      markReady();
      this.schedule(functionName, pool);
    });
    const ended = (error: Error) => {
      if (!pool.sandboxes.delete(sandbox)) return;
      clearTimeout(sandbox.idleTimer);
      markFailed(error);
      const current = sandbox.current;
      sandbox.current = undefined;
      if (current) {
        clearTimeout(current.timer);
        current.reject(error);
      } else if (!sandbox.isReady) {
        // It died starting (its handler module failed to load, say): the invocation waiting for it
        // fails, as an invocation that meets an init error does in Lambda; the rest try another.
        pool.queue.shift()?.reject(error);
      }
      if (!this.closed) this.schedule(functionName, pool);
    };
    worker.on('error', (error) =>
      ended(sandboxError('Sandbox.Crashed', `${functionName}: ${error.message}`)),
    );
    worker.on('exit', (code) =>
      ended(sandboxError('Sandbox.Exited', `${functionName}: the sandbox exited (code ${code})`)),
    );
    return sandbox;
  }

  private run(functionName: string, pool: FunctionPool, sandbox: Sandbox, waiting: Waiting): void {
    const id = this.nextId++;
    const coldStart = !sandbox.warm;
    sandbox.busy = true;
    sandbox.warm = true;
    clearTimeout(sandbox.idleTimer);
    sandbox.current = { ...waiting, id, coldStart };
    sandbox.ready.then(
      () => {
        if (sandbox.current?.id !== id) return;
        const timeoutMs = this.options.timeoutMs ?? 60_000;
        sandbox.current.timer = setTimeout(() => {
          const current = sandbox.current;
          sandbox.current = undefined;
          current?.reject(
            sandboxError('Sandbox.Timeout', `${functionName}: timed out after ${timeoutMs} ms`),
          );
          void sandbox.worker.terminate();
        }, timeoutMs);
        const message: ToSandbox = { type: 'invoke', id, event: waiting.event };
        sandbox.current.sentAt = performance.now();
        try {
          sandbox.worker.postMessage(message);
        } catch (error) {
          this.finish(functionName, pool, sandbox, () => waiting.reject(error as Error));
        }
      },
      () => undefined, // `ended` has rejected the invocation
    );
  }

  private onMessage(functionName: string, pool: FunctionPool, sandbox: Sandbox, message: FromSandbox) {
    switch (message.type) {
      case 'result': {
        const current = sandbox.current;
        if (current?.id !== message.id) return;
        const stats: InvocationStats = {
          coldStart: current.coldStart,
          writeRequests: message.writeRequests,
          transactions: message.transactions,
          cancelledTransactions: message.cancelledTransactions,
          threadId: sandbox.worker.threadId,
          queuedMs: (current.sentAt ?? current.at) - current.at,
          runMs: performance.now() - (current.sentAt ?? current.at),
        };
        for (const observe of this.observers) observe(functionName, message.ok, stats);
        this.finish(functionName, pool, sandbox, () =>
          message.ok
            ? current.resolve({ value: message.value, stats })
            : current.reject(deserializeError(message.error ?? { name: 'Error', message: 'unknown' })),
        );
        return;
      }
      case 'call':
        void this.serve(message).then(
          (value) =>
            sandbox.worker.postMessage({
              type: 'reply',
              callId: message.callId,
              ok: true,
              value,
            } satisfies ToSandbox),
          (error: unknown) =>
            sandbox.worker.postMessage({
              type: 'reply',
              callId: message.callId,
              ok: false,
              error: serializeError(error),
            } satisfies ToSandbox),
        );
        return;
      case 'meter': {
        const meter = this.options.services.meter;
        if (meter) (meter[message.method] as (...args: unknown[]) => void)(...message.args);
        return;
      }
      case 'nudge':
        this.options.services.nudge();
        return;
    }
  }

  private serve(call: ServiceCall): Promise<unknown> {
    const { workflow, events } = this.options.services;
    if (call.service === 'events')
      return events.publish(call.args[0] as Parameters<EventPublisher['publish']>[0]);
    const method = workflow[call.method] as (...args: unknown[]) => Promise<unknown>;
    return method.apply(workflow, call.args);
  }

  private finish(functionName: string, pool: FunctionPool, sandbox: Sandbox, settle: () => void): void {
    clearTimeout(sandbox.current?.timer);
    sandbox.current = undefined;
    sandbox.busy = false;
    settle();
    const idleMs = this.options.idleMs ?? 300_000;
    sandbox.idleTimer = setTimeout(() => {
      if (!sandbox.busy) void sandbox.worker.terminate();
    }, idleMs);
    sandbox.idleTimer.unref();
    this.schedule(functionName, pool);
  }
}

function sandboxError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
