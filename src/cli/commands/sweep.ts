// `arginator sweep SWEEP.yaml [overrides...]` and `--resume ID`: W&B-format sweeps, each trial a training run in a child process.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { usageError } from '../../core/errors.ts';
import { gridSize } from '../../core/sweep/suggest.ts';
import { paramPpf } from '../../core/sweep/distributions.ts';
import type { ParamValue, SweepSpec } from '../../core/sweep/types.ts';
import { writeChart, renderSvg } from '../../io/render-chart.ts';
import type { SweepState } from '../../pipeline/sweep/run-sweep.ts';
import {
  checkResumable,
  prepareResume,
  runSweep,
  sweepBest,
  trialOverrides,
} from '../../pipeline/sweep/run-sweep.ts';
import type { SweepChartName } from '../../pipeline/sweep/sweep-report.ts';
import { sweepHtml, sweepMarkdown, sweepReportData } from '../../pipeline/sweep/sweep-report.ts';
import { parseSweepYaml } from '../../pipeline/sweep/sweep-spec.ts';
import { withSweepRun } from '../../pipeline/sweep/sweep-run.ts';
import { checkEarlyTerminateMetric, resolveMetric } from '../../pipeline/sweep/trial-metrics.ts';
import { FsRunTracker } from '../../store/fs-run-tracker.ts';
import { FsSweepStore, newSweepId } from '../../store/fs-sweep-store.ts';
import { resolveHome } from '../../wiring/home.ts';
import { runEnvironment } from '../../wiring/run-environment.ts';
import type { CliIo } from '../cli-io.ts';
import { loadConfig } from '../load-config.ts';
import { flag, optionalPositiveInt, optionalString } from '../options.ts';
import { processTrialLauncher } from '../sweep-trial-process.ts';

function show(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(5);
}

/** Writes report.md, report.html and plots/<chart>.{svg,png} into the sweep folder. */
export async function writeSweepReport(
  store: FsSweepStore,
  spec: SweepSpec,
  state: SweepState,
  signal?: AbortSignal,
): Promise<string> {
  const data = sweepReportData(spec, state);
  const svgs = new Map<SweepChartName, string>();
  for (const [name, chart] of data.charts) {
    await writeChart(join(store.dirOf(state.id), 'plots', name), chart);
    svgs.set(name, await renderSvg(chart, { signal }));
  }
  await store.writeFile(state.id, 'report.md', sweepMarkdown(spec, state, data));
  return store.writeFile(state.id, 'report.html', sweepHtml(spec, state, data, svgs));
}

export async function sweepCommand(
  args: readonly string[],
  options: Readonly<Record<string, unknown>>,
  io: CliIo,
): Promise<number> {
  const quiet = flag(options, 'quiet');
  const say = (line: string): void => {
    if (!quiet) {
      io.stderr.write(`${line}\n`);
    }
  };
  const home = resolveHome(io.env, io.cwd);
  const store = new FsSweepStore(join(home, 'sweeps'));
  const resumeId = optionalString(options, 'resume', '--resume');
  const runCapFlag = optionalPositiveInt(options, 'runCap', '--run-cap');
  const parallelFlag = optionalPositiveInt(options, 'parallel', '--parallel');
  const seedFlag = options['seed'] === undefined ? undefined : Number(options['seed']);
  if (seedFlag !== undefined && !(Number.isInteger(seedFlag) && seedFlag >= 0)) {
    throw usageError(
      'sweep.bad-seed',
      `--seed must be a non-negative integer, got '${String(options['seed'])}'`,
      'e.g. --seed 1',
    );
  }
  const configDir = optionalString(options, 'configDir', '--config-dir');
  let state: SweepState;
  let spec: SweepSpec;
  /** Where the trials' runs go (config paths.runs): the sweep's own run goes there too. */
  let runsDir: string;
  let command: string;
  if (resumeId !== undefined) {
    if (args.length > 0) {
      throw usageError(
        'sweep.resume-with-file',
        '--resume takes no sweep file or overrides (they are in the sweep state)',
        `run: arginator sweep --resume ${resumeId}`,
      );
    }
    const saved = await store.load(resumeId);
    const runCap = runCapFlag ?? saved.runCap;
    checkResumable(saved, runCap);
    spec = parseSweepYaml(saved.specText, saved.source).spec;
    state = { ...prepareResume(saved), runCap, parallel: parallelFlag ?? saved.parallel };
    runsDir = (await loadConfig(state.baseOverrides, options, io)).config.paths.runs;
    command = `sweep --resume ${state.id}`;
    const done = state.trials.filter((t) => t.state !== 'pending').length;
    say(
      `resuming sweep ${state.id}: ${done} trials ended, ${state.trials.length - done} to run again, ${runCap} in total`,
    );
  } else {
    const [file, ...overrides] = args;
    if (file === undefined) {
      throw usageError(
        'sweep.no-file',
        'give a W&B sweep file, or --resume ID',
        'e.g. arginator sweep sweep.yaml --run-cap 20',
      );
    }
    const path = resolve(io.cwd, file);
    const text = await readFile(path, 'utf8').catch(() => {
      throw usageError(
        'sweep.file-not-found',
        `cannot read the sweep file ${file}`,
        'check the path',
      );
    });
    const parsed = parseSweepYaml(text, file);
    spec = parsed.spec;
    const runCap =
      runCapFlag ?? spec.runCap ?? (spec.method === 'grid' ? gridSize(spec) : undefined);
    if (runCap === undefined) {
      throw usageError(
        'sweep.no-run-cap',
        `method: ${spec.method} runs until stopped in W&B; here it needs a cap`,
        'add run_cap: N to the sweep file or pass --run-cap N',
      );
    }
    const parallel = parallelFlag ?? 1;
    // Parallel trials share the cores: one thread each (the embeddings are cached after the first).
    const base = parallel > 1 ? ['embedder.threads=1', ...overrides] : [...overrides];
    const now = new Date();
    state = {
      version: 1,
      id: newSweepId(now),
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      status: 'running',
      specText: text,
      source: file,
      seed: seedFlag ?? 0,
      runCap,
      parallel,
      baseOverrides: base,
      notes: parsed.notes,
      warnings: parsed.warnings,
      trials: [],
    };
    for (const n of parsed.notes) {
      say(`note: ${n}`);
    }
    for (const w of parsed.warnings) {
      say(`warning: ${w}`);
    }
    // The parameters must be config keys: check one trial's overrides before any training.
    const probe: Record<string, ParamValue> = {};
    for (const p of spec.parameters) {
      probe[p.name] = paramPpf(p, 0.5);
    }
    runsDir = (await loadConfig(trialOverrides(base, probe), options, io)).config.paths.runs;
    command = [
      'sweep',
      file,
      ...(runCapFlag === undefined ? [] : ['--run-cap', String(runCapFlag)]),
      ...(parallelFlag === undefined ? [] : ['--parallel', String(parallelFlag)]),
      ...(seedFlag === undefined ? [] : ['--seed', String(seedFlag)]),
      ...overrides,
    ].join(' ');
    await store.writeFile(state.id, 'sweep.yaml', text);
    say(
      `sweep ${state.id}: method ${spec.method}, ${runCap} trials, ${parallel} at a time; folder ${store.dirOf(state.id)}`,
    );
  }
  const metric =
    spec.metric === undefined ? undefined : resolveMetric(spec.metric.name, state.source);
  if (metric !== undefined) {
    checkEarlyTerminateMetric(metric, spec.earlyTerminate !== undefined, state.source);
  }
  // The sweep is a tracked run of kind sweep (docs/tracking.md), with the sweep's id: its trials'
  // parent. Ctrl-C ends it as killed; --resume continues the same run.
  const final = await withSweepRun(
    new FsRunTracker(runsDir),
    spec,
    state,
    { ...runEnvironment(), command },
    (observe) =>
      runSweep({
        spec,
        metric,
        state,
        store,
        clock: { now: () => new Date() },
        signal: io.signal,
        launch: processTrialLauncher({
          env: io.env,
          cwd: io.cwd,
          options: configDir === undefined ? {} : { configDir },
          logPath: (i) => join(store.dirOf(state.id), 'trials', `trial-${i}.log`),
        }),
        onChange: async (s, event) => {
          await observe(s);
          const m = /^trial (\d+) (finished|stopped|failed|killed)$/.exec(event);
          if (m === null) {
            return;
          }
          const t = s.trials[Number(m[1])];
          if (t !== undefined) {
            const values = t.final !== undefined ? [t.final] : t.history.filter(Number.isFinite);
            const v =
              values.length === 0
                ? undefined
                : spec.metric?.goal === 'maximize'
                  ? Math.max(...values)
                  : Math.min(...values);
            say(
              `trial ${t.index} ${t.state}${v === undefined ? '' : `: ${spec.metric?.name ?? ''} ${show(v)}`} (${t.history.length} epochs)${t.error === undefined ? '' : `: ${t.error}`}`,
            );
          }
          // A chart that cannot be drawn must not stop the trials: the final report is retried at the end.
          await writeSweepReport(store, spec, s).catch((e: unknown) => {
            say(
              `warning: the sweep report was not updated: ${e instanceof Error ? e.message : String(e)}`,
            );
          });
        },
      }),
    io.signal,
  );
  const report = await writeSweepReport(store, spec, final);
  const best = sweepBest(spec, final);
  if (best !== undefined) {
    say(
      `best: trial ${best.trial.index}, ${spec.metric?.name ?? ''} ${show(best.value)}: ${best.trial.overrides.join(' ')}`,
    );
  }
  say(`report: ${report}`);
  if (final.status === 'interrupted') {
    say(`interrupted: resume with 'arginator sweep --resume ${final.id}'`);
  }
  if (flag(options, 'json')) {
    io.stdout.write(
      `${JSON.stringify({
        sweep_id: final.id,
        status: final.status,
        trials: final.trials.length,
        states: Object.fromEntries(
          ['finished', 'stopped', 'failed', 'killed'].map((k) => [
            k,
            final.trials.filter((t) => t.state === k).length,
          ]),
        ),
        best:
          best === undefined
            ? null
            : {
                trial: best.trial.index,
                value: best.value,
                run_id: best.trial.runId ?? null,
                params: best.trial.params,
              },
        dir: store.dirOf(final.id),
      })}\n`,
    );
  }
  return final.status === 'interrupted' ? 130 : 0;
}
