// Bench (issue 13): `arginator predict` of a 1,000-protein file against the same file as a job of a started server (submit → completed, 127.0.0.1), alternating rounds, medians and their ratio.
//
// Run: npm run build && npx tsx bench/job-vs-cli.ts [--home DIR] [--proteins 1000] [--rounds 5]
//   --home DIR: a data directory with a trained model (trained there if it has none; without it,
//   a temporary one, ~40 s untimed). The server runs in a temporary ARGINATOR_HOME holding a copy of
//   the models with their fitted map (the map is waited for before timing, so no fit is timed).
//   Proteins: the first N of data/bench/UP000074855-P.berghei.fasta.gz (a proteome of
//   non-references; benchmark data only, never used for training or tuning).
// Each round runs the CLI (a fresh process: start, model load, predict, exit) and one job (POST
// /v1/jobs multipart → GET /v1/jobs/{id} every 10 ms until completed: upload, queue, the worker's
// run with its three tables; the job is completed once they are written). Its map follows (GET
// /v1/jobs/{id}/map every 10 ms while 503): reported as a row of its own, and waited for before the
// next timing so it never overlaps one. The order alternates per round. The CLI's CSV and the job's
// /download CSV are compared byte for byte in every round.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import {
  closeSync,
  cpSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { argNumber, argValue } from './lib/args.ts';
import { ensureMulticlassModel } from './lib/model-home.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'dist/cli/bin.js');
const HOST = '127.0.0.1';
const PROTEINS = argNumber('--proteins', 1000);
const ROUNDS = Math.min(argNumber('--rounds', 5), 15);

const givenHome = argValue('--home');
const modelHome = givenHome ?? mkdtempSync(join(tmpdir(), 'arginator-jvc-model-'));
const work = mkdtempSync(join(tmpdir(), 'arginator-jvc-'));
const serverHome = join(work, 'server');
const logPath = join(work, 'server.log');

// The first N proteins of the benchmark proteome, as plain FASTA (the CLI and the job read the same bytes).
const fasta = gunzipSync(readFileSync(join(ROOT, 'data/bench/UP000074855-P.berghei.fasta.gz')))
  .toString('utf8')
  .split(/^>/m)
  .slice(1, PROTEINS + 1)
  .map((block) => `>${block.trimEnd()}\n`)
  .join('');
const inputPath = join(work, 'input.faa');
writeFileSync(inputPath, fasta);
const count = (fasta.match(/^>/gm) ?? []).length;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const address = srv.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function run(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve((performance.now() - t0) / 1000)
        : reject(new Error(`arginator ${args.join(' ')} exited ${code}: ${stderr}`)),
    );
  });
}

interface JobJson {
  readonly id: string;
  readonly status: string;
  readonly started_at: string | null;
  readonly finished_at: string | null;
  readonly error: unknown;
}

async function runJob(
  base: string,
): Promise<{ totalS: number; runS: number; mapS: number; id: string }> {
  const form = new FormData();
  form.append('task', 'multiclass');
  form.append('file', new Blob([fasta], { type: 'text/plain' }), 'input.faa');
  const t0 = performance.now();
  const r = await fetch(`${base}/v1/jobs`, { method: 'POST', body: form });
  let job = (await r.json()) as JobJson;
  if (r.status !== 201) {
    throw new Error(`POST /v1/jobs answered ${r.status}: ${JSON.stringify(job)}`);
  }
  while (!['completed', 'failed', 'cancelled', 'expired'].includes(job.status)) {
    await sleep(10);
    const poll = await fetch(`${base}/v1/jobs/${job.id}`);
    if (poll.status !== 200) {
      throw new Error(`GET /v1/jobs/${job.id} answered ${poll.status}: ${await poll.text()}`);
    }
    job = (await poll.json()) as JobJson;
  }
  const totalS = (performance.now() - t0) / 1000;
  if (job.status !== 'completed') {
    throw new Error(`job ${job.id} ${job.status}: ${JSON.stringify(job.error)}`);
  }
  const runS = (Date.parse(job.finished_at ?? '') - Date.parse(job.started_at ?? '')) / 1000;
  for (;;) {
    const map = await fetch(`${base}/v1/jobs/${job.id}/map`);
    await map.arrayBuffer();
    if (map.status === 200) {
      break;
    }
    if (map.status !== 503) {
      throw new Error(`GET /v1/jobs/${job.id}/map answered ${map.status}`);
    }
    await sleep(10);
  }
  const mapS = (performance.now() - t0) / 1000;
  return { totalS, runS, mapS, id: job.id };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

let server: ChildProcess | undefined;
let failed = false;
try {
  const { version } = ensureMulticlassModel(modelHome);
  cpSync(join(modelHome, 'models'), join(serverHome, 'models'), { recursive: true });
  const port = await freePort();
  const base = `http://${HOST}:${port}`;
  const log = openSync(logPath, 'a');
  // No rate limit: the bench polls its jobs every 10 ms from one address.
  const serveArgs = ['serve', '--port', String(port), '--host', HOST, 'server.rate_limit_max=0'];
  server = spawn(process.execPath, [BIN, ...serveArgs], {
    env: { ...process.env, ARGINATOR_HOME: serverHome },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const deadline = Date.now() + 300_000;
  // Ready, and the model's map stored (a job waits for it; a fit must not be timed).
  for (;;) {
    if (server.exitCode !== null) {
      throw new Error(`the server exited; log ${logPath}`);
    }
    const ok = await fetch(`${base}/v1/models/${version}/map`)
      .then(async (res) => {
        await res.arrayBuffer();
        return res.status === 200;
      })
      .catch(() => false);
    if (ok) {
      break;
    }
    if (Date.now() > deadline) {
      throw new Error(`the server's map of ${version} was not ready within 300 s; log ${logPath}`);
    }
    await sleep(100);
  }
  const cliEnv = { ...process.env, ARGINATOR_HOME: modelHome };
  const cliOut = join(work, 'cli.csv');
  const cliArgs = ['predict', inputPath, '--out', cliOut, '--quiet'];
  // Warm-up: the job worker loads its model on its first job; the CLI's file cache and JIT.
  console.error(`warm-up (${count} proteins: one CLI run, one job)`);
  await run(cliArgs, cliEnv);
  await runJob(base);
  const cli: number[] = [];
  const jobs: number[] = [];
  const jobRuns: number[] = [];
  const jobMaps: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const order = i % 2 === 0 ? ['cli', 'job'] : ['job', 'cli'];
    for (const what of order) {
      if (what === 'cli') {
        cli.push(await run(cliArgs, cliEnv));
      } else {
        const j = await runJob(base);
        jobs.push(j.totalS);
        jobRuns.push(j.runS);
        jobMaps.push(j.mapS);
        const csv = await (await fetch(`${base}/v1/jobs/${j.id}/results?format=csv`)).text();
        if (csv !== readFileSync(cliOut, 'utf8')) {
          throw new Error(`round ${i + 1}: the job's CSV differs from the CLI's`);
        }
      }
    }
    console.error(
      `round ${i + 1}: CLI ${(cli.at(-1) ?? 0).toFixed(2)} s, job ${(jobs.at(-1) ?? 0).toFixed(2)} s (worker run ${(jobRuns.at(-1) ?? 0).toFixed(2)} s)`,
    );
  }
  const c = median(cli);
  const j = median(jobs);
  const perRound = cli.map((x, i) => ((jobs[i] ?? Number.NaN) / x).toFixed(2)).join(', ');
  const fmt = (xs: readonly number[]): string => xs.map((x) => x.toFixed(2)).join(', ');
  const lines = [
    `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}, load average ${(loadavg()[0] ?? 0).toFixed(1)}; ${count} proteins (first of UP000074855 P. berghei), model ${version}, ${ROUNDS} alternating rounds.`,
    '',
    '| what | median | rounds |',
    '| --- | --- | --- |',
    `| \`arginator predict\` (process start → exit, CSV) | ${c.toFixed(2)} s = ${Math.round(count / c)} proteins/s | ${fmt(cli)} |`,
    `| job (POST /v1/jobs → completed; CSV, TSV and JSON) | ${j.toFixed(2)} s = ${Math.round(count / j)} proteins/s | ${fmt(jobs)} |`,
    `| … of which the worker's run (started_at → finished_at) | ${median(jobRuns).toFixed(2)} s | ${fmt(jobRuns)} |`,
    `| job / CLI (median) | ${(j / c).toFixed(2)}× | per round ${perRound} |`,
    `| job's map (POST /v1/jobs → GET /map 200; after completed, not in the ratio) | ${median(jobMaps).toFixed(2)} s | ${fmt(jobMaps)} |`,
  ];
  console.log(lines.join('\n'));
} catch (e) {
  failed = true;
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  console.error(`server log: ${logPath}`);
} finally {
  if (server !== undefined && server.exitCode === null) {
    const exited = new Promise<void>((r) => server?.once('exit', () => r()));
    server.kill('SIGTERM');
    await exited;
  }
  if (!failed) {
    rmSync(work, { recursive: true, force: true });
  }
  if (givenHome === undefined) {
    rmSync(modelHome, { recursive: true, force: true });
  }
}
process.exitCode = failed ? 1 : 0;
