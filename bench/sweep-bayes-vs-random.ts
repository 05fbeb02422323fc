// Bench (issue 14): `arginator sweep` with method bayes vs random, same budget and search space, several seeds each; median best-of-N.
// Run: npm run build && npx tsx bench/sweep-bayes-vs-random.ts [--trials 20] [--seeds 3] [--parallel 2] [--epochs 10] [--home DIR]
//   Each sweep is the real CLI (node dist/cli/bin.js sweep FILE --run-cap N --seed S --json) on the
//   shipped data, with the identity clusters file (no re-clustering) and model.homology=false (the
//   metric, val_loss, is the MLP's and does not depend on it). --home: a data directory whose
//   embedding/cluster caches are reused (a temporary one is made otherwise; the first trial embeds).
//   Tiny budget check: --trials 3 --seeds 1 --epochs 2 (about 12 trainings' worth of minutes less).
// Writes bench/out/sweep-bayes-vs-random.{md,json}.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { argNumber, argValue } from './lib/args.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const OUT = join(ROOT, 'bench/out');
const BIN = join(ROOT, 'dist/cli/bin.js');
const TRIALS = argNumber('--trials', 20);
const SEEDS = argNumber('--seeds', 3);
const PARALLEL = argNumber('--parallel', 2);
const EPOCHS = argNumber('--epochs', 10);
const HOME = argValue('--home') ?? mkdtempSync(join(tmpdir(), 'arginator-sweep-bench-'));
const METHODS = ['bayes', 'random'] as const;

/** A search space with one log-scale, one linear and one categorical parameter (W&B forms). */
function sweepFile(method: (typeof METHODS)[number]): string {
  return `method: ${method}
metric: {name: val_loss, goal: minimize}
parameters:
  experiment.lr: {distribution: log_uniform_values, min: 0.00001, max: 0.1}
  experiment.weight_decay: {distribution: log_uniform_values, min: 0.000001, max: 0.01}
  experiment.dropout_rate: {distribution: uniform, min: 0.0, max: 0.6}
  experiment.batch_size: {values: [16, 32, 64, 128]}
`;
}

interface SweepSummary {
  sweep_id: string;
  status: string;
  trials: number;
  states: Record<string, number>;
  best: { trial: number; value: number } | null;
  dir: string;
}

function runSweep(file: string, seed: number): Promise<{ summary: SweepSummary; seconds: number }> {
  const started = Date.now();
  const args = [
    BIN,
    'sweep',
    file,
    '--run-cap',
    String(TRIALS),
    '--seed',
    String(seed),
    '--parallel',
    String(PARALLEL),
    '--json',
    '--quiet',
    `experiment.epochs=${EPOCHS}`,
    'split.clusters=data/default/derived/clusters-cdhit40.tsv',
    'model.homology=false',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ARGINATOR_HOME: HOME },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`sweep exited with ${String(code)}`));
        return;
      }
      resolve({ summary: JSON.parse(out) as SweepSummary, seconds: (Date.now() - started) / 1000 });
    });
  });
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'arginator-sweep-files-'));
  const rows: {
    method: string;
    seed: number;
    best: number;
    sweep: string;
    seconds: number;
    states: Record<string, number>;
  }[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    for (const method of METHODS) {
      const file = join(dir, `${method}.yaml`);
      writeFileSync(file, sweepFile(method));
      process.stderr.write(
        `sweep ${method} seed ${seed}: ${TRIALS} trials, ${PARALLEL} at a time\n`,
      );
      const { summary, seconds } = await runSweep(file, seed);
      if (summary.best === null) {
        throw new Error(`sweep ${summary.sweep_id} has no finished trial`);
      }
      rows.push({
        method,
        seed,
        best: summary.best.value,
        sweep: summary.sweep_id,
        seconds,
        states: summary.states,
      });
      process.stderr.write(
        `  best val_loss ${summary.best.value.toFixed(5)} in ${seconds.toFixed(0)} s (${summary.dir})\n`,
      );
    }
  }
  const medians = Object.fromEntries(
    METHODS.map((m) => [m, median(rows.filter((r) => r.method === m).map((r) => r.best))]),
  );
  const result = {
    command: `npx tsx bench/sweep-bayes-vs-random.ts --trials ${TRIALS} --seeds ${SEEDS} --parallel ${PARALLEL} --epochs ${EPOCHS}`,
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '', loadavg: loadavg() },
    trials: TRIALS,
    seeds: SEEDS,
    epochs: EPOCHS,
    metric: 'val_loss (minimize): best epoch of each trial, best trial of each sweep',
    rows,
    median_best: medians,
    bayes_beats_random: (medians['bayes'] as number) < (medians['random'] as number),
  };
  writeFileSync(join(OUT, 'sweep-bayes-vs-random.json'), `${JSON.stringify(result, null, 2)}\n`);
  const md = [
    `# Sweep: bayes vs random (best-of-${TRIALS} val_loss, ${SEEDS} seeds each)`,
    '',
    `Command: \`${result.command}\` on ${result.machine.cpus} × ${result.machine.model} (load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})`,
    '',
    '| method | seed | best val_loss | seconds | trial states |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.method} | ${r.seed} | ${r.best.toFixed(5)} | ${r.seconds.toFixed(0)} | ${JSON.stringify(r.states)} |`,
    ),
    '',
    `Median best: bayes ${(medians['bayes'] as number).toFixed(5)}, random ${(medians['random'] as number).toFixed(5)}: bayes ${result.bayes_beats_random ? 'beats' : 'does not beat'} random.`,
    '',
  ].join('\n');
  writeFileSync(join(OUT, 'sweep-bayes-vs-random.md'), md);
  process.stdout.write(md);
}

await main();
