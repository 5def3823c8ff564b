import { handlerModuleUrl, loadHandler } from '../local/handlers.ts';
import { SandboxPool } from '../local/sandbox/pool.ts';
import type { LocalSystem } from '../local/system.ts';
import { totalsEventFor } from './events.ts';
import { type Summary, summarize } from './stats.ts';

/** What the local Lambda stand-in costs (local/sandbox/pool.ts): start, memory, per-invocation overhead. */
export interface SandboxCost {
  /** One sandbox started alone, until its handler is loaded and it is ready (ms, each of `starts`). */
  coldStart: Summary;
  /** CPU of this process (every thread) per cold start, median (ms): what a burst of starts costs the machine. */
  coldStartCpuMs: number;
  /** One esbuild bundle of the handler and the sandbox (local/sandbox/bundle.ts), made once per pool (ms, median). */
  bundleMs: number;
  /** Resident memory added per sandbox, `sandboxes` started together (MB). */
  memoryPerSandboxMb: number;
  sandboxes: number;
  /** The same GET /cases/{id}/totals handler called in this process vs in a warm sandbox (ms). */
  inProcess: Summary;
  inSandbox: Summary;
  overheadMedianMs: number;
}

const FUNCTION = 'get-case-totals';

export async function measureSandboxCost(options: {
  system: LocalSystem;
  caseId: string;
  agencyId: string;
  quick: boolean;
}): Promise<SandboxCost> {
  const { system } = options;
  const moduleUrl = handlerModuleUrl(FUNCTION);
  const services = {
    workflow: system.deps.workflow,
    events: system.deps.events,
    nudge: () => undefined,
  };
  const newPool = (maxPerFunction: number) =>
    new SandboxPool({
      dynamoEndpoint: system.dynamo.endpoint,
      tableName: system.deps.db.table,
      maxPerFunction,
      services,
    });
  const starts: number[] = [];
  const startCpu: number[] = [];
  const bundles: number[] = [];
  for (let i = 0; i < (options.quick ? 3 : 10); i++) {
    const pool = newPool(1);
    let t0 = performance.now();
    await pool.prepare([moduleUrl]);
    bundles.push(performance.now() - t0);
    const cpu0 = process.cpuUsage();
    t0 = performance.now();
    await pool.warm(FUNCTION, moduleUrl, 1);
    starts.push(performance.now() - t0);
    const cpu = process.cpuUsage(cpu0);
    startCpu.push((cpu.user + cpu.system) / 1000);
    await pool.close();
  }
  const sandboxes = options.quick ? 5 : 20;
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  const many = newPool(sandboxes);
  await many.prepare([moduleUrl]);
  await many.warm(FUNCTION, moduleUrl, sandboxes);
  const memoryPerSandboxMb = Math.round((process.memoryUsage().rss - before) / sandboxes / 2 ** 20);
  await many.close();

  const pool = newPool(1);
  const local = await loadHandler(FUNCTION, system.deps);
  const event = totalsEventFor(options.agencyId, options.caseId);
  await pool.invoke(FUNCTION, moduleUrl, event);
  await local(event);
  const inProcess: number[] = [];
  const inSandbox: number[] = [];
  for (let i = 0; i < (options.quick ? 20 : 200); i++) {
    let t0 = performance.now();
    await local(event);
    inProcess.push(performance.now() - t0);
    t0 = performance.now();
    await pool.invoke(FUNCTION, moduleUrl, event);
    inSandbox.push(performance.now() - t0);
  }
  await pool.close();
  const a = summarize(inProcess);
  const b = summarize(inSandbox);
  return {
    coldStart: summarize(starts),
    coldStartCpuMs: Math.round(summarize(startCpu).median),
    bundleMs: Math.round(summarize(bundles).median),
    memoryPerSandboxMb,
    sandboxes,
    inProcess: a,
    inSandbox: b,
    overheadMedianMs: Math.round((b.median - a.median) * 100) / 100,
  };
}
