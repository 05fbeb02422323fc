// Reference maps (UMAP, wiring/load-reference-map.ts) for models and jobs: each model's map is fitted once,
// off the request thread (503 while it runs); a job's points are written by its worker after the job completed (map.json; 503 until then).
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { z } from 'zod';

import { ArginatorError } from '../core/errors.ts';
import type { Job } from '../pipeline/jobs/job.ts';
import type { JobFiles, JobStore } from '../pipeline/jobs/ports.ts';
import type { MappedQuery, ReferenceMapFitter } from '../pipeline/reference-map.ts';
import type { ModelCatalog } from '../pipeline/model-catalog.ts';
import type { ReferenceMapService } from '../wiring/load-reference-map.ts';
import { loadOrFitReferenceMap } from '../wiring/load-reference-map.ts';
import type { ModelProvider } from './model-provider.ts';
import { hasMapInput } from './job-map-spill.ts';
import { writeMapUnavailable } from './job-map-writer.ts';
import { HttpProblem } from './problem.ts';
import type { JobMapFiles } from './worker-protocol.ts';
import { serialiseError } from './worker-protocol.ts';

/**
 * A job's map files: its embeddings kept until the map is written (`input`), the GET
 * /v1/jobs/{id}/map body (`map`), or why there is none (`unavailable`). All live in the job's
 * folder, so expiry removes them with the results.
 */
export function jobMapPaths(files: JobFiles, id: string): JobMapFiles {
  const dir = files.dirOf(id);
  return {
    input: join(dir, 'map-input.bin'),
    parts: join(dir, 'map-input.parts'),
    map: join(dir, 'map.json'),
    unavailable: join(dir, 'map-unavailable.json'),
  };
}

export interface JobMapWait {
  /**
   * Waits up to this long for a pending job map instead of answering 503 at once: the original
   * API's /download_plot had the plot as soon as /status said completed (its clients do not retry).
   */
  readonly waitMs?: number | undefined;
}

export interface MapProvider {
  /**
   * The map of a model version, read from disk or fitted (once, however many callers ask) and
   * stored; waits for a running fit. For job workers and start-up, not for requests.
   */
  prepare(version: string): Promise<ReferenceMapService>;
  /** The map of a model version or alias; 503 problem (with Retry-After) while it is being fitted. */
  forModel(ref: string): Promise<ReferenceMapService>;
  /**
   * The file holding the body of GET /v1/jobs/{id}/map (written by the job worker after the job
   * completed); 503 problem (with Retry-After) until it is written, 404 if it failed.
   */
  jobMapFile(job: Job, options?: JobMapWait): Promise<string>;
  /** A completed job's points with its model's map (the images); 503 while either is being made. */
  forJob(
    job: Job,
    options?: JobMapWait,
  ): Promise<{ map: ReferenceMapService; queries: MappedQuery[] }>;
  /** Stops running fits (server shutdown). */
  close(): void;
}

const jobMapSchema = z.object({
  queries: z.array(
    z.object({
      id: z.string(),
      predicted_label: z.string(),
      novelty: z.string(),
      x: z.number(),
      y: z.number(),
    }),
  ),
});

const unavailableSchema = z.object({ reason: z.string(), detail: z.string(), hint: z.string() });

interface Entry {
  readonly ready: Promise<ReferenceMapService>;
  /** Resolves when a fit begins (never, when the map is read from disk). */
  readonly fitStarted: Promise<void>;
  /** Set while the map is being fitted: since when, and how far (0–1). */
  fit: { startedAt: number; fraction: number } | undefined;
  settled: boolean;
}

/** Before the layout reports progress: a typical fit (3,000–4,500 references) takes 10–20 s. */
const DEFAULT_FIT_SECONDS = 15;

/** A guess at a pending job map's wait: UMAP transform places ~1,000 proteins a second (bench/job-vs-cli.ts). */
export function mapSecondsLeft(proteins: number): number {
  return Math.min(60, 1 + Math.ceil(proteins / 1000));
}

/** Seconds until a fit is likely done, from its progress (the epochs are linear in time). */
export function fitSecondsLeft(fit: { startedAt: number; fraction: number }, now: number): number {
  const elapsed = Math.max(0, (now - fit.startedAt) / 1000);
  const left =
    fit.fraction >= 0.15
      ? (elapsed * (1 - fit.fraction)) / fit.fraction
      : DEFAULT_FIT_SECONDS - elapsed;
  return Math.min(600, Math.max(1, Math.ceil(left)));
}

export function createMapProvider(options: {
  models: ModelProvider;
  registry: ModelCatalog;
  modelsDir: string;
  files: JobFiles;
  /** 'worker' (default) fits off the request thread; tests may fit inline. */
  fitter?: 'worker' | 'inline' | ReferenceMapFitter | undefined;
  /** Milliseconds since the epoch (tests). */
  now?: (() => number) | undefined;
  /** Told when a model's map starts being fitted (for the log). */
  onFitStarted?: ((version: string) => void) | undefined;
}): MapProvider {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const stop = new AbortController();

  const entryOf = (version: string): Entry => {
    const existing = entries.get(version);
    if (existing !== undefined) {
      return existing;
    }
    let started: () => void = () => undefined;
    const fitStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const entry: Entry = {
      fitStarted,
      fit: undefined,
      settled: false,
      ready: options.models.base(version).then((model) =>
        loadOrFitReferenceMap(model, options.modelsDir, {
          fitter: options.fitter ?? 'worker',
          signal: stop.signal,
          // Called only when fitting (never when the map is read from disk).
          onProgress: (fraction) => {
            if (entry.fit === undefined) {
              entry.fit = { startedAt: now(), fraction };
              started();
              options.onFitStarted?.(version);
            }
            entry.fit.fraction = fraction;
          },
        }),
      ),
    };
    entries.set(version, entry);
    entry.ready.then(
      () => {
        entry.settled = true;
        entry.fit = undefined;
      },
      () => {
        entry.settled = true;
        entry.fit = undefined;
        entries.delete(version); // the next request tries again
      },
    );
    return entry;
  };

  const forVersion = async (version: string): Promise<ReferenceMapService> => {
    const entry = entryOf(version);
    if (entry.settled) {
      return entry.ready;
    }
    const first = await Promise.race([
      entry.ready.then(() => 'ready' as const),
      entry.fitStarted.then(() => 'fitting' as const),
    ]);
    const fit = entry.fit; // cleared when the fit settles
    if (first === 'fitting' && fit !== undefined) {
      const seconds = fitSecondsLeft(fit, now());
      throw new HttpProblem(
        503,
        'map.fitting',
        `the reference map of model ${version} is being fitted (${Math.round(fit.fraction * 100)}% done); retry in ${seconds} s`,
        `retry in ${seconds} s: each model's map is fitted once (arginator train fits it in advance)`,
        { retryAfterSeconds: seconds },
      );
    }
    return entry.ready;
  };

  const jobMapFileNow = async (job: Job): Promise<string> => {
    if (job.status === 'expired') {
      throw new ArginatorError(
        'NOT_FOUND',
        'job.expired',
        `the map of job ${job.id} was removed when its retention ended (${job.expiresAt ?? ''})`,
        'submit the input again',
      );
    }
    if (job.status !== 'completed') {
      throw new HttpProblem(
        409,
        'job.not-completed',
        `job ${job.id} is ${job.status}; its map exists once it has completed`,
        job.status === 'queued' || job.status === 'running'
          ? 'wait until the job has completed'
          : 'submit the input again',
      );
    }
    const paths = jobMapPaths(options.files, job.id);
    if (
      await stat(paths.map).then(
        (s) => s.isFile(),
        () => false,
      )
    ) {
      return paths.map;
    }
    const why = await readFile(paths.unavailable, 'utf8').then(
      (text) => unavailableSchema.safeParse(JSON.parse(text)).data,
      () => undefined,
    );
    if (why !== undefined) {
      throw new ArginatorError(
        'NOT_FOUND',
        'job.map-unavailable',
        `job ${job.id} completed, but its map could not be made (${why.reason}: ${why.detail})`,
        `the results are complete; ${why.hint === '' ? 'submit the input again for a map' : why.hint}`,
      );
    }
    // Neither file: the worker places the job's points after its tables (recoverJobMaps sees to
    // it after a restart), so the map follows shortly.
    const seconds = mapSecondsLeft(job.proteinsTotal ?? 0);
    throw new HttpProblem(
      503,
      'job.map-pending',
      `job ${job.id} has completed and its results can be downloaded; its map is being computed (retry in ${seconds} s)`,
      `retry in ${seconds} s: a job's map is made after its results, between jobs`,
      { retryAfterSeconds: seconds },
    );
  };

  const jobMapFile = async (job: Job, wait: JobMapWait = {}): Promise<string> => {
    const deadline = now() + (wait.waitMs ?? 0);
    for (;;) {
      try {
        return await jobMapFileNow(job);
      } catch (e) {
        if (!(e instanceof HttpProblem && e.reason === 'job.map-pending') || now() >= deadline) {
          throw e;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };

  return {
    prepare: async (version) => entryOf(version).ready,
    async forModel(ref) {
      return forVersion((await options.registry.resolve(ref)).version);
    },
    jobMapFile,
    async forJob(job, wait) {
      const file = await jobMapFile(job, wait);
      const map = await forVersion(job.modelVersion);
      const body = jobMapSchema.parse(JSON.parse(await readFile(file, 'utf8')));
      const queries: MappedQuery[] = body.queries.map((q) => ({
        id: q.id,
        predictedLabel: q.predicted_label,
        novelty: q.novelty,
        x: q.x,
        y: q.y,
      }));
      return { map, queries };
    },
    close: () => stop.abort(),
  };
}

/** What start-up found of the maps completed jobs still owed when the server stopped. */
export interface MapRecovery {
  /** Re-made from their kept embeddings. */
  readonly remade: readonly string[];
  /** Nothing to make them from (recorded as failed: `map.interrupted`). */
  readonly failed: readonly string[];
}

/**
 * A server stopped between a job's tables and its map leaves a completed job with neither map.json
 * nor map-unavailable.json: its map is made again from map-input.bin, or, without it, recorded as
 * failed, so no job map answers 503 for ever.
 */
export async function recoverJobMaps(
  store: JobStore,
  files: JobFiles,
  mapJob: (job: Job) => void,
): Promise<MapRecovery> {
  const remade: string[] = [];
  const failed: string[] = [];
  const isFile = (path: string): Promise<boolean> =>
    stat(path).then(
      (s) => s.isFile(),
      () => false,
    );
  for (const job of store.withStatus('completed')) {
    const paths = jobMapPaths(files, job.id);
    if ((await isFile(paths.map)) || (await isFile(paths.unavailable))) {
      continue;
    }
    if (await hasMapInput(paths)) {
      mapJob(job);
      remade.push(job.id);
      continue;
    }
    await writeMapUnavailable(
      paths.unavailable,
      job.modelVersion,
      serialiseError(
        new ArginatorError(
          'INTERNAL',
          'map.interrupted',
          'the server stopped after the results were written and before the map was',
          'the results are complete; submit the input again for a map',
        ),
        'the job map',
      ),
    );
    failed.push(job.id);
  }
  return { remade, failed };
}
