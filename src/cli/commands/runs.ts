// `arginator runs list|show ID|compare ID ID…|export --format mlflow DIR`: the tracked runs of every kind.
import { usageError } from '../../core/errors.ts';
import { RUN_KINDS } from '../../core/tracking/run-contract.ts';
import type { RunKind } from '../../core/tracking/run-contract.ts';
import type { MetricPoint, RunRecord, RunTracker } from '../../pipeline/ports.ts';
import { FsRunTracker } from '../../store/fs-run-tracker.ts';
import { exportMlflow } from '../../store/mlflow-export.ts';
import type { CliIo } from '../cli-io.ts';
import { loadConfig } from '../load-config.ts';
import { flag, optionalString } from '../options.ts';

interface RunMetrics {
  best_epoch?: number;
  epochs_run?: number;
  split?: { method: string; train: number; val: number; test: number };
  test?: { accuracy: number; f1: number; f1Average: string; mcc: number };
  test_roc_auc?: number | null;
  calibration?: { temperature: number; eceBefore: number; eceAfter: number };
}

const ACTIONS = ['list', 'show', 'compare', 'export'] as const;

export async function runsCommand(
  args: readonly string[],
  options: Readonly<Record<string, unknown>>,
  io: CliIo,
): Promise<number> {
  const [action, ...ids] = args;
  const { config } = await loadConfig([], options, io);
  const runs = new FsRunTracker(config.paths.runs);
  const json = flag(options, 'json');
  const out = (text: string): void => void io.stdout.write(text);
  switch (action) {
    case 'list': {
      const kind = kindOption(options);
      const parent = optionalString(options, 'parent', '--parent');
      const records = (await runs.list()).filter(
        (r) =>
          (kind === undefined || r.kind === kind) &&
          (parent === undefined || r.parentRunId === parent),
      );
      if (json) {
        out(`${JSON.stringify(records)}\n`);
      } else if (records.length === 0) {
        io.stderr.write("no runs yet: train one with 'arginator train'\n");
      } else {
        out(
          `${['run', 'kind', 'status', 'duration', 'parent', 'command', 'test F1', 'model'].join('\t')}\n`,
        );
        for (const r of records) {
          out(
            `${[r.id, r.kind, r.status, duration(r.durationSeconds), r.parentRunId ?? '', r.command, num(r.summary?.['test_f1']), text(r.summary?.['model_version'])].join('\t')}\n`,
          );
        }
      }
      return 0;
    }
    case 'show': {
      const id = await pick(runs, ids[0]);
      const record = await runs.get(id);
      const metrics = (await runs.readJson(id, 'metrics.json').catch(() => undefined)) as
        RunMetrics | undefined;
      const points = await runs.metrics(id);
      const artifacts = await runs.artifacts(id);
      if (json) {
        out(
          `${JSON.stringify({ run: record, metrics, final: finalMetrics(points), artifacts })}\n`,
        );
      } else {
        out(describe(record, metrics, runs.pathOf(id, 'plots')));
        const final = finalMetrics(points);
        if (final.size > 0) {
          out(
            `last step   ${[...final].map(([k, p]) => `${k} ${fmtValue(p.value)} (step ${p.step})`).join(', ')}\n`,
          );
        }
        if (artifacts.length > 0) {
          out(`artifacts   ${artifacts.map((a) => a.path).join(', ')}\n`);
        }
      }
      return 0;
    }
    case 'compare': {
      if (ids.length < 2) {
        throw usageError(
          'runs.compare',
          'runs compare needs two or more run ids',
          "e.g. 'arginator runs compare RUN_A RUN_B' (see 'arginator runs list')",
        );
      }
      const rows = await compareRows(runs, ids);
      if (json) {
        out(`${JSON.stringify(rows)}\n`);
        return 0;
      }
      out(compareTable(rows));
      return 0;
    }
    case 'export': {
      const format = optionalString(options, 'format', '--format') ?? 'mlflow';
      if (format !== 'mlflow') {
        throw usageError(
          'runs.export-format',
          `unknown export format '${format}'`,
          "use --format mlflow (MLflow's file store, for 'mlflow ui')",
        );
      }
      const [dir, ...only] = ids;
      if (dir === undefined) {
        throw usageError(
          'runs.export-dir',
          'runs export needs the folder to write',
          "e.g. 'arginator runs export --format mlflow ./mlruns', then 'mlflow ui --backend-store-uri ./mlruns'",
        );
      }
      const result = await exportMlflow(runs, dir, {
        experiment: optionalString(options, 'experiment', '--experiment') ?? 'arginator',
        ...(only.length === 0 ? {} : { ids: only }),
        artifacts: options['artifacts'] !== false,
      });
      if (json) {
        out(
          `${JSON.stringify({ root: result.root, experiment_id: result.experimentId, runs: result.runs, skipped_params: result.skippedParams })}\n`,
        );
      } else {
        io.stderr.write(
          `exported ${result.runs} run${result.runs === 1 ? '' : 's'} to ${result.root} (MLflow file store, experiment ${result.experimentId}); open it with 'mlflow ui --backend-store-uri ${result.root}'\n`,
        );
        for (const p of result.skippedParams) {
          io.stderr.write(`warning: param ${p} is longer than MLflow allows; left out\n`);
        }
      }
      return 0;
    }
    default:
      throw usageError(
        'runs.action',
        action === undefined ? 'runs needs an action' : `unknown runs action '${action}'`,
        `use one of: ${ACTIONS.join(', ')}`,
      );
  }
}

async function pick(runs: RunTracker, id: string | undefined): Promise<string> {
  if (id !== undefined) {
    return id;
  }
  const latest = (await runs.list()).at(-1);
  if (latest === undefined) {
    throw usageError('runs.none', 'there are no runs yet', "train one with 'arginator train'");
  }
  return latest.id;
}

function text(x: unknown): string {
  return typeof x === 'string' ? x : '';
}

function num(x: unknown): string {
  return typeof x === 'number' ? x.toFixed(4) : '';
}

function describe(r: RunRecord, m: RunMetrics | undefined, plots: string): string {
  const lines = [
    `run         ${r.id}`,
    `status      ${r.status}${r.error === undefined ? '' : ` (${r.error})`}`,
    `kind        ${r.kind}${r.parentRunId === undefined ? '' : ` (parent ${r.parentRunId})`}`,
    `command     arginator ${r.command}`,
    `started     ${r.startedAt}${r.finishedAt === undefined ? '' : `, finished ${r.finishedAt}`} (${duration(r.durationSeconds)})`,
    `version     ${r.packageVersion}${r.git === undefined ? '' : ` (git ${r.git.commit}${r.git.dirty ? ', uncommitted changes' : ''})`}`,
    r.data === undefined
      ? `data        ${r.dataFingerprint ?? ''}`
      : `data        ${r.data.fingerprint} (dataset ${short(r.data.dataset)}, labels ${short(r.data.labels)}, clusters ${short(r.data.clusters)})`,
    `environment ${Object.entries(r.environment)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  ];
  if (r.tags !== undefined && Object.keys(r.tags).length > 0) {
    lines.push(
      `tags        ${Object.entries(r.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`,
    );
  }
  if (m?.test !== undefined) {
    lines.push(
      `split       ${m.split?.method ?? ''}: ${m.split?.train ?? 0} train, ${m.split?.val ?? 0} val, ${m.split?.test ?? 0} test`,
      `best epoch  ${m.best_epoch ?? ''} of ${m.epochs_run ?? ''}`,
      `test        accuracy ${num(m.test.accuracy)}, ${m.test.f1Average === 'binary' ? 'F1' : 'macro-F1'} ${num(m.test.f1)}, MCC ${num(m.test.mcc)}, ROC AUC ${num(m.test_roc_auc)}`,
      `calibration temperature ${num(m.calibration?.temperature)}, ECE ${num(m.calibration?.eceBefore)} → ${num(m.calibration?.eceAfter)}`,
      `plots       ${plots}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function kindOption(options: Readonly<Record<string, unknown>>): RunKind | undefined {
  const kind = optionalString(options, 'kind', '--kind');
  if (kind !== undefined && !(RUN_KINDS as readonly string[]).includes(kind)) {
    throw usageError(
      'runs.kind',
      `unknown run kind '${kind}'`,
      `use one of: ${RUN_KINDS.join(', ')}`,
    );
  }
  return kind as RunKind | undefined;
}

function duration(seconds: number | undefined): string {
  if (seconds === undefined) {
    return '';
  }
  const s = Math.round(seconds);
  return s < 60
    ? `${s}s`
    : s < 3600
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
      : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function short(hash: string | null): string {
  return hash === null ? 'none' : hash.slice(0, 12);
}

function fmtValue(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(4);
}

/** The last logged point of each key (the highest step; ties: the later one). */
export function finalMetrics(points: readonly MetricPoint[]): Map<string, MetricPoint> {
  const last = new Map<string, MetricPoint>();
  for (const p of points) {
    const seen = last.get(p.key);
    if (seen === undefined || p.step >= seen.step) {
      last.set(p.key, p);
    }
  }
  return new Map([...last].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export interface CompareRow {
  readonly record: RunRecord;
  readonly metrics: RunMetrics | undefined;
  /** Last value per per-step metric key. */
  readonly final: Readonly<Record<string, number>>;
}

async function compareRows(runs: RunTracker, ids: readonly string[]): Promise<CompareRow[]> {
  return Promise.all(
    ids.map(async (id) => ({
      record: await runs.get(id),
      metrics: (await runs.readJson(id, 'metrics.json').catch(() => undefined)) as
        RunMetrics | undefined,
      final: Object.fromEntries(
        [...finalMetrics(await runs.metrics(id))].map(([k, p]) => [k, p.value]),
      ),
    })),
  );
}

/** Side by side: status, test metrics, the last value of each logged metric, then the params that differ. */
export function compareTable(rows: readonly CompareRow[]): string {
  const width = Math.max(24, ...rows.map((r) => r.record.id.length + 2));
  const line = (name: string, cells: readonly string[]): string =>
    `${name.padEnd(26)}${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(width))).join('')}\n`;
  const cell = (f: (r: CompareRow) => unknown): string[] =>
    rows.map((r) => {
      const v = f(r);
      return typeof v === 'number' ? fmtValue(v) : typeof v === 'string' ? v : '';
    });
  let text = line(
    '',
    rows.map((r) => r.record.id),
  );
  text += line(
    'kind',
    cell((r) => r.record.kind),
  );
  text += line(
    'status',
    cell((r) => r.record.status),
  );
  text += line(
    'duration',
    cell((r) => duration(r.record.durationSeconds)),
  );
  const f1Name = rows[0]?.metrics?.test?.f1Average === 'binary' ? 'F1' : 'macro-F1';
  const tests: [string, (r: CompareRow) => unknown][] = [
    ['test accuracy', (r) => r.metrics?.test?.accuracy],
    [`test ${f1Name}`, (r) => r.metrics?.test?.f1],
    ['test MCC', (r) => r.metrics?.test?.mcc],
    ['test ROC AUC', (r) => r.metrics?.test_roc_auc],
    ['ECE after calibration', (r) => r.metrics?.calibration?.eceAfter],
    ['best epoch', (r) => r.metrics?.best_epoch],
  ];
  for (const [name, f] of tests) {
    if (rows.some((r) => f(r) !== undefined && f(r) !== null)) {
      text += line(name, cell(f));
    }
  }
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.final)))].sort();
  if (keys.length > 0) {
    text += 'final metrics (last step)\n';
    for (const key of keys) {
      text += line(
        `  ${key}`,
        cell((r) => r.final[key]),
      );
    }
  }
  const diff = paramsDiff(rows.map((r) => r.record.params));
  text += diff.length === 0 ? 'params: all equal\n' : 'params that differ\n';
  for (const [key, values] of diff) {
    text += line(`  ${key}`, values);
  }
  return text;
}

/** Leaf keys whose values are not equal across all configs, as [dotted.path, value per config]. */
export function paramsDiff(configs: readonly unknown[]): [string, string[]][] {
  const leaves = configs.map((c) => new Map(leafEntries(c)));
  const keys = [...new Set(leaves.flatMap((m) => [...m.keys()]))].sort();
  return keys.flatMap((key): [string, string[]][] => {
    const values = leaves.map((m) => m.get(key) ?? '');
    return values.every((v) => v === values[0]) ? [] : [[key, values]];
  });
}

function leafEntries(value: unknown, prefix = ''): [string, string][] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
      leafEntries(v, prefix === '' ? k : `${prefix}.${k}`),
    );
  }
  // JSON.stringify(undefined) is undefined at run time (a key present in one config only).
  const text = (JSON.stringify(value) as string | undefined) ?? '';
  return prefix === '' ? [] : [[prefix, text]];
}
