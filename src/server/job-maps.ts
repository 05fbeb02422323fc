// Reference maps (UMAP, by the map module in wiring/load-reference-map.ts) for models and jobs, cached:
// a model's map in memory (and on disk by the module), a job's query points in its folder (map.json).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { z } from 'zod';

import type { ProteinRecord } from '../core/sequence/protein-record.ts';
import { readFastaFile } from '../io/fasta-source.ts';
import type { Job } from '../pipeline/jobs/job.ts';
import type { JobFiles } from '../pipeline/jobs/ports.ts';
import type { MappedQuery, ReferenceMapFitter } from '../pipeline/reference-map.ts';
import { projectionMethodFor } from '../pipeline/reference-map.ts';
import type { FsModelRegistry } from '../store/fs-model-registry.ts';
import { writeFileAtomic } from '../store/fs-run-tracker.ts';
import type { ReferenceMapService } from '../wiring/load-reference-map.ts';
import { loadOrFitReferenceMap } from '../wiring/load-reference-map.ts';
import type { ModelProvider } from './model-provider.ts';
import { HttpProblem } from './problem.ts';

export interface MapProvider {
  /** The reference map of a model version or alias (fitted once, then read from disk). */
  forModel(ref: string): Promise<ReferenceMapService>;
  /** A completed job's proteins placed on its model's map. */
  forJob(
    job: Job,
    signal?: AbortSignal,
  ): Promise<{ map: ReferenceMapService; queries: MappedQuery[] }>;
}

const rowsSchema = z.array(
  z.object({ protein_id: z.string(), predicted_label: z.string(), novelty: z.string() }),
);
const queriesSchema = z.array(
  z.object({
    id: z.string(),
    predictedLabel: z.string(),
    novelty: z.string(),
    x: z.number(),
    y: z.number(),
  }),
);

export function createMapProvider(options: {
  models: ModelProvider;
  registry: FsModelRegistry;
  modelsDir: string;
  files: JobFiles;
  /** 'worker' (default) fits off the request thread; tests may fit inline. */
  fitter?: 'worker' | 'inline' | ReferenceMapFitter | undefined;
}): MapProvider {
  const maps = new Map<string, Promise<ReferenceMapService>>();
  const byVersion = (version: string): Promise<ReferenceMapService> => {
    let map = maps.get(version);
    if (map === undefined) {
      map = options.models
        .base(version)
        .then((model) =>
          loadOrFitReferenceMap(model, options.modelsDir, { fitter: options.fitter ?? 'worker' }),
        );
      maps.set(version, map);
      map.catch(() => maps.delete(version));
    }
    return map;
  };
  return {
    async forModel(ref) {
      return byVersion((await options.registry.resolve(ref)).version);
    },
    async forJob(job, signal) {
      if (job.status !== 'completed') {
        throw new HttpProblem(
          409,
          'job.not-completed',
          `job ${job.id} is ${job.status}; its map exists once it has completed`,
          'wait until the job has completed',
        );
      }
      const map = await byVersion(job.modelVersion);
      const cache = join(options.files.dirOf(job.id), 'map.json');
      const cached = await readFile(cache, 'utf8').catch(() => undefined);
      if (cached !== undefined) {
        return { map, queries: queriesSchema.parse(JSON.parse(cached)) };
      }
      const rows = rowsSchema.parse(
        JSON.parse(await readFile(options.files.resultPath(job.id, 'json'), 'utf8')),
      );
      const records: ProteinRecord[] = [];
      for await (const r of readFastaFile(options.files.inputPath(job.id), { signal })) {
        records.push(r);
      }
      const points = await map.projectRecords(records, {
        signal,
        method: projectionMethodFor(records.length),
      });
      const queries: MappedQuery[] = points.map((p, i) => ({
        id: p.id,
        predictedLabel: rows[i]?.predicted_label ?? '',
        novelty: rows[i]?.novelty ?? '',
        x: p.x,
        y: p.y,
      }));
      await writeFileAtomic(cache, JSON.stringify(queries));
      return { map, queries };
    },
  };
}
