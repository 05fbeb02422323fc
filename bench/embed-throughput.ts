// Bench: built-in embedding throughput (1 and 2 worker threads) and `arginator embed` end to end,
// against DIAMOND blastp (default mode, 2 threads) on the same proteins, in the same run.
// Run: npm run build && npx tsx bench/embed-throughput.ts [--repeat 3]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

import { builtinEmbedderFactory } from '../src/core/embed/builtin-embedder.ts';
import type { Embedder } from '../src/core/embed/embedder.ts';
import type { ProteinRecord } from '../src/core/sequence/protein-record.ts';
import { createThreadedEmbedder } from '../src/embedders/threaded/threaded-embedder.ts';
import { readFastaFile } from '../src/io/fasta-source.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const DATASET = join(ROOT, 'data/default/default.fasta.gz');
const repeatArg = process.argv.indexOf('--repeat');
const REPEAT = repeatArg > 0 ? Number(process.argv[repeatArg + 1]) : 3;

async function loadProteins(): Promise<ProteinRecord[]> {
  const out: ProteinRecord[] = [];
  for await (const r of readFastaFile(DATASET)) {
    out.push(r);
  }
  return out;
}

/** Best of REPEAT runs (the least disturbed by other load), in proteins/s. */
async function bestRate(label: string, n: number, run: () => Promise<void>): Promise<number> {
  let best = 0;
  for (let i = 0; i < REPEAT; i++) {
    const t0 = performance.now();
    await run();
    const rate = n / ((performance.now() - t0) / 1000);
    best = Math.max(best, rate);
  }
  console.error(`${label}: ${Math.round(best)} proteins/s (best of ${REPEAT})`);
  return best;
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
const single = await builtinEmbedderFactory.create({});
const threaded = createThreadedEmbedder(await builtinEmbedderFactory.create({}), 'builtin', {}, 2);
await embedAll(threaded, proteins.slice(0, 512)); // start the workers before timing

const results: Record<string, number> = {};
results['builtin, 1 thread (in process)'] = await bestRate('builtin 1 thread', n, () =>
  embedAll(single, proteins),
);
results['builtin, 2 worker threads'] = await bestRate('builtin 2 threads', n, () =>
  embedAll(threaded, proteins),
);
await threaded.close();

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
    results['DIAMOND blastp (default mode, 2 threads), same proteins vs same references'] =
      bestWall('diamond blastp', n, 'diamond', [
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

const diamond =
  results['DIAMOND blastp (default mode, 2 threads), same proteins vs same references'];
const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `Proteins: ${n.toLocaleString('en-US')} (shipped dataset, ${Math.round(residues / n)} aa mean length); ${availableParallelism()} cores, ${cpu}; Node ${process.version}\n`,
);
console.log('| what | proteins/s | × DIAMOND |');
console.log('|---|---|---|');
for (const [what, rate] of Object.entries(results)) {
  const ratio = diamond === undefined ? 'n/a' : `${(rate / diamond).toFixed(1)}×`;
  console.log(`| ${what} | ${Math.round(rate).toLocaleString('en-US')} | ${ratio} |`);
}
