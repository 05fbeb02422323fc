// Test helper: a small MLP really trained on shipped proteins' built-in embeddings, as a model artifact with its training embeddings.
import { fileURLToPath } from 'node:url';

import { MULTICLASS_LABELS } from '../../core/data/labelled.ts';
import {
  BUILTIN_DIM,
  BUILTIN_FINGERPRINT,
  BUILTIN_ID,
  embedSequence,
} from '../../core/embed/builtin-embedder.ts';
import type { DecodedArtifact } from '../../core/model/artifact.ts';
import { decodeArtifact, encodeArtifact } from '../../core/model/artifact.ts';
import { takeRows, type DenseDataset } from '../../core/model/dataset.ts';
import { jsKernels } from '../../core/model/kernels.ts';
import { standardiser } from '../../core/model/standardise.ts';
import { trainClassifier } from '../../core/model/train-loop.ts';
import { loadLabelledFasta } from '../labelled-fasta.ts';

const SHIPPED = fileURLToPath(new URL('../../../data/default/default.fasta.gz', import.meta.url));

export interface TrainedClassifier {
  readonly model: DecodedArtifact;
  readonly bytes: Uint8Array;
  /** Raw embeddings (n×dim) of the training rows: the int8 calibration set. */
  readonly train: Float32Array;
  readonly trainRows: number;
  /** Raw embeddings of every loaded protein (training ones first). */
  readonly all: Float32Array;
  readonly rows: number;
}

/**
 * Every `stride`-th shipped protein, embedded with the built-in embedder; 80% train an MLP
 * (hidden [32, 16], a few epochs: enough to be a real, non-random classifier).
 */
export async function trainedClassifier(
  options: { stride?: number; hidden?: readonly number[]; epochs?: number } = {},
): Promise<TrainedClassifier> {
  const stride = options.stride ?? 3;
  const data = await loadLabelledFasta(SHIPPED, { task: 'multiclass' });
  const picked = data.examples.filter((_, i) => i % stride === 0);
  const n = picked.length;
  const all: DenseDataset = {
    x: new Float32Array(n * BUILTIN_DIM),
    y: Int32Array.from(picked, (e) => MULTICLASS_LABELS.indexOf(e.label as never)),
    n,
    dim: BUILTIN_DIM,
  };
  picked.forEach((e, i) =>
    embedSequence(e.record.sequence, all.x.subarray(i * BUILTIN_DIM, (i + 1) * BUILTIN_DIM)),
  );
  const rows = Array.from({ length: n }, (_, i) => i);
  const trainRows = rows.filter((i) => i % 5 !== 0);
  const valRows = rows.filter((i) => i % 5 === 0);
  const norm = standardiser(all, trainRows);
  const spec = {
    inputDim: BUILTIN_DIM,
    hidden: options.hidden ?? [32, 16],
    outputDim: MULTICLASS_LABELS.length,
    dropout: 0.1,
  };
  const result = await trainClassifier(
    norm.apply(takeRows(all, trainRows)),
    norm.apply(takeRows(all, valRows)),
    spec,
    {
      epochs: options.epochs ?? 4,
      batchSize: 32,
      optimizer: {
        name: 'adam',
        lr: 1e-3,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weight_decay: 1e-4,
        amsgrad: false,
      },
      seed: 7,
      sampling: 'weighted',
      yieldEvery: 0,
    },
    jsKernels,
  );
  const bytes = encodeArtifact(
    {
      packageVersion: 'test',
      createdAt: '2026-12-01T00:00:00.000Z',
      task: 'multiclass',
      labels: MULTICLASS_LABELS,
      embedder: {
        name: 'builtin',
        id: BUILTIN_ID,
        dim: BUILTIN_DIM,
        fingerprint: BUILTIN_FINGERPRINT,
        options: {},
      },
      architecture: { kind: 'mlp', ...spec },
      normalisation: { kind: 'standardise' },
      calibration: { temperature: 1 },
      training: {},
    },
    new Map([
      ['mlp.params', result.params.data],
      ['norm.mean', norm.mean],
      ['norm.std', norm.std],
    ]),
  );
  const order = [...trainRows, ...valRows];
  return {
    model: decodeArtifact(bytes, 'trained test model'),
    bytes,
    train: takeRows(all, trainRows).x,
    trainRows: trainRows.length,
    all: takeRows(all, order).x,
    rows: n,
  };
}
