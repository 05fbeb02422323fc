// Bench: where prediction time goes, in process. Times each stage of the predictor (seed search,
// Smith-Waterman score pass, nearest-reference traceback, cosine candidates, classifier) over the
// shipped proteins, for a batch size, with a choice of score kernel. Diagnostic numbers for
// docs/benchmarks.md and ADR 0011; the DIAMOND comparison is bench/predict-throughput.ts.
// Run: npx tsx bench/predict-profile.ts --home DIR [--fasta FILE] [--n 4514] [--batch 256] [--score fastest|striped|scalar]
//   DIR holds a model trained by `arginator train` (registry alias latest:multiclass).
import { readFileSync } from 'node:fs';

import { BUILTIN_DIM, embedSequence } from '../src/core/embed/builtin-embedder.ts';
import { decodeArtifact } from '../src/core/model/artifact.ts';
import type { Kernels } from '../src/core/model/kernels.ts';
import { createPredictor } from '../src/core/model/predictor.ts';
import type { CodeSet, PairAligner } from '../src/core/sequence/pair-aligner.ts';
import type { SeedKernels } from '../src/core/sequence/seed-index.ts';
import {
  loadFastestKernels,
  loadFastestScreenKernels,
  loadFastestSeedKernels,
} from '../src/native/load-kernels.ts';
import type { ScreenKernels } from '../src/core/sequence/ungapped-screen.ts';
import { loadNativePairAligner, type SimdChoice } from '../src/native/native-pair-aligner.ts';
import { readFastaFile } from '../src/io/fasta-source.ts';
import { FASTA } from './lib/cv-data.ts';
import { latestMulticlassModel } from './lib/model-home.ts';
import { argValue, requiredHome } from './lib/args.ts';

const home = requiredHome();
const batch = Number(argValue('--batch') ?? 256);
const score = (argValue('--score') ?? 'fastest') as SimdChoice;

const found = latestMulticlassModel(home);
if (found === undefined) {
  throw new Error(`no multiclass model in ${home}: run \`arginator train\` there first`);
}
const { version } = found;
const model = decodeArtifact(readFileSync(found.path));
const references = model.header.homology?.references.sequences;
if (references === undefined) {
  throw new Error('the model has no references (model.homology=false)');
}
const shipped: string[] = [];
for await (const record of readFastaFile(argValue('--fasta') ?? FASTA)) {
  shipped.push(record.sequence);
}
const n = Math.min(Number(argValue('--n') ?? shipped.length), shipped.length);
const queries = shipped.slice(0, n);

const embed = (sequences: readonly string[]): Float32Array => {
  const out = new Float32Array(sequences.length * BUILTIN_DIM);
  sequences.forEach((s, i) =>
    embedSequence(s, out.subarray(i * BUILTIN_DIM, (i + 1) * BUILTIN_DIM)),
  );
  return out;
};

interface Stage {
  wallMs: number;
  cpuMs: number;
  calls: number;
}
const stages = new Map<string, Stage>();
/** Wall and process CPU time (all threads) of every call of f, under `name`. */
function timed<A extends unknown[], R>(name: string, f: (...a: A) => R): (...a: A) => R {
  return (...a: A): R => {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    const result = f(...a);
    const c = process.cpuUsage(c0);
    const s = stages.get(name) ?? { wallMs: 0, cpuMs: 0, calls: 0 };
    s.wallMs += performance.now() - w0;
    s.cpuMs += (c.user + c.system) / 1000;
    s.calls++;
    stages.set(name, s);
    return result;
  };
}

const base = loadFastestKernels({ threads: 2 });
const { gemmPacked } = base;
const kernels: Kernels = {
  ...base,
  gemm: timed('classifier and other products (gemm)', base.gemm.bind(base)),
  ...(gemmPacked === undefined
    ? {}
    : { gemmPacked: timed('cosine candidates (packed gemm)', gemmPacked) }),
};
const native = loadNativePairAligner(score);
if (native === undefined) {
  throw new Error('the native addon is not built (npm rebuild)');
}
const scorePass = timed(`score pass (${score})`, native.run.bind(native));
const traceback = timed('nearest-reference traceback', native.run.bind(native));
/** Pairs and Smith-Waterman cells (query × reference residues) of each pass. */
const work = { score: { pairs: 0, cells: 0 }, traceback: { pairs: 0, cells: 0 } };
const count = (
  into: { pairs: number; cells: number },
  q: CodeSet,
  t: CodeSet,
  pairs: Int32Array,
) => {
  for (let p = 0; p < pairs.length; p += 2) {
    const a = pairs[p] as number;
    const b = pairs[p + 1] as number;
    into.pairs++;
    into.cells +=
      ((q.offsets[a + 1] as number) - (q.offsets[a] as number)) *
      ((t.offsets[b + 1] as number) - (t.offsets[b] as number));
  }
};
const aligner: PairAligner = {
  name: native.name,
  run: (q, t, pairs, align, known, diagonals) => {
    count(align ? work.traceback : work.score, q, t, pairs);
    return (align ? traceback : scorePass)(q, t, pairs, align, known, diagonals);
  },
};
const seedBase = loadFastestSeedKernels();
const seeds: SeedKernels = {
  search: timed('seed search', seedBase.search),
  postings: timed('seed postings (start-up)', seedBase.postings),
};

const t0 = performance.now();
const screenBase = loadFastestScreenKernels();
const screenKernels: ScreenKernels = {
  build: timed('screen index (start-up)', screenBase.build),
  search: timed('ungapped screen', screenBase.search),
};
const predictor = createPredictor(
  model,
  kernels,
  embed(references),
  aligner,
  seeds,
  {},
  {
    screen: argValue('--no-screen') === undefined && !process.argv.includes('--no-screen'),
    screenKernels,
  },
);
const prepareMs = performance.now() - t0;
const embeddings = embed(queries);
const c0 = process.cpuUsage();
const w0 = performance.now();
for (let b = 0; b < n; b += batch) {
  const rows = Math.min(batch, n - b);
  predictor.predict(
    queries.slice(b, b + rows),
    embeddings.subarray(b * BUILTIN_DIM, (b + rows) * BUILTIN_DIM),
  );
}
const wall = performance.now() - w0;
const cpu = process.cpuUsage(c0);

console.log(
  `model ${version}, ${references.length} references; ${n} proteins in batches of ${batch}; score kernel ${native.name}; preparing the references ${prepareMs.toFixed(0)} ms`,
);
console.log('');
console.log('| stage | wall ms | CPU ms (all threads) | µs per protein (wall) | calls |');
console.log('| --- | --- | --- | --- | --- |');
let staged = 0;
for (const [name, s] of stages) {
  // Start-up stages run inside the first predict() call (prepare), so they are part of its wall time.
  staged += s.wallMs;
  console.log(
    `| ${name} | ${s.wallMs.toFixed(0)} | ${s.cpuMs.toFixed(0)} | ${((s.wallMs * 1000) / n).toFixed(0)} | ${s.calls} |`,
  );
}
console.log(
  `| rest (TypeScript glue, batches) | ${(wall - staged).toFixed(0)} | – | ${(((wall - staged) * 1000) / n).toFixed(0)} | – |`,
);
console.log(
  `| **all of predict()** | ${wall.toFixed(0)} | ${((cpu.user + cpu.system) / 1000).toFixed(0)} | ${((wall * 1000) / n).toFixed(0)} | – |`,
);
console.log('');
console.log(
  `Score pass: ${work.score.pairs} pairs, ${(work.score.cells / 1e9).toFixed(2)} billion cells; tracebacks: ${work.traceback.pairs} pairs, ${(work.traceback.cells / 1e6).toFixed(0)} million cells (of their whole matrices).`,
);
