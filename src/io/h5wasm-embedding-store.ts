// Reads and writes per-protein embedding files (HDF5, one 1-D float vector per protein id) through h5wasm.
//
// This is the only module that imports h5wasm. The layout is the one ProtTrans, bio_embeddings
// and the original Python system use: one dataset per protein at the file root, named by its id.
// See docs/hdf5.md for the layout, the id escaping rule and the errors.
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type * as H5wasmModule from 'h5wasm/node';
import type { Dataset, File as H5File, Group, Metadata } from 'h5wasm/node';
import {
  ArginatorError,
  cancelledError,
  inputError,
  isArginatorError,
  throwIfAborted,
} from '../core/errors.ts';

type H5wasm = typeof H5wasmModule;

let loadedLib: H5wasm | undefined;

/**
 * h5wasm, loaded on first use: its WebAssembly start-up costs about 0.3 s of CPU, which runs that
 * never touch HDF5 (FASTA in, CSV out) skip.
 */
async function loadH5wasm(): Promise<H5wasm> {
  if (loadedLib === undefined) {
    const lib = await import('h5wasm/node');
    await lib.default.ready;
    loadedLib = lib;
  }
  return loadedLib;
}

/** h5wasm after loadH5wasm() (every exported entry point awaits it before touching a file). */
function h5(): H5wasm {
  if (loadedLib === undefined) {
    throw new Error('h5wasm used before loadH5wasm()');
  }
  return loadedLib;
}

/** Attribute holding the exact protein id (bio_embeddings uses the same name). */
export const ORIGINAL_ID_ATTRIBUTE = 'original_id';

/** The 8-byte HDF5 format signature; the superblock starts at 0, 512, 1024, 2048, ... */
const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** h5wasm is synchronous; yielding this often lets abort signals (Ctrl-C) and progress bars run. */
const YIELD_EVERY = 256;

/** Nested groups deeper than this are almost certainly a hard-link cycle, not protein ids. */
const MAX_GROUP_DEPTH = 32;

export interface EmbeddingSet {
  /** Protein ids in file order (creation order for files we write, name order for h5py's). */
  readonly ids: string[];
  /** Length of every vector. */
  readonly dim: number;
  /** One float32 vector per id, same order as ids. */
  readonly vectors: Float32Array[];
}

export interface ReadEmbeddingsOptions {
  readonly signal?: AbortSignal | undefined;
  /** Every vector must have this length (e.g. the classifier's input size). */
  readonly expectedDim?: number | undefined;
  /** Called after each dataset with (datasets read, datasets in the file). */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

export interface EmbeddingEntry {
  readonly id: string;
  readonly vector: Float32Array;
}

export interface WriteEmbeddingsOptions {
  readonly signal?: AbortSignal | undefined;
  /** Vector length; defaults to the first vector's length. */
  readonly dim?: number | undefined;
}

export interface EmbeddingWriterOptions {
  readonly signal?: AbortSignal | undefined;
}

/** Streams embeddings into a temp file next to `path`; close() renames it into place. */
export interface EmbeddingWriter {
  readonly path: string;
  readonly dim: number;
  /** Vectors added so far. */
  readonly count: number;
  /** Validates and writes one vector. After an error, call abort(). */
  add(id: string, vector: Float32Array): void;
  /** Finishes the file and moves it to `path`. Rejects (and leaves no file) if nothing was added. */
  close(): Promise<{ count: number }>;
  /** Discards the temp file; `path` is left as it was. Idempotent. */
  abort(): Promise<void>;
}

/**
 * Reads every 1-D float dataset of an HDF5 embedding file.
 * Ids come from the `original_id` attribute when present, else from the dataset path
 * (nested groups joined with '/', as h5py creates them for ids containing '/').
 */
export async function readEmbeddings(
  path: string,
  options: ReadEmbeddingsOptions = {},
): Promise<EmbeddingSet> {
  const ids: string[] = [];
  const vectors: Float32Array[] = [];
  let dim = options.expectedDim;
  for await (const { id, vector } of streamEmbeddings(path, options)) {
    dim ??= vector.length;
    ids.push(id);
    vectors.push(vector);
  }
  return { ids, dim: dim ?? 0, vectors };
}

/**
 * Yields the vectors of an HDF5 embedding file one dataset at a time, in file order, with the
 * checks of readEmbeddings. Memory: the dataset list and the ids seen (duplicate check), plus the
 * vectors the caller keeps. The file stays open until the iteration ends (or is stopped).
 */
export async function* streamEmbeddings(
  path: string,
  options: ReadEmbeddingsOptions = {},
): AsyncGenerator<EmbeddingEntry> {
  const { signal, expectedDim, onProgress } = options;
  const what = `Reading ${path}`;
  throwIfAborted(signal, what);
  await assertHdf5File(path, signal);
  await loadH5wasm();
  const file = openFile(path, 'r');
  try {
    const datasets: DatasetEntry[] = [];
    collectDatasets(file, '', 0, path, datasets);
    if (datasets.length === 0) {
      throw inputError(
        'hdf5.empty',
        'the HDF5 file holds no datasets, so there are no embeddings to read',
        'write one 1-D float32 dataset per protein id at the file root (arginator embed INPUT --out FILE.h5 does this)',
        { source: path },
      );
    }
    const datasetById = new Map<string, string>();
    let dim = expectedDim;
    let firstId: string | undefined;
    for (const [index, entry] of datasets.entries()) {
      if (index > 0 && index % YIELD_EVERY === 0) {
        await yieldToEventLoop();
      }
      throwIfAborted(signal, what);
      const id = originalId(entry.dataset) ?? entry.name;
      const vector = readVector(entry.dataset, id, path);
      if (dim === undefined) {
        dim = vector.length;
        firstId = id;
      } else if (vector.length !== dim) {
        throw dimensionMismatch(path, id, vector.length, dim, firstId);
      }
      const previous = datasetById.get(id);
      if (previous !== undefined) {
        throw inputError(
          'hdf5.duplicate-id',
          `protein id '${id}' appears twice (datasets '${previous}' and '${entry.name}')`,
          'keep one dataset per protein id',
          { source: path },
        );
      }
      datasetById.set(id, entry.name);
      onProgress?.(index + 1, datasets.length);
      yield { id, vector };
    }
  } finally {
    file.close();
  }
}

/**
 * Writes embeddings to `path` atomically: a temp file in the same folder, renamed into place
 * when complete, so a crash or an error never leaves a half-written file at `path`.
 */
export async function writeEmbeddings(
  path: string,
  entries: AsyncIterable<EmbeddingEntry> | Iterable<EmbeddingEntry>,
  options: WriteEmbeddingsOptions = {},
): Promise<{ count: number }> {
  const { signal, dim } = options;
  throwIfAborted(signal, `Writing ${path}`);
  let writer: EmbeddingWriter | undefined;
  try {
    for await (const entry of entries) {
      writer ??= await openEmbeddingWriter(path, dim ?? entry.vector.length, { signal });
      writer.add(entry.id, entry.vector);
      if (writer.count % YIELD_EVERY === 0) {
        await yieldToEventLoop();
      }
    }
    if (writer === undefined) {
      throw nothingToWrite(path);
    }
    return await writer.close();
  } catch (e) {
    await writer?.abort();
    throw e;
  }
}

/** Opens a streaming writer (the CLI embeds in batches and adds each batch as it comes). */
export async function openEmbeddingWriter(
  path: string,
  dim: number,
  options: EmbeddingWriterOptions = {},
): Promise<EmbeddingWriter> {
  throwIfAborted(options.signal, `Writing ${path}`);
  if (!Number.isInteger(dim) || dim <= 0) {
    throw new ArginatorError(
      'INTERNAL',
      'hdf5.bad-dim',
      `cannot write embeddings of dimension ${dim}`,
      'pass the embedder dimension (a positive integer)',
    );
  }
  await mkdir(dirname(path), { recursive: true });
  await loadH5wasm();
  const tempPath = join(dirname(path), `.${basename(path)}.${randomUUID().slice(0, 8)}.tmp`);
  // track_order keeps datasets in the order they were added, so readers see input order.
  const file = openFile(tempPath, 'w', path);
  return new H5wasmEmbeddingWriter(path, tempPath, file, dim, options.signal);
}

/** True if the file carries the HDF5 signature at 0, 512, 1024, 2048, ... (format spec, superblock). */
export async function hasHdf5Signature(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(HDF5_SIGNATURE.length);
    for (let offset = 0; offset + buffer.length <= size; offset = offset === 0 ? 512 : offset * 2) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      if (bytesRead === buffer.length && buffer.equals(HDF5_SIGNATURE)) {
        return true;
      }
    }
    return false;
  } finally {
    await handle.close();
  }
}

/**
 * The dataset name used for a protein id. HDF5 treats '/' as a group separator, so '/' is
 * written as '%2F' and, to keep the mapping reversible, '%' as '%25'. The names '.' and '..'
 * would address the group itself, so their dots are escaped too. The exact id is always
 * stored in the `original_id` attribute, which readers prefer.
 */
export function datasetNameForId(id: string): string {
  if (id === '.' || id === '..') {
    return id.replaceAll('.', '%2E');
  }
  return id.replaceAll('%', '%25').replaceAll('/', '%2F');
}

/** Converts IEEE 754 half-precision bits to a number (h5wasm 0.10.3 cannot decode float16). */
export function float16ToNumber(bits: number): number {
  const sign = (bits & 0x8000) === 0 ? 1 : -1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) {
    return sign * fraction * 2 ** -24;
  }
  if (exponent === 0x1f) {
    return fraction === 0 ? sign * Infinity : Number.NaN;
  }
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

class H5wasmEmbeddingWriter implements EmbeddingWriter {
  readonly path: string;
  readonly dim: number;
  private readonly tempPath: string;
  private readonly signal: AbortSignal | undefined;
  private file: H5File | undefined;
  private readonly ids = new Set<string>();
  private finished = false;

  constructor(
    path: string,
    tempPath: string,
    file: H5File,
    dim: number,
    signal: AbortSignal | undefined,
  ) {
    this.path = path;
    this.tempPath = tempPath;
    this.file = file;
    this.dim = dim;
    this.signal = signal;
  }

  get count(): number {
    return this.ids.size;
  }

  add(id: string, vector: Float32Array): void {
    const file = this.openFileOrThrow();
    if (this.signal?.aborted === true) {
      throw cancelledError(`Writing ${this.path}`);
    }
    this.validate(id, vector);
    const name = datasetNameForId(id);
    const dataset = file.create_dataset({
      name,
      data: vector,
      shape: [this.dim],
      dtype: '<f4',
    });
    // h5wasm returns the created dataset; anything else means HDF5 refused to write it.
    if (!(dataset instanceof h5().default.Dataset)) {
      throw new ArginatorError(
        'INTERNAL',
        'hdf5.write-failed',
        `could not write dataset for protein '${id}' to ${this.path}`,
        'check free disk space and write permission for the output folder',
      );
    }
    // Only escaped names need the attribute; writing it for every dataset doubled write time
    // (4,514 × 1,390-d: 1.33 s with, 0.60 s without, measured with h5wasm 0.10.3).
    if (name !== id) {
      dataset.create_attribute(ORIGINAL_ID_ATTRIBUTE, id);
    }
    this.ids.add(id);
  }

  async close(): Promise<{ count: number }> {
    const file = this.openFileOrThrow();
    this.file = undefined;
    file.close();
    if (this.signal?.aborted === true) {
      await this.discard();
      throw cancelledError(`Writing ${this.path}`);
    }
    if (this.ids.size === 0) {
      await this.discard();
      throw nothingToWrite(this.path);
    }
    // fsync before rename: otherwise a power cut can leave the new name pointing at empty blocks.
    const handle = await open(this.tempPath, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(this.tempPath, this.path);
    this.finished = true;
    return { count: this.ids.size };
  }

  async abort(): Promise<void> {
    if (this.file !== undefined) {
      this.file.close();
      this.file = undefined;
    }
    await this.discard();
  }

  private async discard(): Promise<void> {
    if (this.finished) {
      return;
    }
    this.finished = true;
    await unlink(this.tempPath).catch((e: unknown) => {
      if (!isNodeError(e, 'ENOENT')) {
        throw e;
      }
    });
  }

  private openFileOrThrow(): H5File {
    if (this.file === undefined) {
      throw new ArginatorError(
        'INTERNAL',
        'hdf5.writer-closed',
        `the embedding writer for ${this.path} is already closed`,
        'open a new writer',
      );
    }
    return this.file;
  }

  private validate(id: string, vector: Float32Array): void {
    const location = { source: this.path };
    if (id === '' || id.includes('\0')) {
      throw inputError(
        'hdf5.bad-id',
        `protein id ${JSON.stringify(id)} cannot be stored as an HDF5 dataset name`,
        'give every protein a non-empty id without NUL characters',
        location,
      );
    }
    if (this.ids.has(id)) {
      throw inputError(
        'hdf5.duplicate-id',
        `protein id '${id}' occurs twice`,
        'make protein ids unique (the first word of each FASTA header)',
        location,
      );
    }
    if (vector.length !== this.dim) {
      throw inputError(
        'hdf5.dimension-mismatch',
        `the vector for protein '${id}' has ${vector.length} values; this file holds ${this.dim}`,
        'write vectors from a single embedder to one file',
        location,
      );
    }
    const bad = vector.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw inputError(
        'hdf5.not-finite',
        `the vector for protein '${id}' has a non-finite value (${vector[bad]}) at index ${bad}`,
        'check the embedder output for this protein; NaN or Infinity cannot be classified',
        location,
      );
    }
  }
}

interface DatasetEntry {
  readonly dataset: Dataset;
  /** Path below the root with '/' separators: the id when there is no original_id. */
  readonly name: string;
}

function collectDatasets(
  group: Group,
  prefix: string,
  depth: number,
  source: string,
  out: DatasetEntry[],
): void {
  if (depth > MAX_GROUP_DEPTH) {
    throw inputError(
      'hdf5.too-deep',
      `groups are nested more than ${MAX_GROUP_DEPTH} levels deep below '${prefix}'`,
      'store one dataset per protein at the file root',
      { source },
    );
  }
  for (const key of group.keys()) {
    const entity = group.get(key);
    const name = prefix === '' ? key : `${prefix}/${key}`;
    if (entity instanceof h5().default.Dataset) {
      out.push({ dataset: entity, name });
    } else if (entity instanceof h5().default.Group) {
      // h5py turns an id containing '/' into nested groups; walking them recovers the id.
      collectDatasets(entity, name, depth + 1, source, out);
    }
    // Soft/external links and named datatypes hold no vectors of this file: skipped.
  }
}

function originalId(dataset: Dataset): string | undefined {
  if (!Object.hasOwn(dataset.attrs, ORIGINAL_ID_ATTRIBUTE)) {
    return undefined;
  }
  const value = dataset.get_attribute(ORIGINAL_ID_ATTRIBUTE, false);
  const single = Array.isArray(value) && value.length === 1 ? value[0] : value;
  return typeof single === 'string' && single !== '' ? single : undefined;
}

function readVector(dataset: Dataset, id: string, source: string): Float32Array {
  const location = { source };
  const metadata = dataset.metadata;
  const shape = metadata.shape ?? [];
  if (shape.length !== 1) {
    const perResidue = shape.length === 2;
    throw inputError(
      'hdf5.not-1d',
      perResidue
        ? `dataset '${id}' has shape [${shape.join(', ')}], i.e. one vector per residue; one 1-D vector per protein is expected`
        : `dataset '${id}' has shape [${shape.join(', ')}]; one 1-D vector per protein is expected`,
      perResidue
        ? 'mean-pool per protein first (numpy: emb.mean(axis=0)) and store that 1-D float32 vector'
        : 'store each protein as a 1-D float32 dataset',
      location,
    );
  }
  const length = shape[0] ?? 0;
  if (length === 0) {
    throw inputError(
      'hdf5.empty',
      `dataset '${id}' is empty (0 values)`,
      're-embed this protein or remove the dataset',
      location,
    );
  }
  if (metadata.type !== h5().Module.H5T_class_t.H5T_FLOAT.value) {
    throw inputError(
      'hdf5.bad-dtype',
      `dataset '${id}' holds ${describeType(metadata)} values; embeddings must be floating point`,
      "store embeddings as float32 (numpy: vec.astype('float32'))",
      location,
    );
  }
  const vector = readFloats(dataset, metadata, length);
  if (vector === undefined) {
    throw inputError(
      'hdf5.bad-dtype',
      `dataset '${id}' holds ${metadata.size * 8}-bit floats, which cannot be read`,
      "store embeddings as float32 (numpy: vec.astype('float32'))",
      location,
    );
  }
  const bad = vector.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const overflow = metadata.size === 8 ? ' (or beyond the float32 range)' : '';
    throw inputError(
      'hdf5.not-finite',
      `dataset '${id}' has a non-finite value (${vector[bad]}${overflow}) at index ${bad}`,
      're-embed this protein or remove it from the file; NaN/Infinity often comes from float16 overflow on long sequences',
      location,
    );
  }
  return vector;
}

function readFloats(
  dataset: Dataset,
  metadata: Metadata,
  length: number,
): Float32Array | undefined {
  if (metadata.size === 2) {
    return readFloat16(dataset, length);
  }
  const value = dataset.value;
  if (value instanceof Float32Array) {
    return value;
  }
  if (value instanceof Float64Array) {
    return Float32Array.from(value);
  }
  return undefined;
}

/**
 * h5wasm's value getter throws "Float16 not supported", but its C reader already converts the
 * bytes to little-endian in the file's own type, so we read them raw and decode in JS.
 */
function readFloat16(dataset: Dataset, length: number): Float32Array {
  const nbytes = length * 2;
  const pointer = h5().Module._malloc(nbytes);
  if (pointer === 0) {
    throw new ArginatorError(
      'INTERNAL',
      'hdf5.out-of-memory',
      `cannot allocate ${nbytes} bytes to read '${dataset.path}'`,
      'free memory or split the file',
    );
  }
  try {
    h5().Module.get_dataset_data(dataset.file_id, dataset.path, null, null, null, BigInt(pointer));
    // Read HEAPU8 only after the call: memory growth during the read replaces the buffer.
    const halves = new Uint16Array(h5().Module.HEAPU8.slice(pointer, pointer + nbytes).buffer);
    return Float32Array.from(halves, float16ToNumber);
  } finally {
    h5().Module._free(pointer);
  }
}

function describeType(metadata: Metadata): string {
  const classes = h5().Module.H5T_class_t;
  switch (metadata.type) {
    case classes.H5T_INTEGER.value:
      return `${metadata.signed ? '' : 'unsigned '}${metadata.size * 8}-bit integer`;
    case classes.H5T_STRING.value:
      return 'string';
    case classes.H5T_COMPOUND.value:
      return 'compound (record)';
    default:
      return 'non-numeric';
  }
}

function dimensionMismatch(
  source: string,
  id: string,
  length: number,
  dim: number,
  firstId: string | undefined,
): ArginatorError {
  if (firstId === undefined) {
    return inputError(
      'hdf5.dimension-mismatch',
      `dataset '${id}' has ${length} values; ${dim} are expected`,
      `use embeddings from the model the classifier was trained with (${dim} values per protein)`,
      { source },
    );
  }
  return inputError(
    'hdf5.dimension-mismatch',
    `dataset '${id}' has ${length} values but '${firstId}' has ${dim}`,
    'embed every protein of a file with the same model',
    { source },
  );
}

function nothingToWrite(path: string): ArginatorError {
  return inputError(
    'hdf5.empty',
    'there are no embeddings to write',
    'give at least one protein (an empty HDF5 file could not be read back)',
    { source: path },
  );
}

/** Checks existence and the HDF5 signature first: h5wasm returns an invalid handle and prints HDF5 diagnostics instead of throwing. */
async function assertHdf5File(path: string, signal: AbortSignal | undefined): Promise<void> {
  const location = { source: path };
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      throw inputError(
        'hdf5.not-a-file',
        'this is a folder, not an HDF5 file',
        'pass the path of an .h5 file',
        location,
      );
    }
    size = info.size;
  } catch (e) {
    if (isArginatorError(e)) {
      throw e;
    }
    if (isNodeError(e, 'ENOENT')) {
      throw inputError(
        'hdf5.not-found',
        'the HDF5 file does not exist',
        'check the path (relative paths start at the current folder)',
        location,
        e,
      );
    }
    throw inputError(
      'hdf5.unreadable',
      `the HDF5 file cannot be read (${errorMessage(e)})`,
      'check the file permissions',
      location,
      e,
    );
  }
  throwIfAborted(signal, `Reading ${path}`);
  if (size >= HDF5_SIGNATURE.length && (await hasHdf5Signature(path))) {
    return;
  }
  throw inputError(
    'hdf5.not-hdf5',
    `this is not an HDF5 file (no HDF5 signature)${await guessFormat(path)}`,
    'pass an HDF5 embedding file (.h5), or a FASTA file (.fa, .faa, .fasta, optionally .gz) as FASTA',
    location,
  );
}

async function guessFormat(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    if (bytesRead === 0) {
      return '; the file is empty';
    }
    if (head[0] === 0x1f && head[1] === 0x8b) {
      return '; it is gzip-compressed';
    }
    if (head[0] === 0x3e) {
      return "; it starts with '>', like FASTA";
    }
    return '';
  } finally {
    await handle.close();
  }
}

function openFile(path: string, mode: 'r' | 'w', target: string = path): H5File {
  const file = new (h5().default.File)(path, mode, { track_order: mode === 'w' });
  // h5wasm signals failure with a negative id rather than an exception.
  if (file.file_id < 0n) {
    if (mode === 'r') {
      throw inputError(
        'hdf5.unreadable',
        'the HDF5 file cannot be opened (it may be truncated or corrupt)',
        'recreate the file; if it was copied, check that the copy completed',
        { source: path },
      );
    }
    throw new ArginatorError(
      'USAGE',
      'hdf5.cannot-write',
      `cannot create ${target}`,
      'check that the output folder is writable',
    );
  }
  return file;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function isNodeError(e: unknown, code: string): boolean {
  return e instanceof Error && 'code' in e && e.code === code;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** One dataset of an HDF5 file as stored, for `arginator validate` (no check throws on the data). */
export interface InspectedDataset {
  readonly id: string;
  readonly shape: readonly number[];
  /** 'float16', 'float32', 'float64', or the type it holds instead. */
  readonly dtype: string;
  /** The values of a 1-D float dataset (NaN and Infinity kept); absent otherwise. */
  readonly values?: Float32Array | undefined;
}

/**
 * Every dataset of an HDF5 file with its shape, type and (for 1-D floats) values, in file order.
 * Unlike streamEmbeddings, a wrong shape, type, dimension or a NaN is reported as data, so
 * validation can list all of them; only an unreadable file throws.
 */
export async function* inspectEmbeddings(
  path: string,
  signal?: AbortSignal,
): AsyncGenerator<InspectedDataset> {
  await assertHdf5File(path, signal);
  await loadH5wasm();
  const file = openFile(path, 'r');
  try {
    const datasets: DatasetEntry[] = [];
    collectDatasets(file, '', 0, path, datasets);
    for (const [index, entry] of datasets.entries()) {
      if (index > 0 && index % YIELD_EVERY === 0) {
        await yieldToEventLoop();
      }
      throwIfAborted(signal, `Reading ${path}`);
      const id = originalId(entry.dataset) ?? entry.name;
      const metadata = entry.dataset.metadata;
      const shape = metadata.shape ?? [];
      const isFloat = metadata.type === h5().Module.H5T_class_t.H5T_FLOAT.value;
      const dtype = isFloat ? `float${metadata.size * 8}` : describeType(metadata);
      const values =
        isFloat && shape.length === 1 && (shape[0] ?? 0) > 0
          ? readFloats(entry.dataset, metadata, shape[0] ?? 0)
          : undefined;
      yield { id, shape, dtype, values };
    }
  } finally {
    file.close();
  }
}
