import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../functions/adapters/keys.ts';
import { verifyWebhook } from '../../functions/domain/webhook-signature.ts';
import type { Role } from '../../functions/schemas/claims.ts';
import { routes } from '../../functions/schemas/routes.ts';
import { dumpTable } from '../support/dump.ts';
import { cny, legalBasis } from '../support/fixtures.ts';
import { useLocalSystem } from '../support/local-system.ts';

/**
 * Issue §3, end to end through HTTP: a bank's signing secrets are stored apart from the bank record
 * (locally the SECRET#<bankId> item; Secrets Manager in AWS), no route ever answers one, and during a
 * rotation each push carries one v1 per valid secret, each verifying on its own with verifyWebhook.
 */
const local = useLocalSystem();

const BANK = 'SECRETBANK';
const SECRET_A = 'e2e-secret-A-0f1e2d3c4b5a';
const SECRET_B = 'e2e-secret-B-a5b4c3d2e1f0';
const SECRET_C = 'e2e-secret-C-99887766554433';
const ALL_SECRETS = [SECRET_A, SECRET_B, SECRET_C];
const police = { role: 'police' as const, agencyId: 'PSB-1' };
const admin = { role: 'admin' as const };

interface Push {
  headers: IncomingHttpHeaders;
  body: string;
  message: { kind: string; instructionId: string };
}

/** The bank's webhook endpoint: records every push and answers 200 (it never confirms). */
let server: Server;
let endpoint = '';
const pushes: Push[] = [];
/** Every response body any route answered in this file, with the request that got it. */
const answered: { request: string; status: number; text: string }[] = [];
let caseId = '';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function request(
  method: string,
  path: string,
  as?: { role: Role; agencyId?: string; bankId?: string },
  body?: unknown,
) {
  const r = await local.api.request(method, path, {
    ...(as ? { as } : {}),
    ...(body === undefined ? {} : { body }),
    ...(method === 'POST' ? { idempotencyKey: true as const } : {}),
  });
  answered.push({ request: `${method} ${path}`, status: r.status, text: JSON.stringify(r.body) });
  return r;
}

const registerBank = (signingSecret: string) =>
  request('PUT', `/banks/${BANK}`, admin, {
    name: 'Secret Bank',
    mode: 'push',
    endpoint,
    slaSeconds: 3600,
    signingSecret,
  });

/** Orders a freeze at the bank and answers the FREEZE push it received. */
async function pushOfNewOrder(account: string): Promise<Push> {
  const order = await request('POST', `/cases/${caseId}/freeze-orders`, police, {
    legalBasis,
    targets: [{ bankId: BANK, accountNumber: account, amount: cny(1_000_000n) }],
  });
  expect(order.status).toBe(202);
  const instructionId = (order.body as { instructions: { instructionId: string }[] }).instructions[0]!
    .instructionId;
  const end = Date.now() + 15_000;
  for (;;) {
    const push = pushes.find((p) => p.message.kind === 'FREEZE' && p.message.instructionId === instructionId);
    if (push) return push;
    if (Date.now() > end) throw new Error(`no FREEZE push for ${instructionId}`);
    await sleep(50);
  }
}

const verifies = (push: Push, secret: string) =>
  verifyWebhook(
    push.headers['freezeflow-signature'] as string,
    push.body,
    [secret],
    Math.floor(Date.now() / 1000),
  ).ok;
const v1Count = (push: Push) =>
  String(push.headers['freezeflow-signature'])
    .split(',')
    .filter((p) => p.startsWith('v1=')).length;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      pushes.push({ headers: req.headers, body, message: JSON.parse(body) as Push['message'] });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const opened = await request('POST', '/cases', police, {
    reference: 'SECRETS',
    reportedLoss: cny(100_000_000n),
    reportedAt: '2026-11-20T10:00:00Z',
  });
  caseId = (opened.body as { caseId: string }).caseId;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe('bank signing secrets', () => {
  it('one secret: one v1, verifying with it', async () => {
    const registered = await registerBank(SECRET_A);
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({ bankId: BANK, signingSecretsValid: 1 });
    const push = await pushOfNewOrder('ACC-1');
    expect(v1Count(push)).toBe(1);
    expect(verifies(push, SECRET_A)).toBe(true);
    expect(verifies(push, SECRET_B)).toBe(false);
  });

  it('during a rotation the push verifies with either secret (one v1 each)', async () => {
    const rotated = await registerBank(SECRET_B);
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ signingSecretsValid: 2 });
    const push = await pushOfNewOrder('ACC-2');
    expect(v1Count(push)).toBe(2);
    expect(verifies(push, SECRET_B)).toBe(true);
    expect(verifies(push, SECRET_A)).toBe(true);
    expect(verifies(push, SECRET_C)).toBe(false);
  });

  it('the next rotation retires the oldest secret: two valid at most', async () => {
    const rotated = await registerBank(SECRET_C);
    expect(rotated.body).toMatchObject({ signingSecretsValid: 2 });
    const push = await pushOfNewOrder('ACC-3');
    expect(v1Count(push)).toBe(2);
    expect(verifies(push, SECRET_C)).toBe(true);
    expect(verifies(push, SECRET_B)).toBe(true);
    expect(verifies(push, SECRET_A)).toBe(false);
  });

  it('no GET of any route (as every role that may call it) ever answers a secret', async () => {
    const callers: Record<Role, { role: Role; agencyId?: string; bankId?: string }> = {
      police,
      regulator: { role: 'regulator' },
      bank: { role: 'bank', bankId: BANK },
      admin,
    };
    const gets = routes.filter((r) => r.method === 'GET');
    // A sandbox push, so the route that reads one back has something to answer.
    const sandbox = await request('POST', `/banks/${BANK}/test-deliveries`, callers.bank, { kind: 'FREEZE' });
    expect(sandbox.status).toBe(202);
    const deliveryId = (sandbox.body as { deliveryId: string }).deliveryId;
    for (const route of gets) {
      const path = route.path
        .replace('{caseId}', caseId)
        .replace('{bankId}', BANK)
        .replace('{deliveryId}', deliveryId);
      const roles: (Role | undefined)[] = route.roles.length ? [...route.roles] : [undefined];
      for (const role of roles) {
        const r = await request('GET', path, role ? callers[role] : undefined);
        expect(r.status, `${route.id} as ${role ?? 'anyone'}`).toBe(200);
      }
    }
    // Every GET route was read, and every response of this file (PUT and POST included) is clean.
    expect(new Set(answered.filter((a) => a.request.startsWith('GET')).map((a) => a.request)).size).toBe(
      gets.length,
    );
    for (const { request: req, text } of answered) {
      for (const secret of ALL_SECRETS) expect(text, req).not.toContain(secret);
    }
  });

  it('the table: the bank item holds a reference only; secrets appear in the SECRET# item alone', async () => {
    const items = (JSON.parse(await dumpTable(local.system.deps.db)) as string[]).map(
      (text) => JSON.parse(text) as Record<string, unknown>,
    );
    const bankItem = items.find((i) => i.PK === keys.bank(BANK).PK && i.SK === keys.bank(BANK).SK);
    expect(bankItem).toMatchObject({ signingSecretRef: `SECRET#${BANK}`, signingSecretsValid: 2 });
    expect(bankItem).not.toHaveProperty('signingSecrets');
    const holding = items.filter((item) => ALL_SECRETS.some((s) => JSON.stringify(item).includes(s)));
    expect(holding.map((item) => `${item.PK} / ${item.SK}`)).toEqual([`SECRET#${BANK} / #SIGNING`]);
    expect(holding[0]?.secrets).toEqual([SECRET_C, SECRET_B]);
  });
});
