import type { ApiClient } from '../local/api-client.ts';
import { processCpuSeconds, processRssMiB } from '../local/process-stats.ts';
import type { ConfirmationEvent, DeliveryEvent, SimulatedBanks } from '../local/simulated-banks.ts';
import type { LocalSystem } from '../local/system.ts';
import type { ExecutionRecord } from '../local/workflow-engine.ts';
import type { LinePanel } from './chart.ts';
import { percentile } from './stats.ts';

/**
 * Figure (e): a sustained open-loop run. Orders are submitted on a wall-clock schedule (order i at
 * t0 + i/rate, never waiting for the previous one), each on a case of its own (a case's audit chain
 * serializes its writes, so a campaign's rate is across cases), each of `accountsPerOrder` accounts at
 * banks that freeze at once. Measured per window: offered vs accepted orders/s, layer-1 instructions
 * delivered/s, confirmations recorded/s, latency (202 accepted -> every layer-1 instruction delivered);
 * and the memory of this Node process (system, banks and load generator share it) before the run
 * (warmed up, after GC), its peak, and after (work drained, after GC), with a growth verdict.
 */

const MiB = 2 ** 20;

// ------------------------------------------------------------------ pure aggregation (unit-tested) --

/** What is known of one submitted order (epoch ms). */
export interface OrderObservation {
  scheduledAt: number;
  /** The request went out (later than scheduled when the event loop lags). */
  sentAt?: number;
  /** The 202 arrived. */
  acceptedAt?: number;
  /** A non-2xx answer or a network error arrived. */
  failedAt?: number;
  /** The last of its layer-1 instructions was delivered at its bank. */
  allDeliveredAt?: number;
}

export interface WindowStats {
  index: number;
  /** Window start/end, seconds from t0. */
  fromS: number;
  toS: number;
  offered: number;
  accepted: number;
  errors: number;
  /** Layer-1 instructions delivered at their banks. */
  delivered: number;
  /** Bank confirmations recorded (201). */
  confirmed: number;
  offeredPerS: number;
  acceptedPerS: number;
  deliveredPerS: number;
  confirmedPerS: number;
  /** Accepted -> all delivered of the orders ACCEPTED in this window (ms; negative clamped to 0). */
  latency: { n: number; p50: number; p99: number; worst: number };
  /** Sent -> 202 of the orders accepted in this window (ms): the API's own queueing under load. */
  submit: { n: number; p50: number; p99: number; worst: number };
}

const round1 = (x: number) => Math.round(x * 10) / 10;

function latencyOf(samples: number[]): WindowStats['latency'] {
  const sorted = samples.map((s) => Math.max(0, s)).sort((a, b) => a - b);
  if (sorted.length === 0) return { n: 0, p50: Number.NaN, p99: Number.NaN, worst: Number.NaN };
  return {
    n: sorted.length,
    p50: round1(percentile(sorted, 50)),
    p99: round1(percentile(sorted, 99)),
    worst: round1(sorted.at(-1)!),
  };
}

/**
 * Buckets the run into windows of `windowMs` from `startMs` up to the latest event (the drain after the
 * last submission included). Each count goes to the window of its own time: offered by schedule,
 * accepted/errors by answer, deliveries and confirmations by arrival; latency by acceptance. Rates are
 * count / window length (the last window may be partly empty: read its rates with that in mind).
 */
export function aggregateWindows(input: {
  startMs: number;
  windowMs: number;
  orders: readonly OrderObservation[];
  deliveries: readonly number[];
  confirmations?: readonly number[];
  /** Windows up to this time at least (e.g. the end of the schedule). */
  endMs?: number;
}): WindowStats[] {
  const { startMs, windowMs, orders, deliveries } = input;
  const confirmations = input.confirmations ?? [];
  const times = [
    input.endMs ?? startMs,
    ...orders.flatMap((o) => [o.scheduledAt, o.acceptedAt ?? startMs, o.failedAt ?? startMs]),
    ...deliveries,
    ...confirmations,
  ];
  const last = Math.max(startMs, ...times);
  const count = Math.max(1, Math.ceil((last - startMs + 1) / windowMs));
  const at = (t: number) => Math.min(count - 1, Math.max(0, Math.floor((t - startMs) / windowMs)));
  const windows = Array.from({ length: count }, (_, index) => ({
    index,
    offered: 0,
    accepted: 0,
    errors: 0,
    delivered: 0,
    confirmed: 0,
    latencies: [] as number[],
    submits: [] as number[],
  }));
  for (const o of orders) {
    windows[at(o.scheduledAt)]!.offered++;
    if (o.acceptedAt !== undefined) {
      const w = windows[at(o.acceptedAt)]!;
      w.accepted++;
      if (o.allDeliveredAt !== undefined) w.latencies.push(o.allDeliveredAt - o.acceptedAt);
      if (o.sentAt !== undefined) w.submits.push(o.acceptedAt - o.sentAt);
    }
    if (o.failedAt !== undefined) windows[at(o.failedAt)]!.errors++;
  }
  for (const t of deliveries) windows[at(t)]!.delivered++;
  for (const t of confirmations) windows[at(t)]!.confirmed++;
  const perS = (n: number) => round1(n / (windowMs / 1000));
  return windows.map(({ latencies, submits, ...w }) => ({
    ...w,
    fromS: (w.index * windowMs) / 1000,
    toS: ((w.index + 1) * windowMs) / 1000,
    offeredPerS: perS(w.offered),
    acceptedPerS: perS(w.accepted),
    deliveredPerS: perS(w.delivered),
    confirmedPerS: perS(w.confirmed),
    latency: latencyOf(latencies),
    submit: latencyOf(submits),
  }));
}

export interface MemorySnapshot {
  rss: number;
  heapUsed: number;
}

export interface GrowthVerdict {
  heapDeltaMiB: number;
  rssDeltaMiB: number;
  thresholdMiB: number;
  /** Heap growth per order submitted (bytes; what a leak per order would look like). */
  heapBytesPerOrder: number;
  growth: boolean;
  verdict: string;
}

/**
 * Compares heapUsed after a forced GC, before vs after the run. Threshold: max(10 MiB, 10% of the
 * before heap). Why: between two GC'd snapshots of the same idle process heapUsed still moves by a few
 * MiB (code compiled lazily by the run, inline caches and feedback vectors, the SDK's and undici's
 * pools and caches filled to their bounds, V8 not compacting every old-space page); 10 MiB is above
 * that noise in our runs, and 10% scales the floor for a larger heap. A real leak of a few KiB per
 * order crosses it within the full run (1,200 orders x 8 KiB = 9.4 MiB), and `heapBytesPerOrder` shows
 * a smaller one. RSS is reported but not judged: it includes pages the allocator keeps after the peak.
 */
export function growthVerdict(
  before: MemorySnapshot,
  after: MemorySnapshot,
  orders: number,
  options: { floorMiB?: number; fraction?: number } = {},
): GrowthVerdict {
  const floorMiB = options.floorMiB ?? 10;
  const fraction = options.fraction ?? 0.1;
  const heapDelta = after.heapUsed - before.heapUsed;
  const threshold = Math.max(floorMiB * MiB, fraction * before.heapUsed);
  const growth = heapDelta > threshold;
  const heapDeltaMiB = round1(heapDelta / MiB);
  const thresholdMiB = round1(threshold / MiB);
  return {
    heapDeltaMiB,
    rssDeltaMiB: round1((after.rss - before.rss) / MiB),
    thresholdMiB,
    heapBytesPerOrder: Math.round(heapDelta / Math.max(1, orders)),
    growth,
    verdict: growth
      ? `growth beyond noise: heap +${heapDeltaMiB} MiB after GC > ${thresholdMiB} MiB`
      : `no growth beyond noise: heap ${heapDeltaMiB >= 0 ? '+' : ''}${heapDeltaMiB} MiB after GC ≤ ${thresholdMiB} MiB`,
  };
}

// ------------------------------------------------------------------ the run -------------------------

export interface SustainedOptions {
  api: ApiClient;
  system: LocalSystem;
  banks: SimulatedBanks;
  quick?: boolean;
  log?: (line: string) => void;
  /** Opens a case and returns its id (run.ts has one); a plain POST /cases when absent. */
  openCase?: () => Promise<string>;
  /** Registered push banks that freeze at once (default BA..BE, as in run.ts). */
  bankIds?: string[];
  /** Defaults: 20 orders/s for 60 s (quick: 4/s for 8 s), 3 accounts per order, 5 s windows. */
  ratePerSecond?: number;
  durationSeconds?: number;
  accountsPerOrder?: number;
  windowSeconds?: number;
  /** How long to wait for the backlog to drain after the last submission (default 120 s; quick 20 s). */
  drainTimeoutMs?: number;
}

export interface SustainedResult {
  config: {
    ratePerSecond: number;
    durationSeconds: number;
    accountsPerOrder: number;
    windowSeconds: number;
    warmupOrders: number;
    gcAvailable: boolean;
  };
  overall: {
    offered: number;
    accepted: number;
    errors: number;
    errorSamples: string[];
    instructions: number;
    delivered: number;
    confirmed: number;
    confirmationErrors: number;
    /** Answers the banks got to their confirmations, by HTTP status. */
    confirmationStatuses: Record<string, number>;
    executionsFailed: number;
    offeredPerS: number;
    acceptedPerS: number;
    deliveredPerS: number;
    /** Lowest accepted/s and delivered/s among the windows wholly inside the schedule. */
    steadyMinAcceptedPerS: number;
    steadyMinDeliveredPerS: number;
    latency: WindowStats['latency'];
    submit: WindowStats['submit'];
    /** Latest submission minus its schedule (the load generator shares the event loop). */
    maxSchedulerLagMs: number;
    /** Last submission sent -> every instruction delivered / every confirmation recorded. */
    backlogDeliveredMs: number;
    backlogConfirmedMs: number;
    undelivered: number;
  };
  windows: WindowStats[];
  memory: {
    before: { rssMiB: number; heapUsedMiB: number };
    peak: { rssMiB: number; heapUsedMiB: number };
    after: { rssMiB: number; heapUsedMiB: number };
    growth: GrowthVerdict;
    /** Every 500 ms: seconds from t0, MiB. */
    samples: { t: number; rssMiB: number; heapUsedMiB: number }[];
    /** DynamoDB Local's JVM (a separate process): VmRSS from /proc, when readable. */
    dynamoRssMiB?: { before: number; peak: number; after: number };
  };
  /** The local engine's bookkeeping before/after (executions held in memory, running, by workflow). */
  engine: {
    before: EngineCounts;
    after: EngineCounts;
  };
  /** CPU of this Node process and of DynamoDB Local's JVM from t0 to the drained end (100 = one core). */
  cpuPercent: { node: number; dynamoLocal?: number };
  markdown: string;
}

interface EngineCounts {
  records: number;
  running: number;
  runningByWorkflow: Record<string, number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (bytes: number) => round1(bytes / MiB);

function engineCounts(system: LocalSystem): EngineCounts {
  const runningByWorkflow: Record<string, number> = {};
  let running = 0;
  const executions = system.engine.executions as Map<string, ExecutionRecord>;
  for (const e of executions.values()) {
    if (e.status !== 'RUNNING') continue;
    running++;
    runningByWorkflow[e.workflow] = (runningByWorkflow[e.workflow] ?? 0) + 1;
  }
  return { records: executions.size, running, runningByWorkflow };
}

function javaRss(pid: number): number | undefined {
  const mib = processRssMiB(pid);
  return mib === undefined ? undefined : mib * 2 ** 20;
}

async function collectGarbage(): Promise<boolean> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    await sleep(1000);
    return false;
  }
  // A few rounds with turns of the event loop between: finalizers and weak callbacks free more.
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
    await sleep(50);
  }
  return true;
}

const police = { role: 'police' as const, agencyId: 'BENCH' };
const legalBasis = { kind: 'bench', reference: 'E-1', issuedBy: 'bench', issuedAt: '2026-11-20T00:00:00Z' };
const cny = (minor: number | bigint) => ({ currency: 'CNY', minor: String(minor) });

interface OrderState extends OrderObservation {
  instructionIds?: string[];
}

/**
 * Runs figure (e). Assumes `bankIds` are registered push banks of `banks` that freeze at once. Logs a
 * progress line every window and a markdown table at the end; returns a JSON-able result (the
 * per-window series and the memory samples for a chart: see `sustainedChartPanels`).
 */
export async function runSustained(options: SustainedOptions): Promise<SustainedResult> {
  const { api, system, banks } = options;
  const quick = options.quick === true;
  const log = options.log ?? ((line: string) => console.log(line));
  const bankIds = options.bankIds ?? ['BA', 'BB', 'BC', 'BD', 'BE'];
  // Quick: a rate this 2-vCPU machine drains within seconds (the quick bench has a time budget).
  const rate = options.ratePerSecond ?? (quick ? 4 : 20);
  const durationS = options.durationSeconds ?? (quick ? 8 : 60);
  const accounts = options.accountsPerOrder ?? 3;
  const windowMs = (options.windowSeconds ?? 5) * 1000;
  const drainTimeoutMs = options.drainTimeoutMs ?? (quick ? 20_000 : 120_000);
  const total = Math.round(rate * durationS);
  const warmupOrders = Math.max(quick ? 4 : 10, Math.round(rate * (quick ? 1 : 3)));
  const openCase =
    options.openCase ??
    (async () => {
      const r = await api.request<{ caseId: string }>('POST', '/cases', {
        as: police,
        idempotencyKey: true,
        body: { reference: 'bench-e', reportedLoss: cny(10n ** 12n), reportedAt: '2026-11-20T00:00:00Z' },
      });
      if (r.status !== 201) throw new Error(`open case: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.caseId;
    });
  const tag = Date.now().toString(36).toUpperCase();

  // ---- listeners: deliveries by instruction id, confirmations, engine failures ----
  let deliveredAt = new Map<string, number>();
  let confirmedAt: number[] = [];
  let confirmationErrors = 0;
  let executionsFailed = 0;
  const onDelivery = (d: DeliveryEvent) => {
    const id = d.message.instructionId;
    if (d.message.kind === 'FREEZE' && typeof id === 'string' && !deliveredAt.has(id))
      deliveredAt.set(id, d.receivedAt);
  };
  let confirmationStatuses: Record<string, number> = {};
  const onConfirmation = (c: ConfirmationEvent) => {
    if (c.statusCode === 201) confirmedAt.push(Date.now());
    else confirmationErrors++;
    confirmationStatuses[c.statusCode] = (confirmationStatuses[c.statusCode] ?? 0) + 1;
  };
  const onFailed = () => {
    executionsFailed++;
  };
  // Executions started by this figure: the "quiet" wait ignores work left running by other figures
  // (a silent bank's instructions wait for their SLA) and the hold timers (they wait for the hold's end).
  let ours = new Set<ExecutionRecord>();
  const onStarted = (record: ExecutionRecord) => {
    if (record.workflow !== 'holdTimer') ours.add(record);
  };
  banks.on('delivery', onDelivery);
  banks.on('confirmation', onConfirmation);
  system.engine.on('executionFailed', onFailed);
  system.engine.on('executionStarted', onStarted);

  const openCases = async (n: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i += 25)
      ids.push(...(await Promise.all(Array.from({ length: Math.min(25, n - i) }, () => openCase()))));
    return ids;
  };

  let errorSamples: string[] = [];
  const submit = async (order: OrderState, caseId: string, n: number) => {
    order.sentAt = Date.now();
    const targets = Array.from({ length: accounts }, (_, j) => ({
      bankId: bankIds[(n + j) % bankIds.length]!,
      accountNumber: `SE${tag}${String(n).padStart(6, '0')}${j}`,
      amount: cny(1000 + j),
    }));
    try {
      const r = await api.request<{ instructions?: { instructionId: string }[] }>(
        'POST',
        `/cases/${caseId}/freeze-orders`,
        { as: police, idempotencyKey: true, body: { legalBasis, targets } },
      );
      if (r.status >= 200 && r.status < 300 && r.body.instructions) {
        order.acceptedAt = Date.now();
        order.instructionIds = r.body.instructions.map((i) => i.instructionId);
      } else {
        order.failedAt = Date.now();
        if (errorSamples.length < 5) errorSamples.push(`${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      }
    } catch (error) {
      order.failedAt = Date.now();
      if (errorSamples.length < 5) errorSamples.push(String(error).slice(0, 200));
    }
  };

  /** Every accepted order delivered, every delivery confirmed, nothing but hold timers running. */
  const waitQuiet = async (orders: OrderState[], timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const instructions = orders.flatMap((o) => o.instructionIds ?? []);
      const delivered = instructions.every((id) => deliveredAt.has(id));
      const confirmed = confirmedAt.length + confirmationErrors >= instructions.length;
      for (const record of ours) if (record.status !== 'RUNNING') ours.delete(record);
      if ((delivered && confirmed && ours.size === 0) || Date.now() > deadline) return;
      await sleep(20);
    }
  };

  try {
    // ---- warm-up (JIT, connection pools, SDK clients), then the baseline ----
    const warmCases = await openCases(warmupOrders);
    const warm: OrderState[] = warmCases.map(() => ({ scheduledAt: Date.now() }));
    await Promise.all(
      warm.map(async (o, i) => {
        await sleep((i * 1000) / rate);
        await submit(o, warmCases[i]!, 900_000 + i);
      }),
    );
    await waitQuiet(warm, 30_000);
    const cases = await openCases(total);
    // Back to empty books: what the bench itself holds is not the system's memory.
    banks.deliveries.length = 0;
    deliveredAt = new Map();
    confirmedAt = [];
    confirmationErrors = 0;
    confirmationStatuses = {};
    executionsFailed = 0;
    errorSamples = [];
    const gcAvailable = await collectGarbage();
    const engineBefore = engineCounts(system);
    const before = process.memoryUsage();
    const dynamoPid = system.dynamo.pid;
    const dynamoBefore = javaRss(dynamoPid);
    const cpuBefore = process.cpuUsage();
    const dynamoCpuBefore = processCpuSeconds(dynamoPid);

    // ---- the open-loop schedule ----
    const t0 = Date.now() + 50;
    const orders: OrderState[] = Array.from({ length: total }, (_, i) => ({
      scheduledAt: t0 + (i * 1000) / rate,
    }));
    const inFlight: Promise<void>[] = [];
    const samples: SustainedResult['memory']['samples'] = [];
    let peakRss = before.rss;
    let peakHeap = before.heapUsed;
    let dynamoPeak = dynamoBefore ?? 0;
    let nextLog = t0 + windowMs;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      const now = Date.now();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
      dynamoPeak = Math.max(dynamoPeak, javaRss(dynamoPid) ?? 0);
      samples.push({ t: round1((now - t0) / 1000), rssMiB: mib(m.rss), heapUsedMiB: mib(m.heapUsed) });
      if (now >= nextLog) {
        nextLog += windowMs;
        const sent = orders.filter((o) => o.sentAt !== undefined).length;
        const accepted = orders.filter((o) => o.acceptedAt !== undefined);
        const done = accepted.flatMap((o) => {
          const ids = o.instructionIds ?? [];
          return ids.length > 0 && ids.every((id) => deliveredAt.has(id))
            ? [Math.max(...ids.map((id) => deliveredAt.get(id)!)) - o.acceptedAt!]
            : [];
        });
        const p99 = latencyOf(done).p99;
        log(
          `(e) t=${Math.round((now - t0) / 1000)}s offered=${sent}/${total} accepted=${accepted.length} ` +
            `delivered=${deliveredAt.size} confirmed=${confirmedAt.length} p99=${Number.isNaN(p99) ? '-' : p99}ms ` +
            `rss=${mib(m.rss)}MiB heap=${mib(m.heapUsed)}MiB`,
        );
      }
    }, 500);

    try {
      for (let i = 0; i < total; i++) {
        const order = orders[i]!;
        const wait = order.scheduledAt - Date.now();
        if (wait > 0) await sleep(wait);
        inFlight.push(submit(order, cases[i]!, i));
      }
      await Promise.all(inFlight);
      const lastSent = Math.max(...orders.map((o) => o.sentAt ?? 0));
      await waitQuiet(orders, drainTimeoutMs);
      const busyS = (Date.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      const dynamoCpuAfter = processCpuSeconds(dynamoPid);
      const cpuPercent = {
        node: Math.round(((cpu.user + cpu.system) / 1e6 / busyS) * 100),
        ...(dynamoCpuBefore !== undefined && dynamoCpuAfter !== undefined
          ? { dynamoLocal: Math.round(((dynamoCpuAfter - dynamoCpuBefore) / busyS) * 100) }
          : {}),
      };
      // the drain's numbers, then idle and a GC for the "after"
      for (const o of orders) {
        const ids = o.instructionIds ?? [];
        if (ids.length > 0 && ids.every((id) => deliveredAt.has(id)))
          o.allDeliveredAt = Math.max(...ids.map((id) => deliveredAt.get(id)!));
      }
      const instructions = orders.flatMap((o) => o.instructionIds ?? []);
      const deliveryTimes = instructions.flatMap((id) => {
        const t = deliveredAt.get(id);
        return t === undefined ? [] : [t];
      });
      const windows = aggregateWindows({
        startMs: t0,
        windowMs,
        orders,
        deliveries: deliveryTimes,
        confirmations: confirmedAt,
        endMs: t0 + durationS * 1000 - 1,
      });
      const accepted = orders.filter((o) => o.acceptedAt !== undefined);
      const errors = orders.filter((o) => o.failedAt !== undefined).length;
      const lastAccepted = Math.max(t0, ...accepted.map((o) => o.acceptedAt!));
      const lastDelivered = Math.max(t0, ...deliveryTimes);
      const lastConfirmed = Math.max(t0, ...confirmedAt);
      const steady = windows.filter((w) => w.toS <= durationS);
      const overall: SustainedResult['overall'] = {
        offered: total,
        accepted: accepted.length,
        errors,
        errorSamples,
        instructions: instructions.length,
        delivered: deliveryTimes.length,
        confirmed: confirmedAt.length,
        confirmationErrors,
        confirmationStatuses,
        executionsFailed,
        offeredPerS: rate,
        acceptedPerS: round1(accepted.length / ((lastAccepted - t0) / 1000)),
        deliveredPerS: round1(deliveryTimes.length / ((lastDelivered - t0) / 1000)),
        steadyMinAcceptedPerS: Math.min(...steady.map((w) => w.acceptedPerS)),
        steadyMinDeliveredPerS: Math.min(...steady.map((w) => w.deliveredPerS)),
        latency: latencyOf(
          accepted.flatMap((o) => (o.allDeliveredAt ? [o.allDeliveredAt - o.acceptedAt!] : [])),
        ),
        submit: latencyOf(accepted.flatMap((o) => (o.sentAt ? [o.acceptedAt! - o.sentAt] : []))),
        maxSchedulerLagMs: Math.round(
          Math.max(0, ...orders.map((o) => (o.sentAt ?? o.scheduledAt) - o.scheduledAt)),
        ),
        backlogDeliveredMs: Math.max(0, lastDelivered - lastSent),
        backlogConfirmedMs: Math.max(0, lastConfirmed - lastSent),
        undelivered: instructions.length - deliveryTimes.length,
      };
      // Let go of the bench's own books before the "after": only the system's memory should remain.
      banks.deliveries.length = 0;
      deliveredAt = new Map();
      confirmedAt = [];
      orders.length = 0;
      inFlight.length = 0;
      cases.length = 0;
      await sleep(500);
      await collectGarbage();
      const after = process.memoryUsage();
      const dynamoAfter = javaRss(dynamoPid);
      const engineAfter = engineCounts(system);
      clearInterval(sampler);
      const growth = growthVerdict(before, after, total);
      const memory: SustainedResult['memory'] = {
        before: { rssMiB: mib(before.rss), heapUsedMiB: mib(before.heapUsed) },
        peak: { rssMiB: mib(peakRss), heapUsedMiB: mib(peakHeap) },
        after: { rssMiB: mib(after.rss), heapUsedMiB: mib(after.heapUsed) },
        growth,
        samples,
      };
      if (dynamoBefore !== undefined && dynamoAfter !== undefined)
        memory.dynamoRssMiB = { before: mib(dynamoBefore), peak: mib(dynamoPeak), after: mib(dynamoAfter) };
      const result: SustainedResult = {
        config: {
          ratePerSecond: rate,
          durationSeconds: durationS,
          accountsPerOrder: accounts,
          windowSeconds: windowMs / 1000,
          warmupOrders,
          gcAvailable,
        },
        overall,
        windows,
        memory,
        engine: { before: engineBefore, after: engineAfter },
        cpuPercent,
        markdown: '',
      };
      result.markdown = sustainedMarkdown(result);
      log('');
      log(result.markdown);
      return result;
    } finally {
      clearInterval(sampler);
    }
  } finally {
    banks.off('delivery', onDelivery);
    banks.off('confirmation', onConfirmation);
    system.engine.off('executionFailed', onFailed);
    system.engine.off('executionStarted', onStarted);
    ours = new Set();
  }
}

const fmt = (x: number) => (Number.isNaN(x) ? '–' : String(x));

/** The figure as markdown: one row per window, then the totals and the memory verdict. */
export function sustainedMarkdown(r: SustainedResult): string {
  const c = r.config;
  const o = r.overall;
  const m = r.memory;
  const lines = [
    `(e) sustained: ${c.ratePerSecond} orders/s × ${c.durationSeconds} s, ${c.accountsPerOrder} accounts per order, one case per order`,
    '',
    '| window (s) | offered/s | accepted/s | errors | instructions delivered/s | confirmations/s | 202 p99 (ms) | latency p50 (ms) | p99 (ms) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...r.windows.map(
      (w) =>
        `| ${w.fromS}–${w.toS} | ${w.offeredPerS} | ${w.acceptedPerS} | ${w.errors} | ${w.deliveredPerS} | ${w.confirmedPerS} | ${fmt(w.submit.p99)} | ${fmt(w.latency.p50)} | ${fmt(w.latency.p99)} |`,
    ),
    '',
    '| overall | value |',
    '|---|---|',
    `| orders offered / accepted / errors | ${o.offered} / ${o.accepted} / ${o.errors} |`,
    `| orders/s offered / accepted | ${o.offeredPerS} / ${o.acceptedPerS} (lowest full window ${o.steadyMinAcceptedPerS}) |`,
    `| instructions delivered / undelivered, per s | ${o.delivered} / ${o.undelivered}, ${o.deliveredPerS}/s (lowest full window ${o.steadyMinDeliveredPerS}) |`,
    `| confirmations recorded / not (answers by status) | ${o.confirmed} / ${o.confirmationErrors} (${JSON.stringify(o.confirmationStatuses)}) |`,
    `| executions failed | ${o.executionsFailed} |`,
    `| latency accepted → all delivered (ms) | n=${o.latency.n} p50 ${fmt(o.latency.p50)}, p99 ${fmt(o.latency.p99)}, worst ${fmt(o.latency.worst)} |`,
    `| submit sent → 202 (ms) | p50 ${fmt(o.submit.p50)}, p99 ${fmt(o.submit.p99)}, worst ${fmt(o.submit.worst)} |`,
    `| backlog after the last submission (ms) | delivered +${o.backlogDeliveredMs}, confirmed +${o.backlogConfirmedMs} |`,
    `| max scheduler lag (ms) | ${o.maxSchedulerLagMs} |`,
    `| CPU, 100 = one core: Node / DynamoDB Local | ${r.cpuPercent.node} / ${r.cpuPercent.dynamoLocal ?? '–'} |`,
    `| Node RSS before / peak / after (MiB) | ${m.before.rssMiB} / ${m.peak.rssMiB} / ${m.after.rssMiB} |`,
    `| Node heapUsed before / peak / after (MiB) | ${m.before.heapUsedMiB} / ${m.peak.heapUsedMiB} / ${m.after.heapUsedMiB} |`,
    ...(m.dynamoRssMiB
      ? [
          `| DynamoDB Local (JVM) RSS before / peak / after (MiB) | ${m.dynamoRssMiB.before} / ${m.dynamoRssMiB.peak} / ${m.dynamoRssMiB.after} |`,
        ]
      : []),
    `| engine: records held / running (hold timers) before → after | ${r.engine.before.records} / ${r.engine.before.running} (${r.engine.before.runningByWorkflow.holdTimer ?? 0}) → ${r.engine.after.records} / ${r.engine.after.running} (${r.engine.after.runningByWorkflow.holdTimer ?? 0}) |`,
    `| memory verdict${c.gcAvailable ? '' : ' (no --expose-gc: without a forced GC)'} | ${m.growth.verdict}; ${m.growth.heapBytesPerOrder} B/order; RSS ${m.growth.rssDeltaMiB >= 0 ? '+' : ''}${m.growth.rssDeltaMiB} MiB |`,
  ];
  return lines.join('\n');
}

/** Panels for `renderTimeSeriesSvg`: latency p50/p99 per window, and the process's memory over time. */
export function sustainedChartPanels(r: SustainedResult): LinePanel[] {
  const mid = (w: WindowStats) => (w.fromS + w.toS) / 2;
  const withLatency = r.windows.filter((w) => w.latency.n > 0);
  return [
    {
      yLabel: 'accepted → delivered (ms)',
      lines: [
        { label: 'p50', points: withLatency.map((w) => [mid(w), w.latency.p50]) },
        { label: 'p99', points: withLatency.map((w) => [mid(w), w.latency.p99]) },
      ],
    },
    {
      yLabel: 'per second',
      lines: [
        { label: 'orders offered', points: r.windows.map((w) => [mid(w), w.offeredPerS]) },
        { label: 'orders accepted', points: r.windows.map((w) => [mid(w), w.acceptedPerS]) },
        { label: 'instructions delivered', points: r.windows.map((w) => [mid(w), w.deliveredPerS]) },
      ],
    },
    {
      yLabel: 'Node memory (MiB)',
      lines: [
        { label: 'RSS', points: r.memory.samples.map((s) => [s.t, s.rssMiB]) },
        { label: 'heapUsed', points: r.memory.samples.map((s) => [s.t, s.heapUsedMiB]) },
      ],
    },
  ];
}
