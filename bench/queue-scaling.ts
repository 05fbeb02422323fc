// Bench (issue 16): one chunked job of 20,000 proteins on the redis backend with 1 and with 2 `arginator worker` processes (one core each), alternating rounds, medians and their ratio.
//
// Run: npm run build && npx tsx bench/queue-scaling.ts [--home DIR] [--proteins 20000] [--rounds 3] [--chunk 1000] [--no-pin]
//   Worker k runs pinned to core k (`taskset -c k`, util-linux): one core each, its GC and I/O
//   threads included, as a 1-CPU container limit gives it; --no-pin leaves placement to the kernel.
//   --home DIR: a data directory with a trained model (trained there if it has none; without it,
//   a temporary one, ~40 s untimed). The API and the workers share a temporary ARGINATOR_HOME
//   holding a copy of the models with their fitted map (waited for before timing).
//   Redis: Debian's /usr/bin/redis-server on 127.0.0.1, a free port, AOF on, started and killed here.
//   Proteins: data/bench/UP000074855-P.berghei.fasta.gz (a proteome of non-references; benchmark
//   data only, never used for training or tuning; the same file as ../shared/data/bench), its
//   4,927 proteins repeated under new ids (`<id>~2`, `<id>~3`, …) up to --proteins.
// Each round starts W workers (`worker --concurrency 1`, waits until they take chunks), submits
// the input as one job and times it from POST /v1/jobs (multipart) to the `done` event of GET
// /v1/jobs/{id}/events (completed: upload, split, chunks, merge of the three tables; a worker
// loads its model before it takes chunks, so no load is inside), then stops the workers. W
// alternates 1, 2 / 2, 1 per round. The CSVs of every run are compared byte for byte. After each
// job the API's placement of it on the model's map is waited for (untimed), so that it never
// overlaps the next round.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import {
  closeSync,
  cpSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { startTestRedis } from '../src/queue/test-support/redis-server.ts';
import type { TestRedis } from '../src/queue/test-support/redis-server.ts';
import { argNumber, argValue } from './lib/args.ts';
import { ensureMulticlassModel } from './lib/model-home.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'dist/cli/bin.js');
const HOST = '127.0.0.1';
const PROTEINS = argNumber('--proteins', 20_000);
const ROUNDS = Math.min(argNumber('--rounds', 3), 9);
const CHUNK = argNumber('--chunk', 1000);
// Workers pinned to a core each (taskset -c 0, 1): the issue's "each worker using one core";
// --no-pin lets the kernel place their threads anywhere (a lone worker then also uses the other core).
const PIN = !process.argv.includes('--no-pin') && existsSync('/usr/bin/taskset');

const givenHome = argValue('--home');
const modelHome = givenHome ?? mkdtempSync(join(tmpdir(), 'arginator-qs-model-'));
const work = mkdtempSync(join(tmpdir(), 'arginator-qs-'));
const home = join(work, 'home');
const logPath = join(work, 'processes.log');

const records = gunzipSync(readFileSync(join(ROOT, 'data/bench/UP000074855-P.berghei.fasta.gz')))
  .toString('utf8')
  .split(/^>/m)
  .slice(1)
  .map((block) => block.trimEnd());
const fasta = Array.from({ length: PROTEINS }, (_, i) => {
  const block = records[i % records.length] ?? '';
  const copy = Math.floor(i / records.length);
  // A repeat gets a new id (first header word + ~copy); its sequence is the same protein's.
  return copy === 0 ? `>${block}\n` : `>${block.replace(/^(\S+)/, `$1~${copy + 1}`)}\n`;
}).join('');

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

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

let redis: TestRedis | undefined;
const children: ChildProcess[] = [];

function launch(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  ready?: RegExp,
  cpu?: number,
): Promise<ChildProcess> {
  const log = openSync(logPath, 'a');
  // A worker pinned to one core (taskset) uses that core only, its GC and I/O threads included:
  // what "each worker using one core" means, and what a container's 1-CPU limit gives it.
  const [command, commandArgs] =
    cpu === undefined
      ? [process.execPath, [BIN, ...args]]
      : ['taskset', ['-c', String(cpu), process.execPath, BIN, ...args]];
  const child = spawn(command, commandArgs, {
    env,
    stdio: ['ignore', log, ready === undefined ? log : 'pipe'],
  });
  closeSync(log);
  children.push(child);
  if (ready === undefined) {
    return Promise.resolve(child);
  }
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(
      () => reject(new Error(`${args[0]} not ready in 120 s: ${stderr}`)),
      120_000,
    );
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (ready.test(stderr)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args[0]} exited ${code}: ${stderr}`));
    });
  });
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  await exited;
}

interface JobJson {
  readonly id: string;
  readonly status: string;
  readonly error: unknown;
}

async function runJob(base: string): Promise<{ seconds: number; id: string }> {
  const form = new FormData();
  form.append('task', 'multiclass');
  form.append('file', new Blob([fasta], { type: 'text/plain' }), 'input.faa');
  const t0 = performance.now();
  const r = await fetch(`${base}/v1/jobs`, { method: 'POST', body: form });
  const created = (await r.json()) as JobJson;
  if (r.status !== 201) {
    throw new Error(`POST /v1/jobs answered ${r.status}: ${JSON.stringify(created)}`);
  }
  const job = await finished(base, created.id);
  const seconds = (performance.now() - t0) / 1000;
  if (job.status !== 'completed') {
    throw new Error(`job ${job.id} ${job.status}: ${JSON.stringify(job.error)}`);
  }
  return { seconds, id: job.id };
}

/**
 * The job once finished, from its event stream (GET /v1/jobs/{id}/events, the `done` event): no
 * polling, whose requests would take CPU from the workers being measured on a 2-core machine.
 */
async function finished(base: string, id: string): Promise<JobJson> {
  const res = await fetch(`${base}/v1/jobs/${id}/events`);
  if (res.status !== 200 || res.body === null) {
    throw new Error(`GET /v1/jobs/${id}/events answered ${res.status}`);
  }
  const decoder = new TextDecoder();
  let text = '';
  for await (const bytes of res.body as AsyncIterable<Uint8Array>) {
    text += decoder.decode(bytes, { stream: true });
    const done = /(?:^|\n)event: done\ndata: (.*)\n\n/.exec(text);
    if (done?.[1] !== undefined) {
      return JSON.parse(done[1]) as JobJson; // leaving the loop closes the stream
    }
    // Only the last (possibly partial) event is kept.
    const end = text.lastIndexOf('\n\n');
    if (end >= 0) {
      text = text.slice(end + 2);
    }
  }
  throw new Error(`the event stream of job ${id} ended before its done event`);
}

/** Until GET /v1/jobs/{id}/map answers 200 (bounded: 300 s). */
async function waitForJobMap(base: string, id: string): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const res = await fetch(`${base}/v1/jobs/${id}/map`);
    await res.arrayBuffer();
    if (res.status === 200) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `the map of job ${id} was not ready within 300 s (last status ${res.status})`,
      );
    }
    await sleep(200);
  }
}

let failed = false;
try {
  const { version } = ensureMulticlassModel(modelHome);
  cpSync(join(modelHome, 'models'), join(home, 'models'), { recursive: true });
  redis = await startTestRedis();
  const queue = [
    'queue.backend=redis',
    `queue.chunk_size=${CHUNK}`,
    'server.rate_limit_max=0',
    'server.embedder_threads=1',
    `server.max_proteins=${Math.max(PROTEINS, 200_000)}`,
    'server.max_upload_bytes=524288000',
  ];
  const env = { ...process.env, ARGINATOR_HOME: home, ARGINATOR_REDIS_URL: redis.url };
  const port = await freePort();
  const base = `http://${HOST}:${port}`;
  await launch(['serve', '--port', String(port), '--host', HOST, ...queue], env);
  const deadline = Date.now() + 300_000;
  // Ready, and the model's map stored (a fit must not be timed).
  for (;;) {
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
      throw new Error(`the API's map of ${version} was not ready within 300 s; log ${logPath}`);
    }
    await sleep(200);
  }
  const times: Record<1 | 2, number[]> = { 1: [], 2: [] };
  let reference: string | undefined;
  for (let i = 0; i < ROUNDS; i++) {
    const order: (1 | 2)[] = i % 2 === 0 ? [1, 2] : [2, 1];
    for (const w of order) {
      const workers = await Promise.all(
        Array.from({ length: w }, (_, k) =>
          launch(
            ['worker', '--concurrency', '1', ...queue],
            env,
            /taking chunks/,
            PIN ? k % Math.max(1, cpus().length) : undefined,
          ),
        ),
      );
      const { seconds, id } = await runJob(base);
      await Promise.all(workers.map(terminate));
      times[w].push(seconds);
      const csv = await (await fetch(`${base}/v1/jobs/${id}/results?format=csv`)).text();
      reference ??= csv;
      if (csv !== reference) {
        throw new Error(`round ${i + 1}, ${w} worker(s): the CSV differs from the first run's`);
      }
      // The API places the finished job on the model's map (UMAP transform of its 20,000 vectors,
      // seconds of CPU): untimed, but waited for, so that it does not run into the next round.
      const mapStarted = performance.now();
      await waitForJobMap(base, id);
      console.error(
        `round ${i + 1}: ${w} worker(s) ${seconds.toFixed(2)} s (then its map ${((performance.now() - mapStarted) / 1000).toFixed(1)} s, untimed)`,
      );
    }
  }
  const one = median(times[1]);
  const two = median(times[2]);
  const fmt = (xs: readonly number[]): string => xs.map((x) => x.toFixed(2)).join(', ');
  const perRound = times[1].map((x, i) => (x / (times[2][i] ?? Number.NaN)).toFixed(2)).join(', ');
  const lines = [
    `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}, load average ${(loadavg()[0] ?? 0).toFixed(1)}; one job of ${PROTEINS} proteins (UP000074855 P. berghei, repeated under new ids), chunks of ${CHUNK}, model ${version}, ${ROUNDS} alternating rounds, ${PIN ? 'each worker pinned to one core (taskset -c 0 / 1)' : 'workers not pinned'}.`,
    '',
    '| workers | median (POST → completed) | proteins/s | rounds |',
    '| --- | --- | --- | --- |',
    `| 1 | ${one.toFixed(2)} s | ${Math.round(PROTEINS / one)} | ${fmt(times[1])} |`,
    `| 2 | ${two.toFixed(2)} s | ${Math.round(PROTEINS / two)} | ${fmt(times[2])} |`,
    `| speed-up 1 → 2 (median) | ${(one / two).toFixed(2)}× | | per round ${perRound} |`,
  ];
  console.log(lines.join('\n'));
} catch (e) {
  failed = true;
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  console.error(`log: ${logPath}`);
} finally {
  await Promise.all(children.map(terminate));
  await redis?.stop();
  if (!failed) {
    rmSync(work, { recursive: true, force: true });
  }
  if (givenHome === undefined) {
    rmSync(modelHome, { recursive: true, force: true });
  }
}
process.exitCode = failed ? 1 : 0;
