import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      FREEZEFLOW_LOG_LEVEL: 'SILENT',
      // Every local system of the suite runs its handlers in sandboxes (local/sandbox/pool.ts); two
      // per function keep concurrent invocations apart (isolation) while sparing the two cores the
      // cold starts of more (each sandbox loads the SDK and its handler, about 0.3 s of CPU).
      FREEZEFLOW_SANDBOXES_PER_FUNCTION: '2',
    },
    setupFiles: ['test/setup/polyfills.ts'],
    // One DynamoDB Local for the whole run; every test file works in tables of its own.
    globalSetup: ['test/setup/dynamo-global.ts'],
    projects: [
      { extends: true, test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: ['test/faults/**'] } },
      {
        // The fault tier (test/faults/): each file drives its own `npm run serve` child and mostly
        // waits on deadlines and holds, so its files run side by side, after the rest of the suite
        // (groupOrder) so that their timings do not compete with it for the two cores.
        extends: true,
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          // Its servers meet banks that hang for the whole push timeout: with two sandboxes per
          // function the hold timers' steps queue behind those pushes, so they get the default 8.
          env: { FREEZEFLOW_SANDBOXES_PER_FUNCTION: '8' },
          testTimeout: 300_000,
          hookTimeout: 120_000,
          maxWorkers: 4,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
