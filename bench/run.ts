import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { BatchWriteCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { instructionToItem } from '../functions/adapters/dynamo/codec.ts';
import { newInstruction } from '../functions/domain/new-instruction.ts';
import { ApiClient } from '../local/api-client.ts';
import { DEV_JWT_SECRET } from '../local/dev-jwt.ts';
import { loadHandler } from '../local/handlers.ts';
import { Meter } from '../local/meter.ts';
import {
  type ConfirmationEvent,
  type SimulatedBankConfig,
  startSimulatedBanks,
} from '../local/simulated-banks.ts';
import { startLocalSystem } from '../local/system.ts';
import { renderLatencySvg, renderTimeSeriesSvg, type Series } from './chart.ts';
import { type ContentionResult, contentionFigure, contentionTable } from './contention.ts';
import { type CostModelResult, costModelTable, runCostModel } from './cost-model.ts';
import { measureSandboxCost, type SandboxCost } from './sandbox-cost.ts';
import { type Summary, summarize } from './stats.ts';
import { runSustained, type SustainedResult, sustainedChartPanels, sustainedMarkdown } from './sustained.ts';

/**
 * `npm run bench [-- --quick]`: the local system (same code as `npm run serve`) with simulated banks
 * that answer at once, measuring
 *   a. order accepted (202) -> every layer-1 instruction delivered at its bank, orders of 1/10/50/200/500;
 *   b. a FUNDS_MOVED confirmation accepted (201) -> the follow-on delivered at the next bank;
 *   c. confirmations recorded per second through the real handler and repository, and in the SAME
 *      run the raw TransactWriteItems rate of the same DynamoDB Local (the ratio is the figure);
 *   d. GET /cases/{id}/totals for a case of 10 instructions vs one of 10,000 (ratio);
 *   e. a sustained open-loop load (bench/sustained.ts): throughput, latency over time, memory;
 *   f. a cost model counted by a metered run (bench/cost-model.ts, local/meter.ts, bench/prices.json);
 *   g. contention: K sandboxes released together write to one case (bench/contention.ts).
 * Every handler runs in the sandbox pool (local/sandbox/pool.ts), as `npm run serve` runs it.
 * `--quick` (CI) runs every figure small, to keep the benchmark from rotting; it asserts nothing.
 * Writes bench/results/<stamp>.json and prints a markdown table.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.FREEZEFLOW_LOG_LEVEL ??= 'SILENT';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    /** (e) offered load: orders per second (3 accounts each) and seconds. */
    rate: { type: 'string' },
    seconds: { type: 'string' },
  },
});
const quick = values.quick === true;
/**
 * (e) default offered load: 2 orders/s (6 instructions/s) for 60 s, which this 2-core machine holds
 * with every component in one process; at 20 orders/s it does not (README, Performance). Pass
 * `--rate 20` to see it.
 */
const sustainedRate = Number(values.rate ?? 2);
const sustainedSeconds = Number(values.seconds ?? (quick ? 4 : 60));
const jwtSecret = DEV_JWT_SECRET;
const log = (line: string) => console.log(line);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const BANKS = ['BA', 'BB', 'BC', 'BD', 'BE'];
/** Banks that freeze at once, and one that never answers (its confirmations are sent by the bench). */
const bankConfigs: SimulatedBankConfig[] = [...BANKS, 'QUIET'].map((bankId) => ({
  bankId,
  name: `Bench bank ${bankId}`,
  signingSecret: `bench-secret-${bankId}-0123456789`,
  slaSeconds: 600,
  accounts: {},
  defaultScript:
    bankId === 'QUIET' ? { result: 'SILENT' } : { result: 'ACTIONED', frozen: 'ALL', delayMs: 0 },
}));

const legalBasis = { kind: 'bench', reference: 'B-1', issuedBy: 'bench', issuedAt: '2026-11-20T00:00:00Z' };
const police = { role: 'police' as const, agencyId: 'BENCH' };
const cny = (minor: number | bigint) => ({ currency: 'CNY', minor: String(minor) });

const registerBank = (client: ApiClient, b: SimulatedBankConfig) =>
  client.request('PUT', `/banks/${b.bankId}`, {
    as: { role: 'admin' },
    body: {
      name: b.name,
      mode: 'push',
      endpoint: banks.endpoint(b.bankId),
      slaSeconds: b.slaSeconds,
      signingSecret: b.signingSecret,
    },
  });

const started = Date.now();
const system = await startLocalSystem({ port: 0, jwtSecret });
const banks = await startSimulatedBanks({ banks: bankConfigs, jwtSecret });
const api = new ApiClient(system.url, jwtSecret);
const results: Record<string, unknown> = {};
let figureStart = Date.now();
/** Seconds each figure took (the quick run must stay under a minute in CI). */
const figureSeconds: Record<string, number> = {};
const figureDone = (name: string) => {
  figureSeconds[name] = Math.round((Date.now() - figureStart) / 100) / 10;
  figureStart = Date.now();
};
const chartSeries: Series[] = [];

try {
  for (const b of bankConfigs) await registerBank(api, b);
  const openCase = async () => {
    const r = await api.request<{ caseId: string }>('POST', '/cases', {
      as: police,
      idempotencyKey: true,
      body: { reference: 'bench', reportedLoss: cny(10n ** 12n), reportedAt: '2026-11-20T00:00:00Z' },
    });
    return r.body.caseId;
  };

  // ---- (a) order accepted -> every layer-1 instruction delivered ----
  const sizes = quick ? [1, 10, 50] : [1, 10, 50, 200, 500];
  const runsFor = (k: number) =>
    quick ? (k >= 50 ? 1 : 3) : k >= 500 ? 5 : k >= 200 ? 10 : k >= 50 ? 30 : 100;
  const fanOut: Record<string, Summary> = {};
  for (const k of sizes) {
    const samples: number[] = [];
    for (let run = 0; run < runsFor(k); run++) {
      const caseId = await openCase();
      const targets = Array.from({ length: k }, (_, i) => ({
        bankId: BANKS[i % BANKS.length]!,
        accountNumber: `62${String(run).padStart(4, '0')}${String(i).padStart(6, '0')}`,
        amount: cny(1000 + i),
      }));
      // Deliveries can beat the 202 back to us: listen before sending, time from the 202.
      const pending = new Map<string, number>();
      const idsPromise = new Promise<string[]>((resolve) => {
        void api
          .request<{ instructions: { instructionId: string }[] }>('POST', `/cases/${caseId}/freeze-orders`, {
            as: police,
            idempotencyKey: true,
            body: { legalBasis, targets },
          })
          .then((r) => resolve(r.body.instructions.map((i) => i.instructionId)));
      });
      const deliveredAt = new Map<string, number>();
      const listener = (d: { message: { instructionId: string }; receivedAt: number }) => {
        deliveredAt.set(d.message.instructionId, d.receivedAt);
      };
      const confirmed = new Set<string>();
      const onConfirmation = (c: ConfirmationEvent) => {
        if (c.statusCode >= 200 && c.statusCode < 300) confirmed.add(c.instructionId);
      };
      banks.on('delivery', listener);
      banks.on('confirmation', onConfirmation);
      const ids = await idsPromise;
      const acceptedAt = Date.now();
      for (const id of ids) pending.set(id, 0);
      while ([...pending.keys()].some((id) => !deliveredAt.has(id))) await sleep(2);
      banks.off('delivery', listener);
      samples.push(Math.max(...ids.map((id) => deliveredAt.get(id)!)) - acceptedAt);
      // Not timed: the banks' confirmations of this order are recorded before the next order, so
      // each sample is an order on an otherwise idle system (load is figure (e)'s subject).
      const settleBy = Date.now() + 120_000;
      while (ids.some((id) => !confirmed.has(id)) && Date.now() < settleBy) await sleep(10);
      banks.off('confirmation', onConfirmation);
    }
    fanOut[`k${k}`] = summarize(samples.map((s) => Math.max(0, s)));
    chartSeries.push({ label: `(a) order of ${k}: accepted → layer 1 delivered`, samples });
    log(`(a) order of ${k}: ${JSON.stringify(fanOut[`k${k}`])}`);
    await sleep(200);
  }
  results.orderToLayer1Delivered = fanOut;
  figureDone('a');

  // ---- (b) FUNDS_MOVED confirmation accepted -> follow-on delivered ----
  const followSamples: number[] = [];
  const followRuns = quick ? 8 : 100;
  const bankToken = await api.token('bank', { bankId: 'QUIET' });
  for (let run = 0; run < followRuns; run++) {
    const caseId = await openCase();
    const account = `FM${String(run).padStart(8, '0')}`;
    const nextAccount = `NX${String(run).padStart(8, '0')}`;
    const delivered = new Map<string, number>();
    const listener = (d: { message: { accountNumber?: string; kind: string }; receivedAt: number }) => {
      if (d.message.accountNumber && d.message.kind === 'FREEZE')
        delivered.set(d.message.accountNumber, d.receivedAt);
    };
    banks.on('delivery', listener);
    banks.deliveries.length = 0;
    const order = await api.request<{ instructions: { instructionId: string }[] }>(
      'POST',
      `/cases/${caseId}/freeze-orders`,
      {
        as: police,
        idempotencyKey: true,
        body: { legalBasis, targets: [{ bankId: 'QUIET', accountNumber: account, amount: cny(5000) }] },
      },
    );
    const id = order.body.instructions[0]!.instructionId;
    while (!delivered.has(account)) await sleep(2);
    const t0 = Date.now();
    const res = await fetch(`${system.url}/banks/QUIET/instructions/${id}/confirmations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bankToken}` },
      body: JSON.stringify({
        confirmationId: `fm-${run}`,
        result: 'ACTIONED',
        onwardTransfers: [{ toBankId: 'BB', toAccount: nextAccount, amount: cny(5000) }],
      }),
    });
    const acceptedAt = Date.now();
    if (res.status !== 201) throw new Error(`funds moved confirmation: ${res.status} ${await res.text()}`);
    while (!delivered.has(nextAccount)) {
      if (Date.now() - t0 > 10_000) throw new Error('follow-on never delivered');
      await sleep(1);
    }
    banks.off('delivery', listener);
    followSamples.push(delivered.get(nextAccount)! - acceptedAt);
  }
  results.fundsMovedToFollowOnDelivered = summarize(followSamples.map((s) => Math.max(0, s)));
  chartSeries.push({ label: '(b) FUNDS_MOVED → follow-on delivered', samples: followSamples });
  log(`(b) funds moved -> follow-on delivered: ${JSON.stringify(results.fundsMovedToFollowOnDelivered)}`);
  figureDone('b');

  // ---- (c) confirmations/s through the handler vs raw TransactWriteItems, same DynamoDB Local ----
  const concurrency = 16;
  const total = quick ? 64 : 1000;
  const pullBank = 'PULL1';
  await api.request('PUT', `/banks/${pullBank}`, {
    as: { role: 'admin' },
    body: { name: 'pull', mode: 'pull', slaSeconds: 3600 },
  });
  const instructionIds: string[] = [];
  // One instruction per case: a case's changes are serialized by its audit chain, so a national
  // campaign's rate is across cases.
  for (let i = 0; i < total; i += 50) {
    const caseIds = await Promise.all(Array.from({ length: Math.min(50, total - i) }, () => openCase()));
    const orders = await Promise.all(
      caseIds.map((caseId, j) =>
        api.request<{ instructions: { instructionId: string }[] }>('POST', `/cases/${caseId}/freeze-orders`, {
          as: police,
          idempotencyKey: true,
          body: {
            legalBasis,
            targets: [{ bankId: pullBank, accountNumber: `C${i + j}`, amount: cny(100_000) }],
          },
        }),
      ),
    );
    instructionIds.push(...orders.map((o) => o.body.instructions[0]!.instructionId));
  }
  await sleep(1500); // let the dispatch workflows settle so they do not share the measurement
  const confirmHandler = await loadHandler('record-confirmation', system.deps);
  const { apiEventFor } = await import('./events.ts');
  const runPool = async (count: number, task: (i: number) => Promise<void>) => {
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < count; i = next++) await task(i);
      }),
    );
    return (count / (performance.now() - t0)) * 1000;
  };
  const handlerRate = await runPool(instructionIds.length, async (i) => {
    const id = instructionIds[i]!;
    const result = (await confirmHandler(
      apiEventFor(pullBank, id, { confirmationId: `bench-${i}`, result: 'ACTIONED', frozen: cny(50_000) }),
    )) as { statusCode: number };
    if (result.statusCode !== 201) throw new Error(`confirmation ${id}: ${result.statusCode}`);
  });
  const db = system.deps.db;
  const rawRate = await runPool(instructionIds.length, async (i) => {
    const pk = `RAW#${randomUUID()}`;
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: db.table,
              Item: { PK: pk, SK: 'A', n: i },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          {
            Update: {
              TableName: db.table,
              Key: { PK: pk, SK: 'B' },
              UpdateExpression: 'ADD n :one',
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
          {
            Update: {
              TableName: db.table,
              Key: { PK: `RAWDAY#${i % 4}`, SK: 'C' },
              UpdateExpression: 'ADD n :one',
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
        ],
      }),
    );
  });
  // The same DynamoDB Local, the SAME transaction shape as recording a confirmation writes (six
  // items: confirmation put-if-absent, instruction update, case totals ADD, bank-day ADD, audit event
  // put-if-absent, chain head update), issued raw: what is left of the gap is the handler's own cost
  // (reads, validation, the workflow it wakes), not a bigger transaction.
  const pad = 'x'.repeat(160);
  const rawSameShapeRate = await runPool(instructionIds.length, async (i) => {
    const pk = `RAWCASE#${randomUUID()}`;
    const put = (sk: string) => ({
      Put: {
        TableName: db.table,
        Item: { PK: pk, SK: sk, n: i, at: new Date().toISOString(), pad },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    });
    const add = (key: { PK: string; SK: string }) => ({
      Update: {
        TableName: db.table,
        Key: key,
        UpdateExpression: 'ADD n :one SET detail = :pad',
        ExpressionAttributeValues: { ':one': 1, ':pad': pad },
      },
    });
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          put(`CONF#${i}`),
          add({ PK: pk, SK: `INSTR#${i}` }),
          add({ PK: pk, SK: '#TOTALS' }),
          add({ PK: `RAWDAY#${i % 4}`, SK: 'C' }),
          put(`AUDIT#${i}`),
          {
            Update: {
              TableName: db.table,
              Key: { PK: pk, SK: '#CASE' },
              UpdateExpression: 'SET auditSeq = :next',
              ConditionExpression: 'attribute_not_exists(auditSeq)',
              ExpressionAttributeValues: { ':next': 1 },
            },
          },
        ],
      }),
    );
  });
  results.confirmationsPerSecond = {
    concurrency,
    confirmations: instructionIds.length,
    handlerPerSecond: Math.round(handlerRate),
    rawTransactWriteItemsPerSecond: Math.round(rawRate),
    ratio: Math.round((handlerRate / rawRate) * 100) / 100,
    rawSameShapePerSecond: Math.round(rawSameShapeRate),
    ratioToSameShape: Math.round((handlerRate / rawSameShapeRate) * 100) / 100,
  };
  log(`(c) ${JSON.stringify(results.confirmationsPerSecond)}`);
  figureDone('c');

  // ---- (d) GET /cases/{id}/totals: a case of 10 instructions vs one of 10,000 ----
  // The big case's instruction items are written straight into its partition (BatchWrite): a read that
  // walked the instructions would pay for every one; the totals item is one GetItem either way.
  const bigSize = quick ? 500 : 10_000;
  const timeTotals = async (caseId: string) => {
    const samples: number[] = [];
    for (let i = 0; i < (quick ? 30 : 200); i++) {
      const t0 = performance.now();
      const r = await api.request('GET', `/cases/${caseId}/totals`, { as: police });
      if (r.status !== 200) throw new Error(`totals ${r.status}`);
      samples.push(performance.now() - t0);
    }
    return summarize(samples);
  };
  const smallCase = await openCase();
  const bigCase = await openCase();
  const fill = async (caseId: string, count: number) => {
    const items = Array.from({ length: count }, (_, i) =>
      instructionToItem(
        newInstruction({
          caseId,
          agencyId: 'BENCH',
          orderId: `${caseId}.OBENCH`,
          instructionId: `${caseId}.OBENCH.${i + 1}`,
          bankId: pullBank,
          accountNumber: `T${i}`,
          requested: { currency: 'CNY', minor: 1000n },
          hop: 1,
          parentInstructionId: null,
          legalBasis,
          holdHours: 48,
          createdAt: new Date().toISOString(),
        }),
      ),
    );
    for (let i = 0; i < items.length; i += 25) {
      await db.doc.send(
        new BatchWriteCommand({
          RequestItems: { [db.table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
    }
  };
  await fill(smallCase, 10);
  await fill(bigCase, bigSize);
  const small = await timeTotals(smallCase);
  const big = await timeTotals(bigCase);
  results.caseTotalsRead = {
    smallInstructions: 10,
    bigInstructions: bigSize,
    small,
    big,
    ratioOfMedians: Math.round((big.median / small.median) * 100) / 100,
  };
  log(`(d) ${JSON.stringify(results.caseTotalsRead)}`);
  figureDone('d');

  // ---- what the sandbox pool itself costs (reported with (g)): start, memory, per-call overhead ----
  results.sandboxCost = await measureSandboxCost({ system, caseId: smallCase, agencyId: 'BENCH', quick });
  log(`(g) sandbox cost: ${JSON.stringify(results.sandboxCost)}`);
  figureDone('pool');

  // ---- (e) sustained open-loop load: throughput, latency over time, memory before/after ----
  const sustained = await runSustained({
    api,
    system,
    banks,
    quick,
    log,
    openCase,
    ratePerSecond: sustainedRate,
    durationSeconds: sustainedSeconds,
  });
  results.sustained = sustained;
  figureDone('e');

  // ---- (f) cost model: a fresh, metered system (its own DynamoDB Local), started after the first one
  // is stopped, so neither the meter's bookkeeping nor the work left by (a)-(e) (thousands of running
  // hold timers, a large table) touches the counts or the measured durations ----
  await system.stop();
  const meter = new Meter();
  const metered = await startLocalSystem({ port: 0, jwtSecret, meter });
  try {
    const meteredApi = new ApiClient(metered.url, jwtSecret);
    for (const b of bankConfigs) await registerBank(meteredApi, b);
    // Quick: one small order, no warm-up order (the figure is exercised, not measured).
    results.costModel = await runCostModel({
      api: meteredApi,
      system: metered,
      meter,
      banks,
      quick,
      log,
      ...(quick ? { sizes: [2], warmUp: false } : {}),
    });
  } finally {
    await metered.stop();
  }
  figureDone('f');

  // ---- (g) contention: K sandboxes released together write to one case (bench/contention.ts) ----
  results.contention = await contentionFigure({ ks: quick ? [10] : [50, 150, 500], jwtSecret, log });
  figureDone('g');
} finally {
  await banks.stop();
  await system.stop();
}

const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
};
const report = {
  date: new Date().toISOString(),
  quick,
  machine,
  wallSeconds: Math.round((Date.now() - started) / 1000),
  figureSeconds,
  ...results,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = new URL(
  `./results/${report.date.replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`,
  import.meta.url,
);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
const chart = new URL(file.href.replace(/\.json$/, '-latency.svg'));
writeFileSync(
  chart,
  renderLatencySvg(`freezeflow latency, ${report.date.slice(0, 10)}${quick ? ' (quick)' : ''}`, chartSeries),
);

const sustainedChart = new URL(file.href.replace(/\.json$/, '-sustained.svg'));
writeFileSync(
  sustainedChart,
  renderTimeSeriesSvg(
    `freezeflow sustained load (e), ${report.date.slice(0, 10)}${quick ? ' (quick)' : ''}`,
    sustainedChartPanels(results.sustained as SustainedResult),
  ),
);

const a = results.orderToLayer1Delivered as Record<string, Summary>;
const b = results.fundsMovedToFollowOnDelivered as Summary;
const c = results.confirmationsPerSecond as Record<string, number>;
log('');
log(`| figure | n | median | p90 | p99 | worst |`);
log(`|---|---|---|---|---|---|`);
for (const [k, s] of Object.entries(a))
  log(
    `| (a) order of ${k.slice(1)} accepted → all layer-1 delivered (ms) | ${s.n} | ${s.median} | ${s.p90} | ${s.p99} | ${s.worst} |`,
  );
log(
  `| (b) FUNDS_MOVED accepted → follow-on delivered (ms) | ${b.n} | ${b.median} | ${b.p90} | ${b.p99} | ${b.worst} |`,
);
const d = results.caseTotalsRead as {
  bigInstructions: number;
  small: Summary;
  big: Summary;
  ratioOfMedians: number;
};
log(
  `| (d) GET totals, case of 10 instructions (ms) | ${d.small.n} | ${d.small.median} | ${d.small.p90} | ${d.small.p99} | ${d.small.worst} |`,
);
log(
  `| (d) GET totals, case of ${d.bigInstructions} instructions (ms) | ${d.big.n} | ${d.big.median} | ${d.big.p90} | ${d.big.p99} | ${d.big.worst} |`,
);
log(`\n(d) ratio of medians, ${d.bigInstructions} vs 10 instructions: ${d.ratioOfMedians}`);
log('');
log(
  `| (c) confirmations/s at concurrency ${c.concurrency} | handler + repository | raw TransactWriteItems (3 items) | ratio | raw, the handler's 6-item shape | ratio |`,
);
log(`|---|---|---|---|---|---|`);
log(
  `| ${c.confirmations} confirmations | ${c.handlerPerSecond} | ${c.rawTransactWriteItemsPerSecond} | ${c.ratio} | ${c.rawSameShapePerSecond} | ${c.ratioToSameShape} |`,
);
log('');
log(sustainedMarkdown(results.sustained as SustainedResult));
log('');
for (const line of costModelTable(results.costModel as CostModelResult)) log(line);
log('');
for (const line of contentionTable(results.contention as ContentionResult[])) log(line);
const pool = results.sandboxCost as SandboxCost;
log(
  `\nsandbox pool: cold start median ${pool.coldStart.median} ms (p90 ${pool.coldStart.p90}), ${pool.coldStartCpuMs} ms of CPU; bundle ${pool.bundleMs} ms once per pool; ${pool.memoryPerSandboxMb} MB per sandbox (${pool.sandboxes} started together); GET totals in process ${pool.inProcess.median} ms vs in a warm sandbox ${pool.inSandbox.median} ms (overhead ${pool.overheadMedianMs} ms)`,
);
log('');
log(`seconds per figure: ${JSON.stringify(figureSeconds)}; whole run ${report.wallSeconds} s`);
log(
  `machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}; report: ${file.pathname}`,
);
process.exit(0);
