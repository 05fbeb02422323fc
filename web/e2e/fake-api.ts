// A small stand-in for `arginator serve` (docs/api.md) for UI development and browser tests of UI logic.
// Predictions are made up (deterministic from the sequence); the real server is tested in ui.e2e.test.ts.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

import { predictionColumns } from '../../src/io/prediction-table.ts';

// The API's words from their one declaration (this fake runs in Node, not in the bundle).
import {
  BINARY_NEGATIVE,
  BINARY_POSITIVE,
  FINISHED_JOB_STATUSES,
  isOneOf,
  MULTICLASS_LABELS,
  NOT_BETALACTAMASE,
  NOVELTY_CLASSES,
  TABLE_FORMATS,
} from '../../src/core/domain.ts';
import type {
  CarbapenemaseCall,
  EvidenceMethod,
  JobStatus,
  Novelty,
  TableFormat,
  Task,
} from '../../src/core/domain.ts';

const LABELS: readonly string[] = MULTICLASS_LABELS;

interface FakeRow {
  readonly protein_id: string;
  readonly predicted_label: string;
  readonly probabilities: Record<string, number>;
  readonly prob_betalactamase: number;
  readonly confidence_score: number;
  readonly nearest_reference: string | null;
  readonly nearest_reference_label: string | null;
  readonly identity: number | null;
  readonly coverage: number | null;
  readonly novelty: Novelty;
  readonly gene: string | null;
  readonly subclass: string | null;
  readonly method: EvidenceMethod;
  readonly carbapenemase: CarbapenemaseCall | null;
  readonly x: number;
  readonly y: number;
}

interface FakeJob {
  readonly id: string;
  status: JobStatus;
  readonly task: Task;
  done: number;
  /** Set when the job expires (addExpiredJob). */
  expiresAt: string | null;
  readonly rows: readonly FakeRow[];
  readonly inputName: string;
  readonly createdAt: string;
}

export interface FakeApiOptions {
  /** The built UI (web/dist) to serve at `/`. */
  readonly distDir: string;
  /** Proteins classified per progress tick (every `tickMs`). */
  readonly proteinsPerTick?: number;
  readonly tickMs?: number;
}

export interface FakeApi {
  readonly url: string;
  /** Adds a completed job with `n` synthetic proteins; returns its id. */
  addCompletedJob(n: number, name?: string): string;
  /** Adds a job that completed and then expired (results deleted); returns its id. */
  addExpiredJob(n: number, name?: string): string;
  /** The next `times` GET /v1/jobs/{id}/map answer 503 job.map-pending (Retry-After: 1), as a map being computed. */
  holdMap(id: string, times: number): void;
  /**
   * Adds a training run that logs one epoch per GET /v1/runs/{id}/metrics and finishes after
   * `epochs` (a run trained live); returns its id.
   */
  addLiveRun(epochs: number): string;
  close(): Promise<void>;
}

/** The per-step series of a fake run after `epochs` epochs (RunMetricsJson). */
function runSeries(
  epochs: number,
): Record<string, { step: number; value: number; timestamp: number }[]> {
  const at = (f: (e: number) => number): { step: number; value: number; timestamp: number }[] =>
    Array.from({ length: epochs }, (_, i) => ({
      step: i + 1,
      value: Number(f(i + 1).toFixed(4)),
      timestamp: Date.parse('2026-11-26T04:50:17Z') + i * 1000,
    }));
  return {
    train_loss: at((e) => 1 / e),
    val_loss: at((e) => 1.2 / e + 0.05),
    val_f1: at((e) => 0.9 - 0.4 / e),
    val_accuracy: at((e) => 0.95 - 0.3 / e),
    seconds: at(() => 0.5),
  };
}

/** A seeded PRNG (mulberry32), so the fake data is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i += 1) {
    h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  }
  return h >>> 0;
}

const CENTRES: Record<string, [number, number]> = {
  A: [-6, 4],
  B: [6, 5],
  C: [-5, -5],
  D: [5, -4],
  NBL: [0, 0],
};

function fakeRow(id: string, seed: number, task: Task): FakeRow {
  const r = rng(seed);
  const label = LABELS[Math.floor(r() * LABELS.length)] ?? NOT_BETALACTAMASE;
  const top = 0.5 + r() * 0.5;
  const probabilities: Record<string, number> = {};
  for (const l of LABELS) {
    probabilities[l] = l === label ? top : (1 - top) / (LABELS.length - 1);
  }
  const identity = Math.round(r() * 1000) / 10;
  const coverage = Math.round((40 + r() * 60) * 10) / 10;
  const novelty =
    identity >= 70 && coverage >= 70
      ? 'known'
      : identity < 40 || coverage < 50
        ? 'novel'
        : 'distant';
  const centre = CENTRES[label] ?? [0, 0];
  const pbl = 1 - (probabilities['NBL'] ?? 0);
  const binaryLabel = pbl >= 0.5 ? BINARY_POSITIVE : BINARY_NEGATIVE;
  // Named evidence in the shape of the real table (docs/prediction.md), not its statistics.
  const method: EvidenceMethod = identity >= 90 && coverage >= 90 ? 'CLOSE' : 'DISTANT';
  const subclass = label === 'NBL' ? null : label === 'B' ? 'CARBAPENEM' : 'BETA-LACTAM';
  const betaLactamase = label !== 'NBL';
  return {
    protein_id: id,
    predicted_label: task === 'binary' ? binaryLabel : label,
    probabilities: task === 'binary' ? {} : probabilities,
    prob_betalactamase: pbl,
    confidence_score: task === 'binary' ? Math.max(pbl, 1 - pbl) : top,
    nearest_reference: `WP_${String(seed % 1_000_000).padStart(9, '0')}.1`,
    nearest_reference_label: label,
    identity,
    coverage,
    novelty,
    gene: label === 'NBL' ? null : `blaFAKE${label}-${seed % 7}`,
    subclass,
    method,
    carbapenemase: !betaLactamase
      ? null
      : method === 'CLOSE'
        ? subclass === 'CARBAPENEM'
          ? 'yes'
          : 'no'
        : 'uncertain',
    x: centre[0] + (r() - 0.5) * 3,
    y: centre[1] + (r() - 0.5) * 3,
  };
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function table(job: FakeJob, format: TableFormat): string {
  // The real table's header (io/prediction-table.ts); the cells below must follow its order.
  const columns = predictionColumns(LABELS, job.task);
  const row = (r: FakeRow): (string | number | null)[] => [
    r.protein_id,
    r.predicted_label,
    r.confidence_score,
    r.prob_betalactamase,
    ...(job.task === 'multiclass' ? LABELS.map((l) => r.probabilities[l] ?? 0) : []),
    r.nearest_reference,
    r.nearest_reference_label,
    r.identity,
    r.coverage,
    r.novelty,
    'v1',
    r.gene,
    r.gene === null ? null : r.gene.replace(/-\d+$/, ''),
    r.subclass,
    r.carbapenemase,
    r.identity === null ? null : r.identity * 5,
    r.identity === null ? null : 1e-30,
    r.method,
  ];
  const cells = (r: FakeRow): (string | number | null)[] => {
    const values = row(r);
    if (values.length !== columns.length) {
      throw new Error(`fake API: ${values.length} cells for ${columns.length} columns`);
    }
    return values;
  };
  if (format === 'json') {
    return JSON.stringify(
      job.rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, cells(r)[i]]))),
    );
  }
  const fmt = (v: string | number | null, i: number): string =>
    v === null ? '' : typeof v === 'string' ? v : v.toFixed(i >= columns.length - 4 ? 1 : 6);
  const sep = format === 'csv' ? ',' : '\t';
  const esc = format === 'csv' ? csvField : (t: string) => t.replace(/[\t\r\n]/g, ' ');
  const lines = [
    columns.join(sep),
    ...job.rows.map((r) =>
      cells(r)
        .map((v, i) => esc(fmt(v, i)))
        .join(sep),
    ),
  ];
  return `${lines.join('\n')}\n`;
}

function jobJson(job: FakeJob): Record<string, unknown> {
  const self = `/v1/jobs/${job.id}`;
  const total = job.rows.length;
  const counts: Record<string, number> = {};
  const novelty: Record<string, number> = Object.fromEntries(NOVELTY_CLASSES.map((n) => [n, 0]));
  if (job.status === 'completed') {
    for (const r of job.rows) {
      counts[r.predicted_label] = (counts[r.predicted_label] ?? 0) + 1;
      novelty[r.novelty] = (novelty[r.novelty] ?? 0) + 1;
    }
  }
  return {
    id: job.id,
    status: job.status,
    task: job.task,
    progress: total === 0 ? 100 : Math.round((job.done / total) * 100),
    proteins_done: job.done,
    proteins_total: total,
    input_name: job.inputName,
    model_version: 'v1',
    created_at: job.createdAt,
    started_at: job.createdAt,
    finished_at: job.status === 'completed' ? new Date().toISOString() : null,
    expires_at: job.expiresAt,
    error: null,
    summary: job.status === 'completed' ? { counts, novelty } : null,
    links: { self, events: `${self}/events`, results: `${self}/results`, map: `${self}/map` },
  };
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': type });
  res.end(text);
}

function problem(
  res: ServerResponse,
  status: number,
  reason: string,
  detail: string,
  hint: string,
): void {
  send(
    res,
    status,
    {
      type: `https://arginator.dev/problems/${reason}`,
      title: 'Bad input',
      status,
      detail,
      code: 'BAD_INPUT',
      reason,
      hint,
      request_id: 'req-fake',
    },
    'application/problem+json',
  );
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) {
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseFasta(
  name: string,
  text: string,
): { ids: string[]; seqs: string[] } | { error: string } {
  const lines = text.split(/\r?\n/);
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) {
    return { error: `${name}: the file is empty. Fix: give at least one '>id' record.` };
  }
  if (!(lines[first] ?? '').startsWith('>')) {
    return {
      error: `${name}, line ${first + 1}: the file does not start with a FASTA header ('>'). Fix: start each record with a '>id description' line.`,
    };
  }
  const ids: string[] = [];
  const seqs: string[] = [];
  for (const line of lines) {
    if (line.startsWith('>')) {
      ids.push(line.slice(1).trim().split(/\s+/)[0] ?? '');
      seqs.push('');
    } else if (seqs.length > 0) {
      seqs[seqs.length - 1] = `${seqs[seqs.length - 1] ?? ''}${line.trim()}`;
    }
  }
  return { ids, seqs };
}

const SVG_PLOT = (title: string): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="320"><rect width="100%" height="100%" fill="#fff"/><text x="20" y="30" font-family="sans-serif" font-size="16">${title}</text><polyline fill="none" stroke="#0072B2" stroke-width="2" points="20,300 100,200 200,120 300,80 460,60"/></svg>`;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export async function startFakeApi(options: FakeApiOptions): Promise<FakeApi> {
  const jobs = new Map<string, FakeJob>();
  const heldMaps = new Map<string, number>();
  /** Live runs: epochs to run, epochs logged so far. */
  const liveRuns = new Map<string, { epochs: number; logged: number }>();
  const perTick = options.proteinsPerTick ?? 2;
  const tickMs = options.tickMs ?? 150;
  let nextId = 1;
  const timers = new Set<ReturnType<typeof setInterval>>();
  const references = Array.from({ length: 600 }, (_, i) => {
    const label = LABELS[i % LABELS.length] ?? NOT_BETALACTAMASE;
    const r = rng(i + 7);
    const c = CENTRES[label] ?? [0, 0];
    return { id: `WP_ref${i}.1`, label, x: c[0] + (r() - 0.5) * 4, y: c[1] + (r() - 0.5) * 4 };
  });

  const newJob = (task: Task, inputName: string, ids: string[], seqs: string[]): FakeJob => {
    const id = `job-${String(nextId).padStart(4, '0')}`;
    nextId += 1;
    const job: FakeJob = {
      id,
      status: 'queued',
      task,
      done: 0,
      expiresAt: null,
      inputName,
      createdAt: new Date().toISOString(),
      rows: ids.map((pid, i) => fakeRow(pid, hash(seqs[i] ?? pid), task)),
    };
    jobs.set(id, job);
    return job;
  };

  const runJob = (job: FakeJob): void => {
    const timer = setInterval(() => {
      if (job.status === 'cancelled') {
        clearInterval(timer);
        timers.delete(timer);
        return;
      }
      job.status = 'running';
      job.done = Math.min(job.rows.length, job.done + perTick);
      if (job.done >= job.rows.length) {
        job.status = 'completed';
        clearInterval(timer);
        timers.delete(timer);
      }
    }, tickMs);
    timers.add(timer);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    let m: RegExpExecArray | null;
    if (path === '/readyz') {
      return send(res, 200, { status: 'ready', model_version: 'v1' });
    }
    if (path === '/v1/jobs' && method === 'POST') {
      const body = await readBody(req);
      const request = new Request('http://localhost/', {
        method: 'POST',
        headers: { 'content-type': req.headers['content-type'] ?? '' },
        body: new Uint8Array(body),
      });
      const form = await request.formData();
      const task = form.get('task') === 'binary' ? 'binary' : 'multiclass';
      const ids: string[] = [];
      const seqs: string[] = [];
      const names: string[] = [];
      for (const part of form.getAll('file')) {
        if (typeof part === 'string') {
          continue;
        }
        const parsed = parseFasta(part.name, await part.text());
        if ('error' in parsed) {
          return problem(
            res,
            422,
            'fasta.no-header',
            parsed.error,
            "start each record with a '>id description' line",
          );
        }
        ids.push(...parsed.ids);
        seqs.push(...parsed.seqs);
        names.push(part.name);
      }
      if (ids.length === 0) {
        return problem(
          res,
          422,
          'fasta.empty',
          'the request has no FASTA records. Fix: attach a file part named "file".',
          'attach a FASTA file',
        );
      }
      const job = newJob(task, names.join(', '), ids, seqs);
      runJob(job);
      return send(res, 201, jobJson(job));
    }
    if (path === '/v1/jobs' && method === 'GET') {
      return send(res, 200, { jobs: [...jobs.values()].reverse().map(jobJson), next_cursor: null });
    }
    if ((m = /^\/v1\/jobs\/([^/]+)(\/.*)?$/.exec(path)) !== null) {
      const job = jobs.get(decodeURIComponent(m[1] ?? ''));
      const rest = m[2] ?? '';
      if (job === undefined) {
        return problem(
          res,
          404,
          'job.not-found',
          'no job with this id. Fix: check the id.',
          'list jobs with GET /v1/jobs',
        );
      }
      if (rest === '') {
        return send(res, 200, jobJson(job));
      }
      if (rest === '/cancel' && method === 'POST') {
        if (job.status === 'queued' || job.status === 'running') {
          job.status = 'cancelled';
        }
        return send(res, 200, jobJson(job));
      }
      if (rest === '/events') {
        res.writeHead(200, {
          'Content-Type': 'text/event-stream',
          'Cache-Control': 'no-cache',
          Connection: 'keep-alive',
        });
        let last = '';
        const tick = (): void => {
          const text = JSON.stringify(jobJson(job));
          const terminal = isOneOf(FINISHED_JOB_STATUSES, job.status) || job.status === 'expired';
          if (text !== last) {
            res.write(`event: progress\ndata: ${text}\n\n`);
            last = text;
          }
          if (terminal) {
            res.write(`event: done\ndata: ${text}\n\n`);
            res.end();
            clearInterval(timer);
          }
        };
        const timer = setInterval(tick, 50);
        req.on('close', () => clearInterval(timer));
        tick();
        return;
      }
      if (rest === '/results') {
        if (job.status === 'expired') {
          return problem(
            res,
            404,
            'job.expired',
            'the job expired and its results were deleted.',
            'submit the input again',
          );
        }
        if (job.status !== 'completed') {
          return problem(
            res,
            409,
            'job.not-completed',
            'the job has not completed yet.',
            'wait for the done event',
          );
        }
        const asked = url.searchParams.get('format');
        const format: TableFormat = isOneOf(TABLE_FORMATS, asked) ? asked : 'csv';
        const type =
          format === 'csv'
            ? 'text/csv'
            : format === 'tsv'
              ? 'text/tab-separated-values'
              : 'application/json';
        return send(res, 200, table(job, format), type);
      }
      if (rest === '/map') {
        const held = heldMaps.get(job.id) ?? 0;
        if (held > 0) {
          heldMaps.set(job.id, held - 1);
          res.writeHead(503, { 'Content-Type': 'application/problem+json', 'Retry-After': '1' });
          res.end(
            JSON.stringify({
              title: 'Not ready',
              status: 503,
              detail: `job ${job.id} has completed and its results can be downloaded; its map is being computed (retry in 1 s)`,
              code: 'NOT_READY',
              reason: 'job.map-pending',
              hint: 'retry in 1 s',
            }),
          );
          return;
        }
        return send(res, 200, {
          model_version: 'v1',
          queries: job.rows.map((r) => ({
            id: r.protein_id,
            predicted_label: r.predicted_label,
            novelty: r.novelty,
            x: r.x,
            y: r.y,
          })),
        });
      }
      if (rest === '/map.svg' || rest === '/map.png') {
        return send(res, 200, SVG_PLOT('map'), 'image/svg+xml');
      }
    }
    if ((m = /^\/v1\/models\/([^/]+)\/map$/.exec(path)) !== null) {
      return send(res, 200, { model_version: m[1], labels: LABELS, references });
    }
    if (path === '/v1/models') {
      return send(res, 200, {
        models: [
          {
            version: 'v1',
            task: 'multiclass',
            aliases: [],
            created_at: '2026-11-26T04:50:14.511Z',
            run_id: 'run-a',
            metrics: { accuracy: 0.969, f1: 0.953, mcc: 0.941 },
          },
          {
            version: 'v2',
            task: 'multiclass',
            aliases: ['latest:multiclass'],
            created_at: '2026-11-26T05:50:14.511Z',
            run_id: 'run-b',
            metrics: { accuracy: 0.963, f1: 0.75, mcc: 0.907 },
          },
        ],
      });
    }
    if ((m = /^\/v1\/runs\/([^/]+)\/metrics$/.exec(path)) !== null) {
      const id = m[1] ?? '';
      const live = liveRuns.get(id);
      if (live !== undefined) {
        live.logged = Math.min(live.epochs, live.logged + 1);
      }
      return send(res, 200, {
        run_id: id,
        status: live === undefined || live.logged >= live.epochs ? 'finished' : 'running',
        metrics: runSeries(live?.logged ?? 3),
      });
    }
    const liveRun = liveRuns.get(/^\/v1\/runs\/([^/]+)$/.exec(path)?.[1] ?? '');
    const run = (id: string, f1: number): Record<string, unknown> => ({
      id,
      kind: 'train',
      status: liveRun === undefined || liveRun.logged >= liveRun.epochs ? 'finished' : 'running',
      startedAt: '2026-11-26T04:50:17.316Z',
      finishedAt: '2026-11-26T04:50:20.792Z',
      command: 'train experiment.epochs=3',
      summary: {
        test_f1: f1,
        test_accuracy: 0.96,
        test_mcc: 0.9,
        model_version: id === 'run-a' ? 'v1' : 'v2',
      },
    });
    if (path === '/v1/runs') {
      return send(res, 200, { runs: [run('run-b', 0.75), run('run-a', 0.95)] });
    }
    if ((m = /^\/v1\/runs\/([^/]+)$/.exec(path)) !== null) {
      const id = m[1] ?? '';
      const f1 = id === 'run-a' ? 0.95 : 0.75;
      const plots = ['loss-curves', 'confusion-matrix', 'roc'].map((name) => ({
        name,
        png: `/v1/runs/${id}/plots/${name}.png`,
        svg: `/v1/runs/${id}/plots/${name}.svg`,
      }));
      return send(res, 200, {
        ...run(id, f1),
        metrics: {
          best_epoch: 1,
          test: {
            accuracy: 0.96,
            mcc: 0.9,
            f1,
            macro: { precision: 0.8, recall: 0.8, f1 },
            perClass: LABELS.map((label) => ({
              label,
              precision: 0.9,
              recall: 0.85,
              f1: 0.87,
              support: 20,
            })),
          },
        },
        plots,
      });
    }
    if ((m = /^\/v1\/runs\/([^/]+)\/plots\/([^/]+)\.(png|svg)$/.exec(path)) !== null) {
      return send(res, 200, SVG_PLOT(`${m[1] ?? ''} ${m[2] ?? ''}`), 'image/svg+xml');
    }
    // Static UI.
    const rel = normalize(path === '/' ? '/index.html' : path).replace(/^(\.\.[/\\])+/, '');
    const file = join(options.distDir, rel);
    if (file.startsWith(options.distDir) && existsSync(file) && statSync(file).isFile()) {
      res.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' });
      createReadStream(file).pipe(res);
      return;
    }
    problem(res, 404, 'route.not-found', `no route ${method} ${path}.`, 'see docs/api.md');
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) {
        problem(res, 500, 'internal', String(e), 'this is a bug in the fake');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    addCompletedJob(n, name = 'synthetic.faa') {
      const ids = Array.from({ length: n }, (_, i) => `prot_${String(i).padStart(6, '0')}`);
      const job = newJob('multiclass', name, ids, ids);
      job.status = 'completed';
      job.done = n;
      return job.id;
    },
    holdMap(id, times) {
      heldMaps.set(id, times);
    },
    addLiveRun(epochs) {
      const id = `run-live-${liveRuns.size + 1}`;
      liveRuns.set(id, { epochs, logged: 0 });
      return id;
    },
    addExpiredJob(n, name = 'old.faa') {
      const ids = Array.from({ length: n }, (_, i) => `old_${String(i).padStart(6, '0')}`);
      const job = newJob('multiclass', name, ids, ids);
      job.status = 'expired';
      job.done = n;
      job.expiresAt = new Date().toISOString();
      return job.id;
    },
    async close() {
      for (const t of timers) {
        clearInterval(t);
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
