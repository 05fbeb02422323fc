// Test helper shared by the wiring, cli and server tests: a home with two different tiny models and a gate benchmark.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { jsKernels } from '../../core/model/kernels.ts';
import { createRng } from '../../core/rng.ts';
import { predictAll } from '../../pipeline/predict.ts';
import { FsModelRegistry } from '../../store/fs-model-registry.ts';
import { loadPredictionModel } from '../load-model.ts';
import { randomProtein, registerTinyModel } from './tiny-model.ts';

/**
 * A home with two different tiny models (v1, v2) and a benchmark FASTA + split whose test labels
 * are v1's own calls: v1 scores F1 1 on it, v2 lower (its random weights call otherwise).
 */
export async function gateHome(): Promise<{
  home: string;
  catalog: FsModelRegistry;
  split: string;
  dataset: string;
}> {
  const home = await mkdtemp(join(tmpdir(), 'arginator-gate-'));
  await registerTinyModel(home, 'multiclass', { seed: 1 });
  await registerTinyModel(home, 'multiclass', { seed: 2 });
  const catalog = new FsModelRegistry(join(home, 'models'));
  const rng = createRng(11);
  const records = Array.from({ length: 40 }, (_, i) => ({
    id: `p${i}`,
    description: '',
    sequence: randomProtein(rng, 80),
  }));
  const v1 = await loadPredictionModel('v1', catalog, jsKernels, { threads: 1 });
  const calls = (await predictAll(records, { model: v1 })).map((p) => p.prediction.label);
  await v1.embedder.close();
  const dataset = join(home, 'bench.fasta');
  await writeFile(
    dataset,
    records.map((r, i) => `>${r.id}|${calls[i] ?? ''}\n${r.sequence}\n`).join(''),
  );
  const split = join(home, 'split.json');
  // Train/val ids are not read; the test list is (p0..p29, and one id not in the dataset).
  await writeFile(
    split,
    JSON.stringify({
      train: [],
      val: [],
      test: [...records.slice(0, 30).map((r) => r.id), 'gone'],
    }),
  );
  return { home, catalog, split, dataset };
}
