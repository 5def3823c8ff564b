import { DEV_JWT_SECRET } from './dev-jwt.ts';
import { startLocalSystem } from './system.ts';

/**
 * `npm run serve`: the whole system, no demo, on 127.0.0.1:${PORT:-3000} (docs/api.md "Running it
 * locally"). SIGINT/SIGTERM stop it cleanly and leave no child process behind.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.FREEZEFLOW_LOG_LEVEL ??= 'WARN';

const system = await startLocalSystem({
  port: Number(process.env.PORT ?? 3000),
  dataDir: process.env.FREEZEFLOW_DATA_DIR || undefined,
  jwtSecret: process.env.FREEZEFLOW_JWT_SECRET ?? DEV_JWT_SECRET,
});
const dataDir = process.env.FREEZEFLOW_DATA_DIR || '(in memory)';
console.log(
  `freezeflow API listening on ${system.url} (DynamoDB Local at ${system.dynamo.endpoint}, pid ${system.dynamo.pid}, data ${dataDir})`,
);
console.log(
  system.sandboxes
    ? `handlers run in sandboxes (worker threads), at most ${system.sandboxes.maxPerFunction} per function`
    : 'handlers run in this process (FREEZEFLOW_SANDBOXES_PER_FUNCTION=0)',
);
console.log(`get a token with: npm run token -- --role police --agency PSB-0001`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    system.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
