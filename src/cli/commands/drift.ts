// `arginator drift`: compares a current set of proteins (a file, a job, a window of jobs) with a model's training references.
import { writeFile, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { DEFAULT_TASK, isOneOf, orList, TASKS, type Task } from '../../core/domain.ts';
import { driftChartSpecs, driftHtml } from '../../core/drift/drift-html.ts';
import { parseDuration } from '../../core/drift/duration.ts';
import { ArginatorError, usageError } from '../../core/errors.ts';
import type { ProteinRecord } from '../../core/sequence/protein-record.ts';
import { readFastaFile } from '../../io/fasta-source.ts';
import { streamEmbeddings } from '../../io/h5wasm-embedding-store.ts';
import { probeInput } from '../../io/input-probe.ts';
import { renderSvg } from '../../io/render-chart.ts';
import { loadFastestKernels } from '../../native/load-kernels.ts';
import { runDrift, type DriftCurrentInput, type DriftRun } from '../../pipeline/drift.ts';
import { jobsInWindow } from '../../pipeline/drift-jobs.ts';
import type { Job } from '../../pipeline/jobs/job.ts';
import type { ResolvedModel } from '../../pipeline/model-catalog.ts';
import { embeddingOnlyError } from '../../pipeline/predict.ts';
import { FsDriftStore } from '../../store/fs-drift-store.ts';
import { FsJobFiles, isJobId } from '../../store/fs-job-files.ts';
import { FsModelRegistry } from '../../store/fs-model-registry.ts';
import { SqliteJobStore } from '../../store/sqlite-job-store.ts';
import { loadPredictionModel } from '../../wiring/load-model.ts';
import { adaptModelToTask, taskModelOf } from '../../wiring/task-model.ts';
import type { CliIo } from '../cli-io.ts';
import { loadConfig } from '../load-config.ts';
import { flag, inputOptions, optionalPositiveInt, optionalString } from '../options.ts';
import { assertOutputFolder } from '../output-path.ts';
import { createProgress, formatCount } from '../progress.ts';

/** '24h', '7d', '90m' in milliseconds. */
export function parseWindow(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) {
    throw usageError(
      'cli.bad-window',
      `--since must be a duration like 90m, 24h or 7d, got '${text}'`,
      'e.g. --since 24h (the jobs submitted in the last 24 hours)',
    );
  }
  return ms;
}

interface CurrentChoice {
  readonly describe: string;
  readonly input: (options: { signal: AbortSignal }) => DriftCurrentInput;
  /** The model a single job was predicted with (used unless --model is given). */
  readonly jobModel?: string | undefined;
  readonly jobTask?: Task | undefined;
  readonly hdf5: boolean;
}

async function* chainFasta(
  paths: readonly string[],
  options: Readonly<Record<string, unknown>>,
  signal: AbortSignal,
): AsyncGenerator<ProteinRecord> {
  for (const path of paths) {
    yield* readFastaFile(path, { ...inputOptions(options), source: path, signal });
  }
}

/** Which current set was asked for: --current FILE, --job ID or --since WINDOW (exactly one). */
async function chooseCurrent(
  args: readonly string[],
  options: Readonly<Record<string, unknown>>,
  io: CliIo,
  home: string,
): Promise<CurrentChoice> {
  const file = optionalString(options, 'current', '--current') ?? args[0];
  const jobId = optionalString(options, 'job', '--job');
  const sinceText = optionalString(options, 'since', '--since');
  const given = [file, jobId, sinceText].filter((x) => x !== undefined).length;
  if (given !== 1) {
    throw usageError(
      'cli.drift-current',
      given === 0
        ? 'drift needs a current set: --current FILE (FASTA or HDF5), --job ID or --since WINDOW'
        : 'give only one of --current, --job and --since',
      'arginator drift --current proteins.faa --report drift.html',
    );
  }
  if (file !== undefined) {
    const path = resolve(io.cwd, file);
    const hdf5 =
      (await probeInput(path, {
        ...inputOptions(options),
        source: file,
        signal: io.signal,
        hdf5: true,
      })) === 'hdf5';
    return {
      describe: file,
      hdf5,
      input: ({ signal }) =>
        hdf5
          ? { kind: 'hdf5', embeddings: streamEmbeddings(path, { signal }), source: file }
          : {
              kind: 'fasta',
              records: readFastaFile(path, { ...inputOptions(options), source: file, signal }),
            },
    };
  }
  const store = new SqliteJobStore(join(home, 'arginator.db'));
  const files = new FsJobFiles(join(home, 'jobs'));
  let jobs: Job[];
  try {
    if (jobId !== undefined) {
      const job = isJobId(jobId) ? store.get(jobId) : undefined;
      if (job === undefined) {
        throw new ArginatorError(
          'NOT_FOUND',
          'drift.no-job',
          `there is no job '${jobId.slice(0, 60)}' in ${home}`,
          'pass the job_id that POST /submit_job or /v1/jobs returned, with the same ARGINATOR_HOME as the server',
        );
      }
      jobs = [job];
    } else {
      const until = new Date();
      const since = new Date(until.getTime() - parseWindow(sinceText as string));
      jobs = jobsInWindow(store, { since, until });
      if (jobs.length === 0) {
        throw new ArginatorError(
          'NOT_FOUND',
          'drift.no-jobs',
          `no job completed in ${home} was submitted in the last ${sinceText as string}`,
          'widen the window (e.g. --since 7d) or pass a file with --current',
        );
      }
    }
  } finally {
    store.close();
  }
  const paths = jobs.map((j) => files.inputPath(j.id));
  const single = jobs.length === 1 ? jobs[0] : undefined;
  return {
    describe:
      single !== undefined && jobId !== undefined
        ? `job ${single.id}`
        : `${jobs.length} job${jobs.length === 1 ? '' : 's'} of the last ${sinceText as string}`,
    hdf5: false,
    jobModel: single?.modelVersion,
    jobTask: single?.task,
    input: ({ signal }) => ({ kind: 'fasta', records: chainFasta(paths, options, signal) }),
  };
}

async function writeReport(
  path: string,
  run: DriftRun,
  describe: string,
  signal: AbortSignal,
): Promise<void> {
  const svgs = new Map<string, string>();
  for (const { name, spec } of driftChartSpecs(run.report, run.features)) {
    svgs.set(name, await renderSvg(spec, { signal }));
  }
  const html = driftHtml(
    run.report,
    {
      title: `Drift: ${describe} against model ${run.report.model}`,
      about: [
        `Reference: ${run.report.reference.source} (${run.report.reference.rows}).`,
        `Current: ${run.report.current.source} (${run.report.current.rows} proteins${run.report.current.seen > run.report.current.rows ? ` sampled from ${run.report.current.seen}` : ''}).`,
        `Seed ${run.report.seed}.`,
      ],
    },
    svgs,
  );
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, html);
  await rename(tmp, path);
}

export async function driftCommand(
  args: readonly string[],
  options: Readonly<Record<string, unknown>>,
  io: CliIo,
): Promise<number> {
  const taskOption = optionalString(options, 'task', '--task');
  if (taskOption !== undefined && !isOneOf(TASKS, taskOption)) {
    throw usageError(
      'cli.bad-task',
      `--task must be ${orList(TASKS)}, got '${taskOption}'`,
      'e.g. --task binary',
    );
  }
  const quiet = flag(options, 'quiet');
  const json = flag(options, 'json');
  const reportOut = optionalString(options, 'report', '--report');
  const seed = optionalPositiveInt(options, 'seed', '--seed');
  const maxCurrent = optionalPositiveInt(options, 'maxProteins', '--max-proteins');
  const threads = optionalPositiveInt(options, 'threads', '--threads');
  const { config } = await loadConfig([], options, io, { cache: true });
  const home = config.paths.home;
  const current = await chooseCurrent(args, options, io, home);
  const reportPath = reportOut === undefined ? undefined : resolve(io.cwd, reportOut);
  if (reportPath !== undefined) {
    await assertOutputFolder(reportPath, reportOut as string, '--report');
  }
  const task: Task = taskOption ?? current.jobTask ?? DEFAULT_TASK;
  const kernels = loadFastestKernels({
    threads: 2,
    notify: (line) => !quiet && io.stderr.write(`${line}\n`),
  });
  const catalog = new FsModelRegistry(config.paths.models);
  const given = optionalString(options, 'model', '--model') ?? current.jobModel;
  let ref: string | ResolvedModel;
  if (given === undefined) {
    const index = await catalog.index();
    ref = catalog.locate(index, taskModelOf(task, index, catalog.dir).version);
  } else {
    ref = given.endsWith('.argm') ? resolve(io.cwd, given) : given;
  }
  const loaded = await loadPredictionModel(ref, catalog, kernels, { threads, signal: io.signal });
  const progress = createProgress(io.stderr, `drift (model ${loaded.version})`, { quiet });
  try {
    const model = adaptModelToTask(loaded, task);
    const refusal = current.hdf5 ? undefined : embeddingOnlyError(model);
    if (refusal !== undefined) {
      throw refusal;
    }
    const run = await runDrift({
      model,
      referenceEmbeddings: loaded.referenceEmbeddings,
      trainedLabels: loaded.predictor.header.labels,
      current: current.input({ signal: io.signal }),
      currentSource: current.describe,
      seed,
      maxCurrent,
      signal: io.signal,
      onProgress: quiet
        ? undefined
        : (n) => progress.update(undefined, `${formatCount(n)} proteins`),
    });
    progress.stop(`${formatCount(run.report.current.seen)} proteins predicted`);
    if (reportPath !== undefined) {
      await writeReport(reportPath, run, current.describe, io.signal);
    }
    const { report } = run;
    // Kept for the service (GET /v1/drift/latest, the drift gauges) and as history.
    const stored = await new FsDriftStore(join(home, 'drift')).save(report, new Date(), {
      trigger: 'cli',
      histograms: run.histograms,
    });
    if (json) {
      io.stdout.write(
        `${JSON.stringify({ ...report, id: stored.id, createdAt: stored.createdAt, ...(reportPath === undefined ? {} : { reportFile: reportPath }) }, null, 2)}\n`,
      );
    } else {
      const drifted = report.features.filter((f) => f.drift).map((f) => f.name);
      io.stdout.write(
        [
          `${report.drift ? 'drift' : 'no drift'}: ${report.driftedFeatures} of ${report.features.length} features drift (${(100 * report.share).toFixed(1)}%; dataset drift at ≥ ${100 * report.shareThreshold}%)${drifted.length > 0 ? `: ${drifted.join(', ')}` : ''}`,
          `domain classifier ROC AUC ${report.multivariate.classifier.statistic.toFixed(3)} (${report.multivariate.classifier.drift ? 'drift' : 'no drift'} at > ${report.multivariate.classifier.threshold}); MMD p = ${report.multivariate.mmd.statistic.toFixed(3)} (${report.multivariate.mmd.drift ? 'drift' : 'no drift'} at ≤ ${report.multivariate.mmd.threshold})`,
          ...(report.novelty === undefined
            ? []
            : [
                `novelty rate ${(100 * report.novelty.rate).toFixed(1)}% (${Object.entries(
                  report.novelty.counts,
                )
                  .map(([k, n]) => `${k} ${n}`)
                  .join(', ')})`,
              ]),
          ...(reportPath === undefined ? [] : [`report: ${reportOut as string}`]),
          '',
        ].join('\n'),
      );
    }
    return 0;
  } catch (e) {
    progress.fail();
    throw e;
  } finally {
    await loaded.embedder.close();
  }
}
