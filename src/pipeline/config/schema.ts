// The one schema of the resolved config: every key with its description, constraints and default.
import { z } from 'zod';

import { TASKS } from '../../core/domain.ts';
import type { ConfigValue } from './tree.ts';
import { parseDuration } from '../../core/drift/duration.ts';
import { QUANTIZE_MODES } from '../../core/model/classifier-graph.ts';
import {
  CLASS_BALANCE_VIEWS,
  DEFAULT_VALIDATION_SETTINGS as V,
  RULE_SEVERITIES,
  VALIDATION_RULES,
  type RuleName,
} from '../../core/validation/settings.ts';

const fraction = z.number().gte(0).lte(1);
const beta = z.number().gte(0).lt(1);
const path = z.string().min(1);

const task = z
  .strictObject({
    name: z.enum(TASKS).describe('What the classifier predicts'),
    num_classes: z.int().gte(2).describe('Number of classes; must equal the length of labels'),
    labels: z
      .array(z.string().min(1))
      .min(2)
      .describe('Class labels in output order (binary: dataset labels A-D map to the first)'),
    positive_label: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe(
        'The label counted as positive for ROC/PR and the binary metrics; required for binary',
      ),
  })
  .superRefine((t, ctx) => {
    if (t.labels.length !== t.num_classes) {
      ctx.addIssue({
        code: 'custom',
        path: ['labels'],
        message: `must have num_classes (${t.num_classes}) labels, has ${t.labels.length}`,
      });
    }
    const duplicate = t.labels.find((l, i) => t.labels.indexOf(l) !== i);
    if (duplicate !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['labels'], message: `'${duplicate}' is listed twice` });
    }
    if (t.positive_label !== null && !t.labels.includes(t.positive_label)) {
      ctx.addIssue({
        code: 'custom',
        path: ['positive_label'],
        message: `must be one of the labels (${t.labels.join(', ')})`,
      });
    }
    if (t.name === 'binary' && t.positive_label === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['positive_label'],
        message: 'is required for the binary task',
      });
    }
    if (t.name === 'binary' && t.num_classes !== 2) {
      ctx.addIssue({
        code: 'custom',
        path: ['num_classes'],
        message: 'must be 2 for the binary task',
      });
    }
  })
  .describe('What is predicted: beta-lactamase or not (binary), or the Ambler class (multiclass)');

const adam = z
  .strictObject({
    name: z.literal('adam').describe('Optimizer'),
    lr: z.number().gt(0).describe('Learning rate (default: experiment.lr)'),
    betas: z.tuple([beta, beta]).describe('Decay rates of the first and second moment estimates'),
    eps: z
      .number()
      .gt(0)
      .default(1e-8)
      .describe('Added to the denominator for numerical stability'),
    weight_decay: z.number().gte(0).describe('L2 penalty (default: experiment.weight_decay)'),
    amsgrad: z.boolean().default(false).describe('Use the AMSGrad variant'),
  })
  .describe('Adam');

const sgd = z
  .strictObject({
    name: z.literal('sgd').describe('Optimizer'),
    lr: z.number().gt(0).describe('Learning rate (default: experiment.lr)'),
    momentum: z
      .number()
      .gte(0)
      .lt(1)
      .default(0.9)
      .describe('Momentum factor (0 disables momentum)'),
    nesterov: z.boolean().default(false).describe('Use Nesterov momentum (needs momentum > 0)'),
    weight_decay: z.number().gte(0).describe('L2 penalty (default: experiment.weight_decay)'),
  })
  .superRefine((o, ctx) => {
    if (o.nesterov && o.momentum === 0) {
      ctx.addIssue({ code: 'custom', path: ['nesterov'], message: 'needs momentum > 0' });
    }
  })
  .describe('Stochastic gradient descent');

const optimizer = z
  .discriminatedUnion('name', [adam, sgd])
  .describe('The optimizer and its settings');

const experiment = z
  .strictObject({
    lr: z.number().gt(0).default(1e-3).describe('Learning rate'),
    weight_decay: z.number().gte(0).default(1e-4).describe('L2 penalty'),
    dropout_rate: z.number().gte(0).lt(1).default(0.2).describe('Dropout after each hidden layer'),
    batch_size: z.int().gte(1).default(32).describe('Training examples per step'),
    epochs: z.int().gte(1).default(50).describe('Maximum number of passes over the training set'),
    early_stopping_patience: z
      .int()
      .gte(1)
      .nullable()
      .default(8)
      .describe('Stop after this many epochs without a better validation loss; null disables'),
    seed: z.int().gte(0).default(42).describe('Seed of every random choice (split, init, batches)'),
    splits: z
      .tuple([fraction, fraction, fraction])
      .default([0.7, 0.15, 0.15])
      .describe('Train, validation and test fractions; must sum to 1'),
    class_balance: z
      .enum(['weighted_sampler', 'class_weights', 'none'])
      .default('weighted_sampler')
      .describe('How rare classes are balanced: resample batches, weight the loss, or not at all'),
  })
  .superRefine((e, ctx) => {
    const sum = e.splits[0] + e.splits[1] + e.splits[2];
    if (Math.abs(sum - 1) > 1e-6) {
      ctx.addIssue({
        code: 'custom',
        path: ['splits'],
        message: `must sum to 1 (sums to ${+sum.toFixed(6)})`,
      });
    }
    if (e.splits[0] === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['splits', 0],
        message: 'must be > 0 (nothing to train on)',
      });
    }
  })
  .describe('Training hyper-parameters');

const embedder = z
  .strictObject({
    name: z.enum(['builtin', 'onnx', 'precomputed']).describe('Embedder (docs/embedders.md)'),
    path: path
      .nullable()
      .default(null)
      .describe(
        'ONNX model folder (onnx, required) or HDF5 file of embeddings (precomputed; not needed when paths.dataset is a folder of HDF5 class files)',
      ),
    threads: z
      .int()
      .gte(1)
      .nullable()
      .default(null)
      .describe('Worker threads for the built-in embedder; null means one per CPU'),
    batch_size: z.int().gte(1).default(256).describe('Proteins per embedding batch'),
  })
  .superRefine((e, ctx) => {
    // precomputed may go without a file: a dataset folder of HDF5 class files carries its own vectors
    // (the train command checks that one of the two is given, knowing what paths.dataset is).
    if (e.name === 'onnx' && e.path === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['path'],
        message: 'is required for the onnx embedder (set embedder.path=<model folder>)',
      });
    }
  })
  .describe('How proteins become vectors');

const paths = z
  .strictObject({
    data_dir: path.describe('Folder of the shipped data'),
    dataset: path.describe(
      'Training FASTA (plain or gzip), headers `>ID|LABEL`, or a folder of HDF5 embedding files, one per class (docs/datasets.md; with embedder=precomputed)',
    ),
    labels: path
      .nullable()
      .default(null)
      .describe('Optional TSV of id and label that overrides the FASTA header labels'),
    reference_metadata: path
      .nullable()
      .default(null)
      .describe(
        'Optional TSV of id, gene_symbol, gene_family, drug_subclass of the training proteins, stored with the model for the nearest_gene/family/subclass and carbapenemase columns (null = those columns stay empty)',
      ),
    home: path.describe('Data directory (ARGINATOR_HOME or ./.arginator, passed in as vars.home)'),
    runs: path.describe('Where training runs are written'),
    models: path.describe('The model registry'),
    cache: path.describe('Caches (embeddings, clusters)'),
  })
  .describe(
    'Where data is read and results are written; relative paths are relative to the working directory',
  );

const processing = z
  .strictObject({
    force: z.boolean().default(false).describe('Recompute cached embeddings and clusters'),
    seed: z.int().gte(0).describe('Seed of data preparation (default: experiment.seed)'),
  })
  .describe('Data preparation');

const model = z
  .strictObject({
    name: z.enum(['mlp', 'logreg']).describe('Classifier'),
    hidden_sizes: z
      .array(z.int().gte(1))
      .describe('Width of each hidden layer; empty for logistic regression'),
    homology: z
      .boolean()
      .default(true)
      .describe(
        'Add homology evidence to the classifier: the best Smith-Waterman similarity to the training references of each class',
      ),
    homology_candidates: z
      .int()
      .gte(1)
      .default(2)
      .describe(
        'References aligned per protein and class for the homology evidence (nearest by embedding cosine)',
      ),
    homology_seed_candidates: z
      .int()
      .gte(0)
      .default(20)
      .describe(
        'References aligned per protein in addition, found by spaced seeds on one diagonal (distant homologs); 0 = none',
      ),
    homology_min_similarity: z
      .number()
      .gte(0)
      .lt(1)
      .default(0.1)
      .describe(
        'A beta-lactamase class is called only with a similarity of at least this to one of its references (else masked); 0 = off',
      ),
    runtime: z
      .enum(['native', 'onnx'])
      .default('native')
      .describe(
        "Where predict and serve run the classifier: 'native' in process (native kernels or TypeScript), 'onnx' the exported graph in onnxruntime-node (docs/onnx.md); homology evidence is the same",
      ),
    onnx_quantize: z
      .enum(QUANTIZE_MODES)
      .default('none')
      .describe(
        "With model.runtime=onnx: 'none' (fp32), 'int8' (static, calibrated on the model's training embeddings) or 'fp16' weights; the graph `arginator export onnx --quantize` writes",
      ),
  })
  .superRefine((m, ctx) => {
    if (m.name === 'logreg' && m.hidden_sizes.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['hidden_sizes'], message: 'must be empty for logreg' });
    }
    if (m.name === 'mlp' && m.hidden_sizes.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['hidden_sizes'],
        message: 'must list at least one layer for mlp (or choose model=logreg)',
      });
    }
  })
  .describe('The classifier on top of the embeddings');

const clusterSplit = z
  .strictObject({
    name: z.literal('cluster').describe('Split'),
    identity_threshold: z
      .number()
      .gt(0)
      .lte(1)
      .default(0.4)
      .describe(
        'Proteins at or above this sequence identity share a cluster, and clusters never straddle splits',
      ),
    clusters: path
      .nullable()
      .default(null)
      .describe('Optional TSV of id and cluster; null computes clusters by alignment (cached)'),
    cosine_threshold: z
      .number()
      .gt(0)
      .lte(1)
      .default(0.9)
      .describe(
        'Datasets without sequences (a folder of HDF5 embeddings): vectors whose mean-centred cosine is at or above this share a cluster',
      ),
  })
  .describe('Identity-cluster split (the default for every metric)');

const stratifiedSplit = z
  .strictObject({ name: z.literal('stratified').describe('Split') })
  .describe('Random split stratified by label (optimistic on homologous proteins)');

const split = z
  .discriminatedUnion('name', [clusterSplit, stratifiedSplit])
  .describe('How proteins are divided into train, validation and test');

const server = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1').describe('Address `arginator serve` listens on'),
    port: z.int().gte(0).lte(65535).default(8000).describe('TCP port (0 picks a free one)'),
    workers: z
      .int()
      .gte(1)
      .default(1)
      .describe('Jobs run at the same time, each on its own worker thread'),
    embedder_threads: z
      .int()
      .gte(1)
      .nullable()
      .default(null)
      .describe(
        'Embedding threads per model copy (request thread, job and prediction workers); null: 1, on the thread that predicts',
      ),
    max_upload_bytes: z
      .int()
      .gte(1)
      .default(52_428_800)
      .describe('Largest upload or JSON body, in bytes; also the limit after gunzip (gzip bombs)'),
    max_proteins: z.int().gte(1).default(200_000).describe('Proteins per job'),
    max_sequence_length: z.int().gte(1).default(40_000).describe('Residues per protein'),
    sync_max_proteins: z
      .int()
      .gte(1)
      .default(100)
      .describe('Proteins per synchronous request (POST /v1/predict)'),
    sync_batch_proteins: z
      .int()
      .gte(1)
      .default(256)
      .describe(
        'Proteins per predictor call when concurrent POST /v1/predict requests are batched together',
      ),
    sync_batch_window_ms: z
      .number()
      .gte(0)
      .lte(100)
      .default(3)
      .describe(
        'Milliseconds an idle server may wait for more POST /v1/predict requests to batch once one arrives (it starts when none arrives for 0.5 ms); 0 = start at once',
      ),
    max_attempts: z
      .int()
      .gte(1)
      .default(3)
      .describe('Runs of a job (restarts after a crash included) before it is failed'),
    retention_hours: z
      .number()
      .gt(0)
      .default(168)
      .describe('Hours a finished job keeps its input and results before the sweeper removes them'),
    sweep_interval_seconds: z
      .number()
      .gt(0)
      .default(300)
      .describe('How often expired jobs are swept'),
    shutdown_grace_seconds: z
      .number()
      .gte(0)
      .default(30)
      .describe('On SIGTERM/SIGINT, how long running jobs may finish before they are re-queued'),
    api_keys: z
      .array(z.string().min(8))
      .default([])
      .describe(
        'Keys accepted in X-API-Key; when any key (or admin key) is set every API route needs one and each key sees only its own jobs; empty: no key needed (env ARGINATOR_API_KEYS adds keys)',
      ),
    admin_api_keys: z
      .array(z.string().min(8))
      .default([])
      .describe(
        "Keys that see and cancel every key's jobs (and jobs submitted before keys were set); env ARGINATOR_ADMIN_API_KEYS adds keys",
      ),
    open_probes: z
      .boolean()
      .default(true)
      .describe(
        'With API keys set: /healthz, /readyz and /metrics answer without a key (orchestrators, scrapers); false: they need one too',
      ),
    cors_origins: z
      .array(z.string().min(1))
      .default([])
      .describe(
        "Origins allowed to call the API from a browser ('*' for any); empty: no CORS headers",
      ),
    rate_limit_max: z
      .int()
      .gte(0)
      .default(1000)
      .describe('Requests per client address per window; 0 disables rate limiting'),
    rate_limit_window_seconds: z.number().gt(0).default(60).describe('Rate-limit window'),
    web_dir: path
      .nullable()
      .default(null)
      .describe('Folder of the built web UI served at /; null: the package web/dist'),
  })
  .describe('The HTTP service (`arginator serve`, docs/service.md)');

const registry = z
  .strictObject({
    gate_split: path
      .nullable()
      .default(null)
      .describe(
        'Benchmark split of the promotion gate: a split.json whose test ids (read from paths.dataset) both the candidate and the current holder of the alias predict; null: the shipped data/default/splits/default-cluster40-split.json',
      ),
    gate_f1_tolerance: z
      .number()
      .gte(0)
      .lte(1)
      .default(0.01)
      .describe(
        "How far the candidate's test F1 (macro; binary: the positive class's) may fall below the current champion's before the gate refuses it",
      ),
    gate_max_latency_ms: z
      .number()
      .gt(0)
      .default(2000)
      .describe(
        "The most the candidate's median prediction of the gate's fixed input may take, in milliseconds",
      ),
    gate_latency_proteins: z
      .int()
      .gte(1)
      .default(16)
      .describe("Proteins in the latency check's fixed input (the split's first test proteins)"),
    gate_latency_runs: z
      .int()
      .gte(1)
      .default(5)
      .describe(
        'Timed predictions of the fixed input (after one warm-up); their median is compared',
      ),
  })
  // A config tree without the group (an older configs/ folder) gets every default.
  .prefault({})
  .describe('The model registry: promotion gate (docs/registry.md)');

const RULE_DESCRIPTIONS: Readonly<Record<RuleName, string>> = {
  dimensions: 'Every vector is 1-D, of the expected length and a float type',
  finite: 'No vector holds NaN or ±Infinity',
  duplicate_ids: 'No protein id is used twice (also across the class files of a folder)',
  duplicate_sequences: 'No two records have the same sequence',
  duplicate_vectors: 'No two records have the same vector, bit for bit',
  near_duplicates: 'Groups of different sequences at or above near_duplicate_identity',
  split_leakage:
    'With --split: no id on two sides, no identical sequence or vector across sides, no relative at or above leakage_identity on an earlier side',
  class_balance: 'Every class has at least min_class_fraction of the proteins',
  unknown_labels: "Every label is one of the task's labels",
  invalid_residues: 'No digits, punctuation, non-ASCII or inner * in a sequence',
  ambiguous_residues: 'At most max_ambiguous_fraction of a sequence is X',
  length_outliers: 'No length beyond length_outlier_z robust z-scores of its label',
  composition_outliers: 'No amino-acid composition beyond composition_outlier_z robust z-scores',
};

const validationRules = z
  .strictObject(
    Object.fromEntries(
      VALIDATION_RULES.map((rule) => [
        rule,
        z.enum(RULE_SEVERITIES).default(V.rules[rule]).describe(RULE_DESCRIPTIONS[rule]),
      ]),
    ) as Record<
      RuleName,
      z.ZodDefault<z.ZodEnum<{ error: 'error'; warning: 'warning'; off: 'off' }>>
    >,
  )
  .prefault({})
  .describe(
    "Each rule's severity: error fails validation (exit 4; train refuses), warning is reported only, off skips it",
  );

const validation = z
  .strictObject({
    report_dir: path
      .nullable()
      .default(null)
      .describe(
        'Where validation reports are written, one folder per run (null: <paths.home>/validation)',
      ),
    rules: validationRules,
    expected_dim: z
      .int()
      .gte(1)
      .nullable()
      .default(V.expectedDim)
      .describe('Values every vector must have; null: the most common length of the input'),
    near_duplicate_identity: z
      .number()
      .gte(0.8)
      .lte(1)
      .default(V.nearDuplicateIdentity)
      .describe(
        'Different sequences at or above this identity (identical positions / shorter length) are near-duplicates',
      ),
    leakage_identity: z
      .number()
      .gte(0.8)
      .lte(1)
      .default(V.leakageIdentity)
      .describe(
        'With --split: a protein at or above this identity to one on an earlier side (train, then val) is a leak',
      ),
    min_class_fraction: z
      .number()
      .gte(0)
      .lt(1)
      .default(V.minClassFraction)
      .describe("Smallest share of the proteins a class may have (the original system's 10%)"),
    class_balance_view: z
      .enum(CLASS_BALANCE_VIEWS)
      .default(V.classBalanceView)
      .describe(
        "Which classes the balance rule counts: binary (beta-lactamase or not, the original's rule) or task (every label)",
      ),
    length_outlier_z: z
      .number()
      .gt(0)
      .default(V.lengthOutlierZ)
      .describe(
        'Robust z-score (median, MAD of log length, per label) beyond which a length is an outlier',
      ),
    composition_outlier_z: z
      .number()
      .gt(0)
      .default(V.compositionOutlierZ)
      .describe(
        "Robust z-score of a composition's distance from the median composition above which it is an outlier",
      ),
    max_ambiguous_fraction: z
      .number()
      .gte(0)
      .lte(1)
      .default(V.maxAmbiguousFraction)
      .describe('Largest share of X (unknown; B, J, O, U, Z are read as X) in one sequence'),
    candidates: z
      .int()
      .gte(1)
      .default(V.candidates)
      .describe(
        'Prefilter candidates aligned per sequence in the near-duplicate and leakage searches',
      ),
    max_listed: z
      .int()
      .gte(1)
      .default(V.maxListed)
      .describe('Findings listed per rule in the reports (all are counted)'),
  })
  .prefault({})
  .describe(
    'Data validation: `arginator validate`, and `arginator train` before it trains (docs/validation.md)',
  );

const queue = z
  .strictObject({
    backend: z
      .enum(['embedded', 'redis'])
      .default('embedded')
      .describe(
        'Where jobs run: embedded (worker threads of the server, SQLite; no setup) or redis (BullMQ on Redis, run by `arginator worker` processes; docs/queue.md)',
      ),
    url: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe(
        'Redis URL of the redis backend, e.g. redis://127.0.0.1:6379 (env ARGINATOR_REDIS_URL sets it; it does not select the backend)',
      ),
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
      .default('arginator')
      .describe('Key prefix of the queue in Redis (several deployments may share one Redis)'),
    chunk_size: z
      .int()
      .gte(1)
      .default(1000)
      .describe('Proteins per chunk: a job is split into chunks that any worker runs'),
    chunk_attempts: z
      .int()
      .gte(1)
      .default(3)
      .describe(
        'Runs of a chunk before it (and its job) fails; bad input fails at once (a worker that dies counts as a stall)',
      ),
    lock_seconds: z
      .number()
      .gte(1)
      .default(30)
      .describe(
        "Lock of a running chunk, renewed while it runs: a dead worker's chunk is retried elsewhere after at most about twice this",
      ),
    max_stalls: z
      .int()
      .gte(1)
      .default(3)
      .describe('Times a chunk may be recovered from a dead worker before it fails'),
    max_in_flight: z
      .int()
      .gte(1)
      .default(100)
      .describe('Jobs one API process hands to the queue at the same time (the rest wait queued)'),
    keep_finished: z
      .int()
      .gte(0)
      .default(1000)
      .describe(
        'Finished queue entries kept in Redis per state (completed, failed) for inspection; older ones are trimmed',
      ),
  })
  .prefault({})
  .describe('The job queue: embedded or redis (`arginator worker`, docs/queue.md)');

const duration = z.string().refine((t) => parseDuration(t) !== undefined, {
  message: 'must be a duration like 90s, 30m, 24h or 7d',
});

/** JSON written in YAML: the webhook's body template (any shape; its strings may hold {{placeholders}}). */
const json: z.ZodType<ConfigValue> = z.lazy(() =>
  z.union([
    z.null(),
    z.boolean(),
    z.number(),
    z.string(),
    z.array(json),
    z.record(z.string(), json),
  ]),
);

const monitoring = z
  .strictObject({
    task: z
      .enum(TASKS)
      .default('multiclass')
      .describe(
        'Task whose serving model checks a window of jobs (scheduled checks, POST /v1/drift with a window)',
      ),
    min_proteins: z
      .int()
      .gte(2)
      .default(50)
      .describe(
        'Fewest proteins a drift check compares (fewer: POST /v1/drift answers 422, the scheduled check skips)',
      ),
    max_checks: z
      .int()
      .gte(1)
      .default(4)
      .describe('Drift checks queued or running at once (one runs at a time); more: 503'),
    schedule_enabled: z
      .boolean()
      .default(false)
      .describe('Whether `arginator serve` checks the jobs of the last schedule_window for drift'),
    schedule_interval: duration
      .default('1h')
      .describe('Time between scheduled checks (the first one after one interval)'),
    schedule_window: duration
      .default('24h')
      .describe('A scheduled check compares the completed jobs submitted in this last window'),
    alert_on_drift: z
      .boolean()
      .default(true)
      .describe('Send the alert webhook when a check finds dataset drift'),
    alert_novelty_rate: z
      .number()
      .gte(0)
      .lte(1)
      .nullable()
      .default(null)
      .describe(
        'Send the alert webhook when the share of novel proteins is at or above this; null: never',
      ),
    webhook_url: z
      .url({ protocol: /^https?$/ })
      .nullable()
      .default(null)
      .describe(
        'Where alerts are POSTed (http or https); null: no alerts. ARGINATOR_DRIFT_WEBHOOK_URL overrides it (keeps a token out of config files)',
      ),
    webhook_headers: z
      .record(z.string(), z.string())
      .default({})
      .describe('Extra request headers (e.g. Authorization); never logged'),
    webhook_body: json
      .default(null)
      .describe(
        'JSON body template; strings may hold {{placeholders}} (docs/monitoring.md); null: the default body',
      ),
    webhook_timeout_seconds: z
      .number()
      .gt(0)
      .default(10)
      .describe('Seconds one webhook attempt may take before it counts as failed'),
    webhook_max_attempts: z
      .int()
      .gte(1)
      .lte(20)
      .default(5)
      .describe('Attempts per alert (the first one included) before it is given up (logged)'),
    webhook_backoff_seconds: z
      .number()
      .gt(0)
      .default(2)
      .describe('Wait before the second attempt; doubled before each further one'),
    webhook_max_backoff_seconds: z
      .number()
      .gt(0)
      .default(60)
      .describe('Longest wait between two attempts'),
  })
  .prefault({})
  .describe(
    'Drift monitoring in the service: POST /v1/drift, scheduled checks, the alert webhook (docs/monitoring.md)',
  );

export const configSchema = z.strictObject({
  task,
  optimizer,
  experiment,
  embedder,
  paths,
  processing,
  model,
  split,
  server,
  registry,
  validation,
  queue,

  monitoring,
});

/** The config after composition, overrides, interpolation and validation. */
export type ResolvedConfig = z.output<typeof configSchema>;
/** What may be written before defaults are applied (keys with a default may be left out). */
export type WrittenConfig = z.input<typeof configSchema>;

export type Validation =
  | { readonly ok: true; readonly config: ResolvedConfig }
  | { readonly ok: false; readonly errors: readonly ValidationIssue[] };

export interface ValidationIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Validates an interpolated tree; every problem comes back, none is thrown. */
export function validateConfig(input: unknown): Validation {
  const result = configSchema.safeParse(input);
  if (result.success) {
    return { ok: true, config: result.data };
  }
  const errors: ValidationIssue[] = [];
  for (const issue of result.error.issues) {
    const at = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        errors.push({ path: [...at, key], message: 'unknown key (docs/config.md lists the keys)' });
      }
      continue;
    }
    errors.push({ path: at, message: describeIssue(issue, valueAt(input, at)) });
  }
  return { ok: false, errors };
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return value === undefined
        ? `is required (${typeName(issue.expected)})`
        : `expected ${typeName(issue.expected)}, got ${show(value)}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `expected ${String(issue.values[0])}, got ${show(value)}`
        : `expected one of ${issue.values.map(String).join(', ')}, got ${show(value)}`;
    case 'invalid_union':
      return 'options' in issue && Array.isArray(issue.options)
        ? `expected one of ${issue.options.map(String).join(', ')}, got ${show(value)}`
        : issue.message;
    case 'too_small':
      return issue.origin === 'array'
        ? `must have ${issue.exact === true ? 'exactly' : 'at least'} ${Number(issue.minimum)} items`
        : issue.origin === 'string'
          ? 'must not be empty'
          : `must be ${issue.inclusive === true ? '>=' : '>'} ${Number(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'array'
        ? `must have ${issue.exact === true ? 'exactly' : 'at most'} ${Number(issue.maximum)} items`
        : `must be ${issue.inclusive === true ? '<=' : '<'} ${Number(issue.maximum)}`;
    default:
      return issue.message;
  }
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  tuple: 'a list',
  object: 'a mapping',
  null: 'null',
};

function typeName(expected: string): string {
  return TYPE_NAMES[expected] ?? expected;
}

function show(value: unknown): string {
  if (value === undefined) {
    return 'nothing';
  }
  if (typeof value === 'string') {
    return `'${value}'`;
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  if (value !== null && typeof value === 'object') {
    return 'a mapping';
  }
  return JSON.stringify(value);
}

function valueAt(root: unknown, at: readonly (string | number)[]): unknown {
  let node = root;
  for (const segment of at) {
    if (node === null || typeof node !== 'object') {
      return undefined;
    }
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

/** True if the schema has a key at `path` for this data (unions pick their option by `name`). */
export function schemaHasPath(path: readonly string[], data: unknown): boolean {
  let schema: z.core.$ZodType = configSchema;
  let node = data;
  for (const segment of path) {
    schema = unwrap(schema);
    if (schema instanceof z.ZodDiscriminatedUnion) {
      const name =
        node !== null && typeof node === 'object'
          ? (node as Record<string, unknown>)['name']
          : undefined;
      const option = schema.options.find(
        (o) =>
          o instanceof z.ZodObject &&
          (o.shape as Record<string, z.ZodType>)['name']?.safeParse(name).success === true,
      );
      if (option === undefined) {
        return false;
      }
      schema = option;
    }
    if (schema instanceof z.ZodObject) {
      const shape = schema.shape as Record<string, z.core.$ZodType | undefined>;
      const child = shape[segment];
      if (child === undefined) {
        return false;
      }
      schema = child;
    } else if (schema instanceof z.ZodArray) {
      schema = schema.element;
    } else if (schema instanceof z.ZodTuple) {
      const item = schema.def.items[Number(segment)];
      if (item === undefined) {
        return false;
      }
      schema = item;
    } else {
      return false;
    }
    node =
      node !== null && typeof node === 'object'
        ? (node as Record<string, unknown>)[segment]
        : undefined;
  }
  return true;
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let s = schema;
  while (
    s instanceof z.ZodDefault ||
    s instanceof z.ZodNullable ||
    s instanceof z.ZodOptional ||
    s instanceof z.ZodPipe
  ) {
    s = s instanceof z.ZodPipe ? s.in : s.unwrap();
  }
  return s;
}
