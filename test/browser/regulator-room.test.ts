import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney, type MoneyJson } from '../../console/src/lib/money.ts';
import { useLocalSystem } from '../support/local-system.ts';
import { axe, axeResults, plain, SCREENSHOTS, useBrowser } from './browser.ts';

/**
 * Issue 15 §4, the regulator room in a real browser against the real local system: the period's
 * totals and the bank league table on screen equal the API's; every CSV export's exact minor units
 * sum to the API's figures; the case drill-down and the audit check; and not one write request
 * leaves the page of a regulator.
 */
const local = useLocalSystem();
const browser = useBrowser();
const AGENCY = 'PSB-16';
const police = { role: 'police' as const, agencyId: AGENCY };
const regulator = { role: 'regulator' as const };
const today = new Date().toISOString().slice(0, 10);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Totals {
  from: string;
  to: string;
  overall: MoneyJson[];
  byBank: { bankId: string; frozen: MoneyJson[] }[];
  byDay: { day: string; frozen: MoneyJson[] }[];
}
interface League {
  banks: {
    bankId: string;
    received: number;
    confirmed: number;
    medianSeconds: number | null;
    p90Seconds: number | null;
    overdue: number;
    late: number;
    held: MoneyJson[];
  }[];
}
let caseId = '';

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function order(
  reference: string,
  loss: MoneyJson,
  targets: { bankId: string; account: string; minor: string }[],
) {
  const opened = await local.api.request<{ caseId: string }>('POST', '/cases', {
    as: police,
    idempotencyKey: true,
    body: { reference, reportedLoss: loss, reportedAt: '2026-12-01T08:00:00Z' },
  });
  const id = opened.body.caseId;
  const res = await local.api.request<{
    instructions: { instructionId: string; bankId: string; accountNumber: string }[];
  }>('POST', `/cases/${id}/freeze-orders`, {
    as: police,
    idempotencyKey: true,
    body: {
      legalBasis: {
        kind: 'Stop-payment',
        reference: `${reference}-SP`,
        issuedBy: 'City PSB',
        issuedAt: '2026-12-01T08:00:00Z',
      },
      targets: targets.map((t) => ({
        bankId: t.bankId,
        accountNumber: t.account,
        amount: { currency: loss.currency, minor: t.minor },
      })),
      holdHours: 48,
    },
  });
  expect(res.status).toBe(202);
  await until('delivery to the pull inboxes', async () => {
    const c = await local.api.request<{ instructions: { status: string }[] }>('GET', `/cases/${id}`, {
      as: police,
    });
    return c.body.instructions.every((i) => i.status !== 'PENDING');
  });
  return { caseId: id, instructions: res.body.instructions };
}
async function confirm(bankId: string, instructionId: string, body: Record<string, unknown>) {
  const res = await local.api.request(
    'POST',
    `/banks/${bankId}/instructions/${instructionId}/confirmations`,
    {
      as: { role: 'bank', bankId },
      body: { confirmationId: `c-${instructionId}`, result: 'ACTIONED', ...body },
    },
  );
  expect(res.status).toBe(201);
}

beforeAll(async () => {
  for (const [bankId, sla] of [
    ['ALDER', 3600],
    ['BIRCH', 3600],
    ['CEDAR', 3600],
    ['DAWN', 1],
  ] as const) {
    const res = await local.api.request('PUT', `/banks/${bankId}`, {
      as: { role: 'admin' },
      body: { name: `${bankId} Bank`, mode: 'pull', slaSeconds: sla },
    });
    expect(res.status).toBeLessThan(300);
  }
  const cny = await order('PSB-16-CNY', { currency: 'CNY', minor: '100000000' }, [
    { bankId: 'ALDER', account: '8001000000000001', minor: '30000000' },
    { bankId: 'BIRCH', account: '8002000000000001', minor: '20000000' },
    { bankId: 'CEDAR', account: '8003000000000001', minor: '12345678' },
    { bankId: 'DAWN', account: '8004000000000001', minor: '5000000' },
  ]);
  caseId = cny.caseId;
  const usd = await order('PSB-16-USD', { currency: 'USD', minor: '500000' }, [
    { bankId: 'BIRCH', account: '8002000000000002', minor: '250050' },
  ]);
  const by = (list: typeof cny.instructions, bankId: string) =>
    list.find((i) => i.bankId === bankId)!.instructionId;
  // Different answer times: ALDER at once, BIRCH after ~0.5 s, CEDAR after ~3.5 s (the slowest); DAWN never.
  await confirm('ALDER', by(cny.instructions, 'ALDER'), { frozen: { currency: 'CNY', minor: '30000000' } });
  await sleep(500);
  await confirm('BIRCH', by(cny.instructions, 'BIRCH'), { frozen: { currency: 'CNY', minor: '7500000' } });
  await confirm('BIRCH', by(usd.instructions, 'BIRCH'), { frozen: { currency: 'USD', minor: '250050' } });
  await sleep(3000);
  await confirm('CEDAR', by(cny.instructions, 'CEDAR'), { frozen: { currency: 'CNY', minor: '12345678' } });
  // Part of ALDER's hold goes back to the victim: restored, for the frozen-against-the-rest view.
  const rel = await local.api.request<{ instructionId: string }>('POST', `/cases/${caseId}/releases`, {
    as: police,
    idempotencyKey: true,
    body: {
      instructionId: by(cny.instructions, 'ALDER'),
      amount: { currency: 'CNY', minor: '10000000' },
      disposition: 'RETURN_TO_VICTIM',
      authority: {
        kind: 'Court order',
        reference: 'CRT-16',
        issuedBy: 'District Court',
        issuedAt: '2026-12-01T09:00:00Z',
      },
    },
  });
  expect(rel.status).toBe(202);
  await until('the release in ALDER inbox', async () => {
    const c = await local.api.request<{ releases: { status: string }[] }>('GET', `/cases/${caseId}`, {
      as: police,
    });
    return c.body.releases[0]?.status === 'DISPATCHED';
  });
  await confirm('ALDER', rel.body.instructionId, { released: { currency: 'CNY', minor: '10000000' } });
  await until('DAWN to be overdue', async () => {
    const perf = await local.api.request<League>('GET', '/banks/performance', { as: regulator });
    return perf.body.banks.find((b) => b.bankId === 'DAWN')?.overdue === 1;
  });
});
afterAll(() => {
  const summary = axeResults.map(
    (r) => `${r.page}: ${r.violations.map((v) => `${v.id}(${v.impact})`).join(', ') || 'none'}`,
  );
  console.log(`axe-core violations by page:\n  ${summary.join('\n  ')}`);
});

async function signInAsRegulator(page: Page) {
  await page.goto(`${local.system.url}/console/`);
  await page.getByLabel('Role').selectOption('regulator');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Regulator room' }).waitFor();
}

/** Clicks an export button and parses the CSV it downloads (header row + rows). */
async function exportCsv(
  page: Page,
  testId: string,
): Promise<{ name: string; text: string; rows: Record<string, string>[] }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const path = await download.path();
  const text = readFileSync(path, 'utf8');
  const parsed = Papa.parse<Record<string, string>>(text.trim(), { header: true });
  expect(parsed.errors).toEqual([]);
  return { name: download.suggestedFilename(), text, rows: parsed.data };
}
const sumOf = (rows: Record<string, string>[], currency: string, column = 'frozen') =>
  rows
    .filter((r) => r[`${column}_currency`] === currency)
    .reduce((s, r) => s + BigInt(r[`${column}_minor`] ?? '0'), 0n);

describe('the regulator room in Chromium', () => {
  it('shows the totals and the league table as the API has them, and exports CSV whose sums equal the API', async () => {
    const page = await browser.page();
    const writes: string[] = [];
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (r.method() !== 'GET' && path !== '/console/dev-token') writes.push(`${r.method()} ${path}`);
    });
    await signInAsRegulator(page);
    await page.getByLabel('From (UTC day)').fill(today);
    await page.getByLabel('To (UTC day)').fill(today);
    await page.getByRole('button', { name: 'Show the period' }).click();
    await expect
      .poll(async () => plain(await page.getByTestId('period').textContent()))
      .toContain(`From ${today} to ${today}`);

    const totals = (
      await local.api.request<Totals>('GET', `/totals?from=${today}&to=${today}`, { as: regulator })
    ).body;
    expect(totals.overall).toEqual([
      { currency: 'CNY', minor: String(30000000 + 7500000 + 12345678) },
      { currency: 'USD', minor: '250050' },
    ]);
    for (const m of totals.overall) {
      const row = page.getByTestId(`overall-${m.currency}`);
      expect(plain(await row.locator('td').nth(1).textContent())).toBe(plain(formatMoney(m, 'en-US')));
      expect(await row.locator('td').nth(2).textContent()).toBe(m.minor);
    }
    // Charts: drawn by Observable Plot as labelled SVG, each with its table as the text alternative.
    await page.getByTestId('chart-by-day').locator('svg').first().waitFor();
    expect(await page.getByTestId('chart-by-day').locator('svg[aria-label]').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('chart-by-bank').locator('details tbody tr').count()).toBe(3);
    expect(plain(await page.getByTestId('chart-by-bank').locator('details').textContent())).toContain(
      plain(formatMoney({ currency: 'CNY', minor: '30000000' }, 'en-US')),
    );

    // The league table equals /banks/performance; CEDAR, the slowest, is flagged; DAWN is overdue.
    const league = (
      await local.api.request<League>('GET', `/banks/performance?from=${today}&to=${today}`, {
        as: regulator,
      })
    ).body;
    expect(league.banks.map((b) => b.bankId)).toEqual(['ALDER', 'BIRCH', 'CEDAR', 'DAWN']);
    for (const b of league.banks) {
      const cells = await page.getByTestId(`league-${b.bankId}`).locator('td').allTextContents();
      expect(cells.slice(1, 7)).toEqual(
        [b.received, b.confirmed, b.medianSeconds ?? '–', b.p90Seconds ?? '–', b.overdue, b.late].map(String),
      );
    }
    expect(await page.getByTestId('slow-CEDAR').count()).toBe(1);
    expect(await page.locator('[data-testid^="slow-"]').count()).toBe(1);
    const rowOrder = () =>
      page
        .getByTestId('league')
        .locator('tbody tr')
        .evaluateAll((rows) =>
          rows.map((r) =>
            (r as unknown as { getAttribute(name: string): string | null }).getAttribute('data-testid'),
          ),
        );
    // Sorted by p90, slowest first; a click sorts it the other way (a bank with nothing timed stays last).
    expect((await rowOrder())[0]).toBe('league-CEDAR');
    await page.getByRole('button', { name: /^p90 s/ }).click();
    expect(await page.getByRole('columnheader', { name: /^p90 s/ }).getAttribute('aria-sort')).toBe(
      'ascending',
    );
    const byP90 = league.banks
      .filter((b) => b.p90Seconds !== null)
      .sort((a, b) => (a.p90Seconds ?? 0) - (b.p90Seconds ?? 0))
      .map((b) => `league-${b.bankId}`);
    expect(await rowOrder()).toEqual([...byP90, 'league-DAWN']);
    await page.getByRole('button', { name: /^Bank/ }).click();
    expect(await rowOrder()).toEqual(['league-ALDER', 'league-BIRCH', 'league-CEDAR', 'league-DAWN']);

    // CSV: a header row, exact minor units, a formatted column; the sums equal the API's.
    const overall = await exportCsv(page, 'csv-overall');
    expect(overall.text.split('\r\n')[0]).toBe(
      'period_from,period_to,frozen_currency,frozen_minor,frozen_formatted',
    );
    const byBank = await exportCsv(page, 'csv-totals-by-bank');
    const byDay = await exportCsv(page, 'csv-totals-by-day');
    for (const m of totals.overall) {
      for (const csv of [overall, byBank, byDay]) expect(sumOf(csv.rows, m.currency)).toBe(BigInt(m.minor));
    }
    expect(overall.rows.find((r) => r.frozen_currency === 'USD')?.frozen_formatted).toBe('USD 2,500.50');
    expect(byDay.rows.every((r) => r.day === today)).toBe(true);
    const leagueCsv = await exportCsv(page, 'csv-league');
    expect(Object.keys(leagueCsv.rows[0] ?? {})).toEqual([
      'period_from',
      'period_to',
      'bank_id',
      'received',
      'confirmed',
      'median_seconds',
      'p90_seconds',
      'overdue',
      'late',
      'slowest',
      'held_now_currency',
      'held_now_minor',
      'held_now_formatted',
    ]);
    for (const b of league.banks) {
      const rows = leagueCsv.rows.filter((r) => r.bank_id === b.bankId);
      expect(rows[0]?.received).toBe(String(b.received));
      expect(rows[0]?.p90_seconds).toBe(b.p90Seconds === null ? '' : String(b.p90Seconds));
      for (const m of b.held) expect(sumOf(rows, m.currency, 'held_now')).toBe(BigInt(m.minor));
    }
    expect(leagueCsv.rows.find((r) => r.bank_id === 'CEDAR')?.slowest).toBe('yes');

    expect(await axe(page, 'regulator room')).toEqual([]);
    expect(writes).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('drills into a case read only, checks its audit chain, and sends no write request anywhere', async () => {
    const page = await browser.page();
    const writes: string[] = [];
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (r.method() !== 'GET' && path !== '/console/dev-token') writes.push(`${r.method()} ${path}`);
    });
    await signInAsRegulator(page);
    await page.getByLabel('Case id').fill(caseId);
    await page.getByRole('button', { name: 'Open read only' }).click();
    await page.getByTestId('instructions').waitFor();
    await expect.poll(() => page.getByTestId(/^instruction-/).count()).toBe(4);
    // The police case room, read only: no order form, no action anywhere on the page.
    expect(await page.getByTestId('freeze-order-form').count()).toBe(0);
    expect(await page.locator('[data-testid$="-open"]').count()).toBe(0);
    expect(
      await page.getByRole('button', { name: /extend|release|redeliver|freeze order|submit/i }).count(),
    ).toBe(0);
    expect(await axe(page, 'case drill-down (regulator)')).toEqual([]);
    const instructionsCsv = await exportCsv(page, 'csv-instructions');
    const shown = (
      await local.api.request<{ instructions: { frozen: MoneyJson }[] }>('GET', `/cases/${caseId}`, {
        as: regulator,
      })
    ).body;
    expect(sumOf(instructionsCsv.rows, 'CNY')).toBe(
      shown.instructions.reduce((s, i) => s + BigInt(i.frozen.minor), 0n),
    );
    expect(instructionsCsv.rows.every((r) => !r.dispatched_at || /Z$/.test(r.dispatched_at))).toBe(true);

    // Back in the room, the case's frozen against expired, released and restored.
    await page.getByRole('link', { name: 'Regulator room' }).click();
    const buckets = page.getByTestId('case-buckets');
    await buckets.waitFor();
    const caseTotals = (
      await local.api.request<{ frozen: MoneyJson[]; restored: MoneyJson[] }>(
        'GET',
        `/cases/${caseId}/totals`,
        { as: regulator },
      )
    ).body;
    const cells = await buckets.locator('tbody tr').first().locator('td').allTextContents();
    expect(cells.map(plain)).toEqual(
      [
        'CNY',
        formatMoney(caseTotals.frozen.find((m) => m.currency === 'CNY')!, 'en-US'),
        formatMoney({ currency: 'CNY', minor: '0' }, 'en-US'),
        formatMoney({ currency: 'CNY', minor: '0' }, 'en-US'),
        formatMoney({ currency: 'CNY', minor: '10000000' }, 'en-US'),
      ].map(plain),
    );
    const bucketsCsv = await exportCsv(page, 'csv-case-buckets');
    expect(sumOf(bucketsCsv.rows, 'CNY', 'restored')).toBe(10000000n);
    expect(sumOf(bucketsCsv.rows, 'CNY', 'frozen')).toBe(
      BigInt(caseTotals.frozen.find((m) => m.currency === 'CNY')!.minor),
    );
    await page.getByTestId('chart-buckets').locator('svg').first().waitFor();

    // The audit check.
    await page.getByLabel('Audit check of case').fill(caseId);
    await page.getByRole('button', { name: 'Check the audit chain' }).click();
    const check = page.getByTestId('audit-check');
    await check.waitFor();
    expect(plain(await check.textContent())).toContain('the chain is verified');
    const audit = (
      await local.api.request<{ events: unknown[] }>('GET', `/cases/${caseId}/audit`, { as: regulator })
    ).body;
    await page.screenshot({ path: new URL('regulator-room.png', SCREENSHOTS).pathname, fullPage: true });
    const auditCsv = await exportCsv(page, 'csv-audit');
    expect(auditCsv.rows.length).toBeGreaterThanOrEqual(1);
    expect(auditCsv.rows.length).toBeLessThanOrEqual(audit.events.length);
    expect(
      auditCsv.rows.every((r) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(r.at ?? '')),
    ).toBe(true);

    // 390×844: no page-wide horizontal scroll, no serious axe violation.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(await axe(page, 'regulator room at 390×844')).toEqual([]);
    expect(writes).toEqual([]);
    await page.context().close();
  }, 60_000);
});
