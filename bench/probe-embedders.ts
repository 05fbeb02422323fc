// Probe: scores candidate built-in embedders with group 5-fold CV over 40%-identity clusters, next to DIAMOND.
// Run: npx tsx bench/probe-embedders.ts   (needs data/default/derived/clusters-cdhit40.tsv and diamond on PATH)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createFeaturizer, type BlockSpec } from '../src/core/embed/feature-layout.ts';
import { BUILTIN_BLOCKS } from '../src/core/embed/builtin-embedder.ts';
import { createRng, shuffleInPlace, type Rng } from '../src/core/rng.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const OUT = join(ROOT, 'bench/out/probe');
const CLASSES = ['A', 'B', 'C', 'D', 'NBL'] as const;
const NBL = 4;
const FOLDS = 5;
const SEED = 20240722;
const HARD_NEG_GROUPS = new Set(['amr_hardneg', 'hardneg_pbp_ddpeptidase', 'hardneg_mbl_fold']);
const LOW_IDENTITY = 40;

interface Protein {
  id: string;
  seq: string;
  y: number;
  group: string;
  cluster: string;
}

// ---------- data ----------
function readData(): Protein[] {
  const fasta = gunzipSync(readFileSync(join(ROOT, 'data/default/default.fasta.gz'))).toString(
    'utf8',
  );
  const seqs = new Map<string, string>();
  for (const chunk of fasta.split('>').slice(1)) {
    const nl = chunk.indexOf('\n');
    const id = (chunk.slice(0, nl).split(/\s/)[0] ?? '').split('|')[0] ?? '';
    seqs.set(
      id,
      chunk
        .slice(nl + 1)
        .replace(/\s+/g, '')
        .toUpperCase(),
    );
  }
  const clusters = new Map<string, string>();
  for (const line of readFileSync(join(ROOT, 'data/default/derived/clusters-cdhit40.tsv'), 'utf8')
    .split('\n')
    .slice(1)) {
    const [id, c] = line.split('\t');
    if (id !== undefined && c !== undefined && id !== '') {
      clusters.set(id, c);
    }
  }
  const out: Protein[] = [];
  for (const line of readFileSync(join(ROOT, 'data/default/labels.tsv'), 'utf8')
    .split('\n')
    .slice(1)) {
    const f = line.split('\t');
    const id = f[0] ?? '';
    if (id === '') {
      continue;
    }
    const y = CLASSES.indexOf((f[1] ?? '') as (typeof CLASSES)[number]);
    const seq = seqs.get(id);
    const cluster = clusters.get(id);
    if (y < 0 || seq === undefined || cluster === undefined) {
      throw new Error(`inconsistent data for ${id}`);
    }
    out.push({ id, seq, y, group: f[4] ?? '', cluster });
  }
  return out;
}

/** Stratified group k-fold: clusters (label-pure here) go, largest first, to the fold with fewest of that label. */
function groupFolds(data: readonly Protein[], rng: Rng): Int32Array {
  const byCluster = new Map<string, number[]>();
  data.forEach((p, i) => {
    const list = byCluster.get(p.cluster) ?? [];
    list.push(i);
    byCluster.set(p.cluster, list);
  });
  const clusters = shuffleInPlace([...byCluster.values()], rng).sort((a, b) => b.length - a.length);
  const perLabel = Array.from({ length: CLASSES.length }, () => new Array<number>(FOLDS).fill(0));
  const total = new Array<number>(FOLDS).fill(0);
  const fold = new Int32Array(data.length);
  for (const members of clusters) {
    const counts = new Array<number>(CLASSES.length).fill(0);
    for (const i of members) {
      const y = data[i]?.y ?? 0;
      counts[y] = (counts[y] ?? 0) + 1;
    }
    const major = counts.indexOf(Math.max(...counts));
    const row = perLabel[major] ?? [];
    let best = 0;
    for (let f = 1; f < FOLDS; f++) {
      const key = (g: number): number => (row[g] ?? 0) * 1e6 + (total[g] ?? 0);
      if (key(f) < key(best)) {
        best = f;
      }
    }
    for (const i of members) {
      fold[i] = best;
    }
    counts.forEach((c, y) => {
      const r = perLabel[y];
      if (r !== undefined) {
        r[best] = (r[best] ?? 0) + c;
      }
    });
    total[best] = (total[best] ?? 0) + members.length;
  }
  return fold;
}

// ---------- DIAMOND baseline ----------
interface Hit {
  identity: number;
  label: number;
}

function diamondHits(data: readonly Protein[], fold: Int32Array): (Hit | null)[] {
  const dir = join(OUT, 'diamond');
  mkdirSync(dir, { recursive: true });
  const best: (Hit | null)[] = data.map(() => null);
  const index = new Map(data.map((p, i) => [p.id, i]));
  for (let f = 0; f < FOLDS; f++) {
    const tsv = join(dir, `fold${f}.tsv`);
    if (!existsSync(tsv)) {
      const fa = (pred: (i: number) => boolean): string =>
        data.map((p, i) => (pred(i) ? `>${p.id}\n${p.seq}\n` : '')).join('');
      writeFileSync(
        join(dir, `train${f}.fa`),
        fa((i) => fold[i] !== f),
      );
      writeFileSync(
        join(dir, `test${f}.fa`),
        fa((i) => fold[i] === f),
      );
      execFileSync('diamond', [
        'makedb',
        '--in',
        join(dir, `train${f}.fa`),
        '-d',
        join(dir, `train${f}`),
        '--quiet',
      ]);
      execFileSync('diamond', [
        'blastp',
        '--sensitive',
        '--threads',
        '2',
        '--quiet',
        '-k',
        '1',
        '-e',
        '1e-3',
        '-q',
        join(dir, `test${f}.fa`),
        '-d',
        join(dir, `train${f}`),
        '-o',
        `${tsv}.tmp`,
        '--outfmt',
        '6',
        'qseqid',
        'sseqid',
        'pident',
        'bitscore',
      ]);
      writeFileSync(tsv, readFileSync(`${tsv}.tmp`));
    }
    const bits = new Map<number, number>();
    for (const line of readFileSync(tsv, 'utf8').split('\n')) {
      const [q, s, pid, bit] = line.split('\t');
      const qi = index.get(q ?? '');
      const si = index.get(s ?? '');
      if (qi === undefined || si === undefined) {
        continue;
      }
      const b = Number(bit);
      if (b > (bits.get(qi) ?? -1)) {
        bits.set(qi, b);
        best[qi] = { identity: Number(pid), label: data[si]?.y ?? NBL };
      }
    }
  }
  return best;
}

// ---------- classifiers ----------
type Matrix = Float32Array[];

function nearestCentroid(X: Matrix, y: Int32Array, train: number[], test: number[]): Int32Array {
  const dim = X[0]?.length ?? 0;
  const cent = CLASSES.map(() => new Float64Array(dim));
  for (const i of train) {
    const c = cent[y[i] ?? 0];
    const x = X[i];
    if (c === undefined || x === undefined) {
      continue;
    }
    for (let d = 0; d < dim; d++) {
      c[d] = (c[d] ?? 0) + (x[d] ?? 0);
    }
  }
  for (const c of cent) {
    let ss = 0;
    for (const v of c) {
      ss += v * v;
    }
    const s = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let d = 0; d < dim; d++) {
      c[d] = (c[d] ?? 0) * s;
    }
  }
  const pred = new Int32Array(test.length);
  test.forEach((i, t) => {
    const x = X[i] ?? new Float32Array(dim);
    let bestK = NBL;
    let bestS = -Infinity;
    cent.forEach((c, k) => {
      let s = 0;
      for (let d = 0; d < dim; d++) {
        s += (c[d] ?? 0) * (x[d] ?? 0);
      }
      if (s > bestS) {
        bestS = s;
        bestK = k;
      }
    });
    pred[t] = bestK;
  });
  return pred;
}

/** Multinomial logistic regression: standardised features, class weights, Adam, L2; fixed a priori settings. */
const LR = { epochs: 30, batch: 64, lr: 2e-3, l2: 1e-3 };

function logisticRegression(
  X: Matrix,
  y: Int32Array,
  train: number[],
  test: number[],
  rng: Rng,
): Int32Array {
  const dim = X[0]?.length ?? 0;
  const K = CLASSES.length;
  const mean = new Float64Array(dim);
  const sd = new Float64Array(dim);
  for (const i of train) {
    const x = X[i] ?? new Float32Array(dim);
    for (let d = 0; d < dim; d++) {
      mean[d] = (mean[d] ?? 0) + (x[d] ?? 0);
    }
  }
  for (let d = 0; d < dim; d++) {
    mean[d] = (mean[d] ?? 0) / train.length;
  }
  for (const i of train) {
    const x = X[i] ?? new Float32Array(dim);
    for (let d = 0; d < dim; d++) {
      const v = (x[d] ?? 0) - (mean[d] ?? 0);
      sd[d] = (sd[d] ?? 0) + v * v;
    }
  }
  for (let d = 0; d < dim; d++) {
    const s = Math.sqrt((sd[d] ?? 0) / train.length);
    sd[d] = s > 1e-8 ? 1 / s : 0;
  }
  const z = (i: number): Float64Array => {
    const x = X[i] ?? new Float32Array(dim);
    const o = new Float64Array(dim);
    for (let d = 0; d < dim; d++) {
      o[d] = ((x[d] ?? 0) - (mean[d] ?? 0)) * (sd[d] ?? 0);
    }
    return o;
  };
  const Ztrain = train.map(z);
  const counts = new Array<number>(K).fill(0);
  for (const i of train) {
    const k = y[i] ?? 0;
    counts[k] = (counts[k] ?? 0) + 1;
  }
  const cw = counts.map((c) => (c > 0 ? train.length / (K * c) : 0));
  const P = (dim + 1) * K;
  const w = new Float64Array(P);
  const m = new Float64Array(P);
  const v = new Float64Array(P);
  const g = new Float64Array(P);
  const logits = new Float64Array(K);
  let step = 0;
  const order = train.map((_, t) => t);
  for (let epoch = 0; epoch < LR.epochs; epoch++) {
    shuffleInPlace(order, rng);
    for (let b0 = 0; b0 < order.length; b0 += LR.batch) {
      g.fill(0);
      const batch = order.slice(b0, b0 + LR.batch);
      let wsum = 0;
      for (const t of batch) {
        const x = Ztrain[t] ?? new Float64Array(dim);
        const yk = y[train[t] ?? 0] ?? 0;
        let mx = -Infinity;
        for (let k = 0; k < K; k++) {
          let s = w[k * (dim + 1) + dim] ?? 0;
          const off = k * (dim + 1);
          for (let d = 0; d < dim; d++) {
            s += (w[off + d] ?? 0) * (x[d] ?? 0);
          }
          logits[k] = s;
          mx = Math.max(mx, s);
        }
        let sum = 0;
        for (let k = 0; k < K; k++) {
          const e = Math.exp((logits[k] ?? 0) - mx);
          logits[k] = e;
          sum += e;
        }
        const sw = cw[yk] ?? 1;
        wsum += sw;
        for (let k = 0; k < K; k++) {
          const err = ((logits[k] ?? 0) / sum - (k === yk ? 1 : 0)) * sw;
          const off = k * (dim + 1);
          for (let d = 0; d < dim; d++) {
            g[off + d] = (g[off + d] ?? 0) + err * (x[d] ?? 0);
          }
          g[off + dim] = (g[off + dim] ?? 0) + err;
        }
      }
      step++;
      const b1 = 0.9;
      const b2 = 0.999;
      for (let p = 0; p < P; p++) {
        const isBias = p % (dim + 1) === dim;
        const gp = (g[p] ?? 0) / wsum + (isBias ? 0 : LR.l2 * (w[p] ?? 0));
        m[p] = b1 * (m[p] ?? 0) + (1 - b1) * gp;
        v[p] = b2 * (v[p] ?? 0) + (1 - b2) * gp * gp;
        const mh = (m[p] ?? 0) / (1 - b1 ** step);
        const vh = (v[p] ?? 0) / (1 - b2 ** step);
        w[p] = (w[p] ?? 0) - (LR.lr * mh) / (Math.sqrt(vh) + 1e-8);
      }
    }
  }
  const pred = new Int32Array(test.length);
  test.forEach((i, t) => {
    const x = z(i);
    let bestK = NBL;
    let bestS = -Infinity;
    for (let k = 0; k < K; k++) {
      const off = k * (dim + 1);
      let s = w[off + dim] ?? 0;
      for (let d = 0; d < dim; d++) {
        s += (w[off + d] ?? 0) * (x[d] ?? 0);
      }
      if (s > bestS) {
        bestS = s;
        bestK = k;
      }
    }
    pred[t] = bestK;
  });
  return pred;
}

// ---------- metrics ----------
interface Scores {
  n: number;
  macroF1: number;
  binaryF1: number;
  blClassAcc: number;
  hardNegFP: string;
}

function f1(tp: number, fp: number, fn: number): number {
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

function score(data: readonly Protein[], pred: Int32Array, subset: number[]): Scores {
  let macro = 0;
  let present = 0;
  for (let k = 0; k < CLASSES.length; k++) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const i of subset) {
      const yt = data[i]?.y;
      const yp = pred[i];
      tp += yt === k && yp === k ? 1 : 0;
      fp += yt !== k && yp === k ? 1 : 0;
      fn += yt === k && yp !== k ? 1 : 0;
    }
    if (tp + fn > 0) {
      macro += f1(tp, fp, fn);
      present++;
    }
  }
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let blN = 0;
  let blOk = 0;
  let hn = 0;
  let hnFp = 0;
  for (const i of subset) {
    const p = data[i];
    const yp = pred[i] ?? NBL;
    if (p === undefined) {
      continue;
    }
    const isBl = p.y !== NBL;
    const predBl = yp !== NBL;
    tp += isBl && predBl ? 1 : 0;
    fp += !isBl && predBl ? 1 : 0;
    fn += isBl && !predBl ? 1 : 0;
    if (isBl) {
      blN++;
      blOk += yp === p.y ? 1 : 0;
    }
    if (HARD_NEG_GROUPS.has(p.group)) {
      hn++;
      hnFp += predBl ? 1 : 0;
    }
  }
  return {
    n: subset.length,
    macroF1: present > 0 ? macro / present : 0,
    binaryF1: f1(tp, fp, fn),
    blClassAcc: blN > 0 ? blOk / blN : 0,
    hardNegFP: `${hnFp}/${hn}`,
  };
}

// ---------- candidates ----------
const k = (
  alphabet: 'aa20' | 'murphy10' | 'phys6',
  offsets: number[],
  bins: number,
  weight = 1,
): BlockSpec => ({
  kind: 'kmer',
  alphabet,
  offsets,
  bins,
  weight,
});
const AAC = k('aa20', [0], 20);
const DPC = k('aa20', [0, 1], 400);
const MOTIF: BlockSpec = { kind: 'motif', weight: 1 };
const LEN: BlockSpec = { kind: 'length', weight: 1 };
const M10_GAPPED = [1, 2, 3, 4].map((g) => k('murphy10', [0, g], 100));
const CANDIDATES: Record<string, BlockSpec[]> = {
  'aac (20)': [k('aa20', [0], 20)],
  'dpc (400)': [k('aa20', [0, 1], 400)],
  'aa20 3-mer hash (1024)': [k('aa20', [0, 1, 2], 1024)],
  'murphy10 3-mer (1000)': [k('murphy10', [0, 1, 2], 1000)],
  'murphy10 4-mer hash (1024)': [k('murphy10', [0, 1, 2, 3], 1024)],
  'phys6 4-mer hash (1024)': [k('phys6', [0, 1, 2, 3], 1024)],
  'phys6 5-mer hash (1024)': [k('phys6', [0, 1, 2, 3, 4], 1024)],
  'murphy10 spaced 1101+1011 hash (2x512)': [
    k('murphy10', [0, 1, 3], 512),
    k('murphy10', [0, 2, 3], 512),
  ],
  'motif+length (458)': [
    { kind: 'motif', weight: 1 },
    { kind: 'length', weight: 1 },
  ],
  'aac+dpc+len (432)': [k('aa20', [0], 20), k('aa20', [0, 1], 400), { kind: 'length', weight: 1 }],
  'aac+dpc+m10k4+len (944)': [
    k('aa20', [0], 20),
    k('aa20', [0, 1], 400),
    k('murphy10', [0, 1, 2, 3], 512),
    { kind: 'length', weight: 1 },
  ],
  'aac+dpc+m10k4+motif+len (1402)': [
    k('aa20', [0], 20),
    k('aa20', [0, 1], 400),
    k('murphy10', [0, 1, 2, 3], 512),
    { kind: 'motif', weight: 1 },
    { kind: 'length', weight: 1 },
  ],
  'murphy10 gapped pairs g0..3 (4x100)': M10_GAPPED,
  'aac+dpc+motif+len (878)': [AAC, DPC, MOTIF, LEN],
  'aac+dpc+m10gap+motif+len (1278)': [AAC, DPC, ...M10_GAPPED, MOTIF, LEN],
  'aac+dpc+m10k3+motif+len (1878)': [AAC, DPC, k('murphy10', [0, 1, 2], 1000), MOTIF, LEN],
  'aac+dpc+m10k3h512+motif+len (1390)': [AAC, DPC, k('murphy10', [0, 1, 2], 512), MOTIF, LEN],
  'aac+m10gap+m10k3+motif+len (1878)': [
    AAC,
    ...M10_GAPPED,
    k('murphy10', [0, 1, 2], 1000),
    MOTIF,
    LEN,
  ],
  'builtin-v1': [...BUILTIN_BLOCKS],
};

// ---------- main ----------
function main(): void {
  mkdirSync(OUT, { recursive: true });
  const only = process.argv.slice(2);
  const data = readData();
  const fold = groupFolds(data, createRng(SEED));
  const foldSummary = Array.from({ length: FOLDS }, (_, f) =>
    CLASSES.map((_, y) => data.filter((p, i) => fold[i] === f && p.y === y).length).join('/'),
  );
  console.error(`folds (A/B/C/D/NBL): ${foldSummary.join('  ')}`);
  const hits = diamondHits(data, fold);
  const all = data.map((_, i) => i);
  const low = all.filter((i) => (hits[i]?.identity ?? 0) < LOW_IDENTITY);
  const lowBl = low.filter((i) => data[i]?.y !== NBL).length;
  console.error(
    `<${LOW_IDENTITY}% identity to train (or no hit): ${low.length} proteins, ${lowBl} beta-lactamases`,
  );
  const diamondPred = Int32Array.from(hits, (h) => h?.label ?? NBL);
  const rows: Record<string, unknown>[] = [];
  const fmt = (s: Scores): string =>
    `${s.macroF1.toFixed(3)} | ${s.binaryF1.toFixed(3)} | ${s.blClassAcc.toFixed(3)} | ${s.hardNegFP}`;
  const table: string[] = [
    '| embedder | dim | probe | emb/s | all: macro-F1 | bin-F1 | BL class acc | hard-neg FP | <40%: macro-F1 | bin-F1 | BL class acc | hard-neg FP |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const addRow = (
    name: string,
    dim: string,
    probe: string,
    rate: string,
    pred: Int32Array,
  ): void => {
    const sAll = score(data, pred, all);
    const sLow = score(data, pred, low);
    rows.push({ name, dim, probe, rate, all: sAll, low: sLow });
    const line = `| ${name} | ${dim} | ${probe} | ${rate} | ${fmt(sAll)} | ${fmt(sLow)} |`;
    table.push(line);
    console.error(line);
  };
  addRow('DIAMOND best hit (--sensitive)', '–', '–', '–', diamondPred);
  const y = Int32Array.from(data, (p) => p.y);
  for (const [name, blocks] of Object.entries(CANDIDATES)) {
    if (only.length > 0 && !only.some((o) => name.includes(o))) {
      continue;
    }
    const fz = createFeaturizer(blocks);
    fz.embed(data[0]?.seq ?? 'M');
    // Throughput: embed everything twice into one reused buffer (the second pass is timed).
    const buf = new Float32Array(fz.dim);
    for (const p of data) {
      fz.embed(p.seq, buf);
    }
    const t0 = performance.now();
    for (const p of data) {
      fz.embed(p.seq, buf);
    }
    const rate = Math.round(data.length / ((performance.now() - t0) / 1000));
    const X = data.map((p) => fz.embed(p.seq));
    const predNc = new Int32Array(data.length);
    const predLr = new Int32Array(data.length);
    for (let f = 0; f < FOLDS; f++) {
      const train = all.filter((i) => fold[i] !== f);
      const test = all.filter((i) => fold[i] === f);
      const nc = nearestCentroid(X, y, train, test);
      const lr = logisticRegression(X, y, train, test, createRng(SEED + f));
      test.forEach((i, t) => {
        predNc[i] = nc[t] ?? NBL;
        predLr[i] = lr[t] ?? NBL;
      });
    }
    addRow(name, String(fz.dim), 'centroid', String(rate), predNc);
    addRow(name, String(fz.dim), 'logreg', String(rate), predLr);
  }
  const meanLen = data.reduce((a, p) => a + p.seq.length, 0) / data.length;
  const header = [
    `# built-in embedder probe (${new Date().toISOString()})`,
    `${data.length} proteins (mean length ${meanLen.toFixed(0)} aa), stratified group ${FOLDS}-fold over cd-hit 40% clusters, seed ${SEED}.`,
    `<${LOW_IDENTITY}% subset: ${low.length} proteins (${lowBl} beta-lactamases) whose best DIAMOND hit in the training fold is <${LOW_IDENTITY}% identical, or none.`,
    `folds (A/B/C/D/NBL): ${foldSummary.join('  ')}`,
    `logreg: ${JSON.stringify(LR)}; emb/s = proteins per second, one thread, embedding only.`,
    '',
  ];
  const suffix = only.length > 0 ? `-${only.join('_').replace(/[^\w]+/g, '_')}` : '';
  writeFileSync(
    join(OUT, `results${suffix}.json`),
    JSON.stringify({ folds: foldSummary, nLow: low.length, rows }, null, 2),
  );
  writeFileSync(join(OUT, `table${suffix}.md`), [...header, ...table, ''].join('\n'));
  console.error(`wrote ${join(OUT, `table${suffix}.md`)}`);
}

main();
