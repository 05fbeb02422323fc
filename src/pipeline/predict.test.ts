import { describe, expect, it } from 'vitest';

import { builtinEmbedderFactory } from '../core/embed/builtin-embedder.ts';
import { stackRows } from '../core/embed/embedder.ts';
import { jsKernels } from '../core/model/kernels.ts';
import { decodeArtifact } from '../core/model/artifact.ts';
import { createPredictor } from '../core/model/predictor.ts';
import { randomModelArtifact } from '../core/model/test-support/random-model.ts';
import type { ArginatorError } from '../core/errors.ts';
import type { Prediction } from '../core/model/predictor.ts';
import { createRng } from '../core/rng.ts';
import type { ProteinRecord } from '../core/sequence/protein-record.ts';
import type { PredictionModel } from './predict.ts';
import { predict, predictAll, predictEmbeddings } from './predict.ts';

const AA = 'ACDEFGHIKLMNPQRSTVWY';
const LABELS = ['A', 'B', 'C', 'D', 'NBL'];

function protein(rng: () => number, length: number): string {
  return Array.from({ length }, () => AA[Math.floor(rng() * AA.length)] ?? 'A').join('');
}

/** A small but real model: random MLP weights, identity standardisation, 10 references (or none). */
async function tinyModel(options: { references?: boolean } = {}): Promise<PredictionModel> {
  const embedder = await builtinEmbedderFactory.create({});
  const rng = createRng(3);
  const dim = embedder.dim;
  const refs = Array.from({ length: 10 }, () => protein(rng, 40));
  const artifact = randomModelArtifact({
    embedder,
    labels: LABELS,
    ...(options.references === false
      ? {}
      : {
          references: {
            ids: refs.map((_, i) => `ref${i}`),
            labels: refs.map((_, i) => i % 5),
            sequences: refs,
          },
        }),
    temperature: 1.5,
  });
  const refVectors = await embedder.embed(
    refs.map((sequence, i) => ({ id: `ref${i}`, description: '', sequence })),
  );
  const refEmbeddings = stackRows(refVectors, dim);
  return {
    version: 'v-test',
    embedder,
    predictor: createPredictor(
      decodeArtifact(artifact),
      jsKernels,
      options.references === false ? undefined : refEmbeddings,
    ),
  };
}

describe('predict (library)', () => {
  it('predicts every record in order with normalised probabilities and evidence', async () => {
    const model = await tinyModel();
    const rng = createRng(9);
    const records: ProteinRecord[] = Array.from({ length: 600 }, (_, i) => ({
      id: `q${i}`,
      description: '',
      sequence: protein(rng, 30 + (i % 50)),
    }));
    const results = await predictAll(records, { model, batchSize: 128 });
    expect(results.map((r) => r.id)).toEqual(records.map((r) => r.id));
    for (const { prediction } of results) {
      const sum = Array.from(prediction.probabilities).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 5);
      expect(LABELS).toContain(prediction.label);
      // Random proteins against random references: a nearest reference only with a significant
      // alignment, else none and the call rests on the classifier.
      if (prediction.nearest === undefined) {
        expect(['NONE', 'MODEL']).toContain(prediction.method);
      } else {
        expect(prediction.nearest.id).toMatch(/^ref\d$/);
        expect(prediction.nearest.evalue).toBeLessThanOrEqual(1e-3);
      }
      expect(prediction.probBetalactamase).toBeCloseTo(1 - (prediction.probabilities[4] ?? 0), 6);
    }
    // A reference itself is its own nearest reference, at 100% identity.
    const [self] = await predictAll(
      [
        {
          id: 'r',
          description: '',
          sequence: model.predictor.header.homology?.references.sequences[3] ?? '',
        },
      ],
      {
        model,
      },
    );
    expect(self?.prediction.nearest).toMatchObject({ id: 'ref3', identity: 1, coverage: 1 });
    expect(self?.prediction.novelty).toBe('known');
  });

  it('gives the same calls whether the references are prepared up front, by the pipeline or on first use', async () => {
    const rng = createRng(11);
    const records: ProteinRecord[] = Array.from({ length: 300 }, (_, i) => ({
      id: `q${i}`,
      description: '',
      sequence: protein(rng, 30 + (i % 40)),
    }));
    const eager = await tinyModel();
    eager.predictor.prepare();
    eager.predictor.prepare(); // idempotent
    const expected = await predictAll(records, { model: eager, batchSize: 64 });
    // Unprepared: the pipeline prepares before its first batch.
    const viaPipeline = await predictAll(records, { model: await tinyModel(), batchSize: 64 });
    expect(viaPipeline).toEqual(expected);
    // Unprepared, called directly: the first predict() prepares.
    const direct = await tinyModel();
    const embeddings = stackRows(await direct.embedder.embed(records), direct.embedder.dim);
    const calls = direct.predictor.predict(
      records.map((r) => r.sequence),
      embeddings,
    );
    expect(calls).toEqual(expected.map((r) => r.prediction));
  });

  it('streams: memory stays flat while 40,000 proteins go through', async () => {
    const model = await tinyModel();
    const rng = createRng(11);
    let produced = 0;
    async function* generate(n: number): AsyncGenerator<ProteinRecord> {
      for (let i = 0; i < n; i++) {
        produced++;
        await Promise.resolve();
        yield { id: `p${i}`, description: '', sequence: protein(rng, 60) };
      }
    }
    let count = 0;
    let maxAhead = 0;
    let heapAt5k = 0;
    let maxHeap = 0;
    for await (const r of predict(generate(40_000), { model, batchSize: 256 })) {
      count++;
      // Bounded memory by construction: the reader is at most two batches ahead of the output (one being
      // embedded while the previous one is aligned).
      maxAhead = Math.max(maxAhead, produced - count);
      expect(r.id).toBe(`p${count - 1}`);
      if (count % 1000 === 0) {
        const heap = process.memoryUsage().heapUsed;
        if (count === 5000) {
          heapAt5k = heap;
        }
        maxHeap = Math.max(maxHeap, heap);
      }
    }
    expect(count).toBe(40_000);
    expect(maxAhead).toBeLessThanOrEqual(2 * 256);
    // Results are not retained: growth after the first 5,000 stays far below what 35,000 kept rows would take.
    expect(maxHeap - heapAt5k).toBeLessThan(40 * 1024 * 1024);
  });

  it('stops with CANCELLED when the signal aborts', async () => {
    const model = await tinyModel();
    const controller = new AbortController();
    const records = Array.from({ length: 1000 }, (_, i) => ({
      id: `c${i}`,
      description: '',
      sequence: 'MKVLAAGIT',
    }));
    const run = async (): Promise<number> => {
      let n = 0;
      for await (const result of predict(records, {
        model,
        signal: controller.signal,
        batchSize: 100,
      })) {
        expect(result.id).toBe(`c${n}`);
        n++;
        if (n === 150) {
          controller.abort();
        }
      }
      return n;
    };
    await expect(run()).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe('predictEmbeddings (library): embeddings without sequences', () => {
  const records = (n: number, seed: number): ProteinRecord[] => {
    const rng = createRng(seed);
    return Array.from({ length: n }, (_, i) => ({
      id: `e${i}`,
      description: '',
      sequence: protein(rng, 40 + (i % 30)),
    }));
  };
  const embedded = async (model: PredictionModel, rs: readonly ProteinRecord[]) =>
    (await model.embedder.embed(rs)).map((vector, i) => ({ id: rs[i]?.id ?? '', vector }));
  const collect = async (it: AsyncIterable<{ id: string; prediction: Prediction }>) => {
    const out: { id: string; prediction: Prediction }[] = [];
    for await (const p of it) {
      out.push(p);
    }
    return out;
  };

  it("is the FASTA path's call when the model has no homology evidence", async () => {
    const model = await tinyModel({ references: false });
    const rs = records(300, 5);
    const fromFasta = await predictAll(rs, { model, batchSize: 64 });
    const fromVectors = await collect(
      predictEmbeddings(await embedded(model, rs), { model, batchSize: 100 }),
    );
    expect(fromVectors.map((p) => p.id)).toEqual(rs.map((r) => r.id));
    fromVectors.forEach(({ prediction }, i) => {
      const other = fromFasta[i]?.prediction;
      expect(prediction.label).toBe(other?.label);
      expect(Array.from(prediction.probabilities)).toEqual(Array.from(other?.probabilities ?? []));
      expect(prediction.nearest).toBeUndefined();
    });
  });

  it('gives the cosine-nearest reference without identity and coverage, and novelty by cosine', async () => {
    const model = await tinyModel();
    const rs = records(50, 6);
    const refs = model.predictor.header.homology?.references.sequences ?? [];
    const self = { id: 'self', description: '', sequence: refs[3] ?? '' };
    const out = await collect(predictEmbeddings(await embedded(model, [...rs, self]), { model }));
    expect(out).toHaveLength(51);
    for (const { prediction } of out) {
      const sum = Array.from(prediction.probabilities).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 5);
      expect(prediction.nearest?.id).toMatch(/^ref\d$/);
      expect(prediction.nearest?.identity).toBeUndefined();
      expect(prediction.nearest?.coverage).toBeUndefined();
      expect(prediction.nearest?.cosine).toBeGreaterThan(0);
      expect(prediction.nearest?.cosine).toBeLessThanOrEqual(1 + 1e-5);
    }
    // A reference's own vector: itself, at cosine 1, known.
    expect(out[50]?.prediction.nearest).toMatchObject({ id: 'ref3', label: 'D' });
    expect(out[50]?.prediction.nearest?.cosine).toBeCloseTo(1, 5);
    expect(out[50]?.prediction.novelty).toBe('known');
  });

  it('refuses vectors of another dimension, naming both and the fix', async () => {
    const model = await tinyModel();
    const dim = model.embedder.dim;
    const run = collect(
      predictEmbeddings([{ id: 'p1', vector: new Float32Array(dim + 1) }], {
        model,
        source: 'x.h5',
      }),
    );
    await expect(run).rejects.toMatchObject({
      code: 'BAD_INPUT',
      reason: 'predict.dimension-mismatch',
    });
    const message = await run.catch((e: unknown) => (e as ArginatorError).oneLine());
    expect(message).toContain(`has ${dim + 1} values`);
    expect(message).toContain(`gives ${dim}`);
    expect(message).toContain("'arginator embed IN.faa --out X.h5 --embedder builtin'");
  });
});
