// Lab: candidate retrieval and decision rules for the homology evidence, on the cd-hit 40% 5-fold CV.
// The MLP logits and DIAMOND hits of each fold are computed once and cached in bench/out/lab-cache.json.
// Run: npx tsx bench/decision-lab.ts [--diagnose]   (needs diamond on PATH; see ADR 0010)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { MULTICLASS_LABELS } from '../src/core/data/labelled.ts';
import type { MulticlassLabel } from '../src/core/data/labelled.ts';
import { groupKFold, groupStratifiedSplit } from '../src/core/data/split.ts';
import { BUILTIN_DIM, embedSequence } from '../src/core/embed/builtin-embedder.ts';
import { classificationReport } from '../src/core/metrics/classification-report.ts';
import { takeRows, type DenseDataset } from '../src/core/model/dataset.ts';
import { forwardLogits } from '../src/core/model/mlp.ts';
import { standardiser } from '../src/core/model/standardise.ts';
import { trainClassifier } from '../src/core/model/train-loop.ts';
import { createRng } from '../src/core/rng.ts';
import { buildKmerIndex } from '../src/core/sequence/kmer-index.ts';
import { buildSeedIndex } from '../src/core/sequence/seed-index.ts';
import { ALIGN_FIELDS, codeSet, sequenceCodes } from '../src/core/sequence/pair-aligner.ts';
import { homologyFeatures, prepareReferences, selfScore } from '../src/core/model/homology.ts';
import { fitFusion } from '../src/core/model/evidence-fusion.ts';
import { DEFAULT_SHAPES } from '../src/core/sequence/seed-index.ts';
import { loadFastestKernels, loadFastestPairAligner } from '../src/native/load-kernels.ts';
import { loadData } from './lib/cv-data.ts';
import { diamondBestHits } from './lib/diamond-baseline.ts';

const OUT = new URL('out/', import.meta.url).pathname;
const CACHE = join(OUT, 'lab-cache.json');
const K = MULTICLASS_LABELS.length;
const NBL = MULTICLASS_LABELS.indexOf('NBL');
const SEED = 42;

interface FoldCache {
  train: number[];
  val: number[];
  test: number[];
  /** MLP logits, row-major, for val and test rows. */
  valLogits: number[];
  testLogits: number[];
}
interface Cache {
  folds: FoldCache[];
  diamond: Record<string, number>;
  diamondSensitive: Record<string, number>;
  sensitiveIdentity: Record<string, number>;
}

const data = await loadData();
const n = data.ids.length;
const all: DenseDataset = { x: new Float32Array(n * BUILTIN_DIM), y: data.y, n, dim: BUILTIN_DIM };
data.sequences.forEach((s, i) =>
  embedSequence(s, all.x.subarray(i * BUILTIN_DIM, (i + 1) * BUILTIN_DIM)),
);
const kernels = loadFastestKernels();
const aligner = loadFastestPairAligner();

async function buildCache(): Promise<Cache> {
  const cv = groupKFold(data.y, data.groups, 5, createRng(SEED));
  const cache: Cache = { folds: [], diamond: {}, diamondSensitive: {}, sensitiveIdentity: {} };
  for (const fold of cv.folds) {
    const test = Array.from(fold.test);
    const trainFold = Array.from(fold.train);
    const refs = trainFold.map((i) => ({
      id: data.ids[i] ?? '',
      sequence: data.sequences[i] ?? '',
      label: MULTICLASS_LABELS[data.y[i] as number] ?? 'NBL',
    }));
    const queries = test.map((i) => ({ id: data.ids[i] ?? '', sequence: data.sequences[i] ?? '' }));
    for (const [key, flags] of [
      ['diamond', []],
      ['diamondSensitive', ['--sensitive']],
    ] as const) {
      const hits = diamondBestHits(refs, queries, { threads: 2, sensitivity: flags });
      for (const q of queries) {
        const hit = hits.get(q.id);
        const label =
          hit?.label === undefined ? -1 : MULTICLASS_LABELS.indexOf(hit.label as MulticlassLabel);
        cache[key][q.id] = label < 0 ? NBL : label;
        if (key === 'diamondSensitive') {
          cache.sensitiveIdentity[q.id] = hit?.identity ?? 0;
        }
      }
    }
    const inner = groupStratifiedSplit(
      trainFold.map((i) => data.y[i] as number),
      trainFold.map((i) => data.groups[i] as number),
      [0.85, 0.15, 0],
      createRng(SEED),
    );
    const train = Array.from(inner.train, (j) => trainFold[j] as number);
    const val = Array.from(inner.val, (j) => trainFold[j] as number);
    const norm = standardiser(all, train);
    const [tr, va, te] = [train, val, test].map((rows) => norm.apply(takeRows(all, rows))) as [
      DenseDataset,
      DenseDataset,
      DenseDataset,
    ];
    const result = await trainClassifier(
      tr,
      va,
      { inputDim: BUILTIN_DIM, hidden: [256, 128], outputDim: K, dropout: 0.2 },
      {
        epochs: 50,
        batchSize: 32,
        optimizer: {
          name: 'adam',
          lr: 1e-3,
          betas: [0.9, 0.999],
          eps: 1e-8,
          weight_decay: 1e-4,
          amsgrad: false,
        },
        seed: SEED,
        sampling: 'weighted',
        earlyStoppingPatience: 8,
        yieldEvery: 0,
      },
      kernels,
    );
    cache.folds.push({
      train,
      val,
      test,
      valLogits: Array.from(forwardLogits(result.params, va.x, va.n, kernels)),
      testLogits: Array.from(forwardLogits(result.params, te.x, te.n, kernels)),
    });
    console.error(`fold ${cache.folds.length}: trained`);
  }
  return cache;
}

mkdirSync(OUT, { recursive: true });
const cache: Cache = existsSync(CACHE)
  ? (JSON.parse(readFileSync(CACHE, 'utf8')) as Cache)
  : await buildCache();
writeFileSync(CACHE, JSON.stringify(cache));

// ---------- retrieval: SW raw scores of each query against candidate references ----------
interface Retrieval {
  cosinePerClass: number;
  kmerTop: number;
  kmerAlphabet?: 'aa20' | 'murphy10';
  seedTop?: number;
  seedPerClass?: number;
  seedBlOnly?: boolean;
  seedMinHits?: number;
  /** Besides the top seedTop, the best-ranked seed candidates of every class (at least this many each). */
  seedMinPerClass?: number;
  shapes?: string[];
}

interface Hits {
  /** per query: per class best raw score, best normalised similarity */
  raw: Float32Array;
  sim: Float32Array;
  /** best reference by raw score, and its raw score */
  bestRaw: Float32Array;
  bestLabel: Int32Array;
  bestSim: Float32Array;
  bestSimLabel: Int32Array;
  alignments: number;
  /** per query and class: −log10 E-value of the best raw score (Karlin-Altschul, BLOSUM62 11/1), ≥ 0 */
  evid: Float32Array;
}

function unitRows(rows: number[]): Float32Array {
  const x = takeRows(all, rows).x;
  for (let i = 0; i < rows.length; i++) {
    let s = 0;
    for (let j = 0; j < BUILTIN_DIM; j++) {
      s += (x[i * BUILTIN_DIM + j] as number) ** 2;
    }
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < BUILTIN_DIM; j++) {
      x[i * BUILTIN_DIM + j] = (x[i * BUILTIN_DIM + j] as number) * inv;
    }
  }
  return x;
}

function retrieve(refsRows: number[], queryRows: number[], r: Retrieval): Hits {
  const nq = queryRows.length;
  const nr = refsRows.length;
  const refSeqs = refsRows.map((i) => data.sequences[i] ?? '');
  const qSeqs = queryRows.map((i) => data.sequences[i] ?? '');
  const refCodes = codeSet(refSeqs);
  const qCodes = codeSet(qSeqs);
  const refSelf = refsRows.map((_, j) => selfScore(sequenceCodes(refCodes, j)));
  const refLabel = refsRows.map((i) => data.y[i] as number);
  const cand: number[][] = Array.from({ length: nq }, () => []);
  if (r.cosinePerClass > 0) {
    const ru = unitRows(refsRows);
    const qu = unitRows(queryRows);
    const cos = new Float32Array(nq * nr);
    kernels.gemm(false, true, nq, nr, BUILTIN_DIM, 1, qu, ru, 0, cos);
    for (let q = 0; q < nq; q++) {
      const row = cos.subarray(q * nr, (q + 1) * nr);
      for (let c = 0; c < K; c++) {
        const idx = refsRows.map((_, j) => j).filter((j) => refLabel[j] === c);
        idx.sort((a, b) => (row[b] as number) - (row[a] as number));
        cand[q]?.push(...idx.slice(0, r.cosinePerClass));
      }
    }
  }
  if (r.kmerTop > 0) {
    const index = buildKmerIndex(refSeqs, { alphabet: r.kmerAlphabet ?? 'aa20' });
    qSeqs.forEach((s, q) => {
      for (const c of index.search(s, { topK: r.kmerTop })) {
        cand[q]?.push(c.reference);
      }
    });
  }
  if ((r.seedTop ?? 0) > 0) {
    const indexed = refSeqs
      .map((_, j) => j)
      .filter((j) => r.seedBlOnly !== true || refLabel[j] !== NBL);
    const inner = buildSeedIndex(
      indexed.map((j) => refSeqs[j] ?? ''),
      r.shapes === undefined ? {} : { shapes: r.shapes },
    );
    const index = {
      search: (q: string, top: number) =>
        inner
          .search(q, top, r.seedMinHits ?? 2)
          .map((c) => ({ ...c, reference: indexed[c.reference] ?? 0 })),
    };
    const t0 = performance.now();
    qSeqs.forEach((s, q) => {
      const found = index.search(
        s,
        r.seedPerClass === undefined && r.seedMinPerClass === undefined ? (r.seedTop ?? 0) : 400,
      );
      if (r.seedMinPerClass !== undefined) {
        const taken = new Int32Array(K);
        found.forEach((c, rank) => {
          const label = refLabel[c.reference] as number;
          if (rank < (r.seedTop ?? 0) || (taken[label] as number) < (r.seedMinPerClass ?? 0)) {
            taken[label] = (taken[label] as number) + 1;
            cand[q]?.push(c.reference);
          }
        });
      } else if (r.seedPerClass === undefined) {
        for (const c of found) {
          cand[q]?.push(c.reference);
        }
      } else {
        const taken = new Int32Array(K);
        let total = 0;
        for (const c of found) {
          const label = refLabel[c.reference] as number;
          if ((taken[label] as number) < r.seedPerClass) {
            taken[label] = (taken[label] as number) + 1;
            cand[q]?.push(c.reference);
            if (++total >= (r.seedTop ?? 0)) {
              break;
            }
          }
        }
      }
    });
    const key = JSON.stringify(r);
    timed[key] = (timed[key] ?? 0) + (performance.now() - t0) / nq;
  }
  const pairs: number[] = [];
  cand.forEach((list, q) => {
    for (const ref of new Set(list)) {
      pairs.push(q, ref);
    }
  });
  const scores = aligner.run(qCodes, refCodes, Int32Array.from(pairs), false);
  const hits: Hits = {
    raw: new Float32Array(nq * K),
    sim: new Float32Array(nq * K),
    bestRaw: new Float32Array(nq),
    bestLabel: new Int32Array(nq).fill(-1),
    bestSim: new Float32Array(nq),
    bestSimLabel: new Int32Array(nq).fill(-1),
    alignments: pairs.length / 2,
    evid: new Float32Array(nq * K),
  };
  const qSelf = qSeqs.map((_, q) => selfScore(sequenceCodes(qCodes, q)));
  for (let p = 0; p < pairs.length / 2; p++) {
    const q = pairs[2 * p] as number;
    const ref = pairs[2 * p + 1] as number;
    const s = scores[p] as number;
    const c = refLabel[ref] as number;
    const sim = Math.min(
      1,
      s / Math.sqrt(Math.max(qSelf[q] as number, 1) * Math.max(refSelf[ref] as number, 1)),
    );
    if (s > (hits.raw[q * K + c] as number)) {
      hits.raw[q * K + c] = s;
    }
    if (sim > (hits.sim[q * K + c] as number)) {
      hits.sim[q * K + c] = sim;
    }
    if (s > (hits.bestRaw[q] as number)) {
      hits.bestRaw[q] = s;
      hits.bestLabel[q] = c;
    }
    if (sim > (hits.bestSim[q] as number)) {
      hits.bestSim[q] = sim;
      hits.bestSimLabel[q] = c;
    }
  }
  const dbSize = refSeqs.reduce((t, x) => t + x.length, 0);
  for (let q = 0; q < nq; q++) {
    for (let c = 0; c < K; c++) {
      const raw = hits.raw[q * K + c] as number;
      // log10 E = log10(K m n) − λ S / ln 10, with λ = 0.267, K = 0.041 (BLOSUM62, gaps 11/1).
      const log10E =
        Math.log10(0.041 * (qSeqs[q]?.length ?? 1) * dbSize) - (0.267 * raw) / Math.LN10;
      hits.evid[q * K + c] = Math.min(50, Math.max(0, -log10E));
    }
  }
  return hits;
}

// ---------- scoring ----------
function scoreOf(pred: Int32Array, rows: number[]): string {
  const yt = rows.map((i) => data.y[i] as number);
  const yp = rows.map((i) => pred[i] as number);
  const rep = classificationReport(yt, yp, MULTICLASS_LABELS);
  const present = rep.perClass.filter((c) => c.support > 0);
  const macro = present.reduce((s, c) => s + c.f1, 0) / present.length;
  const bin = classificationReport(
    yt.map((v) => (v === NBL ? 1 : 0)),
    yp.map((v) => (v === NBL ? 1 : 0)),
    ['BL', 'NBL'],
    { positive: 0 },
  );
  const bl = rows.filter((i) => data.y[i] !== NBL);
  const blAcc = bl.filter((i) => pred[i] === data.y[i]).length / Math.max(bl.length, 1);
  const hard = rows.filter((i) => data.hardNeg[i] === true);
  const fp = hard.filter((i) => pred[i] !== NBL).length;
  const errors = rows.filter((i) => pred[i] !== data.y[i]).length;
  return `${macro.toFixed(4)} | ${bin.f1.toFixed(4)} | ${blAcc.toFixed(4)} | ${fp} | ${errors}`;
}

const everyone = Array.from({ length: n }, (_, i) => i);
const low = everyone.filter((i) => !((cache.sensitiveIdentity[data.ids[i] ?? ''] ?? 0) >= 40));
console.log(`<40% subset: ${low.length} proteins`);
console.log(
  '| method | alignments/query | all: macroF1 | binF1 | BL acc | hardFP | errors | <40%: macroF1 | binF1 | BL acc | hardFP | errors |',
);
const diamond = Int32Array.from(data.ids, (id) => cache.diamond[id] ?? NBL);
const diamondS = Int32Array.from(data.ids, (id) => cache.diamondSensitive[id] ?? NBL);
console.log(`| DIAMOND default | – | ${scoreOf(diamond, everyone)} | ${scoreOf(diamond, low)} |`);
console.log(
  `| DIAMOND sensitive | – | ${scoreOf(diamondS, everyone)} | ${scoreOf(diamondS, low)} |`,
);

type Decision = (logits: Float32Array, hits: Hits, q: number, param: number) => number;
const argmax = (v: ArrayLike<number>, off: number): number => {
  let b = 0;
  for (let c = 1; c < K; c++) {
    if ((v[off + c] as number) > (v[off + b] as number)) {
      b = c;
    }
  }
  return b;
};
const decisions: Record<string, { grid: number[]; fn: Decision }> = {
  'mlp only': { grid: [0], fn: (l, _h, q) => argmax(l, q * K) },
  'fuse α·sim': {
    grid: [0, 1, 2, 4, 8, 16, 32, 64, 128],
    fn: (l, h, q, a) =>
      argmax(
        Array.from(
          { length: K },
          (_, c) => (l[q * K + c] as number) + a * (h.sim[q * K + c] as number),
        ),
        0,
      ),
  },
  'best raw hit if score ≥ t else mlp': {
    grid: [40, 60, 80, 100, 120, 150],
    fn: (l, h, q, t) =>
      (h.bestRaw[q] as number) >= t ? (h.bestLabel[q] as number) : argmax(l, q * K),
  },
  'fuse α·evid': {
    grid: [0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3],
    fn: (l, h, q, a) =>
      argmax(
        Array.from(
          { length: K },
          (_, c) => (l[q * K + c] as number) + a * (h.evid[q * K + c] as number),
        ),
        0,
      ),
  },
  'fuse 64·sim + α·evid': {
    grid: [0, 0.05, 0.1, 0.2, 0.3, 0.5, 1],
    fn: (l, h, q, a) =>
      argmax(
        Array.from(
          { length: K },
          (_, c) =>
            (l[q * K + c] as number) +
            64 * (h.sim[q * K + c] as number) +
            a * (h.evid[q * K + c] as number),
        ),
        0,
      ),
  },
  'fuse α·bits/100 (off)': {
    grid: [0, 1, 2, 4, 8, 16, 32, 64],
    fn: (l, h, q, a) =>
      argmax(
        Array.from(
          { length: K },
          (_, c) => (l[q * K + c] as number) + (a * (h.raw[q * K + c] as number)) / 100,
        ),
        0,
      ),
  },
};

const W4 = ['11011', '110101', '1100101', '1011001'];
const W6 = ['1110111', '11011011', '111010011', '1101100011'];
const timed: Record<string, number> = {};
// The variants of ADR 0010 (each takes 1-3 minutes on 2 cores).
const retrievals: [string, Retrieval][] = [
  ['cos1', { cosinePerClass: 1, kmerTop: 0 }],
  ['cos2', { cosinePerClass: 2, kmerTop: 0 }],
  ['kmer5 (aa20 k=3)', { cosinePerClass: 0, kmerTop: 5 }],
  ['cos1+seed20 w4', { cosinePerClass: 1, kmerTop: 0, seedTop: 20, shapes: W4 }],
  ['cos1+seed20 w6 (default)', { cosinePerClass: 1, kmerTop: 0, seedTop: 20, shapes: W6 }],
  ['cos1+seed10 w6', { cosinePerClass: 1, kmerTop: 0, seedTop: 10, shapes: W6 }],
  [
    'cos1+seed20 w6 min6',
    { cosinePerClass: 1, kmerTop: 0, seedTop: 20, shapes: W6, seedMinHits: 6 },
  ],
];
const perClassOnly = process.argv.includes('--per-class');
if (perClassOnly) {
  retrievals.length = 0;
  retrievals.push([
    'cos1+seed20 w6 (default)',
    { cosinePerClass: 1, kmerTop: 0, seedTop: 20, shapes: W6 },
  ]);
  for (const m of [1, 2, 4]) {
    retrievals.push([
      `cos1+seed20 w6 + ${m} per class`,
      { cosinePerClass: 1, kmerTop: 0, seedTop: 20, shapes: W6, seedMinPerClass: m },
    ]);
  }
}
for (const [rname, r] of process.argv.includes('--diagnose') || process.argv.includes('--rules')
  ? []
  : retrievals) {
  const valHits = cache.folds.map((f) => retrieve(f.train, f.val, r));
  const testHits = cache.folds.map((f) => retrieve(f.train, f.test, r));
  console.log(
    `${rname}: seed search ${((timed[JSON.stringify(r)] ?? 0) / 10).toFixed(3)} ms/query`,
  );
  const apq =
    testHits.reduce((s, h) => s + h.alignments, 0) /
    cache.folds.reduce((s, f) => s + f.test.length, 0);
  for (const [dname, d] of Object.entries(decisions).filter(
    ([name]) => !name.includes('(off)') && name !== 'mlp only',
  )) {
    // The parameter is chosen per fold on its validation rows (accuracy), then applied to test.
    const pred = new Int32Array(n);
    const chosen: number[] = [];
    cache.folds.forEach((f, fi) => {
      const vl = Float32Array.from(f.valLogits);
      const tl = Float32Array.from(f.testLogits);
      let best = d.grid[0] ?? 0;
      let bestCorrect = -1;
      for (const p of d.grid) {
        let correct = 0;
        f.val.forEach(
          (row, q) => (correct += d.fn(vl, valHits[fi] as Hits, q, p) === data.y[row] ? 1 : 0),
        );
        if (correct > bestCorrect) {
          bestCorrect = correct;
          best = p;
        }
      }
      chosen.push(best);
      f.test.forEach((row, q) => (pred[row] = d.fn(tl, testHits[fi] as Hits, q, best)));
    });
    console.log(
      `| ${rname} / ${dname} [${chosen.join(',')}] | ${apq.toFixed(1)} | ${scoreOf(pred, everyone)} | ${scoreOf(pred, low)} |`,
    );
  }
  // Per-class α: coordinate search on validation accuracy, starting from the best single α.
  {
    const grid = [0, 1, 2, 4, 8, 16, 32, 64, 128];
    const fuse = (l: Float32Array, h: Hits, q: number, alphas: number[]): number =>
      argmax(
        Array.from(
          { length: K },
          (_, c) => (l[q * K + c] as number) + (alphas[c] ?? 0) * (h.sim[q * K + c] as number),
        ),
        0,
      );
    const pred = new Int32Array(n);
    const chosen: string[] = [];
    cache.folds.forEach((f, fi) => {
      const vl = Float32Array.from(f.valLogits);
      const tl = Float32Array.from(f.testLogits);
      const hv = valHits[fi] as Hits;
      const correctOf = (alphas: number[]): number => {
        let correct = 0;
        f.val.forEach((row, q) => (correct += fuse(vl, hv, q, alphas) === data.y[row] ? 1 : 0));
        return correct;
      };
      let alphas = Array.from({ length: K }, () => 0);
      let best = -1;
      for (const a of grid) {
        const c = correctOf(Array.from({ length: K }, () => a));
        if (c > best) {
          best = c;
          alphas = Array.from({ length: K }, () => a);
        }
      }
      for (let pass = 0; pass < 2; pass++) {
        for (let c = 0; c < K; c++) {
          for (const a of grid) {
            const trial = alphas.slice();
            trial[c] = a;
            const score = correctOf(trial);
            if (score > best) {
              best = score;
              alphas = trial;
            }
          }
        }
      }
      chosen.push(alphas.join('/'));
      f.test.forEach((row, q) => (pred[row] = fuse(tl, testHits[fi] as Hits, q, alphas)));
    });
    console.log(
      `| ${rname} / per-class α [${chosen.join(' ')}] | ${apq.toFixed(1)} | ${scoreOf(pred, everyone)} | ${scoreOf(pred, low)} |`,
    );
  }
}

// ---------- diagnosis: hard negatives called beta-lactamases, and distant true beta-lactamases ----------
if (process.argv.includes('--diagnose')) {
  const r: Retrieval = {
    cosinePerClass: 1,
    kmerTop: 0,
    seedTop: 20,
    shapes: ['1110111', '11011011', '111010011', '1101100011'],
  };
  const lines: string[] = [];
  for (const f of cache.folds) {
    const hits = retrieve(f.train, f.test, r);
    const tl = Float32Array.from(f.testLogits);
    f.test.forEach((row, q) => {
      const pred = argmax(
        Array.from(
          { length: K },
          (_, c) => (tl[q * K + c] as number) + 64 * (hits.sim[q * K + c] as number),
        ),
        0,
      );
      const hard = data.hardNeg[row] === true;
      const distantBl =
        data.y[row] !== NBL && (cache.sensitiveIdentity[data.ids[row] ?? ''] ?? 0) < 40;
      if ((hard && pred !== NBL) || distantBl || pred !== data.y[row]) {
        const sims = Array.from({ length: K }, (_, c) =>
          (hits.sim[q * K + c] as number).toFixed(3),
        ).join(' ');
        const raws = Array.from({ length: K }, (_, c) => hits.raw[q * K + c]).join(' ');
        const logits = Array.from({ length: K }, (_, c) =>
          (tl[q * K + c] as number).toFixed(1),
        ).join(' ');
        lines.push(
          `${pred === data.y[row] ? 'ok ' : 'ERR'} ${hard ? 'HARD' : '    '} ${data.ids[row]} true=${MULTICLASS_LABELS[data.y[row] as number]} pred=${MULTICLASS_LABELS[pred]} sim[A B C D N]=${sims} raw=${raws} logits=${logits} len=${data.sequences[row]?.length}`,
        );
      }
    });
  }
  console.log(lines.sort().join('\n'));
}

// ---------- rules: the product's evidence path (homologyFeatures + fitFusion) and decision rules on top ----------
// Run: npx tsx bench/decision-lab.ts --rules
if (process.argv.includes('--rules')) {
  // --candidates N: cosine candidates per class (model.homology_candidates), default 1.
  const at = process.argv.indexOf('--candidates');
  const ruleCandidates = at < 0 ? 1 : Number(process.argv[at + 1]);
  const rows: RuleRow[] = [];
  for (const f of cache.folds) {
    const refs = prepareReferences(
      {
        sequences: f.train.map((i) => data.sequences[i] ?? ''),
        labels: Int32Array.from(f.train, (i) => data.y[i] as number),
        classes: K,
        embeddings: takeRows(all, f.train).x,
        dim: BUILTIN_DIM,
      },
      { seedShapes: DEFAULT_SHAPES },
    );
    const evidenceOf = (idx: number[]) =>
      homologyFeatures(
        { sequences: idx.map((i) => data.sequences[i] ?? ''), embeddings: takeRows(all, idx).x },
        refs,
        kernels,
        { candidates: ruleCandidates, seedCandidates: 20, pairAligner: aligner },
      );
    const ev = evidenceOf(f.val);
    const et = evidenceOf(f.test);
    const vl = Float32Array.from(f.valLogits);
    const tl = Float32Array.from(f.testLogits);
    const fusion = fitFusion(
      vl,
      ev.perClass,
      Int32Array.from(f.val, (i) => data.y[i] as number),
      K,
    );
    // Identity and coverage of each test protein's nearest reference (traceback), as predictor.ts.
    const withHit = f.test.map((_, q) => q).filter((q) => (et.best[q] as number) >= 0);
    const qCodes = codeSet(withHit.map((q) => data.sequences[f.test[q] as number] ?? ''));
    const al = aligner.run(
      qCodes,
      refs.codes,
      Int32Array.from(withHit.flatMap((q, j) => [j, et.best[q] as number])),
      true,
    );
    const identity = new Float32Array(f.test.length);
    const coverage = new Float32Array(f.test.length);
    const refCoverage = new Float32Array(f.test.length);
    withHit.forEach((q, j) => {
      const a = al.subarray(j * ALIGN_FIELDS, (j + 1) * ALIGN_FIELDS);
      identity[q] = (a[2] as number) === 0 ? 0 : (a[1] as number) / (a[2] as number);
      coverage[q] =
        ((a[4] as number) - (a[3] as number)) / (data.sequences[f.test[q] as number]?.length ?? 1);
      refCoverage[q] =
        ((a[6] as number) - (a[5] as number)) /
        (data.sequences[f.train[et.best[q] as number] as number]?.length ?? 1);
    });
    f.test.forEach((row, q) => {
      rows.push({
        row,
        logits: tl.slice(q * K, (q + 1) * K),
        sim: et.perClass.slice(q * K, (q + 1) * K),
        alpha: fusion.alpha,
        identity: identity[q] as number,
        coverage: coverage[q] as number,
        refCoverage: refCoverage[q] as number,
        nearestLabel: (et.best[q] as number) < 0 ? -1 : (f.train[et.best[q] as number] ?? -1),
      });
    });
    console.error(`fold: α ${fusion.alpha}, T ${fusion.temperature.toFixed(3)}`);
  }
  const everyoneR = Array.from({ length: n }, (_, i) => i);
  const lowR = everyoneR.filter((i) => !((cache.sensitiveIdentity[data.ids[i] ?? ''] ?? 0) >= 40));
  const fused = (r: RuleRow): number =>
    argmax(
      Array.from({ length: K }, (_, c) => (r.logits[c] as number) + r.alpha * (r.sim[c] as number)),
      0,
    );
  const rules: Record<string, (r: RuleRow) => number> = {
    'fused (product)': fused,
    'mlp only': (r) => argmax(r.logits, 0),
  };
  for (const t of [0.25, 0.28, 0.3, 0.32, 0.35]) {
    rules[`BL call, nearest identity < ${t}, MLP argmax differs → NBL`] = (r) => {
      const c = fused(r);
      return c !== NBL && r.identity < t && argmax(r.logits, 0) !== c ? NBL : c;
    };
  }
  for (const s of [0.05, 0.06, 0.08, 0.09, 0.1, 0.11, 0.12, 0.13]) {
    rules[`BL call needs sim(call) ≥ ${s}`] = (r) => {
      const c = fused(r);
      return c !== NBL && (r.sim[c] as number) < s ? NBL : c;
    };
    // The product's form (core/model/decision-rule.ts): classes without that evidence are masked out.
    rules[`mask BL classes with sim < ${s}`] = (r) =>
      argmax(
        Array.from({ length: K }, (_, c) =>
          c !== NBL && (r.sim[c] as number) < s
            ? -Infinity
            : (r.logits[c] as number) + r.alpha * (r.sim[c] as number),
        ),
        0,
      );
  }
  const pred = new Int32Array(n);
  for (const [name, rule] of Object.entries(rules)) {
    for (const r of rows) {
      pred[r.row] = rule(r);
    }
    const wrongHard = rows
      .filter((r) => data.hardNeg[r.row] === true && pred[r.row] !== NBL)
      .map((r) => data.ids[r.row]);
    console.log(
      `| ${name} | ${scoreOf(pred, everyoneR)} | ${scoreOf(pred, lowR)} | ${wrongHard.join(' ')}`,
    );
  }
  // Per protein: every hard negative or error of the product rule, and the distant true beta-lactamases.
  for (const r of rows) {
    const c = fused(r);
    const distant =
      data.y[r.row] !== NBL && (cache.sensitiveIdentity[data.ids[r.row] ?? ''] ?? 0) < 40;
    if (c !== data.y[r.row] || distant || (data.hardNeg[r.row] === true && c !== NBL)) {
      console.log(
        `${c === data.y[r.row] ? 'ok ' : 'ERR'} ${data.hardNeg[r.row] === true ? 'HARD' : '    '} ${data.ids[r.row]} true=${MULTICLASS_LABELS[data.y[r.row] as number]} fused=${MULTICLASS_LABELS[c]} mlp=${MULTICLASS_LABELS[argmax(r.logits, 0)]} α=${r.alpha} id=${r.identity.toFixed(3)} cov=${r.coverage.toFixed(2)}/${r.refCoverage.toFixed(2)} sim=${Array.from(r.sim, (v) => v.toFixed(3)).join(' ')} logits=${Array.from(r.logits, (v) => v.toFixed(1)).join(' ')}`,
      );
    }
  }
}
interface RuleRow {
  row: number;
  logits: Float32Array;
  sim: Float32Array;
  alpha: number;
  identity: number;
  coverage: number;
  refCoverage: number;
  nearestLabel: number;
}
