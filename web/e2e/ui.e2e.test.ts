// End to end in Debian's chromium against a real `arginator serve` with a freshly trained model:
// upload → progress to 100% → every protein in the table → evidence → map → CSV equal to `arginator predict`.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { chromiumAvailable, DESKTOP, launchChromium } from './browser.ts';
import {
  arginator,
  buildWeb,
  REPO_ROOT,
  startServer,
  trainQuickModel,
  writeQueryFasta,
} from './real-server.ts';
import type { RunningServer } from './real-server.ts';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts/web-e2e');
const canRun = chromiumAvailable();
if (!canRun && process.env['CI'] === 'true') {
  throw new Error(
    'chromium is missing at /usr/bin/chromium; CI must install it (.ci/run APT_PACKAGES)',
  );
}

describe.skipIf(!canRun)('web UI end to end (chromium + arginator serve)', () => {
  let home: string;
  let work: string;
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let queryIds: string[];
  const fastaPath = (): string => join(work, 'isolates.faa');
  const pageErrors: string[] = [];
  const serverUrl = (): string => {
    if (server === undefined) {
      throw new Error('the server did not start');
    }
    return server.url;
  };
  const shot = (name: string): Promise<Buffer> =>
    page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    home = mkdtempSync(join(tmpdir(), 'arginator-web-e2e-'));
    work = mkdtempSync(join(tmpdir(), 'arginator-web-e2e-in-'));
    queryIds = writeQueryFasta(fastaPath(), 6);
    writeFileSync(join(work, 'notes.txt'), 'these are my lab notes, not sequences\n');
    buildWeb();
    await trainQuickModel(home);
    server = await startServer(home);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: DESKTOP, acceptDownloads: true });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('classifies an uploaded FASTA and shows progress, table, evidence, map and the CSV', async () => {
    await page.goto(`${serverUrl()}/`);
    await page.locator('h1', { hasText: 'Classify proteins' }).waitFor();
    await shot('1-classify');

    await page.setInputFiles('#fasta-files', fastaPath());
    expect(await page.locator('.file-list li').textContent()).toContain('isolates.faa');

    // Record every progress value the page shows, from the first paint of the job view.
    await page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { __progress: number[] }).__progress = seen;
      new MutationObserver(() => {
        const bar = document.querySelector<HTMLProgressElement>('#job-progress');
        if (bar !== null && seen.at(-1) !== bar.value) {
          seen.push(bar.value);
        }
      }).observe(document.body, {
        subtree: true,
        childList: true,
        attributes: true,
        characterData: true,
      });
    });
    await page.click('button[type=submit]');
    await page.locator('[data-testid=progress]').waitFor();
    await shot('2-progress');
    await expect
      .poll(() => page.locator('#job-progress-text').textContent(), { timeout: 60_000 })
      .toMatch(/^Done 100%/);
    const seen = await page.evaluate(
      () => (window as unknown as { __progress: number[] }).__progress,
    );
    expect(seen.at(-1)).toBe(100);
    expect(await page.locator('[data-testid=job-status]').textContent()).toBe('completed');

    // Every protein is in the table (virtualised: scroll through and collect the ids).
    const grid = page.locator('[data-testid=results-grid]');
    await expect
      .poll(() => page.locator('.table-status').textContent(), { timeout: 20_000 })
      .toBe(`${queryIds.length} proteins`);
    expect(await grid.getAttribute('aria-rowcount')).toBe(String(queryIds.length + 1));
    const shown = new Set<string>();
    for (let y = 0; ; y += 200) {
      await grid.evaluate((el, top) => (el.scrollTop = top), y);
      await page.waitForTimeout(30);
      for (const id of await page
        .locator('.grid-body [role=row]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-protein-id') ?? ''))) {
        shown.add(id);
      }
      const atEnd = await grid.evaluate(
        (el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 1,
      );
      if (atEnd) {
        break;
      }
    }
    expect([...shown].sort()).toEqual([...queryIds].sort());
    await grid.evaluate((el) => (el.scrollTop = 0));

    // The summary counts add up to every protein.
    const counts = await page.locator('[data-testid=summary] .chip-count').allTextContents();
    expect(counts.reduce((a, c) => a + Number(c.replace(/,/g, '')), 0)).toBe(queryIds.length);

    // Expand a row to its evidence.
    await page.locator('.grid-body [role=row][aria-rowindex="2"]').click();
    const evidence = page.locator('[data-testid=evidence]');
    await evidence.waitFor();
    expect(await evidence.textContent()).toMatch(
      /Class probabilities.*(Nearest reference|No reference).*Novelty/s,
    );
    expect(await evidence.locator('.prob-seg').count()).toBe(5);
    await shot('3-results-expanded');

    // The map: reference clouds and the queries; a query's tooltip, then selecting its row.
    await page.click('#tab-map');
    const canvas = page.locator('[data-testid=map-canvas]');
    await canvas.waitFor({ timeout: 30_000 });
    expect(await page.locator('.legend-query').textContent()).toBe(`queries (${queryIds.length})`);
    expect(await canvas.getAttribute('aria-label')).toMatch(/UMAP of \d+ reference proteins/);
    const nonWhite = await canvas.evaluate((el) => {
      const c = el as HTMLCanvasElement;
      const data =
        c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        n += data[i] !== 255 || data[i + 1] !== 255 || data[i + 2] !== 255 ? 1 : 0;
      }
      return n;
    });
    expect(nonWhite).toBeGreaterThan(1000);
    await canvas.focus();
    await page.keyboard.press('ArrowRight');
    const tooltip = page.locator('.map-tooltip');
    await expect.poll(() => tooltip.isVisible()).toBe(true);
    const tip = (await tooltip.textContent()) ?? '';
    const tipId = queryIds.find((id) => tip.startsWith(id));
    expect(tipId, tip).toBeDefined();
    await shot('4-map');
    // Hover and click that point with the mouse (the tooltip carries its canvas position).
    const stage = await canvas.boundingBox();
    const px = Number(await tooltip.getAttribute('data-x'));
    const py = Number(await tooltip.getAttribute('data-y'));
    if (stage === null) {
      throw new Error('map not laid out');
    }
    await canvas.blur();
    await page.mouse.move(stage.x + px, stage.y + py);
    await expect.poll(() => tooltip.isVisible()).toBe(true);
    const hovered = (await tooltip.textContent()) ?? '';
    // Usually the same query; another one exactly on top of it would be as good.
    const hoveredId = queryIds.find((id) => hovered.startsWith(id));
    expect(hoveredId, hovered).toBeDefined();
    expect(hovered).toMatch(/(A|B|C|D|NBL)( · (known|distant|novel))?$/);
    await page.mouse.down();
    await page.mouse.up();
    await expect.poll(() => page.locator('#panel-table').isVisible()).toBe(true);
    const selected = page.locator('.grid-body [role=row][aria-expanded=true]');
    expect(await selected.getAttribute('data-protein-id')).toBe(hoveredId);

    // The CSV download is the table `arginator predict` writes for the same file and model.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('a[data-format=csv]'),
    ]);
    const csvPath = join(work, 'ui.csv');
    await download.saveAs(csvPath);
    const fromUi = readFileSync(csvPath, 'utf8');
    const [csvHeader = '', firstRow = ''] = fromUi.split('\n');
    const version = firstRow.split(',')[csvHeader.split(',').indexOf('model_version')] ?? '';
    const cli = await arginator(home, [
      'predict',
      fastaPath(),
      '--model',
      version,
      '--format',
      'csv',
      '--quiet',
    ]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(fromUi).toBe(cli.stdout);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('shows the server’s reason when a file is rejected', async () => {
    await page.goto(`${serverUrl()}/#/`);
    await page.locator('h1', { hasText: 'Classify proteins' }).waitFor();
    await page.setInputFiles('#fasta-files', join(work, 'notes.txt'));
    await page.click('button[type=submit]');
    const error = page.locator('[data-testid=input-error]');
    await expect.poll(() => error.isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await error.textContent()).toMatch(/notes\.txt/);
    expect(await error.textContent()).toMatch(/FASTA/);
    expect(await page.locator('#fasta-files').getAttribute('aria-invalid')).toBe('true');
    await shot('5-rejected');
  }, 30_000);

  it('lists models and runs with their plots', async () => {
    await page.goto(`${serverUrl()}/#/models`);
    await page.locator('table.data tbody tr').first().waitFor();
    expect(await page.locator('table.data tbody tr').count()).toBe(1);
    await page.goto(`${serverUrl()}/#/runs`);
    const runLink = page.locator('table.data tbody th a').first();
    await runLink.waitFor();
    await runLink.click();
    const img = page.locator('.plot img').first();
    await img.waitFor();
    await expect
      .poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth))
      .toBeGreaterThan(0);
    await shot('6-run');
  }, 30_000);
});
