// The UI's behaviour in a real browser against the fake API: 100,000-row virtual table, keyboard,
// map → table selection, progress over SSE with cancel, an expired job, and a rejected input. (ui.e2e.test.ts runs the real server.)
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { chromiumAvailable, DESKTOP, launchChromium } from './browser.ts';
import { startFakeApi } from './fake-api.ts';
import type { FakeApi } from './fake-api.ts';
import { buildWeb, REPO_ROOT } from './real-server.ts';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts/web-logic');
const canRun = chromiumAvailable();
if (!canRun && process.env['CI'] === 'true') {
  throw new Error(
    'chromium is missing at /usr/bin/chromium; CI must install it (.ci/run APT_PACKAGES)',
  );
}

describe.skipIf(!canRun)('web UI against the fake API (real chromium)', () => {
  let api: FakeApi;
  let browser: Browser;
  let page: Page;
  let bigJob: string;
  let dist: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // Its own build: ui.e2e.test.ts may be rebuilding web/dist in parallel.
    dist = mkdtempSync(join(tmpdir(), 'arginator-web-dist-'));
    buildWeb(dist);
    api = await startFakeApi({
      distDir: dist,
      proteinsPerTick: 1,
      tickMs: 100,
    });
    bigJob = api.addCompletedJob(100_000, 'big.faa');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: DESKTOP });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
  });
  afterAll(async () => {
    await browser.close();
    await api.close();
    rmSync(dist, { recursive: true, force: true });
  });

  const grid = (): ReturnType<Page['locator']> => page.locator('[data-testid=results-grid]');
  const renderedRows = (): Promise<number> => page.locator('.grid-body [role=row]').count();

  it('keeps 100,000 rows smooth: only visible rows are in the DOM, sort, filter, search', async () => {
    await page.goto(`${api.url}/#/jobs/${bigJob}`);
    await expect
      .poll(() => page.locator('.table-status').textContent(), { timeout: 20_000 })
      .toBe('100,000 proteins');
    expect(await grid().getAttribute('aria-rowcount')).toBe('100001');
    expect(await renderedRows()).toBeLessThan(60);

    await grid().evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(() => page.locator('[data-protein-id="prot_099999"]').count()).toBe(1);
    expect(await renderedRows()).toBeLessThan(60);

    await page.click('button.sort[data-sort=confidence_score]');
    await page.click('button.sort[data-sort=confidence_score]');
    await page.click('button.sort[data-sort=confidence_score]');
    const sortHeader = page.locator('[role=columnheader]:has(button[data-sort=confidence_score])');
    expect(await sortHeader.getAttribute('aria-sort')).toBe('descending');
    const firstConf = await page
      .locator('.grid-body [role=row][aria-rowindex="2"] .c-conf')
      .textContent();
    // The highest of 100,000 random confidences: 99.9% (short of 1, never shown as 100.0%).
    expect(Number.parseFloat(firstConf ?? '0')).toBeGreaterThanOrEqual(99.9);

    await page.click('.filters button[data-label=A]');
    await expect
      .poll(() => page.locator('.table-status').textContent())
      .toMatch(/^Showing [\d,]+ of 100,000 proteins$/);
    const calls = await page.locator('.grid-body .c-label').allTextContents();
    expect(new Set(calls)).toEqual(new Set(['A']));

    await page.click('text=Clear filters');
    await page.fill('input[type=search]', 'prot_01234');
    await expect
      .poll(() => page.locator('.table-status').textContent())
      .toBe('Showing 10 of 100,000 proteins');
    await page.fill('input[type=search]', '');
    await expect.poll(() => page.locator('.table-status').textContent()).toBe('100,000 proteins');
  });

  it('moves with the keyboard and expands a row to its evidence', async () => {
    await grid().focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const expanded = page.locator('.grid-body [role=row][aria-expanded=true]');
    await expect.poll(() => expanded.count()).toBe(1);
    expect(await expanded.getAttribute('aria-rowindex')).toBe('4');
    expect(await page.locator('[data-testid=evidence]').textContent()).toMatch(
      /Class probabilities.*Nearest reference.*Identity.*Coverage.*Bit score.*E-value.*Method.*Novelty/s,
    );
    const active = await grid().getAttribute('aria-activedescendant');
    expect(await page.locator(`#${active ?? 'none'}`).getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('Escape');
    await expect.poll(() => expanded.count()).toBe(0);
  });

  it('says the map is being computed while the server answers 503, then shows it', async () => {
    api.holdMap(bigJob, 2);
    await page.goto(`${api.url}/#/jobs/${bigJob}/map`);
    const pending = page.locator('#panel-map [data-testid=map-pending]');
    await pending.waitFor();
    expect(await pending.textContent()).toMatch(/map is being computed .*trying again in 1 s/);
    expect(await page.locator('#panel-map [role=alert]').count()).toBe(0);
    await page.locator('[data-testid=map-canvas]').waitFor();
    expect(await pending.count()).toBe(0);
  });

  it('selects the table row of a query chosen on the map', async () => {
    await page.click('#tab-map');
    const canvas = page.locator('[data-testid=map-canvas]');
    await canvas.waitFor();
    await canvas.focus();
    await page.keyboard.press('ArrowRight');
    const tooltip = page.locator('.map-tooltip');
    await expect.poll(() => tooltip.textContent()).toMatch(/^prot_000000/);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#panel-table').isVisible()).toBe(true);
    const expanded = page.locator('.grid-body [role=row][aria-expanded=true]');
    expect(await expanded.getAttribute('data-protein-id')).toBe('prot_000000');
    expect(page.url()).toMatch(/#\/jobs\/[^/]+$/);
  });

  it('follows progress over SSE and cancels', async () => {
    await page.goto(`${api.url}/#/`);
    const fasta = Array.from({ length: 60 }, (_, i) => `>q${i}\nMKT${'A'.repeat(i)}`).join('\n');
    await page.fill('#fasta-paste', fasta);
    await page.click('button[type=submit]');
    const text = page.locator('#job-progress-text');
    await expect.poll(() => text.textContent(), { timeout: 10_000 }).toMatch(/of 60 proteins/);
    const first = await page
      .locator('#job-progress')
      .evaluate((el) => (el as HTMLProgressElement).value);
    await expect
      .poll(() => page.locator('#job-progress').evaluate((el) => (el as HTMLProgressElement).value))
      .toBeGreaterThan(first);
    await page.screenshot({ path: join(ARTIFACTS, 'progress.png') });
    await page.click('button:has-text("Cancel")');
    await expect
      .poll(() => page.locator('[data-testid=job-status]').textContent())
      .toBe('cancelled');
  });

  it('shows an expired job as expired, in the job view and in the recent jobs', async () => {
    const expired = api.addExpiredJob(5, 'old.faa');
    await page.goto(`${api.url}/#/jobs/${expired}`);
    const badge = page.locator('[data-testid=job-status]');
    await expect.poll(() => badge.textContent()).toBe('expired');
    expect(await badge.getAttribute('class')).toContain('status-expired');
    expect(await badge.getAttribute('title')).toMatch(/results deleted/);
    const notice = page.locator('.problem[role=alert]');
    await expect.poll(() => notice.textContent()).toMatch(/^Expired\. .*results were deleted/);
    expect(await page.locator('[data-testid=progress]').isVisible()).toBe(false);
    expect(await page.locator('[data-testid=results-grid]').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'expired-job.png') });

    await page.goto(`${api.url}/#/`);
    const item = page.locator('.recent-jobs li', { hasText: 'old.faa' });
    await expect.poll(() => item.locator('.badge').textContent()).toBe('expired');
    await page.screenshot({ path: join(ARTIFACTS, 'expired-list.png') });
    expect(pageErrors).toEqual([]);
  });

  it('shows why an input was rejected, next to the input', async () => {
    await page.goto(`${api.url}/#/`);
    await page.click('button[type=submit]');
    const error = page.locator('[data-testid=input-error]');
    await expect.poll(() => error.textContent()).toMatch(/Nothing to classify/);
    await page.fill('#fasta-paste', 'hello, not FASTA');
    expect(await error.isVisible()).toBe(false);
    await page.click('button[type=submit]');
    await expect.poll(() => error.textContent()).toMatch(/does not start with a FASTA header/);
    expect(await page.locator('#fasta-paste').getAttribute('aria-invalid')).toBe('true');
    expect(await error.getAttribute('aria-live')).toBe('assertive');
    await page.screenshot({ path: join(ARTIFACTS, 'rejected.png') });
    expect(pageErrors).toEqual([]);
  });
});
