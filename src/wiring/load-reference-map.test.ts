// The reference map service end to end: a real tiny model, fit once and stored, reused without refitting, drawn.
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { builtinEmbedderFactory } from '../core/embed/builtin-embedder.ts';
import { decodeArtifact } from '../core/model/artifact.ts';
import { jsKernels } from '../core/model/kernels.ts';
import { createPredictor } from '../core/model/predictor.ts';
import { randomModelArtifact } from '../core/model/test-support/random-model.ts';
import { createRng, type Rng } from '../core/rng.ts';
import type { ProteinRecord } from '../core/sequence/protein-record.ts';
import { useTempDir } from '../io/test-support/temp-dir.ts';
import { fitMapWithUmapJs } from '../umap/umap-js-layout.ts';
import { predictAll, type PredictionModel } from '../pipeline/predict.ts';
import type { ReferenceMapFitter } from '../pipeline/reference-map.ts';
import { loadOrFitReferenceMap } from './load-reference-map.ts';

const AA = 'ACDEFGHIKLMNPQRSTVWY';
const LABELS = ['A', 'B', 'C', 'D', 'NBL'];
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function randomProtein(rng: Rng, length: number): string {
  return Array.from({ length }, () => AA[Math.floor(rng() * AA.length)] ?? 'A').join('');
}

/** A copy of `seq` with ~15% of residues substituted: a family member. */
function mutate(seq: string, rng: Rng): string {
  return Array.from(seq, (c) => (rng() < 0.15 ? (AA[Math.floor(rng() * 20)] ?? c) : c)).join('');
}

/** Five families (one per class) of 24 members each; the last 4 of each are held out as queries. */
function families(): {
  refs: ProteinRecord[];
  refLabels: number[];
  queries: ProteinRecord[];
  queryFamily: number[];
} {
  const rng = createRng(77);
  const roots = LABELS.map(() => randomProtein(rng, 220));
  const refs: ProteinRecord[] = [];
  const refLabels: number[] = [];
  const queries: ProteinRecord[] = [];
  const queryFamily: number[] = [];
  for (let m = 0; m < 24; m++) {
    roots.forEach((root, f) => {
      const record = { id: `f${f}m${m}`, description: '', sequence: mutate(root, rng) };
      if (m < 20) {
        refs.push(record);
        refLabels.push(f);
      } else {
        queries.push({ ...record, id: `query-${f}-${m}` });
        queryFamily.push(f);
      }
    });
  }
  return { refs, refLabels, queries, queryFamily };
}

async function familyModel(homology = true): Promise<PredictionModel> {
  const { refs, refLabels } = families();
  const embedder = await builtinEmbedderFactory.create({});
  const dim = embedder.dim;
  const artifact = randomModelArtifact({
    embedder,
    labels: LABELS,
    ...(homology
      ? {
          references: {
            ids: refs.map((r) => r.id),
            labels: refLabels,
            sequences: refs.map((r) => r.sequence),
          },
        }
      : {}),
  });
  const vectors = await embedder.embed(refs);
  const refEmbeddings = new Float32Array(refs.length * dim);
  vectors.forEach((v, i) => {
    refEmbeddings.set(v, i * dim);
  });
  return {
    version: 'v3',
    embedder,
    predictor: createPredictor(
      decodeArtifact(artifact),
      jsKernels,
      homology ? refEmbeddings : undefined,
    ),
  };
}

/** The real inline fitter, counting its calls. */
function countingFitter(): { fitter: ReferenceMapFitter; calls: () => number } {
  let calls = 0;
  return {
    fitter: (input, options) => {
      calls++;
      return fitMapWithUmapJs(input, options);
    },
    calls: () => calls,
  };
}

describe('loadOrFitReferenceMap', () => {
  const dir = useTempDir('arginator-map-');

  it('fits once, stores the map, and reuses it without refitting: identical map and projections', async () => {
    const model = await familyModel();
    const { queries } = families();
    const counter = countingFitter();
    const first = await loadOrFitReferenceMap(model, dir(), { fitter: counter.fitter });
    expect(first.fitted).toBe(true);
    expect(counter.calls()).toBe(1);
    expect(await readdir(join(dir(), 'maps'))).toEqual([first.path.split('/').at(-1)]);
    const before = await stat(first.path);

    const second = await loadOrFitReferenceMap(model, dir(), { fitter: counter.fitter });
    expect(second.fitted).toBe(false);
    expect(counter.calls()).toBe(1);
    expect(second.path).toBe(first.path);
    expect((await stat(second.path)).mtimeMs).toBe(before.mtimeMs);
    expect(second.referenceMapJson()).toEqual(first.referenceMapJson());
    expect(await second.projectRecords(queries)).toEqual(await first.projectRecords(queries));

    // Other parameters are another map (a new fit), replacing the stale file.
    const other = await loadOrFitReferenceMap(model, dir(), {
      fitter: counter.fitter,
      params: { seed: 5 },
    });
    expect(other.fitted).toBe(true);
    expect(counter.calls()).toBe(2);
    expect(await readdir(join(dir(), 'maps'))).toEqual([other.path.split('/').at(-1)]);
  });

  it('refits when the stored file is unreadable', async () => {
    const model = await familyModel();
    const counter = countingFitter();
    const first = await loadOrFitReferenceMap(model, dir(), { fitter: counter.fitter });
    await writeFile(first.path, 'not a map');
    const again = await loadOrFitReferenceMap(model, dir(), { fitter: counter.fitter });
    expect(again.fitted).toBe(true);
    expect(counter.calls()).toBe(2);
    expect(again.referenceMapJson()).toEqual(first.referenceMapJson());
  });

  it('serves the API contract and draws queries near their own family', async () => {
    const model = await familyModel();
    const { queries, queryFamily } = families();
    const service = await loadOrFitReferenceMap(model, dir(), { fitter: 'inline' });
    const refJson = service.referenceMapJson();
    expect(refJson.model_version).toBe('v3');
    expect(refJson.labels).toEqual(LABELS);
    expect(refJson.references).toHaveLength(100);
    expect(Object.keys(refJson.references[0] ?? {})).toEqual(['id', 'label', 'x', 'y']);
    expect(refJson.references[0]?.label).toBe('A');

    const predicted = await predictAll(queries, { model });
    const mapped = await service.mapPredictions(queries, predicted);
    const json = service.queriesJson(mapped);
    expect(json.model_version).toBe('v3');
    expect(json.projection).toBe('transform');
    expect(json.queries).toHaveLength(queries.length);
    expect(Object.keys(json.queries[0] ?? {})).toEqual([
      'id',
      'predicted_label',
      'novelty',
      'x',
      'y',
    ]);
    expect(json.queries[0]?.predicted_label).toBe(predicted[0]?.prediction.label);
    // A batch of a large job is placed like the rest of that job: by interpolation.
    const big = await service.mapPredictions(queries.slice(0, 3), predicted.slice(0, 3), {
      jobSize: 50_000,
    });
    expect(service.queriesJson(big).projection).toBe('interpolate');
    expect(service.queriesJson([...mapped, ...big]).projection).toBe('mixed');

    // Each held-out query's nearest reference on the map belongs to its family.
    let correct = 0;
    mapped.forEach((q, i) => {
      let best = Infinity;
      let label = '';
      for (const r of refJson.references) {
        const d = Math.hypot(q.x - r.x, q.y - r.y);
        if (d < best) {
          best = d;
          label = r.label;
        }
      }
      correct += label === LABELS[queryFamily[i] ?? -1] ? 1 : 0;
    });
    expect(correct / mapped.length).toBeGreaterThanOrEqual(0.9);

    const svg = await service.svg(mapped);
    for (const text of [...LABELS, 'Class', 'v3', '20 queries']) {
      expect(svg).toContain(text);
    }
    const png = await service.png(mapped);
    expect(Array.from(png.subarray(0, 8))).toEqual(PNG_SIGNATURE);
    const bare = await service.png();
    expect(Array.from(bare.subarray(0, 8))).toEqual(PNG_SIGNATURE);
  });

  it('refuses a model without references, with a fix', async () => {
    const model = await familyModel(false);
    await expect(loadOrFitReferenceMap(model, dir(), { fitter: 'inline' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      reason: 'map.no-references',
    });
  });
});
