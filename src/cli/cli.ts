// Every command and flag of `arginator`, declared in one place; each command's module is loaded lazily.
import { cac } from 'cac';

import {
  DEFAULT_TABLE_FORMAT,
  DEFAULT_TASK,
  orList,
  TABLE_FORMATS,
  TASKS,
} from '../core/domain.ts';
import { ArginatorError, usageError } from '../core/errors.ts';
import { PACKAGE_VERSION } from '../wiring/package-info.ts';
import type { CliIo } from './cli-io.ts';
import { inFlagTerms } from './options.ts';

type Action = (
  args: readonly string[],
  options: Readonly<Record<string, unknown>>,
  io: CliIo,
) => Promise<number>;

interface CommandSpec {
  readonly name: string;
  readonly usage: string;
  readonly description: string;
  readonly options: readonly (readonly [
    flag: string,
    description: string,
    defaultValue?: unknown,
  ])[];
  readonly examples?: readonly string[];
  readonly load: () => Promise<Action>;
}

/** Input limits and policies shared by every command that reads FASTA (docs/input-format.md). */
const INPUT_OPTIONS = [
  ['--max-records <n>', 'refuse inputs with more proteins than this'],
  ['--max-sequence-length <n>', 'refuse proteins longer than this many residues'],
  ['--max-total-residues <n>', 'refuse inputs with more residues than this in total'],
  ['--max-header-length <n>', 'refuse FASTA header lines longer than this'],
  ['--max-input-bytes <n>', 'refuse inputs larger than this once decompressed (gzip bombs)'],
] as const;

const COMMON = [
  ['--json', 'print a machine-readable JSON summary on stdout'],
  ['--quiet', 'no progress on stderr'],
] as const;

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'embed',
    usage: 'embed <input>',
    description:
      'Embed proteins from FASTA (plain or gzip) into an HDF5 file (one dataset per protein id)',
    options: [
      ['--out <file>', 'output HDF5 file (required)'],
      ['--embedder <name>', 'embedder: builtin, onnx, precomputed', 'builtin'],
      ['--embedder-path <path>', 'model folder (onnx) or HDF5 file (precomputed)'],
      ['--threads <n>', 'worker threads for the built-in embedder (default: CPU count)'],
      ['--batch-size <n>', 'proteins per embedding batch', 256],
      ...INPUT_OPTIONS,
      ...COMMON,
    ],
    examples: [
      'arginator embed data/default/default.fasta.gz --out default.h5',
      'arginator embed proteins.faa --out esm.h5 --embedder onnx --embedder-path /models/esm2_t6_8M_UR50D',
    ],
    load: async () => (await import('./commands/embed.ts')).embedCommand,
  },
  {
    name: 'predict',
    usage: 'predict <input>',
    description:
      'Classify proteins from FASTA (or HDF5 embeddings): label, probabilities, nearest reference with identity, novelty',
    options: [
      ['--task <task>', orList(TASKS), DEFAULT_TASK],
      [
        '--model <ref>',
        'model version (v3), alias (latest:binary, champion) or .argm file; default: the task champion, else its latest',
      ],
      ['--out <file>', 'write the table here instead of stdout'],
      [
        '--format <format>',
        `${orList(TABLE_FORMATS)} (default: from --out, else ${DEFAULT_TABLE_FORMAT})`,
      ],
      ['--threads <n>', 'worker threads for the built-in embedder'],
      [
        '--runtime <runtime>',
        'classifier runtime: native or onnx (default: model.runtime; docs/onnx.md)',
      ],
      ['--quantize <mode>', 'with --runtime onnx: none, int8 or fp16 (model.onnx_quantize)'],
      ['--config-dir <dir>', 'use this configs folder instead of the shipped one'],
      ...INPUT_OPTIONS,
      ['--quiet', 'no progress on stderr'],
    ],
    examples: [
      'arginator predict proteins.faa > predictions.csv',
      'arginator predict proteins.faa.gz --task binary --out predictions.tsv',
      'arginator predict embeddings.h5 --out predictions.csv',
    ],
    load: async () => (await import('./commands/predict.ts')).predictCommand,
  },
  {
    name: 'train',
    usage: 'train [...overrides]',
    description:
      'Train and evaluate a classifier (configs/ + overrides); writes a run folder and registers the model',
    options: [
      ['--config-dir <dir>', 'use this configs folder instead of the shipped one'],
      [
        '--no-map',
        'do not fit the reference map (UMAP) after training; the server fits it when it starts',
      ],
      [
        '--no-validate',
        'train without validating the dataset first (docs/validation.md; a failed rule otherwise stops training with exit 4)',
      ],
      ...COMMON,
    ],
    examples: [
      'arginator train',
      'arginator train task=binary optimizer=sgd experiment.lr=0.01',
      'arginator train model=logreg split=stratified',
    ],
    load: async () => (await import('./commands/train.ts')).trainCommand,
  },
  {
    name: 'evaluate',
    usage: 'evaluate [dataset] [...overrides]',
    description:
      "Score a model on labelled proteins (default: the task champion, else latest, on the published split's test side) as a tracked run of kind evaluate: macro-F1, accuracy, MCC, per-class scores, confusion matrix, ECE (docs/tracking.md)",
    options: [
      ['--task <task>', orList(TASKS), DEFAULT_TASK],
      ['--model <ref>', 'model version (v3), alias or .argm file; default: as predict'],
      [
        '--split <file>',
        'a split.json: score one side of it (default without DATASET: registry.gate_split, the published split)',
      ],
      ['--side <side>', 'the side of --split: test, val or train (default test)'],
      ['--labels <file>', 'TSV/CSV of id and label for a DATASET without >ID|LABEL headers'],
      [
        '--metadata <file>',
        "TSV/CSV with id and group columns marking hard negatives (default: --labels, else the dataset folder's labels.tsv)",
      ],
      ['--out <dir>', "also copy the run's metrics.json, predictions.csv and plots/ here"],
      ['--threads <n>', 'worker threads for the built-in embedder'],
      ['--config-dir <dir>', 'use this configs folder instead of the shipped one'],
      ...COMMON,
    ],
    examples: [
      'arginator evaluate',
      'arginator evaluate --model v3 --side val --json',
      'arginator evaluate proteins.fasta --labels labels.tsv --task binary --out eval/',
    ],
    load: async () => (await import('./commands/evaluate.ts')).evaluateCommand,
  },
  {
    name: 'validate',
    usage: 'validate <input> [...overrides]',
    description:
      'Check a dataset (FASTA, HDF5 file or per-class HDF5 folder, optionally with a saved split): shapes, NaN, duplicates, near-duplicates, leakage, class balance, residues, labels; exit 4 when a rule fails (docs/validation.md)',
    options: [
      ['--split <file>', 'a saved split (split.json): check leakage between train, val and test'],
      ['--labels <file>', 'TSV/CSV of id and label for a FASTA without >ID|LABEL headers'],
      ['--report <dir>', 'write the report here (default: <home>/validation/<time>-<input>)'],
      ['--config-dir <dir>', 'use this configs folder instead of the shipped one'],
      ...INPUT_OPTIONS,
      ...COMMON,
    ],
    examples: [
      'arginator validate data/default/default.fasta.gz',
      'arginator validate data/default/default.fasta.gz --split data/default/splits/default-cluster40-split.json',
      'arginator validate .data task=binary validation.min_class_fraction=0.2 --json',
    ],
    load: async () => (await import('./commands/validate.ts')).validateCommand,
  },
  {
    name: 'sweep',
    usage: 'sweep [file] [...overrides]',
    description:
      'Hyperparameter sweep from a W&B sweep file (grid, random, bayes; hyperband; run_cap); each trial is a training run',
    options: [
      ['--parallel <n>', 'trials at a time, default 1 (each single-threaded when more than 1)'],
      ['--run-cap <n>', "total number of trials (default: the file's run_cap; a grid's size)"],
      ['--resume <id>', 'continue an interrupted sweep until it has run_cap trials'],
      ['--seed <n>', 'seed of the search (suggestions are deterministic given it and the results)'],
      ['--config-dir <dir>', 'use this configs folder instead of the shipped one'],
      ...COMMON,
    ],
    examples: [
      'arginator sweep sweep.yaml --run-cap 20 --parallel 2',
      'arginator sweep sweep.yaml experiment.epochs=10 split.clusters=data/default/derived/clusters-cdhit40.tsv',
      'arginator sweep --resume 20261201T200000Z-abc123',
    ],
    load: async () => (await import('./commands/sweep.ts')).sweepCommand,
  },
  {
    name: 'runs',
    usage: 'runs <action> [...ids]',
    description:
      'Tracked runs (train, evaluate, sweep, sweep-trial, promotion-gate): list, show [ID] (default: latest), compare ID ID..., export --format mlflow DIR [IDS...]',
    options: [
      ['--config-dir <dir>', 'use this configs folder instead of the shipped one'],
      ['--json', 'machine-readable output'],
      ['--kind <kind>', 'list: only runs of this kind'],
      ['--parent <id>', 'list: only the children of this run (a sweep)'],
      ['--format <format>', 'export: the format (mlflow)', 'mlflow'],
      ['--experiment <name>', 'export: the MLflow experiment name', 'arginator'],
      ['--no-artifacts', 'export: do not copy the run files into artifacts/'],
    ],
    examples: [
      'arginator runs list',
      'arginator runs show',
      'arginator runs compare RUN_A RUN_B',
      'arginator runs export --format mlflow ./mlruns',
    ],
    load: async () => (await import('./commands/runs.ts')).runsCommand,
  },
  {
    name: 'export',
    usage: 'export <format>',
    description:
      "Export a model's classifier (standardisation, MLP, softmax) as ONNX, fp32, int8 or fp16 (docs/onnx.md)",
    options: [
      [
        '--model <ref>',
        'model version (v3), alias or .argm file; default: the multiclass champion, else latest',
      ],
      ['--quantize <mode>', 'none (fp32), int8 (static, calibrated) or fp16', 'none'],
      ['--out <file>', 'the ONNX file to write (required)'],
      ['--config-dir <dir>', 'use this configs folder instead of the shipped one'],
      ...COMMON,
    ],
    examples: [
      'arginator export onnx --out classifier.onnx',
      'arginator export onnx --model v3 --quantize int8 --out classifier-int8.onnx',
    ],
    load: async () => (await import('./commands/export.ts')).exportCommand,
  },
  {
    name: 'models',
    usage: 'models <action> [...args]',
    description:
      'The model registry: list, show V, promote V (through the gate), rollback, tag V k=v',
    options: [
      [
        '--alias <name>',
        'promote/rollback: the alias (champion, challenger, or your own)',
        'champion',
      ],
      ['--force', 'promote: move the alias even if the gate fails (recorded in the gate report)'],
      ['--task <task>', 'rollback: the task of the alias, when it is set for both'],
      ['--config-dir <dir>', 'use this configs folder instead of the shipped one'],
      ['--json', 'machine-readable output'],
      ['--quiet', 'no progress on stderr'],
    ],
    examples: [
      'arginator models list',
      'arginator models promote v3',
      'arginator models promote v4 --alias challenger',
      'arginator models rollback',
      'arginator models tag v3 stage=prod',
    ],
    load: async () => (await import('./commands/models.ts')).modelsCommand,
  },
  {
    name: 'drift',
    usage: 'drift [input]',
    description:
      "Data drift of a current set (FASTA, HDF5, a job, the jobs of a window) against a model's training proteins: Evidently's per-feature tests, a domain classifier and MMD (docs/monitoring.md)",
    options: [
      ['--current <input>', 'the current set: protein FASTA (.gz too) or HDF5 embeddings'],
      ['--job <id>', "the current set is this job's input (its model and task by default)"],
      [
        '--since <window>',
        'the current set is the inputs of the jobs completed in this window (90m, 24h, 7d)',
      ],
      [
        '--model <ref>',
        'model version, alias or .argm file; default: the task champion, else its latest',
      ],
      ['--task <task>', `${orList(TASKS)} (default: the job's, else ${DEFAULT_TASK})`],
      ['--report <file>', 'also write an HTML report (histograms of every feature, the decision)'],
      [
        '--seed <n>',
        'seed of the PCA, the classifier split, the MMD permutations and sampling',
        42,
      ],
      ['--max-proteins <n>', 'keep at most this many current proteins (a seeded sample beyond)'],
      ['--threads <n>', 'worker threads for the built-in embedder'],
      ['--config-dir <dir>', 'use this configs folder instead of the shipped one'],
      ...INPUT_OPTIONS,
      ...COMMON,
    ],
    examples: [
      'arginator drift --current proteins.faa --report drift.html',
      'arginator drift --job 5f0c2a4e-1d2b-4c3d-9e8f-0a1b2c3d4e5f --json',
      'arginator drift --since 24h --model champion',
    ],
    load: async () => (await import('./commands/drift.ts')).driftCommand,
  },
  {
    name: 'config',
    usage: 'config <action> [...overrides]',
    description: 'Show the resolved configuration (configs/ plus overrides), as YAML or --json',
    options: [
      ['--config-dir <dir>', 'use this configs folder instead of the shipped one'],
      ['--json', 'print the resolved config as JSON'],
    ],
    examples: [
      'arginator config show',
      'arginator config show task=binary optimizer=sgd experiment.lr=0.01',
    ],
    load: async () => (await import('./commands/config.ts')).configCommand,
  },
  {
    name: 'serve',
    usage: 'serve [...overrides]',
    description:
      'Serve the HTTP API (docs/api.md) and the web UI; jobs survive restarts (docs/service.md)',
    options: [
      ['--port <port>', 'TCP port (default: server.port, 8000; 0 picks a free one)'],
      ['--host <host>', 'address to listen on (default: server.host, 127.0.0.1)'],
      ['--config-dir <dir>', 'use this configs folder instead of the shipped one'],
    ],
    examples: ['arginator serve', 'arginator serve --port 8080 --host 0.0.0.0 server.workers=2'],
    load: async () => (await import('./commands/serve.ts')).serveCommand,
  },
  {
    name: 'worker',
    usage: 'worker [...overrides]',
    description:
      'Run job chunks from the redis queue (queue.backend=redis; docs/queue.md) until Ctrl-C or SIGTERM',
    options: [
      ['--concurrency <n>', 'chunks run at the same time, one core each (default 1)'],
      ['--check', 'exit 0 if Redis answers and the model loads (container healthcheck), then stop'],
      ['--config-dir <dir>', 'use this configs folder instead of the shipped one'],
    ],
    examples: [
      'ARGINATOR_REDIS_URL=redis://127.0.0.1:6379 arginator worker --concurrency 2',
      'arginator worker --check',
    ],
    load: async () => (await import('./commands/worker.ts')).workerCommand,
  },
  {
    name: 'start',
    usage: 'start',
    description:
      'The main job: train the default model if none is registered, then serve the API and web UI',
    options: [
      ['--no-serve', 'stop once the model is ready (do not start the server)'],
      ['--no-map', 'when training, skip the reference map fit (the server then fits it)'],
      ['--port <port>', 'TCP port (default: server.port, 8000)'],
      ['--host <host>', 'address to listen on (default: server.host, 127.0.0.1)'],
      ...COMMON,
    ],
    load: async () => (await import('./commands/start.ts')).startCommand,
  },
];

/** Parses argv (without node and script), runs the command, and returns its exit code. Throws ArginatorError. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const cli = cac('arginator');
  let pending: Promise<number> | undefined;
  for (const spec of COMMANDS) {
    const command = cli.command(spec.usage, spec.description);
    for (const [flag, description, defaultValue] of spec.options) {
      command.option(
        flag,
        description,
        defaultValue === undefined ? undefined : { default: defaultValue },
      );
    }
    for (const example of spec.examples ?? []) {
      command.example(example);
    }
    command.action((...received: unknown[]) => {
      const options = (received.pop() ?? {}) as Record<string, unknown>;
      const args = received.flat().filter((a): a is string => typeof a === 'string');
      const run = spec.load().then((action) => action(args, options, io));
      // Commands with the input-limit flags say which flag raises a limit that was hit.
      pending = spec.options.some(([f]) => f === INPUT_OPTIONS[0][0])
        ? run.catch((e: unknown) => {
            throw inFlagTerms(e);
          })
        : run;
    });
  }
  cli.help();
  cli.version(PACKAGE_VERSION);
  try {
    cli.parse(['node', 'arginator', ...argv], { run: false });
    if (cli.options['help'] === true || cli.options['version'] === true) {
      return 0;
    }
    if (cli.matchedCommand === undefined) {
      throw cli.args.length === 0
        ? usageError(
            'cli.no-command',
            'no command given',
            `run 'arginator --help' to list the commands`,
          )
        : usageError(
            'cli.unknown-command',
            `unknown command '${cli.args.join(' ')}'`,
            `use one of: ${COMMANDS.map((c) => c.name).join(', ')} (see 'arginator --help')`,
          );
    }
    cli.runMatchedCommand();
  } catch (e) {
    if (e instanceof ArginatorError) {
      throw e;
    }
    // cac reports unknown options and missing arguments as plain errors.
    throw usageError(
      'cli.usage',
      e instanceof Error ? e.message : String(e),
      `run 'arginator --help'`,
    );
  }
  if (pending === undefined) {
    return 0;
  }
  return pending;
}
