// The model file: magic, format version, a JSON header (what a model needs to be used and trusted), float32 tensors.
import type { Task } from '../domain.ts';
import { ArginatorError } from '../errors.ts';

/** Bytes 0-3 of every model file. */
export const ARTIFACT_MAGIC = 'ARGM';
/**
 * Bumped when the layout or the header's meaning changes; readers refuse newer versions and read
 * older ones. 2: calibration.confidence (the call-confidence calibrator) decides the probabilities;
 * a version-1 reader would silently ignore it, so it must refuse these files instead.
 */
export const ARTIFACT_VERSION = 2;

export interface TensorRef {
  readonly name: string;
  /** Offset in float32 elements from the start of the tensor block. */
  readonly offset: number;
  readonly length: number;
}

/** Named metadata of the references, one entry per reference ('' = unknown). */
export interface ReferenceMetadataColumns {
  readonly genes: readonly string[];
  readonly families: readonly string[];
  readonly subclasses: readonly string[];
}

/**
 * The confidence of a call: σ(weights · features(call)), a logistic model of "the call is right"
 * fitted on out-of-fold calls (core/model/confidence-calibrator.ts has the features and the rest).
 */
export interface ConfidenceCalibrator {
  readonly kind: 'call-logistic';
  /** Feature names in weight order (a reader applies it only if it knows exactly these). */
  readonly features: readonly string[];
  readonly weights: readonly number[];
  /** No call gets more: (R + 1)/(R + 2) for the R right out-of-fold calls it was fitted on. */
  readonly maxConfidence: number;
  /** What it was fitted on: out-of-fold calls, how many were wrong, over how many folds. */
  readonly fitted: { readonly calls: number; readonly wrong: number; readonly folds: number };
}

/** Everything in the header except the tensor table, which encodeArtifact fills in. */
export interface ModelHeaderBody {
  readonly packageVersion: string;
  readonly createdAt: string;
  readonly task: Task;
  readonly labels: readonly string[];
  readonly positiveLabel?: string | undefined;
  readonly embedder: {
    readonly name: string;
    readonly id: string;
    readonly dim: number;
    readonly fingerprint: Readonly<Record<string, unknown>>;
    readonly options: Readonly<Record<string, unknown>>;
  };
  readonly architecture: {
    readonly kind: 'mlp';
    readonly inputDim: number;
    readonly hidden: readonly number[];
    readonly outputDim: number;
    readonly dropout: number;
  };
  /**
   * Homology evidence: for each class, the best similarity to that class's references among the
   * `candidates` nearest by embedding cosine (core/model/homology.ts) is added, times `alpha`, to the
   * classifier's logits before the temperature (core/model/evidence-fusion.ts). The references (the
   * training proteins) are stored so predictions can recompute it and show the nearest reference.
   */
  readonly homology?:
    | {
        readonly candidates: number;
        /** References found by spaced seeds (core/sequence/seed-index.ts) and aligned too; absent = none. */
        readonly seedCandidates?: number | undefined;
        /** The seed shapes of that search (kept with the model so a later default cannot change it). */
        readonly seedShapes?: readonly string[] | undefined;
        readonly alpha: number;
        /**
         * A β-lactamase class needs at least this similarity to one of its references to be called
         * (core/model/decision-rule.ts); absent (older models) = no such rule.
         */
        readonly minSimilarity?: number | undefined;
        readonly references: {
          readonly ids: readonly string[];
          readonly labels: readonly number[];
          readonly sequences: readonly string[];
          /**
           * Each reference's gene symbol, family and drug subclass (e.g. blaKPC-2, blaKPC,
           * CARBAPENEM), parallel to `ids`, '' where unknown; absent (older models, datasets without
           * paths.reference_metadata) = all unknown. Stored at training time so prediction reads no data file.
           */
          readonly metadata?: ReferenceMetadataColumns | undefined;
        };
      }
    | undefined;
  /** Features are standardised as (x - mean) / std with the tensors 'norm.mean' and 'norm.std'. */
  readonly normalisation: { readonly kind: 'standardise' } | { readonly kind: 'none' };
  /**
   * Temperature scaling fitted on validation data (1 = none): the calls are made at it. With
   * `confidence` (version 2), the probabilities are that calibrator's; absent (version 1 models)
   * they are the softmax at `temperature`.
   */
  readonly calibration: {
    readonly temperature: number;
    readonly eceBefore?: number | undefined;
    readonly eceAfter?: number | undefined;
    readonly confidence?: ConfidenceCalibrator | undefined;
  };
  readonly training: Readonly<Record<string, unknown>>;
}

export interface ModelHeader extends ModelHeaderBody {
  readonly format: 'arginator-model';
  readonly version: number;
  readonly tensors: readonly TensorRef[];
}

export interface DecodedArtifact {
  readonly header: ModelHeader;
  readonly tensors: ReadonlyMap<string, Float32Array>;
}

function artifactError(message: string, hint: string): ArginatorError {
  return new ArginatorError('BAD_INPUT', 'model.bad-file', message, hint);
}

export function encodeArtifact(
  body: ModelHeaderBody,
  tensors: ReadonlyMap<string, Float32Array>,
): Uint8Array {
  const refs: TensorRef[] = [];
  let offset = 0;
  for (const [name, data] of tensors) {
    refs.push({ name, offset, length: data.length });
    offset += data.length;
  }
  const header: ModelHeader = {
    format: 'arginator-model',
    version: ARTIFACT_VERSION,
    ...body,
    tensors: refs,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerEnd = 12 + json.length;
  const dataStart = Math.ceil(headerEnd / 4) * 4;
  const bytes = new Uint8Array(dataStart + offset * 4);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(ARTIFACT_MAGIC), 0);
  view.setUint32(4, ARTIFACT_VERSION, true);
  view.setUint32(8, json.length, true);
  bytes.set(json, 12);
  for (const ref of refs) {
    const data = tensors.get(ref.name) as Float32Array;
    for (let i = 0; i < data.length; i++) {
      view.setFloat32(dataStart + (ref.offset + i) * 4, data[i] as number, true);
    }
  }
  return bytes;
}

/** Tensors are stored little-endian; on such a machine (every one Node supports) they are copied as bytes. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function decodeArtifact(bytes: Uint8Array, source = 'model file'): DecodedArtifact {
  const fix = 'train a model again with this version of arginator (arginator train)';
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 4)) !== ARTIFACT_MAGIC) {
    throw artifactError(
      `${source} is not an ARGinator model (no '${ARTIFACT_MAGIC}' signature)`,
      fix,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version > ARTIFACT_VERSION) {
    throw artifactError(
      `${source} has format version ${version}; this arginator reads up to ${ARTIFACT_VERSION}`,
      'upgrade arginator',
    );
  }
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length) {
    throw artifactError(`${source} is truncated (header runs past the end)`, fix);
  }
  let header: ModelHeader;
  try {
    header = JSON.parse(
      new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)),
    ) as ModelHeader;
  } catch {
    throw artifactError(`${source} has an unreadable header`, fix);
  }
  const dataStart = Math.ceil((12 + headerLength) / 4) * 4;
  const tensors = new Map<string, Float32Array>();
  for (const ref of header.tensors) {
    const start = dataStart + ref.offset * 4;
    const end = start + ref.length * 4;
    if (end > bytes.length) {
      throw artifactError(`${source} is truncated (tensor '${ref.name}' runs past the end)`, fix);
    }
    const data = new Float32Array(ref.length);
    if (LITTLE_ENDIAN) {
      // The file's byte order: one copy of the bytes (the tensor may start at any offset of the buffer).
      new Uint8Array(data.buffer).set(bytes.subarray(start, end));
    } else {
      for (let i = 0; i < ref.length; i++) {
        data[i] = view.getFloat32(start + i * 4, true);
      }
    }
    tensors.set(ref.name, data);
  }
  return { header, tensors };
}
