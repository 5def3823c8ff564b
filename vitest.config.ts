import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/** The fault tier's files that assert timings to the second (see the faults-timed project). */
const TIMED_FAULT_FILES = [
  'test/faults/restart-timers.test.ts',
  'test/faults/holds.test.ts',
  'test/faults/bank-answers.test.ts',
];

function faultTier(
  name: string,
  files: { include?: string[]; exclude?: string[]; maxWorkers: number; groupOrder: number },
): TestProjectInlineConfiguration {
  return {
    extends: true,
    test: {
      name,
      include: files.include ?? ['test/faults/**/*.test.ts'],
      exclude: files.exclude ?? [],
      // Its servers meet banks that hang for the whole push timeout: with two sandboxes per
      // function the hold timers' steps queue behind those pushes, so they get the default 8.
      env: { FREEZEFLOW_SANDBOXES_PER_FUNCTION: '8' },
      testTimeout: 300_000,
      hookTimeout: 120_000,
      maxWorkers: files.maxWorkers,
      sequence: { groupOrder: files.groupOrder },
    },
  };
}

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      FREEZEFLOW_LOG_LEVEL: 'SILENT',
      // Every local system of the suite runs its handlers in sandboxes (local/sandbox/pool.ts); two
      // per function keep concurrent invocations apart (isolation) while sparing the two cores the
      // cold starts of more (each sandbox loads its bundled handler and the SDK, about 0.3 s of CPU).
      FREEZEFLOW_SANDBOXES_PER_FUNCTION: '2',
    },
    setupFiles: ['test/setup/polyfills.ts', 'test/setup/cdk-outdir.ts'],
    // One DynamoDB Local for the whole run; every test file works in tables of its own.
    globalSetup: ['test/setup/dynamo-global.ts'],
    projects: [
      { extends: true, test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: ['test/faults/**'] } },
      // The fault tier (test/faults/): each file drives its own `npm run serve` child and mostly
      // waits on deadlines and holds, so its files run side by side, after the rest of the suite
      // (groupOrder) so that their timings do not compete with it for the two cores.
      faultTier('faults', { exclude: TIMED_FAULT_FILES, maxWorkers: 4, groupOrder: 1 }),
      // The files that time the system to the second (EXPIRED within 5 s of holdUntil, no attempt
      // before Retry-After) run last, only beside each other: four servers with their JVMs starting
      // beside them made a loaded two-core machine miss those seconds, not the system. Two at a time:
      // three side by side on a slow day made holds expire 9–13 s late (0.0–0.4 s when alone).
      faultTier('faults-timed', { include: TIMED_FAULT_FILES, maxWorkers: 2, groupOrder: 2 }),
    ],
  },
});
