// /v1/sweeps over HTTP on real sweep folders: the list, one sweep (trials, best, importance, parallel coordinates), liveness through the sweep's run, reports, 404s and OpenAPI.
import { rm } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { SweepJson, SweepListJson } from '../core/sweep/sweep-contract.ts';
import type { SweepFixture } from '../wiring/test-support/sweep-home.ts';
import { writeFinishedSweep, writeRunningSweep } from '../wiring/test-support/sweep-home.ts';
import { parseSweepYaml } from '../pipeline/sweep/sweep-spec.ts';
import type { Service } from './service.ts';
import { SweepReportCache } from './sweep-json.ts';
import { makeHome, startService } from './test-support/service-fixture.ts';

const OLD = '20261201T100000Z-aaaaaa';
const LIVE = '20261201T110000Z-bbbbbb';
const DEAD = '20261201T120000Z-cccccc';

let home: string;
let service: Service;
let finished: SweepFixture;

beforeAll(async () => {
  home = await makeHome();
  service = await startService(home);
});
afterAll(async () => {
  await service.app.close();
  await rm(home, { recursive: true, force: true });
});

async function get<T>(url: string): Promise<T> {
  const res = await service.app.inject(url);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<T>();
}

describe('/v1/sweeps', () => {
  it('lists no sweeps in a fresh home', async () => {
    expect(await get<SweepListJson>('/v1/sweeps')).toEqual({ sweeps: [] });
  });

  it('shows a finished sweep: config, trials, the best trial, importance and parallel coordinates', async () => {
    finished = await writeFinishedSweep(home, OLD, 6);
    const sweep = await get<SweepJson>(`/v1/sweeps/${OLD}`);
    expect(sweep).toMatchObject({
      id: OLD,
      name: 'mlp search',
      method: 'random',
      metric: { name: 'val_loss', goal: 'minimize', target: null },
      status: 'finished',
      error: null,
      run_cap: 6,
      trials_total: 6,
      trial_states: { finished: 6, running: 0, pending: 0, failed: 0, stopped: 0, killed: 0 },
      end_reason: 'run_cap 6',
      run: { id: OLD, status: 'finished' },
      base_overrides: ['experiment.epochs=2'],
      links: {
        self: `/v1/sweeps/${OLD}`,
        report_md: `/v1/sweeps/${OLD}/report.md`,
        report_html: `/v1/sweeps/${OLD}/report.html`,
        run: `/v1/runs/${OLD}`,
      },
    });
    expect(sweep.parameters.map((p) => [p.name, p.distribution])).toEqual([
      ['experiment.batch_size', 'categorical'],
      ['experiment.dropout_rate', 'uniform'],
      ['experiment.lr', 'log_uniform_values'],
    ]);
    // Each trial's value is the best of its two epochs (minimize: the second, 0.25 lower).
    for (const t of sweep.trials) {
      expect(t.state).toBe('finished');
      expect(t.history).toHaveLength(2);
      expect(t.value).toBe(t.history[1]);
      expect(t.value).toBeCloseTo((t.history[0] as number) - 0.25, 6);
      expect(t.run_id).toBe(`trial-run-${t.index}`);
    }
    const values = sweep.trials.map((t) => t.value as number);
    const bestIndex = values.indexOf(Math.min(...values));
    expect(sweep.best).toMatchObject({
      trial: bestIndex,
      value: Math.min(...values),
      run_id: `trial-run-${bestIndex}`,
      params: finished.state.trials[bestIndex]?.params,
    });
    expect(sweep.best?.overrides[0]).toBe('experiment.epochs=2');
    // Importance for every searched parameter, shares summing to 1.
    expect(sweep.importance.map((r) => r.name).sort()).toEqual([
      'experiment.batch_size',
      'experiment.dropout_rate',
      'experiment.lr',
    ]);
    const total = sweep.importance.reduce((s, r) => s + r.importance, 0);
    expect(total).toBeCloseTo(1, 6);
    // Parallel coordinates: the parameters then the metric; positions in [0, 1]; the best trial at
    // the bottom of the metric axis (0), the worst at its top (1).
    const pc = sweep.parallel_coordinates;
    expect(pc.axes.map((a) => a.name)).toEqual([
      'experiment.batch_size',
      'experiment.dropout_rate',
      'experiment.lr',
      'val_loss',
    ]);
    expect(pc.axes[0]).toEqual({ name: 'experiment.batch_size', low: '32', high: '128' });
    expect(pc.trials).toHaveLength(6);
    for (const line of pc.trials) {
      expect(line.positions).toHaveLength(4);
      expect(line.positions.every((p) => p >= 0 && p <= 1)).toBe(true);
      expect(line.value).toBe(values[line.trial]);
    }
    expect(pc.trials.find((l) => l.trial === bestIndex)?.positions[3]).toBe(0);
    expect(Math.max(...pc.trials.map((l) => l.positions[3] as number))).toBe(1);
  });

  it('reads a running sweep as running while its process lives, interrupted once it is gone', async () => {
    await writeRunningSweep(home, await writeFinishedSweep(home, LIVE, 3, 2), 'alive');
    await writeRunningSweep(home, await writeFinishedSweep(home, DEAD, 3, 3), 'dead');
    const live = await get<SweepJson>(`/v1/sweeps/${LIVE}`);
    expect(live).toMatchObject({ status: 'running', error: null, run_cap: 5, trials_total: 4 });
    expect(live.run).toEqual({ id: LIVE, status: 'running' });
    expect(live.trials[3]).toMatchObject({ state: 'running', value: 2.5, history: [2.5] });
    // The running trial is not an ended one: not in the parallel coordinates.
    expect(live.parallel_coordinates.trials.map((t) => t.trial)).toEqual([0, 1, 2]);
    // Fewer than 4 ended trials: no importance.
    expect(live.importance).toEqual([]);

    const dead = await get<SweepJson>(`/v1/sweeps/${DEAD}`);
    expect(dead.status).toBe('interrupted');
    expect(dead.error).toContain('pid 999999999');
    expect(dead.error).toContain(`arginator sweep --resume ${DEAD}`);
    expect(dead.trials[3]?.state).toBe('killed');
    expect(dead.trial_states).toMatchObject({ finished: 3, killed: 1, running: 0 });

    const list = await get<SweepListJson>('/v1/sweeps');
    expect(list.sweeps.map((s) => [s.id, s.status])).toEqual([
      [DEAD, 'interrupted'],
      [LIVE, 'running'],
      [OLD, 'finished'],
    ]);
    expect(list.sweeps[2]?.best).toEqual((await get<SweepJson>(`/v1/sweeps/${OLD}`)).best);
    // The list carries no trials (the summary only).
    expect(Object.keys(list.sweeps[0] ?? {})).not.toContain('trials');
  });

  it('serves the report the CLI wrote, and 404s as problem+json', async () => {
    const md = await service.app.inject(`/v1/sweeps/${OLD}/report.md`);
    expect(md.statusCode).toBe(200);
    expect(md.headers['content-type']).toMatch(/^text\/markdown/);
    expect(md.body).toMatch(new RegExp(`^# Sweep ${OLD} \\(mlp search\\)`));
    expect(md.body).toMatch(/## Parameter importance/);

    const html = await service.app.inject(`/v1/sweeps/${OLD}/report.html`);
    expect(html.statusCode).toBe(404);
    expect(html.json()).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      reason: 'sweep.no-report',
    });
    await finished.store.writeFile(OLD, 'report.html', '<!doctype html><h1>report</h1>');
    const served = await service.app.inject(`/v1/sweeps/${OLD}/report.html`);
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toMatch(/^text\/html/);
    expect(served.headers['content-security-policy']).toContain("default-src 'none'");

    for (const url of [
      '/v1/sweeps/20261201T000000Z-ffffff',
      '/v1/sweeps/..',
      '/v1/sweeps/a..b/report.md',
      '/v1/sweeps/nope/report.md',
    ]) {
      const res = await service.app.inject(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toMatch(/^application\/problem\+json/);
      // '..' is resolved by the URL parser before routing: no route then, still a 404 problem.
      expect(res.json<{ reason: string }>().reason, url).toBe(
        url === '/v1/sweeps/..' ? 'http.not-found' : 'sweep.not-found',
      );
    }
  });

  it('computes the report data once per change of the ended trials, not per poll', () => {
    const cache = new SweepReportCache(2);
    const state = finished.state;
    const { spec } = parseSweepYaml(state.specText, state.source);
    const first = cache.get(spec, state);
    // A new epoch of a running trial or a new timestamp changes nothing that is drawn.
    expect(cache.get(spec, { ...state, updatedAt: 'later' })).toBe(first);
    const fewer = { ...state, trials: state.trials.slice(0, 5) };
    const other = cache.get(spec, fewer);
    expect(other).not.toBe(first);
    expect(other.parallel.trials).toHaveLength(5);
    expect(cache.get(spec, fewer)).toBe(other);
  });

  it('is documented in /openapi.json with its schemas', async () => {
    const doc = await get<{
      paths: Record<string, Record<string, { tags?: string[] }>>;
      components: { schemas: Record<string, { enum?: string[] }> };
    }>('/openapi.json');
    for (const path of [
      '/v1/sweeps',
      '/v1/sweeps/{id}',
      '/v1/sweeps/{id}/report.md',
      '/v1/sweeps/{id}/report.html',
    ]) {
      expect(doc.paths[path]?.['get']?.tags, path).toEqual(['sweeps']);
    }
    expect(doc.components.schemas['SweepStatus']?.enum).toEqual([
      'running',
      'finished',
      'interrupted',
    ]);
    expect(doc.components.schemas['TrialState']?.enum).toEqual([
      'pending',
      'running',
      'finished',
      'failed',
      'stopped',
      'killed',
    ]);
    expect(doc.components.schemas['Sweep']).toBeDefined();
  });
});
