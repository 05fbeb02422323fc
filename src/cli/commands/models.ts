// `arginator models list | show V | promote V | rollback | tag V k=v`: the model registry, its aliases and the promotion gate.
import { usageError } from '../../core/errors.ts';
import { loadFastestKernels } from '../../native/load-kernels.ts';
import type { CatalogEntry, CatalogIndex, GateReport } from '../../pipeline/model-catalog.ts';
import { CHAMPION, scopedAlias } from '../../pipeline/model-catalog.ts';
import { predictAll } from '../../pipeline/predict.ts';
import { promoteModel } from '../../pipeline/promotion-gate.ts';
import { FsModelRegistry } from '../../store/fs-model-registry.ts';
import { FsRunTracker } from '../../store/fs-run-tracker.ts';
import { runEnvironment } from '../../wiring/run-environment.ts';
import {
  benchmarkSource,
  createBenchmarkReader,
  gateSettings,
} from '../../wiring/gate-benchmark.ts';
import { loadPredictionModel } from '../../wiring/load-model.ts';
import type { CliIo } from '../cli-io.ts';
import { loadConfig } from '../load-config.ts';
import { flag, optionalString } from '../options.ts';

const ACTIONS = ['list', 'show', 'promote', 'rollback', 'tag'] as const;

export async function modelsCommand(
  args: readonly string[],
  options: Readonly<Record<string, unknown>>,
  io: CliIo,
): Promise<number> {
  const [action, ...rest] = args;
  const json = flag(options, 'json');
  const out = (text: string): void => void io.stdout.write(text);
  // Config overrides (key=value) are taken by promote only: tag's k=v are tags.
  const overrides = action === 'promote' ? rest.slice(1) : [];
  const { config } = await loadConfig(overrides, options, io);
  const catalog = new FsModelRegistry(config.paths.models);
  switch (action) {
    case 'list': {
      const index = await catalog.index();
      if (json) {
        out(`${JSON.stringify(index.models.map((m) => entryJson(m, index)))}\n`);
      } else if (index.models.length === 0) {
        io.stderr.write("no models yet: train one with 'arginator train'\n");
      } else {
        out(`${['version', 'task', 'created', 'test F1', 'aliases', 'tags'].join('\t')}\n`);
        for (const m of index.models) {
          out(
            `${[
              m.version,
              m.task,
              m.createdAt,
              num(m.metrics['f1']),
              aliasesOf(index, m.version).join(','),
              Object.entries(m.tags)
                .map(([k, v]) => `${k}=${v}`)
                .join(','),
            ].join('\t')}\n`,
          );
        }
      }
      return 0;
    }
    case 'show': {
      const ref = need(rest[0], 'show', 'arginator models show v3');
      const index = await catalog.index();
      const entry = catalog.locate(index, ref);
      if (json) {
        out(`${JSON.stringify(entryJson(entry, index))}\n`);
      } else {
        out(describe(entry, index, entry.path));
      }
      return 0;
    }
    case 'promote': {
      const ref = need(rest[0], 'promote', 'arginator models promote v3 --alias champion');
      const quiet = flag(options, 'quiet');
      const kernels = loadFastestKernels({
        threads: 2,
        notify: (line) => !quiet && io.stderr.write(`${line}\n`),
      });
      if (!quiet) {
        io.stderr.write(`gate: ${ref} on ${benchmarkSource(config).split}\n`);
      }
      const { report } = await promoteModel(
        {
          catalog,
          load: async (entry) => {
            // As trained: the gate scores a model on its own task's labels.
            const model = await loadPredictionModel(entry, catalog, kernels, { signal: io.signal });
            return { model, release: () => model.embedder.close() };
          },
          benchmark: createBenchmarkReader(benchmarkSource(config)),
          predict: async (model, records) =>
            (await predictAll(records, { model, signal: io.signal })).map((p) => p.prediction),
          settings: gateSettings(config.registry),
          now: () => new Date(),
          clockMs: () => performance.now(),
          // The gate is a tracked run of kind promotion-gate (docs/tracking.md).
          runs: { tracker: new FsRunTracker(config.paths.runs), environment: runEnvironment() },
        },
        {
          ref,
          alias: optionalString(options, 'alias', '--alias') ?? CHAMPION,
          force: flag(options, 'force'),
        },
      );
      if (json) {
        out(`${JSON.stringify(report)}\n`);
      } else {
        out(gateText(report));
        io.stderr.write(
          `${report.version} is now ${report.alias}${report.forced ? ' (forced past a failed gate)' : ''}\n`,
        );
      }
      return 0;
    }
    case 'rollback': {
      const index = await catalog.index();
      const name = optionalString(options, 'alias', '--alias') ?? CHAMPION;
      const task = optionalString(options, 'task', '--task') ?? taskOfAlias(index, name);
      const alias = scopedAlias(name, task);
      const { from, to } = await catalog.rollback(alias);
      if (json) {
        out(`${JSON.stringify({ alias, from, to: to ?? null })}\n`);
      } else {
        io.stderr.write(
          to === undefined
            ? `${alias} unset (was ${from}): serving falls back to latest:${task}\n`
            : `${alias}: ${from} → ${to}\n`,
        );
      }
      return 0;
    }
    case 'tag': {
      const ref = need(rest[0], 'tag', 'arginator models tag v3 stage=prod owner=ana');
      const pairs = rest.slice(1);
      if (pairs.length === 0) {
        throw usageError(
          'models.tag',
          'models tag needs at least one key=value',
          "e.g. 'arginator models tag v3 stage=prod' ('stage=' removes the tag)",
        );
      }
      const tags: Record<string, string> = {};
      for (const pair of pairs) {
        const eq = pair.indexOf('=');
        if (eq <= 0 || !/^[A-Za-z0-9_.-]{1,60}$/.test(pair.slice(0, eq))) {
          throw usageError(
            'models.tag',
            `'${pair.slice(0, 80)}' is not key=value`,
            'keys are letters, digits, . _ -; an empty value removes the tag',
          );
        }
        tags[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
      const entry = await catalog.tag(catalog.locate(await catalog.index(), ref).version, tags);
      if (json) {
        out(`${JSON.stringify({ version: entry.version, tags: entry.tags })}\n`);
      } else {
        io.stderr.write(
          `${entry.version}: ${Object.entries(entry.tags)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}\n`,
        );
      }
      return 0;
    }
    default:
      throw usageError(
        'models.action',
        action === undefined ? 'models needs an action' : `unknown models action '${action}'`,
        `use one of: ${ACTIONS.join(', ')}`,
      );
  }
}

function need(value: string | undefined, action: string, example: string): string {
  if (value === undefined) {
    throw usageError(
      'models.missing-version',
      `models ${action} needs a version`,
      `e.g. '${example}'`,
    );
  }
  return value;
}

/** The task of an alias name set for exactly one task (rollback without --task). */
function taskOfAlias(index: CatalogIndex, name: string): string {
  if (name.includes(':')) {
    return name.slice(name.indexOf(':') + 1);
  }
  const tasks = Object.keys(index.aliases)
    .filter((a) => a.startsWith(`${name}:`))
    .map((a) => a.slice(name.length + 1));
  const history = index.history
    .filter((e) => e.alias.startsWith(`${name}:`))
    .map((e) => e.alias.slice(name.length + 1));
  const all = [...new Set([...tasks, ...history])];
  if (all.length === 1) {
    return all[0] as string;
  }
  throw usageError(
    'models.rollback-task',
    all.length === 0
      ? `alias ${name} has never been set`
      : `alias ${name} is set for several tasks (${all.join(', ')})`,
    all.length === 0
      ? "promote a version first: 'arginator models promote V'"
      : `pass --task ${all.join(' or --task ')}`,
  );
}

export function aliasesOf(index: CatalogIndex, version: string): string[] {
  return Object.entries(index.aliases)
    .filter(([, v]) => v === version)
    .map(([a]) => a);
}

function entryJson(entry: CatalogEntry, index: CatalogIndex): Record<string, unknown> {
  return { ...entry, aliases: aliasesOf(index, entry.version) };
}

function describe(entry: CatalogEntry, index: CatalogIndex, path: string): string {
  const lines = [
    `version   ${entry.version} (${entry.task})`,
    `aliases   ${aliasesOf(index, entry.version).join(', ') || '—'}`,
    `tags      ${
      Object.entries(entry.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ') || '—'
    }`,
    `created   ${entry.createdAt} by run ${entry.runId}`,
    `file      ${path} (${entry.bytes} bytes, sha256 ${entry.sha256})`,
    `test F1   ${num(entry.metrics['f1'])}`,
  ];
  const text = `${lines.join('\n')}\n`;
  return entry.gates.length === 0
    ? `${text}gates     none\n`
    : `${text}${entry.gates.map((g) => gateText(g)).join('')}`;
}

function gateText(g: GateReport): string {
  const verdict = g.passed ? 'passed' : g.forced ? 'FAILED, forced' : 'FAILED';
  const q = g.quality;
  const l = g.latency;
  return [
    `gate ${g.at} → ${g.alias}: ${verdict}${g.baseline === undefined ? ' (no holder to compare with)' : ` against ${g.baseline}`}`,
    `  quality  ${q.metric} ${q.candidate.toFixed(4)}${q.baseline === undefined ? '' : ` vs ${q.baseline.toFixed(4)}`} (tolerance ${q.tolerance}, ${q.proteins} proteins of ${q.split}) ${q.passed ? 'ok' : 'FAILED'}`,
    `  latency  ${l.candidateMs.toFixed(1)} ms${l.baselineMs === undefined ? '' : ` vs ${l.baselineMs.toFixed(1)} ms`} median of ${l.runs} on ${l.proteins} proteins (max ${l.maxMs} ms) ${l.passed ? 'ok' : 'FAILED'}`,
    ...g.reasons.map((r) => `  reason   ${r}`),
    '',
  ].join('\n');
}

function num(x: unknown): string {
  return typeof x === 'number' ? x.toFixed(4) : '';
}
