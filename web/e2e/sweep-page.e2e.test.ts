// The sweep pages in real chromium against the real app (in-process) on real sweep folders: the list, one sweep's
// trials, best trial, parallel coordinates and importance, and a running sweep followed live until it finishes.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { SweepState } from '../../src/pipeline/sweep/run-sweep.ts';
import type { Service } from '../../src/server/service.ts';
import { makeHome, startService } from '../../src/server/test-support/service-fixture.ts';
import type { SweepFixture } from '../../src/wiring/test-support/sweep-home.ts';
import { writeFinishedSweep, writeRunningSweep } from '../../src/wiring/test-support/sweep-home.ts';
import { chromiumAvailable, DESKTOP, launchChromium, PHONE } from './browser.ts';
import { buildWeb, REPO_ROOT } from './real-server.ts';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts/web-logic');
const OLD = '20261201T100000Z-aaaaaa';
const LIVE = '20261201T110000Z-bbbbbb';
const canRun = chromiumAvailable();
if (!canRun && process.env['CI'] === 'true') {
  throw new Error('chromium is missing at /usr/bin/chromium; CI must install it');
}

describe.skipIf(!canRun)('sweep pages (real chromium, real app)', () => {
  let home: string;
  let dist: string;
  let service: Service;
  let url: string;
  let browser: Browser;
  let page: Page;
  let finished: SweepFixture;
  let live: SweepFixture;
  let running: SweepState;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    home = await makeHome();
    finished = await writeFinishedSweep(home, OLD, 6);
    live = await writeFinishedSweep(home, LIVE, 3, 2);
    running = await writeRunningSweep(home, live, 'alive');
    // Its own build: other e2e files may be rebuilding web/dist in parallel.
    dist = mkdtempSync(join(tmpdir(), 'arginator-web-dist-'));
    buildWeb(dist);
    service = await startService(home, {}, [], dist);
    url = await service.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: DESKTOP });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
  }, 180_000);
  afterAll(async () => {
    await browser.close();
    await service.app.close();
    rmSync(dist, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  const text = (selector: string): Promise<string | null> =>
    page.locator(selector).first().textContent();

  it('lists the sweeps, newest first, with status, trials and best value', async () => {
    await page.goto(`${url}/#/sweeps`);
    const rows = page.locator('table.sweeps tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).locator('th').textContent()).toBe(LIVE);
    expect(await rows.nth(0).locator('.badge').textContent()).toBe('running');
    expect(await rows.nth(0).locator('td').nth(4).textContent()).toBe('4 / 5');
    expect(await rows.nth(1).locator('.badge').textContent()).toBe('finished');
    expect(await page.locator('nav a[aria-current=page]').textContent()).toBe('Sweeps');
  });

  it('shows a finished sweep: trials, the best trial, parallel coordinates and importance', async () => {
    await page.goto(`${url}/#/sweeps/${OLD}`);
    await page.locator('table.trials tbody tr').first().waitFor();
    expect(await page.locator('table.trials tbody tr').count()).toBe(6);
    expect(await text('[data-testid=sweep-status]')).toBe('finished');
    const values = finished.state.trials.map((t) => Math.min(...t.history));
    const bestIndex = values.indexOf(Math.min(...values));
    expect(await text('[data-testid=sweep-best-value]')).toBe(
      `val_loss ${Number((values[bestIndex] as number).toPrecision(4))}`,
    );
    expect(await page.locator('table.trials tr.best').getAttribute('data-trial')).toBe(
      String(bestIndex),
    );
    // One line per trial, the best one bold and drawn last (on top).
    const lines = page.locator('svg.parallel path');
    expect(await lines.count()).toBe(6);
    expect(await page.locator('svg.parallel path.best').getAttribute('data-trial')).toBe(
      String(bestIndex),
    );
    expect(await lines.last().getAttribute('data-trial')).toBe(String(bestIndex));
    expect(await page.locator('svg.parallel .axis-name').allTextContents()).toEqual([
      'experiment.batch_size',
      'experiment.dropout_rate',
      'experiment.lr',
      'val_loss',
    ]);
    expect(await page.locator('table.importance tbody tr').count()).toBe(3);
    await page.screenshot({ path: join(ARTIFACTS, 'sweep-finished.png'), fullPage: true });
    // On a phone the plot and the tables scroll inside their cards; the page itself does not.
    await page.setViewportSize(PHONE);
    const wider = await page.evaluate(() =>
      document.documentElement.scrollWidth > window.innerWidth
        ? Array.from(document.querySelectorAll('body *'))
            .filter((el) => {
              // Inside a scrolling box (the plot, the tables) an element may be wider: it scrolls.
              for (
                let p = el.parentElement;
                p !== null && p !== document.body;
                p = p.parentElement
              ) {
                if (getComputedStyle(p).overflowX !== 'visible') {
                  return false;
                }
              }
              return el.getBoundingClientRect().right > window.innerWidth + 1;
            })
            .slice(0, 5)
            .map((el) => `${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''}`)
        : [],
    );
    expect(wider).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'sweep-phone.png'), fullPage: true });
    await page.setViewportSize(DESKTOP);
  });

  it('follows a running sweep live until it finishes', async () => {
    await page.goto(`${url}/#/sweeps/${LIVE}`);
    await expect.poll(() => text('[data-testid=sweep-status]'), { timeout: 15_000 }).toBe('live');
    expect(await text('[data-testid=sweep-trials]')).toBe('4 of 5 (1 running, 3 finished)');
    expect(await page.locator('svg.parallel path').count()).toBe(3);
    // Too few ended trials to rank the parameters.
    expect(await page.locator('table.importance').count()).toBe(0);

    // The running trial ends with the best value yet (as the CLI would save it).
    const trial = running.trials[3];
    if (trial === undefined) {
      throw new Error('the running sweep has no fourth trial');
    }
    const better: SweepState = {
      ...running,
      updatedAt: new Date().toISOString(),
      trials: running.trials.map((t) =>
        t.index === 3
          ? { ...t, state: 'finished', history: [0.02, 0.01], runId: 'trial-run-3' }
          : t,
      ),
    };
    await live.store.save(better);
    await expect
      .poll(() => text('[data-testid=sweep-trials]'), { timeout: 15_000 })
      .toBe('4 of 5 (4 finished)');
    expect(await text('[data-testid=sweep-best-value]')).toBe('val_loss 0.01');
    expect(await page.locator('svg.parallel path').count()).toBe(4);
    expect(await page.locator('table.importance tbody tr').count()).toBe(3);
    expect(await text('[data-testid=sweep-status]')).toBe('live');

    await live.store.save({
      ...better,
      status: 'finished',
      endReason: 'a trial reached the target',
    });
    await expect
      .poll(() => text('[data-testid=sweep-status]'), { timeout: 15_000 })
      .toBe('finished');
    expect(await page.locator('table.trials tr.best').getAttribute('data-trial')).toBe('3');
    await page.screenshot({ path: join(ARTIFACTS, 'sweep-live.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('links the sweep run to its sweep, and draws its best-so-far curve', async () => {
    await page.goto(`${url}/#/runs/${OLD}`);
    const link = page.locator(`.facts a[href="#/sweeps/${OLD}"]`);
    await link.waitFor();
    expect(await page.locator('.facts dd').first().textContent()).toBe('sweep');
    // One point per ended trial: the best val_loss so far.
    await expect
      .poll(
        () => page.locator('svg.curves path[data-key="val_loss"]').getAttribute('data-points'),
        {
          timeout: 15_000,
        },
      )
      .toBe('6');
    await link.click();
    await page.locator('table.trials').waitFor();
    expect(page.url()).toBe(`${url}/#/sweeps/${OLD}`);
  });

  it('says so for an unknown sweep', async () => {
    await page.goto(`${url}/#/sweeps/20261201T000000Z-ffffff`);
    await page.locator('.problem').waitFor();
    expect(await text('.problem')).toContain("no sweep '20261201T000000Z-ffffff'");
  });
});
