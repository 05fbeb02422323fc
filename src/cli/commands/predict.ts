// `arginator predict INPUT`: FASTA (or HDF5 embeddings) in, a table with class probabilities and evidence out (stdout or --out).
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';

import {
  DEFAULT_TABLE_FORMAT,
  DEFAULT_TASK,
  isOneOf,
  orList,
  TABLE_FORMATS,
  TASKS,
} from '../../core/domain.ts';
import { inputError, usageError } from '../../core/errors.ts';
import { readFastaFile } from '../../io/fasta-source.ts';
import type { EmbeddingEntry } from '../../io/h5wasm-embedding-store.ts';
import { streamEmbeddings } from '../../io/h5wasm-embedding-store.ts';
import { probeInput } from '../../io/input-probe.ts';
import { formatFromPath } from '../../io/prediction-table.ts';
import { loadFastestKernels } from '../../native/load-kernels.ts';
import { classifyFile } from '../../pipeline/classify-file.ts';
import type { ResolvedConfig } from '../../pipeline/config/schema.ts';
import type { ResolvedModel } from '../../pipeline/model-catalog.ts';
import { embeddingOnlyError } from '../../pipeline/predict.ts';
import { FsModelRegistry } from '../../store/fs-model-registry.ts';
import { openEmbedder } from '../../wiring/embedders.ts';
import { predictionTableFiles, predictionTableStream } from '../../wiring/prediction-tables.ts';
import { chooseTaskModel, loadTaskModel, taskModelOf } from '../../wiring/task-model.ts';
import type { CliIo } from '../cli-io.ts';
import { loadConfig } from '../load-config.ts';
import { flag, inputOptions, optionalPositiveInt, optionalString } from '../options.ts';
import { assertOutputFolder } from '../output-path.ts';
import { createProgress, formatCount } from '../progress.ts';

export async function predictCommand(
  args: readonly string[],
  options: Readonly<Record<string, unknown>>,
  io: CliIo,
): Promise<number> {
  const input = args[0];
  if (input === undefined) {
    throw usageError(
      'cli.missing-input',
      'predict needs an INPUT file: protein FASTA (.fa, .faa, .fasta, optionally .gz) or HDF5 embeddings (.h5)',
      'arginator predict proteins.faa --out predictions.csv',
    );
  }
  const task = optionalString(options, 'task', '--task') ?? DEFAULT_TASK;
  if (!isOneOf(TASKS, task)) {
    throw usageError(
      'cli.bad-task',
      `--task must be ${orList(TASKS)}, got '${task}'`,
      'e.g. --task binary',
    );
  }
  const out = optionalString(options, 'out', '--out');
  const format =
    optionalString(options, 'format', '--format') ??
    (out === undefined ? undefined : formatFromPath(out)) ??
    DEFAULT_TABLE_FORMAT;
  if (!isOneOf(TABLE_FORMATS, format)) {
    throw usageError(
      'cli.bad-format',
      `--format must be ${orList(TABLE_FORMATS)}, got '${format}'`,
      'e.g. --format tsv',
    );
  }
  const quiet = flag(options, 'quiet');
  const inputPath = resolve(io.cwd, input);
  const threads = optionalPositiveInt(options, 'threads', '--threads');
  // Fail before working: a missing, unreadable or non-FASTA/HDF5 input is refused before a model
  // is trained or loaded (the real readers read its start; see io/input-probe.ts).
  const embeddingsIn =
    (await probeInput(inputPath, {
      ...inputOptions(options),
      source: input,
      signal: io.signal,
      hdf5: true,
    })) === 'hdf5';
  if (out !== undefined) {
    await assertOutputFolder(resolve(io.cwd, out), out, '--out');
  }
  const runtime = optionalString(options, 'runtime', '--runtime');
  const quantize = optionalString(options, 'quantize', '--quantize');
  const { config } = await loadConfig(
    [
      `task=${task}`,
      ...(runtime === undefined ? [] : [`model.runtime=${runtime}`]),
      ...(quantize === undefined ? [] : [`model.onnx_quantize=${quantize}`]),
    ],
    options,
    io,
    { cache: true },
  );
  // Both cores for the classifier's and the cosine search's matrix products (the alignment and seed
  // kernels use both already).
  const kernels = loadFastestKernels({
    threads: 2,
    notify: (line) => !quiet && io.stderr.write(`${line}\n`),
  });
  // One catalog for the command; the registry is read once for the model choice (twice only when
  // a first model has to be trained).
  const catalog = new FsModelRegistry(config.paths.models);
  const given = optionalString(options, 'model', '--model');
  let ref: string | ResolvedModel;
  if (given === undefined) {
    // The model rule (docs/registry.md) is shared with the server: pipeline/model-catalog.ts.
    let index = await catalog.index();
    if (chooseTaskModel(task, index) === undefined) {
      if (embeddingsIn) {
        // Before training (tens of seconds): vectors the default model could never take.
        await refuseVectorsUnfitForDefaultModel(inputPath, input, config, io.signal);
      }
      io.stderr.write(
        `no ${task} model is registered yet: training the default ${task} model first\n`,
      );
      // Loaded only here: the training pipeline is a large module graph that prediction never needs.
      const { runTraining } = await import('./train.ts');
      const trained = await runTraining(
        [`task=${task}`],
        // No reference map: predict does not draw one (the server fits it when it needs it).
        { ...options, json: false, quiet: true, map: false },
        io,
        {},
        catalog,
      );
      if (trained.status === 'cancelled') {
        return 130;
      }
      index = await catalog.index();
    }
    ref = catalog.locate(index, taskModelOf(task, index, catalog.dir).version);
  } else {
    ref = given.endsWith('.argm') ? resolve(io.cwd, given) : given;
  }
  const model = await loadTaskModel(task, ref, catalog, kernels, {
    threads,
    signal: io.signal,
    // The pipeline prepares the references while the first batches are embedded.
    prepare: false,
    runtime: { runtime: config.model.runtime, quantize: config.model.onnx_quantize },
  });
  // An embedding-only model (trained on an HDF5 folder) refuses FASTA before any output is written.
  const refusal = embeddingsIn ? undefined : embeddingOnlyError(model);
  if (refusal !== undefined) {
    await model.embedder.close();
    throw refusal;
  }
  const outPath = out === undefined ? undefined : resolve(io.cwd, out);
  const tables =
    outPath === undefined
      ? predictionTableStream(model, format, io.stdout)
      : predictionTableFiles(model, [{ format, path: outPath }], `.${process.pid}.tmp`);
  const progress = createProgress(io.stderr, `predicting (model ${model.version})`, { quiet });
  const started = performance.now();
  try {
    // HDF5 holds embeddings without sequences: the classifier's call, evidence in embedding space.
    const summary = await classifyFile(
      embeddingsIn
        ? {
            kind: 'hdf5',
            embeddings: streamEmbeddings(inputPath, { signal: io.signal }),
            source: input,
          }
        : {
            kind: 'fasta',
            records: readFastaFile(inputPath, {
              ...inputOptions(options),
              source: input,
              signal: io.signal,
            }),
          },
      {
        model,
        tables,
        signal: io.signal,
        // With --quiet nothing is formatted per batch.
        onProgress: quiet
          ? undefined
          : (n) => progress.update(undefined, `${formatCount(n)} proteins`),
      },
    );
    const seconds = (performance.now() - started) / 1000;
    progress.stop(`${formatCount(summary.proteins)} proteins in ${seconds.toFixed(1)} s`);
    if (!quiet) {
      const calls = Object.entries(summary.counts).filter(([, n]) => n > 0);
      io.stderr.write(
        `${calls.map(([l, n]) => `${l} ${n}`).join(', ')} (model ${model.version})${outPath === undefined ? '' : `; wrote ${out ?? ''}`}\n`,
      );
    }
    return 0;
  } catch (e) {
    progress.fail();
    throw e;
  } finally {
    await model.embedder.close();
  }
}

/**
 * The default model that `predict` would train first takes its embedder's vectors (the default
 * dataset is a FASTA file): an HDF5 input of another dimension is refused before that training,
 * with the error the model would give after it (a dataset folder of HDF5 files sets the dimension
 * itself, so it is not checked here).
 */
async function refuseVectorsUnfitForDefaultModel(
  path: string,
  source: string,
  config: ResolvedConfig,
  signal: AbortSignal | undefined,
): Promise<void> {
  const info = await stat(config.paths.dataset).catch(() => undefined);
  if (info?.isDirectory() === true) {
    return;
  }
  let first: EmbeddingEntry | undefined;
  for await (const entry of streamEmbeddings(path, { signal })) {
    first = entry;
    break;
  }
  if (first === undefined) {
    return;
  }
  const embedder = await openEmbedder({
    name: config.embedder.name,
    options: config.embedder.path === null ? {} : { path: config.embedder.path },
    threads: 1,
  });
  const { dim, id } = embedder;
  await embedder.close();
  if (first.vector.length !== dim) {
    throw inputError(
      'predict.dimension-mismatch',
      `the embedding of '${first.id}' has ${first.vector.length} values, but no model is registered yet and the default one (embedder ${id}) takes ${dim}: these embeddings were made with another embedder`,
      `pass --model with a model trained on ${first.vector.length}-value vectors (arginator train paths.dataset=<folder of per-class HDF5 files>), or embed the proteins with 'arginator embed IN.faa --out X.h5 --embedder ${config.embedder.name}', or predict from the FASTA file`,
      { source },
    );
  }
}
