// Port: the model catalog (registry) every reader uses: versions, tags, aliases with history, gate reports.
import type { Task } from '../core/domain.ts';
import { ArginatorError } from '../core/errors.ts';
import type { GateReport } from '../core/model-registry.ts';

// The gate report is part of the API contract (the web UI reads it), so its type lives in core.
export type { GateReport } from '../core/model-registry.ts';

export interface CatalogEntry {
  readonly version: string;
  readonly runId: string;
  readonly task: string;
  readonly createdAt: string;
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly metrics: Record<string, unknown>;
  /** Free-form key=value tags (`arginator models tag V k=v`). */
  readonly tags: Readonly<Record<string, string>>;
  /** Every gate run for this version, oldest first. */
  readonly gates: readonly GateReport[];
}

/** One move of an alias; the history is what `rollback` walks back. */
export interface AliasEvent {
  readonly alias: string;
  /** The version it now points at; undefined when the alias was removed. */
  readonly version: string | undefined;
  /** The version it pointed at before, if any. */
  readonly previous: string | undefined;
  readonly at: string;
  readonly action: 'register' | 'promote' | 'rollback';
}

export interface CatalogIndex {
  readonly models: readonly CatalogEntry[];
  /** alias → version: `latest:<task>` (moved by every registration), `champion:<task>`, `challenger:<task>`, … */
  readonly aliases: Readonly<Record<string, string>>;
  /** Alias moves, oldest first (registrations of `latest:*` are not recorded: they are the version order). */
  readonly history: readonly AliasEvent[];
}

/** A resolved reference: the entry and the absolute path of its model file. */
export type ResolvedModel = CatalogEntry & { readonly path: string };

export interface ModelCatalog {
  /** Where the catalog keeps its files (config paths.models). */
  readonly dir: string;
  index(): Promise<CatalogIndex>;
  register(entry: {
    artifact: Uint8Array;
    runId: string;
    task: string;
    metrics: Record<string, unknown>;
  }): Promise<{ version: string; path: string }>;
  /** A version ('v3'), a scoped alias ('latest:binary', 'champion:multiclass'), or a task name (its latest). */
  resolve(ref: string): Promise<ResolvedModel>;
  /** resolve() against an index read already (one read of the registry per prediction). */
  locate(index: CatalogIndex, ref: string): ResolvedModel;
  /** Points `alias` at `version` and records the move (and `gate`, if given, with the version). */
  setAlias(
    alias: string,
    version: string,
    details: { gate?: GateReport | undefined; action?: AliasEvent['action'] },
  ): Promise<CatalogIndex>;
  /** Records a gate report with its version without moving any alias (a refused promotion). */
  recordGate(gate: GateReport): Promise<void>;
  /** Moves `alias` back to the version it held before its last move; NOT_FOUND when there is none. */
  rollback(alias: string): Promise<{ from: string; to: string | undefined }>;
  /** Sets tags on `version` (an empty value removes the tag). */
  tag(version: string, tags: Readonly<Record<string, string>>): Promise<CatalogEntry>;
}

/** The aliases with a meaning of their own: `champion` serves by default, `challenger` shadows it. */
export const CHAMPION = 'champion';
export const CHALLENGER = 'challenger';

const ALIAS_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,39}$/;

/**
 * An alias as stored: aliases are per task (`champion:multiclass`), because a binary and a
 * multiclass model can both be champion. A name given without a task takes the version's task.
 */
export function scopedAlias(name: string, task: string): string {
  const bare = name.includes(':') ? name.slice(0, name.indexOf(':')) : name;
  if (!ALIAS_NAME.test(bare)) {
    throw new ArginatorError(
      'USAGE',
      'registry.bad-alias',
      `'${name.slice(0, 60)}' is not an alias name`,
      'use letters, digits, - and _ (e.g. champion, challenger, staging)',
    );
  }
  if (bare === 'latest') {
    throw new ArginatorError(
      'USAGE',
      'registry.reserved-alias',
      "the 'latest' aliases are moved by training only",
      'promote to champion, challenger or an alias of your own',
    );
  }
  const scope = name.includes(':') ? name.slice(name.indexOf(':') + 1) : task;
  if (scope !== task) {
    throw new ArginatorError(
      'USAGE',
      'registry.alias-task',
      `alias ${name} is for the ${scope} task, but the model is a ${task} model`,
      `use ${bare}:${task}, or leave the task out`,
    );
  }
  return `${bare}:${task}`;
}

/** Which registered model answers a task, and whether its binary labels are derived. */
export interface ModelChoice {
  readonly version: string;
  readonly alias: string;
  /** True when a multiclass model answers the binary task. */
  readonly derived: boolean;
  /** The challenger that shadows it, if one is set for the same task (and is another version). */
  readonly challenger?: string | undefined;
}

/**
 * The serving rule (docs/registry.md): `champion:<task>`, else `latest:<task>`; for binary with
 * neither, the multiclass model (champion, else latest) with derived labels. Undefined if none.
 */
export function chooseTaskModel(task: Task, index: CatalogIndex): ModelChoice | undefined {
  const own = pick(task, index);
  if (own !== undefined) {
    return own;
  }
  if (task === 'binary') {
    const multiclass = pick('multiclass', index);
    return multiclass === undefined ? undefined : { ...multiclass, derived: true };
  }
  return undefined;
}

function pick(task: Task, index: CatalogIndex): ModelChoice | undefined {
  for (const alias of [`${CHAMPION}:${task}`, `latest:${task}`]) {
    const version = index.aliases[alias];
    if (version !== undefined) {
      const challenger = index.aliases[`${CHALLENGER}:${task}`];
      return {
        version,
        alias,
        derived: false,
        ...(challenger !== undefined && challenger !== version ? { challenger } : {}),
      };
    }
  }
  return undefined;
}
