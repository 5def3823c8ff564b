import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReceiver } from '../../examples/bank-receiver/server.ts';

/**
 * packages/bank-kit as a bank gets it: built with its own tsconfig, packed with dist, bin and README,
 * the verifier importing nothing but node:crypto, and `npx freezeflow-conformance` (the bin of the
 * npm workspace) passing against the example receiver with exit code 0.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const SECRET = 'package-test-secret-0123456789';
let server: Server;
let endpoint = '';

beforeAll(async () => {
  await run('npm', ['run', '-s', 'build:bank-kit'], { cwd: root });
  server = createReceiver({ secrets: () => [SECRET], handle: () => undefined });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/freezeflow`;
}, 120_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe('@freezeflow/bank-kit package', () => {
  it('npx freezeflow-conformance passes against examples/bank-receiver (exit 0, one PASS line per check)', async () => {
    const { stdout } = await run(
      'npx',
      ['freezeflow-conformance', '--endpoint', endpoint, '--secret', SECRET],
      {
        cwd: root,
      },
    );
    console.log(stdout);
    const lines = stdout.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('PASS ')).length).toBe(11);
    expect(lines.filter((l) => l.startsWith('FAIL '))).toEqual([]);
    expect(lines.at(-1)).toBe('11 passed, 0 failed');
  }, 60_000);

  it('exits 1 when a check fails (a wrong secret: every signed push is refused)', async () => {
    const failed = await run(
      'npx',
      ['freezeflow-conformance', '--endpoint', endpoint, '--secret', 'not-the-secret'],
      {
        cwd: root,
      },
    ).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^FAIL accepts a signed FREEZE within the timeout: answered 400/m);
  }, 60_000);

  it('the verifier depends on node:crypto only; the pack holds dist, bin and README', async () => {
    const verify = readFileSync(`${root}packages/bank-kit/dist/verify.js`, 'utf8');
    expect([...verify.matchAll(/from '([^']+)'/g)].map((m) => m[1])).toEqual(['node:crypto']);
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json'], { cwd: `${root}packages/bank-kit` });
    const files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'README.md',
        'bin/freezeflow-conformance.js',
        'dist/index.js',
        'dist/verify.d.ts',
      ]),
    );
    expect(files.some((f) => f.startsWith('src/'))).toBe(false);
  }, 60_000);
});
