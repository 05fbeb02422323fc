// The 'onnx' embedder: ESM-2-style protein language models from a local Hugging Face folder, run by onnxruntime-node.
//
// Folder layout (that of Xenova/esm2_t6_8M_UR50D): config.json, tokenizer files (tokenizer.json and/or
// vocab.txt, special_tokens_map.json, tokenizer_config.json) and onnx/model.onnx (or onnx/model_quantized.onnx).
// Nothing is ever downloaded. A protein's vector is the mean of the model's per-token output over its residue
// positions only (not <cls>, <eos> or padding). Proteins longer than maxLength residues are cut into
// consecutive windows of near-equal size (each at most maxLength, each with its own <cls>/<eos>); the window
// means are averaged weighted by their residue counts, which equals the mean over all residues.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type * as OnnxRuntimeModule from 'onnxruntime-node';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { z } from 'zod';
import { ArginatorError, inputError, throwIfAborted, usageError } from '../../core/errors.ts';
import type {
  EmbedOptions,
  Embedder,
  EmbedderFactory,
  EmbedderOptions,
} from '../../core/embed/embedder.ts';
import type { ProteinRecord } from '../../core/sequence/protein-record.ts';
import { loadEsmTokenizer, type EsmTokenizer } from './esm-tokenizer.ts';

let loadedOrt: typeof OnnxRuntimeModule | undefined;

/**
 * onnxruntime-node, loaded when an ONNX embedder is first opened: its native library costs start-up
 * time that runs with other embedders (the default built-in one) should not pay.
 */
async function onnxRuntime(): Promise<typeof OnnxRuntimeModule> {
  loadedOrt ??= await import('onnxruntime-node');
  return loadedOrt;
}

/** The runtime after onnxRuntime() (a session exists only after it was loaded). */
function ort(): typeof OnnxRuntimeModule {
  if (loadedOrt === undefined) {
    throw new Error('onnxruntime-node used before it was loaded');
  }
  return loadedOrt;
}

/** Default padded-token budget of one inference call (batch size × longest window + 2). */
export const DEFAULT_MAX_TOKENS_PER_BATCH = 8192;
/** Residues per window when neither config.json nor tokenizer_config.json gives a limit (ESM-2's 1024 − 2). */
export const DEFAULT_MAX_LENGTH = 1022;

const EXAMPLE_REPO = 'Xenova/esm2_t6_8M_UR50D';
const DOWNLOAD_HINT =
  `on a machine with internet run \`huggingface-cli download ${EXAMPLE_REPO} --local-dir esm2_t6_8M_UR50D\` ` +
  `(or \`git lfs install && git clone https://huggingface.co/${EXAMPLE_REPO}\`), copy the folder here ` +
  'and pass its path; see docs/embedders.md';

export interface OnnxEmbedderSettings {
  /** The model folder. */
  readonly path: string;
  /** Use onnx/model_quantized.onnx instead of onnx/model.onnx. */
  readonly quantized: boolean;
  /** Padded tokens per inference call (batch size × longest sequence in the batch, specials included). */
  readonly maxTokensPerBatch: number;
  /** Residues per window; default and upper bound come from the model folder. */
  readonly maxLength: number | undefined;
  /** onnxruntime intra-op threads; default: onnxruntime's choice (one per physical core). */
  readonly threads: number | undefined;
  /** Model output to pool; default last_hidden_state, else logits, else the only output. */
  readonly output: string | undefined;
}

const positiveInt = z.number().int().positive();
const optionsSchema = z
  .object({
    path: z.string().min(1),
    quantized: z.boolean().optional(),
    maxTokensPerBatch: positiveInt.optional(),
    maxLength: positiveInt.optional(),
    threads: positiveInt.max(1024).optional(),
    output: z.string().min(1).optional(),
  })
  .strict();

/** Validates the factory's free-form options. */
export function parseOnnxEmbedderOptions(options: EmbedderOptions): OnnxEmbedderSettings {
  if (options.path === undefined || options.path === '') {
    throw usageError(
      'onnx.path-missing',
      "the 'onnx' embedder needs the path of a local model folder",
      `pass --embedder-path /models/esm2_t6_8M_UR50D (a copy of the Hugging Face repo ${EXAMPLE_REPO}); ${DOWNLOAD_HINT}`,
    );
  }
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(options)'}: ${issue.message}`)
      .join('; ');
    throw usageError(
      'onnx.options',
      `invalid options for the 'onnx' embedder: ${problems}`,
      'options are path (string), quantized (boolean), maxTokensPerBatch, maxLength, threads (positive integers) and output (string)',
    );
  }
  const o = parsed.data;
  return {
    path: o.path,
    quantized: o.quantized ?? false,
    maxTokensPerBatch: o.maxTokensPerBatch ?? DEFAULT_MAX_TOKENS_PER_BATCH,
    maxLength: o.maxLength,
    threads: o.threads,
    output: o.output,
  };
}

/** The parts of config.json the embedder uses. */
export interface EsmModelConfig {
  readonly hiddenSize: number;
  readonly vocabSize: number | undefined;
  readonly maxPositionEmbeddings: number | undefined;
  readonly padTokenId: number | undefined;
}

const configSchema = z.object({
  model_type: z.string(),
  hidden_size: positiveInt,
  vocab_size: positiveInt.optional(),
  max_position_embeddings: positiveInt.optional(),
  pad_token_id: z.number().int().nonnegative().nullable().optional(),
});

/** Validates a parsed config.json. */
export function parseEsmConfig(json: unknown, source: string): EsmModelConfig {
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`)
      .join('; ');
    throw new ArginatorError(
      'CONFIG',
      'onnx.config-invalid',
      `config.json is not a Hugging Face model config with model_type and hidden_size (${problems})`,
      `copy config.json again from the model's repo; ${DOWNLOAD_HINT}`,
      { source },
    );
  }
  const c = parsed.data;
  if (c.model_type !== 'esm') {
    throw new ArginatorError(
      'CONFIG',
      'onnx.config-model-type',
      `config.json has model_type '${c.model_type}'; the 'onnx' embedder runs ESM-style protein models (model_type 'esm')`,
      `use an ESM-2 folder such as ${EXAMPLE_REPO}`,
      { source },
    );
  }
  return {
    hiddenSize: c.hidden_size,
    vocabSize: c.vocab_size,
    maxPositionEmbeddings: c.max_position_embeddings,
    padTokenId: c.pad_token_id ?? undefined,
  };
}

/**
 * Most residues one window may hold. Hugging Face ESM numbers positions from padding_idx + 1 (= 2), so a
 * model with max_position_embeddings P takes P − 2 tokens; tokenizer_config.json's model_max_length may lower
 * that; <cls> and <eos> take two of them. ESM-2: min(1026 − 2, 1024) − 2 = 1022 residues.
 */
export function residueLimit(config: EsmModelConfig, tokenizer: EsmTokenizer): number {
  const tokenLimits: number[] = [];
  if (config.maxPositionEmbeddings !== undefined) {
    tokenLimits.push(config.maxPositionEmbeddings - 2);
  }
  if (tokenizer.modelMaxLength !== undefined) {
    tokenLimits.push(tokenizer.modelMaxLength);
  }
  return tokenLimits.length === 0 ? DEFAULT_MAX_LENGTH : Math.min(...tokenLimits) - 2;
}

/**
 * Splits [0, length) into ceil(length / maxLength) consecutive windows of near-equal size (sizes differ by at
 * most one), so the last window is never a short scrap with little context.
 */
export function splitIntoWindows(length: number, maxLength: number): [number, number][] {
  const count = Math.max(1, Math.ceil(length / maxLength));
  const base = Math.floor(length / count);
  const extra = length % count;
  const windows: [number, number][] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = start + base + (i < extra ? 1 : 0);
    windows.push([start, end]);
    start = end;
  }
  return windows;
}

/**
 * Groups items into batches whose padded size (count × longest) stays within maxTokensPerBatch. Items are
 * taken longest first so that similar lengths share a batch (less padding). An item longer than the budget
 * gets a batch of its own. Returns item indices.
 */
export function planBatches(
  tokenLengths: readonly number[],
  maxTokensPerBatch: number,
  maxBatchSize = Number.POSITIVE_INFINITY,
): number[][] {
  const order = tokenLengths.map((_, i) => i);
  order.sort((a, b) => (tokenLengths[b] ?? 0) - (tokenLengths[a] ?? 0) || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  let longest = 0;
  for (const i of order) {
    const length = tokenLengths[i] ?? 0;
    const first = current.length === 0;
    const fits =
      !first &&
      current.length < maxBatchSize &&
      (current.length + 1) * Math.max(longest, length) <= maxTokensPerBatch;
    if (!first && !fits) {
      batches.push(current);
      current = [];
    }
    if (current.length === 0) {
      longest = length;
    }
    current.push(i);
    longest = Math.max(longest, length);
  }
  if (current.length > 0) {
    batches.push(current);
  }
  return batches;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function folderError(
  reason: string,
  message: string,
  hint: string,
  folder: string,
): ArginatorError {
  return new ArginatorError('CONFIG', reason, message, hint, { source: folder });
}

async function readConfig(folder: string): Promise<EsmModelConfig> {
  const file = path.join(folder, 'config.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (isMissing(e)) {
      throw folderError(
        'onnx.config-missing',
        `no config.json in the model folder (expected ${file})`,
        `the folder must be a complete copy of a Hugging Face ESM repo; ${DOWNLOAD_HINT}`,
        folder,
      );
    }
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ArginatorError(
      'CONFIG',
      'onnx.config-invalid',
      `config.json is not valid JSON (${file})`,
      `copy config.json again from the model's repo; ${DOWNLOAD_HINT}`,
      { source: folder },
      { cause },
    );
  }
  return parseEsmConfig(json, folder);
}

/** Checks the model file exists and is not a git-lfs pointer; returns its size. */
async function checkModelFile(
  modelPath: string,
  folder: string,
  quantized: boolean,
): Promise<number> {
  let size: number;
  try {
    const info = await stat(modelPath);
    if (!info.isFile()) {
      throw new Error('not a file');
    }
    size = info.size;
  } catch (e) {
    const other = quantized
      ? 'onnx/model.onnx (drop the quantized option)'
      : 'onnx/model_quantized.onnx (set quantized)';
    throw new ArginatorError(
      'CONFIG',
      'onnx.model-missing',
      `no ONNX model at ${modelPath}`,
      `put the model's ONNX export there, or use ${other} if the folder has it; ${DOWNLOAD_HINT}`,
      { source: folder },
      { cause: e },
    );
  }
  if (size < 1024) {
    const handle = await open(modelPath, 'r');
    try {
      const head = Buffer.alloc(64);
      await handle.read(head, 0, 64, 0);
      if (head.toString('latin1').startsWith('version https://git-lfs')) {
        throw new ArginatorError(
          'CONFIG',
          'onnx.model-lfs-pointer',
          `${modelPath} is a git-lfs pointer file, not the model`,
          'run `git lfs install && git lfs pull` in the cloned repo (or use `huggingface-cli download`), then copy the folder again',
          { source: folder },
        );
      }
    } finally {
      await handle.close();
    }
  }
  return size;
}

type IdType = 'int64' | 'int32';

interface ModelIo {
  readonly ids: { readonly name: string; readonly type: IdType };
  readonly mask: { readonly name: string; readonly type: IdType } | undefined;
  readonly output: string;
}

const IO_HINT =
  'use an ESM export with inputs input_ids and attention_mask (int64 [batch, sequence]) such as the ' +
  `${EXAMPLE_REPO} folder, or export one with Hugging Face Optimum: ` +
  '`optimum-cli export onnx --model facebook/esm2_t6_8M_UR50D --task feature-extraction OUTDIR/onnx`';

function idType(session: InferenceSession, name: string, folder: string): IdType {
  const meta = session.inputMetadata.find((m) => m.name === name);
  if (meta === undefined || !meta.isTensor || meta.type === 'int64') {
    return 'int64';
  }
  if (meta.type === 'int32') {
    return 'int32';
  }
  throw folderError(
    'onnx.model-inputs',
    `the model's input '${name}' has type ${meta.type}; token ids must be int64 or int32`,
    IO_HINT,
    folder,
  );
}

/** Finds the id/mask inputs and the output to pool, by name (from the session, not hard-coded order). */
function resolveIo(session: InferenceSession, wanted: string | undefined, folder: string): ModelIo {
  const inputs = session.inputNames;
  const unexpected = inputs.filter((n) => n !== 'input_ids' && n !== 'attention_mask');
  if (!inputs.includes('input_ids') || unexpected.length > 0) {
    throw folderError(
      'onnx.model-inputs',
      `the model's inputs are [${inputs.join(', ')}]; expected input_ids and attention_mask`,
      IO_HINT,
      folder,
    );
  }
  const outputs = session.outputNames;
  let output: string | undefined;
  if (wanted !== undefined) {
    output = outputs.includes(wanted) ? wanted : undefined;
  } else if (outputs.includes('last_hidden_state')) {
    output = 'last_hidden_state';
  } else if (outputs.includes('logits')) {
    output = 'logits';
  } else if (outputs.length === 1) {
    output = outputs[0];
  }
  if (output === undefined) {
    throw folderError(
      'onnx.model-outputs',
      wanted === undefined
        ? `cannot tell which of the model's outputs [${outputs.join(', ')}] holds per-token vectors`
        : `the model has no output '${wanted}' (it has [${outputs.join(', ')}])`,
      'pass the output option with one of those names (a [batch, sequence, dim] float32 output)',
      folder,
    );
  }
  return {
    ids: { name: 'input_ids', type: idType(session, 'input_ids', folder) },
    mask: inputs.includes('attention_mask')
      ? { name: 'attention_mask', type: idType(session, 'attention_mask', folder) }
      : undefined,
    output,
  };
}

interface Window {
  readonly record: number;
  readonly start: number;
  readonly end: number;
}

interface Prepared {
  readonly folder: string;
  readonly modelFile: string;
  readonly settings: OnnxEmbedderSettings;
  readonly session: InferenceSession;
  readonly io: ModelIo;
  readonly tokenizer: EsmTokenizer;
  readonly maxLength: number;
  readonly fingerprintBase: Readonly<Record<string, unknown>>;
}

export class OnnxEmbedder implements Embedder {
  readonly id: string;
  readonly dim: number;
  readonly fingerprint: Readonly<Record<string, unknown>>;
  /** Residues per window. */
  readonly maxLength: number;
  /** Name of the model output that is pooled. */
  readonly outputName: string;
  /** Absolute path of the ONNX file in use. */
  readonly modelPath: string;
  private readonly session: InferenceSession;
  private readonly io: ModelIo;
  private readonly tokenizer: EsmTokenizer;
  private readonly maxTokensPerBatch: number;
  private closed = false;

  private constructor(p: Prepared, dim: number) {
    this.id = `onnx:${path.basename(p.folder)}`;
    this.dim = dim;
    this.maxLength = p.maxLength;
    this.outputName = p.io.output;
    this.modelPath = path.join(p.folder, p.modelFile);
    this.session = p.session;
    this.io = p.io;
    this.tokenizer = p.tokenizer;
    this.maxTokensPerBatch = p.settings.maxTokensPerBatch;
    this.fingerprint = Object.freeze({ ...p.fingerprintBase, dim });
  }

  /** Loads the folder, opens the session, and runs one tiny probe to learn the output width. */
  static async open(options: EmbedderOptions): Promise<OnnxEmbedder> {
    const settings = parseOnnxEmbedderOptions(options);
    const folder = path.resolve(settings.path);
    try {
      if (!(await stat(folder)).isDirectory()) {
        throw folderError(
          'onnx.folder-not-directory',
          `the model path ${folder} is not a folder`,
          `pass the folder that holds config.json and onnx/; ${DOWNLOAD_HINT}`,
          folder,
        );
      }
    } catch (e) {
      if (isMissing(e)) {
        throw folderError(
          'onnx.folder-missing',
          `model folder not found: ${folder}`,
          DOWNLOAD_HINT,
          folder,
        );
      }
      throw e;
    }
    const config = await readConfig(folder);
    const tokenizer = await loadEsmTokenizer(folder, {
      padTokenId: config.padTokenId,
      vocabSize: config.vocabSize,
    });
    const limit = residueLimit(config, tokenizer);
    if (limit < 1) {
      throw folderError(
        'onnx.config-max-length',
        `the model folder allows ${limit} residues per window`,
        'check max_position_embeddings in config.json and model_max_length in tokenizer_config.json',
        folder,
      );
    }
    if (settings.maxLength !== undefined && settings.maxLength > limit) {
      throw new ArginatorError(
        'CONFIG',
        'onnx.max-length',
        `maxLength ${settings.maxLength} is more than this model takes (${limit} residues per window)`,
        `use maxLength ${limit} or less (or leave it unset)`,
        { source: folder },
      );
    }
    const maxLength = settings.maxLength ?? limit;
    const modelFile = settings.quantized ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx';
    const modelPath = path.join(folder, modelFile);
    const modelBytes = await checkModelFile(modelPath, folder, settings.quantized);
    const modelSha256 = await sha256File(modelPath);
    let session: InferenceSession;
    try {
      session = await (
        await onnxRuntime()
      ).InferenceSession.create(modelPath, {
        graphOptimizationLevel: 'all',
        executionMode: 'sequential',
        interOpNumThreads: 1,
        ...(settings.threads === undefined ? {} : { intraOpNumThreads: settings.threads }),
        logSeverityLevel: 3,
      });
    } catch (cause) {
      throw new ArginatorError(
        'CONFIG',
        'onnx.model-load',
        `onnxruntime could not load ${modelPath}: ${cause instanceof Error ? cause.message : String(cause)}`,
        `the file may be truncated or not an ONNX model; copy it again. ${DOWNLOAD_HINT}`,
        { source: folder },
        { cause },
      );
    }
    try {
      const io = resolveIo(session, settings.output, folder);
      const fingerprintBase = {
        embedder: 'onnx',
        version: 1,
        folder: path.basename(folder),
        modelFile,
        modelBytes,
        modelSha256,
        quantized: settings.quantized,
        output: io.output,
        vocabSha256: createHash('sha256').update(tokenizer.describe()).digest('hex'),
        maxLength,
        pooling: 'mean-over-residues',
        longSequences: 'near-equal-consecutive-windows-residue-weighted',
      };
      const prepared: Prepared = {
        folder,
        modelFile,
        settings,
        session,
        io,
        tokenizer,
        maxLength,
        fingerprintBase,
      };
      const dim = await probeWidth(prepared);
      if (io.output === 'last_hidden_state' && dim !== config.hiddenSize) {
        throw folderError(
          'onnx.hidden-size',
          `config.json says hidden_size ${config.hiddenSize} but the model's last_hidden_state has width ${dim}`,
          'config.json and the ONNX file belong to different models; copy the whole repo folder again',
          folder,
        );
      }
      return new OnnxEmbedder(prepared, dim);
    } catch (e) {
      await session.release();
      throw e;
    }
  }

  async embed(
    records: readonly ProteinRecord[],
    options: EmbedOptions = {},
  ): Promise<Float32Array[]> {
    const { signal } = options;
    throwIfAborted(signal, 'ONNX embedding');
    if (this.closed) {
      throw new ArginatorError(
        'INTERNAL',
        'onnx.closed',
        `embedder ${this.id} was used after close()`,
        'create a new embedder',
      );
    }
    const windows: Window[] = [];
    records.forEach((record, index) => {
      const n = record.sequence.length;
      if (n === 0) {
        throw inputError(
          'onnx.empty-sequence',
          'the protein sequence is empty',
          'remove records without residues from the input',
          { recordId: record.id },
        );
      }
      for (const [start, end] of splitIntoWindows(n, this.maxLength)) {
        windows.push({ record: index, start, end });
      }
    });
    const batches = planBatches(
      windows.map((w) => w.end - w.start + 2),
      this.maxTokensPerBatch,
      // Without an attention mask, padding would leak into the output: one window per call.
      this.io.mask === undefined ? 1 : Number.POSITIVE_INFINITY,
    );
    const sums = records.map(() => new Float64Array(this.dim));
    for (const batch of batches) {
      throwIfAborted(signal, 'ONNX embedding');
      const items = batch.map((i) => windows[i] as Window);
      const tokens = items.map((w) =>
        this.tokenizer.encode((records[w.record] as ProteinRecord).sequence.slice(w.start, w.end)),
      );
      const { data, length } = await runModel(
        this.session,
        this.io,
        this.tokenizer,
        tokens,
        this.dim,
      );
      items.forEach((w, b) => {
        const sum = sums[w.record] as Float64Array;
        const residues = w.end - w.start;
        // Token 0 is <cls>; residues are tokens 1..residues; then <eos> and padding, all skipped.
        for (let t = 1; t <= residues; t++) {
          const offset = (b * length + t) * this.dim;
          for (let d = 0; d < this.dim; d++) {
            sum[d] = (sum[d] ?? 0) + (data[offset + d] ?? 0);
          }
        }
      });
    }
    return sums.map((sum, i) => {
      const n = (records[i] as ProteinRecord).sequence.length;
      return Float32Array.from(sum, (v) => v / n);
    });
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    await this.session.release();
  }
}

function idTensor(type: IdType, values: Int32Array, dims: number[]): Tensor {
  return type === 'int64'
    ? new (ort().Tensor)(
        'int64',
        BigInt64Array.from(values, (v) => BigInt(v)),
        dims,
      )
    : new (ort().Tensor)('int32', values, dims);
}

/** Runs one padded batch; returns the [batch, length, dim] output and the padded length. */
async function runModel(
  session: InferenceSession,
  io: ModelIo,
  tokenizer: EsmTokenizer,
  tokens: readonly Int32Array[],
  expectedDim: number | undefined,
): Promise<{ data: Float32Array; length: number; dim: number }> {
  const batch = tokens.length;
  const length = Math.max(...tokens.map((t) => t.length));
  const ids = new Int32Array(batch * length).fill(tokenizer.padId);
  const mask = new Int32Array(batch * length);
  tokens.forEach((t, b) => {
    ids.set(t, b * length);
    mask.fill(1, b * length, b * length + t.length);
  });
  const feeds: Record<string, Tensor> = {
    [io.ids.name]: idTensor(io.ids.type, ids, [batch, length]),
  };
  if (io.mask !== undefined) {
    feeds[io.mask.name] = idTensor(io.mask.type, mask, [batch, length]);
  }
  let result: InferenceSession.ReturnType;
  try {
    result = await session.run(feeds, [io.output]);
  } catch (cause) {
    throw new ArginatorError(
      'INTERNAL',
      'onnx.run',
      `onnxruntime failed on a batch of ${batch} × ${length} tokens: ${cause instanceof Error ? cause.message : String(cause)}`,
      'lower maxTokensPerBatch or maxLength; if it persists the model export is not ESM-compatible',
      {},
      { cause },
    );
  }
  const out = result[io.output];
  const dims = out?.dims ?? [];
  const dim = dims[2];
  if (
    out === undefined ||
    out.type !== 'float32' ||
    !(out.data instanceof Float32Array) ||
    dims.length !== 3 ||
    dims[0] !== batch ||
    dims[1] !== length ||
    dim === undefined ||
    (expectedDim !== undefined && dim !== expectedDim)
  ) {
    throw new ArginatorError(
      'CONFIG',
      'onnx.model-outputs',
      `the model's output '${io.output}' is ${out?.type ?? 'missing'} [${dims.join(', ')}]; expected float32 [${batch}, ${length}, ${expectedDim ?? 'dim'}]`,
      'use a float32 ESM export whose output is per-token ([batch, sequence, dim]), e.g. onnx/model.onnx or onnx/model_quantized.onnx (not model_fp16.onnx)',
    );
  }
  return { data: out.data, length, dim };
}

/** One tiny inference to learn the output width (and fail early on an unusable model). */
async function probeWidth(p: Prepared): Promise<number> {
  const { dim } = await runModel(
    p.session,
    p.io,
    p.tokenizer,
    [p.tokenizer.encode('A')],
    undefined,
  );
  return dim;
}

/** Creates an ONNX embedder; options as in {@link OnnxEmbedderSettings}. */
export function createOnnxEmbedder(options: EmbedderOptions): Promise<OnnxEmbedder> {
  return OnnxEmbedder.open(options);
}

export const onnxEmbedderFactory: EmbedderFactory = {
  name: 'onnx',
  description:
    'ESM-2-style protein language model from a local Hugging Face folder (e.g. Xenova/esm2_t6_8M_UR50D), ' +
    'run by onnxruntime-node; mean of the per-residue output. Options: path (required), quantized, ' +
    'maxTokensPerBatch, maxLength, threads, output.',
  create: createOnnxEmbedder,
};
