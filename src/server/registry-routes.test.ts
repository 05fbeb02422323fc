// Registry actions over HTTP: promote and roll back under concurrent /v1/predict load (no failed or mixed response), the gate's 409, the admin key.
import { describe, expect, it } from 'vitest';

import { jsKernels } from '../core/model/kernels.ts';
import { predictAll } from '../pipeline/predict.ts';
import type { GateSettings } from '../pipeline/promotion-gate.ts';
import { loadPredictionModel } from '../wiring/load-model.ts';
import { gateHome } from '../wiring/test-support/gate-home.ts';
import { randomFasta } from '../wiring/test-support/tiny-model.ts';
import { startService } from './test-support/service-fixture.ts';

const OWNER = 'owner-key-0001';
const ADMIN = 'admin-key-0001';

interface PredictBody {
  model_version: string;
  predictions: {
    protein_id: string;
    predicted_label: string;
    confidence_score: number;
    model_version: string;
  }[];
}

async function service(
  settings: Partial<GateSettings>,
  syncPredict: 'inline' | 'worker',
  logLines?: string[],
) {
  const fixture = await gateHome();
  const svc = await startService(fixture.home, {}, [OWNER], undefined, {
    adminApiKeys: [ADMIN],
    syncPredict,
    ...(logLines === undefined
      ? {}
      : { logger: { level: 'info', stream: { write: (line: string) => logLines.push(line) } } }),
    gate: {
      settings: {
        f1Tolerance: 0.01,
        maxLatencyMs: 60_000,
        latencyProteins: 4,
        latencyRuns: 2,
        ...settings,
      },
      benchmark: { split: fixture.split, dataset: fixture.dataset, labels: null },
    },
  });
  return { ...fixture, svc };
}

/** What each version answers for `sequences` (predicted in this process, outside the server). */
async function expectedCalls(
  catalog: Awaited<ReturnType<typeof gateHome>>['catalog'],
  sequences: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const version of ['v1', 'v2']) {
    const model = await loadPredictionModel(version, catalog, jsKernels, { threads: 1 });
    const predicted = await predictAll(
      sequences.map((sequence, i) => ({ id: `q${i}`, description: '', sequence })),
      { model },
    );
    await model.embedder.close();
    out.set(version, JSON.stringify(predicted.map((p) => p.prediction.label)));
  }
  return out;
}

describe.each(['inline', 'worker'] as const)('registry routes (sync predict %s)', (syncPredict) => {
  it('promotes and rolls back under concurrent /v1/predict load: no failed, mixed or flapping response', async () => {
    const { svc, catalog } = await service({ f1Tolerance: 1 }, syncPredict);
    try {
      const address = await svc.app.listen({ host: '127.0.0.1', port: 0 });
      const fasta = randomFasta(7, 6, 50);
      const sequences = fasta.split('\n').filter((l) => l !== '' && !l.startsWith('>'));
      const expected = await expectedCalls(catalog, sequences);
      // The two models must answer differently, or a mix could not be seen.
      expect(expected.get('v1')).not.toBe(expected.get('v2'));
      const admin = { 'x-api-key': ADMIN, 'content-type': 'application/json' };
      const promote = (version: string) =>
        fetch(`${address}/v1/models/${version}/promote`, {
          method: 'POST',
          headers: admin,
          body: JSON.stringify({}),
        });
      expect((await promote('v1')).status).toBe(200);

      const MAX_PER_CLIENT = 150;
      let stop = false;
      const seen = { v1: 0, v2: 0 };
      const failures: string[] = [];
      const client = async (): Promise<string[]> => {
        const versions: string[] = [];
        while (!stop && versions.length < MAX_PER_CLIENT) {
          const res = await fetch(`${address}/v1/predict`, {
            method: 'POST',
            headers: { 'x-api-key': OWNER, 'content-type': 'application/json' },
            body: JSON.stringify({ task: 'multiclass', fasta }),
          });
          if (res.status !== 200) {
            failures.push(`${res.status} ${await res.text()}`);
            continue;
          }
          const body = (await res.json()) as PredictBody;
          const v = body.model_version;
          // One model per response: every row names it, and the calls are that model's own.
          if (
            body.predictions.some((p) => p.model_version !== v) ||
            JSON.stringify(body.predictions.map((p) => p.predicted_label)) !== expected.get(v)
          ) {
            failures.push(`mixed response from ${v}`);
          }
          versions.push(v);
          if (v === 'v1' || v === 'v2') {
            seen[v]++;
          }
        }
        return versions;
      };
      const waitFor = async (cond: () => boolean): Promise<void> => {
        for (let i = 0; i < 2000 && !cond() && !stop; i++) {
          await new Promise((r) => setTimeout(r, 5));
        }
      };
      const clients = Array.from({ length: 4 }, () => client());
      await waitFor(() => seen.v1 >= 10);
      const promoted = await promote('v2');
      expect(promoted.status).toBe(200);
      const v1Before = seen.v1;
      await waitFor(() => seen.v2 >= 10);
      const rolledBack = await fetch(`${address}/v1/models/rollback`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({}),
      });
      expect(rolledBack.status).toBe(200);
      expect(await rolledBack.json()).toEqual({
        alias: 'champion:multiclass',
        from: 'v2',
        to: 'v1',
      });
      await waitFor(() => seen.v1 >= v1Before + 10);
      stop = true;
      const runs = await Promise.all(clients);
      expect(failures).toEqual([]);
      // Each client's requests are sequential: it sees v1, then v2, then v1 again, switching once each way.
      for (const versions of runs) {
        const collapsed = versions.filter((v, i) => i === 0 || versions[i - 1] !== v);
        expect(['v1', 'v2', 'v1'].join()).toContain(collapsed.join());
      }
      expect(runs.flat().length).toBeLessThanOrEqual(4 * MAX_PER_CLIENT);
      expect(seen.v2).toBeGreaterThanOrEqual(10);
      expect(seen.v1).toBeGreaterThanOrEqual(v1Before + 10);
    } finally {
      await svc.app.close();
    }
  }, 120_000);
});

describe('registry routes: the gate and the keys', () => {
  it('answers 409 problem+json when the gate refuses, 403 to a non-admin key, and lists gates and tags', async () => {
    const { svc } = await service({}, 'inline');
    const { app } = svc;
    try {
      const admin = { 'x-api-key': ADMIN };
      const asOwner = await app.inject({
        method: 'POST',
        url: '/v1/models/v1/promote',
        headers: { 'x-api-key': OWNER },
        payload: {},
      });
      expect(asOwner.statusCode).toBe(403);
      expect(asOwner.headers['content-type']).toContain('application/problem+json');
      expect(
        (await app.inject({ method: 'POST', url: '/v1/models/v1/promote', payload: {} }))
          .statusCode,
      ).toBe(401);
      const first = await app.inject({
        method: 'POST',
        url: '/v1/models/v1/promote',
        headers: admin,
        payload: {},
      });
      expect(first.statusCode).toBe(200);
      expect(first.json()).toMatchObject({
        report: { passed: true, alias: 'champion:multiclass' },
      });
      const refused = await app.inject({
        method: 'POST',
        url: '/v1/models/v2/promote',
        headers: admin,
        payload: {},
      });
      expect(refused.statusCode).toBe(409);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.json()).toMatchObject({ reason: 'registry.gate-failed' });
      expect(refused.json<{ detail: string }>().detail).toMatch(
        /^promotion of v2 to champion:multiclass refused: test F1/,
      );
      const tagged = await app.inject({
        method: 'POST',
        url: '/v1/models/v2/tags',
        headers: admin,
        payload: { tags: { stage: 'staging' } },
      });
      expect(tagged.json()).toMatchObject({ version: 'v2', tags: { stage: 'staging' } });
      const list = await app.inject({ url: '/v1/models', headers: admin });
      const models = list.json<{
        models: { version: string; aliases: string[]; gates: { passed: boolean }[] }[];
      }>().models;
      expect(models.find((m) => m.version === 'v1')).toMatchObject({
        aliases: ['champion:multiclass'],
        gates: [{ passed: true }],
      });
      expect(models.find((m) => m.version === 'v2')?.gates.map((g) => g.passed)).toEqual([false]);
      const bad = await app.inject({
        method: 'POST',
        url: '/v1/models/v2/promote',
        headers: admin,
        payload: { forse: true },
      });
      expect(bad.statusCode).toBe(400);
      const forced = await app.inject({
        method: 'POST',
        url: '/v1/models/v2/promote',
        headers: admin,
        payload: { force: true },
      });
      expect(forced.json()).toMatchObject({ report: { passed: false, forced: true } });
    } finally {
      await app.close();
    }
  }, 60_000);
});

describe('registry routes: the challenger', () => {
  it('shadows the champion: logged with the agreement, never returned', async () => {
    const lines: string[] = [];
    const { svc, catalog } = await service({ f1Tolerance: 1 }, 'inline', lines);
    const { app } = svc;
    try {
      const admin = { 'x-api-key': ADMIN };
      const promote = (version: string, alias: string) =>
        app.inject({
          method: 'POST',
          url: `/v1/models/${version}/promote`,
          headers: admin,
          payload: { alias },
        });
      expect((await promote('v1', 'champion')).statusCode).toBe(200);
      expect((await promote('v2', 'challenger')).statusCode).toBe(200);
      const fasta = randomFasta(5, 9, 60);
      const sequences = fasta.split('\n').filter((l) => l !== '' && !l.startsWith('>'));
      const expected = await expectedCalls(catalog, sequences);
      const res = await app.inject({
        method: 'POST',
        url: '/v1/predict',
        headers: { 'x-api-key': OWNER },
        payload: { task: 'multiclass', fasta },
      });
      const body = res.json<PredictBody>();
      expect(body.model_version).toBe('v1');
      expect(JSON.stringify(body.predictions.map((p) => p.predicted_label))).toBe(
        expected.get('v1'),
      );
      let shadow: { challenger_version?: string; agreed?: number; proteins?: number } | undefined;
      for (let i = 0; i < 200 && shadow === undefined; i++) {
        shadow = lines
          .map(
            (l) =>
              JSON.parse(l) as {
                shadow?: boolean;
                challenger_version?: string;
                agreed?: number;
                proteins?: number;
              },
          )
          .find((l) => l.shadow === true && l.challenger_version !== undefined);
        await new Promise((r) => setTimeout(r, 10));
      }
      const v1 = JSON.parse(expected.get('v1') ?? '[]') as string[];
      const v2 = JSON.parse(expected.get('v2') ?? '[]') as string[];
      expect(shadow).toMatchObject({
        challenger_version: 'v2',
        proteins: 5,
        agreed: v1.filter((l, i) => l === v2[i]).length,
      });
    } finally {
      await app.close();
    }
  }, 60_000);
});
