import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ConnectorPermanentError,
  ConnectorTransientError,
  HttpBankConnector,
  type PushMessage,
} from '../../../functions/adapters/bank-connector.ts';
import { MemorySecretStore } from '../../../functions/adapters/secret-store.ts';
import type { BankDirectoryEntry } from '../../../functions/domain/entities.ts';
import { verifyWebhook } from '../../../functions/domain/webhook-signature.ts';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A bank's webhook endpoint on loopback: records each request, answers as `respond` says. */
let server: Server;
let baseUrl = '';
let received: Received[] = [];
let respond: (req: Received, res: ServerResponse) => void = (_, res) => res.writeHead(200).end();

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(r);
      respond(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The bank's secrets are behind its reference in the store, not on the bank entry. */
const secrets = new MemorySecretStore();
const SECRET_REF = 'memory:B001';

beforeEach(() => {
  received = [];
  respond = (_, res) => res.writeHead(200).end('ok');
  secrets.values.clear();
  secrets.values.set(SECRET_REF, [SECRET]);
});

const NOW_SECONDS = 1_795_000_000;
const SECRET = 'current-signing-secret-1';
const PREVIOUS = 'previous-signing-secret-0';

const bank = (overrides: Partial<BankDirectoryEntry> = {}): BankDirectoryEntry => ({
  bankId: 'B001',
  name: 'First Bank',
  mode: 'push',
  endpoint: `${baseUrl}/hooks/freezeflow`,
  slaSeconds: 60,
  signingSecretRef: SECRET_REF,
  signingSecretsValid: 1,
  registeredAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

const message: PushMessage = {
  kind: 'FREEZE',
  instructionId: 'CTESTCASE01.OORDER1.1',
  caseId: 'CTESTCASE01',
  orderId: 'CTESTCASE01.OORDER1',
  hop: 1,
  bankId: 'B001',
  accountNumber: '6222020200112233',
  amount: { currency: 'CNY', minor: '12000000' },
  legalBasis: { kind: 'k', reference: 'r', issuedBy: 'i', issuedAt: '2026-11-20T09:00:00Z' },
  deadlineAt: '2026-11-20T10:01:00.000Z',
  holdUntil: '2026-11-22T10:00:00.000Z',
  confirmUrl: 'https://api.freezeflow.test/banks/B001/instructions/CTESTCASE01.OORDER1.1/confirmations',
};

const connector = (timeoutMs = 2_000) => new HttpBankConnector(secrets, () => NOW_SECONDS, timeoutMs);

describe('HttpBankConnector', () => {
  it('POSTs the JSON body with the delivery id and a signature the bank can verify', async () => {
    await connector().push(bank(), message, 'CTESTCASE01.OORDER1.1:FREEZE');
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/hooks/freezeflow');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['freezeflow-delivery']).toBe('CTESTCASE01.OORDER1.1:FREEZE');
    expect(JSON.parse(request?.body ?? '')).toEqual(message);
    const header = request?.headers['freezeflow-signature'] as string;
    expect(header).toMatch(/^t=1795000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhook(header, request!.body, [SECRET], NOW_SECONDS)).toEqual({
      ok: true,
      timestamp: NOW_SECONDS,
    });
    expect(verifyWebhook(header, request!.body, ['some-other-secret-123'], NOW_SECONDS).ok).toBe(false);
    expect(
      verifyWebhook(header, request!.body.replace('12000000', '99000000'), [SECRET], NOW_SECONDS).ok,
    ).toBe(false);
    expect(verifyWebhook(header, request!.body, [SECRET], NOW_SECONDS + 3600).ok).toBe(false);
  });

  it('during a rotation sends one v1 per valid secret, each verifying on its own', async () => {
    secrets.values.set(SECRET_REF, [SECRET, PREVIOUS]);
    await connector().push(bank({ signingSecretsValid: 2 }), message, 'd-1');
    const header = received[0]?.headers['freezeflow-signature'] as string;
    const parts = header.split(',');
    expect(parts.filter((p) => p.startsWith('t='))).toEqual([`t=${NOW_SECONDS}`]);
    const v1 = parts.filter((p) => p.startsWith('v1='));
    expect(v1).toHaveLength(2);
    expect(new Set(v1).size).toBe(2);
    const body = received[0]!.body;
    expect(verifyWebhook(header, body, [SECRET], NOW_SECONDS).ok).toBe(true);
    expect(verifyWebhook(header, body, [PREVIOUS], NOW_SECONDS).ok).toBe(true);
  });

  it.each([200, 201, 202, 204])('%i is delivered', async (status) => {
    respond = (_, res) => res.writeHead(status).end();
    await expect(connector().push(bank(), message, 'd')).resolves.toBeUndefined();
  });

  it.each([401, 408, 429, 500, 502, 503, 504])('%i is transient (retried)', async (status) => {
    respond = (_, res) => res.writeHead(status, { 'retry-after': '1' }).end('busy');
    const error = await connector()
      .push(bank(), message, 'd')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorTransientError);
    expect((error as Error).name).toBe('ConnectorTransientError');
    expect((error as Error).message).toContain(String(status));
    expect((error as ConnectorTransientError).retryAfterSeconds).toBe(1);
  });

  it('reads Retry-After as an HTTP date too', async () => {
    respond = (_, res) =>
      res.writeHead(503, { 'retry-after': new Date((NOW_SECONDS + 30) * 1000).toUTCString() }).end('busy');
    const error = (await connector()
      .push(bank(), message, 'd')
      .catch((e: unknown) => e)) as ConnectorTransientError;
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(28);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(31);
  });

  it.each([400, 403, 404, 409, 410, 422])('%i is permanent (DISPATCH_FAILED)', async (status) => {
    respond = (_, res) => res.writeHead(status).end('no');
    const error = await connector()
      .push(bank(), message, 'd')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorPermanentError);
    expect((error as Error).name).toBe('ConnectorPermanentError');
  });

  it('a bank that never answers is transient once the timeout passes', async () => {
    respond = () => undefined; // hangs
    const started = Date.now();
    const error = await connector(200)
      .push(bank(), message, 'd')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorTransientError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a refused connection is transient', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await connector()
      .push(bank({ endpoint: `http://127.0.0.1:${port}/x` }), message, 'd')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorTransientError);
  });

  it('a bank without an endpoint is permanent', async () => {
    await expect(connector().push(bank({ endpoint: undefined }), message, 'd')).rejects.toBeInstanceOf(
      ConnectorPermanentError,
    );
    expect(received).toHaveLength(0);
  });

  it('a push bank without a signing secret reference is permanent, and nothing is sent', async () => {
    const error = await connector()
      .push(bank({ signingSecretRef: undefined, signingSecretsValid: 0 }), message, 'd')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorPermanentError);
    expect(received).toHaveLength(0);
  });

  it('a reference with no secret behind it is permanent, and nothing is sent', async () => {
    secrets.values.clear();
    const error = await connector()
      .push(bank(), message, 'd')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorPermanentError);
    expect(received).toHaveLength(0);
  });

  it('a secret store that cannot be read now is transient (retried), and nothing is sent', async () => {
    const failing = {
      putSigningSecrets: async () => SECRET_REF,
      getSigningSecrets: async (): Promise<string[]> => {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      },
    };
    const error = await new HttpBankConnector(failing, () => NOW_SECONDS)
      .push(bank(), message, 'd')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorTransientError);
    expect((error as Error).message).toContain('ThrottlingException');
    expect(received).toHaveLength(0);
  });

  it('reads the secrets at push time: after a rotation the next push signs with the new pair', async () => {
    await connector().push(bank(), message, 'd-1');
    secrets.values.set(SECRET_REF, ['rotated-signing-secret-2', SECRET]);
    await connector().push(bank({ signingSecretsValid: 2 }), message, 'd-2');
    const [before, after] = received.map((r) => r.headers['freezeflow-signature'] as string);
    expect(verifyWebhook(before, received[0]!.body, ['rotated-signing-secret-2'], NOW_SECONDS).ok).toBe(
      false,
    );
    for (const secret of ['rotated-signing-secret-2', SECRET]) {
      expect(verifyWebhook(after, received[1]!.body, [secret], NOW_SECONDS).ok, secret).toBe(true);
    }
  });

  // Regression: fetch follows redirects. A 302 turns the signed POST into a bodiless GET to the Location,
  // and a 2xx there counts as delivered although the bank never received the instruction.
  it('a redirect is not a delivery (the FREEZE body must not be dropped on the way)', async () => {
    respond = (req, res) => {
      if (req.url === '/hooks/freezeflow') res.writeHead(302, { location: '/elsewhere' }).end();
      else res.writeHead(200).end('ok');
    };
    const outcome = await connector()
      .push(bank(), message, 'd')
      .then(() => 'delivered')
      .catch((e: unknown) => (e as Error).name);
    expect(received.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /hooks/freezeflow']);
    expect(outcome).not.toBe('delivered');
  });
});
