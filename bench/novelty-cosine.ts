// Bench: embedding cosine to the nearest training reference for known / distant / novel proteins (by
// alignment), to set the cosine novelty thresholds used when predicting from HDF5 embeddings.
// Run: npx tsx bench/novelty-cosine.ts   (shipped data, builtin embedder; ~1 min on 2 cores)
//
// References = folds 1–4 of data/default/splits/cdhit40-5fold.tsv minus every 10th protein; queries =
// fold 0 (held-out 40%-identity clusters: mostly novel) plus those every-10th proteins (held out at
// random inside known clusters: mostly known). Each query's novelty by alignment is what the FASTA
// path reports (Predictor.predict: nearest reference by Smith-Waterman, identity and coverage); its
// cosine is what the HDF5 path reports (Predictor.predictEmbeddings: cosine-nearest reference).
import { readFileSync } from 'node:fs';

import { builtinEmbedderFactory } from '../src/core/embed/builtin-embedder.ts';
import type { Novelty } from '../src/core/model/predictor.ts';
import { decodeArtifact } from '../src/core/model/artifact.ts';
import { createPredictor, KNOWN_COSINE, NOVEL_COSINE } from '../src/core/model/predictor.ts';
import { randomModelArtifact } from '../src/core/model/test-support/random-model.ts';
import { DEFAULT_SHAPES } from '../src/core/sequence/seed-index.ts';
import { loadLabelledFasta } from '../src/io/labelled-fasta.ts';
import { loadFastestKernels, loadFastestPairAligner } from '../src/native/load-kernels.ts';

const LABELS = ['A', 'B', 'C', 'D', 'NBL'];
const data = await loadLabelledFasta('data/default/default.fasta.gz', { task: 'multiclass' });
const fold = new Map(
  readFileSync('data/default/splits/cdhit40-5fold.tsv', 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [id, , f] = line.split('\t');
      return [id ?? '', Number(f)] as const;
    }),
);
const refs: number[] = [];
const queries: number[] = [];
data.examples.forEach((e, i) => {
  const f = fold.get(e.record.id);
  if (f === undefined) {
    throw new Error(`no fold for ${e.record.id}`);
  }
  (f === 0 || i % 10 === 0 ? queries : refs).push(i);
});

const embedder = await builtinEmbedderFactory.create({});
const dim = embedder.dim;
const t0 = performance.now();
const vectors = await embedder.embed(data.examples.map((e) => e.record));
const embedSeconds = (performance.now() - t0) / 1000;
const rows = (idx: number[]): Float32Array => {
  const out = new Float32Array(idx.length * dim);
  idx.forEach((i, r) => out.set(vectors[i] as Float32Array, r * dim));
  return out;
};
const sequence = (i: number): string => data.examples[i]?.record.sequence ?? '';

// The classifier is irrelevant to novelty: random weights, the default homology settings.
const artifact = randomModelArtifact({
  embedder,
  labels: LABELS,
  references: {
    ids: refs.map((i) => data.examples[i]?.record.id ?? ''),
    labels: refs.map((i) => LABELS.indexOf(data.examples[i]?.label ?? '')),
    sequences: refs.map(sequence),
  },
  homology: { alpha: 0, seedCandidates: 20, seedShapes: [...DEFAULT_SHAPES] },
  seed: 1,
  packageVersion: 'bench',
});
const kernels = loadFastestKernels();
const predictor = createPredictor(
  decodeArtifact(artifact),
  kernels,
  rows(refs),
  loadFastestPairAligner(),
);

interface Row {
  readonly byAlignment: Novelty;
  readonly identity: number;
  readonly cosine: number;
  readonly sameReference: boolean;
}
const results: Row[] = [];
const t1 = performance.now();
for (let q0 = 0; q0 < queries.length; q0 += 256) {
  const batch = queries.slice(q0, q0 + 256);
  const emb = rows(batch);
  const aligned = predictor.predict(batch.map(sequence), emb);
  const byCosine = predictor.predictEmbeddings(emb);
  aligned.forEach((a, j) => {
    const c = byCosine[j];
    results.push({
      byAlignment: a.novelty,
      identity: a.nearest?.identity ?? 0,
      cosine: c?.nearest?.cosine ?? 0,
      sameReference: a.nearest?.id === c?.nearest?.id,
    });
  });
}
const predictSeconds = (performance.now() - t1) / 1000;
await embedder.close();

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};
const groups: Novelty[] = ['known', 'distant', 'novel'];
console.log(
  `${data.examples.length} proteins: ${refs.length} references, ${queries.length} queries; embed ${embedSeconds.toFixed(1)} s, predict (both paths) ${predictSeconds.toFixed(1)} s; kernels ${kernels.name}`,
);
console.log('\ncosine to the cosine-nearest reference, by novelty from the alignment (FASTA path)');
console.log(
  '| by alignment | n | min | p05 | p10 | p25 | median | p75 | p90 | p95 | max | same nearest as alignment |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const g of groups) {
  const rs = results.filter((r) => r.byAlignment === g);
  const cs = rs.map((r) => r.cosine);
  const qs = [0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 1].map((q) => quantile(cs, q).toFixed(4));
  const same = rs.filter((r) => r.sameReference).length / Math.max(rs.length, 1);
  console.log(`| ${g} | ${rs.length} | ${qs.join(' | ')} | ${(same * 100).toFixed(0)}% |`);
}

/** Threshold t maximising balanced accuracy of "cosine >= t" for positives vs negatives. */
function bestThreshold(pos: number[], neg: number[]): { t: number; tpr: number; tnr: number } {
  let best = { t: 0, tpr: 0, tnr: 0 };
  for (const t of [...new Set([...pos, ...neg])].sort((a, b) => a - b)) {
    const tpr = pos.filter((c) => c >= t).length / pos.length;
    const tnr = neg.filter((c) => c < t).length / neg.length;
    if (tpr + tnr > best.tpr + best.tnr) {
      best = { t, tpr, tnr };
    }
  }
  return best;
}
const cos = (g: Novelty[]): number[] =>
  results.filter((r) => g.includes(r.byAlignment)).map((r) => r.cosine);
const known = bestThreshold(cos(['known']), cos(['distant', 'novel']));
const notNovel = bestThreshold(cos(['known', 'distant']), cos(['novel']));
const knownVsNovel = bestThreshold(cos(['known']), cos(['novel']));
console.log(
  `\nbalanced-accuracy thresholds: known vs rest ${known.t.toFixed(4)} (TPR ${known.tpr.toFixed(3)}, TNR ${known.tnr.toFixed(3)}); ` +
    `not-novel vs novel ${notNovel.t.toFixed(4)} (TPR ${notNovel.tpr.toFixed(3)}, TNR ${notNovel.tnr.toFixed(3)}); ` +
    `known vs novel ${knownVsNovel.t.toFixed(4)} (TPR ${knownVsNovel.tpr.toFixed(3)}, TNR ${knownVsNovel.tnr.toFixed(3)})`,
);

console.log(
  `\nagreement with the shipped thresholds (known >= ${KNOWN_COSINE}, novel < ${NOVEL_COSINE}): rows by alignment, columns by cosine`,
);
console.log('| by alignment \\ by cosine | known | distant | novel |');
console.log('|---|---|---|---|');
for (const g of groups) {
  const rs = results.filter((r) => r.byAlignment === g);
  const byCos = (c: number): Novelty =>
    c >= KNOWN_COSINE ? 'known' : c >= NOVEL_COSINE ? 'distant' : 'novel';
  const counts = groups.map((h) => rs.filter((r) => byCos(r.cosine) === h).length);
  console.log(`| ${g} | ${counts.join(' | ')} |`);
}
