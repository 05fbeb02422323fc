// Bench: `arginator predict` end to end (process start → FASTA in → table out) against `diamond blastp`
// (default mode, 2 threads) with the same references, in the same run; wall time and peak memory.
// Run: npm run build && npx tsx bench/predict-throughput.ts [--home DIR]   (trains a model in DIR if none)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { decodeArtifact } from '../src/core/model/artifact.ts';
import { ensureMulticlassModel } from './lib/model-home.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'dist/cli/bin.js');
const QUERIES = join(ROOT, 'data/default/default.fasta.gz');
const homeArg = process.argv.indexOf('--home');
const home =
  homeArg > 0
    ? (process.argv[homeArg + 1] ?? '')
    : mkdtempSync(join(tmpdir(), 'arginator-bench-home-'));
const env = { ...process.env, ARGINATOR_HOME: home };

/** Wall seconds and peak RSS (MB) of a command, via GNU time. */
function measure(cmd: string, args: readonly string[]): { seconds: number; peakMb: number } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  }
  const lines = r.stderr.trim().split('\n');
  return { seconds, peakMb: Number(lines.at(-1)) / 1024 };
}

const { version, path: modelPath } = ensureMulticlassModel(home);
const model = decodeArtifact(readFileSync(modelPath));
const refs = model.header.homology?.references;
if (refs === undefined) {
  throw new Error('the model has no references (model.homology=false)');
}
const work = mkdtempSync(join(tmpdir(), 'arginator-bench-'));
try {
  const queryFasta = join(work, 'queries.faa');
  execFileSync('sh', ['-c', `gzip -dc '${QUERIES}' > '${queryFasta}'`]);
  const n = readFileSync(queryFasta, 'utf8').split('>').length - 1;
  writeFileSync(
    join(work, 'refs.faa'),
    refs.ids.map((id, i) => `>${id}\n${refs.sequences[i] ?? ''}\n`).join(''),
  );
  const ours = measure(process.execPath, [
    BIN,
    'predict',
    queryFasta,
    '--out',
    join(work, 'out.csv'),
    '--quiet',
  ]);
  const makedb = measure('diamond', [
    'makedb',
    '--in',
    join(work, 'refs.faa'),
    '--db',
    join(work, 'refs'),
    '--quiet',
  ]);
  const blastp = measure('diamond', [
    'blastp',
    '-q',
    queryFasta,
    '-d',
    join(work, 'refs'),
    '-o',
    join(work, 'hits.tsv'),
    '--threads',
    '2',
    '-k',
    '1',
    '--quiet',
  ]);
  console.log(
    `${n} query proteins (the shipped dataset) against the model's ${refs.ids.length} references; model ${version}.\n`,
  );
  console.log('| what | wall s | proteins/s | × DIAMOND blastp | peak RSS MB |');
  console.log('|---|---|---|---|---|');
  const row = (what: string, m: { seconds: number; peakMb: number }): string =>
    `| ${what} | ${m.seconds.toFixed(2)} | ${Math.round(n / m.seconds)} | ${(blastp.seconds / m.seconds).toFixed(2)}× | ${m.peakMb.toFixed(0)} |`;
  console.log(row('arginator predict (process start → CSV written)', ours));
  console.log(row('diamond blastp (default mode, 2 threads, db built)', blastp));
  console.log(row('diamond makedb (not counted above)', makedb));
} finally {
  rmSync(work, { recursive: true, force: true });
  if (homeArg < 0) {
    rmSync(home, { recursive: true, force: true });
  }
}
