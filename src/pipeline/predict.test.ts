import { describe, expect, it } from 'vitest';

import { builtinEmbedderFactory } from '../core/embed/builtin-embedder.ts';
import type { ModelHeaderBody } from '../core/model/artifact.ts';
import { decodeArtifact, encodeArtifact } from '../core/model/artifact.ts';
import { jsKernels } from '../core/model/kernels.ts';
import { initMlp } from '../core/model/mlp.ts';
import { createPredictor } from '../core/model/predictor.ts';
import { createRng } from '../core/rng.ts';
import type { ProteinRecord } from '../core/sequence/protein-record.ts';
import type { PredictionModel } from './predict.ts';
import { predict, predictAll } from './predict.ts';

const AA = 'ACDEFGHIKLMNPQRSTVWY';
const LABELS = ['A', 'B', 'C', 'D', 'NBL'];

function protein(rng: () => number, length: number): string {
  return Array.from({ length }, () => AA[Math.floor(rng() * AA.length)] ?? 'A').join('');
}

/** A small but real model: random MLP weights, identity standardisation, 10 references. */
async function tinyModel(): Promise<PredictionModel> {
  const embedder = await builtinEmbedderFactory.create({});
  const rng = createRng(3);
  const dim = embedder.dim;
  const params = initMlp({ inputDim: dim, hidden: [8], outputDim: 5, dropout: 0 }, rng);
  const refs = Array.from({ length: 10 }, () => protein(rng, 40));
  const body: ModelHeaderBody = {
    packageVersion: 'test',
    createdAt: '2026-11-26T00:00:00.000Z',
    task: 'multiclass',
    labels: LABELS,
    embedder: {
      name: 'builtin',
      id: embedder.id,
      dim,
      fingerprint: embedder.fingerprint,
      options: {},
    },
    architecture: { kind: 'mlp', inputDim: dim, hidden: [8], outputDim: 5, dropout: 0 },
    normalisation: { kind: 'standardise' },
    homology: {
      candidates: 1,
      alpha: 4,
      references: {
        ids: refs.map((_, i) => `ref${i}`),
        labels: refs.map((_, i) => i % 5),
        sequences: refs,
      },
    },
    calibration: { temperature: 1.5 },
    training: {},
  };
  const artifact = encodeArtifact(
    body,
    new Map([
      ['mlp.params', params.data],
      ['norm.mean', new Float32Array(dim)],
      ['norm.std', new Float32Array(dim).fill(1)],
    ]),
  );
  const refVectors = await embedder.embed(
    refs.map((sequence, i) => ({ id: `ref${i}`, description: '', sequence })),
  );
  const refEmbeddings = new Float32Array(refs.length * dim);
  refVectors.forEach((v, i) => refEmbeddings.set(v, i * dim));
  return {
    version: 'v-test',
    embedder,
    predictor: createPredictor(decodeArtifact(artifact), jsKernels, refEmbeddings),
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
      expect(prediction.nearest?.id).toMatch(/^ref\d$/);
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
      // Bounded memory by construction: the reader is never more than one batch ahead of the output.
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
    expect(maxAhead).toBeLessThanOrEqual(256);
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
