// Bench: the UMAP reference map — fit time, stored size, load time, projecting 200 and 100,000 queries, memory.
// Run: npx tsx bench/umap-map.ts --home DIR [--large 100000] [--png docs/images/reference-map.png]
// (DIR holds a trained multiclass model with references; the bench works on a copy of its models folder.)
import { cpSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { builtinEmbedderFactory } from '../src/core/embed/builtin-embedder.ts';
import type { Embedder } from '../src/core/embed/embedder.ts';
import { DEFAULT_MAP_PARAMS } from '../src/core/map/reference-map-codec.ts';
import { decodeArtifact } from '../src/core/model/artifact.ts';
import { createPredictor } from '../src/core/model/predictor.ts';
import { createRng } from '../src/core/rng.ts';
import type { ProteinRecord } from '../src/core/sequence/protein-record.ts';
import { readFastaFile } from '../src/io/fasta-source.ts';
import { loadFastestKernels, loadFastestPairAligner } from '../src/native/load-kernels.ts';
import { fitMapWithUmapJs } from '../src/umap/umap-js-layout.ts';
import { predictAll, type PredictionModel } from '../src/pipeline/predict.ts';
import { TRANSFORM_MAX_QUERIES } from '../src/pipeline/reference-map.ts';
import { FsModelRegistry } from '../src/store/fs-model-registry.ts';
import { loadOrFitReferenceMap } from '../src/wiring/load-reference-map.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const home = arg('--home');
if (home === undefined) {
  throw new Error('pass --home DIR holding a trained model (models/registry.json)');
}
const LARGE = Number(arg('--large') ?? 100_000);
const pngOut = arg('--png');

const mb = (bytes: number): number => Math.round(bytes / 1e5) / 10;
const rss = (): number => mb(process.memoryUsage().rss);
/** Peak RSS of the process so far (MB). */
const peak = (): number => Math.round(process.resourceUsage().maxRSS / 102.4) / 10;
const seconds = (t0: number): number => Math.round(performance.now() - t0) / 1000;

async function embedFlat(
  embedder: Embedder,
  records: readonly ProteinRecord[],
): Promise<Float32Array> {
  const flat = new Float32Array(records.length * embedder.dim);
  for (let s = 0; s < records.length; s += 256) {
    (await embedder.embed(records.slice(s, s + 256))).forEach((v, i) => {
      flat.set(v, (s + i) * embedder.dim);
    });
  }
  return flat;
}

// A private copy of the models folder, without any stored maps, so the first call fits.
const work = mkdtempSync(join(tmpdir(), 'arginator-umap-bench-'));
const modelsDir = join(work, 'models');
cpSync(join(home, 'models'), modelsDir, {
  recursive: true,
  filter: (src) => !src.includes('/maps'),
});
try {
  const rows: [string, string][] = [];
  const row = (what: string, value: string): void => {
    rows.push([what, value]);
    console.error(`${what}: ${value}`);
  };
  row('RSS at start (MB)', String(rss()));

  // The model, built as wiring/load-model.ts does (builtin embedder in this thread, no HDF5 import).
  const entry = await new FsModelRegistry(modelsDir).resolve('multiclass');
  const decoded = decodeArtifact(await readFile(entry.path), entry.path);
  const refs = decoded.header.homology?.references;
  if (refs === undefined) {
    throw new Error(`model ${entry.version} has no references (train with model.homology=true)`);
  }
  const embedder = await builtinEmbedderFactory.create(decoded.header.embedder.options);
  const refRecords = refs.sequences.map((sequence, i) => ({
    id: refs.ids[i] ?? String(i),
    description: '',
    sequence,
  }));
  const model: PredictionModel = {
    version: entry.version,
    embedder,
    predictor: createPredictor(
      decoded,
      loadFastestKernels(),
      await embedFlat(embedder, refRecords),
      loadFastestPairAligner(),
    ),
  };
  row(
    'model',
    `${entry.version}, ${refs.ids.length.toLocaleString('en-US')} references, embedder ${embedder.id} (${embedder.dim}-d)`,
  );
  row('RSS with the model loaded (MB)', String(rss()));

  // 1. First call: embed references + PCA + kNN + UMAP fit, stored.
  const phases: string[] = [];
  let phaseStart = performance.now();
  let phase = 'start';
  const t0 = performance.now();
  const service = await loadOrFitReferenceMap(model, modelsDir, {
    fitter: 'inline',
    onProgress: (_f, message) => {
      const name = message.startsWith('UMAP') ? 'UMAP epochs' : message;
      if (name !== phase) {
        phases.push(`${phase} ${seconds(phaseStart)} s`);
        phase = name;
        phaseStart = performance.now();
      }
    },
  });
  phases.push(`${phase} ${seconds(phaseStart)} s`);
  row(
    `fit, ${refs.ids.length.toLocaleString('en-US')} references (embed + PCA ${DEFAULT_MAP_PARAMS.pcaComponents} + kNN + umap-js, inline)`,
    `${seconds(t0)} s (${phases.slice(1).join('; ')})`,
  );
  row('peak RSS after the fit (MB)', String(peak()));
  row(
    'stored map size',
    `${(statSync(service.path).size / 1e6).toFixed(2)} MB (${service.path.split('/').at(-1) ?? ''})`,
  );

  // 2. Load without refitting (a fitter that throws proves no fit happens).
  let bestLoad = Infinity;
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    const again = await loadOrFitReferenceMap(model, modelsDir, {
      fitter: () => Promise.reject(new Error('refit during load')),
    });
    bestLoad = Math.min(bestLoad, seconds(t));
    if (again.fitted) {
      throw new Error('map was refitted');
    }
  }
  row('load stored map (best of 5)', `${bestLoad} s`);

  // 3. 200 queries from the shipped data.
  const shipped: ProteinRecord[] = [];
  for await (const r of readFastaFile(join(ROOT, 'data/default/default.fasta.gz'))) {
    shipped.push(r);
  }
  const queries = shipped.slice(0, 200);
  const flat = await embedFlat(embedder, queries);
  let bestProject = Infinity;
  let bestInterp = Infinity;
  for (let r = 0; r < 5; r++) {
    let t = performance.now();
    service.project(
      queries.map((q) => q.id),
      flat,
    );
    bestProject = Math.min(bestProject, seconds(t));
    t = performance.now();
    service.project(
      queries.map((q) => q.id),
      flat,
      { method: 'interpolate' },
    );
    bestInterp = Math.min(bestInterp, seconds(t));
  }
  row('project 200 queries, transform (embeddings given, best of 5)', `${bestProject} s`);
  row('project 200 queries, interpolate (best of 5)', `${bestInterp} s`);
  let t = performance.now();
  const predicted = await predictAll(queries, { model });
  const predictSeconds = seconds(t);
  t = performance.now();
  const mapped = await service.mapPredictions(queries, predicted);
  row(
    'mapPredictions 200 queries (embed + transform)',
    `${seconds(t)} s (prediction itself: ${predictSeconds} s)`,
  );
  t = performance.now();
  const svg = await service.svg(mapped);
  const svgSeconds = seconds(t);
  t = performance.now();
  const png = await service.png(mapped);
  row(
    'render map + 200 queries',
    `SVG ${svgSeconds} s (${(svg.length / 1e6).toFixed(2)} MB), PNG ${seconds(t)} s (${(png.length / 1e6).toFixed(2)} MB)`,
  );
  if (pngOut !== undefined) {
    writeFileSync(pngOut, png);
  }

  // 4. A large job: LARGE mutated copies of shipped proteins, embedded and projected batch by batch.
  const rng = createRng(2026);
  const AA = 'ACDEFGHIKLMNPQRSTVWY';
  const rssBefore = rss();
  let projectTransform = 0;
  let projectInterp = 0;
  let transformed = 0;
  let maxRss = rssBefore;
  for (let s = 0; s < LARGE; s += 256) {
    const batch: ProteinRecord[] = [];
    for (let i = s; i < Math.min(LARGE, s + 256); i++) {
      const base = shipped[Math.floor(rng() * shipped.length)]?.sequence ?? 'M';
      const seq = Array.from(base, (c) =>
        rng() < 0.2 ? (AA[Math.floor(rng() * 20)] ?? c) : c,
      ).join('');
      batch.push({ id: `s${i}`, description: '', sequence: seq });
    }
    const vectors = await embedFlat(embedder, batch);
    const ids = batch.map((b) => b.id);
    let tb = performance.now();
    // The transform only up to its job-size limit (TRANSFORM_MAX_QUERIES); interpolation for all.
    if (s < TRANSFORM_MAX_QUERIES) {
      service.project(ids, vectors);
      projectTransform += performance.now() - tb;
      transformed += ids.length;
    }
    tb = performance.now();
    service.project(ids, vectors, { method: 'interpolate' });
    projectInterp += performance.now() - tb;
    maxRss = Math.max(maxRss, rss());
  }
  row(
    `project a ${LARGE.toLocaleString('en-US')}-query job in batches of 256 (projection time only)`,
    `transform (first ${transformed.toLocaleString('en-US')}) ${(projectTransform / 1000).toFixed(1)} s = ${Math.round(transformed / (projectTransform / 1000)).toLocaleString('en-US')}/s; interpolate (all) ${(projectInterp / 1000).toFixed(1)} s = ${Math.round(LARGE / (projectInterp / 1000)).toLocaleString('en-US')}/s; RSS ${rssBefore} → max ${maxRss} MB`,
  );

  // 5. Fit size scaling: all shipped proteins as references (the brief's ~4,500).
  const all = await embedFlat(embedder, shipped);
  t = performance.now();
  const big = await fitMapWithUmapJs({
    embeddings: all,
    n: shipped.length,
    dim: embedder.dim,
    params: DEFAULT_MAP_PARAMS,
  });
  row(
    `fit ${shipped.length.toLocaleString('en-US')} references (PCA + kNN + umap-js, embeddings given)`,
    `${seconds(t)} s; PCA keeps ${((100 * big.pca.variances.reduce((a, b) => a + b, 0)) / big.pca.totalVariance).toFixed(1)}% of the variance`,
  );
  row('peak RSS of the whole bench (MB)', String(peak()));
  await embedder.close();

  console.log('| what | result |');
  console.log('| --- | --- |');
  for (const [what, value] of rows) {
    console.log(`| ${what} | ${value} |`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
