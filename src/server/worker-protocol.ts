// Messages between the server and its job worker threads (structured-clone data only).
import type { TableFormat } from '../core/domain.ts';
import type { ErrorCode, ErrorLocation } from '../core/errors.ts';
import { ArginatorError, isArginatorError } from '../core/errors.ts';
import type { QuantizeMode } from '../core/model/classifier-graph.ts';
import type { Prediction } from '../core/model/predictor.ts';
import type { JobSummary, JobTask } from '../pipeline/jobs/job.ts';

export interface WorkerInit {
  readonly modelsDir: string;
  /** Embedding threads inside the worker; undefined: one per CPU. */
  readonly threads: number | undefined;
  /** model.runtime and model.onnx_quantize (docs/onnx.md); undefined: native. */
  readonly runtime?:
    { readonly runtime: 'native' | 'onnx'; readonly quantize: QuantizeMode } | undefined;
  /** Model versions a queue chunk thread loads as it starts, so the first chunk does not wait for them. */
  readonly preload?: readonly string[] | undefined;
}

export interface RunMessage {
  readonly type: 'run';
  readonly jobId: string;
  readonly task: JobTask;
  readonly modelVersion: string;
  readonly inputPath: string;
  /** Proteins in the input (counted at submission): the map's projection follows the job's size. */
  readonly proteins: number;
  readonly outputs: Readonly<Record<TableFormat, string>>;
  /**
   * The job's map files: `input` (its embeddings, kept from the classification until the map is
   * written), `map` (the GET /v1/jobs/{id}/map body) or, if the map fails, `unavailable`.
   */
  readonly map: JobMapFiles;
}

/** `input`: the kept embeddings as one file; `parts`: as a folder of chunk spills (redis backend). */
export type JobMapFiles = Readonly<Record<'input' | 'parts' | 'map' | 'unavailable', string>>;

/**
 * Places a completed job's proteins on its map from its `input` file: sent after a restart (the
 * worker queues the map of each job it runs itself, right after the job's `done`).
 */
export interface MapMessage {
  readonly type: 'map';
  readonly jobId: string;
  readonly modelVersion: string;
  readonly proteins: number;
  readonly map: JobMapFiles;
}

/**
 * `map-ready` answers a worker's `map-needed`: the request thread owns fitting (one fit per model,
 * shared with start-up and the map routes); the worker then reads the stored map.
 */
export type ToWorker =
  | RunMessage
  | MapMessage
  | { readonly type: 'cancel'; readonly jobId: string }
  | {
      readonly type: 'map-ready';
      readonly jobId: string;
      readonly error: SerialisedError | undefined;
    };

export interface SerialisedError {
  readonly code: ErrorCode;
  readonly reason: string;
  readonly message: string;
  readonly hint: string;
  readonly location: ErrorLocation;
}

export type FromWorker =
  | { readonly type: 'progress'; readonly jobId: string; readonly done: number }
  | { readonly type: 'map-needed'; readonly jobId: string; readonly modelVersion: string }
  | { readonly type: 'done'; readonly jobId: string; readonly summary: JobSummary }
  | { readonly type: 'failed'; readonly jobId: string; readonly error: SerialisedError }
  /**
   * A completed job's map is written (`error` undefined), recorded as failed (map-unavailable.json),
   * or was interrupted (`interrupted`: nothing recorded, the input file stays for a restart).
   */
  | {
      readonly type: 'map-finished';
      readonly jobId: string;
      readonly error: SerialisedError | undefined;
      readonly interrupted: boolean;
    };

/** One batch of synchronous /v1/predict proteins for the prediction worker (predict-worker.ts). */
export interface ToPredictWorker {
  readonly id: number;
  readonly modelVersion: string;
  readonly task: JobTask;
  readonly ids: readonly string[];
  readonly sequences: readonly string[];
}

export type FromPredictWorker =
  | {
      readonly type: 'predicted';
      readonly id: number;
      readonly predictions: readonly Prediction[];
    }
  | { readonly type: 'failed'; readonly id: number; readonly error: SerialisedError };

/** An error as message data; anything that is not an ArginatorError is an internal one. */
export function serialiseError(e: unknown, where: string): SerialisedError {
  const error = isArginatorError(e)
    ? e
    : new ArginatorError(
        'INTERNAL',
        'job.internal',
        `internal error in ${where} (please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
        'retry the job; if it fails again, report it',
      );
  return {
    code: error.code,
    reason: error.reason,
    message: error.message,
    hint: error.hint,
    location: error.location,
  };
}

export function deserialiseError(e: SerialisedError): ArginatorError {
  return new ArginatorError(e.code, e.reason, e.message, e.hint, e.location);
}
