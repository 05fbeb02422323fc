import { describe, expect, it } from 'vitest';

import { builtinEmbedderFactory } from '../core/embed/builtin-embedder.ts';
import type { Embedder } from '../core/embed/embedder.ts';
import { stackRows } from '../core/embed/embedder.ts';
import type { ArginatorError } from '../core/errors.ts';
import { decodeArtifact } from '../core/model/artifact.ts';
import { jsKernels } from '../core/model/kernels.ts';
import { createPredictor } from '../core/model/predictor.ts';
import { randomModelArtifact } from '../core/model/test-support/random-model.ts';
import { createRng } from '../core/rng.ts';
import type { ProteinRecord } from '../core/sequence/protein-record.ts';
import type { PredictedBatch, PredictedProtein, PredictionModel } from './predict.ts';
import { predictAll } from './predict.ts';
import type { PredictionTableSink } from './classify-file.ts';
import { classifyFile } from './classify-file.ts';

const AA = 'ACDEFGHIKLMNPQRSTVWY';
const LABELS = ['A', 'B', 'C', 'D', 'NBL'];

function protein(rng: () => number, length: number): string {
  return Array.from({ length }, () => AA[Math.floor(rng() * AA.length)] ?? 'A').join('');
}

function records(n: number, seed = 5): ProteinRecord[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: `q${i}`,
    description: '',
    sequence: protein(rng, 30 + (i % 50)),
  }));
}

async function* stream<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) {
    await Promise.resolve();
    yield item;
  }
}

/** A small real model (random MLP, 10 references); `embeds` counts the proteins it embedded. */
async function tinyModel(): Promise<{ model: PredictionModel; embeds: { n: number } }> {
  const base = await builtinEmbedderFactory.create({});
  const embeds = { n: 0 };
  const embedder: Embedder = {
    ...base,
    embed: (rs, options) => {
      embeds.n += rs.length;
      return base.embed(rs, options);
    },
    close: () => base.close(),
  };
  const rng = createRng(3);
  const refs = Array.from({ length: 10 }, () => protein(rng, 40));
  const artifact = randomModelArtifact({
    embedder: base,
    labels: LABELS,
    references: {
      ids: refs.map((_, i) => `ref${i}`),
      labels: refs.map((_, i) => i % 5),
      sequences: refs,
    },
    temperature: 1.5,
  });
  const refVectors = await base.embed(
    refs.map((sequence, i) => ({ id: `ref${i}`, description: '', sequence })),
  );
  return {
    model: {
      version: 'v-test',
      embedder,
      predictor: createPredictor(
        decodeArtifact(artifact),
        jsKernels,
        stackRows(refVectors, base.dim),
      ),
    },
    embeds,
  };
}

/** Collects rows in memory and records how the run ended. */
function memoryTables(): PredictionTableSink & {
  rows: PredictedProtein[];
  ended: 'open' | 'committed' | 'discarded';
} {
  const sink = {
    rows: [] as PredictedProtein[],
    ended: 'open' as 'open' | 'committed' | 'discarded',
    write(proteins: readonly PredictedProtein[]) {
      sink.rows.push(...proteins);
    },
    commit() {
      sink.ended = 'committed';
      return Promise.resolve();
    },
    discard() {
      sink.ended = 'discarded';
      return Promise.resolve();
    },
  };
  return sink;
}

describe('classifyFile', () => {
  it('writes every protein in input order, commits, and counts labels and novelty', async () => {
    const { model } = await tinyModel();
    const input = records(300);
    const tables = memoryTables();
    const progress: number[] = [];
    const summary = await classifyFile(
      { kind: 'fasta', records: stream(input) },
      { model, tables, batchSize: 128, onProgress: (n) => progress.push(n) },
    );
    expect(tables.ended).toBe('committed');
    expect(tables.rows.map((r) => r.id)).toEqual(input.map((r) => r.id));
    // The same calls as the streaming predictor gives them.
    const alone = await predictAll(input, { model });
    expect(tables.rows).toEqual(alone);
    expect(progress).toEqual([128, 256, 300]);
    expect(summary.proteins).toBe(300);
    expect(Object.keys(summary.counts)).toEqual(LABELS);
    const counted: Record<string, number> = Object.fromEntries(LABELS.map((l) => [l, 0]));
    for (const r of alone) {
      counted[r.prediction.label] = (counted[r.prediction.label] ?? 0) + 1;
    }
    expect(summary.counts).toEqual(counted);
    expect(Object.values(summary.novelty).reduce((a, b) => a + b, 0)).toBe(300);
  });

  it('embeds each protein once and hands the same vectors to the embedding sink', async () => {
    const { model, embeds } = await tinyModel();
    const input = records(200);
    const batches: PredictedBatch[] = [];
    await classifyFile(
      { kind: 'fasta', records: stream(input) },
      { model, tables: memoryTables(), embeddings: { add: (b) => void batches.push(b) } },
    );
    expect(embeds.n).toBe(200);
    expect(batches.flatMap((b) => b.proteins.map((p) => p.id))).toEqual(input.map((r) => r.id));
    const dim = model.embedder.dim;
    const expected = stackRows(await model.embedder.embed(input), dim);
    const handed = new Float32Array(200 * dim);
    let offset = 0;
    for (const b of batches) {
      expect(b.embeddings.length).toBe(b.proteins.length * dim);
      handed.set(b.embeddings, offset);
      offset += b.embeddings.length;
    }
    expect(handed).toEqual(expected);
  });

  it('classifies precomputed embeddings (HDF5 input) with the vectors handed on', async () => {
    const { model, embeds } = await tinyModel();
    const input = records(20);
    const vectors = await model.embedder.embed(input);
    embeds.n = 0;
    const tables = memoryTables();
    const batches: PredictedBatch[] = [];
    const summary = await classifyFile(
      {
        kind: 'hdf5',
        embeddings: stream(input.map((r, i) => ({ id: r.id, vector: vectors[i] as Float32Array }))),
        source: 'x.h5',
      },
      { model, tables, embeddings: { add: (b) => void batches.push(b) } },
    );
    expect(embeds.n).toBe(0);
    expect(summary.proteins).toBe(20);
    expect(tables.rows.map((r) => r.id)).toEqual(input.map((r) => r.id));
    expect(batches[0]?.embeddings).toEqual(stackRows(vectors, model.embedder.dim));
  });

  it('discards the tables and rethrows when the input fails part-way', async () => {
    const { model } = await tinyModel();
    async function* broken(): AsyncGenerator<ProteinRecord> {
      yield* stream(records(300));
      throw new Error('the disk went away');
    }
    const tables = memoryTables();
    await expect(
      classifyFile({ kind: 'fasta', records: broken() }, { model, tables }),
    ).rejects.toThrow('the disk went away');
    expect(tables.ended).toBe('discarded');
  });

  it('stops on cancellation with a CANCELLED error and discards the tables', async () => {
    const { model } = await tinyModel();
    const controller = new AbortController();
    const tables = memoryTables();
    const run = classifyFile(
      { kind: 'fasta', records: stream(records(2000)) },
      {
        model,
        tables,
        signal: controller.signal,
        batchSize: 64,
        onProgress: (n) => n >= 128 && controller.abort(),
      },
    );
    await expect(run).rejects.toMatchObject({
      code: 'CANCELLED',
    } satisfies Partial<ArginatorError>);
    expect(tables.ended).toBe('discarded');
    expect(tables.rows.length).toBeLessThan(2000);
  });
});
