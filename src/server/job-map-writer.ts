// A job's map.json (GET /v1/jobs/{id}/map), streamed from the embeddings its classification made (job-map-spill.ts): the proteins are never read or embedded again.
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
import { rename, rm, writeFile } from 'node:fs/promises';

import { isArginatorError } from '../core/errors.ts';
import type { ProjectionMethod } from '../core/map/umap-transform.ts';
import type { ProjectedPoint } from '../pipeline/reference-map.ts';
import { projectionMethodFor } from '../pipeline/reference-map.ts';
import type { SerialisedError } from './worker-protocol.ts';
import { serialiseError } from './worker-protocol.ts';

/** What a map point needs of a classified batch (a MapBatch is one). */
export interface MapBatch {
  readonly proteins: readonly {
    readonly id: string;
    readonly prediction: { readonly label: string; readonly novelty: string };
  }[];
  /** proteins.length × the embedder dimension, row-major. */
  readonly embeddings: Float32Array;
}

/** What the writer needs of a reference map. */
export interface ProjectingMap {
  readonly modelVersion: string;
  project(
    ids: readonly string[],
    embeddings: Float32Array,
    options?: { method?: ProjectionMethod | undefined },
  ): ProjectedPoint[];
}

export interface JobMapWriterOptions {
  /** The model's map; may still be loading (or fitting) when the first batches arrive. */
  readonly map: Promise<ProjectingMap>;
  readonly modelVersion: string;
  /** The job's protein count (known at submission): it chooses the projection for every batch. */
  readonly proteins: number;
  readonly path: string;
  /** Where the reason goes when no map can be made (the job still completes). */
  readonly unavailable: string;
  readonly signal: AbortSignal;
  /**
   * Proteins kept (with their embeddings) while the map is not ready; beyond it the job waits for
   * the map. Default 4,096 (~23 MB of 1,390-d vectors).
   */
  readonly maxPending?: number | undefined;
}

export interface JobMapWriter {
  add(batch: MapBatch): Promise<void>;
  /**
   * After the last batch: closes map.json, or writes map-unavailable.json and returns why.
   * Cancellation (the signal, or a CANCELLED error such as a shutdown stopping a fit) throws and
   * records nothing: the map is still owed, and a restart makes it.
   */
  finish(): Promise<SerialisedError | undefined>;
  /** The job failed: removes the partial map. Never throws. */
  discard(): Promise<void>;
}

/**
 * Places each batch of a completed job (read back from its map-input.bin) on the reference map
 * and appends its points to `map.json` (temp + rename). A map that cannot be had (no references, fit failed) does not fail
 * the job: from then on batches are dropped and finish() writes the reason to `map-unavailable.json`.
 */
export function createJobMapWriter(options: JobMapWriterOptions): JobMapWriter {
  const { path, signal } = options;
  const temp = `${path}.tmp`;
  const method = projectionMethodFor(options.proteins);
  const maxPending = options.maxPending ?? 4096;
  let map: ProjectingMap | undefined;
  let failure: unknown;
  const settled = options.map.then(
    (m) => {
      map = m;
    },
    (e: unknown) => {
      failure = e;
    },
  );
  const pending: MapBatch[] = [];
  let pendingProteins = 0;
  let out: WriteStream | undefined;
  let written = 0;
  const cleared = Promise.all([
    rm(path, { force: true }),
    rm(options.unavailable, { force: true }),
  ]);

  const write = async (text: string): Promise<void> => {
    if (out === undefined) {
      await cleared;
      const stream = createWriteStream(temp);
      // A write still pending when the stream is destroyed (cancel) must not crash the worker.
      stream.on('error', () => undefined);
      out = stream;
      stream.write(
        `{"model_version":${JSON.stringify(map?.modelVersion ?? options.modelVersion)},"projection":"${method}","queries":[`,
      );
    }
    if (!out.write(text)) {
      await once(out, 'drain');
    }
  };

  const place = async (current: ProjectingMap, batch: MapBatch): Promise<void> => {
    const points = current.project(
      batch.proteins.map((p) => p.id),
      batch.embeddings,
      { method },
    );
    const lines = points.map((point, i) => {
      const prediction = batch.proteins[i]?.prediction;
      return JSON.stringify({
        id: point.id,
        predicted_label: prediction?.label ?? '',
        novelty: prediction?.novelty ?? '',
        x: point.x,
        y: point.y,
      });
    });
    await write(`${written > 0 && lines.length > 0 ? ',' : ''}${lines.join(',')}`);
    written += lines.length;
  };

  const drainPending = async (current: ProjectingMap): Promise<void> => {
    while (pending.length > 0) {
      await place(current, pending.shift() as MapBatch);
    }
    pendingProteins = 0;
  };

  return {
    async add(batch) {
      if (failure !== undefined) {
        return;
      }
      try {
        if (map === undefined) {
          pending.push(batch);
          pendingProteins += batch.proteins.length;
          if (pendingProteins < maxPending) {
            return;
          }
          await settled;
          // Set by `settled` (TypeScript cannot see the callback's assignment).
          const ready = map as ProjectingMap | undefined;
          if (ready !== undefined) {
            await drainPending(ready);
          }
          return;
        }
        await drainPending(map);
        await place(map, batch);
      } catch (e) {
        if (signal.aborted) {
          throw e;
        }
        // A map that fails part-way is no map: finish() says why, the job's tables stand.
        failure = e;
      }
    },
    async finish() {
      await settled;
      try {
        if (failure !== undefined || map === undefined) {
          throw failure;
        }
        await drainPending(map);
        await write(']}\n');
        const stream = out as WriteStream;
        await new Promise<void>((ok, fail) =>
          stream.end((e?: Error | null) => (e == null ? ok() : fail(e))),
        );
        await rename(temp, path);
        return undefined;
      } catch (e) {
        await this.discard();
        if (signal.aborted || (isArginatorError(e) && e.code === 'CANCELLED')) {
          throw e;
        }
        const error = serialiseError(e, 'the job map');
        await writeMapUnavailable(options.unavailable, options.modelVersion, error);
        return error;
      }
    },
    async discard() {
      out?.destroy();
      out = undefined;
      pending.length = 0;
      await rm(temp, { force: true });
    },
  };
}

/** Records why a job has no map (the body of its 404 job.map-unavailable). */
export async function writeMapUnavailable(
  path: string,
  modelVersion: string,
  error: SerialisedError,
): Promise<void> {
  await writeFile(
    path,
    JSON.stringify({
      model_version: modelVersion,
      code: error.code,
      reason: error.reason,
      detail: error.message,
      hint: error.hint,
    }),
  );
}
