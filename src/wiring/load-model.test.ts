import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { builtinEmbedderFactory } from '../core/embed/builtin-embedder.ts';
import { stackRows } from '../core/embed/embedder.ts';
import { jsKernels } from '../core/model/kernels.ts';
import { randomModelArtifact } from '../core/model/test-support/random-model.ts';
import { createRng } from '../core/rng.ts';
import { DEFAULT_SHAPES } from '../core/sequence/seed-index.ts';
import { FsModelRegistry } from '../store/fs-model-registry.ts';
import { loadPredictionModel } from './load-model.ts';

const AA = 'ACDEFGHIKLMNPQRSTVWY';

function protein(rng: () => number, length: number): string {
  return Array.from({ length }, () => AA[Math.floor(rng() * AA.length)] ?? 'A').join('');
}

describe('loadPredictionModel: caches of a model', () => {
  it('caches the reference embeddings and seed postings on the first load and predicts the same from them', async () => {
    const home = mkdtempSync(join(tmpdir(), 'arginator-load-'));
    const modelsDir = join(home, 'models');
    await mkdir(modelsDir);
    const embedder = await builtinEmbedderFactory.create({});
    const rng = createRng(21);
    const refs = Array.from({ length: 40 }, () => protein(rng, 80 + Math.floor(rng() * 60)));
    const file = join(modelsDir, 'm.argm');
    writeFileSync(
      file,
      randomModelArtifact({
        embedder,
        labels: ['A', 'B', 'C', 'D', 'NBL'],
        references: {
          ids: refs.map((_, i) => `ref${i}`),
          labels: refs.map((_, i) => i % 5),
          sequences: refs,
        },
        homology: { candidates: 1, seedCandidates: 3, seedShapes: DEFAULT_SHAPES },
      }),
    );
    const queries = refs.slice(0, 8).map((r) => `${r.slice(0, 30)}W${r.slice(31)}`);
    const predictAll = async (prepare: boolean) => {
      const model = await loadPredictionModel(file, new FsModelRegistry(modelsDir), jsKernels, {
        prepare,
      });
      const vectors = await model.embedder.embed(
        queries.map((sequence, i) => ({ id: `q${i}`, description: '', sequence })),
      );
      const out = model.predictor.predict(queries, stackRows(vectors, model.embedder.dim));
      await model.embedder.close();
      return out;
    };
    const first = await predictAll(false); // lazy: prepared by the first predict()
    // The postings are written in the background once built; wait for the file.
    const cache = join(home, 'cache');
    const postingsFiles = () =>
      existsSync(join(cache, 'seed-postings'))
        ? readdirSync(join(cache, 'seed-postings')).filter((f) => f.endsWith('.bin'))
        : [];
    for (let i = 0; i < 200 && postingsFiles().length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(readdirSync(join(cache, 'reference-embeddings'))).toHaveLength(1);
    expect(
      readdirSync(join(cache, 'seed-postings')).filter((f) => f.endsWith('.bin')),
    ).toHaveLength(1);
    expect(first.map((p) => p.nearest?.id)).toEqual(refs.slice(0, 8).map((_, i) => `ref${i}`));
    // From the caches: the same calls.
    expect(await predictAll(true)).toEqual(first);
    await embedder.close();
  });
});
