import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', FREEZEFLOW_LOG_LEVEL: 'SILENT' },
    setupFiles: ['test/setup/polyfills.ts'],
    // One DynamoDB Local for the whole run; every test file works in tables of its own.
    globalSetup: ['test/setup/dynamo-global.ts'],
  },
});
