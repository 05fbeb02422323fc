// The models the request thread keeps loaded (synchronous /v1/predict, /readyz), chosen by the task rule.
import type { Kernels } from '../core/model/kernels.ts';
import type { PredictionModel } from '../pipeline/predict.ts';
import { createModelCache } from '../wiring/load-model.ts';
import type { ClassifierRuntimeSetting } from '../wiring/onnx-classifier-runtime.ts';
import type { ModelChoice, Task } from '../wiring/task-model.ts';
import { adaptModelToTask, resolveTaskModel } from '../wiring/task-model.ts';

export interface ModelProvider {
  /** The registered model a new job of `task` uses (throws NOT_FOUND when there is none). */
  choose(task: Task): Promise<ModelChoice>;
  /** The loaded model for `task` (loads it on first use). */
  get(task: Task): Promise<PredictionModel>;
  /** The model `version` as trained (not adapted to a task), e.g. for its reference map. */
  base(version: string): Promise<PredictionModel>;
  /** The version loaded for multiclass, if any: readiness. */
  readonly loadedVersion: string | undefined;
  close(): Promise<void>;
}

const REGISTRY_TTL_MS = 1000;

export function createModelProvider(options: {
  modelsDir: string;
  kernels: Kernels;
  threads?: number | undefined;
  /** model.runtime and model.onnx_quantize; undefined: native. */
  runtime?: ClassifierRuntimeSetting | undefined;
}): ModelProvider {
  const models = createModelCache(options.modelsDir, options.kernels, {
    threads: options.threads,
    runtime: options.runtime,
  });
  let loadedVersion: string | undefined;
  // The registry is read at most once a second per task for /v1/predict (reading registry.json on
  // every request cost ~1/10 of the request thread under load); a newly registered model answers
  // within a second. New jobs (choose) always read it.
  const recent = new Map<Task, { at: number; choice: Promise<ModelChoice> }>();
  const resolveRecent = (task: Task): Promise<ModelChoice> => {
    const now = Date.now();
    const hit = recent.get(task);
    if (hit !== undefined && now - hit.at < REGISTRY_TTL_MS) {
      return hit.choice;
    }
    const choice = resolveTaskModel(task, options.modelsDir);
    recent.set(task, { at: now, choice });
    choice.catch(() => recent.delete(task));
    return choice;
  };
  return {
    choose: (task) => resolveTaskModel(task, options.modelsDir),
    async get(task) {
      const choice = await resolveRecent(task);
      const model = adaptModelToTask(await models.get(choice.version), task);
      if (task === 'multiclass' || loadedVersion === undefined) {
        loadedVersion = choice.version;
      }
      return model;
    },
    base: (version) => models.get(version),
    get loadedVersion() {
      return loadedVersion;
    },
    async close() {
      const all = await Promise.allSettled(models.all());
      models.clear();
      for (const r of all) {
        if (r.status === 'fulfilled') {
          await r.value.embedder.close();
        }
      }
    },
  };
}
