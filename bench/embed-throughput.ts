// Bench: built-in embedding throughput (TypeScript on 1 and 2 worker threads, the native kernel on
// 1 and 2 C++ threads and as the embedder predict uses) and `arginator embed` end to end, against
// DIAMOND blastp (default mode, 2 threads) on the same proteins, in the same run. The in-process
// variants run alternately, round after round, so a busy neighbour slows all of them alike; the
// native/TypeScript ratio is given per round.
// Run: npm run build && npx tsx bench/embed-throughput.ts [--repeat 3] [--fasta FILE]
//   e.g. --fasta data/bench/UP000074855-P.berghei.fasta.gz (4,927 proteins, 3.4M residues)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  builtinEmbedderFactory,
  createBuiltinEmbedderFactory,
} from '../src/core/embed/builtin-embedder.ts';
import type { Embedder } from '../src/core/embed/embedder.ts';
import type { ProteinRecord } from '../src/core/sequence/protein-record.ts';
import { createThreadedEmbedder } from '../src/embedders/threaded/threaded-embedder.ts';
import { readFastaFile } from '../src/io/fasta-source.ts';
import { loadNativeBuiltinKernel } from '../src/native/native-builtin-embedder.ts';
import { argValue } from './lib/args.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const DATASET = argValue('--fasta') ?? join(ROOT, 'data/default/default.fasta.gz');
const REPEAT = Number(argValue('--repeat') ?? 3);

async function loadProteins(): Promise<ProteinRecord[]> {
  const out: ProteinRecord[] = [];
  for await (const r of readFastaFile(DATASET)) {
    out.push(r);
  }
  return out;
}

/** Runs every variant once per round, REPEAT rounds; returns each variant's seconds per round. */
async function alternate(
  variants: Record<string, () => Promise<void>>,
): Promise<Record<string, number[]>> {
  const times: Record<string, number[]> = {};
  for (let round = 0; round < REPEAT; round++) {
    for (const [label, run] of Object.entries(variants)) {
      const t0 = performance.now();
      await run();
      (times[label] ??= []).push((performance.now() - t0) / 1000);
    }
  }
  return times;
}

async function embedAll(embedder: Embedder, proteins: readonly ProteinRecord[]): Promise<void> {
  const batch = 256;
  const inFlight: Promise<Float32Array[]>[] = [];
  for (let i = 0; i < proteins.length; i += batch) {
    inFlight.push(embedder.embed(proteins.slice(i, i + batch)));
    if (inFlight.length >= 2) {
      await inFlight.shift();
    }
  }
  await Promise.all(inFlight);
}

function wallSeconds(cmd: string, args: readonly string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  }
  return (performance.now() - t0) / 1000;
}

function bestWall(label: string, n: number, cmd: string, args: readonly string[]): number {
  let best = Infinity;
  for (let i = 0; i < REPEAT; i++) {
    best = Math.min(best, wallSeconds(cmd, args));
  }
  console.error(
    `${label}: ${best.toFixed(2)} s, ${Math.round(n / best)} proteins/s (best of ${REPEAT})`,
  );
  return n / best;
}

const proteins = await loadProteins();
const n = proteins.length;
const residues = proteins.reduce((s, p) => s + p.sequence.length, 0);
const sequences = proteins.map((p) => p.sequence);
const single = await builtinEmbedderFactory.create({});
const threaded = createThreadedEmbedder(await builtinEmbedderFactory.create({}), 'builtin', {}, 2);
await embedAll(threaded, proteins.slice(0, 512)); // start the workers before timing
const kernel = loadNativeBuiltinKernel();
const TS1 = 'builtin TypeScript, 1 thread (in process)';
const TS2 = 'builtin TypeScript, 2 worker threads';
const N1 = 'builtin native, whole set in one call, 1 thread';
const N2 = 'builtin native, whole set in one call, 2 threads';
const NE = 'builtin native embedder (batches of 256, 2 in flight, as predict)';
const variants: Record<string, () => Promise<void>> = {
  [TS1]: () => embedAll(single, proteins),
  [TS2]: () => embedAll(threaded, proteins),
};
if (kernel === undefined) {
  console.error('native addon without builtinEmbed: run `node scripts/build-native.mjs`');
} else {
  const nativeEmbedder = await createBuiltinEmbedderFactory(kernel).create({});
  variants[N1] = () => Promise.resolve(void kernel.embedBatchSync(sequences, 1));
  variants[N2] = () => Promise.resolve(void kernel.embedBatchSync(sequences, 2));
  variants[NE] = () => embedAll(nativeEmbedder, proteins);
}
const times = await alternate(variants);
await threaded.close();

const results: Record<string, number> = {};
for (const [label, seconds] of Object.entries(times)) {
  const best = Math.min(...seconds);
  results[label] = n / best;
  console.error(
    `${label}: best ${(best * 1000).toFixed(0)} ms, ${((residues / best) * 1e-6).toFixed(1)}M residues/s (${seconds.map((t) => (t * 1000).toFixed(0)).join(' ')} ms)`,
  );
}
const ratios = (label: string): string =>
  (times[label] ?? []).map((t, i) => ((times[TS1]?.[i] ?? NaN) / t).toFixed(1)).join(' ');
for (const label of [TS2, N1, N2, NE]) {
  if (times[label] !== undefined) {
    console.error(`${label} vs ${TS1}, per round: ${ratios(label)}x`);
  }
}

const DIAMOND = 'DIAMOND blastp (default mode, 2 threads), same proteins vs same references';
const work = mkdtempSync(join(tmpdir(), 'arginator-bench-'));
try {
  const bin = join(ROOT, 'dist/cli/bin.js');
  results['arginator embed (process start to HDF5 written, 2 threads)'] = bestWall(
    'arginator embed',
    n,
    process.execPath,
    [bin, 'embed', DATASET, '--out', join(work, 'x.h5'), '--quiet'],
  );

  const diamondVersion = spawnSync('diamond', ['version'], { encoding: 'utf8' });
  if (diamondVersion.status === 0) {
    const fasta = join(work, 'q.faa');
    writeFileSync(fasta, proteins.map((p) => `>${p.id}\n${p.sequence}\n`).join(''));
    execFileSync('diamond', ['makedb', '--in', fasta, '--db', join(work, 'ref'), '--quiet']);
    results[DIAMOND] = bestWall('diamond blastp', n, 'diamond', [
      'blastp',
      '-q',
      fasta,
      '-d',
      join(work, 'ref'),
      '-o',
      join(work, 'hits.tsv'),
      '--threads',
      '2',
      '-k',
      '1',
      '--quiet',
    ]);
  } else {
    console.error('diamond not found: install Debian diamond-aligner to get the reference column');
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const diamond = results[DIAMOND];
const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `Proteins: ${n.toLocaleString('en-US')} (${DATASET}, ${residues.toLocaleString('en-US')} residues, ${Math.round(residues / n)} aa mean length); ${availableParallelism()} cores, ${cpu}; Node ${process.version}\n`,
);
console.log('| what | proteins/s | residues/s | × DIAMOND |');
console.log('|---|---|---|---|');
for (const [what, rate] of Object.entries(results)) {
  const ratio = diamond === undefined ? 'n/a' : `${(rate / diamond).toFixed(1)}×`;
  const perResidue = `${((rate * residues) / n / 1e6).toFixed(1)}M`;
  console.log(
    `| ${what} | ${Math.round(rate).toLocaleString('en-US')} | ${perResidue} | ${ratio} |`,
  );
}
