import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReceiver, type Push } from '../../examples/bank-receiver/server.ts';
import { main } from '../../packages/bank-kit/src/cli.ts';
import { type CheckResult, checkReceiver, formatResult } from '../../packages/bank-kit/src/conformance.ts';
import { DeliveryLog, verifySignature } from '../../packages/bank-kit/src/verify.ts';

/**
 * The conformance runner (packages/bank-kit) against the example receiver (all checks pass) and
 * three broken receivers, each failing the check that names its fault. Real HTTP on loopback.
 */
const SECRET = 'conformance-secret-0123456789';
const TIMEOUT_MS = 1_000;
const servers: Server[] = [];
const handled: Push[] = [];

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/freezeflow`;
}

/** A receiver with one fault: it skips the signature, ignores the replay window, or answers slowly. */
function brokenReceiver(fault: 'skips signature' | 'ignores replay' | 'answers slowly'): Server {
  const deliveries = new DeliveryLog();
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const check = verifySignature({
        header: req.headers['freezeflow-signature'],
        rawBody,
        secrets: [SECRET],
        // The fault: a window so wide that no timestamp is ever stale.
        ...(fault === 'ignores replay' ? { windowSeconds: Number.MAX_SAFE_INTEGER } : {}),
      });
      const ok = fault === 'skips signature' || check.ok;
      deliveries.first(String(req.headers['freezeflow-delivery']));
      const reply = () => res.writeHead(ok ? 200 : 400).end();
      if (fault === 'answers slowly') setTimeout(reply, TIMEOUT_MS + 500);
      else reply();
    });
  });
}

const endpoints: Record<string, string> = {};
beforeAll(async () => {
  endpoints.example = await listen(
    createReceiver({ secrets: () => [SECRET], handle: (p) => void handled.push(p) }),
  );
  for (const fault of ['skips signature', 'ignores replay', 'answers slowly'] as const)
    endpoints[fault] = await listen(brokenReceiver(fault));
});

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

const failing = (results: CheckResult[]) => results.filter((r) => !r.pass).map((r) => r.name);

describe('freezeflow-conformance, receiver mode', () => {
  it('the example receiver passes every check, and acted once per delivery', async () => {
    const results = await checkReceiver({
      endpoint: endpoints.example!,
      secret: SECRET,
      timeoutMs: TIMEOUT_MS,
    });
    console.log(results.map(formatResult).join('\n'));
    expect(results.length).toBeGreaterThanOrEqual(11);
    expect(failing(results)).toEqual([]);
    // 5 kinds + the repeated delivery (once, not twice) + the rotation push; no refused push handled.
    await new Promise((r) => setTimeout(r, 50));
    expect(handled.map((p) => p.kind).sort()).toEqual(
      ['EXPIRED', 'EXTEND', 'FREEZE', 'FREEZE', 'FREEZE', 'RELEASE', 'REMINDER'].sort(),
    );
  });

  it('a receiver that skips the signature check fails the signature checks', async () => {
    const failed = failing(
      await checkReceiver({ endpoint: endpoints['skips signature']!, secret: SECRET, timeoutMs: TIMEOUT_MS }),
    );
    expect(failed).toEqual(
      expect.arrayContaining([
        'refuses a bad signature',
        'refuses a changed body',
        'refuses a push without a signature',
      ]),
    );
    expect(failed.every((name) => !name.startsWith('accepts'))).toBe(true);
  });

  it('a receiver that ignores the replay window fails exactly the stale-timestamp check', async () => {
    const failed = failing(
      await checkReceiver({ endpoint: endpoints['ignores replay']!, secret: SECRET, timeoutMs: TIMEOUT_MS }),
    );
    expect(failed).toEqual(['refuses a stale timestamp (replay window)']);
  });

  it('a receiver that answers slowly fails the within-the-timeout checks', async () => {
    const results = await checkReceiver({
      endpoint: endpoints['answers slowly']!,
      secret: SECRET,
      timeoutMs: TIMEOUT_MS,
    });
    const slow = results.filter((r) => r.name.includes('within the timeout'));
    expect(slow).toHaveLength(5);
    for (const r of slow) {
      expect(r.pass).toBe(false);
      expect(r.why).toMatch(/no answer within 1000 ms/);
    }
  }, 60_000);

  it('the CLI prints one line per check and exits 0 when all pass, 1 on a failure, 2 on bad usage', async () => {
    const lines: string[] = [];
    const args = (endpoint: string) => [
      '--endpoint',
      endpoint,
      '--secret',
      SECRET,
      '--timeout-ms',
      String(TIMEOUT_MS),
    ];
    expect(await main(args(endpoints.example!), (l) => lines.push(l))).toBe(0);
    expect(lines.filter((l) => l.startsWith('PASS ')).length).toBeGreaterThanOrEqual(11);
    expect(lines.at(-1)).toMatch(/^\d+ passed, 0 failed$/);
    const broken: string[] = [];
    expect(await main(args(endpoints['ignores replay']!), (l) => broken.push(l))).toBe(1);
    expect(broken).toContain(
      broken.find((l) => l.startsWith('FAIL refuses a stale timestamp (replay window): answered 200')),
    );
    expect(await main([], () => undefined)).toBe(2);
  });

  it('runs as a process: node packages/bank-kit/src/cli.ts exits non-zero on a broken receiver', async () => {
    const run = promisify(execFile);
    const args = [
      '--import',
      'tsx',
      'packages/bank-kit/src/cli.ts',
      '--secret',
      SECRET,
      '--timeout-ms',
      '1000',
    ];
    const good = await run('node', [...args, '--endpoint', endpoints.example!]);
    expect(good.stdout).toMatch(/0 failed/);
    const bad = await run('node', [...args, '--endpoint', endpoints['skips signature']!]).catch(
      (error: { code: number; stdout: string }) => error,
    );
    expect((bad as { code?: number }).code).toBe(1);
    expect(String((bad as { stdout: string }).stdout)).toMatch(
      /^FAIL refuses a bad signature: answered 200/m,
    );
  });
});
