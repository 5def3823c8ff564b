import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ApiClient } from '../local/api-client.ts';
import { DEV_JWT_SECRET } from '../local/dev-jwt.ts';
import { processCpuSeconds } from '../local/process-stats.ts';
import { type SimulatedBankConfig, startSimulatedBanks } from '../local/simulated-banks.ts';
import { startLocalSystem } from '../local/system.ts';

/**
 * `npm run bench:pool [-- --k 10 --runs 5]`: where the time of figure (a) goes on the sandbox pool.
 * Orders of K accounts to banks that freeze at once, one after another; for each: the time until
 * every instruction is delivered, the main thread's event-loop utilisation and delay, this process's
 * CPU (every thread) and DynamoDB Local's, and per function the invocations, cold starts, time queued for a sandbox and
 * time run in it (local/sandbox/pool.ts InvocationStats). Not part of the baseline; a diagnosis aid.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.FREEZEFLOW_LOG_LEVEL ??= 'SILENT';
const { values } = parseArgs({
  options: { k: { type: 'string', default: '10' }, runs: { type: 'string', default: '5' } },
});
const K = Number(values.k);
const RUNS = Number(values.runs);
const BANKS = ['BA', 'BB', 'BC', 'BD', 'BE'];
const bankConfigs: SimulatedBankConfig[] = BANKS.map((bankId) => ({
  bankId,
  name: `Profile bank ${bankId}`,
  signingSecret: `profile-secret-${bankId}-0123456789`,
  slaSeconds: 600,
  accounts: {},
  defaultScript: { result: 'ACTIONED', frozen: 'ALL', delayMs: 0 },
}));
const police = { role: 'police' as const, agencyId: 'PROFILE' };
const cny = (minor: number) => ({ currency: 'CNY', minor: String(minor) });
const legalBasis = {
  kind: 'profile',
  reference: 'P-1',
  issuedBy: 'profile',
  issuedAt: '2026-11-20T00:00:00Z',
};

const system = await startLocalSystem({ port: 0, jwtSecret: DEV_JWT_SECRET });
const banks = await startSimulatedBanks({ banks: bankConfigs, jwtSecret: DEV_JWT_SECRET });
const api = new ApiClient(system.url, DEV_JWT_SECRET);
const pool = system.sandboxes;
if (!pool) throw new Error('the profile needs the sandbox pool (FREEZEFLOW_SANDBOXES_PER_FUNCTION > 0)');
for (const b of bankConfigs) {
  await api.request('PUT', `/banks/${b.bankId}`, {
    as: { role: 'admin' },
    body: {
      name: b.name,
      mode: 'push',
      endpoint: banks.endpoint(b.bankId),
      slaSeconds: 600,
      signingSecret: b.signingSecret,
    },
  });
}

interface Row {
  n: number;
  cold: number;
  queued: number[];
  run: number[];
}
let rows = new Map<string, Row>();
pool.observers.add((functionName, _ok, stats) => {
  const row = rows.get(functionName) ?? { n: 0, cold: 0, queued: [], run: [] };
  row.n += 1;
  if (stats.coldStart) row.cold += 1;
  row.queued.push(stats.queuedMs);
  row.run.push(stats.runMs);
  rows.set(functionName, row);
});
const median = (a: number[]) => Math.round([...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] ?? 0);
const most = (a: number[]) => Math.round(Math.max(0, ...a));
const total = (a: number[]) => Math.round(a.reduce((x, y) => x + y, 0));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (let run = 0; run < RUNS; run++) {
  rows = new Map();
  const opened = await api.request<{ caseId: string }>('POST', '/cases', {
    as: police,
    idempotencyKey: true,
    body: { reference: 'profile', reportedLoss: cny(10 ** 9), reportedAt: '2026-11-20T00:00:00Z' },
  });
  const delivered = new Map<string, number>();
  const listener = (d: { message: { instructionId: string }; receivedAt: number }) =>
    delivered.set(d.message.instructionId, d.receivedAt);
  banks.on('delivery', listener);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const java0 = processCpuSeconds(system.dynamo.pid) ?? Number.NaN;
  const t0 = Date.now();
  const order = await api.request<{ instructions: { instructionId: string }[] }>(
    'POST',
    `/cases/${opened.body.caseId}/freeze-orders`,
    {
      as: police,
      idempotencyKey: true,
      body: {
        legalBasis,
        targets: Array.from({ length: K }, (_, i) => ({
          bankId: BANKS[i % BANKS.length]!,
          accountNumber: `62${String(run).padStart(4, '0')}${String(i).padStart(6, '0')}`,
          amount: cny(1000 + i),
        })),
      },
    },
  );
  const acceptedAt = Date.now();
  const ids = order.body.instructions.map((i) => i.instructionId);
  while (ids.some((id) => !delivered.has(id))) await sleep(2);
  banks.off('delivery', listener);
  delay.disable();
  const elu = performance.eventLoopUtilization(elu0);
  const cpu = process.cpuUsage(cpu0);
  const javaMs = Math.round(((processCpuSeconds(system.dynamo.pid) ?? Number.NaN) - java0) * 1000);
  const last = Math.max(...ids.map((id) => delivered.get(id) ?? 0));
  console.log(
    `order ${run + 1} of ${K}: 202 after ${acceptedAt - t0} ms, all delivered ${last - acceptedAt} ms after it; main thread busy ${elu.utilization.toFixed(2)}, loop delay p50/max ${(delay.percentile(50) / 1e6).toFixed(0)}/${(delay.max / 1e6).toFixed(0)} ms; process CPU ${Math.round((cpu.user + cpu.system) / 1000)} ms, DynamoDB Local CPU ${javaMs} ms, in ${Date.now() - t0} ms`,
  );
  for (const [name, row] of [...rows].sort((a, b) => total(b[1].run) - total(a[1].run))) {
    console.log(
      `  ${name.padEnd(26)} ${row.n} invocations (${row.cold} cold); queued median/max ${median(row.queued)}/${most(row.queued)} ms; ran median/max/sum ${median(row.run)}/${most(row.run)}/${total(row.run)} ms`,
    );
  }
  // The banks' confirmations of this order settle before the next one (as figure (a) does).
  await sleep(3_000);
}
await banks.stop();
await system.stop();
process.exit(0);
