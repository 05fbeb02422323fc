// `arginator runs list|show ID|compare ID ID`: the training runs in the data directory.
import { usageError } from '../../core/errors.ts';
import type { RunRecord } from '../../pipeline/ports.ts';
import { FsRunTracker } from '../../store/fs-run-tracker.ts';
import type { CliIo } from '../cli-io.ts';
import { loadConfig } from '../load-config.ts';
import { flag } from '../options.ts';

interface RunMetrics {
  best_epoch?: number;
  epochs_run?: number;
  split?: { method: string; train: number; val: number; test: number };
  test?: { accuracy: number; f1: number; f1Average: string; mcc: number };
  test_roc_auc?: number | null;
  calibration?: { temperature: number; eceBefore: number; eceAfter: number };
}

const ACTIONS = ['list', 'show', 'compare'] as const;

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
      const records = await runs.list();
      if (json) {
        out(`${JSON.stringify(records)}\n`);
      } else if (records.length === 0) {
        io.stderr.write("no runs yet: train one with 'arginator train'\n");
      } else {
        out(`${['run', 'status', 'command', 'test F1', 'model'].join('\t')}\n`);
        for (const r of records) {
          out(
            `${[r.id, r.status, r.command, num(r.summary?.['test_f1']), text(r.summary?.['model_version'])].join('\t')}\n`,
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
      if (json) {
        out(`${JSON.stringify({ run: record, metrics })}\n`);
      } else {
        out(describe(record, metrics, runs.pathOf(id, 'plots')));
      }
      return 0;
    }
    case 'compare': {
      if (ids.length !== 2) {
        throw usageError(
          'runs.compare',
          'runs compare needs two run ids',
          "e.g. 'arginator runs compare RUN_A RUN_B' (see 'arginator runs list')",
        );
      }
      const rows = await Promise.all(
        ids.map(async (id) => ({
          record: await runs.get(id),
          metrics: (await runs.readJson(id, 'metrics.json').catch(() => undefined)) as
            RunMetrics | undefined,
          config: (
            (await runs.readJson(id, 'config.json').catch(() => undefined)) as
              { config?: unknown } | undefined
          )?.config,
        })),
      );
      if (json) {
        out(`${JSON.stringify(rows)}\n`);
        return 0;
      }
      const [a, b] = rows as [(typeof rows)[number], (typeof rows)[number]];
      const line = (name: string, x: string, y: string): string =>
        `${name.padEnd(22)}${x.padEnd(34)}${y}\n`;
      out(line('', a.record.id, b.record.id));
      out(line('status', a.record.status, b.record.status));
      out(line('test accuracy', num(a.metrics?.test?.accuracy), num(b.metrics?.test?.accuracy)));
      out(
        line(
          `test ${a.metrics?.test?.f1Average === 'binary' ? 'F1' : 'macro-F1'}`,
          num(a.metrics?.test?.f1),
          num(b.metrics?.test?.f1),
        ),
      );
      out(line('test MCC', num(a.metrics?.test?.mcc), num(b.metrics?.test?.mcc)));
      out(line('test ROC AUC', num(a.metrics?.test_roc_auc), num(b.metrics?.test_roc_auc)));
      out(
        line(
          'ECE after calibration',
          num(a.metrics?.calibration?.eceAfter),
          num(b.metrics?.calibration?.eceAfter),
        ),
      );
      out(
        line(
          'best epoch',
          String(a.metrics?.best_epoch ?? ''),
          String(b.metrics?.best_epoch ?? ''),
        ),
      );
      for (const [key, x, y] of configDiff(a.config, b.config)) {
        out(line(key, x, y));
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

async function pick(runs: FsRunTracker, id: string | undefined): Promise<string> {
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
    `command     arginator ${r.command}`,
    `started     ${r.startedAt}${r.finishedAt === undefined ? '' : `, finished ${r.finishedAt}`}`,
    `version     ${r.packageVersion}${r.gitCommit === undefined ? '' : ` (git ${r.gitCommit})`}`,
    `data        ${r.dataFingerprint ?? ''}`,
  ];
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

/** Leaf keys whose values differ between two configs, as [dotted.path, a, b]. */
export function configDiff(a: unknown, b: unknown, prefix = ''): [string, string, string][] {
  const isObject = (x: unknown): x is Record<string, unknown> =>
    x !== null && typeof x === 'object' && !Array.isArray(x);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => configDiff(a[k], b[k], prefix === '' ? k : `${prefix}.${k}`));
  }
  // JSON.stringify(undefined) is undefined at run time (a key present in one config only).
  const x = (JSON.stringify(a) as string | undefined) ?? '';
  const y = (JSON.stringify(b) as string | undefined) ?? '';
  return x === y ? [] : [[prefix, x, y]];
}
