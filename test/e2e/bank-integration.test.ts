import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../functions/domain/webhook-signature.ts';
import type { Role } from '../../functions/schemas/claims.ts';
import { dumpTable } from '../support/dump.ts';
import { cny, legalBasis } from '../support/fixtures.ts';
import { useLocalSystem } from '../support/local-system.ts';

/**
 * Issue 13 §3 and §4 end to end through HTTP: what a bank needs to act (reference, transferredAt),
 * inbox items shaped as their push, the `updatedSince` change feed, ids in numeric order, no cursor
 * on an empty page, GET /banks/{bankId}, and the sandbox push that changes nothing.
 */
const local = useLocalSystem();

const PUSH_BANK = 'KITPUSH';
const PULL_BANK = 'KITPULL';
const SECRET = 'bank-kit-e2e-secret-0123456789';
const police = { role: 'police' as const, agencyId: 'PSB-KIT' };
const admin = { role: 'admin' as const };
const pushBank = { role: 'bank' as const, bankId: PUSH_BANK };
const pullBank = { role: 'bank' as const, bankId: PULL_BANK };

interface Push {
  headers: IncomingHttpHeaders;
  body: string;
  message: Record<string, unknown> & { kind: string; instructionId: string };
}
interface Item extends Record<string, unknown> {
  instructionId: string;
  status: string;
  updatedAt: string;
}
interface Page {
  items: Item[];
  nextCursor: string | null;
}

let server: Server;
let endpoint = '';
const pushes: Push[] = [];
let caseId = '';
let pushInstructionId = '';
let pullIds: string[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const request = <T = unknown>(
  method: string,
  path: string,
  as?: { role: Role; agencyId?: string; bankId?: string },
  body?: unknown,
) =>
  local.api.request<T>(method, path, {
    ...(as ? { as } : {}),
    ...(body === undefined ? {} : { body }),
    ...(method === 'POST' && !path.startsWith('/banks/') ? { idempotencyKey: true as const } : {}),
  });

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const end = Date.now() + 20_000;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const inbox = (bank: typeof pullBank, query: string) =>
  request<Page>('GET', `/banks/${bank.bankId}/instructions?${query}`, bank);

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
  for (const [bankId, body] of [
    [PUSH_BANK, { name: 'Kit Push', mode: 'push', endpoint, slaSeconds: 3600, signingSecret: SECRET }],
    [PULL_BANK, { name: 'Kit Pull', mode: 'pull', slaSeconds: 3600 }],
  ] as const) {
    expect((await request('PUT', `/banks/${bankId}`, admin, body)).status).toBe(201);
  }
  const opened = await request<{ caseId: string }>('POST', '/cases', police, {
    reference: 'KIT-1',
    reportedLoss: cny(100_000_000n),
    reportedAt: '2026-11-20T10:00:00Z',
  });
  caseId = opened.body.caseId;
  // 12 targets at the pull bank first (ids .1 … .12: text order would put .10 before .2), then one
  // at the push bank with the credit the police name.
  const order = await request<{ instructions: { instructionId: string; bankId: string }[] }>(
    'POST',
    `/cases/${caseId}/freeze-orders`,
    police,
    {
      legalBasis,
      targets: [
        ...Array.from({ length: 12 }, (_, i) => ({
          bankId: PULL_BANK,
          accountNumber: `PULL-${i + 1}`,
          amount: cny(10_000n),
        })),
        {
          bankId: PUSH_BANK,
          accountNumber: 'PUSH-1',
          amount: cny(50_000n),
          reference: 'TX-POLICE-77',
          transferredAt: '2026-11-20T09:58:00Z',
        },
      ],
    },
  );
  expect(order.status).toBe(202);
  pullIds = order.body.instructions.filter((i) => i.bankId === PULL_BANK).map((i) => i.instructionId);
  pushInstructionId = order.body.instructions.find((i) => i.bankId === PUSH_BANK)!.instructionId;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe('what a bank needs to act', () => {
  it('the FREEZE push carries the reference and transferredAt; the inbox item has the push’s shape', async () => {
    const push = await waitFor('the FREEZE push', () =>
      pushes.find((p) => p.message.kind === 'FREEZE' && p.message.instructionId === pushInstructionId),
    );
    expect(push.message).toMatchObject({ reference: 'TX-POLICE-77', transferredAt: '2026-11-20T09:58:00Z' });
    const page = await inbox(pushBank, '');
    const item = page.body.items.find((i) => i.instructionId === pushInstructionId)!;
    // Every field of the push, with the same value, plus the inbox's own.
    for (const [field, value] of Object.entries(push.message)) expect(item[field], field).toEqual(value);
    expect(item).toMatchObject({ kind: 'FREEZE', status: expect.any(String), updatedAt: expect.any(String) });
    expect(item.confirmUrl).toMatch(/\/confirmations$/);
  });

  it('ids of one order come in numeric order, pages of 5, the last page with no cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `limit=5${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await inbox(pullBank, query);
      expect(page.status).toBe(200);
      if (page.body.items.length === 0) expect(page.body.nextCursor).toBeNull();
      seen.push(...page.body.items.map((i) => i.instructionId));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(pullIds);
    expect(seen.map((id) => Number(id.split('.').at(-1)))).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
  });

  it('updatedSince is a change feed: a confirmation shows up, oldest change first; later than all → empty, no cursor', async () => {
    // Let the workflow's deliveries settle first, so the feed after `since` holds the confirmation.
    await waitFor('every pull instruction delivered', async () => {
      const page = await inbox(pullBank, 'limit=100');
      return page.body.items.every((i) => i.status === 'DISPATCHED') ? true : undefined;
    });
    const since = new Date().toISOString();
    await sleep(5);
    const target = pullIds[6]!;
    const confirmed = await request(
      'POST',
      `/banks/${PULL_BANK}/instructions/${target}/confirmations`,
      pullBank,
      { confirmationId: 'kit-conf-7', result: 'ACTIONED', frozen: cny(10_000n) },
    );
    expect(confirmed.status).toBe(201);
    const feed = await inbox(pullBank, `updatedSince=${since}`);
    expect(feed.status).toBe(200);
    expect(feed.body.items.map((i) => i.instructionId)).toContain(target);
    expect(feed.body.items.find((i) => i.instructionId === target)?.status).toBe('FROZEN');
    expect(feed.body.items.every((i) => i.updatedAt >= since)).toBe(true);
    const times = feed.body.items.map((i) => i.updatedAt);
    expect(times).toEqual([...times].sort());
    // Untouched instructions are not in the feed.
    expect(feed.body.items.map((i) => i.instructionId)).not.toContain(pullIds[0]);
    // With a status filter on the feed.
    const frozen = await inbox(pullBank, `updatedSince=${since}&status=FROZEN`);
    expect(frozen.body.items.map((i) => i.instructionId)).toEqual([target]);
    const none = await inbox(pullBank, `updatedSince=2099-01-01T00:00:00Z&limit=1`);
    expect(none.body).toEqual({ items: [], nextCursor: null });
  });

  it('the feed also carries an extension and a release (every write path moves updatedAt)', async () => {
    const target = pullIds[6]!;
    const since = new Date().toISOString();
    await sleep(5);
    const extended = await request<{ holdUntil: string }>(
      'POST',
      `/cases/${caseId}/instructions/${target}/extend`,
      police,
      { legalBasis, holdHours: 100 },
    );
    expect(extended.status).toBe(200);
    const afterExtend = await inbox(pullBank, `updatedSince=${since}`);
    const item = afterExtend.body.items.find((i) => i.instructionId === target);
    expect(item?.holdUntil).toBe(extended.body.holdUntil);
    const released = await request<{ releaseId: string }>('POST', `/cases/${caseId}/releases`, police, {
      instructionId: target,
      amount: cny(10_000n),
      disposition: 'RETURN_TO_VICTIM',
      authority: legalBasis,
    });
    expect(released.status).toBe(202);
    const release = await waitFor('the release in the feed', async () => {
      const feed = await inbox(pullBank, `updatedSince=${since}`);
      return feed.body.items.find((i) => i.kind === 'RELEASE' && i.releasesInstructionId === target);
    });
    expect(release).toMatchObject({ disposition: 'RETURN_TO_VICTIM', amount: cny(10_000n) });
    expect(release.confirmUrl).toMatch(/\/confirmations$/);
  });
});

describe('GET /banks/{bankId}', () => {
  it('admin and the bank itself read the registration, never the secret; another bank gets 404', async () => {
    for (const who of [admin, pushBank]) {
      const r = await request<Record<string, unknown>>('GET', `/banks/${PUSH_BANK}`, who);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        bankId: PUSH_BANK,
        name: 'Kit Push',
        mode: 'push',
        endpoint,
        slaSeconds: 3600,
        secretOnFile: true,
        updatedAt: expect.any(String),
      });
      expect(JSON.stringify(r.body)).not.toContain(SECRET);
    }
    expect((await request('GET', `/banks/${PUSH_BANK}`, pullBank)).status).toBe(404);
    expect((await request('GET', '/banks/NOSUCHBANK', admin)).status).toBe(404);
    expect((await request('GET', `/banks/${PUSH_BANK}`, police)).status).toBe(403);
    const pull = await request<Record<string, unknown>>('GET', `/banks/${PULL_BANK}`, pullBank);
    expect(pull.body).toMatchObject({ mode: 'pull', secretOnFile: false });
    expect(pull.body).not.toHaveProperty('endpoint');
  });
});

describe('POST /banks/{bankId}/test-deliveries (sandbox)', () => {
  it('each kind arrives signed, marked test, with made-up ids, confirmUrl to the sandbox; no case item changes', async () => {
    await waitFor('the FREEZE push', () => pushes.find((p) => p.message.instructionId === pushInstructionId));
    // Every item but the sandbox's own records (SANDBOX#<bankId>, where its confirmations are kept).
    const withoutSandbox = async () =>
      (JSON.parse(await dumpTable(local.system.deps.db)) as string[]).filter(
        (i) => !i.includes('"PK":"SANDBOX#'),
      );
    const before = await withoutSandbox();
    for (const kind of ['FREEZE', 'EXTEND', 'EXPIRED', 'REMINDER', 'RELEASE']) {
      const r = await request<{ deliveryId: string; delivered: boolean }>(
        'POST',
        `/banks/${PUSH_BANK}/test-deliveries`,
        pushBank,
        { kind },
      );
      expect(r.status, kind).toBe(202);
      expect(r.body.delivered).toBe(true);
      const push = pushes.find((p) => p.headers['freezeflow-delivery'] === r.body.deliveryId);
      expect(push?.message).toMatchObject({ kind, test: true, bankId: PUSH_BANK });
      expect(push?.message.caseId).not.toBe(caseId);
      if (push?.message.confirmUrl)
        expect(push.message.confirmUrl).toMatch(
          new RegExp(`/banks/${PUSH_BANK}/test-deliveries/${r.body.deliveryId}/confirmations$`),
        );
      const check = verifyWebhook(
        String(push?.headers['freezeflow-signature']),
        push?.body ?? '',
        [SECRET],
        Math.floor(Date.now() / 1000),
      );
      expect(check.ok).toBe(true);
    }
    expect(await withoutSandbox()).toEqual(before);
  });

  it('admin may send one; a pull bank is 409 NOT_A_PUSH_BANK; another bank 404; police 403; a bad kind 422', async () => {
    expect(
      (await request('POST', `/banks/${PUSH_BANK}/test-deliveries`, admin, { kind: 'FREEZE' })).status,
    ).toBe(202);
    const pull = await request<{ rule?: string }>('POST', `/banks/${PULL_BANK}/test-deliveries`, pullBank, {
      kind: 'FREEZE',
    });
    expect(pull.status).toBe(409);
    expect(pull.body.rule).toBe('NOT_A_PUSH_BANK');
    expect(
      (await request('POST', `/banks/${PUSH_BANK}/test-deliveries`, pullBank, { kind: 'FREEZE' })).status,
    ).toBe(404);
    expect(
      (await request('POST', `/banks/${PUSH_BANK}/test-deliveries`, police, { kind: 'FREEZE' })).status,
    ).toBe(403);
    expect(
      (await request('POST', `/banks/${PUSH_BANK}/test-deliveries`, pushBank, { kind: 'BOGUS' })).status,
    ).toBe(422);
  });
});
