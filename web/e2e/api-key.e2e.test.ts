// The UI with API keys, in real chromium against the real app (in-process): one prompt on the first
// 401, the key kept in sessionStorage, then lists, the job page and its event stream work with it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { JobJson } from '../../src/server/job-json.ts';
import type { Service } from '../../src/server/service.ts';
import {
  makeHome,
  randomFasta,
  registerTinyModel,
  startService,
} from '../../src/server/test-support/service-fixture.ts';
import { chromiumAvailable, DESKTOP, launchChromium } from './browser.ts';
import { buildWeb } from './real-server.ts';

const KEY = 'e2e-key-00000001';
const OTHER = 'e2e-key-00000002';
const canRun = chromiumAvailable();
if (!canRun && process.env['CI'] === 'true') {
  throw new Error('chromium is missing at /usr/bin/chromium; CI must install it');
}

describe.skipIf(!canRun)('web UI with API keys (real chromium)', () => {
  let home: string;
  let dist: string;
  let service: Service;
  let url: string;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  const submitAs = async (key: string): Promise<JobJson> => {
    const res = await service.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: { 'x-api-key': key },
      payload: { fasta: randomFasta(3, 5) },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<JobJson>();
  };
  const prompts = (): Promise<number> =>
    page.evaluate(() => (window as unknown as { __prompts: number }).__prompts);

  beforeAll(async () => {
    home = await makeHome();
    await registerTinyModel(home);
    dist = mkdtempSync(join(tmpdir(), 'arginator-web-dist-'));
    buildWeb(dist);
    service = await startService(home, {}, [KEY, OTHER], dist);
    url = await service.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: DESKTOP });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    // Counts the modal dialogs the page opens (the key prompt is one).
    await page.addInitScript(() => {
      const w = window as unknown as { __prompts: number };
      w.__prompts = 0;
      const proto = HTMLDialogElement.prototype;
      const show = Object.getOwnPropertyDescriptor(proto, 'showModal')?.value as (
        this: HTMLDialogElement,
      ) => void;
      proto.showModal = function (this: HTMLDialogElement) {
        w.__prompts += 1;
        show.call(this);
      };
    });
  });
  afterAll(async () => {
    await browser.close();
    await service.app.close();
    rmSync(dist, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  it('prompts once on the first 401, stores the key in sessionStorage and retries', async () => {
    const mine = await submitAs(KEY);
    const theirs = await submitAs(OTHER);
    await page.goto(`${url}/`);
    const dialog = page.locator('dialog.api-key-prompt');
    await dialog.waitFor({ state: 'visible' });
    expect(await dialog.textContent()).toContain('needs an API key');
    await page.fill('#api-key-prompt-input', KEY);
    await page.click('dialog.api-key-prompt button[type=submit]');
    await dialog.waitFor({ state: 'detached' });
    // The retried list shows this key's job only.
    const recent = page.locator('.recent-jobs li a');
    await expect.poll(() => recent.count(), { timeout: 20_000 }).toBe(1);
    expect(await recent.getAttribute('href')).toContain(mine.id);
    expect(await page.content()).not.toContain(theirs.id);
    expect(await page.evaluate(() => sessionStorage.getItem('arginator.api-key'))).toBe(KEY);
    expect(await page.evaluate(() => localStorage.getItem('arginator.api-key'))).toBeNull();
    expect(await prompts()).toBe(1);

    // The job page (status, results, then the events stream with ?api_key=): no prompt again.
    await page.goto(`${url}/#/jobs/${mine.id}`);
    await expect
      .poll(() => page.locator('[data-testid=job-status]').textContent(), { timeout: 60_000 })
      .toBe('completed');
    await expect
      .poll(() => page.locator('.table-status').textContent(), { timeout: 20_000 })
      .toBe('3 proteins');
    expect(await prompts()).toBe(1); // still the one prompt (a hash change keeps the document)
    // A download link cannot send the header: the page fetches the file with the key instead.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('.downloads a[data-format=tsv]'),
    ]);
    const saved = await download.path();
    expect(readFileSync(saved, 'utf8').split('\n')[0]).toContain('\t');
    expect(download.suggestedFilename()).toMatch(/\.tsv$/);

    // A reload is a new document: the tab's sessionStorage still has the key, nothing asks.
    await page.goto(`${url}/`);
    await page.reload();
    await expect.poll(() => recent.count(), { timeout: 20_000 }).toBe(1);
    expect(await prompts()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
