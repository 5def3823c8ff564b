import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

/** Debian's Chromium (never a downloaded browser; .ci/run installs it with apt-get when missing). */
export const CHROMIUM = process.env.FREEZEFLOW_CHROMIUM ?? '/usr/bin/chromium';
/** Flags for a closed network as root (STACK-NOTES "Added 2026-12-01"); Playwright adds a fresh --user-data-dir. */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--lang=en-US',
];
export const SCREENSHOTS = new URL('./output/', import.meta.url);
const CONSOLE_DIST = new URL('../../console/dist/index.html', import.meta.url);

/**
 * One headless Chromium per test file, closed in afterAll (Playwright kills its process group).
 * Builds the console first when console/dist is missing (`npm test` builds it anyway).
 */
export function useBrowser() {
  const state: { browser?: Browser } = {};
  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium (.ci/run does)`);
    if (!existsSync(CONSOLE_DIST))
      execFileSync('npx', ['vite', 'build', '--config', 'console/vite.config.ts'], {
        cwd: new URL('../../', import.meta.url),
        stdio: 'inherit',
      });
    mkdirSync(SCREENSHOTS, { recursive: true });
    state.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  });
  afterAll(async () => {
    await state.browser?.close();
  });
  return {
    async page(viewport = { width: 1280, height: 800 }): Promise<Page> {
      if (!state.browser) throw new Error('browser not started');
      const context = await state.browser.newContext({
        viewport,
        locale: 'en-US',
        timezoneId: 'Asia/Shanghai',
      });
      return context.newPage();
    },
  };
}

export interface AxeSummary {
  page: string;
  violations: { id: string; impact: string | null | undefined; nodes: number }[];
}
export const axeResults: AxeSummary[] = [];

/** Runs axe-core on the page; returns the serious or critical violations (the test expects none). */
export async function axe(page: Page, name: string): Promise<AxeSummary['violations']> {
  const result = await new AxeBuilder({ page }).analyze();
  const violations = result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  axeResults.push({ page: name, violations });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Text as shown, with the no-break spaces Intl puts in amounts made plain. */
export const plain = (text: string | null): string => (text ?? '').replace(/\s+/g, ' ').trim();
