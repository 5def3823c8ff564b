import { ApiClient } from './api-client.ts';
import { runDemo } from './demo/run-demo.ts';
import { loadScenario } from './demo/scenario.ts';
import { DEV_JWT_SECRET } from './dev-jwt.ts';
import { startLocalSystem } from './system.ts';

/**
 * `npm start`: the whole system locally plus the demo scenario — a layered scam frozen across banks
 * with live progress, then the totals and the money trail — and then it keeps serving the API.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.FREEZEFLOW_LOG_LEVEL ??= 'WARN';

const t0 = Date.now();
const jwtSecret = process.env.FREEZEFLOW_JWT_SECRET ?? DEV_JWT_SECRET;
const scenario = loadScenario();
console.log(`freezeflow — local demo: ${scenario.title}`);
console.log('starting DynamoDB Local, the workflow engine and the HTTP API…');
const system = await startLocalSystem({
  port: Number(process.env.PORT ?? 3000),
  dataDir: process.env.FREEZEFLOW_DATA_DIR || undefined,
  jwtSecret,
});
console.log(
  `system up in ${((Date.now() - t0) / 1000).toFixed(1)} s: API ${system.url}, DynamoDB Local ${system.dynamo.endpoint}`,
);
console.log(
  system.sandboxes
    ? `handlers run in sandboxes (worker threads, as Lambda runs them), at most ${system.sandboxes.maxPerFunction} per function`
    : 'handlers run in this process (FREEZEFLOW_SANDBOXES_PER_FUNCTION=0)',
);
console.log(`console: ${system.url}/console/ (dev sign-in: police, agency ${scenario.agencyId})`);
console.log('');

let banks: Awaited<ReturnType<typeof runDemo>>['banks'] | undefined;
const stop = async (code: number) => {
  await banks?.stop();
  await system.stop();
  process.exit(code);
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.log(`\n${signal}: stopping…`);
    void stop(0);
  });
}

try {
  const result = await runDemo({
    api: new ApiClient(system.url, jwtSecret),
    scenario,
    jwtSecret,
    // Once the demo case exists, its live view in the console is one link away.
    print: (line) => {
      console.log(line);
      const opened = / case (\S+) opened:/.exec(line);
      if (opened)
        console.log(`        watch it live: ${system.url}/console/sign-in?next=/cases/${opened[1]}`);
    },
  });
  banks = result.banks;
  console.log('');
  console.log(
    `demo finished in ${((Date.now() - t0) / 1000).toFixed(1)} s (order accepted → all ${scenario.targets.length} layer-1 banks had it: ${result.layer1DeliveredMs} ms)`,
  );
  console.log('');
  console.log(`The API keeps serving on ${system.url} — try:`);
  console.log(`  TOKEN=$(npm run -s token -- --role police --agency ${scenario.agencyId})`);
  console.log(`  curl -s -H "Authorization: Bearer $TOKEN" ${system.url}/cases/${result.caseId}/totals`);
  console.log(`or open the console: ${system.url}/console/sign-in?next=/cases/${result.caseId}`);
  console.log('Ctrl-C stops everything.');
} catch (error) {
  console.error('demo failed:', error);
  await stop(1);
}
