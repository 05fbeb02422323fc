// The drift page in real chromium against the real app (in-process): a check run by POST /v1/drift on the drift worker,
// its decision, feature verdicts and histograms, the history with an older report (recorded without histograms), a check
// started from the page over a window of jobs (progress polled until its report shows), and a phone width.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DriftCheckJson, DriftReportJson } from '../../src/core/drift/drift-contract.ts';
import { computeDriftReport } from '../../src/core/drift/drift-report.ts';
import { createRng } from '../../src/core/rng.ts';
import { configSchema } from '../../src/pipeline/config/schema.ts';
import type { StoredDriftReport } from '../../src/pipeline/drift.ts';
import type { Service } from '../../src/server/service.ts';
import {
  makeHome,
  multipart,
  randomFasta,
  registerTinyModel,
  startService,
  waitForJob,
} from '../../src/server/test-support/service-fixture.ts';
import { FsDriftStore } from '../../src/store/fs-drift-store.ts';
import { chromiumAvailable, DESKTOP, launchChromium, PHONE } from './browser.ts';
import { buildWeb, REPO_ROOT } from './real-server.ts';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts/web-logic');
const canRun = chromiumAvailable();
if (!canRun && process.env['CI'] === 'true') {
  throw new Error('chromium is missing at /usr/bin/chromium; CI must install it');
}

/** An older report as `arginator drift` recorded it before histograms were kept. */
async function writeOldReport(home: string): Promise<StoredDriftReport> {
  const rng = createRng(4);
  const dim = 6;
  const rows = (n: number): Float32Array => Float32Array.from({ length: n * dim }, () => rng());
  const { report } = computeDriftReport({
    reference: { embeddings: rows(60), rows: 60, labels: Array(60).fill('A') as string[] },
    current: { embeddings: rows(40), rows: 40, labels: Array(40).fill('A') as string[] },
    dim,
    pcaComponents: 3,
  });
  return new FsDriftStore(join(home, 'drift')).save(
    {
      ...report,
      model: 'v0',
      reference: { source: "model v0's training proteins", rows: 60 },
      current: { source: 'old.faa', rows: 40, seen: 40 },
    },
    new Date(Date.now() - 86_400_000),
  );
}

describe.skipIf(!canRun)('drift page (real chromium, real app)', () => {
  let home: string;
  let dist: string;
  let service: Service;
  let url: string;
  let browser: Browser;
  let page: Page;
  let latest: DriftReportJson;
  let old: StoredDriftReport;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    home = await makeHome();
    await registerTinyModel(home);
    old = await writeOldReport(home);
    dist = mkdtempSync(join(tmpdir(), 'arginator-web-dist-'));
    buildWeb(dist);
    service = await startService(home, {}, [], dist, {
      monitoring: { ...configSchema.shape.monitoring.parse({}), min_proteins: 12 },
    });
    // A real check: the upload predicted and compared on the drift worker.
    const posted = await service.app.inject({
      method: 'POST',
      url: '/v1/drift',
      ...multipart([{ name: 'file', filename: 'week.faa', data: randomFasta(24, 3) }]),
    });
    const check = await service.driftChecks.settled(posted.json<DriftCheckJson>().id);
    expect(check?.status).toBe('completed');
    latest = (await service.app.inject('/v1/drift/latest')).json<DriftReportJson>();
    // A completed job for the page's own check of the last 24 hours.
    const job = await service.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      payload: { task: 'multiclass', fasta: randomFasta(18, 9) },
    });
    expect((await waitForJob(service.app, job.json<{ id: string }>().id)).status).toBe('completed');
    url = await service.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: DESKTOP });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
  }, 240_000);
  afterAll(async () => {
    await browser.close();
    await service.app.close();
    rmSync(dist, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  const text = (selector: string): Promise<string | null> =>
    page.locator(selector).first().textContent();

  it('shows the latest report: decision, share, each feature’s test and verdict, histograms', async () => {
    await page.goto(`${url}/#/drift`);
    await page.locator('table.drift-features tbody tr').first().waitFor();
    expect(await page.locator('nav a[aria-current=page]').textContent()).toBe('Drift');
    expect(await text('[data-testid=drift-report-id]')).toBe(latest.id);
    expect(await text('[data-testid=drift-decision]')).toBe(latest.drift ? 'drift' : 'no drift');
    expect(await text('[data-testid=drift-share]')).toContain(
      `${latest.driftedFeatures} of ${latest.features.length} features drift`,
    );
    expect(await text('[data-testid=drift-current]')).toBe('upload week.faa (24 proteins)');
    const rows = page.locator('table.drift-features tbody tr');
    expect(await rows.count()).toBe(latest.features.length);
    for (const [i, f] of latest.features.entries()) {
      const row = rows.nth(i);
      expect(await row.getAttribute('data-feature')).toBe(f.name);
      expect(await row.locator('[data-testid=feature-verdict]').textContent()).toBe(
        f.drift ? 'drift' : 'no drift',
      );
      expect(await row.locator('td').nth(2).textContent()).toContain(String(f.threshold));
    }
    // One figure per feature; two bars per bin (reference and current).
    const figures = page.locator('figure.drift-figure');
    expect(await figures.count()).toBe(latest.histograms.length);
    const first = latest.histograms[0];
    expect(first).toBeDefined();
    expect(await figures.first().locator('rect').count()).toBe(2 * (first?.reference.length ?? 0));
    expect(await figures.first().locator('rect.current').count()).toBe(first?.current.length);
    await page.screenshot({ path: join(ARTIFACTS, 'drift-latest.png'), fullPage: true });
  });

  it('lists the history, newest first, and opens an older report from it', async () => {
    const history = page.locator('table.drift-history tbody tr');
    expect(await history.count()).toBe(2);
    expect(await history.nth(0).getAttribute('data-report')).toBe(latest.id);
    expect(await history.nth(0).getAttribute('aria-current')).toBe('true');
    expect(await history.nth(0).locator('td').nth(1).textContent()).toBe('POST /v1/drift');
    expect(await history.nth(1).getAttribute('data-report')).toBe(old.id);
    await history.nth(1).locator('a').click();
    await page.waitForURL(`**/#/drift/${old.id}`);
    await page
      .locator(`table.drift-history tr[data-report="${old.id}"][aria-current=true]`)
      .waitFor();
    expect(await text('h1')).toBe(`Drift report ${old.id}`);
    expect(await text('[data-testid=drift-current]')).toBe('old.faa (40 proteins)');
    expect(await page.locator('figure.drift-figure').count()).toBe(0);
    expect(await page.getByText('This report was recorded without histograms.').count()).toBe(1);
  });

  it('checks the last 24 hours from the page: progress, then the new report and a longer history', async () => {
    await page.goto(`${url}/#/drift`);
    await page.locator('table.drift-history tbody tr').first().waitFor();
    await page.locator('[data-testid=drift-run]').click();
    // The latest report becomes the new one: a window of 1 job, 18 proteins.
    await page
      .locator('[data-testid=drift-current]', { hasText: '1 job in the last 24h (18 proteins)' })
      .waitFor();
    expect(await page.locator('table.drift-history tbody tr').count()).toBe(3);
    const state = await text('[data-testid=drift-check-state]');
    expect(state).toMatch(/^Done: 1 job in the last 24h, report \d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(await text('table.drift-history tbody tr td:nth-of-type(2)')).toBe('POST /v1/drift');
  });

  it('fits a phone width without page errors', async () => {
    await page.setViewportSize(PHONE);
    await page.goto(`${url}/#/drift`);
    await page.locator('figure.drift-figure').first().waitFor();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'drift-phone.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
