// Loaded by vitest.config.ts (setupFiles) before every test file. A CDK App without `outdir` makes a
// new /tmp/cdk.outXXXXXX for each synth and never removes it (hundreds per suite run): every app of
// this file synthesizes into one temporary directory instead (CDK_OUTDIR), removed after the file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const outdir = mkdtempSync(join(tmpdir(), 'freezeflow-cdk-test-'));
process.env.CDK_OUTDIR = outdir;
afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
  delete process.env.CDK_OUTDIR;
});
