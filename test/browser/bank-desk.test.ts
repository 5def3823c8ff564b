import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLocalSystem } from '../support/local-system.ts';
import { axe, axeResults, plain, SCREENSHOTS, useBrowser } from './browser.ts';

/**
 * Issue 15 §4, the bank desk in a real browser against the real local system: a bank without an
 * integration (pull mode) works its inbox by hand — "moved on" with two onward transfers (one API
 * refusal at its field, one answer lost on the network and retried with the same confirmationId),
 * the police case room then shows the follow-ons; a release and an extension in the same inbox; a
 * bank cannot read another bank's instruction by URL; the registration page.
 */
const local = useLocalSystem();
const browser = useBrowser();
const AGENCY = 'PSB-15';
const police = { role: 'police' as const, agencyId: AGENCY };
const BANK = 'ORCHID';
const OTHER = 'THISTLE';
const MOVED = '7001000000000001';
const HELD = '7001000000000002';
const OTHER_ACCOUNT = '7002000000000001';
const ONWARD = [
  { bankId: 'FERN', account: '7003000000000001', major: '200,000.00', minor: '20000000', ref: 'TX-O-1' },
  { bankId: 'IVY', account: '7004000000000001', major: '150000', minor: '15000000', ref: 'TX-O-2' },
];

interface Instr {
  instructionId: string;
  bankId: string;
  accountNumber: string;
  hop: number;
  status: string;
  parentInstructionId: string | null;
  holdUntil: string | null;
}
let caseId = '';
let ids: Record<string, string> = {};

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
const caseInstructions = async () =>
  (await local.api.request<{ instructions: Instr[] }>('GET', `/cases/${caseId}`, { as: police })).body
    .instructions;

beforeAll(async () => {
  for (const bankId of [BANK, OTHER, 'FERN', 'IVY']) {
    const res = await local.api.request('PUT', `/banks/${bankId}`, {
      as: { role: 'admin' },
      body: { name: `${bankId} Village Bank`, mode: 'pull', slaSeconds: 3600 },
    });
    expect(res.status).toBeLessThan(300);
  }
  const opened = await local.api.request<{ caseId: string }>('POST', '/cases', {
    as: police,
    idempotencyKey: true,
    body: {
      reference: 'PSB-15-2026-12-0001',
      reportedLoss: { currency: 'CNY', minor: '100000000' },
      reportedAt: '2026-12-01T08:00:00Z',
    },
  });
  caseId = opened.body.caseId;
  const order = await local.api.request<{ instructions: { instructionId: string; accountNumber: string }[] }>(
    'POST',
    `/cases/${caseId}/freeze-orders`,
    {
      as: police,
      idempotencyKey: true,
      body: {
        legalBasis: {
          kind: 'Emergency stop-payment',
          reference: 'PSB-15-SP-0001',
          issuedBy: 'City PSB Anti-Fraud Centre',
          issuedAt: '2026-12-01T08:30:00Z',
        },
        targets: [
          {
            bankId: BANK,
            accountNumber: MOVED,
            accountName: 'Mule One',
            amount: { currency: 'CNY', minor: '50000000' },
            transferredAt: '2026-12-01T08:05:00Z',
            reference: 'VICTIM-TX-1',
          },
          { bankId: BANK, accountNumber: HELD, amount: { currency: 'CNY', minor: '10000000' } },
          { bankId: OTHER, accountNumber: OTHER_ACCOUNT, amount: { currency: 'CNY', minor: '10000000' } },
        ],
        holdHours: 48,
      },
    },
  );
  expect(order.status).toBe(202);
  ids = Object.fromEntries(order.body.instructions.map((i) => [i.accountNumber, i.instructionId]));
  // Pull banks: delivered = in the inbox (DISPATCHED with its deadline).
  await until('the order to reach the inboxes', async () =>
    (await caseInstructions()).every((i) => i.status === 'DISPATCHED'),
  );
});
afterAll(() => {
  const summary = axeResults.map(
    (r) => `${r.page}: ${r.violations.map((v) => `${v.id}(${v.impact})`).join(', ') || 'none'}`,
  );
  console.log(`axe-core violations by page:\n  ${summary.join('\n  ')}`);
});

async function signInAsBank(page: Page, bankId: string, next?: string) {
  await page.goto(`${local.system.url}/console/${next ? `sign-in?next=${encodeURIComponent(next)}` : ''}`);
  await page.getByLabel('Role').selectOption('bank');
  await page.getByLabel('Bank id').fill(bankId);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('the bank desk in Chromium', () => {
  it('a pull bank confirms "moved on" with two onward transfers; the police case room shows the follow-ons', async () => {
    const page = await browser.page();
    await signInAsBank(page, BANK);
    await page.getByRole('heading', { name: `Bank desk · ${BANK}` }).waitFor();
    const inbox = page.getByTestId('inbox');
    await inbox.waitFor();
    // Only this bank's instructions, both waiting, the nearest deadline first.
    await expect.poll(() => inbox.locator('tbody tr').count()).toBe(2);
    expect(plain(await inbox.textContent())).not.toContain(OTHER_ACCOUNT);
    expect(plain(await page.getByTestId(`inbox-row-${ids[MOVED]}`).textContent())).toMatch(
      /needs action.*DISPATCHED.*in \d+ min/,
    );
    expect(await axe(page, 'bank desk inbox')).toEqual([]);
    await page.screenshot({ path: new URL('bank-desk.png', SCREENSHOTS).pathname, fullPage: true });

    await page.getByRole('link', { name: ids[MOVED]! }).click();
    const detail = page.getByTestId('instruction-detail');
    await detail.waitFor();
    const text = plain(await detail.textContent());
    expect(text).toContain('Emergency stop-payment, PSB-15-SP-0001, issued by City PSB Anti-Fraud Centre');
    expect(text).toContain(`${MOVED} (Mule One)`);
    expect(text).toContain('CNY 500,000.00');

    // Moved on, two transfers; the browser's check (the API's zod schema) catches a bad amount.
    await page.getByLabel('Moved on (onward transfers)').check();
    const t0 = page.getByTestId('transfer-0');
    await t0.getByLabel('To bank (id)').fill(ONWARD[0]!.bankId);
    await t0.getByLabel('To account').fill(ONWARD[0]!.account);
    await t0.getByLabel('Amount (CNY)').fill(ONWARD[0]!.major);
    await t0.getByLabel('Transferred at (your time)').fill('2026-12-01T16:10:00');
    await t0.getByLabel('Reference').fill(ONWARD[0]!.ref);
    await page.getByRole('button', { name: 'Add an onward transfer' }).click();
    const t1 = page.getByTestId('transfer-1');
    await t1.getByLabel('To bank (id)').fill(ONWARD[1]!.bankId);
    await t1.getByLabel('To account').fill('7004 0000');
    await t1.getByLabel('Amount (CNY)').fill('150000.001');
    await page.getByRole('button', { name: 'Send the confirmation' }).click();
    expect(plain(await page.getByTestId('error-onwardTransfers.1.amount').textContent())).toContain(
      'CNY has 2 decimal place(s)',
    );
    expect(plain(await page.getByTestId('error-onwardTransfers.1.toAccount').textContent())).toContain(
      'must match',
    );
    expect(await page.getByTestId('input-onwardTransfers.1.amount').getAttribute('aria-invalid')).toBe(
      'true',
    );
    expect(await page.evaluate('document.activeElement.dataset.testid')).toBe(
      'input-onwardTransfers.1.toAccount',
    );
    expect(await axe(page, 'confirmation form with errors')).toEqual([]);

    // Fixed; the API then refuses a field the browser did not send that way (the body is altered on
    // the wire): its 422 is shown at that field.
    await t1.getByLabel('To account').fill(ONWARD[1]!.account);
    await t1.getByLabel('Amount (CNY)').fill(ONWARD[1]!.major);
    await t1.getByLabel('Reference').fill(ONWARD[1]!.ref);
    await page.locator('section', { has: page.getByTestId('confirmation-form') }).screenshot({
      path: new URL('bank-confirmation.png', SCREENSHOTS).pathname,
    });
    const sent: Request[] = [];
    let step = 0;
    await page.route('**/confirmations', async (route) => {
      sent.push(route.request());
      step += 1;
      if (step === 1) {
        const body = JSON.parse(route.request().postData() ?? '{}') as {
          onwardTransfers: { reference: string }[];
        };
        body.onwardTransfers[1]!.reference = 'x'.repeat(201);
        await route.continue({ postData: JSON.stringify(body) });
      } else if (step === 2) {
        // The answer is lost: the confirmation landed, the desk saw a network error.
        await route.fetch();
        await route.abort('connectionreset');
      } else await route.continue();
    });
    await page.getByRole('button', { name: 'Send the confirmation' }).click();
    await page.getByTestId('error-onwardTransfers.1.reference').waitFor();
    expect(plain(await page.getByTestId('confirmation-error').textContent())).toContain('422');
    expect((await caseInstructions()).find((i) => i.accountNumber === MOVED)?.status).toBe('DISPATCHED');

    await page.getByRole('button', { name: 'Send the confirmation' }).click();
    await page.getByRole('button', { name: 'Retry (same confirmation id)' }).click();
    await expect
      .poll(async () => plain(await page.getByTestId('confirmation-answer').textContent()))
      .toBe('Recorded: the API answered 200, status FUNDS_MOVED.');
    expect(sent).toHaveLength(3);
    const bodies = sent.map((r) => JSON.parse(r.postData() ?? '{}') as Record<string, unknown>);
    expect(bodies[2]).toEqual(bodies[1]);
    expect(bodies[1]).toMatchObject({
      result: 'ACTIONED',
      frozen: { currency: 'CNY', minor: '0' },
      onwardTransfers: [
        {
          toBankId: 'FERN',
          toAccount: ONWARD[0]!.account,
          amount: { currency: 'CNY', minor: '20000000' },
          transferredAt: '2026-12-01T08:10:00Z', // 16:10 in Asia/Shanghai
          reference: 'TX-O-1',
        },
        { toBankId: 'IVY', toAccount: ONWARD[1]!.account, amount: { currency: 'CNY', minor: '15000000' } },
      ],
    });
    await page.unroute('**/confirmations');

    // The follow-ons at hop 2, in the API and in the police case room.
    const followOns = await until('the two follow-ons', async () => {
      const list = (await caseInstructions()).filter((i) => i.parentInstructionId === ids[MOVED]);
      return list.length === 2 ? list : undefined;
    });
    expect(followOns.map((i) => i.bankId).sort()).toEqual(['FERN', 'IVY']);
    const officer = await browser.page();
    await officer.goto(`${local.system.url}/console/sign-in?next=${encodeURIComponent(`/cases/${caseId}`)}`);
    await officer.getByLabel('Role').selectOption('police');
    await officer.getByLabel('Agency id').fill(AGENCY);
    await officer.getByRole('button', { name: 'Sign in' }).click();
    for (const o of ONWARD) {
      const row = officer.getByTestId(`instruction-${o.account}`);
      await row.waitFor();
      expect(await row.locator('td').nth(0).textContent()).toBe(o.bankId);
      expect(await row.locator('td').nth(2).textContent()).toBe('2'); // hop
    }
    expect(await officer.getByTestId(`instruction-${MOVED}`).getAttribute('data-status')).toBe('FUNDS_MOVED');
    await officer.getByText('The trail as a list').click();
    const trail = plain(await officer.getByTestId('trail-list').textContent());
    expect(trail).toContain('hop 2: FERN ****0001');
    expect(trail).toContain('hop 2: IVY ****0001');
    await officer.context().close();

    // Back on the desk the instruction is answered and leaves "needs action".
    await page.getByRole('link', { name: 'Inbox' }).click();
    await expect.poll(() => page.getByTestId('inbox').locator('tbody tr').count()).toBe(1);
    await page.context().close();
  }, 90_000);

  it('shows an extension and a release in the same inbox and confirms the release', async () => {
    const page = await browser.page();
    await signInAsBank(page, BANK);
    await page.getByTestId(`inbox-row-${ids[HELD]}`).waitFor();
    // Frozen in full through the desk.
    await page.getByRole('link', { name: ids[HELD]! }).click();
    await page.getByLabel('Frozen in full').check();
    await page.getByRole('button', { name: 'Send the confirmation' }).click();
    await expect
      .poll(async () => plain(await page.getByTestId('confirmation-answer').textContent()))
      .toBe('Recorded: the API answered 201, status FROZEN.');
    await page.getByRole('link', { name: 'Inbox' }).click();
    await page.getByTestId('filter-ALL').check();
    await page.getByTestId(`inbox-row-${ids[HELD]}`).waitFor();

    // The police extend the hold and order a release of part of it.
    const legalBasis = {
      kind: 'Extension',
      reference: 'PSB-15-EXT-1',
      issuedBy: 'City PSB',
      issuedAt: '2026-12-01T09:00:00Z',
    };
    const ext = await local.api.request('POST', `/cases/${caseId}/instructions/${ids[HELD]}/extend`, {
      as: police,
      idempotencyKey: true,
      body: { legalBasis, holdHours: 96 },
    });
    expect(ext.status).toBe(200);
    await page.getByTestId(`hold-extended-${ids[HELD]}`).waitFor({ timeout: 15_000 });
    const rel = await local.api.request<{ instructionId: string }>('POST', `/cases/${caseId}/releases`, {
      as: police,
      idempotencyKey: true,
      body: {
        instructionId: ids[HELD],
        amount: { currency: 'CNY', minor: '4000000' },
        disposition: 'RETURN_TO_VICTIM',
        authority: {
          kind: 'Court order',
          reference: 'CRT-15',
          issuedBy: 'District Court',
          issuedAt: '2026-12-01T09:00:00Z',
        },
      },
    });
    expect(rel.status).toBe(202);
    await page.getByTestId('filter-ACTION').check();
    const relRow = page.getByTestId(`inbox-row-${rel.body.instructionId}`);
    await relRow.waitFor({ timeout: 15_000 });
    expect(plain(await relRow.textContent())).toContain('RELEASE (RETURN TO VICTIM)');
    await page.getByRole('link', { name: rel.body.instructionId }).click();
    const form = page.getByTestId('release-form');
    expect(await form.getByLabel('Released (CNY)').inputValue()).toBe('40000.00');
    await form.getByRole('button', { name: 'Confirm the release' }).click();
    await expect
      .poll(async () => plain(await page.getByTestId('confirmation-answer').textContent()))
      .toBe('Recorded: the API answered 201, status RELEASED.');
    const totals = await local.api.request<{ restored: { currency: string; minor: string }[] }>(
      'GET',
      `/cases/${caseId}/totals`,
      { as: police },
    );
    expect(totals.body.restored).toContainEqual({ currency: 'CNY', minor: '4000000' });
    await page.context().close();
  }, 60_000);

  it("a bank cannot see another bank's instruction, even by typing its URL", async () => {
    const page = await browser.page();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(`${r.method()} ${new URL(r.url()).pathname}`));
    await signInAsBank(page, BANK, `/bank/instructions/${ids[OTHER_ACCOUNT]}`);
    await page.getByTestId('instruction-not-found').waitFor();
    expect(plain(await page.textContent('main'))).not.toContain(OTHER_ACCOUNT);
    expect(requests.filter((r) => r.includes(`/banks/${OTHER}`))).toEqual([]);
    // The API refuses it as well: another bank's inbox and confirmation route are 404, never 403.
    const inbox = await local.api.request('GET', `/banks/${OTHER}/instructions`, {
      as: { role: 'bank', bankId: BANK },
    });
    expect(inbox.status).toBe(404);
    const confirm = await local.api.request(
      'POST',
      `/banks/${OTHER}/instructions/${ids[OTHER_ACCOUNT]}/confirmations`,
      {
        as: { role: 'bank', bankId: BANK },
        body: { confirmationId: 'x1', result: 'ACCOUNT_NOT_FOUND' },
      },
    );
    expect(confirm.status).toBe(404);
    // Other rooms are closed to a bank (moved there inside the app: a reload would sign out).
    await page.evaluate(
      "history.pushState(null, '', '/console/regulator'); dispatchEvent(new PopStateEvent('popstate'))",
    );
    await page.getByText('This room is not for the role bank.').waitFor();
    expect(await page.getByTestId('league').count()).toBe(0);
    await page.context().close();
  });

  it('shows the registration, or a clear "not available" while the API lacks the route; works at 390×844', async () => {
    const api = await local.api.request('GET', `/banks/${BANK}`, { as: { role: 'bank', bankId: BANK } });
    const page = await browser.page({ width: 390, height: 844 });
    await signInAsBank(page, BANK, '/bank/registration');
    if (api.status === 404 || api.status === 405) {
      await page.getByTestId('not-available').waitFor();
      expect(plain(await page.getByTestId('not-available').textContent())).toContain(
        `The API answered ${api.status}`,
      );
    } else {
      expect(api.status).toBe(200);
      await page.getByTestId('registration').waitFor();
      expect(plain(await page.getByTestId('registration-mode').textContent())).toMatch(/^pull/);
    }
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(await axe(page, 'bank registration at 390×844')).toEqual([]);
    await page.getByRole('link', { name: 'Inbox' }).click();
    await page.getByTestId('inbox').or(page.getByText('Nothing here with this filter.')).first().waitFor();
    // Keyboard: the filters are one radio group; the arrow keys move the choice.
    await page.getByTestId('filter-ACTION').focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByTestId('filter-ALL').isChecked()).toBe(true);
    await page.getByTestId('inbox').waitFor();
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).toBe('solid');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(await axe(page, 'bank desk at 390×844')).toEqual([]);
    await page.context().close();
  });
  it('a push bank sends itself a test delivery from its registration page (typed client, POST /banks/{bankId}/test-deliveries)', async () => {
    const pushes: { headers: Record<string, unknown>; body: string }[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      req.on('end', () => {
        pushes.push({ headers: req.headers, body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    try {
      const registered = await local.api.request('PUT', '/banks/BRAMBLE', {
        as: { role: 'admin' },
        body: {
          name: 'BRAMBLE Bank',
          mode: 'push',
          endpoint: `http://127.0.0.1:${port}/hook`,
          slaSeconds: 600,
          signingSecret: 'a-signing-secret-of-bramble',
        },
      });
      expect(registered.status).toBeLessThan(300);
      const page = await browser.page();
      await signInAsBank(page, 'BRAMBLE', '/bank/registration');
      await page.getByTestId('registration').waitFor();
      expect(plain(await page.getByTestId('registration-mode').textContent())).toMatch(/^push/);
      await page.getByLabel('Kind').selectOption('EXTEND');
      await page.getByRole('button', { name: 'Send a test delivery' }).click();
      await page.getByTestId('test-delivery-answer').waitFor();
      const answer = plain(await page.getByTestId('test-delivery-answer').textContent());
      expect(answer).toMatch(/delivery id \S+/);
      await until('the test push', async () => pushes.length > 0);
      const push = JSON.parse(pushes[0]?.body ?? '{}') as { test?: boolean; kind?: string };
      expect(push).toMatchObject({ test: true, kind: 'EXTEND' });
      expect(pushes[0]?.headers['freezeflow-signature']).toBeDefined();
      await page.context().close();
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
