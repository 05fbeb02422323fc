// A trained model ready to predict: standardise, classify, fuse homology evidence, and explain each call.
import { negativeLabel } from '../domain.ts';
import type { CarbapenemaseCall, EvidenceMethod, Novelty } from '../domain.ts';
import { ArginatorError } from '../errors.ts';
import { encodeForAlignment } from '../sequence/blosum62.ts';
import type { CodeSet, PairAligner } from '../sequence/pair-aligner.ts';
import {
  ALIGN_FIELDS,
  codeSet,
  createJsPairAligner,
  NO_DIAGONAL,
  sequenceCodes,
} from '../sequence/pair-aligner.ts';
import { adjustedLambda, composition } from './composition-statistics.ts';
import type { SeedKernels, SeedPostings } from '../sequence/seed-index.ts';
import type { ScreenKernels, ScreenPostingsCache } from '../sequence/ungapped-screen.ts';
import type { DecodedArtifact, ModelHeader } from './artifact.ts';
import { applyStandardisation } from './standardise.ts';
import { maskUnsupportedClasses, minSimilarityOf } from './decision-rule.ts';
import { fuseLogits } from './evidence-fusion.ts';
import { calibratedProbabilities, usableCalibrator } from './confidence-calibrator.ts';
import type { AlignmentFacts } from './named-evidence.ts';
import {
  bitScore,
  carbapenemaseCall,
  eValue,
  evidenceMethod,
  SIGNIFICANT_EVALUE,
} from './named-evidence.ts';
import type { PreparedReferences } from './homology.ts';
import { homologyFeatures, prepareReferences, referenceDots } from './homology.ts';
import type { ClassifierRuntime } from './classifier-runtime.ts';
import type { Kernels } from './kernels.ts';
import type { MlpParams } from './mlp.ts';
import { forwardLogits, mlpFromData, softmaxRows } from './mlp.ts';

/** Novelty of a protein relative to the model's references (docs/prediction.md); words in core/domain.ts. */
export type { Novelty } from '../domain.ts';

/**
 * Identity (and query coverage) at or above which a protein counts as a known family member, and
 * below which (or below half coverage) it counts as novel. Chosen on the cluster CV against DIAMOND's
 * best-hit identity by bench/novelty-identity.ts (docs/prediction.md, "Novelty").
 */
export const KNOWN_IDENTITY = 0.68;
export const KNOWN_COVERAGE = 0.7;
export const NOVEL_IDENTITY = 0.4;
export const NOVEL_COVERAGE = 0.5;

/** The four cut-offs of the alignment novelty rule (fractions). */
export interface NoveltyThresholds {
  readonly knownIdentity: number;
  readonly knownCoverage: number;
  readonly novelIdentity: number;
  readonly novelCoverage: number;
}

export const NOVELTY_THRESHOLDS: NoveltyThresholds = {
  knownIdentity: KNOWN_IDENTITY,
  knownCoverage: KNOWN_COVERAGE,
  novelIdentity: NOVEL_IDENTITY,
  novelCoverage: NOVEL_COVERAGE,
};
/**
 * Without a sequence (HDF5 embeddings in), novelty comes from the embedding cosine to the nearest
 * reference. Measured on the shipped data by bench/novelty-cosine.ts (docs/prediction.md).
 */
export const KNOWN_COSINE = 0.95;
export const NOVEL_COSINE = 0.87;

export interface NearestReference {
  readonly id: string;
  readonly label: string;
  /** Fraction of identical aligned columns (BLAST pident / 100); undefined without a sequence. */
  readonly identity: number | undefined;
  /** Aligned fraction of the query; undefined without a sequence. */
  readonly coverage: number | undefined;
  /** Aligned fraction of the reference; undefined without a sequence (or from an older caller). */
  readonly referenceCoverage?: number | undefined;
  /** Embedding cosine to the reference, when it was chosen in embedding space (no sequence). */
  readonly cosine?: number | undefined;
  /** The reference's gene symbol, family and drug subclass; undefined when the model has none for it. */
  readonly gene?: string | undefined;
  readonly family?: string | undefined;
  readonly subclass?: string | undefined;
  /** Bit score and e-value of the alignment (core/model/named-evidence.ts); undefined without one. */
  readonly bitscore?: number | undefined;
  readonly evalue?: number | undefined;
}

export interface Prediction {
  /** Calibrated class probabilities in label order. */
  readonly probabilities: Float32Array;
  readonly label: string;
  readonly confidence: number;
  /** Probability that the protein is a beta-lactamase (1 − p(NBL), or p(Betalactamase)). */
  readonly probBetalactamase: number;
  readonly nearest: NearestReference | undefined;
  readonly novelty: Novelty;
  /** How the nearest reference matched (EXACT … NONE; core/model/named-evidence.ts). */
  readonly method: EvidenceMethod;
  /** yes / no / uncertain for a β-lactamase call; undefined for any other call. */
  readonly carbapenemase: CarbapenemaseCall | undefined;
}

export interface Predictor {
  readonly header: ModelHeader;
  readonly labels: readonly string[];
  /** Predicts a batch: sequences and their embeddings (n×embedder dim, row-major). */
  predict(sequences: readonly string[], embeddings: Float32Array): Prediction[];
  /**
   * Predicts a batch from embeddings alone (n×embedder dim, e.g. an HDF5 file): the classifier's
   * own call (no homology fusion), nearest reference by embedding cosine, novelty from that cosine.
   */
  predictEmbeddings(embeddings: Float32Array): Prediction[];
  /**
   * Prepares the references (unit vectors, alignment codes, seed index), which the first prediction
   * does otherwise. Idempotent. A caller can do it while its first batch is embedded elsewhere.
   */
  prepare(): void;
}

/**
 * known / distant / novel from the nearest reference: by identity and query coverage of the
 * alignment, or by embedding cosine when there is no alignment (HDF5 input). `thresholds` is for
 * benches that sweep the cut-offs; the product uses NOVELTY_THRESHOLDS.
 */
export function noveltyOf(
  nearest: NearestReference | undefined,
  thresholds: NoveltyThresholds = NOVELTY_THRESHOLDS,
): Novelty {
  if (nearest === undefined) {
    return 'novel';
  }
  const { identity, coverage, cosine } = nearest;
  if (identity === undefined || coverage === undefined) {
    // Chosen in embedding space: no alignment, so the cosine decides.
    if (cosine === undefined || !(cosine >= NOVEL_COSINE)) {
      return 'novel';
    }
    return cosine >= KNOWN_COSINE ? 'known' : 'distant';
  }
  // Written as "not at least" so that a NaN (an empty alignment) counts as novel, never as distant.
  if (!(identity >= thresholds.novelIdentity) || !(coverage >= thresholds.novelCoverage)) {
    return 'novel';
  }
  return identity >= thresholds.knownIdentity && coverage >= thresholds.knownCoverage
    ? 'known'
    : 'distant';
}

function tensor(model: DecodedArtifact, name: string): Float32Array {
  const t = model.tensors.get(name);
  if (t === undefined) {
    throw new ArginatorError(
      'BAD_INPUT',
      'model.bad-file',
      `the model file has no tensor '${name}'`,
      'train the model again with this version of arginator',
    );
  }
  return t;
}

/**
 * Builds a predictor. `referenceEmbeddings` are the model's reference sequences embedded with the
 * model's embedder (n×dim), needed when the model uses homology evidence.
 */
/**
 * The seed index's postings kept between loads of a model (a cache): `cached` from an earlier build,
 * if any, and `onBuilt` told when the predictor had to build them.
 */
export interface SeedPostingsCache {
  readonly cached?: SeedPostings | undefined;
  readonly onBuilt?: ((postings: SeedPostings) => void) | undefined;
}

/**
 * How many screened-out proteins' passing references are aligned (core/model/homology.ts `screen`):
 * their nearest reference, if any, is among them.
 */
export const SCREENED_REFERENCES = 8;

export interface PredictorOptions {
  /**
   * The ungapped screen (core/sequence/ungapped-screen.ts) before the candidate alignments; on by
   * default for models with a negative class. false aligns every protein's candidates (the training
   * procedure, exhaustive), e.g. to measure what the screen changes.
   */
  readonly screen?: boolean | undefined;
  readonly screenKernels?: ScreenKernels | undefined;
  /** The screen's index from an earlier build, kept between loads (like SeedPostingsCache). */
  readonly screenPostings?: ScreenPostingsCache | undefined;
  /**
   * Computes the classifier's logits instead of the in-process MLP (e.g. an ONNX session,
   * model.runtime=onnx; docs/onnx.md). The homology evidence, masking and calibration stay here.
   */
  readonly classifier?: ClassifierRuntime | undefined;
}

export function createPredictor(
  model: DecodedArtifact,
  kernels: Kernels,
  referenceEmbeddings?: Float32Array,
  pairAligner: PairAligner = createJsPairAligner(),
  seedKernels?: SeedKernels,
  seedPostings: SeedPostingsCache = {},
  options: PredictorOptions = {},
): Predictor {
  const { header } = model;
  const labels = header.labels;
  const k = labels.length;
  const params: MlpParams = mlpFromData(
    {
      inputDim: header.architecture.inputDim,
      hidden: header.architecture.hidden,
      outputDim: header.architecture.outputDim,
      dropout: 0,
    },
    tensor(model, 'mlp.params'),
  );
  const mean = tensor(model, 'norm.mean');
  const std = tensor(model, 'norm.std');
  const dim = header.embedder.dim;
  const homology = header.homology;
  if (
    homology !== undefined &&
    referenceEmbeddings?.length !== homology.references.sequences.length * dim
  ) {
    throw new ArginatorError(
      'INTERNAL',
      'model.references',
      'the model uses homology evidence but its references were not embedded',
      '',
    );
  }
  const negative = labels.indexOf(negativeLabel(header.task));
  // The screen decides which proteins get the full candidates: only a model with a negative class
  // and the evidence floor has classes whose evidence below the floor changes no call.
  const screening =
    options.screen !== false &&
    negative >= 0 &&
    minSimilarityOf(header) > 0 &&
    homology !== undefined;
  // Prepared once, on first use (or prepare()): every prediction batch reuses the references' unit
  // vectors, codes and self-scores.
  let prepared: PreparedReferences | undefined;
  const references = (): PreparedReferences | undefined => {
    if (prepared !== undefined || homology === undefined || referenceEmbeddings === undefined) {
      return prepared;
    }
    prepared = prepareReferences(
      {
        sequences: homology.references.sequences,
        labels: homology.references.labels,
        classes: k,
        embeddings: referenceEmbeddings,
        dim,
      },
      {
        seedShapes: (homology.seedCandidates ?? 0) > 0 ? homology.seedShapes : undefined,
        seedKernels,
        seedPostings: seedPostings.cached,
        kernels,
        screen: screening
          ? {
              flagged: labels.flatMap((_, c) => (c === negative ? [] : [c])),
              kernels: options.screenKernels,
              postings: options.screenPostings,
            }
          : undefined,
      },
    );
    const built = prepared.seeds?.postings;
    if (built !== undefined && built !== seedPostings.cached) {
      seedPostings.onBuilt?.(built);
    }
    return prepared;
  };
  const minSimilarity = minSimilarityOf(header);
  // Version-2 models: the call's confidence comes from the out-of-fold calibrator; older ones keep
  // the softmax at the stored temperature.
  const calibrator = usableCalibrator(header.calibration.confidence);
  const positive = header.positiveLabel === undefined ? -1 : labels.indexOf(header.positiveLabel);
  const metadata = homology?.references.metadata;
  /** A stored metadata word of reference `ref`; '' and absent mean unknown. */
  const named = (column: readonly string[] | undefined, ref: number): string | undefined => {
    const word = column?.[ref];
    return word === undefined || word === '' ? undefined : word;
  };
  const namesOf = (ref: number) => ({
    gene: named(metadata?.genes, ref),
    family: named(metadata?.families, ref),
    subclass: named(metadata?.subclasses, ref),
  });
  // Each reference's residue composition, for composition-adjusted statistics (on first use).
  const referenceCompositions = new Map<number, Float64Array>();
  const referenceComposition = (codes: CodeSet, ref: number): Float64Array => {
    let c = referenceCompositions.get(ref);
    if (c === undefined) {
      c = composition(sequenceCodes(codes, ref));
      referenceCompositions.set(ref, c);
    }
    return c;
  };
  // The e-value's database size n: every reference residue (the references are the database).
  let databaseResidues = 0;
  for (const r of homology?.references.sequences ?? []) {
    databaseResidues += r.length;
  }
  let standardised = new Float32Array(0);
  /** The classifier's logits (n×k) of standardised embeddings, shared by both entry points. */
  const classifierLogits = (embeddings: Float32Array, n: number): Float32Array => {
    if (embeddings.length !== n * dim) {
      throw new ArginatorError(
        'INTERNAL',
        'model.embedding-size',
        `expected ${n}×${dim} embedding values, got ${embeddings.length}`,
        '',
      );
    }
    if (options.classifier !== undefined) {
      return options.classifier.logits(embeddings, n);
    }
    if (kernels.standardise !== undefined) {
      // Into a buffer kept between batches (only the logits leave this function): a batch no longer
      // allocates and collects a standardised copy of its embeddings.
      if (standardised.length < n * dim) {
        standardised = new Float32Array(n * dim);
      }
      const x = standardised.subarray(0, n * dim);
      kernels.standardise(embeddings, mean, std, n, dim, x);
      return forwardLogits(params, x, n, kernels);
    }
    const { x } = applyStandardisation({ x: embeddings, y: new Int32Array(n), n, dim }, mean, std);
    return forwardLogits(params, x, n, kernels);
  };
  /** The call of protein i from the probabilities of its batch (n×k). */
  const callOf = (
    proba: Float32Array,
    i: number,
    nearest: NearestReference | undefined,
    alignment: AlignmentFacts | undefined,
  ) => {
    const p = proba.slice(i * k, (i + 1) * k);
    let best = 0;
    for (let c = 1; c < k; c++) {
      if ((p[c] as number) > (p[best] as number)) {
        best = c;
      }
    }
    const betaLactamaseCall =
      positive >= 0 ? best === positive : negative >= 0 && best !== negative;
    const method = evidenceMethod(alignment, betaLactamaseCall);
    return {
      probabilities: p,
      label: labels[best] ?? '',
      confidence: p[best] as number,
      probBetalactamase:
        positive >= 0 ? (p[positive] as number) : negative >= 0 ? 1 - (p[negative] as number) : 0,
      nearest,
      novelty: noveltyOf(nearest),
      method,
      carbapenemase: carbapenemaseCall(betaLactamaseCall, method, nearest?.subclass),
    } satisfies Prediction;
  };

  return {
    header,
    labels,
    prepare() {
      references();
    },
    predict(sequences, embeddings) {
      const refs = references();
      const refCodes = refs?.codes;
      const n = sequences.length;
      let logits = classifierLogits(embeddings, n);
      let evidence: ReturnType<typeof homologyFeatures> | undefined;
      if (refs !== undefined && homology !== undefined) {
        evidence = homologyFeatures({ sequences, embeddings }, refs, kernels, {
          candidates: homology.candidates,
          seedCandidates: homology.seedCandidates ?? 0,
          pairAligner,
          ...(screening
            ? {
                screen: {
                  topK: SCREENED_REFERENCES,
                  ...(options.screenKernels === undefined
                    ? {}
                    : { kernels: options.screenKernels }),
                },
              }
            : {}),
        });
        logits = fuseLogits(logits, evidence.perClass, homology.alpha);
      }
      let proba = softmaxRows(logits.slice(), k, header.calibration.temperature);
      if (evidence !== undefined) {
        // A β-lactamase class needs alignment evidence of its own (core/model/decision-rule.ts).
        maskUnsupportedClasses(proba, evidence.perClass, k, negative, minSimilarity);
      }
      if (calibrator !== undefined) {
        // Same calls; the probabilities say how often calls like these were right out of fold.
        proba = calibratedProbabilities(
          { proba, logits, similarity: evidence?.perClass, k, negative },
          calibrator,
        );
      }
      // The nearest reference of every protein with a significant best alignment (its e-value from
      // the known score), aligned with traceback in one batch; the others have none (method NONE or
      // MODEL): a chance local match is not a nearest reference, and its traceback would cost most.
      // Significance is judged on the composition-adjusted statistics (computed where the plain
      // e-value is at most 1: an adjustment does not gain three orders of magnitude).
      const withHit: number[] = [];
      const statistics = new Map<number, { bitscore: number; evalue: number }>();
      evidence?.best.forEach((ref, i) => {
        const score = evidence.bestScore[i] ?? 0;
        const queryLength = (sequences[i] ?? '').length;
        if (
          ref < 0 ||
          refCodes === undefined ||
          eValue(bitScore(score), queryLength, databaseResidues) > 1
        ) {
          return;
        }
        const lambda = adjustedLambda(
          composition(encodeForAlignment(sequences[i] ?? '')),
          referenceComposition(refCodes, ref),
        );
        const bitscore = bitScore(score, lambda);
        const evalue = eValue(bitscore, queryLength, databaseResidues);
        if (evalue <= SIGNIFICANT_EVALUE) {
          withHit.push(i);
          statistics.set(i, { bitscore, evalue });
        }
      });
      const bestRefs = evidence?.best;
      const alignments =
        bestRefs === undefined || refCodes === undefined || withHit.length === 0
          ? new Int32Array(0)
          : pairAligner.run(
              codeSet(withHit.map((i) => sequences[i] ?? '')),
              refCodes,
              Int32Array.from(withHit.flatMap((i, j) => [j, bestRefs[i] ?? 0])),
              true,
              Int32Array.from(withHit, (i) => evidence?.bestScore[i] ?? -1),
              Int32Array.from(withHit, (i) => evidence?.bestDiagonal[i] ?? NO_DIAGONAL),
            );
      const alignmentOf = new Map(withHit.map((i, j) => [i, j]));
      const out: Prediction[] = [];
      for (let i = 0; i < n; i++) {
        let nearest: NearestReference | undefined;
        let facts: AlignmentFacts | undefined;
        const ref = evidence?.best[i] ?? -1;
        const j = alignmentOf.get(i);
        if (ref >= 0 && homology !== undefined && j !== undefined) {
          const a = alignments.subarray(j * ALIGN_FIELDS, (j + 1) * ALIGN_FIELDS);
          const length = a[2] as number;
          const queryLength = (sequences[i] ?? '').length;
          // The traceback's score is the score pass's (the same optimal score).
          const { bitscore, evalue } = statistics.get(i) ?? { bitscore: 0, evalue: Infinity };
          facts = {
            identities: a[1] as number,
            length,
            queryLength,
            referenceLength: (homology.references.sequences[ref] ?? '').length,
            qStart: a[3] as number,
            qEnd: a[4] as number,
            tStart: a[5] as number,
            tEnd: a[6] as number,
            evalue,
          };
          nearest = {
            id: homology.references.ids[ref] ?? '',
            label: labels[homology.references.labels[ref] as number] ?? '',
            identity: length === 0 ? 0 : (a[1] as number) / length,
            coverage: ((a[4] as number) - (a[3] as number)) / Math.max(queryLength, 1),
            referenceCoverage:
              ((a[6] as number) - (a[5] as number)) / Math.max(facts.referenceLength, 1),
            ...namesOf(ref),
            bitscore,
            evalue,
          };
        }
        out.push(callOf(proba, i, nearest, facts));
      }
      return out;
    },
    predictEmbeddings(embeddings) {
      const n = dim > 0 ? Math.floor(embeddings.length / dim) : 0;
      // The stored temperature was fitted on the fused logits; without evidence it does not apply.
      const temperature = homology === undefined ? header.calibration.temperature : 1;
      const logits = classifierLogits(embeddings, n);
      let proba = softmaxRows(logits.slice(), k, temperature);
      // A calibrator fitted on classifier-only calls applies; one fitted on fused calls does not.
      if (calibrator !== undefined && homology === undefined) {
        proba = calibratedProbabilities({ proba, logits, k, negative }, calibrator);
      }
      const refs = references();
      const near = refs === undefined ? undefined : cosineNearest(embeddings, n, refs, kernels);
      return Array.from({ length: n }, (_, i) => {
        const ref = near?.best[i] ?? -1;
        const nearest: NearestReference | undefined =
          ref < 0 || homology === undefined
            ? undefined
            : {
                id: homology.references.ids[ref] ?? '',
                label: labels[homology.references.labels[ref] as number] ?? '',
                identity: undefined,
                coverage: undefined,
                cosine: near?.cosine[i] ?? 0,
                ...namesOf(ref),
              };
        // No sequence, no alignment: the method is MODEL or NONE.
        return callOf(proba, i, nearest, undefined);
      });
    },
  };
}

/** Queries per cosine block: bounds the similarity matrix to BLOCK × references floats. */
const COSINE_BLOCK = 256;

/** Each query's most cosine-similar reference (index, -1 for a zero vector) and that cosine. */
function cosineNearest(
  embeddings: Float32Array,
  n: number,
  refs: PreparedReferences,
  kernels: Kernels,
): { best: Int32Array; cosine: Float32Array } {
  const { dim, size } = refs;
  const best = new Int32Array(n).fill(-1);
  const cosine = new Float32Array(n);
  const block = new Float32Array(Math.min(COSINE_BLOCK, n) * size);
  for (let q0 = 0; q0 < n; q0 += COSINE_BLOCK) {
    const rows = Math.min(COSINE_BLOCK, n - q0);
    // refs.unit rows are unit length, so dividing by the query's norm gives the cosine.
    referenceDots(embeddings.subarray(q0 * dim, (q0 + rows) * dim), rows, refs, kernels, block);
    for (let r = 0; r < rows; r++) {
      let norm = 0;
      for (let j = (q0 + r) * dim; j < (q0 + r + 1) * dim; j++) {
        norm += (embeddings[j] as number) ** 2;
      }
      if (norm === 0 || size === 0) {
        continue;
      }
      let top = 0;
      for (let c = 1; c < size; c++) {
        if ((block[r * size + c] as number) > (block[r * size + top] as number)) {
          top = c;
        }
      }
      best[q0 + r] = top;
      cosine[q0 + r] = (block[r * size + top] as number) / Math.sqrt(norm);
    }
  }
  return { best, cosine };
}
