// Bench (issue 5): load test of `arginator serve` on 127.0.0.1 with autocannon, against FastAPI + uvicorn
// (Debian, uvloop + httptools, one process) serving the same trivial JSON endpoint, in the same run.
// Measures: /healthz req/s (ours vs FastAPI), sync POST /v1/predict (1 protein: req/s, p50/p99,
// errors; 100 proteins: latency) on realistic proteins that are not references (issue 13: P. berghei
// proteins of data/bench, 50-700 aa, a different one per request; the shipped blaTEM-60 once more
// for comparison), the predictor's stages in process (embed / classifier + cosine / homology), job throughput (1,000-protein multipart upload → completed), the
// job map (first model-map fit, then a 200-protein job's map), peak server RSS, first-request latency.
// Writes bench/out/api-load.md and bench/out/api-load.json.
//
// Run: npm run build && npx tsx bench/api-load.ts [--home DIR] [--duration 10] [--connections 50] [--repeat 2] [--healthz-rounds 5]
//   /healthz: both servers get the same load (autocannon, same connections, no pipelining, same
//   duration), one server at a time (the other idle), alternating ours/FastAPI for
//   --healthz-rounds rounds each; the median round of each is compared (and server CPU per request).
//   --home DIR: a data directory holding a trained model (one is trained there if it has none);
//   without it a temporary one is trained (~35 s). The server always runs in a fresh temporary
//   ARGINATOR_HOME with a copy of the models (without fitted maps, so the first map fit is timed).
// Needs /usr/bin/python3 with Debian's python3-fastapi python3-uvicorn python3-uvloop python3-httptools.
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { predictAll } from '../src/pipeline/predict.ts';
import { loadFastestKernels } from '../src/native/load-kernels.ts';
import { FsModelRegistry } from '../src/store/fs-model-registry.ts';
import { loadPredictionModel } from '../src/wiring/load-model.ts';
import type { AutocannonOptions, AutocannonResult } from './lib/autocannon.ts';
import { argNumber, argValue } from './lib/args.ts';
import { runAutocannon } from './lib/autocannon.ts';
import { ensureMulticlassModel } from './lib/model-home.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'dist/cli/bin.js');
const FASTAPI_APP = join(ROOT, 'bench/fastapi_healthz.py');
const PYTHON = '/usr/bin/python3';
const OUT = join(ROOT, 'bench/out');
const HOST = '127.0.0.1';

const DURATION = argNumber('--duration', 10);
const CONNECTIONS = Math.min(argNumber('--connections', 50), 200);
const REPEAT = Math.min(argNumber('--repeat', 2), 5);
/** /healthz rounds per server (ours and FastAPI alternating): the median is reported. */
const HEALTH_ROUNDS = Math.min(argNumber('--healthz-rounds', 5), 15);
const WARMUP_S = 2;

// ---------------------------------------------------------------------------------------------
// Preconditions: a build, Debian's FastAPI stack.

if (!existsSync(BIN)) {
  throw new Error(`${BIN} is missing: run 'npm run build' first`);
}
const pyCheck = spawnSync(
  PYTHON,
  [
    '-c',
    'import fastapi, uvicorn, uvloop, httptools; print(fastapi.__version__, uvicorn.__version__, uvloop.__version__)',
  ],
  { encoding: 'utf8' },
);
if (pyCheck.status !== 0) {
  console.error(
    `bench/api-load.ts needs FastAPI + uvicorn with uvloop and httptools for ${PYTHON} (the reference server):\n` +
      `  apt-get install -y python3-fastapi python3-uvicorn python3-uvloop python3-httptools\n` +
      `(${PYTHON} said: ${(pyCheck.stderr || pyCheck.error?.message || '').trim().split('\n').at(-1) ?? ''})`,
  );
  process.exit(2);
}
const [fastapiVersion, uvicornVersion, uvloopVersion] = pyCheck.stdout.trim().split(' ');

// ---------------------------------------------------------------------------------------------
// Data: real proteins of the shipped dataset.

interface Protein {
  readonly id: string;
  readonly sequence: string;
}
const proteins: Protein[] = gunzipSync(readFileSync(join(ROOT, 'data/default/default.fasta.gz')))
  .toString('utf8')
  .split('>')
  .slice(1)
  .map((block) => {
    const newline = block.indexOf('\n');
    const header = block.slice(0, newline).trim().split(/\s/)[0] ?? '';
    return {
      id: header.split('|')[0] ?? header,
      sequence: block.slice(newline + 1).replace(/\s+/g, ''),
    };
  });
/** Every k-th protein from `offset`: a mix of classes and lengths (the file is sorted by source). */
function strided(n: number, offset: number): Protein[] {
  const step = Math.floor(proteins.length / n);
  return Array.from({ length: n }, (_, i) => proteins[offset + i * step] as Protein);
}
const ONE_ID = 'ncbi_WP_032489150.1'; // blaTEM-60, class A, 286 aa
const one = proteins.find((p) => p.id === ONE_ID);
if (one === undefined) {
  throw new Error(`${ONE_ID} is not in data/default/default.fasta.gz`);
}
/**
 * Realistic queries (issue 13): proteins of a proteome the model never saw, data/bench's P. berghei
 * (benchmark data only: never used for training or tuning), 50-700 aa (most bacterial proteins'
 * range; the proteome's longest would dominate), none of them in the shipped set. In file order.
 */
const shippedSequences = new Set(proteins.map((p) => p.sequence));
const realistic: Protein[] = gunzipSync(
  readFileSync(join(ROOT, 'data/bench/UP000074855-P.berghei.fasta.gz')),
)
  .toString('utf8')
  .split(/^>/m)
  .slice(1)
  .map((block) => {
    const newline = block.indexOf('\n');
    return {
      id: block.slice(0, newline).trim().split(/\s/)[0] ?? '',
      sequence: block.slice(newline + 1).replace(/\s+/g, ''),
    };
  })
  .filter((p) => p.sequence.length >= 50 && p.sequence.length <= 700)
  .filter((p) => !shippedSequences.has(p.sequence));
/** One protein per request, cycled through by every connection. */
const singles = realistic.slice(0, 200);
const singleLengths = singles.map((p) => p.sequence.length).sort((a, b) => a - b);
const hundred = realistic.slice(200, 300);
const jobMapProteins = strided(200, 1);
const jobProteins = strided(1000, 2);
const toFasta = (ps: readonly Protein[]): string =>
  ps.map((p) => `>${p.id}\n${p.sequence}\n`).join('');

// ---------------------------------------------------------------------------------------------
// Processes: started here, always stopped here.

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) {
    c.kill('SIGKILL');
  }
});

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

function startProcess(
  cmd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  logPath: string,
): ChildProcess {
  const log = openSync(logPath, 'a');
  const child = spawn(cmd, args, { env, stdio: ['ignore', log, log] });
  closeSync(log);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `url` until it answers 200 (or the process exits, or the timeout passes). */
async function waitFor(
  url: string,
  child: ChildProcess,
  timeoutMs: number,
  logPath: string,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the server exited early; its log ${logPath}:\n${tail(logPath)}`);
    }
    const ok = await fetch(url)
      .then(async (r) => {
        await r.arrayBuffer();
        return r.status === 200;
      })
      .catch(() => false);
    if (ok) {
      return;
    }
    await sleep(20);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s; log:\n${tail(logPath)}`);
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Samples VmRSS of a process every 100 ms; peak per phase and overall, and the kernel's VmHWM. */
class RssSampler {
  private readonly timer: NodeJS.Timeout;
  private readonly pid: number;
  peakMb = 0;
  phasePeakMb = 0;
  constructor(pid: number) {
    this.pid = pid;
    this.timer = setInterval(() => this.sample(), 100);
    this.timer.unref();
  }
  private read(field: 'VmRSS' | 'VmHWM'): number {
    try {
      const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
        readFileSync(`/proc/${this.pid}/status`, 'utf8'),
      );
      return m === null ? 0 : Number(m[1]) / 1024;
    } catch {
      return 0;
    }
  }
  sample(): number {
    const mb = this.read('VmRSS');
    this.peakMb = Math.max(this.peakMb, mb);
    this.phasePeakMb = Math.max(this.phasePeakMb, mb);
    return mb;
  }
  /** Starts a phase; returns the RSS now. */
  phase(): number {
    this.phasePeakMb = 0;
    return this.sample();
  }
  hwmMb(): number {
    return this.read('VmHWM');
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

/** CPU seconds (user + system, all threads) a process has used: /proc/<pid>/stat, 100 ticks/s. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command: state is field 3, utime 14 and stime 15 (1-based over the whole line).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers.

async function timedFetch(
  url: string,
  init?: RequestInit,
): Promise<{ ms: number; status: number; body: string }> {
  const t0 = performance.now();
  const r = await fetch(url, init);
  const body = await r.text();
  return { ms: performance.now() - t0, status: r.status, body };
}

/**
 * GET a job's map once it is made: a completed job's map follows its tables (503 job.map-pending
 * until then). ms = from this call to the 200 (or the last answer after 120 s).
 */
async function mapWhenReady(url: string): Promise<{ ms: number; status: number; body: string }> {
  const t0 = performance.now();
  for (;;) {
    const r = await timedFetch(url);
    if (r.status !== 503 || performance.now() - t0 > 120_000) {
      return { ...r, ms: performance.now() - t0 };
    }
    await sleep(50);
  }
}

function postJson(body: string): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body };
}

interface JobJson {
  readonly id: string;
  readonly status: string;
  readonly model_version: string;
  readonly started_at: string | null;
  readonly finished_at: string | null;
  readonly error: unknown;
}

/** Submits a multipart FASTA job and polls it until it has finished; times from before the upload. */
async function runJob(
  base: string,
  ps: readonly Protein[],
  name: string,
): Promise<{ job: JobJson; submitMs: number; totalS: number; serverRunS: number }> {
  const form = new FormData();
  form.append('task', 'multiclass');
  form.append('file', new Blob([toFasta(ps)], { type: 'text/plain' }), name);
  const t0 = performance.now();
  const submitted = await timedFetch(`${base}/v1/jobs`, { method: 'POST', body: form });
  if (submitted.status !== 201) {
    throw new Error(`POST /v1/jobs answered ${submitted.status}: ${submitted.body}`);
  }
  let job = JSON.parse(submitted.body) as JobJson;
  const deadline = Date.now() + 600_000;
  while (!['completed', 'failed', 'cancelled', 'expired'].includes(job.status)) {
    if (Date.now() > deadline) {
      throw new Error(`job ${job.id} did not finish within 600 s`);
    }
    await sleep(25);
    job = JSON.parse((await timedFetch(`${base}/v1/jobs/${job.id}`)).body) as JobJson;
  }
  const totalS = (performance.now() - t0) / 1000;
  if (job.status !== 'completed') {
    throw new Error(`job ${job.id} ${job.status}: ${JSON.stringify(job.error)}`);
  }
  const serverRunS = (Date.parse(job.finished_at ?? '') - Date.parse(job.started_at ?? '')) / 1000;
  return { job, submitMs: submitted.ms, totalS, serverRunS };
}

async function load(
  title: string,
  url: string,
  options: {
    method?: 'GET' | 'POST';
    body?: string;
    connections?: number;
    duration?: number;
    amount?: number;
    requests?: AutocannonOptions['requests'];
  } = {},
): Promise<AutocannonResult> {
  const result = await runAutocannon({
    title,
    url,
    connections: options.connections ?? CONNECTIONS,
    ...(options.amount === undefined
      ? { duration: options.duration ?? DURATION }
      : { amount: options.amount }),
    method: options.method ?? 'GET',
    ...(options.body === undefined
      ? {}
      : { body: options.body, headers: { 'content-type': 'application/json' } }),
    ...(options.requests === undefined ? {} : { requests: options.requests }),
    timeout: 30,
  });
  const codes = Object.entries(result.statusCodeStats)
    .map(([code, { count }]) => `${code}×${count}`)
    .join(' ');
  console.error(
    `  ${title}: ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx} [${codes}]`,
  );
  return result;
}

/** The run with the median requests per second (the lower middle one of an even count). */
function medianRun(rs: readonly AutocannonResult[]): AutocannonResult {
  const sorted = [...rs].sort((a, b) => a.requests.average - b.requests.average);
  return sorted[Math.floor((sorted.length - 1) / 2)] as AutocannonResult;
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

const best = (rs: readonly AutocannonResult[]): AutocannonResult =>
  rs.reduce((a, b) => (b.requests.average > a.requests.average ? b : a));

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

// ---------------------------------------------------------------------------------------------
// The run.

const givenHome = argValue('--home');
const modelHome = givenHome ?? mkdtempSync(join(tmpdir(), 'arginator-load-model-'));
const serverHome = mkdtempSync(join(tmpdir(), 'arginator-load-home-'));
const logPath = join(serverHome, 'server.log');
const fastapiLog = join(serverHome, 'fastapi.log');

function ensureModel(): void {
  ensureMulticlassModel(modelHome);
  // The server's own models folder: a copy without fitted maps, so the first map fit is measured.
  cpSync(join(modelHome, 'models'), join(serverHome, 'models'), {
    recursive: true,
    filter: (src) => !src.includes(`${sep}maps`),
  });
}

interface Row {
  readonly what: string;
  readonly result: string;
  readonly target: string;
  readonly met: boolean | undefined;
}
const rows: Row[] = [];
const json: Record<string, unknown> = {};
const row = (what: string, result: string, target = '–', met?: boolean): void => {
  rows.push({ what, result, target, met });
};
const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

let server: ChildProcess | undefined;
let fastapi: ChildProcess | undefined;
let rss: RssSampler | undefined;
let failed = false;
try {
  ensureModel();
  const port = await freePort();
  const base = `http://${HOST}:${port}`;
  // The rate limiter stays on (its cost is part of every request) but high enough that one
  // client address is never limited: the default (1,000 per minute) would answer 429 to a load test.
  const t0 = performance.now();
  server = startProcess(
    process.execPath,
    [BIN, 'serve', '--port', String(port), '--host', HOST, 'server.rate_limit_max=100000000'],
    { ...process.env, ARGINATOR_HOME: serverHome },
    logPath,
  );
  const serverPid = server.pid ?? 0;
  rss = new RssSampler(serverPid);
  await waitFor(`${base}/healthz`, server, 60_000, logPath);
  const listenMs = performance.now() - t0;
  await waitFor(`${base}/readyz`, server, 120_000, logPath);
  const readyMs = performance.now() - t0;
  const version = (
    JSON.parse((await timedFetch(`${base}/readyz`)).body) as { model_version: string }
  ).model_version;

  // First requests after start: cold (JIT, first use of the embedder and aligner), then warm.
  const oneBody = JSON.stringify({
    task: 'multiclass',
    sequences: [{ id: one.id, sequence: one.sequence }],
  });
  const singleBodies = singles.map((p) =>
    JSON.stringify({ task: 'multiclass', sequences: [{ id: p.id, sequence: p.sequence }] }),
  );
  const singleRequests = singleBodies.map((body) => ({
    method: 'POST' as const,
    body,
    headers: { 'content-type': 'application/json' },
  }));
  const firstPredict = await timedFetch(`${base}/v1/predict`, postJson(oneBody));
  if (firstPredict.status !== 200) {
    throw new Error(`POST /v1/predict answered ${firstPredict.status}: ${firstPredict.body}`);
  }
  const prediction = (
    JSON.parse(firstPredict.body) as {
      predictions: {
        predicted_label: string;
        nearest_reference: string | null;
        identity: number | null;
      }[];
    }
  ).predictions[0];
  if (prediction?.nearest_reference == null) {
    throw new Error(`the prediction carries no homology evidence: ${firstPredict.body}`);
  }
  const secondPredict = await timedFetch(`${base}/v1/predict`, postJson(oneBody));
  const firstHealth = await timedFetch(`${base}/healthz`);
  console.error(
    `server: listening after ${fmt(listenMs)} ms, ready after ${fmt(readyMs)} ms; first /v1/predict ${fmt(firstPredict.ms, 1)} ms (${prediction.predicted_label}, nearest ${prediction.nearest_reference} at ${String(prediction.identity)}%), second ${fmt(secondPredict.ms, 1)} ms`,
  );

  // The model's reference map (UMAP): fitted once per model, in the background from start-up (or
  // on the first request). Wait for it, so that no load below competes with the fit.
  const tMap = performance.now();
  for (;;) {
    const r = await timedFetch(`${base}/v1/models/${version}/map`);
    if (r.status === 200) {
      break;
    }
    if (r.status !== 503 || performance.now() - tMap > 300_000) {
      throw new Error(`GET /v1/models/${version}/map answered ${r.status}: ${r.body}`);
    }
    await sleep(100);
  }
  const mapReadyMs = performance.now() - t0;
  const rssStart = rss.peakMb;
  const rssIdle = rss.phase();
  console.error(`reference map ready ${fmt(mapReadyMs)} ms after start; RSS ${fmt(rssIdle)} MB`);

  // FastAPI reference.
  const pyPort = await freePort();
  fastapi = startProcess(PYTHON, [FASTAPI_APP, String(pyPort)], process.env, fastapiLog);
  const pyBase = `http://${HOST}:${pyPort}`;
  await waitFor(`${pyBase}/healthz`, fastapi, 30_000, fastapiLog);
  const pyBody = await timedFetch(`${pyBase}/healthz`);
  const ourBody = await timedFetch(`${base}/healthz`);
  if (pyBody.body !== ourBody.body) {
    throw new Error(`the two /healthz bodies differ: ${pyBody.body} vs ${ourBody.body}`);
  }

  // 1. /healthz: ours vs FastAPI, one at a time, alternating, median of HEALTH_ROUNDS each.
  console.error(
    `/healthz, ${CONNECTIONS} connections, ${DURATION} s, median of ${HEALTH_ROUNDS} rounds each:`,
  );
  await load('warm-up ours', `${base}/healthz`, { duration: WARMUP_S });
  await load('warm-up FastAPI', `${pyBase}/healthz`, { duration: WARMUP_S });
  const oursHealth: AutocannonResult[] = [];
  const pyHealth: AutocannonResult[] = [];
  rss.phase();
  // Server CPU per request (user + system, from /proc): unlike req/s, it does not depend on how
  // much of the 2 cores the client and other processes took.
  const oursCpuUs: number[] = [];
  const pyCpuUs: number[] = [];
  const pyPid = fastapi.pid ?? 0;
  for (let i = 0; i < HEALTH_ROUNDS; i++) {
    let c0 = cpuSeconds(serverPid);
    const o = await load(`ours #${i + 1}`, `${base}/healthz`);
    oursCpuUs.push(((cpuSeconds(serverPid) - c0) * 1e6) / o.requests.total);
    oursHealth.push(o);
    c0 = cpuSeconds(pyPid);
    const f = await load(`FastAPI #${i + 1}`, `${pyBase}/healthz`);
    pyCpuUs.push(((cpuSeconds(pyPid) - c0) * 1e6) / f.requests.total);
    pyHealth.push(f);
  }
  const oursCpu = median(oursCpuUs);
  const pyCpu = median(pyCpuUs);
  console.error(
    `  server CPU per request: ours ${oursCpuUs.map((x) => x.toFixed(0)).join(', ')} µs; FastAPI ${pyCpuUs.map((x) => x.toFixed(0)).join(', ')} µs`,
  );
  const rssHealth = rss.phasePeakMb;
  await stopProcess(fastapi);
  fastapi = undefined;

  // 2. POST /v1/predict, one realistic protein per request (a different one each time), then the
  // shipped blaTEM-60 (a reference: its alignment is found at once) for comparison.
  console.error(
    `POST /v1/predict (1 P. berghei protein per request, ${singles.length} cycled, ${singleLengths[0] ?? 0}-${singleLengths.at(-1) ?? 0} aa, median ${singleLengths[Math.floor(singleLengths.length / 2)] ?? 0}), ${CONNECTIONS} connections, ${DURATION} s:`,
  );
  await load('warm-up', `${base}/v1/predict`, {
    method: 'POST',
    requests: singleRequests,
    duration: WARMUP_S,
  });
  rss.phase();
  const predictRuns: AutocannonResult[] = [];
  for (let i = 0; i < REPEAT; i++) {
    predictRuns.push(
      await load(`predict #${i + 1}`, `${base}/v1/predict`, {
        method: 'POST',
        requests: singleRequests,
      }),
    );
  }
  const shippedRun = await load('predict, shipped blaTEM-60', `${base}/v1/predict`, {
    method: 'POST',
    body: oneBody,
  });
  const rssPredict = rss.phasePeakMb;

  // 3. POST /v1/predict, 100 proteins, one client at a time.
  const hundredBody = JSON.stringify({
    task: 'multiclass',
    sequences: hundred.map((p) => ({ id: p.id, sequence: p.sequence })),
  });
  const hundredMs: number[] = [];
  for (let i = 0; i < 22; i++) {
    const r = await timedFetch(`${base}/v1/predict`, postJson(hundredBody));
    if (r.status !== 200) {
      throw new Error(`POST /v1/predict (100) answered ${r.status}: ${r.body.slice(0, 300)}`);
    }
    if (i >= 2) {
      hundredMs.push(r.ms);
    }
  }
  hundredMs.sort((a, b) => a - b);
  console.error(
    `POST /v1/predict (100 proteins), sequential: p50 ${fmt(percentile(hundredMs, 0.5), 1)} ms`,
  );
  console.error('POST /v1/predict (100 proteins), 4 connections, 10 s:');
  // Meanwhile, one client probes /healthz: is the request thread free while batches are predicted?
  const probing = { on: true };
  const probeMs: number[] = [];
  const prober = (async () => {
    while (probing.on) {
      probeMs.push((await timedFetch(`${base}/healthz`)).ms);
      await sleep(10);
    }
  })();
  const hundredLoad = await load('predict 100', `${base}/v1/predict`, {
    method: 'POST',
    body: hundredBody,
    connections: 4,
  });
  probing.on = false;
  await prober;
  probeMs.sort((a, b) => a - b);

  // 4. A 200-protein job, then the map: first model-map fit, then the job's map (projection), cached.
  rss.phase();
  const job200 = await runJob(base, jobMapProteins, 'map-200.faa');
  const mapFirst = await mapWhenReady(`${base}/v1/jobs/${job200.job.id}/map`);
  if (mapFirst.status !== 200) {
    throw new Error(`GET /v1/jobs/…/map answered ${mapFirst.status}: ${mapFirst.body}`);
  }
  const mapJson = JSON.parse(mapFirst.body) as { projection: string; queries: unknown[] };
  const mapCached = await timedFetch(`${base}/v1/jobs/${job200.job.id}/map`);
  // A second 200-protein job: its map on an already loaded reference map.
  const job200b = await runJob(base, strided(200, 3), 'map-200b.faa');
  const mapSecondJob = await mapWhenReady(`${base}/v1/jobs/${job200b.job.id}/map`);
  const rssMap = rss.phasePeakMb;
  console.error(
    `map: 200-protein job map ready ${fmt(mapFirst.ms)} ms after the job completed (${mapJson.projection}, ${mapJson.queries.length} points), cached ${fmt(mapCached.ms, 1)} ms, another job ${fmt(mapSecondJob.ms)} ms`,
  );

  // 5. A 1,000-protein job (multipart upload) until completed.
  rss.phase();
  const job1000 = await runJob(base, jobProteins, 'jobs-1000.faa');
  const rssJob = rss.phasePeakMb;
  console.error(
    `job 1,000 proteins: ${fmt(job1000.totalS, 2)} s from upload to completed (submit ${fmt(job1000.submitMs)} ms, run ${fmt(job1000.serverRunS, 2)} s)`,
  );

  const peakSampled = rss.peakMb;
  const hwm = rss.hwmMb();
  rss.stop();
  await stopProcess(server);
  server = undefined;

  // 6. The predictor alone, in this process (no HTTP), set up as the server's request thread is
  // (embedder and matrix products on this thread): the floor under /v1/predict, by stage, on the
  // same realistic proteins. Stages per protein: embed; classifier + cosine nearest reference
  // (predictEmbeddings); the rest of predict() is the homology evidence (seed search + alignment).
  const kernels = loadFastestKernels({ notify: () => undefined });
  const catalog = new FsModelRegistry(join(serverHome, 'models'));
  const model = await loadPredictionModel('multiclass', catalog, kernels, {
    threads: 1,
  });
  const singleRecords = singles.map((p) => ({ id: p.id, description: '', sequence: p.sequence }));
  const record = { id: one.id, description: '', sequence: one.sequence };
  for (let i = 0; i < 50; i++) {
    await predictAll([record], { model });
  }
  await predictAll(singleRecords, { model });
  const stageMs = { embed: 0, classifier: 0, full: 0 };
  for (const r of singleRecords) {
    let t = performance.now();
    const [vector] = await model.embedder.embed([r]);
    stageMs.embed += performance.now() - t;
    t = performance.now();
    model.predictor.predictEmbeddings(vector as Float32Array);
    stageMs.classifier += performance.now() - t;
    t = performance.now();
    await predictAll([r], { model });
    stageMs.full += performance.now() - t;
  }
  const per = (ms: number): number => ms / singleRecords.length;
  const predictorMs = per(stageMs.full);
  // predict() = embed + classifier + screen + alignments (predictEmbeddings, the HDF5 path, adds a
  // cosine to every reference that predict() no longer computes for screened-out proteins).
  const homologyMs = per(stageMs.full - stageMs.embed);
  // As the load batches them (50 connections: up to ~50 proteins per predictor call).
  const tb = performance.now();
  for (let i = 0; i < singleRecords.length; i += 50) {
    await predictAll(singleRecords.slice(i, i + 50), { model });
  }
  const batchedMs = (performance.now() - tb) / singleRecords.length;
  const tShipped = performance.now();
  for (let i = 0; i < 200; i++) {
    await predictAll([record], { model });
  }
  const shippedMs = (performance.now() - tShipped) / 200;
  const t100 = performance.now();
  const records100 = hundred.map((p) => ({ id: p.id, description: '', sequence: p.sequence }));
  for (let i = 0; i < 5; i++) {
    await predictAll(records100, { model });
  }
  const predictor100Ms = (performance.now() - t100) / 5;
  await model.embedder.close();
  console.error(
    `predictor alone (P. berghei, 1 per call): ${fmt(predictorMs, 2)} ms = embed ${fmt(per(stageMs.embed), 2)} + classifier, screen and alignments ${fmt(homologyMs, 2)} ms (the HDF5 path, classifier + cosine to every reference: ${fmt(per(stageMs.classifier), 2)} ms); in batches of 50 ${fmt(batchedMs, 2)} ms per protein; blaTEM-60 ${fmt(shippedMs, 3)} ms; 100 proteins ${fmt(predictor100Ms, 1)} ms`,
  );

  // ------------------------------------------------------------------------------------------
  // Report.
  const ours = medianRun(oursHealth);
  const py = medianRun(pyHealth);
  const ratio = ours.requests.average / py.requests.average;
  const rounds = (rs: readonly AutocannonResult[]): string =>
    rs.map((r) => fmt(r.requests.average)).join(', ');
  const pr = best(predictRuns);
  const prErrors = pr.errors + pr.timeouts + pr.non2xx;
  row(
    `GET /healthz, ours (answered by the HTTP server before fastify, src/server/probes.ts), ${CONNECTIONS} conn, ${DURATION} s, median of ${HEALTH_ROUNDS}`,
    `${fmt(ours.requests.average)} req/s (p50 ${ours.latency.p50} / p99 ${ours.latency.p99} ms; rounds ${rounds(oursHealth)})`,
  );
  row(
    `GET /healthz, FastAPI ${fastapiVersion ?? ''} + uvicorn ${uvicornVersion ?? ''} (uvloop ${uvloopVersion ?? ''}, httptools, 1 process, no access log)`,
    `${fmt(py.requests.average)} req/s (p50 ${py.latency.p50} / p99 ${py.latency.p99} ms; rounds ${rounds(pyHealth)})`,
  );
  row(
    '/healthz ratio ours / FastAPI (median req/s)',
    `${ratio.toFixed(2)}× (per round: ${oursHealth.map((o, i) => (o.requests.average / (pyHealth[i]?.requests.average ?? Number.NaN)).toFixed(2)).join(', ')})`,
    '≥ 2×',
    ratio >= 2,
  );
  row(
    '/healthz server CPU per request (user + system, /proc; median round)',
    `ours ${fmt(oursCpu)} µs, FastAPI ${fmt(pyCpu)} µs: ${(pyCpu / oursCpu).toFixed(2)}× less`,
  );
  row(
    `POST /v1/predict, 1 realistic protein per request (P. berghei, not references: ${singles.length} cycled, ${singleLengths[0] ?? 0}-${singleLengths.at(-1) ?? 0} aa, median ${singleLengths[Math.floor(singleLengths.length / 2)] ?? 0}), ${CONNECTIONS} conn, ${DURATION} s, best of ${REPEAT}`,
    `${fmt(pr.requests.average)} req/s`,
    '≥ 1,000 req/s',
    pr.requests.average >= 1000,
  );
  row(
    '… latency p50 / p99',
    `${pr.latency.p50} / ${pr.latency.p99} ms`,
    'p99 < 50 ms',
    pr.latency.p99 < 50,
  );
  row(
    '… errors + timeouts + non-2xx',
    `${prErrors} of ${fmt(pr.requests.sent)}`,
    '0',
    prErrors === 0,
  );
  row(
    "POST /v1/predict, 1 shipped reference protein (blaTEM-60, 286 aa, the earlier sessions' load), same settings",
    `${fmt(shippedRun.requests.average)} req/s, p50 ${shippedRun.latency.p50} / p99 ${shippedRun.latency.p99} ms`,
  );
  row(
    'POST /v1/predict, 100 P. berghei proteins, 1 client (20 requests)',
    `p50 ${fmt(percentile(hundredMs, 0.5))} ms, p99 ${fmt(percentile(hundredMs, 0.99))} ms (${fmt(100_000 / percentile(hundredMs, 0.5))} proteins/s)`,
  );
  row(
    'POST /v1/predict, 100 P. berghei proteins, 4 conn, 10 s',
    `${fmt(hundredLoad.requests.average, 1)} req/s = ${fmt(hundredLoad.requests.average * 100)} proteins/s, p50 ${hundredLoad.latency.p50} / p99 ${hundredLoad.latency.p99} ms, non-2xx ${hundredLoad.non2xx}`,
  );
  row(
    '… meanwhile GET /healthz, 1 client',
    `p50 ${fmt(percentile(probeMs, 0.5), 1)} ms, p99 ${fmt(percentile(probeMs, 0.99))} ms, max ${fmt(probeMs.at(-1) ?? 0)} ms`,
  );
  row(
    'predictor alone (in process, no HTTP, one thread as the server): 1 P. berghei protein per call, by stage',
    `${fmt(predictorMs, 2)} ms per call = ${fmt(1000 / predictorMs)} calls/s: embed ${fmt(per(stageMs.embed), 2)}, classifier + screen + alignments ${fmt(homologyMs, 2)} ms (HDF5 path: classifier + cosine to every reference ${fmt(per(stageMs.classifier), 2)} ms)`,
  );
  row(
    '… in batches of 50 (as the load batches them); blaTEM-60 alone; 100 proteins',
    `${fmt(batchedMs, 2)} ms per protein = ${fmt(1000 / batchedMs)} proteins/s; ${fmt(shippedMs, 3)} ms per call; ${fmt(predictor100Ms, 1)} ms`,
  );
  row(
    'job, 1,000 proteins (multipart POST /v1/jobs → completed)',
    `${fmt(job1000.totalS, 2)} s = ${fmt(1000 / job1000.totalS)} proteins/s (upload ${fmt(job1000.submitMs)} ms, run ${fmt(job1000.serverRunS, 2)} s)`,
  );
  row(
    'job, 200 proteins (first job: worker loads the model)',
    `${fmt(job200.totalS, 2)} s (second 200-protein job ${fmt(job200b.totalS, 2)} s)`,
  );
  row(
    'reference map, first fit (background from start-up; once per model, stored)',
    `ready ${fmt(mapReadyMs / 1000, 1)} s after process start (${fmt((mapReadyMs - readyMs) / 1000, 1)} s after /readyz)`,
  );
  row(
    'job map of a 200-protein job, from completion until GET /v1/jobs/{id}/map answers 200 (map fitted)',
    `${fmt(mapFirst.ms / 1000, 3)} s (${mapJson.projection}); another job ${fmt(mapSecondJob.ms / 1000, 3)} s; cached ${fmt(mapCached.ms, 1)} ms`,
    '≤ 1 s',
    Math.max(mapFirst.ms, mapSecondJob.ms) <= 1000,
  );
  row(
    'server peak RSS (VmRSS every 100 ms, whole run)',
    `${fmt(peakSampled)} MB (VmHWM ${fmt(hwm)} MB); start-up with map fit ${fmt(rssStart)}, idle after ${fmt(rssIdle)}, /healthz load ${fmt(rssHealth)}, /v1/predict load ${fmt(rssPredict)}, map ${fmt(rssMap)}, 1,000-protein job ${fmt(rssJob)}`,
    '< 500 MB',
    Math.max(peakSampled, hwm) < 500,
  );
  row(
    'start → listening / → ready (/readyz 200, model loaded)',
    `${fmt(listenMs)} ms / ${fmt(readyMs)} ms`,
  );
  row(
    'first request after ready: POST /v1/predict, 1 protein (then the second)',
    `${fmt(firstPredict.ms, 1)} ms (${fmt(secondPredict.ms, 1)} ms); first GET /healthz ${fmt(firstHealth.ms, 1)} ms`,
  );

  const load1 = loadavg()[0] ?? 0;
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? '?'}) shared by client (autocannon, this process) and server, Node ${process.version}, load average at the end ${load1.toFixed(1)}; ${CONNECTIONS} connections, ${DURATION} s per load, /healthz median of ${HEALTH_ROUNDS} rounds per server (alternating, one server loaded at a time), other loads best of ${REPEAT}.`;
  const table = [
    '| what | result | target | met |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.what} | ${r.result} | ${r.target} | ${r.met === undefined ? '' : r.met ? 'yes' : '**no**'} |`,
    ),
  ].join('\n');
  const md = `${machine}\n\n${table}\n`;
  console.log(`\n${md}`);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'api-load.md'), md);
  Object.assign(json, {
    date: new Date().toISOString(),
    machine,
    connections: CONNECTIONS,
    duration_s: DURATION,
    repeat: REPEAT,
    model_version: version,
    rows,
    healthz: {
      ours: oursHealth,
      fastapi: pyHealth,
      ratio,
      cpu_us_per_request: { ours: oursCpuUs, fastapi: pyCpuUs },
      rounds: HEALTH_ROUNDS,
    },
    predict_one: predictRuns,
    predict_hundred: { sequential_ms: hundredMs, load: hundredLoad, healthz_probe_ms: probeMs },
    predict_shipped_one: shippedRun,
    predictor_alone_ms: {
      one: predictorMs,
      stages: {
        embed: per(stageMs.embed),
        classifier_cosine: per(stageMs.classifier),
        homology: homologyMs,
      },
      batched_50_per_protein: batchedMs,
      shipped_one: shippedMs,
      hundred: predictor100Ms,
    },
    realistic_lengths: singleLengths,
    jobs: { job200, job200b, job1000 },
    map: {
      ready_after_start_ms: mapReadyMs,
      job_map_ms: mapFirst.ms,
      job_map_other_ms: mapSecondJob.ms,
      cached_ms: mapCached.ms,
      projection: mapJson.projection,
    },
    rss_mb: {
      start_with_fit: rssStart,
      idle: rssIdle,
      healthz: rssHealth,
      predict: rssPredict,
      map: rssMap,
      job: rssJob,
      peak: peakSampled,
      hwm,
    },
    start: {
      listen_ms: listenMs,
      ready_ms: readyMs,
      first_predict_ms: firstPredict.ms,
      second_predict_ms: secondPredict.ms,
      first_healthz_ms: firstHealth.ms,
    },
  });
  writeFileSync(join(OUT, 'api-load.json'), `${JSON.stringify(json, null, 2)}\n`);
} catch (e) {
  failed = true;
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  console.error(`server log: ${logPath}`);
} finally {
  rss?.stop();
  if (fastapi !== undefined) {
    await stopProcess(fastapi);
  }
  if (server !== undefined) {
    await stopProcess(server);
  }
  if (!failed) {
    rmSync(serverHome, { recursive: true, force: true });
  }
  if (givenHome === undefined) {
    rmSync(modelHome, { recursive: true, force: true });
  }
}
process.exitCode = failed ? 1 : 0;
