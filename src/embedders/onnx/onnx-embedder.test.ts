// Tests for the ONNX embedder: real onnxruntime-node inference on the tiny ESM fixture, checked against its math.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dequantizedWeights,
  encodeOnnxModel,
  makeTinyEsmWeights,
  tensorValueInfo,
  TINY_ESM,
  writeTinyEsmFolder,
  type TinyEsmWeights,
} from './test-support/tiny-esm-onnx.ts';
import { EmbedderRegistry } from '../../core/embed/embedder-registry.ts';
import { ArginatorError } from '../../core/errors.ts';
import { createRng } from '../../core/rng.ts';
import type { ProteinRecord } from '../../core/sequence/protein-record.ts';
import {
  createOnnxEmbedder,
  onnxEmbedderFactory,
  planBatches,
  splitIntoWindows,
  type OnnxEmbedder,
} from './onnx-embedder.ts';

const FIXTURE = path.resolve(import.meta.dirname, '../../../fixtures/onnx-tiny');
const HIDDEN = TINY_ESM.hiddenSize;
/** 66 positions − 2 (HF ESM position offset) − 2 (<cls>, <eos>). */
const TINY_MAX_LENGTH = 62;

// ---- an independent reference: tokenizer and forward pass written out from the graph's definition ----

const VOCAB =
  '<cls> <pad> <eos> <unk> L A G V S E R T I D P K Q N F Y M H W C X B U Z O . - <null_1> <mask>'.split(
    ' ',
  );

function referenceIds(residues: string): number[] {
  const ids = [0];
  for (let i = 0; i < residues.length; i++) {
    const id = VOCAB.indexOf(residues.charAt(i).toUpperCase());
    ids.push(id >= 4 && id <= 30 ? id : 3);
  }
  ids.push(2);
  return ids;
}

/** Per-token outputs of the tiny graph for one unpadded sequence (positions 2, 3, ...). */
function referenceForward(w: TinyEsmWeights, ids: readonly number[]): Float64Array[] {
  const x = ids.map((id, t) => {
    const row = new Float64Array(HIDDEN);
    for (let d = 0; d < HIDDEN; d++) {
      row[d] =
        (w.tokenEmbedding[id * HIDDEN + d] ?? NaN) +
        (w.positionEmbedding[(t + 2) * HIDDEN + d] ?? NaN);
    }
    return row;
  });
  const ctx = new Float64Array(HIDDEN);
  for (const row of x) {
    row.forEach((v, d) => (ctx[d] = (ctx[d] ?? 0) + v / x.length));
  }
  return x.map((row) => {
    const out = new Float64Array(HIDDEN);
    for (let j = 0; j < HIDDEN; j++) {
      let s = w.bias[j] ?? NaN;
      for (let i = 0; i < HIDDEN; i++) {
        s += (row[i] ?? NaN) * (w.wToken[i * HIDDEN + j] ?? NaN);
        s += (ctx[i] ?? NaN) * (w.wContext[i * HIDDEN + j] ?? NaN);
      }
      out[j] = Math.tanh(s);
    }
    return out;
  });
}

/** Mean over residues; long sequences as windows of near-equal size, written out independently. */
function referenceEmbedding(
  w: TinyEsmWeights,
  sequence: string,
  maxLength = TINY_MAX_LENGTH,
): number[] {
  const k = Math.ceil(sequence.length / maxLength);
  const sum = new Float64Array(HIDDEN);
  let start = 0;
  for (let i = 0; i < k; i++) {
    const size = Math.floor(sequence.length / k) + (i < sequence.length % k ? 1 : 0);
    const piece = sequence.slice(start, start + size);
    start += size;
    const outputs = referenceForward(w, referenceIds(piece));
    for (let t = 1; t <= piece.length; t++) {
      outputs[t]?.forEach((v, d) => (sum[d] = (sum[d] ?? 0) + v));
    }
  }
  expect(start).toBe(sequence.length);
  return Array.from(sum, (v) => v / sequence.length);
}

// ---- helpers ----

const AMINO = 'ACDEFGHIKLMNPQRSTVWY';

function randomProtein(rng: () => number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) {
    s += AMINO[Math.floor(rng() * AMINO.length)] ?? 'A';
  }
  return s;
}

function rec(id: string, sequence: string): ProteinRecord {
  return { id, description: '', sequence };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    m = Math.max(m, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
  }
  return m;
}

async function embedOne(e: OnnxEmbedder, sequence: string): Promise<Float32Array> {
  const [v] = await e.embed([rec('x', sequence)]);
  if (v === undefined) {
    throw new Error('no vector');
  }
  return v;
}

const weights = makeTinyEsmWeights();
let tmp: string;
let embedder: OnnxEmbedder;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'onnx-embedder-'));
  embedder = await createOnnxEmbedder({ path: FIXTURE });
});

afterAll(async () => {
  await embedder.close();
  await rm(tmp, { recursive: true, force: true });
});

async function copyFixture(name: string): Promise<string> {
  const dir = path.join(tmp, name);
  await cp(FIXTURE, dir, { recursive: true });
  return dir;
}

describe('fixture folder', () => {
  it('is reproduced byte for byte by scripts/make-tiny-esm-onnx.ts', async () => {
    const dir = path.join(tmp, 'regenerated');
    await writeTinyEsmFolder(dir);
    const list = async (root: string) =>
      (await readdir(root, { recursive: true, withFileTypes: true }))
        .filter((d) => d.isFile())
        .map((d) => path.relative(root, path.join(d.parentPath, d.name)))
        .sort();
    const files = await list(FIXTURE);
    expect(await list(dir)).toEqual(files);
    expect(files).toContain('onnx/model.onnx');
    for (const file of files) {
      const [a, b] = await Promise.all([
        readFile(path.join(FIXTURE, file)),
        readFile(path.join(dir, file)),
      ]);
      expect(a.equals(b), file).toBe(true);
    }
  });
});

describe('OnnxEmbedder on the tiny model', () => {
  it('reports id, dim, window size and the pooled output', () => {
    expect(embedder.id).toBe('onnx:onnx-tiny');
    expect(embedder.dim).toBe(HIDDEN);
    expect(embedder.maxLength).toBe(TINY_MAX_LENGTH);
    expect(embedder.outputName).toBe('last_hidden_state');
    expect(embedder.fingerprint).toMatchObject({
      embedder: 'onnx',
      folder: 'onnx-tiny',
      modelFile: 'onnx/model.onnx',
      quantized: false,
      maxLength: TINY_MAX_LENGTH,
      output: 'last_hidden_state',
      dim: HIDDEN,
    });
    expect(embedder.fingerprint.modelSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('mean-pools over residues only, matching the graph recomputed in TypeScript', async () => {
    for (const sequence of [
      'M',
      'MKV',
      'ACDEFGHIKLMNPQRSTVWYX',
      'MKXBZUO',
      randomProtein(createRng(1), 62),
    ]) {
      const v = await embedOne(embedder, sequence);
      expect(maxAbsDiff(v, referenceEmbedding(weights, sequence)), sequence).toBeLessThan(1e-5);
    }
  });

  it('would notice pooling over <cls>/<eos> (the reference is sensitive to it)', async () => {
    const sequence = 'MKVLAAGG';
    const outputs = referenceForward(weights, referenceIds(sequence));
    const all = new Float64Array(HIDDEN);
    for (const row of outputs) {
      row.forEach((v, d) => (all[d] = (all[d] ?? 0) + v / outputs.length));
    }
    const v = await embedOne(embedder, sequence);
    expect(maxAbsDiff(v, all)).toBeGreaterThan(1e-3);
  });

  it('gives the same vector alone and padded in a batch with a longer protein', async () => {
    const rng = createRng(7);
    const short = randomProtein(rng, 9);
    const long = randomProtein(rng, 60);
    const alone = await embedOne(embedder, short);
    const [vLong, vShort] = await embedder.embed([rec('long', long), rec('short', short)]);
    expect(maxAbsDiff(vShort ?? [], alone)).toBeLessThan(1e-5);
    expect(maxAbsDiff(vLong ?? [], referenceEmbedding(weights, long))).toBeLessThan(1e-5);
  });

  it('batches by total padded tokens with the same output as one by one, in input order', async () => {
    const rng = createRng(11);
    const records = Array.from({ length: 25 }, (_, i) =>
      rec(`p${i}`, randomProtein(rng, 1 + Math.floor(rng() * 150))),
    );
    const tiny = await createOnnxEmbedder({ path: FIXTURE, maxTokensPerBatch: 70 });
    const huge = await createOnnxEmbedder({
      path: FIXTURE,
      maxTokensPerBatch: 1_000_000,
      threads: 1,
    });
    try {
      const a = await tiny.embed(records);
      const b = await huge.embed(records);
      expect(a).toHaveLength(records.length);
      for (const [i, r] of records.entries()) {
        const single = await embedOne(embedder, r.sequence);
        expect(maxAbsDiff(a[i] ?? [], single), r.id).toBeLessThan(1e-5);
        expect(maxAbsDiff(b[i] ?? [], single), r.id).toBeLessThan(1e-5);
        expect(maxAbsDiff(single, referenceEmbedding(weights, r.sequence)), r.id).toBeLessThan(
          1e-5,
        );
      }
      expect(tiny.fingerprint).toEqual(huge.fingerprint);
    } finally {
      await tiny.close();
      await huge.close();
    }
  });

  it('embeds proteins longer than the model window as residue-weighted windows', async () => {
    const long = randomProtein(createRng(3), 200); // 4 windows of 50 residues
    const v = await embedOne(embedder, long);
    expect(maxAbsDiff(v, referenceEmbedding(weights, long))).toBeLessThan(1e-5);
    // The same protein with a smaller window gives a different (still exact) answer.
    const small = await createOnnxEmbedder({ path: FIXTURE, maxLength: 20 });
    try {
      const w = await embedOne(small, long);
      expect(maxAbsDiff(w, referenceEmbedding(weights, long, 20))).toBeLessThan(1e-5);
      expect(maxAbsDiff(w, v)).toBeGreaterThan(1e-4);
      expect(small.fingerprint.maxLength).toBe(20);
      expect(small.fingerprint).not.toEqual(embedder.fingerprint);
    } finally {
      await small.close();
    }
  });

  it('rejects an empty sequence with the record id', async () => {
    await expect(embedder.embed([rec('ok', 'MK'), rec('empty', '')])).rejects.toMatchObject({
      code: 'BAD_INPUT',
      reason: 'onnx.empty-sequence',
      location: { recordId: 'empty' },
    });
  });

  it('returns nothing for no records', async () => {
    expect(await embedder.embed([])).toEqual([]);
  });
});

describe('cancellation and close', () => {
  it('honours an AbortSignal before and between batches', async () => {
    const rng = createRng(5);
    const records = Array.from({ length: 40 }, (_, i) => rec(`p${i}`, randomProtein(rng, 60)));
    const e = await createOnnxEmbedder({ path: FIXTURE, maxTokensPerBatch: 64 });
    try {
      const before = new AbortController();
      before.abort();
      await expect(e.embed(records, { signal: before.signal })).rejects.toMatchObject({
        code: 'CANCELLED',
      });
      const during = new AbortController();
      const pending = e.embed(records, { signal: during.signal });
      during.abort(); // after the first batch has started
      await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    } finally {
      await e.close();
    }
  });

  it('close() is idempotent and later use is an error', async () => {
    const e = await createOnnxEmbedder({ path: FIXTURE });
    await e.close();
    await e.close();
    await expect(e.embed([rec('a', 'MK')])).rejects.toMatchObject({ reason: 'onnx.closed' });
  });
});

describe('model variants', () => {
  it('quantized: loads onnx/model_quantized.onnx, matching its dequantized weights', async () => {
    const q = await createOnnxEmbedder({ path: FIXTURE, quantized: true });
    try {
      expect(q.modelPath).toBe(path.join(FIXTURE, 'onnx/model_quantized.onnx'));
      expect(q.fingerprint).toMatchObject({
        quantized: true,
        modelFile: 'onnx/model_quantized.onnx',
      });
      expect(q.fingerprint.modelSha256).not.toBe(embedder.fingerprint.modelSha256);
      const sequence = randomProtein(createRng(9), 90);
      const v = await embedOne(q, sequence);
      // Not exact: onnxruntime fuses DequantizeLinear + MatMul into integer kernels that also quantise the
      // activations, as it does for real int8 exports.
      expect(maxAbsDiff(v, referenceEmbedding(dequantizedWeights(weights), sequence))).toBeLessThan(
        5e-3,
      );
      expect(maxAbsDiff(v, referenceEmbedding(weights, sequence))).toBeLessThan(0.05);
    } finally {
      await q.close();
    }
  });

  it('a logits-only export (like Xenova fill-mask) is pooled from logits, width vocab_size', async () => {
    const dir = path.join(tmp, 'logits-only');
    await writeTinyEsmFolder(dir, { variant: 'logits-only' });
    const e = await createOnnxEmbedder({ path: dir });
    try {
      expect(e.outputName).toBe('logits');
      expect(e.dim).toBe(TINY_ESM.vocabSize);
      expect(e.fingerprint.output).toBe('logits');
      const v = await embedOne(e, 'MKVLA');
      // logits = tanh(...) · wLogits, so their residue mean is the hidden mean times wLogits.
      const hidden = referenceEmbedding(weights, 'MKVLA');
      const expected = Array.from({ length: TINY_ESM.vocabSize }, (_, j) =>
        hidden.reduce((s, h, i) => s + h * (weights.wLogits[i * TINY_ESM.vocabSize + j] ?? NaN), 0),
      );
      expect(maxAbsDiff(v, expected)).toBeLessThan(1e-5);
      await expect(
        createOnnxEmbedder({ path: dir, output: 'last_hidden_state' }),
      ).rejects.toMatchObject({
        code: 'CONFIG',
        reason: 'onnx.model-outputs',
      });
    } finally {
      await e.close();
    }
  });

  it('the fingerprint follows the model bytes, not the folder location', async () => {
    const same = await createOnnxEmbedder({ path: await copyFixture('copy/onnx-tiny') });
    const otherDir = path.join(tmp, 'reseeded/onnx-tiny');
    await writeTinyEsmFolder(otherDir, { seed: 99 });
    const other = await createOnnxEmbedder({ path: otherDir });
    try {
      expect(same.fingerprint).toEqual(embedder.fingerprint);
      expect(other.fingerprint.modelSha256).not.toBe(embedder.fingerprint.modelSha256);
      expect(other.id).toBe(embedder.id);
    } finally {
      await same.close();
      await other.close();
    }
  });

  it('is reachable through the embedder registry as "onnx"', async () => {
    const registry = new EmbedderRegistry().register(onnxEmbedderFactory);
    const e = await registry.create('onnx', { path: FIXTURE });
    try {
      expect(e.dim).toBe(HIDDEN);
    } finally {
      await e.close();
    }
  });
});

describe('errors', () => {
  async function failure(options: Record<string, unknown>): Promise<ArginatorError> {
    try {
      const e = await createOnnxEmbedder(options);
      await e.close();
    } catch (err) {
      if (err instanceof ArginatorError) {
        return err;
      }
      throw err;
    }
    throw new Error('expected an ArginatorError');
  }

  it('missing path is a USAGE error that names the flag', async () => {
    const err = await failure({});
    expect(err).toMatchObject({ code: 'USAGE', reason: 'onnx.path-missing' });
    expect(err.hint).toContain('--embedder-path');
  });

  it('bad option values and unknown options are USAGE errors', async () => {
    expect(await failure({ path: FIXTURE, maxTokensPerBatch: 0 })).toMatchObject({
      code: 'USAGE',
      reason: 'onnx.options',
    });
    expect(await failure({ path: FIXTURE, quantised: true })).toMatchObject({
      reason: 'onnx.options',
    });
    expect(await failure({ path: FIXTURE, threads: 1.5 })).toMatchObject({
      reason: 'onnx.options',
    });
  });

  it('a missing folder says where it looked and how to get a model', async () => {
    const missing = path.join(tmp, 'nowhere');
    const err = await failure({ path: missing });
    expect(err).toMatchObject({ code: 'CONFIG', reason: 'onnx.folder-missing' });
    expect(err.message).toContain(missing);
    expect(err.hint).toContain('huggingface-cli download Xenova/esm2_t6_8M_UR50D');
  });

  it('config.json missing, not JSON, or not ESM', async () => {
    const dir = await copyFixture('bad-config');
    await rm(path.join(dir, 'config.json'));
    expect(await failure({ path: dir })).toMatchObject({ reason: 'onnx.config-missing' });
    await writeFile(path.join(dir, 'config.json'), '{not json');
    expect(await failure({ path: dir })).toMatchObject({ reason: 'onnx.config-invalid' });
    await writeFile(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'esm' }));
    expect(await failure({ path: dir })).toMatchObject({ reason: 'onnx.config-invalid' });
    await writeFile(
      path.join(dir, 'config.json'),
      JSON.stringify({ model_type: 'bert', hidden_size: 16 }),
    );
    expect(await failure({ path: dir })).toMatchObject({ reason: 'onnx.config-model-type' });
  });

  it('a missing model file names the exact path expected', async () => {
    const dir = await copyFixture('no-model');
    await rm(path.join(dir, 'onnx'), { recursive: true });
    const err = await failure({ path: dir });
    expect(err).toMatchObject({ code: 'CONFIG', reason: 'onnx.model-missing' });
    expect(err.message).toContain(path.join(dir, 'onnx', 'model.onnx'));
    const q = await failure({ path: dir, quantized: true });
    expect(q.message).toContain(path.join(dir, 'onnx', 'model_quantized.onnx'));
  });

  it('a git-lfs pointer instead of the model is recognised', async () => {
    const dir = await copyFixture('lfs-pointer');
    await writeFile(
      path.join(dir, 'onnx/model.onnx'),
      'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 31000000\n',
    );
    const err = await failure({ path: dir });
    expect(err).toMatchObject({ reason: 'onnx.model-lfs-pointer' });
    expect(err.hint).toContain('git lfs pull');
  });

  it('a file that is not ONNX is a CONFIG error', async () => {
    const dir = await copyFixture('garbage');
    await writeFile(path.join(dir, 'onnx/model.onnx'), Buffer.alloc(4096, 7));
    expect(await failure({ path: dir })).toMatchObject({
      code: 'CONFIG',
      reason: 'onnx.model-load',
    });
  });

  it('a model without input_ids/attention_mask is rejected with the names it has', async () => {
    const dir = await copyFixture('wrong-inputs');
    const FLOAT = 1;
    await writeFile(
      path.join(dir, 'onnx/model.onnx'),
      encodeOnnxModel({
        name: 'identity',
        nodes: [{ opType: 'Identity', input: ['x'], output: ['y'], name: 'id' }],
        initializers: [],
        inputs: [tensorValueInfo('x', FLOAT, ['n', 4])],
        outputs: [tensorValueInfo('y', FLOAT, ['n', 4])],
      }),
    );
    const err = await failure({ path: dir });
    expect(err).toMatchObject({ code: 'CONFIG', reason: 'onnx.model-inputs' });
    expect(err.message).toContain('[x]');
  });

  it('config.json hidden_size must match the model output width', async () => {
    const dir = await copyFixture('wrong-hidden');
    const config = JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    await writeFile(path.join(dir, 'config.json'), JSON.stringify({ ...config, hidden_size: 320 }));
    expect(await failure({ path: dir })).toMatchObject({ reason: 'onnx.hidden-size' });
  });

  it('maxLength above the model limit is refused', async () => {
    expect(await failure({ path: FIXTURE, maxLength: 63 })).toMatchObject({
      code: 'CONFIG',
      reason: 'onnx.max-length',
    });
  });
});

describe('planning helpers', () => {
  it('splitIntoWindows makes near-equal consecutive windows', () => {
    expect(splitIntoWindows(10, 62)).toEqual([[0, 10]]);
    expect(splitIntoWindows(62, 62)).toEqual([[0, 62]]);
    expect(splitIntoWindows(63, 62)).toEqual([
      [0, 32],
      [32, 63],
    ]);
    expect(splitIntoWindows(2500, 1022)).toEqual([
      [0, 834],
      [834, 1667],
      [1667, 2500],
    ]);
  });

  it('planBatches keeps each batch within the padded-token budget, longest first', () => {
    const lengths = [10, 64, 30, 31, 12, 64, 5];
    const batches = planBatches(lengths, 128);
    expect(batches.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (const b of batches) {
      const longest = Math.max(...b.map((i) => lengths[i] ?? 0));
      expect(b.length === 1 || b.length * longest <= 128).toBe(true);
    }
    expect(batches[0]).toEqual([1, 5]);
    expect(planBatches([500, 3], 100)).toEqual([[0], [1]]);
    expect(planBatches([3, 3, 3], 100, 1)).toEqual([[0], [1], [2]]);
  });
});
