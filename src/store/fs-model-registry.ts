// The model catalog on disk: <home>/models/{registry.json, v1.argm, …}; versions, tags, aliases with history, gate reports.
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { ArginatorError } from '../core/errors.ts';
import type {
  AliasEvent,
  CatalogEntry,
  CatalogIndex,
  GateReport,
  ModelCatalog,
  ResolvedModel,
} from '../pipeline/model-catalog.ts';
import { writeFileAtomic } from './fs-run-tracker.ts';

/** The catalog's types under the names the adapter had before the port existed. */
export type RegistryEntry = CatalogEntry;
export type RegistryIndex = CatalogIndex;

/** The on-disk format version written now; files without it are the first format (migrated on read). */
const FORMAT = 2;

export class FsModelRegistry implements ModelCatalog {
  readonly dir: string;
  private readonly now: () => Date;
  /** Writes in this process one after the other (each reads, changes and replaces registry.json). */
  private writes: Promise<unknown> = Promise.resolve();

  /** `dir` is the models folder (config paths.models, by default <home>/models). */
  constructor(dir: string, now: () => Date = () => new Date()) {
    this.dir = dir;
    this.now = now;
  }

  private get file(): string {
    return join(this.dir, 'registry.json');
  }

  async index(): Promise<CatalogIndex> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        return { models: [], aliases: {}, history: [] };
      }
      throw unreadable(this.file, e);
    }
    try {
      return migrate(JSON.parse(text) as unknown);
    } catch (e) {
      throw unreadable(this.file, e);
    }
  }

  register(entry: {
    artifact: Uint8Array;
    runId: string;
    task: string;
    metrics: Record<string, unknown>;
  }): Promise<{ version: string; path: string }> {
    return this.change(async (index) => {
      await mkdir(this.dir, { recursive: true });
      const next =
        index.models.reduce((m, e) => Math.max(m, Number(e.version.slice(1)) || 0), 0) + 1;
      const version = `v${next}`;
      const file = `${version}.argm`;
      const path = join(this.dir, file);
      await writeFileAtomic(path, entry.artifact);
      const record: CatalogEntry = {
        version,
        runId: entry.runId,
        task: entry.task,
        createdAt: this.now().toISOString(),
        file,
        sha256: createHash('sha256').update(entry.artifact).digest('hex'),
        bytes: entry.artifact.length,
        metrics: entry.metrics,
        tags: {},
        gates: [],
      };
      return {
        index: {
          ...index,
          models: [...index.models, record],
          aliases: { ...index.aliases, [`latest:${entry.task}`]: version },
        },
        result: { version, path },
      };
    });
  }

  /**
   * A version ('v3'), a scoped alias ('latest:binary', 'champion:multiclass'), an alias name held
   * for one task only ('champion'), or a task name meaning its latest model.
   */
  async resolve(ref: string): Promise<ResolvedModel> {
    return this.locate(await this.index(), ref);
  }

  locate(index: CatalogIndex, ref: string): ResolvedModel {
    const entry = findEntry(index, ref);
    return { ...entry, path: join(this.dir, entry.file) };
  }

  setAlias(
    alias: string,
    version: string,
    details: { gate?: GateReport | undefined; action?: AliasEvent['action'] },
  ): Promise<CatalogIndex> {
    return this.change((index) => {
      const entry = findEntry(index, version);
      const event: AliasEvent = {
        alias,
        version: entry.version,
        previous: index.aliases[alias],
        at: this.now().toISOString(),
        action: details.action ?? 'promote',
      };
      const models =
        details.gate === undefined ? index.models : withGate(index.models, details.gate);
      const updated: CatalogIndex = {
        models,
        aliases: { ...index.aliases, [alias]: entry.version },
        history: [...index.history, event],
      };
      return Promise.resolve({ index: updated, result: updated });
    });
  }

  recordGate(gate: GateReport): Promise<void> {
    return this.change((index) => {
      findEntry(index, gate.version);
      return Promise.resolve({
        index: { ...index, models: withGate(index.models, gate) },
        result: undefined,
      });
    });
  }

  rollback(alias: string): Promise<{ from: string; to: string | undefined }> {
    return this.change((index) => {
      const from = index.aliases[alias];
      const to = previousHolder(index, alias);
      if (from === undefined || to === null) {
        throw new ArginatorError(
          'NOT_FOUND',
          'registry.nothing-to-roll-back',
          from === undefined
            ? `alias ${alias} is not set, so there is nothing to roll back`
            : `alias ${alias} has no earlier version to go back to`,
          "see 'arginator models list'; promote a version with 'arginator models promote V'",
        );
      }
      const aliases = Object.fromEntries(
        Object.entries(index.aliases).filter(([a]) => a !== alias),
      );
      if (to !== undefined) {
        aliases[alias] = to;
      }
      const event: AliasEvent = {
        alias,
        version: to,
        previous: from,
        at: this.now().toISOString(),
        action: 'rollback',
      };
      return Promise.resolve({
        index: { ...index, aliases, history: [...index.history, event] },
        result: { from, to },
      });
    });
  }

  tag(version: string, tags: Readonly<Record<string, string>>): Promise<CatalogEntry> {
    return this.change((index) => {
      const entry = findEntry(index, version);
      const merged = Object.fromEntries(
        Object.entries({ ...entry.tags, ...tags }).filter(([, v]) => v !== ''),
      );
      const updated: CatalogEntry = { ...entry, tags: merged };
      return Promise.resolve({
        index: {
          ...index,
          models: index.models.map((m) => (m.version === entry.version ? updated : m)),
        },
        result: updated,
      });
    });
  }

  /** Read, change, write: one at a time in this process; the file is replaced atomically. */
  private change<T>(
    edit: (index: CatalogIndex) => Promise<{ index: CatalogIndex; result: T }>,
  ): Promise<T> {
    const run = this.writes.then(async () => {
      const { index, result } = await edit(await this.index());
      await mkdir(this.dir, { recursive: true });
      await writeFileAtomic(
        this.file,
        `${JSON.stringify({ format: FORMAT, ...index }, null, 2)}\n`,
      );
      return result;
    });
    this.writes = run.catch(() => undefined);
    return run;
  }
}

function unreadable(file: string, cause: unknown): ArginatorError {
  return new ArginatorError(
    'INTERNAL',
    'registry.unreadable',
    `the model registry ${file} cannot be read`,
    'restore it from a backup, or move the models folder away and train again',
    {},
    { cause },
  );
}

/**
 * Reads both formats: the first (models without tags or gates, no history, no format field) gains
 * empty tags, gates and history; it is written in the new format on the next change.
 */
export function migrate(raw: unknown): CatalogIndex {
  const o = (raw ?? {}) as {
    models?: Partial<CatalogEntry>[];
    aliases?: Record<string, string>;
    history?: AliasEvent[];
  };
  if (!Array.isArray(o.models ?? [])) {
    throw new Error('registry.json: models is not a list');
  }
  return {
    models: (o.models ?? []).map((m) => ({
      ...(m as CatalogEntry),
      tags: m.tags ?? {},
      gates: m.gates ?? [],
    })),
    aliases: o.aliases ?? {},
    history: o.history ?? [],
  };
}

function findEntry(index: CatalogIndex, ref: string): CatalogEntry {
  const bare = Object.keys(index.aliases).filter((a) => a.startsWith(`${ref}:`));
  if (index.aliases[ref] === undefined && index.aliases[`latest:${ref}`] === undefined) {
    if (bare.length > 1) {
      throw new ArginatorError(
        'USAGE',
        'registry.ambiguous-alias',
        `alias '${ref}' is set for more than one task (${bare.join(', ')})`,
        `name the task: ${bare.join(' or ')}`,
      );
    }
  }
  const version =
    index.aliases[ref] ??
    index.aliases[`latest:${ref}`] ??
    (bare.length === 1 ? index.aliases[bare[0] as string] : undefined) ??
    ref;
  const entry = index.models.find((m) => m.version === version);
  if (entry === undefined) {
    throw new ArginatorError(
      'NOT_FOUND',
      'registry.unknown-model',
      `no model '${ref.slice(0, 80)}' in the registry`,
      index.models.length === 0
        ? "train one first: 'arginator train'"
        : `use a version (${index.models.map((m) => m.version).join(', ')}) or an alias (${Object.keys(index.aliases).join(', ')})`,
    );
  }
  return entry;
}

function withGate(models: readonly CatalogEntry[], gate: GateReport): CatalogEntry[] {
  return models.map((m) => (m.version === gate.version ? { ...m, gates: [...m.gates, gate] } : m));
}

/**
 * The version `alias` held before its current one, walking back over rollbacks (a rollback
 * undoes the move it rolls back, so two rollbacks go two moves back). Undefined: the alias was
 * unset before; null: there is no earlier move to undo.
 */
function previousHolder(index: CatalogIndex, alias: string): string | undefined | null {
  const moves = index.history.filter((e) => e.alias === alias);
  // Replay the moves as a stack: promotions push, rollbacks pop.
  const stack: (string | undefined)[] = [];
  for (const e of moves) {
    if (e.action === 'rollback') {
      stack.pop();
    } else {
      stack.push(e.previous);
    }
  }
  return stack.length === 0 ? null : stack[stack.length - 1];
}
