// Writes tracked runs as an MLflow file store (mlruns/<experiment>/<run>/{meta.yaml, params, metrics, tags, artifacts}).
// The layout and meta.yaml fields follow MLflow's FileStore (mlflow/store/tracking/file_store.py), so
// `mlflow ui --backend-store-uri DIR` opens the export; docs/tracking.md lists the mapping.
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import YAML from 'yaml';

import type { RunStatus } from '../core/tracking/run-contract.ts';
import type { RunRecord, RunTracker } from '../pipeline/ports.ts';

/** MLflow's RunStatus enum (service.proto), which meta.yaml stores as an integer. */
export const MLFLOW_RUN_STATUS: Readonly<Record<RunStatus, number>> = {
  running: 1,
  finished: 3,
  failed: 4,
  killed: 5,
};
/** SourceType.LOCAL: what FileStore writes for every run. */
const SOURCE_TYPE_LOCAL = 4;
/** MLflow refuses param values longer than this (mlflow/utils/validation.py, MLflow 2.x). */
const MAX_PARAM_VALUE = 6000;

export interface MlflowExportOptions {
  /** The experiment's name (its id is "0"). */
  readonly experiment?: string;
  /** Only these runs (default: all). */
  readonly ids?: readonly string[];
  /** Copy each run's files into artifacts/ (default true). */
  readonly artifacts?: boolean;
  readonly now?: () => Date;
}

export interface MlflowExportResult {
  readonly root: string;
  readonly experimentId: string;
  readonly runs: number;
  /** Params left out because MLflow would refuse their length. */
  readonly skippedParams: readonly string[];
}

/** MLflow's metric/param/tag names: alphanumerics, _ - . and / (here without /, so no sub-folders). */
export function mlflowKey(key: string): string {
  const safe = key.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\.+/, '_');
  return safe === '' ? '_' : safe;
}

/** Nested config → dotted leaf keys; arrays and null as JSON, other scalars as text. */
export function flattenParams(value: unknown, prefix = ''): [string, string][] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
      flattenParams(v, prefix === '' ? k : `${prefix}.${k}`),
    );
  }
  if (prefix === '') {
    return [];
  }
  const text =
    typeof value === 'string'
      ? value
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : JSON.stringify(value ?? null);
  return [[prefix, text]];
}

function millis(iso: string | undefined): number | null {
  const t = iso === undefined ? Number.NaN : Date.parse(iso);
  return Number.isFinite(t) ? t : null;
}

/** The tags MLflow's UI reads (mlflow/utils/mlflow_tags.py), then ours under arginator.*. */
function runTags(run: RunRecord): Record<string, string> {
  const tags: Record<string, string> = {
    'mlflow.runName': run.name ?? run.id,
    'mlflow.source.type': 'LOCAL',
    'mlflow.source.name': `arginator ${run.command}`,
    'mlflow.user': userName(),
    'arginator.kind': run.kind,
    'arginator.package_version': run.packageVersion,
  };
  if (run.git !== undefined) {
    tags['mlflow.source.git.commit'] = run.git.commit;
    tags['arginator.git.dirty'] = String(run.git.dirty);
  }
  if (run.parentRunId !== undefined) {
    tags['mlflow.parentRunId'] = run.parentRunId;
  }
  if (run.error !== undefined) {
    tags['arginator.error'] = run.error;
  }
  const data = run.data;
  if (data !== undefined) {
    tags['arginator.data.fingerprint'] = data.fingerprint;
    for (const k of ['dataset', 'labels', 'clusters'] as const) {
      tags[`arginator.data.${k}`] = data[k] ?? 'none';
    }
  } else if (run.dataFingerprint !== undefined) {
    tags['arginator.data.fingerprint'] = run.dataFingerprint;
  }
  for (const [k, v] of Object.entries(run.environment)) {
    tags[`arginator.env.${mlflowKey(k)}`] = v;
  }
  for (const [k, v] of Object.entries(run.tags ?? {})) {
    tags[mlflowKey(k)] = v;
  }
  return tags;
}

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'arginator';
  }
}

const yaml = (value: unknown): string => YAML.stringify(value);

/**
 * Writes `runs` under `dir` (the MLflow backend-store root), experiment "0". Each run's folder
 * is replaced, so exporting again updates the runs it holds.
 */
export async function exportMlflow(
  runs: RunTracker,
  dir: string,
  options: MlflowExportOptions = {},
): Promise<MlflowExportResult> {
  const root = resolve(dir);
  const experimentId = '0';
  const experimentDir = join(root, experimentId);
  const now = (options.now ?? (() => new Date()))().getTime();
  const all = await runs.list();
  const chosen =
    options.ids === undefined
      ? all
      : await Promise.all(options.ids.map(async (id) => runs.get(id)));
  await mkdir(experimentDir, { recursive: true });
  // FileStore makes .trash itself, but an older mlflow expects it.
  await mkdir(join(root, '.trash'), { recursive: true });
  const starts = chosen.map((r) => millis(r.startedAt)).filter((t): t is number => t !== null);
  await writeFile(
    join(experimentDir, 'meta.yaml'),
    yaml({
      artifact_location: pathToFileURL(experimentDir).href,
      creation_time: starts.length === 0 ? now : Math.min(...starts),
      experiment_id: experimentId,
      last_update_time: now,
      lifecycle_stage: 'active',
      name: options.experiment ?? 'arginator',
    }),
  );
  const skippedParams: string[] = [];
  for (const listed of chosen) {
    const run = await runs.get(listed.id);
    const runDir = join(experimentDir, run.id);
    await rm(runDir, { recursive: true, force: true });
    const artifactsDir = join(runDir, 'artifacts');
    await mkdir(artifactsDir, { recursive: true });
    await writeFile(
      join(runDir, 'meta.yaml'),
      yaml({
        artifact_uri: pathToFileURL(artifactsDir).href,
        end_time: run.status === 'running' ? null : (millis(run.finishedAt) ?? null),
        entry_point_name: '',
        experiment_id: experimentId,
        lifecycle_stage: 'active',
        run_id: run.id,
        run_name: run.name ?? run.id,
        run_uuid: run.id,
        source_name: '',
        source_type: SOURCE_TYPE_LOCAL,
        source_version: '',
        start_time: millis(run.startedAt) ?? now,
        status: MLFLOW_RUN_STATUS[run.status],
        tags: [],
        user_id: userName(),
      }),
    );
    await mkdir(join(runDir, 'params'));
    for (const [key, value] of flattenParams(run.params ?? {})) {
      if (value.length > MAX_PARAM_VALUE) {
        skippedParams.push(`${run.id}:${key}`);
        continue;
      }
      // Params and tags are written without a trailing newline, as FileStore does.
      await writeFile(join(runDir, 'params', mlflowKey(key)), value);
    }
    await mkdir(join(runDir, 'metrics'));
    const lines = new Map<string, string[]>();
    for (const p of await runs.metrics(run.id)) {
      const key = mlflowKey(p.key);
      const list = lines.get(key) ?? [];
      list.push(`${Math.round(p.timestamp)} ${p.value} ${Math.round(p.step)}\n`);
      lines.set(key, list);
    }
    // Headline numbers of the summary (test_f1, best_epoch…) that were not logged per step: one point.
    const finished = millis(run.finishedAt) ?? now;
    for (const [k, v] of Object.entries(run.summary ?? {})) {
      const key = mlflowKey(k);
      if (typeof v === 'number' && Number.isFinite(v) && !lines.has(key)) {
        lines.set(key, [`${finished} ${v} 0\n`]);
      }
    }
    for (const [key, list] of lines) {
      await writeFile(join(runDir, 'metrics', key), list.join(''));
    }
    await mkdir(join(runDir, 'tags'));
    for (const [key, value] of Object.entries(runTags(run))) {
      await writeFile(join(runDir, 'tags', key), value);
    }
    if (options.artifacts !== false) {
      for (const a of await runs.artifacts(run.id)) {
        await cp(runs.pathOf(run.id, a.path), join(artifactsDir, ...a.path.split('/')));
      }
    }
  }
  return { root, experimentId, runs: chosen.length, skippedParams };
}
