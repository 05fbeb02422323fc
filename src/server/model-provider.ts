// The models the request thread keeps loaded (synchronous /v1/predict, /readyz), chosen by the task rule; switches champions without a mixed request.
import type { Kernels } from '../core/model/kernels.ts';
import type { ModelCatalog, ModelChoice } from '../pipeline/model-catalog.ts';
import type { PredictionModel } from '../pipeline/predict.ts';
import { createModelCache } from '../wiring/load-model.ts';
import type { ClassifierRuntimeSetting } from '../wiring/onnx-classifier-runtime.ts';
import type { Task } from '../wiring/task-model.ts';
import { adaptModelToTask, resolveTaskModel } from '../wiring/task-model.ts';

export interface ModelProvider {
  /** The registered model a new job of `task` uses (throws NOT_FOUND when there is none). */
  choose(task: Task): Promise<ModelChoice>;
  /**
   * The loaded model for `task` (loads it on first use). Once a task has a model, a newly chosen
   * one is loaded in the background and served from the first request after it has loaded: until
   * then the previous one answers, so no request waits for a load or fails on a model that cannot
   * be loaded (a checksum mismatch is logged and the previous model goes on serving).
   */
  get(task: Task): Promise<PredictionModel>;
  /** The challenger that shadows `task`'s model, loaded, if one is set (undefined otherwise). */
  challenger(task: Task): Promise<PredictionModel | undefined>;
  /** The model `version` as trained (not adapted to a task), e.g. for its reference map. */
  base(version: string): Promise<PredictionModel>;
  /** Forgets the cached choice, so the next request reads the registry (after a promotion). */
  refresh(): void;
  /** The version loaded for multiclass, if any: readiness. */
  readonly loadedVersion: string | undefined;
  close(): Promise<void>;
}

const REGISTRY_TTL_MS = 1000;
/** A version whose load failed is tried again after this long (not on every request). */
const RETRY_FAILED_MS = 10_000;

interface Loaded {
  readonly version: string;
  readonly model: Promise<PredictionModel>;
}

interface TaskState {
  current: Loaded | undefined;
  pending: Loaded | undefined;
  refused: { version: string; at: number } | undefined;
}

export function createModelProvider(options: {
  catalog: ModelCatalog;
  kernels: Kernels;
  threads?: number | undefined;
  /** Told when a task's served model changes, or when a newly chosen model cannot be loaded. */
  onSwitch?: ((task: Task, from: string, to: string) => void) | undefined;
  onLoadFailed?: ((task: Task, version: string, error: unknown) => void) | undefined;
  now?: (() => number) | undefined;
  /** model.runtime and model.onnx_quantize; undefined: native. */
  runtime?: ClassifierRuntimeSetting | undefined;
}): ModelProvider {
  const now = options.now ?? Date.now;
  const cache = createModelCache(options.catalog, options.kernels, {
    threads: options.threads,
    runtime: options.runtime,
  });
  // Versions whose load has finished: a switch to one of them (e.g. the champion the gate has
  // just loaded) takes effect from the very next request, not one request later.
  const ready = new Map<string, Loaded>();
  const models = {
    get(version: string): Promise<PredictionModel> {
      const model = cache.get(version);
      if (!ready.has(version)) {
        model.then(
          () => ready.set(version, { version, model }),
          () => undefined,
        );
      }
      return model;
    },
  };
  let loadedVersion: string | undefined;
  // The registry is read at most once a second per task for /v1/predict (reading registry.json on
  // every request cost ~1/10 of the request thread under load); a newly registered or promoted
  // model answers within a second (at once after refresh()). New jobs (choose) always read it.
  const recent = new Map<Task, { at: number; choice: Promise<ModelChoice> }>();
  const resolveRecent = (task: Task): Promise<ModelChoice> => {
    const at = now();
    const hit = recent.get(task);
    if (hit !== undefined && at - hit.at < REGISTRY_TTL_MS) {
      return hit.choice;
    }
    const choice = resolveTaskModel(task, options.catalog);
    recent.set(task, { at, choice });
    choice.catch(() => recent.delete(task));
    return choice;
  };
  const states = new Map<Task, TaskState>();
  const stateOf = (task: Task): TaskState => {
    let state = states.get(task);
    if (state === undefined) {
      state = { current: undefined, pending: undefined, refused: undefined };
      states.set(task, state);
    }
    return state;
  };

  /** The Loaded a request of `task` uses now: current until the chosen one has loaded. */
  const serving = (task: Task, choice: ModelChoice): Loaded => {
    const state = stateOf(task);
    const current = state.current;
    if (current?.version === choice.version) {
      state.pending = undefined;
      return current;
    }
    if (current === undefined) {
      // Nothing served yet: this request waits for the load (and fails with it).
      const loaded: Loaded = { version: choice.version, model: models.get(choice.version) };
      state.current = loaded;
      loaded.model.catch(() => {
        if (state.current === loaded) {
          state.current = undefined;
        }
      });
      return loaded;
    }
    const loadedAlready = ready.get(choice.version);
    if (loadedAlready !== undefined) {
      state.current = loadedAlready;
      state.pending = undefined;
      state.refused = undefined;
      options.onSwitch?.(task, current.version, loadedAlready.version);
      return loadedAlready;
    }
    const refused = state.refused;
    const retry =
      refused === undefined ||
      refused.version !== choice.version ||
      now() - refused.at >= RETRY_FAILED_MS;
    if (state.pending?.version !== choice.version && retry) {
      const pending: Loaded = { version: choice.version, model: models.get(choice.version) };
      state.pending = pending;
      pending.model.then(
        () => {
          if (state.pending === pending) {
            const from = state.current?.version;
            state.current = pending;
            state.pending = undefined;
            state.refused = undefined;
            if (from !== undefined) {
              options.onSwitch?.(task, from, pending.version);
            }
          }
        },
        (e: unknown) => {
          if (state.pending === pending) {
            state.pending = undefined;
            state.refused = { version: pending.version, at: now() };
            options.onLoadFailed?.(task, pending.version, e);
          }
        },
      );
    }
    return current;
  };

  return {
    choose: (task) => resolveTaskModel(task, options.catalog),
    async get(task) {
      const choice = await resolveRecent(task);
      const loaded = serving(task, choice);
      const model = adaptModelToTask(await loaded.model, task);
      if (task === 'multiclass' || loadedVersion === undefined) {
        loadedVersion = loaded.version;
      }
      return model;
    },
    async challenger(task) {
      const choice = await resolveRecent(task).catch(() => undefined);
      if (choice?.challenger === undefined) {
        return undefined;
      }
      return adaptModelToTask(await models.get(choice.challenger), task);
    },
    base: (version) => models.get(version),
    refresh() {
      recent.clear();
    },
    get loadedVersion() {
      return loadedVersion;
    },
    async close() {
      const all = await Promise.allSettled(cache.all());
      cache.clear();
      ready.clear();
      for (const r of all) {
        if (r.status === 'fulfilled') {
          await r.value.embedder.close();
        }
      }
    },
  };
}
