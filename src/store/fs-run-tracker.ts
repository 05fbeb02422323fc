// Run folders on disk: <home>/runs/<id>/{run.json, config.yaml, metrics.jsonl, metrics.json, model.argm, plots/…}.
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { ArginatorError } from '../core/errors.ts';
import type { Clock, RunHandle, RunRecord, RunStatus, RunTracker } from '../pipeline/ports.ts';

const RUN_FILE = 'run.json';
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

function checkName(name: string): string {
  if (!SAFE_NAME.test(name) || name.split('/').some((p) => p === '..' || p === '.')) {
    throw new ArginatorError('INTERNAL', 'run.bad-file-name', `bad run file name '${name}'`, '');
  }
  return name;
}

export class FsRunTracker implements RunTracker {
  private readonly root: string;
  private readonly clock: Clock;

  /** `root` is the runs folder (config paths.runs, by default <home>/runs). */
  constructor(root: string, clock: Clock = { now: () => new Date() }) {
    this.root = root;
    this.clock = clock;
  }

  async start(init: Omit<RunRecord, 'id' | 'status' | 'startedAt'>): Promise<RunHandle> {
    const id = runId(this.clock.now());
    const dir = join(this.root, id);
    await mkdir(dir, { recursive: true });
    let record: RunRecord = {
      ...init,
      id,
      status: 'running',
      startedAt: this.clock.now().toISOString(),
    };
    await writeFileAtomic(join(dir, RUN_FILE), `${JSON.stringify(record, null, 2)}\n`);
    const clock = this.clock;
    return {
      id,
      dir,
      writeJson: (name, value) =>
        writeFileAtomic(join(dir, checkName(name)), `${JSON.stringify(value, null, 2)}\n`),
      writeText: (name, text) => writeFileAtomic(join(dir, checkName(name)), text),
      writeBytes: (name, bytes) => writeFileAtomic(join(dir, checkName(name)), bytes),
      appendMetrics: (row) => appendFile(join(dir, 'metrics.jsonl'), `${JSON.stringify(row)}\n`),
      async finish(status: Exclude<RunStatus, 'running'>, details) {
        record = {
          ...record,
          status,
          finishedAt: clock.now().toISOString(),
          ...(details.summary === undefined ? {} : { summary: details.summary }),
          ...(details.error === undefined ? {} : { error: details.error }),
        };
        await writeFileAtomic(join(dir, RUN_FILE), `${JSON.stringify(record, null, 2)}\n`);
        return record;
      },
    };
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
      try {
        records.push(
          JSON.parse(await readFile(join(this.root, name, RUN_FILE), 'utf8')) as RunRecord,
        );
      } catch {
        // A folder without a readable run.json is not a run (e.g. a crash before the first write).
      }
    }
    return records;
  }

  async get(id: string): Promise<RunRecord> {
    return (await this.readJson(id, RUN_FILE)) as RunRecord;
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
}
