// Bench: `arginator predict` end to end (process start → FASTA in → table out) against `diamond blastp`
// (default mode, 2 threads) with the same references, in the same run; wall time and peak memory.
// Each tool runs once to warm the file cache (not counted), then ROUNDS times, alternating ours and
// DIAMOND, so that both see the same machine; the table gives every round's ratio and the median.
// Run: npm run build && npx tsx bench/predict-throughput.ts [--home DIR] [--rounds 5]
//   (trains a model in DIR if none)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { decodeArtifact } from '../src/core/model/artifact.ts';
import { ensureMulticlassModel } from './lib/model-home.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'dist/cli/bin.js');
const QUERIES = join(ROOT, 'data/default/default.fasta.gz');
const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 5;
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) {
  throw new Error('--rounds needs a whole number >= 1');
}
const homeArg = process.argv.indexOf('--home');
const home =
  homeArg > 0
    ? (process.argv[homeArg + 1] ?? '')
    : mkdtempSync(join(tmpdir(), 'arginator-bench-home-'));
const env = { ...process.env, ARGINATOR_HOME: home };

interface Measured {
  readonly seconds: number;
  readonly peakMb: number;
}

/** Wall seconds and peak RSS (MB) of a command, via GNU time. */
function measure(cmd: string, args: readonly string[]): Measured {
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
  const predictArgs = [BIN, 'predict', queryFasta, '--out', join(work, 'out.csv'), '--quiet'];
  const makedb = measure('diamond', [
    'makedb',
    '--in',
    join(work, 'refs.faa'),
    '--db',
    join(work, 'refs'),
    '--quiet',
  ]);
  const blastpArgs = [
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
  ];
  // Warm-up (file cache, the reference-embedding cache), not counted.
  measure(process.execPath, predictArgs);
  measure('diamond', blastpArgs);
  const ours: Measured[] = [];
  const blastp: Measured[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    ours.push(measure(process.execPath, predictArgs));
    blastp.push(measure('diamond', blastpArgs));
    console.error(
      `round ${r + 1}: ours ${ours[r]?.seconds.toFixed(2)} s, DIAMOND ${blastp[r]?.seconds.toFixed(2)} s`,
    );
  }
  const ratios = ours.map((o, r) => (blastp[r]?.seconds ?? 0) / o.seconds);
  const mid = (xs: readonly number[]): number => {
    const sorted = [...xs].sort((a, b) => a - b);
    const h = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1
      ? (sorted[h] ?? 0)
      : ((sorted[h - 1] ?? 0) + (sorted[h] ?? 0)) / 2;
  };
  const median = (ms: readonly Measured[]): Measured => ({
    seconds: mid(ms.map((m) => m.seconds)),
    peakMb: Math.max(...ms.map((m) => m.peakMb)),
  });
  const oursMid = median(ours);
  const blastpMid = median(blastp);
  console.log(
    `${n} query proteins (the shipped dataset) against the model's ${refs.ids.length} references; model ${version}; median of ${ROUNDS} alternating rounds after one warm-up each; peak RSS is the highest of the rounds.\n`,
  );
  console.log('| what | wall s (median) | proteins/s | × DIAMOND blastp | peak RSS MB |');
  console.log('|---|---|---|---|---|');
  const row = (what: string, m: Measured): string =>
    `| ${what} | ${m.seconds.toFixed(2)} | ${Math.round(n / m.seconds)} | ${(blastpMid.seconds / m.seconds).toFixed(2)}× | ${m.peakMb.toFixed(0)} |`;
  console.log(row('arginator predict (process start → CSV written)', oursMid));
  console.log(row('diamond blastp (default mode, 2 threads, db built)', blastpMid));
  console.log(row('diamond makedb (not counted above)', makedb));
  console.log(
    `\nPer round, ours / DIAMOND speed (DIAMOND seconds / ours): ${ratios.map((x) => `${x.toFixed(2)}×`).join(', ')}; median ${mid(ratios).toFixed(2)}×, lowest ${Math.min(...ratios).toFixed(2)}×.`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
  if (homeArg < 0) {
    rmSync(home, { recursive: true, force: true });
  }
}
