// Run folders on disk: <home>/runs/<id>/{run.json, config.yaml, metrics.jsonl, metrics.json, model.argm, plots/…}.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';

import { ArginatorError } from '../core/errors.ts';
import type {
  Clock,
  LegacyRunStatus,
  MetricPoint,
  RunArtifact,
  RunHandle,
  RunInit,
  RunKind,
  RunProcess,
  RunRecord,
  RunStatus,
  RunTracker,
} from '../pipeline/ports.ts';

const RUN_FILE = 'run.json';
const METRICS_FILE = 'metrics.jsonl';
const SAFE_NAME = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/**
 * Writes a file atomically: a temp file in the same folder, then rename. Chunks are written in
 * order, without being copied into one buffer.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array | readonly Uint8Array[],
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, data);
  await rename(temp, path);
}

function runId(now: Date): string {
  // Sortable by time, unique across processes.
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** A caller-chosen run id must be one folder name, as generated ids are. */
function checkRunId(id: string): string {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(id) || id === '.' || id === '..') {
    throw new ArginatorError('INTERNAL', 'run.bad-id', `bad run id '${id.slice(0, 80)}'`, '');
  }
  return id;
}

function checkName(name: string): string {
  if (!SAFE_NAME.test(name) || name.split('/').some((p) => p === '..' || p === '.')) {
    throw new ArginatorError('INTERNAL', 'run.bad-file-name', `bad run file name '${name}'`, '');
  }
  return name;
}

/**
 * Whether the process that runs a run is alive: true, false, or undefined when this machine
 * cannot tell (another host). Injectable for tests.
 */
export type ProcessProbe = (process: RunProcess) => boolean | undefined;

/** Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat); Linux only. */
export function processStartTicks(pid: number | 'self'): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/** This process, as recorded in run.json. */
export function currentProcess(): RunProcess {
  const startTicks = processStartTicks('self');
  return {
    pid: process.pid,
    host: hostname(),
    ...(startTicks === undefined ? {} : { startTicks }),
  };
}

/**
 * Same host: the pid must exist (signal 0) and, where /proc tells, have started at the recorded
 * tick, so a reused pid does not keep a dead run "running". Another host: unknown.
 */
export const probeLocalProcess: ProcessProbe = (p) => {
  if (p.host !== hostname()) {
    return undefined;
  }
  try {
    process.kill(p.pid, 0);
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') {
      return false;
    }
  }
  if (p.startTicks !== undefined) {
    const now = processStartTicks(p.pid);
    if (now !== undefined && now !== p.startTicks) {
      return false;
    }
  }
  return true;
};

/** run.json as any version wrote it: no kind before issue 14, and the old status words. */
type StoredRunRecord = Omit<RunRecord, 'kind' | 'status'> & {
  readonly kind?: RunKind | undefined;
  readonly status: RunStatus | LegacyRunStatus;
};

const LEGACY_STATUS: Readonly<Record<string, RunStatus>> = {
  completed: 'finished',
  cancelled: 'killed',
};

function normaliseStatus(status: RunStatus | LegacyRunStatus): RunStatus {
  return LEGACY_STATUS[status] ?? (status as RunStatus);
}

function seconds(from: string, to: number): number | undefined {
  const start = Date.parse(from);
  return Number.isFinite(start) ? Math.max(0, (to - start) / 1000) : undefined;
}

export interface FsRunTrackerOptions {
  /** Liveness of a running run's process (default: probeLocalProcess). */
  readonly probe?: ProcessProbe;
  /** The process recorded for new runs (default: this one). */
  readonly process?: RunProcess;
}

export class FsRunTracker implements RunTracker {
  private readonly root: string;
  private readonly clock: Clock;
  private readonly probe: ProcessProbe;
  private readonly self: RunProcess | undefined;

  /** `root` is the runs folder (config paths.runs, by default <home>/runs). */
  constructor(
    root: string,
    clock: Clock = { now: () => new Date() },
    options: FsRunTrackerOptions = {},
  ) {
    this.root = root;
    this.clock = clock;
    this.probe = options.probe ?? probeLocalProcess;
    this.self = options.process;
  }

  async start(init: RunInit): Promise<RunHandle> {
    const clock = this.clock;
    const started = clock.now();
    const id = init.id === undefined ? runId(started) : checkRunId(init.id);
    const dir = join(this.root, id);
    await mkdir(dir, { recursive: true });
    const previous = init.id === undefined ? undefined : await this.stored(id);
    let record: RunRecord = {
      ...init,
      id,
      kind: init.kind ?? previous?.kind ?? 'train',
      status: 'running',
      // A resumed run keeps its first start (its duration spans the pause, as MLflow's does).
      startedAt: previous?.startedAt ?? started.toISOString(),
      process: this.self ?? currentProcess(),
    };
    if (previous !== undefined) {
      // Tags learnt before the pause stay; the new init's values win.
      record = { ...record, tags: { ...previous.tags, ...init.tags } };
    }
    // run.json is rewritten by update() and finish(): one write at a time, in call order.
    let writes: Promise<void> = Promise.resolve();
    const save = (next: RunRecord): Promise<RunRecord> => {
      record = next;
      const text = `${JSON.stringify(next, null, 2)}\n`;
      writes = writes.then(() => writeFileAtomic(join(dir, RUN_FILE), text));
      return writes.then(() => next);
    };
    await save(record);
    const logMetrics = async (
      step: number,
      values: Readonly<Record<string, number>>,
    ): Promise<void> => {
      const timestamp = clock.now().getTime();
      const lines = Object.entries(values)
        .filter(([, value]) => Number.isFinite(value))
        .map(([key, value]) => `${JSON.stringify({ key, value, step, timestamp })}\n`);
      if (lines.length > 0) {
        // One append per step: a reader sees whole steps (and at worst a torn last line on a crash).
        await appendFile(join(dir, METRICS_FILE), lines.join(''));
      }
    };
    return {
      id,
      dir,
      writeJson: (name, value) =>
        writeFileAtomic(join(dir, checkName(name)), `${JSON.stringify(value, null, 2)}\n`),
      writeText: (name, text) => writeFileAtomic(join(dir, checkName(name)), text),
      writeBytes: (name, bytes) => writeFileAtomic(join(dir, checkName(name)), bytes),
      logMetrics,
      appendMetrics: (row) => {
        const { step, values } = rowPoints(row);
        return logMetrics(step, values);
      },
      update: (patch) =>
        save({
          ...record,
          ...(patch.tags === undefined ? {} : { tags: { ...record.tags, ...patch.tags } }),
          ...(patch.data === undefined ? {} : { data: patch.data }),
          ...(patch.params === undefined ? {} : { params: patch.params }),
        }),
      finish(status, details) {
        const finished = clock.now();
        return save({
          ...record,
          status: normaliseStatus(status),
          finishedAt: finished.toISOString(),
          durationSeconds: seconds(record.startedAt, finished.getTime()),
          ...(details.summary === undefined ? {} : { summary: details.summary }),
          ...(details.error === undefined ? {} : { error: details.error }),
        });
      },
    };
  }

  /** The stored run.json of `id`, or undefined when there is none (a new id). */
  private async stored(id: string): Promise<StoredRunRecord | undefined> {
    const raw = await readFile(join(this.root, id, RUN_FILE), 'utf8').catch(() => undefined);
    if (raw === undefined) {
      return undefined;
    }
    try {
      return JSON.parse(raw) as StoredRunRecord;
    } catch {
      return undefined; // torn by a crash before the first rename: start afresh
    }
  }

  async list(): Promise<RunRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch {
      return [];
    }
    const records: RunRecord[] = [];
    for (const name of names.sort()) {
      const raw = await readFile(join(this.root, name, RUN_FILE), 'utf8').catch(() => undefined);
      try {
        if (raw !== undefined) {
          records.push(this.normalise(JSON.parse(raw) as StoredRunRecord));
        }
      } catch {
        // A folder without a readable run.json is not a run (e.g. a crash before the first write).
      }
    }
    // Ids sort by second; runs started in the same second sort by their start time (ms).
    return records.sort((a, b) =>
      a.startedAt === b.startedAt ? (a.id < b.id ? -1 : 1) : a.startedAt < b.startedAt ? -1 : 1,
    );
  }

  async get(id: string): Promise<RunRecord> {
    const record = this.normalise((await this.readJson(id, RUN_FILE)) as StoredRunRecord);
    if (record.params !== undefined) {
      return record;
    }
    // Runs before issue 14 kept the resolved config in config.json only.
    const saved = (await this.readJson(id, 'config.json').catch(() => undefined)) as
      { config?: Record<string, unknown> } | undefined;
    return saved?.config === undefined ? record : { ...record, params: saved.config };
  }

  async metrics(id: string): Promise<MetricPoint[]> {
    const record = await this.get(id);
    const text = await readFile(this.pathOf(id, METRICS_FILE), 'utf8').catch(() => '');
    // Rows of older runs carry no time: they get the run's start.
    const fallback = Date.parse(record.startedAt);
    const points: MetricPoint[] = [];
    for (const line of text.split('\n')) {
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        continue; // blank, or a line torn by a crash mid-append
      }
      if (row === null || typeof row !== 'object') {
        continue;
      }
      const r = row as Record<string, unknown>;
      if (typeof r['key'] === 'string' && typeof r['value'] === 'number') {
        points.push({
          key: r['key'],
          value: r['value'],
          step: typeof r['step'] === 'number' ? r['step'] : 0,
          timestamp: typeof r['timestamp'] === 'number' ? r['timestamp'] : fallback,
        });
      } else {
        // A per-epoch row written before issue 14: {epoch, train_loss, val_f1, …}.
        const { step, values } = rowPoints(r);
        for (const [key, value] of Object.entries(values)) {
          points.push({ key, value, step, timestamp: fallback });
        }
      }
    }
    return points;
  }

  async artifacts(id: string): Promise<RunArtifact[]> {
    const top = join(this.root, checkName(id));
    await this.get(id);
    const out: RunArtifact[] = [];
    const walk = async (rel: string): Promise<void> => {
      const entries = await readdir(join(top, rel), { withFileTypes: true });
      for (const e of entries) {
        const path = rel === '' ? e.name : `${rel}/${e.name}`;
        if (e.isDirectory()) {
          await walk(path);
        } else if (e.isFile() && !isBookkeeping(path)) {
          out.push({ path, bytes: (await stat(join(top, path))).size });
        }
      }
    };
    await walk('');
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  pathOf(id: string, name: string): string {
    return join(this.root, checkName(id), checkName(name));
  }

  async readJson(id: string, name: string): Promise<unknown> {
    const path = this.pathOf(id, name);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      const known = (await this.list()).map((r) => r.id);
      throw new ArginatorError(
        'NOT_FOUND',
        'run.not-found',
        known.includes(id) ? `run '${id}' has no ${name}` : `no run '${id}'`,
        known.length === 0
          ? "train a model first: 'arginator train'"
          : `list runs with 'arginator runs list' (latest: ${known.at(-1) ?? ''})`,
      );
    }
    return JSON.parse(text) as unknown;
  }

  /** run.json as written (by any version) → today's record; a dead run's process → killed. */
  private normalise(raw: StoredRunRecord): RunRecord {
    const status = normaliseStatus(raw.status);
    const git = raw.git ?? parseGitCommit(raw.gitCommit);
    let record: RunRecord = {
      ...raw,
      kind: raw.kind ?? 'train',
      status,
      ...(git === undefined ? {} : { git }),
    };
    if (status === 'running' && raw.process !== undefined && this.probe(raw.process) === false) {
      record = {
        ...record,
        status: 'killed',
        error: `its process (pid ${raw.process.pid} on ${raw.process.host}) ended before the run finished`,
      };
    }
    if (record.durationSeconds === undefined) {
      const end =
        record.finishedAt === undefined
          ? record.status === 'running'
            ? this.clock.now().getTime()
            : undefined
          : Date.parse(record.finishedAt);
      const duration = end === undefined ? undefined : seconds(record.startedAt, end);
      if (duration !== undefined) {
        record = { ...record, durationSeconds: duration };
      }
    }
    return record;
  }
}

/** Files the tracker keeps for itself, not artifacts of the run. */
function isBookkeeping(path: string): boolean {
  return path === RUN_FILE || path === METRICS_FILE || path.endsWith('.tmp');
}

/** "sha" or "sha+dirty" (the pre-issue-14 gitCommit) → {commit, dirty}. */
function parseGitCommit(
  text: string | undefined,
): { readonly commit: string; readonly dirty: boolean } | undefined {
  const match = text === undefined ? null : /^([0-9a-f]{7,64})(\+dirty)?$/.exec(text);
  return match?.[1] === undefined ? undefined : { commit: match[1], dirty: match[2] !== undefined };
}

/** A wide row's step (its `step`, else its `epoch`, else 0) and its other finite numbers. */
function rowPoints(row: Readonly<Record<string, unknown>>): {
  step: number;
  values: Record<string, number>;
} {
  const stepField = typeof row['step'] === 'number' ? 'step' : 'epoch';
  const step = typeof row[stepField] === 'number' ? row[stepField] : 0;
  const values: Record<string, number> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key !== stepField && typeof value === 'number' && Number.isFinite(value)) {
      values[key] = value;
    }
  }
  return { step, values };
}
