/**
 * The esbuild settings every function is bundled with, in AWS (infra/constructs/functions.ts, through
 * the CDK) and in the local runtime's sandboxes (local/sandbox/bundle.ts): both run the same kind of
 * bundle. Plain values, so that the local runtime does not load aws-cdk-lib for them.
 * ESM output needs the createRequire banner: bundled CommonJS dependencies call `require`.
 */
export const BUNDLE_SETTINGS = {
  format: 'esm',
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
} as const;
