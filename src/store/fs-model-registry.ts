// The model registry on disk: <home>/models/{registry.json, v1.argm, v2.argm, …}; versions, aliases, checksums.
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { ArginatorError } from '../core/errors.ts';
import type { ModelRegistryPort } from '../pipeline/train.ts';
import { writeFileAtomic } from './fs-run-tracker.ts';

export interface RegistryEntry {
  readonly version: string;
  readonly runId: string;
  readonly task: string;
  readonly createdAt: string;
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly metrics: Record<string, unknown>;
}

export interface RegistryIndex {
  readonly models: RegistryEntry[];
  /** alias → version; `latest:<task>` is moved by every registration of that task. */
  readonly aliases: Record<string, string>;
}

export class FsModelRegistry implements ModelRegistryPort {
  readonly dir: string;
  private readonly now: () => Date;

  /** `dir` is the models folder (config paths.models, by default <home>/models). */
  constructor(dir: string, now: () => Date = () => new Date()) {
    this.dir = dir;
    this.now = now;
  }

  async index(): Promise<RegistryIndex> {
    try {
      return JSON.parse(await readFile(join(this.dir, 'registry.json'), 'utf8')) as RegistryIndex;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        return { models: [], aliases: {} };
      }
      throw new ArginatorError(
        'INTERNAL',
        'registry.unreadable',
        `the model registry ${join(this.dir, 'registry.json')} cannot be read`,
        'restore it from a backup, or move the models folder away and train again',
        {},
        { cause: e },
      );
    }
  }

  async register(entry: {
    artifact: Uint8Array;
    runId: string;
    task: string;
    metrics: Record<string, unknown>;
  }): Promise<{ version: string; path: string }> {
    await mkdir(this.dir, { recursive: true });
    const index = await this.index();
    const next = index.models.reduce((m, e) => Math.max(m, Number(e.version.slice(1)) || 0), 0) + 1;
    const version = `v${next}`;
    const file = `${version}.argm`;
    const path = join(this.dir, file);
    await writeFileAtomic(path, entry.artifact);
    const record: RegistryEntry = {
      version,
      runId: entry.runId,
      task: entry.task,
      createdAt: this.now().toISOString(),
      file,
      sha256: createHash('sha256').update(entry.artifact).digest('hex'),
      bytes: entry.artifact.length,
      metrics: entry.metrics,
    };
    const updated: RegistryIndex = {
      models: [...index.models, record],
      aliases: { ...index.aliases, [`latest:${entry.task}`]: version },
    };
    await writeFileAtomic(join(this.dir, 'registry.json'), `${JSON.stringify(updated, null, 2)}\n`);
    return { version, path };
  }

  /** A version ('v3'), an alias ('latest:binary'), or a task name meaning its latest model. */
  async resolve(ref: string): Promise<RegistryEntry & { path: string }> {
    const index = await this.index();
    const version = index.aliases[ref] ?? index.aliases[`latest:${ref}`] ?? ref;
    const entry = index.models.find((m) => m.version === version);
    if (entry === undefined) {
      throw new ArginatorError(
        'NOT_FOUND',
        'registry.unknown-model',
        `no model '${ref}' in the registry`,
        index.models.length === 0
          ? "train one first: 'arginator train'"
          : `use a version (${index.models.map((m) => m.version).join(', ')}) or an alias (${Object.keys(index.aliases).join(', ')})`,
      );
    }
    return { ...entry, path: join(this.dir, entry.file) };
  }
}
