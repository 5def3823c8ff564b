import type { ApiClient } from '../local/api-client.ts';
import { type Meter, type MeterSnapshot, meterTotals } from '../local/meter.ts';
import type { SimulatedBanks } from '../local/simulated-banks.ts';
import type { LocalSystem } from '../local/system.ts';
import type { ExecutionRecord } from '../local/workflow-engine.ts';
import {
  type BilledQuantities,
  billedQuantities,
  type Cost,
  deployedLambdaConfig,
  type LambdaConfig,
  loadPrices,
  type PriceTable,
  priceQuantities,
  scaleCost,
} from './pricing.ts';
import { summarize } from './stats.ts';

/**
 * Figure (f): what an instruction costs in AWS, COUNTED by the run (local/meter.ts), priced at the list
 * prices of bench/prices.json. Each order of K accounts (at banks that freeze at once, with a short
 * hold) runs alone through its whole lifecycle — order accepted, fan-out, K instruction workflows,
 * pushes, the banks' confirmations, follow the money, K hold timers that wait, expire the hold and
 * tell the bank — and the meter's counts for exactly that order are priced. The hold's length changes
 * no count (a hold timer waits in one Wait state whatever its length).
 */

export const TARGET_USD_PER_1000_INSTRUCTIONS = 2;

/** What the figure does not count (none of it is in the meter). */
export const NOT_COUNTED = [
  'CloudWatch Logs ingestion and storage (logs are silenced in the bench)',
  'X-Ray traces (the functions have active tracing)',
  'CloudWatch alarms and metrics',
  'KMS requests (customer-managed key of the table, stream, DLQ and secrets; DynamoDB caches data keys)',
  'data transfer (bank pushes go out to the internet; counted as pushes, not priced)',
  'DynamoDB storage, PITR and backups; Secrets Manager per-secret monthly fee',
  'Lambda INIT (cold start) duration, billed since Aug 2025',
  'opening the case (POST /cases), priced separately below; police and bank reads (GET routes)',
  'free tiers',
];

/** How the counts differ from what AWS would bill for the same work. */
export const CAVEATS = [
  'Lambda durations are measured in one process: the handlers of an order share one event loop and one DynamoDB Local, and changes of one case queue behind its audit-chain lock (functions/adapters/dynamo/transact.ts), so at large K the summed durations are an upper bound (in AWS each invocation has its own sandbox; it would retry chain conflicts instead of queueing)',
  'Secrets Manager: every signing-secret read is counted as a GetSecretValue call, as if each missed the 60 s cache of its Lambda container (an upper bound)',
  'DynamoDB units of failed conditional writes and cancelled transactions (no ConsumedCapacity returned) are estimated: 1 WRU per failed write, 2 WRU per item of a cancelled transaction',
  'Step Functions transitions: every state entered plus every retry (Standard workflows); a hold timer is counted on the path of a hold that runs out unextended',
  'the stream consumer is counted as its event source mapping invokes it: only INSERTs of confirmation items, in batches of up to 10',
];

export interface CostModelOptions {
  api: ApiClient;
  /** A system started with `meter` (startLocalSystem({ meter })). */
  system: LocalSystem;
  /** Defaults to system.meter. */
  meter?: Meter;
  /** Not needed by the figure; when given, the FREEZE and EXPIRED pushes it received are checked. */
  banks?: SimulatedBanks;
  quick?: boolean;
  log?: (line: string) => void;
  /** Registered push banks whose simulated connector freezes everything at once (run.ts: BA..BE). */
  bankIds?: string[];
  /** Order sizes; default [1, 10, 50] ([1, 10] quick). */
  sizes?: number[];
  /**
   * Hold of an order of k (hours); default max(4 s, k × 0.5 s). Long enough that every hold is still
   * running at its timer's first check, as a real (48 h) hold is; an order whose holds lapsed earlier
   * is run again with twice the hold.
   */
  holdHours?: number | ((k: number) => number);
  prices?: PriceTable;
  lambdaConfig?: LambdaConfig;
  police?: { role: 'police'; agencyId: string };
  /** Give up on an order after this long (ms) beyond its hold. Default 60 s. */
  timeoutMs?: number;
  /** Run one unmeasured order of 2 first, so first-call costs (JIT, connections) are not measured. Default true. */
  warmUp?: boolean;
}

export interface OrderCost {
  k: number;
  /** The order's hold (hours). */
  holdHours: number;
  /** Billed quantities for the whole order. */
  quantities: BilledQuantities;
  /** Per workflow: executions, transitions, retries. */
  workflows: MeterSnapshot['workflows'];
  /** Per function: invocations, billed ms, median and worst handler duration (ms). */
  lambda: Record<string, { invocations: number; billedMs: number; medianMs: number; worstMs: number }>;
  /** Per DynamoDB operation: calls, RRU, WRU (estimatedCalls: failed conditional writes). */
  dynamo: MeterSnapshot['dynamo'];
  apiRequests: MeterSnapshot['apiRequests'];
  bankPushes: number;
  wallMs: number;
  /** US$ for the order, by service. */
  usdPerOrder: Cost;
  /** US$ per 1,000 instructions, by service. */
  usdPer1000Instructions: Cost;
}

export interface CostModelResult {
  pricesAsOf: string;
  pricesNote: string;
  region: string;
  lambdaArchitecture: string;
  targetUsdPer1000Instructions: number;
  meetsTarget: boolean;
  orders: OrderCost[];
  openCase: { quantities: BilledQuantities; usd: Cost };
  notCounted: string[];
  caveats: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const legalBasis = {
  kind: 'bench',
  reference: 'COST-1',
  issuedBy: 'bench',
  issuedAt: '2026-11-20T00:00:00Z',
};
const cny = (minor: number | bigint) => ({ currency: 'CNY', minor: String(minor) });

function lambdaDetail(usage: MeterSnapshot): OrderCost['lambda'] {
  return Object.fromEntries(
    Object.entries(usage.lambda).map(([fn, l]) => {
      const s = summarize(l.durationsMs);
      return [fn, { invocations: l.invocations, billedMs: l.billedMs, medianMs: s.median, worstMs: s.worst }];
    }),
  );
}

/** Waits until the engine and the meter are both still (stream deliveries included). */
async function settle(system: LocalSystem, meter: Meter): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await system.engine.idle();
    await meter.quiet(150);
  }
  await system.engine.idle();
}

/**
 * Runs figure (f) on a running local system with a meter and registered push banks that freeze at
 * once; orders run one at a time, each measured alone (the meter is reset before it and read after its
 * last hold timer ended and everything went quiet). Logs a markdown table; returns JSON-able figures.
 */
export async function runCostModel(options: CostModelOptions): Promise<CostModelResult> {
  const { api, system, banks } = options;
  const meter = options.meter ?? system.meter;
  if (!meter)
    throw new Error('runCostModel needs a system started with a meter (startLocalSystem({ meter }))');
  const log = options.log ?? (() => undefined);
  const prices = options.prices ?? loadPrices();
  const config = options.lambdaConfig ?? deployedLambdaConfig;
  const bankIds = options.bankIds ?? ['BA', 'BB', 'BC', 'BD', 'BE'];
  const sizes = options.sizes ?? (options.quick ? [1, 10] : [1, 10, 50]);
  const holdOf = (k: number) => {
    const h = options.holdHours ?? ((n: number) => Math.max(4, n * 0.5) / 3600);
    return typeof h === 'number' ? h : h(k);
  };
  const police = options.police ?? { role: 'police' as const, agencyId: 'BENCH-COST' };
  const timeoutMs = options.timeoutMs ?? 60_000;

  const openCase = async () => {
    const r = await api.request<{ caseId: string }>('POST', '/cases', {
      as: police,
      idempotencyKey: true,
      body: { reference: 'cost-model', reportedLoss: cny(10n ** 12n), reportedAt: '2026-11-20T00:00:00Z' },
    });
    if (r.status !== 201) throw new Error(`open case: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.caseId;
  };

  await settle(system, meter);
  meter.reset();
  const firstCase = await openCase();
  await settle(system, meter);
  const openCaseQuantities = billedQuantities(meter.snapshot(), config);
  const openCaseCost = {
    quantities: openCaseQuantities,
    usd: priceQuantities(openCaseQuantities, prices, config),
  };

  // Hold timers that ended, by execution name (the engine's events; its records of old executions may be dropped).
  const timersEnded = new Map<string, ExecutionRecord['status']>();
  const onEnded = (r: ExecutionRecord) => {
    if (r.workflow === 'holdTimer') timersEnded.set(r.name, r.status);
  };

  /** Submits an order of k, waits for its whole lifecycle, and answers the meter's counts for it alone. */
  const measureOrder = async (caseId: string, k: number, tag: string, holdHours: number) => {
    const targets = Array.from({ length: k }, (_, i) => ({
      bankId: bankIds[i % bankIds.length]!,
      accountNumber: `CM${tag}${String(i).padStart(4, '0')}`,
      amount: cny(1000 + i),
    }));
    await settle(system, meter);
    const deliveriesBefore = banks?.deliveries.length ?? 0;
    meter.reset();
    const t0 = Date.now();
    const order = await api.request<{ instructions: { instructionId: string }[] }>(
      'POST',
      `/cases/${caseId}/freeze-orders`,
      { as: police, idempotencyKey: true, body: { legalBasis, holdHours, targets } },
    );
    if (order.status !== 202)
      throw new Error(`freeze order of ${k}: ${order.status} ${JSON.stringify(order.body)}`);
    const ids = order.body.instructions.map((i) => i.instructionId);
    // The lifecycle ends with each instruction's hold timer (started by follow the money, from the stream).
    const timers = ids.map((id) => `${id}-hold`);
    const waitedFor = new Set(timers);
    let ended = 0;
    for (;;) {
      ended = timers.filter((t) => timersEnded.has(t)).length;
      if (ended === k) break;
      if (Date.now() - t0 > timeoutMs + holdHours * 3_600_000)
        throw new Error(`order of ${k}: ${ended}/${k} hold timers ended in time`);
      await sleep(20);
    }
    await settle(system, meter);
    const wallMs = Date.now() - t0;
    const usage = meter.snapshot();
    const failed = timers.filter((t) => timersEnded.get(t) !== 'SUCCEEDED');
    for (const t of waitedFor) timersEnded.delete(t);
    if (failed.length > 0) throw new Error(`order of ${k}: hold timers not succeeded: ${failed.join(', ')}`);
    if (banks) {
      const mine = new Set(ids);
      // Instructions that got each kind (a push repeated by the reconciler when the workflow's own was
      // late carries the same delivery id, and a bank takes it once: docs/api.md, at-least-once).
      const kinds = (kind: string) =>
        new Set(
          banks.deliveries
            .slice(deliveriesBefore)
            .filter((d) => d.kind === kind && mine.has(String(d.message.instructionId)))
            .map((d) => String(d.message.instructionId)),
        ).size;
      if (kinds('FREEZE') !== k || kinds('EXPIRED') !== k)
        throw new Error(`order of ${k}: ${kinds('FREEZE')} FREEZE and ${kinds('EXPIRED')} EXPIRED pushes`);
    }
    return { usage, wallMs };
  };

  const orders: OrderCost[] = [];
  system.engine.on('executionSucceeded', onEnded);
  system.engine.on('executionFailed', onEnded);
  try {
    const stamp = Date.now().toString(36);
    if (options.warmUp ?? true) await measureOrder(await openCase(), 2, `${stamp}W`, holdOf(2));
    for (const [n, k] of sizes.entries()) {
      let holdHours = holdOf(k);
      let measured: Awaited<ReturnType<typeof measureOrder>> | undefined;
      for (let attempt = 1; !measured; attempt++) {
        const caseId = n === 0 && attempt === 1 ? firstCase : await openCase();
        const m = await measureOrder(caseId, k, `${stamp}${n}A${attempt}`, holdHours);
        // Each hold is checked twice (still held -> wait -> expired); once means it lapsed before its
        // timer first looked, a path a real hold never takes: measure again with a longer hold.
        const checks = m.usage.lambda['check-hold']?.invocations ?? 0;
        if (checks >= 2 * k || attempt >= 3) measured = m;
        else {
          log(
            `(f) order of ${k}: ${2 * k - checks} holds lapsed before their first check; again with twice the hold`,
          );
          holdHours *= 2;
        }
      }
      const { usage, wallMs } = measured;
      const quantities = billedQuantities(usage, config);
      const usdPerOrder = priceQuantities(quantities, prices, config);
      const usdPer1000Instructions = scaleCost(usdPerOrder, 1000 / k);
      orders.push({
        k,
        holdHours,
        quantities,
        workflows: usage.workflows,
        lambda: lambdaDetail(usage),
        dynamo: usage.dynamo,
        apiRequests: usage.apiRequests,
        bankPushes: meterTotals(usage).bankPushes,
        wallMs,
        usdPerOrder,
        usdPer1000Instructions,
      });
      log(
        `(f) order of ${k}: ${JSON.stringify({ ...quantities, usdPer1000: usdPer1000Instructions.total })}`,
      );
    }
  } finally {
    system.engine.off('executionSucceeded', onEnded);
    system.engine.off('executionFailed', onEnded);
  }

  const result: CostModelResult = {
    pricesAsOf: prices.asOf,
    pricesNote: prices.note,
    region: prices.region,
    lambdaArchitecture: config.architecture,
    targetUsdPer1000Instructions: TARGET_USD_PER_1000_INSTRUCTIONS,
    meetsTarget: orders.every((o) => o.usdPer1000Instructions.total <= TARGET_USD_PER_1000_INSTRUCTIONS),
    orders,
    openCase: openCaseCost,
    notCounted: NOT_COUNTED,
    caveats: CAVEATS,
  };
  for (const line of costModelTable(result)) log(line);
  return result;
}

const usd = (x: number) => (x >= 0.01 ? x.toFixed(4) : x.toPrecision(3));
const num = (x: number, digits = 2) => String(Math.round(x * 10 ** digits) / 10 ** digits);

/** The markdown table of figure (f), with the prices' date and what is not counted. */
export function costModelTable(r: CostModelResult): string[] {
  const lines = [
    '',
    `(f) cost model — counted by the run, priced at AWS list prices of ${r.pricesAsOf} (${r.region}, bench/prices.json: ${r.pricesNote}); Lambda ${r.lambdaArchitecture}, memory from infra/function-catalog.ts; holds of ${r.orders.map((o) => `${Math.round(o.holdHours * 3600 * 10) / 10} s`).join(', ')}`,
    '',
    '| order of K | state transitions | Lambda invocations | Lambda GB-s | WRU | RRU | API requests | events | secret reads |',
    '|---|---|---|---|---|---|---|---|---|',
    ...r.orders.map(
      (o) =>
        `| ${o.k} | ${o.quantities.stateTransitions} | ${o.quantities.lambdaRequests} | ${num(o.quantities.lambdaGbSeconds, 4)} | ${num(o.quantities.writeRequestUnits)} | ${num(o.quantities.readRequestUnits)} | ${o.quantities.apiRequests} | ${o.quantities.events} | ${o.quantities.secretsManagerCalls} |`,
    ),
    `DynamoDB units estimated by the documented rules (failed conditional writes and cancelled transactions return no ConsumedCapacity): ${r.orders
      .map((o) => {
        const d = Object.values(o.dynamo);
        const all = d.reduce((a, x) => a + x.readUnits + x.writeUnits, 0);
        return `order of ${o.k}: ${d.reduce((a, x) => a + x.estimatedUnits, 0)} of ${num(all)}`;
      })
      .join('; ')}.`,
    '',
    `| US$ per 1,000 instructions, order of K | Step Functions | Lambda requests | Lambda duration | DynamoDB writes | DynamoDB reads | API Gateway | EventBridge | Secrets Manager | total | target ≤ ${r.targetUsdPer1000Instructions} |`,
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...r.orders.map((o) => {
      const c = o.usdPer1000Instructions;
      return `| ${o.k} | ${usd(c.stepFunctions)} | ${usd(c.lambdaRequests)} | ${usd(c.lambdaDuration)} | ${usd(c.dynamodbWrites)} | ${usd(c.dynamodbReads)} | ${usd(c.apiGateway)} | ${usd(c.eventBridge)} | ${usd(c.secretsManager)} | **${usd(c.total)}** | ${c.total <= r.targetUsdPer1000Instructions ? 'met' : 'MISSED'} |`;
    }),
    '',
    `Opening the case (not in the figures above): US$ ${usd(r.openCase.usd.total)} per case (${r.openCase.quantities.lambdaRequests} Lambda invocations, the audit sequencer included, ${num(r.openCase.quantities.writeRequestUnits)} WRU, ${num(r.openCase.quantities.readRequestUnits)} RRU).`,
    `Not counted: ${r.notCounted.join('; ')}.`,
    `Caveats: ${r.caveats.join('; ')}.`,
  ];
  return lines;
}
