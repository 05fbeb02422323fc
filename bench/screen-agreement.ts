// Bench: what the ungapped screen (ADR 0014) changes, in process, against the exhaustive candidates
// and against DIAMOND's hits, on the two inputs that are not references: the P. berghei proteome and
// the identity-cluster split's test proteins (the default model's references are that split's
// training side). Per input: calls changed, β-lactamase calls, proteins with a nearest reference,
// proteins with a DIAMOND hit (e ≤ 1e-3, default mode) that lost their nearest reference, and
// predict() wall time of both (alternating, median of --rounds).
// Run: npx tsx bench/screen-agreement.ts --home DIR [--rounds 3]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { BUILTIN_DIM } from '../src/core/embed/builtin-embedder.ts';
import { decodeArtifact } from '../src/core/model/artifact.ts';
import type { Prediction } from '../src/core/model/predictor.ts';
import { createPredictor } from '../src/core/model/predictor.ts';
import { readFastaFile } from '../src/io/fasta-source.ts';
import {
  loadFastestKernels,
  loadFastestPairAligner,
  loadFastestScreenKernels,
  loadFastestSeedKernels,
} from '../src/native/load-kernels.ts';
import { embedSequence } from '../src/core/embed/builtin-embedder.ts';
import { argNumber, requiredHome } from './lib/args.ts';
import { FASTA } from './lib/cv-data.ts';
import { diamondAvailable, runDiamondBlastp } from './lib/diamond-baseline.ts';
import { ensureMulticlassModel } from './lib/model-home.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const PROTEOME = join(ROOT, 'data/bench/UP000074855-P.berghei.fasta.gz');
const SPLIT = join(ROOT, 'data/default/splits/default-cluster40-split.json');
const home = requiredHome();
const rounds = argNumber('--rounds', 3);
if (!diamondAvailable()) {
  throw new Error('diamond is not installed (apt-get install diamond-aligner)');
}

const found = ensureMulticlassModel(home);
const model = decodeArtifact(readFileSync(found.path));
const homology = model.header.homology;
if (homology === undefined) {
  throw new Error('the model has no references (model.homology=false)');
}
const refs = homology.references;
const embed = (sequences: readonly string[]): Float32Array => {
  const out = new Float32Array(sequences.length * BUILTIN_DIM);
  sequences.forEach((s, i) =>
    embedSequence(s, out.subarray(i * BUILTIN_DIM, (i + 1) * BUILTIN_DIM)),
  );
  return out;
};
const kernels = loadFastestKernels({ threads: 2 });
const aligner = loadFastestPairAligner();
const seeds = loadFastestSeedKernels();
const refEmbeddings = embed(refs.sequences);
const exhaustive = createPredictor(
  model,
  kernels,
  refEmbeddings,
  aligner,
  seeds,
  {},
  {
    screen: false,
  },
);
const screened = createPredictor(
  model,
  kernels,
  refEmbeddings,
  aligner,
  seeds,
  {},
  {
    screenKernels: loadFastestScreenKernels(),
  },
);
exhaustive.prepare();
screened.prepare();

async function read(path: string, keep?: (id: string) => boolean) {
  const out: { id: string; sequence: string }[] = [];
  for await (const r of readFastaFile(path)) {
    if (keep === undefined || keep(r.id.split('|')[0] ?? '')) {
      out.push({ id: `q${out.length}`, sequence: r.sequence });
    }
  }
  return out;
}
const split = JSON.parse(readFileSync(SPLIT, 'utf8')) as { train: string[]; test: string[] };
const test = new Set(split.test);
const inputs = [
  { name: 'P. berghei proteome', queries: await read(PROTEOME) },
  { name: 'cluster-split test proteins', queries: await read(FASTA, (id) => test.has(id)) },
];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

console.log(
  `Model ${found.version} (${refs.sequences.length} references); predict() in batches of 256, ${rounds} alternating rounds (median); DIAMOND default mode, e ≤ 1e-3.\n`,
);
console.log(
  '| input | proteins | calls changed | β-lactamase calls (exhaustive → screened) | nearest references (exhaustive → screened) | DIAMOND hits | … of them without a nearest reference (screened) | predict() s (exhaustive → screened) |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const { name, queries } of inputs) {
  const sequences = queries.map((q) => q.sequence);
  const embeddings = embed(sequences);
  const run = (p: typeof screened): { out: Prediction[]; s: number } => {
    const t0 = performance.now();
    const out: Prediction[] = [];
    for (let b = 0; b < sequences.length; b += 256) {
      const n = Math.min(256, sequences.length - b);
      out.push(
        ...p.predict(
          sequences.slice(b, b + n),
          embeddings.subarray(b * BUILTIN_DIM, (b + n) * BUILTIN_DIM),
        ),
      );
    }
    return { out, s: (performance.now() - t0) / 1000 };
  };
  const times = { exhaustive: [] as number[], screened: [] as number[] };
  let a: Prediction[] = [];
  let b: Prediction[] = [];
  for (let r = 0; r < rounds; r++) {
    const first = r % 2 === 0;
    const x = first ? run(exhaustive) : run(screened);
    const y = first ? run(screened) : run(exhaustive);
    const [ex, sc] = first ? [x, y] : [y, x];
    times.exhaustive.push(ex.s);
    times.screened.push(sc.s);
    a = ex.out;
    b = sc.out;
  }
  const tsv = runDiamondBlastp(
    refs.sequences.map((sequence, i) => ({ id: `r${i}`, sequence })),
    queries,
    ['qseqid', 'sseqid'],
    ['--threads', '2', '-k', '1', '--evalue', '1e-3'],
  );
  const hits = new Set(
    tsv
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('\t')[0]),
  );
  const changed = a.filter((p, i) => p.label !== b[i]?.label).length;
  const bl = (ps: Prediction[]) => ps.filter((p) => p.label !== 'NBL').length;
  const near = (ps: Prediction[]) => ps.filter((p) => p.nearest !== undefined).length;
  const lost = queries.filter((q, i) => hits.has(q.id) && b[i]?.nearest === undefined).length;
  console.log(
    `| ${name} | ${queries.length} | ${changed} | ${bl(a)} → ${bl(b)} | ${near(a)} → ${near(b)} | ${hits.size} | ${lost} | ${median(times.exhaustive).toFixed(2)} → ${median(times.screened).toFixed(2)} |`,
  );
}
