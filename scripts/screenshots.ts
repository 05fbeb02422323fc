// Regenerates docs/screenshots/*.png: every view of the web UI at desktop (1280×800) and phone (390×844)
// widths, against a real `arginator serve` with two quick models. Run: npm run screenshots
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Page } from 'playwright-core';

import { chromiumAvailable, DESKTOP, launchChromium, PHONE } from '../web/e2e/browser.ts';
import {
  buildWeb,
  REPO_ROOT,
  startServer,
  trainQuickModel,
  writeQueryFasta,
} from '../web/e2e/real-server.ts';

const OUT = join(REPO_ROOT, 'docs/screenshots');
const log = (line: string): void => {
  process.stderr.write(`screenshots: ${line}\n`);
};

async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function progressValue(page: Page): Promise<number> {
  return Number((await page.locator('#job-progress').getAttribute('value')) ?? '0');
}

async function main(): Promise<void> {
  if (!chromiumAvailable()) {
    throw new Error('chromium is missing at /usr/bin/chromium (apt-get install chromium)');
  }
  mkdirSync(OUT, { recursive: true });
  const home = mkdtempSync(join(tmpdir(), 'arginator-shots-'));
  const fasta = join(home, 'isolates.faa');
  writeQueryFasta(fasta, 12);
  log('building the UI');
  buildWeb();
  log('training two quick models');
  await trainQuickModel(home, ['model=logreg']);
  await trainQuickModel(home);
  const server = await startServer(home);
  const browser = await launchChromium();
  try {
    let jobHash = '';
    for (const [name, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      log(`${name}: ${viewport.width}×${viewport.height}`);
      const page = await browser.newPage({ viewport });
      const shot = async (view: string, fullPage = false): Promise<void> => {
        await page.waitForTimeout(250);
        await page.screenshot({ path: join(OUT, `${view}-${name}.png`), fullPage });
      };

      // Classify, with a file chosen.
      await page.goto(`${server.url}/#/`);
      await page.locator('h1', { hasText: 'Classify proteins' }).waitFor();
      await page.setInputFiles('#fasta-files', fasta);
      await shot('classify');

      // Progress: the whole shipped data set (4,514 proteins, gzip) takes long enough to watch; then cancel.
      await page.setInputFiles('#fasta-files', join(REPO_ROOT, 'data/default/default.fasta.gz'));
      await page.click('.file-list li:first-child button');
      await page.click('button[type=submit]');
      await waitFor(async () => (await progressValue(page)) >= 20, 'progress ≥ 20%');
      await shot('progress');
      await page.click('button:has-text("Cancel")');
      await waitFor(
        async () => (await page.locator('[data-testid=job-status]').textContent()) === 'cancelled',
        'the cancel',
      );

      // Results of the isolates file, with an expanded row.
      if (jobHash === '') {
        await page.goto(`${server.url}/#/`);
        await page.setInputFiles('#fasta-files', fasta);
        await page.click('button[type=submit]');
        await page.locator('[data-testid=results-grid]').waitFor({ timeout: 60_000 });
        jobHash = new URL(page.url()).hash;
      } else {
        await page.goto(`${server.url}/${jobHash}`);
        await page.locator('[data-testid=results-grid]').waitFor({ timeout: 60_000 });
      }
      await page.locator('.grid-body [role=row][aria-rowindex="3"]').click();
      await page.locator('[data-testid=evidence]').waitFor();
      await page.locator('[data-testid=results-grid]').scrollIntoViewIfNeeded();
      await shot('results');

      // The map, with a query's tooltip.
      await page.click('#tab-map');
      const canvas = page.locator('[data-testid=map-canvas]');
      try {
        await canvas.waitFor({ timeout: 60_000 });
        await canvas.scrollIntoViewIfNeeded();
        await canvas.focus();
        await page.keyboard.press('ArrowRight');
        await shot('map');
      } catch (e) {
        const why = await page.locator('#panel-map').textContent();
        log(`no map screenshot: ${why ?? String(e)}`);
        process.exitCode = 1;
      }

      // Models, runs, and two runs compared.
      await page.goto(`${server.url}/#/models`);
      await page.locator('table.data tbody tr').first().waitFor();
      await shot('models');
      await page.goto(`${server.url}/#/runs`);
      await page.locator('table.data tbody tr').first().waitFor();
      await shot('runs');
      const boxes = page.locator('table.data tbody input[type=checkbox]');
      await boxes.nth(0).check();
      await boxes.nth(1).check();
      await page.click('button:has-text("Compare")');
      await page.locator('.plot img').first().waitFor();
      await waitFor(
        async () =>
          await page
            .locator('.plot img')
            .evaluateAll((imgs) =>
              imgs.slice(0, 2).every((i) => (i as unknown as { complete: boolean }).complete),
            ),
        'the plots',
      );
      await shot('compare');
      await page.close();
    }
  } finally {
    await browser.close();
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  }
  log(`written to ${OUT}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`screenshots: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
