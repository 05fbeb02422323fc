// Bench: `arginator predict` end to end (process start → FASTA in → table out) against `diamond blastp`
// (default mode, 2 threads, `makedb` counted) with the same references, in the same run, on three inputs:
//   1. a proteome that is not among the references (data/bench: P. berghei, 4,927 proteins), where
//      almost nothing is a beta-lactamase — what labs screen;
//   2. the test proteins of the identity-cluster split searched against that split's training
//      proteins (the default model's references are exactly those): held-out families;
//   3. the shipped set against its own references (every query has an identical hit; kept only so a
//      change cannot make it slower).
// Each tool runs once per input to warm the file cache (not counted), then ROUNDS times, alternating
// ours and DIAMOND, so both see the same machine; medians, every round's ratio, peak RSS, CPU seconds
// (user + system; over the wall time: how many cores were busy), and the beta-lactamase calls of each (ours: predicted label; DIAMOND: the label of a best hit with e-value
// ≤ 1e-3).
// Run: npm run build && npx tsx bench/predict-throughput.ts [--home DIR] [--rounds 5] [--only NAME]
//   (trains a model in DIR if none; NAME is proteome, split or self)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { negativeLabel } from '../src/core/domain.ts';
import { decodeArtifact } from '../src/core/model/artifact.ts';
import { readFastaFile } from '../src/io/fasta-source.ts';
import { argValue } from './lib/args.ts';
import { ensureMulticlassModel } from './lib/model-home.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'dist/cli/bin.js');
const SHIPPED = join(ROOT, 'data/default/default.fasta.gz');
const PROTEOME = join(ROOT, 'data/bench/UP000074855-P.berghei.fasta.gz');
const SPLIT = join(ROOT, 'data/default/splits/default-cluster40-split.json');
const ROUNDS = Number(argValue('--rounds') ?? 5);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) {
  throw new Error('--rounds needs a whole number >= 1');
}
const only = argValue('--only');
const homeArg = argValue('--home');
const home = homeArg ?? mkdtempSync(join(tmpdir(), 'arginator-bench-home-'));
const env = { ...process.env, ARGINATOR_HOME: home };

interface Measured {
  readonly seconds: number;
  readonly peakMb: number;
  /** CPU seconds (user + system, all threads). */
  readonly cpuSeconds: number;
}

/** Wall seconds, peak RSS (MB) and CPU seconds of a command, via GNU time. */
function measure(cmd: string, args: readonly string[]): Measured {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M %U %S', cmd, ...args], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  }
  const [rss, user, system] = (r.stderr.trim().split('\n').at(-1) ?? '').split(' ').map(Number);
  return { seconds, peakMb: (rss ?? 0) / 1024, cpuSeconds: (user ?? 0) + (system ?? 0) };
}

/** makedb then blastp, timed as one: DIAMOND needs its database built from the references first. */
function diamond(refsFasta: string, queries: string, db: string, hits: string): Measured {
  const makedb = measure('diamond', ['makedb', '--in', refsFasta, '--db', db, '--quiet']);
  const blastp = measure('diamond', [
    'blastp',
    '-q',
    queries,
    '-d',
    db,
    '-o',
    hits,
    '--threads',
    '2',
    '-k',
    '1',
    '--quiet',
  ]);
  return {
    seconds: makedb.seconds + blastp.seconds,
    peakMb: Math.max(makedb.peakMb, blastp.peakMb),
    cpuSeconds: makedb.cpuSeconds + blastp.cpuSeconds,
  };
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const h = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[h] ?? 0) : ((sorted[h - 1] ?? 0) + (sorted[h] ?? 0)) / 2;
}

const { version, path: modelPath } = ensureMulticlassModel(home);
const model = decodeArtifact(readFileSync(modelPath));
const refs = model.header.homology?.references;
if (refs === undefined) {
  throw new Error('the model has no references (model.homology=false)');
}
const negative = negativeLabel(model.header.task);
const refLabel = new Map(
  refs.ids.map((id, i) => [id, model.header.labels[refs.labels[i] as number] ?? '']),
);
const work = mkdtempSync(join(tmpdir(), 'arginator-bench-'));

/** FASTA records of `path` whose id (before `|`) passes keep, written to `out`; their count. */
async function writeQueries(
  path: string,
  out: string,
  keep: (id: string) => boolean = () => true,
): Promise<number> {
  const lines: string[] = [];
  for await (const r of readFastaFile(path)) {
    if (keep(r.id.split('|')[0] ?? '')) {
      lines.push(`>${r.id}\n${r.sequence}\n`);
    }
  }
  writeFileSync(out, lines.join(''));
  return lines.length;
}

/** Beta-lactamase calls in our CSV (predicted_label is the second column). */
function ourCalls(csv: string): number {
  return readFileSync(csv, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .filter((line) => (line.split(',')[1] ?? negative) !== negative).length;
}

/** Queries whose DIAMOND best hit (e-value ≤ 1e-3, DIAMOND's default cut-off) is a beta-lactamase. */
function diamondCalls(tsv: string): number {
  const called = new Set<string>();
  for (const line of readFileSync(tsv, 'utf8').split('\n')) {
    const f = line.split('\t');
    const label = refLabel.get(f[1] ?? '');
    if (label !== undefined && label !== negative && Number(f[10]) <= 1e-3) {
      called.add(f[0] ?? '');
    }
  }
  return called.size;
}

interface Input {
  readonly name: string;
  readonly what: string;
  readonly fasta: string;
  readonly n: number;
}

try {
  const refsFasta = join(work, 'refs.faa');
  writeFileSync(
    refsFasta,
    refs.ids.map((id, i) => `>${id}\n${refs.sequences[i] ?? ''}\n`).join(''),
  );
  const split = JSON.parse(readFileSync(SPLIT, 'utf8')) as { train: string[]; test: string[] };
  const train = new Set(split.train);
  const sameReferences = refs.ids.length === train.size && refs.ids.every((id) => train.has(id));
  const test = new Set(split.test);
  const inputs: Input[] = [];
  const add = async (name: string, what: string, path: string, keep?: (id: string) => boolean) => {
    if (only === undefined || only === name) {
      const fasta = join(work, `${name}.faa`);
      inputs.push({ name, what, fasta, n: await writeQueries(path, fasta, keep) });
    }
  };
  await add('proteome', 'P. berghei proteome (not among the references)', PROTEOME);
  if (sameReferences) {
    await add(
      'split',
      'identity-cluster split: test proteins vs the training proteins',
      SHIPPED,
      (id) => test.has(id),
    );
  } else {
    console.error(
      `skipping the split input: model ${version}'s references are not the training side of ${SPLIT}`,
    );
  }
  await add('self', 'shipped set vs its own references (identical hits)', SHIPPED);

  const rows: string[] = [];
  for (const input of inputs) {
    const out = join(work, `${input.name}.csv`);
    const hits = join(work, `${input.name}.tsv`);
    const db = join(work, `${input.name}-db`);
    const predictArgs = [BIN, 'predict', input.fasta, '--out', out, '--quiet'];
    // Warm-up (file cache, the model's caches), not counted.
    measure(process.execPath, predictArgs);
    diamond(refsFasta, input.fasta, db, hits);
    const ours: Measured[] = [];
    const theirs: Measured[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      ours.push(measure(process.execPath, predictArgs));
      theirs.push(diamond(refsFasta, input.fasta, db, hits));
      console.error(
        `${input.name} round ${r + 1}: ours ${ours[r]?.seconds.toFixed(2)} s, DIAMOND ${theirs[r]?.seconds.toFixed(2)} s`,
      );
    }
    const ratios = ours.map((o, r) => (theirs[r]?.seconds ?? 0) / o.seconds);
    const oursS = median(ours.map((m) => m.seconds));
    const theirsS = median(theirs.map((m) => m.seconds));
    const oursCpu = median(ours.map((m) => m.cpuSeconds));
    const theirsCpu = median(theirs.map((m) => m.cpuSeconds));
    rows.push(
      `| ${input.what} | ${input.n} | ${oursS.toFixed(2)} | ${theirsS.toFixed(2)} | **${median(ratios).toFixed(2)}×** (${ratios.map((x) => x.toFixed(2)).join(' ')}) | ${Math.max(...ours.map((m) => m.peakMb)).toFixed(0)} / ${Math.max(...theirs.map((m) => m.peakMb)).toFixed(0)} | ${oursCpu.toFixed(2)} / ${theirsCpu.toFixed(2)} (${(oursCpu / oursS).toFixed(1)} / ${(theirsCpu / theirsS).toFixed(1)}) | ${ourCalls(out)} / ${diamondCalls(hits)} |`,
    );
  }
  console.log(
    `Model ${version} (${refs.ids.length} references); median of ${ROUNDS} alternating rounds after one warm-up each; ratio = DIAMOND seconds / ours (> 1: ours faster), median and every round.\n`,
  );
  console.log(
    '| input | proteins | arginator predict s | diamond makedb + blastp s | × DIAMOND | peak RSS MB (ours / DIAMOND) | CPU s, median (ours / DIAMOND; cores busy) | β-lactamase calls (ours / DIAMOND best hit) |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of rows) {
    console.log(row);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  if (homeArg === undefined) {
    rmSync(home, { recursive: true, force: true });
  }
}
