import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELIVERY_HEADER, SIGNATURE_HEADER } from '../../functions/domain/webhook-signature.ts';
import { DEV_AUDIENCE, DEV_ISSUER, DEV_JWT_SECRET } from '../../local/dev-jwt.ts';
import {
  type ConfirmationEvent,
  type SimulatedBanks,
  startSimulatedBanks,
} from '../../local/simulated-banks.ts';

/**
 * The simulated banks speak the push protocol of docs/api.md "Push connector" from the bank's side:
 * `FreezeFlow-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>` (one v1 per
 * valid secret during rotation), a replay window, no signature accepted twice; then the bank
 * confirms on `confirmUrl` with its own bank JWT. Signatures are computed here with node:crypto.
 */
const BANK = 'SIM1';
const SECRET = 'sim-bank-signing-secret-0001';
const OTHER_SECRET = 'some-other-secret-not-the-banks';

let banks: SimulatedBanks;
let receiver: Server;
let confirmUrlBase = '';
/** Confirmations the bank POSTed to our receiver: the request as received. */
const received: { path: string; authorization: string; body: Record<string, unknown> }[] = [];
/** How many confirmations the receiver answers 503 (Retry-After: 0) before it takes one. */
let busyAnswersLeft = 0;

const nowSeconds = () => Math.floor(Date.now() / 1000);
const hmac = (secret: string, t: number, raw: string) =>
  createHmac('sha256', secret).update(`${t}.${raw}`, 'utf8').digest('hex');
const header = (t: number, ...v1: string[]) => [`t=${t}`, ...v1.map((v) => `v1=${v}`)].join(',');

function freezeMessage(instructionId = `CSIMULATED0.O000001.${randomUUID().slice(0, 8)}`) {
  return {
    kind: 'FREEZE',
    instructionId,
    caseId: 'CSIMULATED0',
    orderId: 'CSIMULATED0.O000001',
    hop: 1,
    bankId: BANK,
    accountNumber: '6222000000000042',
    amount: { currency: 'CNY', minor: '750000' },
    legalBasis: {
      kind: 'Emergency stop-payment',
      reference: 'SP-9',
      issuedBy: 'PSB-1 Anti-Fraud Centre',
      issuedAt: '2026-11-20T09:55:00Z',
    },
    deadlineAt: new Date(Date.now() + 3_600_000).toISOString(),
    holdUntil: new Date(Date.now() + 48 * 3_600_000).toISOString(),
    confirmUrl: `${confirmUrlBase}/banks/${BANK}/instructions/${instructionId}/confirmations`,
  };
}

async function push(raw: string, signature: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(banks.endpoint(BANK), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [SIGNATURE_HEADER]: signature,
      [DELIVERY_HEADER]: `delivery-${randomUUID()}`,
    },
    body: raw,
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

function nextConfirmation(instructionId: string, timeoutMs = 5_000): Promise<ConfirmationEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      banks.off('confirmation', onConfirmation);
      reject(new Error(`no confirmation for ${instructionId} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onConfirmation = (event: ConfirmationEvent) => {
      if (event.instructionId !== instructionId) return;
      clearTimeout(timer);
      banks.off('confirmation', onConfirmation);
      resolve(event);
    };
    banks.on('confirmation', onConfirmation);
  });
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      received.push({ path: req.url ?? '', authorization: String(req.headers.authorization ?? ''), body });
      const instructionId = (req.url ?? '').split('/')[4] ?? '';
      if (busyAnswersLeft > 0) {
        busyAnswersLeft -= 1;
        res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '0' }).end('{}');
        return;
      }
      res
        .writeHead(201, { 'content-type': 'application/json' })
        .end(JSON.stringify({ instructionId, status: 'FROZEN' }));
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
  confirmUrlBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  banks = await startSimulatedBanks({
    banks: [{ bankId: BANK, name: 'Simulated bank', signingSecret: SECRET, slaSeconds: 60, accounts: {} }],
    jwtSecret: DEV_JWT_SECRET,
  });
  // An 'error' event with no listener would throw inside the bank: record it as a failed confirmation.
  banks.on('error', () => undefined);
});

afterAll(async () => {
  await banks?.stop();
  await new Promise<void>((resolve) => {
    if (!receiver) return resolve();
    receiver.close(() => resolve());
    receiver.closeAllConnections();
  });
});

describe('simulated bank: signature checks of the push connector', () => {
  it('accepts a correctly signed FREEZE, then confirms on confirmUrl with a bank JWT for its bankId', async () => {
    const message = freezeMessage();
    const raw = JSON.stringify(message);
    const t = nowSeconds();
    const confirmation = nextConfirmation(message.instructionId);
    const answer = await push(raw, header(t, hmac(SECRET, t, raw)));
    expect(answer.status).toBe(200);
    expect(banks.deliveries.at(-1)?.message).toEqual(message);

    const event = await confirmation;
    expect(event.statusCode).toBe(201);
    expect(event.sent).toMatchObject({ result: 'ACTIONED', frozen: message.amount });
    const request = received.find((r) => r.path.includes(message.instructionId));
    expect(request?.path).toBe(new URL(message.confirmUrl).pathname);
    expect(request?.body).toEqual(event.sent);
    const token = /^Bearer (.+)$/.exec(request?.authorization ?? '')?.[1] ?? '';
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(DEV_JWT_SECRET), {
      algorithms: ['HS256'],
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
    });
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload).toMatchObject({ role: 'bank', bankId: BANK });
    expect(typeof payload.sub).toBe('string');
    expect(payload.exp).toBeGreaterThan(nowSeconds());
  });

  it('refuses a replay of an accepted request (same signature header and body) with 401', async () => {
    const message = freezeMessage();
    const raw = JSON.stringify(message);
    const t = nowSeconds();
    const signature = header(t, hmac(SECRET, t, raw));
    expect((await push(raw, signature)).status).toBe(200);
    const refusedBefore = banks.refused.length;
    const replay = await push(raw, signature);
    expect(replay.status).toBe(401);
    expect(banks.refused.slice(refusedBefore)).toEqual([{ bankId: BANK, reason: 'replayed signature' }]);
    expect(banks.deliveries.filter((d) => d.message.instructionId === message.instructionId)).toHaveLength(1);
  });

  // Regression: a replay is the same signed content however the header is spelled (docs/design.md §5).
  it('refuses a replay whose signature header was re-spelt around the same accepted v1', async () => {
    const message = freezeMessage();
    const raw = JSON.stringify(message);
    const t = nowSeconds();
    const v1 = hmac(SECRET, t, raw);
    expect((await push(raw, header(t, v1))).status).toBe(200);
    expect((await push(raw, header(t, v1, '00'))).status).toBe(401);
    expect((await push(raw, `v1=${v1},t=${t}`)).status).toBe(401);
  });

  it.each([
    {
      name: 'a stale timestamp (now − 301 s)',
      sign: (raw: string) => {
        const t = nowSeconds() - 301;
        return { raw, signature: header(t, hmac(SECRET, t, raw)) };
      },
      reason: 'stale timestamp',
    },
    {
      name: 'a timestamp from the future (now + 301 s)',
      sign: (raw: string) => {
        const t = nowSeconds() + 301;
        return { raw, signature: header(t, hmac(SECRET, t, raw)) };
      },
      reason: 'stale timestamp',
    },
    {
      name: 'a wrong secret',
      sign: (raw: string) => {
        const t = nowSeconds();
        return { raw, signature: header(t, hmac(OTHER_SECRET, t, raw)) };
      },
      reason: 'bad signature',
    },
    {
      name: 'a tampered body',
      sign: (raw: string) => {
        const t = nowSeconds();
        return { raw: raw.replace('"750000"', '"7500000"'), signature: header(t, hmac(SECRET, t, raw)) };
      },
      reason: 'bad signature',
    },
    {
      name: 'a signature over another timestamp than the one sent',
      sign: (raw: string) => {
        const t = nowSeconds();
        return { raw, signature: header(t, hmac(SECRET, t - 1, raw)) };
      },
      reason: 'bad signature',
    },
    {
      name: 'no signature header at all',
      sign: (raw: string) => ({ raw, signature: '' }),
      reason: 'missing signature',
    },
    {
      name: 'no timestamp',
      sign: (raw: string) => ({ raw, signature: `v1=${hmac(SECRET, nowSeconds(), raw)}` }),
      reason: 'no timestamp',
    },
  ])('refuses $name with 401 and lists the reason', async ({ sign, reason }) => {
    const message = freezeMessage();
    const signed = sign(JSON.stringify(message));
    const refusedBefore = banks.refused.length;
    const deliveriesBefore = banks.deliveries.length;
    const answer = await push(signed.raw, signed.signature);
    expect(answer.status).toBe(401);
    expect(banks.refused.slice(refusedBefore)).toEqual([{ bankId: BANK, reason }]);
    expect(banks.deliveries).toHaveLength(deliveriesBefore);
  });

  it('accepts two v1= values where only one matches (secret rotation), in either position', async () => {
    for (const order of ['new-first', 'old-first'] as const) {
      const message = freezeMessage();
      const raw = JSON.stringify(message);
      const t = nowSeconds();
      const good = hmac(SECRET, t, raw);
      const bad = hmac(OTHER_SECRET, t, raw);
      const confirmation = nextConfirmation(message.instructionId);
      const answer = await push(raw, order === 'new-first' ? header(t, bad, good) : header(t, good, bad));
      expect(answer.status, order).toBe(200);
      expect((await confirmation).statusCode).toBe(201);
    }
  });

  it('a request not accepted does not make the bank confirm', async () => {
    const message = freezeMessage();
    const raw = JSON.stringify(message);
    const t = nowSeconds();
    expect((await push(raw, header(t, hmac(OTHER_SECRET, t, raw)))).status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(received.filter((r) => r.path.includes(message.instructionId))).toEqual([]);
  });
});

describe('simulated bank: a busy API (503 + Retry-After)', () => {
  it('repeats the same confirmation after Retry-After until it is taken', async () => {
    const message = freezeMessage();
    const raw = JSON.stringify(message);
    busyAnswersLeft = 2;
    const confirmed = nextConfirmation(message.instructionId);
    const t = nowSeconds();
    expect((await push(raw, header(t, hmac(SECRET, t, raw)))).status).toBe(200);
    expect((await confirmed).statusCode).toBe(201);
    const sent = received.filter((r) => r.path.includes(message.instructionId));
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((r) => JSON.stringify(r.body))).size).toBe(1); // the same confirmation
  });
});

describe('simulated bank: an API it cannot reach', () => {
  it('tries again a few times, then reports the confirmation unanswered (status 0) without failing', async () => {
    // A loopback port nothing listens on any more: every connection is refused.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const message = {
      ...freezeMessage(),
      confirmUrl: `http://127.0.0.1:${deadPort}/banks/${BANK}/instructions/x/confirmations`,
    };
    const raw = JSON.stringify(message);
    const reported = nextConfirmation(message.instructionId, 10_000);
    const t = nowSeconds();
    expect((await push(raw, header(t, hmac(SECRET, t, raw)))).status).toBe(200);
    const event = await reported;
    expect(event.statusCode).toBe(0);
    expect(String((event.body as { error: string }).error)).toContain('fetch failed');
    expect(event.sent).toMatchObject({ result: 'ACTIONED', frozen: message.amount });
  });
});
