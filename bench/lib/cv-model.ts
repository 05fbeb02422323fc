// A product-like multiclass model trained on chosen rows of the shipped set, as a real Predictor (for CV benches).
import { MULTICLASS_LABELS } from '../../src/core/data/labelled.ts';
import {
  BUILTIN_DIM,
  BUILTIN_FINGERPRINT,
  BUILTIN_ID,
} from '../../src/core/embed/builtin-embedder.ts';
import type {
  DecodedArtifact,
  ModelHeaderBody,
  ReferenceMetadataColumns,
} from '../../src/core/model/artifact.ts';
import { decodeArtifact, encodeArtifact } from '../../src/core/model/artifact.ts';
import { takeRows, type DenseDataset } from '../../src/core/model/dataset.ts';
import { homologyFeatures } from '../../src/core/model/homology.ts';
import type { Kernels } from '../../src/core/model/kernels.ts';
import type { ReferenceNames } from '../../src/core/model/named-evidence.ts';
import type { Predictor } from '../../src/core/model/predictor.ts';
import { createPredictor } from '../../src/core/model/predictor.ts';
import { standardiser } from '../../src/core/model/standardise.ts';
import { trainClassifier } from '../../src/core/model/train-loop.ts';
import { DEFAULT_SHAPES } from '../../src/core/sequence/seed-index.ts';
import {
  loadFastestPairAligner,
  loadFastestScreenKernels,
  loadFastestSeedKernels,
} from '../../src/native/load-kernels.ts';
import { evaluate } from '../../src/pipeline/evaluation.ts';

/** configs/experiment/default.yaml, configs/optimizer/adam.yaml and configs/model/mlp.yaml. */
export const PRODUCT_SETTINGS = {
  hidden: [256, 128],
  dropout: 0.2,
  batchSize: 32,
  patience: 8,
  epochs: 50,
  seed: 42,
  candidates: 2,
  seedCandidates: 20,
  minSimilarity: 0.1,
} as const;

const NBL = MULTICLASS_LABELS.indexOf('NBL');

export interface CvModelInput {
  /** Every protein of the set: ids, sequences, multiclass label indices, raw builtin embeddings (n×dim). */
  readonly ids: readonly string[];
  readonly sequences: readonly string[];
  readonly all: DenseDataset;
  /** Rows the classifier trains on; they are also the model's references (as src/pipeline/train.ts). */
  readonly trainRows: readonly number[];
  /** Rows for early stopping and for fitting α and T (whole clusters apart from trainRows). */
  readonly valRows: readonly number[];
  /** id → gene, family, subclass (data/default/ncbi_metadata.tsv). */
  readonly metadata: ReadonlyMap<string, ReferenceNames>;
  readonly kernels: Kernels;
  readonly epochs?: number;
}

function metadataColumns(
  ids: readonly string[],
  table: ReadonlyMap<string, ReferenceNames>,
): ReferenceMetadataColumns {
  const names = ids.map((id) => table.get(id));
  return {
    genes: names.map((n) => n?.gene ?? ''),
    families: names.map((n) => n?.family ?? ''),
    subclasses: names.map((n) => n?.subclass ?? ''),
  };
}

/**
 * Trains the MLP with homology evidence as `arginator train` does (weighted sampler, Adam, early
 * stopping on validation, α and T fitted on validation), then builds the model artifact and a
 * Predictor over it: its predictions go through the product's own code (predictor.ts).
 */
export async function trainCvPredictor(input: CvModelInput): Promise<Predictor> {
  return (await trainCvModel(input)).predictor;
}

/** A CV model: its artifact, its references' embeddings (the training rows) and its Predictor. */
export interface CvModel {
  readonly model: DecodedArtifact;
  readonly referenceEmbeddings: Float32Array;
  readonly predictor: Predictor;
}

/** trainCvPredictor, also returning the artifact (e.g. to run its classifier elsewhere). */
export async function trainCvModel(input: CvModelInput): Promise<CvModel> {
  const { all, trainRows, valRows, kernels } = input;
  const k = MULTICLASS_LABELS.length;
  const norm = standardiser(all, [...trainRows]);
  const trainSet = norm.apply(takeRows(all, trainRows));
  const valSet = norm.apply(takeRows(all, valRows));
  const pairAligner = loadFastestPairAligner();
  const refEmbeddings = takeRows(all, trainRows).x;
  const valEvidence = homologyFeatures(
    {
      sequences: valRows.map((i) => input.sequences[i] ?? ''),
      embeddings: takeRows(all, valRows).x,
    },
    {
      sequences: trainRows.map((i) => input.sequences[i] ?? ''),
      labels: trainRows.map((i) => all.y[i] as number),
      classes: k,
      embeddings: refEmbeddings,
      dim: all.dim,
    },
    kernels,
    {
      candidates: PRODUCT_SETTINGS.candidates,
      seedCandidates: PRODUCT_SETTINGS.seedCandidates,
      pairAligner,
    },
  ).perClass;
  const spec = {
    inputDim: all.dim,
    hidden: PRODUCT_SETTINGS.hidden,
    outputDim: k,
    dropout: PRODUCT_SETTINGS.dropout,
  };
  const result = await trainClassifier(
    trainSet,
    valSet,
    spec,
    {
      epochs: input.epochs ?? PRODUCT_SETTINGS.epochs,
      batchSize: PRODUCT_SETTINGS.batchSize,
      optimizer: {
        name: 'adam',
        lr: 1e-3,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weight_decay: 1e-4,
        amsgrad: false,
      },
      seed: PRODUCT_SETTINGS.seed,
      sampling: 'weighted',
      earlyStoppingPatience: PRODUCT_SETTINGS.patience,
      yieldEvery: 0,
    },
    kernels,
  );
  // α and T from the validation proteins (evaluate's test side is only reported, so val serves).
  const { fusion } = evaluate(
    result.params,
    valSet,
    valSet,
    MULTICLASS_LABELS,
    undefined,
    kernels,
    { val: valEvidence, test: valEvidence },
    { negative: NBL, minSimilarity: PRODUCT_SETTINGS.minSimilarity },
  );
  const refIds = trainRows.map((i) => input.ids[i] ?? '');
  const body: ModelHeaderBody = {
    packageVersion: 'bench',
    createdAt: new Date(0).toISOString(),
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
    homology: {
      candidates: PRODUCT_SETTINGS.candidates,
      seedCandidates: PRODUCT_SETTINGS.seedCandidates,
      seedShapes: [...DEFAULT_SHAPES],
      alpha: fusion.alpha,
      minSimilarity: PRODUCT_SETTINGS.minSimilarity,
      references: {
        ids: refIds,
        labels: trainRows.map((i) => all.y[i] as number),
        sequences: trainRows.map((i) => input.sequences[i] ?? ''),
        metadata: metadataColumns(refIds, input.metadata),
      },
    },
    calibration: { temperature: fusion.temperature },
    training: {},
  };
  const artifact = encodeArtifact(
    body,
    new Map([
      ['mlp.params', result.params.data],
      ['norm.mean', norm.mean],
      ['norm.std', norm.std],
    ]),
  );
  const model = decodeArtifact(artifact, 'bench model');
  const predictor = createPredictor(
    model,
    kernels,
    refEmbeddings,
    pairAligner,
    loadFastestSeedKernels(),
    {},
    { screenKernels: loadFastestScreenKernels() },
  );
  predictor.prepare();
  return { model, referenceEmbeddings: refEmbeddings, predictor };
}
