import { describe, expect, it } from 'vitest';

import { BUILTIN_DIM, embedSequence } from '../core/embed/builtin-embedder.ts';
import type { DenseDataset } from '../core/model/dataset.ts';
import { jsKernels } from '../core/model/kernels.ts';
import { createRng } from '../core/rng.ts';
import { outOfFoldCalibration } from './calibration-stage.ts';
import { evidenceAgainst } from './homology-stage.ts';

const AMINO = 'ACDEFGHIKLMNPQRSTVWY';

/** Families of near-identical proteins (3% point changes of one random ancestor), unrelated to each other. */
function familyData(familiesPerClass: readonly number[], members: number) {
  const rng = createRng(5);
  const sequences: string[] = [];
  const y: number[] = [];
  const groups: number[] = [];
  let family = 0;
  familiesPerClass.forEach((count, label) => {
    for (let f = 0; f < count; f++, family++) {
      const ancestor = Array.from({ length: 140 }, () => AMINO[Math.floor(rng() * 20)] ?? 'A');
      for (let m = 0; m < members; m++) {
        sequences.push(
          ancestor.map((a) => (rng() < 0.03 ? (AMINO[Math.floor(rng() * 20)] ?? 'A') : a)).join(''),
        );
        y.push(label);
        groups.push(family);
      }
    }
  });
  const n = sequences.length;
  const all: DenseDataset = {
    x: new Float32Array(n * BUILTIN_DIM),
    y: Int32Array.from(y),
    n,
    dim: BUILTIN_DIM,
  };
  sequences.forEach((s, i) =>
    embedSequence(s, all.x.subarray(i * BUILTIN_DIM, (i + 1) * BUILTIN_DIM)),
  );
  return { all, sequences, groups: Int32Array.from(groups), n };
}

function run(data: ReturnType<typeof familyData>, k: number) {
  const settings = {
    all: data.all,
    sequences: data.sequences,
    classes: k,
    candidates: 2,
    seedCandidates: 0,
    kernels: jsKernels,
  };
  return outOfFoldCalibration({
    all: data.all,
    pool: Array.from({ length: data.n }, (_, i) => i),
    groups: data.groups,
    spec: { inputDim: BUILTIN_DIM, hidden: [8], outputDim: k, dropout: 0 },
    training: {
      epochs: 2,
      batchSize: 8,
      optimizer: { name: 'sgd', lr: 0.01, momentum: 0, nesterov: false, weight_decay: 0 },
      seed: 1,
      sampling: 'shuffle',
      yieldEvery: 0,
      classWeights: 'none',
    },
    homology: { ...settings, alpha: 8, minSimilarity: 0.1 },
    temperature: 1,
    negative: k - 1,
    kernels: jsKernels,
    folds: 3,
    seed: 2,
  }).then((oof) => ({ oof, settings }));
}

describe('outOfFoldCalibration', () => {
  it('scores every protein without its own family: no out-of-fold similarity comes from a relative', async () => {
    // Classes A, B, NBL with three families each.
    const data = familyData([3, 3, 3], 4);
    const { oof, settings } = await run(data, 3);
    expect(oof.folds).toBe(3);
    expect(oof.leftOut).toBe(0);
    expect(oof.y).toEqual(data.all.y);
    expect(oof.calibrator.fitted.calls).toBe(data.n);
    const similarity = oof.calls.similarity ?? new Float32Array(0);
    expect(similarity).toHaveLength(data.n * 3);
    // Against every other protein (own family included), each protein's best similarity is high…
    const everyone = Array.from({ length: data.n }, (_, i) => i);
    const withRelatives = evidenceAgainst(
      settings,
      everyone.filter((i) => i !== 0),
      [[0]],
    )[0];
    expect(Math.max(...(withRelatives ?? []))).toBeGreaterThan(0.8);
    // …but out of fold no protein sees anything that close.
    expect(Math.max(...similarity)).toBeLessThan(0.3);
    expect(oof.calibrator.weights.every(Number.isFinite)).toBe(true);
  });

  it('leaves out proteins whose class has no training protein in their fold', async () => {
    // Class B is one family: held out, no model of that fold has seen B.
    const data = familyData([3, 1, 3], 4);
    const { oof } = await run(data, 3);
    expect(oof.leftOut).toBe(4);
    expect(Array.from(oof.y).filter((c) => c === 1)).toHaveLength(0);
    expect(oof.calibrator.fitted.calls).toBe(data.n - 4);
  });
});
