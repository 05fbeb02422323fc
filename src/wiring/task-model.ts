// The one rule that picks the model for a task (CLI predict and the server): champion:<task>, else
// latest:<task>, or for binary the multiclass model with the binary labels derived from prob_betalactamase.
import { BINARY_LABELS, NOT_BETALACTAMASE } from '../core/domain.ts';
import type { Task } from '../core/domain.ts';
import { ArginatorError } from '../core/errors.ts';
import type { Kernels } from '../core/model/kernels.ts';
import { carbapenemaseCall, methodForCall } from '../core/model/named-evidence.ts';
import type { NearestReference, Prediction, Predictor } from '../core/model/predictor.ts';
import type { PredictionModel } from '../pipeline/predict.ts';
import type {
  CatalogIndex,
  ModelCatalog,
  ModelChoice,
  ResolvedModel,
} from '../pipeline/model-catalog.ts';
import { chooseTaskModel } from '../pipeline/model-catalog.ts';
import type { LoadModelOptions } from './load-model.ts';
import { loadPredictionModel } from './load-model.ts';

// The task and label words live in core/domain.ts.
export type { Task } from '../core/domain.ts';
export { BINARY_LABELS } from '../core/domain.ts';
/** A protein is called a beta-lactamase when prob_betalactamase is at least this. */
export const BINARY_THRESHOLD = 0.5;

// The rule itself lives with the catalog port (pipeline/model-catalog.ts), next to the aliases.
export { chooseTaskModel } from '../pipeline/model-catalog.ts';
export type { ModelChoice } from '../pipeline/model-catalog.ts';

/** chooseTaskModel over `index`; NOT_FOUND with the fix if there is none. */
export function taskModelOf(task: Task, index: CatalogIndex, modelsDir: string): ModelChoice {
  const choice = chooseTaskModel(task, index);
  if (choice === undefined) {
    throw new ArginatorError(
      'NOT_FOUND',
      'model.none-registered',
      `no model for the ${task} task is registered in ${modelsDir}`,
      "train one first: 'arginator train' (or 'arginator start', which trains the default model)",
    );
  }
  return choice;
}

/** chooseTaskModel over the catalog (one read of it); NOT_FOUND with the fix if there is none. */
export async function resolveTaskModel(task: Task, catalog: ModelCatalog): Promise<ModelChoice> {
  return taskModelOf(task, await catalog.index(), catalog.dir);
}

/** Loads model `ref` (version, alias or .argm file) and adapts it to `task`. */
export async function loadTaskModel(
  task: Task,
  ref: string | ResolvedModel,
  catalog: ModelCatalog,
  kernels: Kernels,
  options: LoadModelOptions = {},
): Promise<PredictionModel> {
  const model = await loadPredictionModel(ref, catalog, kernels, options);
  try {
    return adaptModelToTask(model, task);
  } catch (e) {
    await model.embedder.close();
    throw e;
  }
}

/** The model itself if it was trained for `task`; a multiclass model answers binary by derivation. */
export function adaptModelToTask(model: PredictionModel, task: Task): PredictionModel {
  const trainedFor = model.predictor.header.task;
  if (trainedFor === task) {
    return model;
  }
  if (task === 'multiclass') {
    throw new ArginatorError(
      'USAGE',
      'model.wrong-task',
      `model ${model.version} was trained for the binary task and cannot give Ambler classes`,
      'use a multiclass model (e.g. latest:multiclass) or ask for the binary task',
    );
  }
  return { ...model, predictor: binaryFromMulticlass(model.predictor) };
}

/** Collapses multiclass calls to Betalactamase / Non-Betalactamase (prob_betalactamase >= 0.5). */
function binaryFromMulticlass(inner: Predictor): Predictor {
  const labels = [...BINARY_LABELS];
  return {
    header: { ...inner.header, task: 'binary', labels, positiveLabel: BINARY_LABELS[0] },
    labels,
    predict(sequences, embeddings) {
      return inner.predict(sequences, embeddings).map(collapse);
    },
    predictEmbeddings(embeddings) {
      return inner.predictEmbeddings(embeddings).map(collapse);
    },
    prepare() {
      inner.prepare();
    },
  };
}

function collapse(p: Prediction): Prediction {
  const probabilities = Float32Array.of(p.probBetalactamase, 1 - p.probBetalactamase);
  const positive = p.probBetalactamase >= BINARY_THRESHOLD;
  return {
    probabilities,
    label: positive ? BINARY_LABELS[0] : BINARY_LABELS[1],
    confidence: (positive ? probabilities[0] : probabilities[1]) ?? 0,
    probBetalactamase: p.probBetalactamase,
    nearest: p.nearest === undefined ? undefined : collapseNearest(p.nearest),
    novelty: p.novelty,
    // The threshold may turn the call, and with it MODEL/NONE and whether a carbapenemase is asked.
    method: methodForCall(p.method, positive),
    carbapenemase: carbapenemaseCall(
      positive,
      methodForCall(p.method, positive),
      p.nearest?.subclass,
    ),
  };
}

function collapseNearest(n: NearestReference): NearestReference {
  return { ...n, label: n.label === NOT_BETALACTAMASE ? BINARY_LABELS[1] : BINARY_LABELS[0] };
}
