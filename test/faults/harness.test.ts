import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../functions/domain/webhook-signature.ts';
import { admin, cny, FaultApi, police } from './support/api.ts';
import { FaultBank, firstAttempts, status } from './support/fault-bank.ts';
import { FAULT_JWT_SECRET, type ServerProcess, startServer } from './support/server-process.ts';

/**
 * The harness itself: a server child in its own group (JVM included) that a SIGKILL takes down
 * whole, a restart on the same data dir and port that finds its data again, a clean stop that
 * leaves nothing behind; a fault bank that checks signatures, records, answers as told and refuses
 * connections on demand.
 */
let server: ServerProcess;
let api: FaultApi;

beforeAll(async () => {
  server = await startServer('harness');
  api = new FaultApi(server.url, FAULT_JWT_SECRET);
});
afterAll(async () => {
  await server?.stop();
});

const connects = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('server process', () => {
  // Once failed beside other fault servers: the restarted server's new JVM had lost its free port to
  // another server's JVM, whose answer the readiness probe took (a database without the case). The
  // probe now checks who listens (local/port-owner.ts; test/integration/dynamo-local.test.ts).
  it('runs the server and its JVM in one group; SIGKILL of the group leaves nothing; a restart keeps the data', async () => {
    const members = server.survivors();
    expect(members.map((m) => m.pid)).toContain(server.pid);
    expect(members.some((m) => m.comm === 'java')).toBe(true);
    const opened = await api.expect<{ caseId: string }>(201, 'POST', '/cases', {
      as: police,
      idempotencyKey: true,
      body: { reference: 'HARNESS', reportedLoss: cny(100n), reportedAt: '2026-11-20T10:00:00Z' },
    });
    const firstPid = server.pid;
    await server.kill();
    expect(server.survivors()).toEqual([]);
    expect(await connects(server.port)).toBe(false);
    await server.restart();
    expect(server.pid).not.toBe(firstPid);
    const again = await api.request<{ caseId: string }>('GET', `/cases/${opened.caseId}`, { as: police });
    // On a failure, the logs say which DynamoDB Local (pid, port, data dir) each run used.
    expect(again.status, server.logTail()).toBe(200);
    expect(again.body.caseId).toBe(opened.caseId);
  });

  it('stops on SIGTERM with no process of its group left', async () => {
    const probe = await startServer('harness-stop');
    const pid = probe.pid;
    await probe.stop();
    expect(probe.leftBehindByStop).toEqual([]);
    // The JVM got the group's SIGTERM too: a stop, not a crash to restart from.
    expect(probe.logTail()).not.toMatch(/exited unexpectedly/);
    expect(probe.survivors()).toEqual([]);
    expect(pid).toBeGreaterThan(0);
  });
});

describe('fault bank', () => {
  it('verifies signatures, records attempts, answers as told and refuses connections for a while', async () => {
    const bank = await FaultBank.start([{ bankId: 'HB', secret: 'harness-secret-0123456789' }]);
    try {
      const push = (body: string, secret = 'harness-secret-0123456789') =>
        fetch(bank.endpoint('HB'), {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'FreezeFlow-Delivery': 'd-1',
            'FreezeFlow-Signature': signWebhook([secret], Math.floor(Date.now() / 1000), body),
          },
          body,
        });
      const body = JSON.stringify({ kind: 'FREEZE', instructionId: 'I-1' });
      expect((await push(body, 'wrong-secret-0123456789')).status).toBe(401);
      bank.set(firstAttempts(1, status(429, 3)));
      const busy = await push(body);
      expect([busy.status, busy.headers.get('retry-after')]).toEqual([429, '3']);
      expect((await push(body)).status).toBe(200);
      expect(bank.attemptsFor('I-1').map((a) => [a.answer, a.signatureOk, a.deliveryId])).toEqual([
        [401, false, 'd-1'],
        [429, true, 'd-1'],
        [200, true, 'd-1'],
      ]);
      expect(bank.delivered('I-1')).toBe(true);
      const port = bank.port;
      const back = bank.refuse(1_000);
      await new Promise((r) => setTimeout(r, 100));
      expect(await connects(port)).toBe(false);
      await back;
      expect(bank.port).toBe(port);
      expect(await connects(port)).toBe(true);
    } finally {
      await bank.stop();
    }
  });

  it('registers with the system as a push bank (the secret is accepted, never returned)', async () => {
    const got = await api.request<{ secretOnFile?: boolean }>('PUT', '/banks/HB', {
      as: admin,
      body: {
        name: 'HB',
        mode: 'push',
        endpoint: 'http://127.0.0.1:9/HB/webhook',
        slaSeconds: 5,
        signingSecret: 'harness-secret-0123456789',
      },
    });
    expect([200, 201]).toContain(got.status);
    expect(JSON.stringify(got.body)).not.toContain('harness-secret');
  });
});
