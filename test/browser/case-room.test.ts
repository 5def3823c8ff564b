import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney, type MoneyJson } from '../../console/src/lib/money.ts';
import { DEV_JWT_SECRET } from '../../local/dev-jwt.ts';
import { type SimulatedBanks, startSimulatedBanks } from '../../local/simulated-banks.ts';
import { useLocalSystem } from '../support/local-system.ts';
import { axe, axeResults, plain, SCREENSHOTS, useBrowser } from './browser.ts';

/**
 * Issue 14 §5 in a real browser against the real local system: an officer signs in, opens a case,
 * pastes an order of 5 accounts as CSV (the first answer is lost on the network, the retry reuses
 * the Idempotency-Key), watches the simulated banks answer and the follow-on appear in the trail,
 * extends a hold and returns funds to the victim, with the totals on screen checked against the
 * API after each step.
 */
const local = useLocalSystem();
const browser = useBrowser();
const AGENCY = 'PSB-7';
const police = { role: 'police' as const, agencyId: AGENCY };
let banks: SimulatedBanks;

const accounts = {
  full: { bankId: 'ALPHA', account: '1001000000000001', minor: '30000000' },
  part: { bankId: 'BETA', account: '2002000000000002', minor: '20000000' },
  moved: { bankId: 'GAMMA', account: '3003000000000003', minor: '25000000' },
  missing: { bankId: 'DELTA', account: '4004000000000004', minor: '10000000' },
  cash: { bankId: 'EPSILON', account: '5005000000000005', minor: '15000000' },
};
const FOLLOW_ON = '4004000000000044';

beforeAll(async () => {
  const secret = (id: string) => `secret-for-${id}-0123456789abcdef`;
  banks = await startSimulatedBanks({
    jwtSecret: DEV_JWT_SECRET,
    banks: [
      {
        bankId: 'ALPHA',
        name: 'Alpha Bank',
        slaSeconds: 60,
        signingSecret: secret('ALPHA'),
        accounts: {
          [accounts.full.account]: { result: 'ACTIONED', frozen: 'ALL', delayMs: 200 },
        },
      },
      {
        bankId: 'BETA',
        name: 'Beta Bank',
        slaSeconds: 60,
        signingSecret: secret('BETA'),
        accounts: {
          [accounts.part.account]: { result: 'ACTIONED', frozen: '5000000', delayMs: 300 },
        },
      },
      {
        bankId: 'GAMMA',
        name: 'Gamma Bank',
        slaSeconds: 60,
        signingSecret: secret('GAMMA'),
        accounts: {
          [accounts.moved.account]: {
            result: 'ACTIONED',
            frozen: '0',
            delayMs: 400,
            onwardTransfers: [
              { toBankId: 'DELTA', toAccount: FOLLOW_ON, minor: '12000000', reference: 'TX-G-1' },
              { toBankId: 'NOWHERE', toAccount: '9009000000000009', minor: '3000000', reference: 'TX-G-2' },
            ],
          },
        },
      },
      {
        bankId: 'DELTA',
        name: 'Delta Bank',
        slaSeconds: 60,
        signingSecret: secret('DELTA'),
        accounts: {
          [accounts.missing.account]: {
            result: 'ACCOUNT_NOT_FOUND',
            reason: 'no such account',
            delayMs: 200,
          },
          [FOLLOW_ON]: { result: 'ACTIONED', frozen: 'ALL', delayMs: 300 },
        },
      },
      // Never answers, with a 2 s SLA: OVERDUE soon, for the redeliver action.
      {
        bankId: 'ZETA',
        name: 'Zeta Bank',
        slaSeconds: 2,
        signingSecret: secret('ZETA'),
        accounts: {},
        defaultScript: { result: 'SILENT' },
      },
      {
        bankId: 'EPSILON',
        name: 'Epsilon Bank',
        slaSeconds: 60,
        signingSecret: secret('EPSILON'),
        accounts: {
          [accounts.cash.account]: {
            result: 'ACTIONED',
            frozen: '0',
            cashWithdrawn: '15000000',
            delayMs: 250,
          },
        },
      },
    ],
  });
  for (const bankId of ['ALPHA', 'BETA', 'GAMMA', 'DELTA', 'EPSILON', 'ZETA']) {
    const res = await local.api.request('PUT', `/banks/${bankId}`, {
      as: { role: 'admin' },
      body: {
        name: bankId,
        mode: 'push',
        endpoint: banks.endpoint(bankId),
        slaSeconds: bankId === 'ZETA' ? 2 : 60,
        signingSecret: secret(bankId),
      },
    });
    expect(res.status).toBeLessThan(300);
  }
});
afterAll(async () => {
  await banks?.stop();
  const summary = axeResults.map(
    (r) => `${r.page}: ${r.violations.map((v) => `${v.id}(${v.impact})`).join(', ') || 'none'}`,
  );
  console.log(`axe-core violations by page:\n  ${summary.join('\n  ')}`);
});

interface Totals {
  reportedLoss: MoneyJson;
  frozen: MoneyJson[];
  expired: MoneyJson[];
  released: MoneyJson[];
  restored: MoneyJson[];
}
interface CaseBody {
  orders: unknown[];
  instructions: {
    instructionId: string;
    accountNumber: string;
    status: string;
    holdUntil: string | null;
    frozen: MoneyJson;
  }[];
  releases: { status: string }[];
}
const sum = (list: MoneyJson[]) =>
  list.filter((m) => m.currency === 'CNY').reduce((s, m) => s + BigInt(m.minor), 0n);
const cny = (minor: bigint) => formatMoney({ currency: 'CNY', minor: minor.toString() }, 'en-US');

async function apiTotals(caseId: string): Promise<Totals> {
  return (await local.api.request<Totals>('GET', `/cases/${caseId}/totals`, { as: police })).body;
}
async function apiCase(caseId: string): Promise<CaseBody> {
  return (await local.api.request<CaseBody>('GET', `/cases/${caseId}`, { as: police })).body;
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The totals on screen equal the API's (the screen polls, so wait for it to catch up). */
async function expectTotalsMatch(page: Page, caseId: string): Promise<Totals> {
  let seen = '';
  let expected = '';
  try {
    return await until('the totals on screen to equal the API', async () => {
      const t = await apiTotals(caseId);
      const held = sum(t.frozen);
      const restored = sum(t.restored);
      const ever = held + restored + sum(t.released) + sum(t.expired);
      expected = [cny(BigInt(t.reportedLoss.minor)), cny(ever), cny(held), cny(restored)].join(' | ');
      seen = (
        await Promise.all(
          ['total-loss', 'total-intercepted', 'total-held', 'total-restored'].map(async (id) =>
            plain(await page.getByTestId(id).textContent()),
          ),
        )
      ).join(' | ');
      return seen === plain(expected) ? t : undefined;
    });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n  screen: ${seen}\n  API:    ${plain(expected)}`);
  }
}

async function signIn(page: Page, agencyId: string, next?: string) {
  await page.goto(`${local.system.url}/console/${next ? `sign-in?next=${encodeURIComponent(next)}` : ''}`);
  await page.getByLabel('Role').selectOption('police');
  await page.getByLabel('Agency id').fill(agencyId);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('the police case room in Chromium', () => {
  it('signs in, opens a case, orders 5 accounts from CSV, watches the answers, extends a hold and returns funds', async () => {
    const page = await browser.page();
    await signIn(page, AGENCY);
    await page.getByRole('heading', { name: 'Case room' }).waitFor();
    expect(await page.getByTestId('signed-in-as').textContent()).toContain(AGENCY);
    expect(await axe(page, 'case room (empty)')).toEqual([]);

    // Open a case.
    await page.getByLabel('Police reference').fill('PSB-7-2026-12-0001');
    await page.getByLabel('Reported loss').fill('1,000,000.00');
    await page.getByLabel('Summary (optional)').fill('Fake investment platform; five mule accounts.');
    await page.getByRole('button', { name: 'Open the case' }).click();
    await page.waitForURL(/\/console\/cases\/[^/]+$/);
    const caseId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    await expectTotalsMatch(page, caseId);

    // The order: 5 accounts pasted as CSV.
    const csv = [
      'bankId,accountNumber,accountName,amount,currency,reference',
      ...Object.values(accounts).map(
        (a, i) =>
          `${a.bankId},${a.account},Mule ${i + 1},${(Number(a.minor) / 100).toFixed(2)},CNY,TX-${i + 1}`,
      ),
    ].join('\n');
    await page.getByLabel('Reference', { exact: true }).fill('PSB-7-SP-0001');
    await page.getByLabel('Issued by').fill('City PSB Anti-Fraud Centre');
    await page.getByLabel('Hold (hours)').fill('48');
    await page.getByLabel(/Paste CSV/).fill(csv);
    await page.getByRole('button', { name: 'Use the pasted CSV' }).click();
    await expect.poll(() => page.getByTestId(/^target-row-/).count()).toBe(5);

    // Fault: the first submission reaches the API but its answer is lost on the way back.
    const sent: Request[] = [];
    let dropped = false;
    await page.route('**/freeze-orders', async (route) => {
      sent.push(route.request());
      if (!dropped) {
        dropped = true;
        await route.fetch();
        await route.abort('connectionreset');
      } else await route.continue();
    });
    await page.getByRole('button', { name: /Submit freeze order/ }).click();
    await page.getByRole('button', { name: 'Retry: submit the same order' }).click();
    await page.getByTestId('order-accepted').waitFor();
    expect(sent).toHaveLength(2);
    const keys = await Promise.all(sent.map((r) => r.headerValue('idempotency-key')));
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);
    expect((await apiCase(caseId)).orders).toHaveLength(1);

    // The banks answer; GAMMA's money moved on to DELTA: the follow-on appears (6 instructions).
    const settled = await until('every bank to answer and the follow-on to be frozen', async () => {
      const c = await apiCase(caseId);
      return c.instructions.length === 6 &&
        c.instructions.every((i) => !['PENDING', 'DISPATCHED'].includes(i.status))
        ? c
        : undefined;
    });
    await expect.poll(() => page.getByTestId(/^instruction-/).count(), { timeout: 20_000 }).toBe(6);
    await expect
      .poll(() => page.getByTestId(`instruction-${FOLLOW_ON}`).getAttribute('data-status'), {
        timeout: 20_000,
      })
      .toBe('FROZEN');
    expect(settled.instructions.find((i) => i.accountNumber === accounts.missing.account)?.status).toBe(
      'ACCOUNT_NOT_FOUND',
    );
    const afterAnswers = await expectTotalsMatch(page, caseId);
    expect(sum(afterAnswers.frozen)).toBe(30000000n + 5000000n + 12000000n);
    await expect
      .poll(async () => plain(await page.getByTestId('progress-text').textContent()))
      .toBe('6 of 6 delivered · 6 confirmed · 0 overdue or failed');

    // Actions offered only where they apply: nothing held at DELTA ****0004, nothing to redeliver.
    const missing = settled.instructions.find((i) => i.accountNumber === accounts.missing.account)!;
    expect(await page.getByTestId(`release-${missing.instructionId}-open`).count()).toBe(0);
    expect(await page.getByTestId(`extend-${missing.instructionId}-open`).count()).toBe(0);
    expect(await page.getByTestId(/^redeliver-.*-open$/).count()).toBe(0);

    // The trail: the follow-on at hop 2, and the transfer to an unregistered bank drawn apart.
    await page.getByText('The trail as a list').click();
    const trailText = plain(await page.getByTestId('trail-list').textContent());
    expect(trailText).toContain('hop 2: DELTA ****0044');
    expect(trailText).toContain('not followed: BANK_NOT_INTEGRATED');
    await page.getByTestId('trail-graph').locator('.react-flow__node').first().waitFor();
    expect(await page.getByTestId('trail-graph').locator('.react-flow__node').count()).toBe(7);
    await page.getByRole('heading', { name: 'Money trail' }).scrollIntoViewIfNeeded();
    await page.getByTestId('trail-graph').screenshot({ path: new URL('trail.png', SCREENSHOTS).pathname });

    // Extend the hold at ALPHA to 72 h.
    const alpha = settled.instructions.find((i) => i.accountNumber === accounts.full.account)!;
    const before = Date.now();
    await page.getByTestId(`extend-${alpha.instructionId}-open`).click();
    const extend = page.getByTestId(`extend-${alpha.instructionId}`);
    await extend.getByLabel('New hold from now (hours)').fill('72');
    await extend.getByRole('button', { name: 'Review' }).click();
    await extend.getByRole('button', { name: 'Confirm' }).click();
    await expect
      .poll(async () => plain(await page.getByTestId(`extend-${alpha.instructionId}-answer`).textContent()))
      .toMatch(/^Done: the API answered 200\. New hold until/);
    await extend.getByRole('button', { name: 'Close' }).click();
    const holdUntil = (await apiCase(caseId)).instructions.find(
      (i) => i.instructionId === alpha.instructionId,
    )!.holdUntil!;
    expect(Math.abs(Date.parse(holdUntil) - (before + 72 * 3600_000))).toBeLessThan(30_000);
    await expect
      .poll(() => page.getByTestId(`hold-${accounts.full.account}`).getAttribute('data-hold-until'))
      .toBe(holdUntil);
    await expectTotalsMatch(page, caseId);

    // Return ALPHA's frozen funds to the victim.
    await page.getByTestId(`release-${alpha.instructionId}-open`).click();
    const release = page.getByTestId(`release-${alpha.instructionId}`);
    expect(await release.getByLabel(/^Amount/).inputValue()).toBe('300000.00');
    await release.getByLabel('To').selectOption('RETURN_TO_VICTIM');
    await release.getByLabel('Kind').fill('Court order');
    await release.getByLabel('Reference').fill('CRT-2026-0042');
    await release.getByLabel('Issued by').fill('District Court');
    await release.getByRole('button', { name: 'Review' }).click();
    expect(plain(await release.textContent())).toContain('will be returned to the victim');
    await release.getByRole('button', { name: 'Confirm' }).click();
    await expect
      .poll(async () => plain(await page.getByTestId(`release-${alpha.instructionId}-answer`).textContent()))
      .toMatch(/^Done: the API answered 202\./);
    await release.getByRole('button', { name: 'Close' }).click();
    await until(
      'the bank to confirm the release',
      async () => sum((await apiTotals(caseId)).restored) === 30000000n,
    );
    const afterRelease = await expectTotalsMatch(page, caseId);
    expect(sum(afterRelease.frozen)).toBe(5000000n + 12000000n);
    expect(plain(await page.getByTestId('total-restored-pct').textContent())).toBe('30.00 %');

    // The audit chain verifies; the page has no serious or critical axe violation.
    await expect
      .poll(async () => plain(await page.getByTestId('audit-verified').textContent()))
      .toBe('verified');
    expect(await axe(page, 'case live view')).toEqual([]);
    await page.screenshot({ path: new URL('case-room.png', SCREENSHOTS).pathname, fullPage: true });

    // Back in the case room, the case is listed with its totals.
    await page.getByRole('link', { name: 'Case room' }).click();
    const row = page.getByTestId(`case-row-${caseId}`);
    await row.waitFor();
    expect(plain(await row.textContent())).toContain(plain(cny(30000000n + 5000000n + 12000000n)));
    await page.context().close();
  }, 120_000);

  it('shows the errors of a bad CSV at their row and field, from the browser and from the API', async () => {
    const opened = await local.api.request<{ caseId: string }>('POST', '/cases', {
      as: police,
      idempotencyKey: true,
      body: {
        reference: 'PSB-7-BAD-CSV',
        reportedLoss: { currency: 'CNY', minor: '100000' },
        reportedAt: '2026-12-01T08:00:00Z',
      },
    });
    const { caseId } = opened.body;
    const page = await browser.page();
    await signIn(page, AGENCY, `/cases/${caseId}`);
    await page.getByTestId('freeze-order-form').waitFor();
    await page.getByLabel('Reference', { exact: true }).fill('SP-BAD');
    await page.getByLabel('Issued by').fill('City PSB');
    const csvBox = page.getByLabel(/Paste CSV/);
    const useCsv = page.getByRole('button', { name: 'Use the pasted CSV' });

    // A header the console does not know: the file is refused as a whole.
    await csvBox.fill('bank,acct,money\nALPHA,1,2');
    await useCsv.click();
    expect(plain(await page.getByTestId('csv-errors').textContent())).toContain('unknown column "acct"');

    // A bad amount is shown at its row and field before anything is sent.
    await csvBox.fill(
      'bankId,accountNumber,amount,currency\nALPHA,1001000000000001,12.345,CNY\nBETA,2002 0000,100.00,CNY\nGAMMA,3003000000000003,5.00,XYZ',
    );
    await useCsv.click();
    expect(plain(await page.getByTestId('error-0-amount').textContent())).toContain(
      'CNY has 2 decimal place(s)',
    );
    expect(plain(await page.getByTestId('error-2-currency').textContent())).toContain(
      'unknown ISO 4217 currency',
    );
    await expect.poll(() => page.getByTestId('cell-0-amount').getAttribute('aria-invalid')).toBe('true');

    // Fixed in the table, the rest goes to the API: its 422 names targets.1.accountNumber.
    await page.getByTestId('cell-0-amount').fill('12.34');
    await page.getByTestId('cell-2-currency').fill('CNY');
    await page.getByRole('button', { name: /Submit freeze order/ }).click();
    await page.getByTestId('error-1-accountNumber').waitFor();
    expect(await page.getByTestId('error-0-amount').count()).toBe(0);
    expect(await page.getByTestId('cell-1-accountNumber').getAttribute('aria-invalid')).toBe('true');
    expect(plain(await page.getByTestId('order-error').textContent())).toContain('422');
    expect((await apiCase(caseId)).orders).toHaveLength(0);
    expect(await axe(page, 'freeze-order form with errors')).toEqual([]);
    await page.context().close();
  });

  it('redelivers an overdue instruction and shows the API answer', async () => {
    const opened = await local.api.request<{ caseId: string }>('POST', '/cases', {
      as: police,
      idempotencyKey: true,
      body: {
        reference: 'PSB-7-LATE',
        reportedLoss: { currency: 'CNY', minor: '100000' },
        reportedAt: '2026-12-01T08:00:00Z',
      },
    });
    const { caseId } = opened.body;
    const order = await local.api.request<{ instructions: { instructionId: string }[] }>(
      'POST',
      `/cases/${caseId}/freeze-orders`,
      {
        as: police,
        idempotencyKey: true,
        body: {
          legalBasis: {
            kind: 'Stop-payment',
            reference: 'SP-LATE',
            issuedBy: 'City PSB',
            issuedAt: '2026-12-01T08:00:00Z',
          },
          targets: [
            {
              bankId: 'ZETA',
              accountNumber: '6006000000000006',
              amount: { currency: 'CNY', minor: '100000' },
            },
          ],
          holdHours: 1,
        },
      },
    );
    expect(order.status).toBe(202);
    const id = order.body.instructions[0]!.instructionId;
    const page = await browser.page();
    await signIn(page, AGENCY, `/cases/${caseId}`);
    await expect
      .poll(() => page.getByTestId('instruction-6006000000000006').getAttribute('data-status'), {
        timeout: 20_000,
      })
      .toBe('OVERDUE');
    await page.getByTestId(`redeliver-${id}-open`).click();
    const dialog = page.getByTestId(`redeliver-${id}`);
    await dialog.getByRole('button', { name: 'Review' }).click();
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect
      .poll(async () => plain(await page.getByTestId(`redeliver-${id}-answer`).textContent()))
      .toBe('Done: the API answered 202. Delivery queued.');
    await page.context().close();
  });

  it('shows a regulator the case read only: its room, the totals, no write action', async () => {
    const opened = await local.api.request<{ caseId: string }>('POST', '/cases', {
      as: police,
      idempotencyKey: true,
      body: {
        reference: 'PSB-7-REG',
        reportedLoss: { currency: 'JPY', minor: '5000000' },
        reportedAt: '2026-12-01T08:00:00Z',
      },
    });
    const page = await browser.page();
    await page.goto(`${local.system.url}/console/`);
    await page.getByLabel('Role').selectOption('regulator');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Regulator room' }).waitFor();
    expect(await page.getByRole('link', { name: 'Case room' }).count()).toBe(0);
    await page.getByLabel('Case id').fill(opened.body.caseId);
    await page.getByRole('button', { name: 'Open read only' }).click();
    await page.getByTestId('totals').waitFor();
    expect(plain(await page.getByTestId('total-loss').textContent())).toBe(
      plain(formatMoney({ currency: 'JPY', minor: '5000000' }, 'en-US')),
    );
    expect(await page.getByTestId('freeze-order-form').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'New freeze order' }).count()).toBe(0);
    expect(await axe(page, 'case read only (regulator)')).toEqual([]);
    await page.context().close();
  });

  it('works at 390×844: no page-wide horizontal scroll, no serious axe violation', async () => {
    const page = await browser.page({ width: 390, height: 844 });
    await signIn(page, AGENCY);
    await page.getByRole('heading', { name: 'Case room' }).waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(await axe(page, 'case room at 390×844')).toEqual([]);
    // Keyboard: from the brand link, Tab reaches the room's link, with a visible focus ring.
    await page.getByRole('link', { name: 'freezeflow' }).focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Case room');
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).toBe('solid');
    await page.context().close();
  });
});
