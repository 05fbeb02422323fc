// The run page's per-step curves in a real browser against the fake API: a run that trains while
// the page is open grows its curves epoch by epoch (polling), then shows its final state.
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

describe.skipIf(!canRun)('run curves (real chromium, fake API)', () => {
  let api: FakeApi;
  let browser: Browser;
  let page: Page;
  let dist: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // Its own build: other e2e files may be rebuilding web/dist in parallel.
    dist = mkdtempSync(join(tmpdir(), 'arginator-web-dist-'));
    buildWeb(dist);
    api = await startFakeApi({ distDir: dist });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: DESKTOP });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
  }, 120_000);
  afterAll(async () => {
    await browser.close();
    await api.close();
    rmSync(dist, { recursive: true, force: true });
  });

  const points = (key: string): Promise<string | null> =>
    page.locator(`svg.curves path[data-key="${key}"]`).getAttribute('data-points');

  it('lists runs with their kind and the new status words', async () => {
    await page.goto(`${api.url}/#/runs`);
    const row = page.locator('table.data tbody tr').first();
    await row.waitFor();
    expect(await row.locator('td').nth(1).textContent()).toBe('train');
    expect(await row.locator('.badge').textContent()).toBe('finished');
  });

  it('draws the loss and validation curves of a finished run', async () => {
    await page.goto(`${api.url}/#/runs/run-a`);
    await expect.poll(() => page.locator('svg.curves').count(), { timeout: 15_000 }).toBe(2);
    expect(await page.locator('.curve-panel figcaption').allTextContents()).toEqual([
      'Loss',
      'Validation scores',
    ]);
    expect(await points('train_loss')).toBe('3');
    expect(await points('val_f1')).toBe('3');
    expect(await page.locator('[data-testid=curves-status]').textContent()).toBe('finished');
    // seconds is neither a loss nor a validation score.
    expect(await page.locator('svg.curves path[data-key="seconds"]').count()).toBe(0);
  });

  it('follows a run live, one epoch per poll, until it finishes', async () => {
    const id = api.addLiveRun(4);
    await page.goto(`${api.url}/#/runs/${id}`);
    await expect.poll(() => points('val_f1'), { timeout: 15_000 }).toBe('1');
    expect(await page.locator('[data-testid=curves-status]').textContent()).toBe('live');
    await expect.poll(() => points('val_f1'), { timeout: 30_000 }).toBe('2');
    await expect.poll(() => points('val_f1'), { timeout: 30_000 }).toBe('4');
    await expect
      .poll(() => page.locator('[data-testid=curves-status]').textContent(), { timeout: 30_000 })
      .toBe('finished');
    // The run page reloaded the run once it ended: its status badge says finished too.
    await expect
      .poll(() => page.locator('.facts .badge').first().textContent(), { timeout: 30_000 })
      .toBe('finished');
    await page.screenshot({ path: join(ARTIFACTS, 'run-curves-live.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
