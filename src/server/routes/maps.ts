// Reference-map routes: /v1/models/{version}/map, /v1/jobs/{id}/map(.png|.svg), /download_plot/{id}.
import { createReadStream } from 'node:fs';

import type {} from '@fastify/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { Job } from '../../pipeline/jobs/job.ts';
import type { AppDeps } from '../app-deps.ts';
import { findJob } from '../job-access.ts';
import type { JobMapWait, MapProvider } from '../job-maps.ts';
import { completedLegacyJob, plotNotFound } from '../legacy-access.ts';

/** How long /download_plot waits for a completed job's map (a map of 1,000 proteins takes ~1 s). */
const LEGACY_PLOT_WAIT_MS = 30_000;

function requestSignal(request: FastifyRequest): AbortSignal {
  const controller = new AbortController();
  request.raw.once('close', () => {
    if (!request.raw.complete || request.raw.destroyed) {
      controller.abort();
    }
  });
  return controller.signal;
}

export function mapRoutes(app: FastifyInstance, deps: AppDeps, maps: MapProvider): void {
  app.get<{ Params: { version: string } }>(
    '/v1/models/:version/map',
    {
      schema: {
        tags: ['models'],
        summary: "The model's reference map (UMAP of its references); 503 while it is fitted",
      },
    },
    async (request) => (await maps.forModel(request.params.version)).referenceMapJson(),
  );

  // The job worker writes the body after the job completed (503 until then): the request thread only streams a file.
  app.get<{ Params: { id: string } }>(
    '/v1/jobs/:id/map',
    { schema: { tags: ['jobs'], summary: "The job's proteins on its model's reference map" } },
    async (request, reply) => {
      const file = await maps.jobMapFile(findJob(deps, request.params.id));
      return reply.type('application/json; charset=utf-8').send(createReadStream(file));
    },
  );

  const png = async (
    job: Job,
    request: FastifyRequest,
    reply: FastifyReply,
    wait: JobMapWait = {},
  ): Promise<FastifyReply> => {
    const { map, queries } = await maps.forJob(job, wait);
    const bytes = await map.png(queries, { signal: requestSignal(request) });
    return reply.type('image/png').send(Buffer.from(bytes));
  };
  app.get<{ Params: { id: string } }>(
    '/v1/jobs/:id/map.png',
    { schema: { tags: ['jobs'], summary: 'The job map as PNG' } },
    (request, reply) => png(findJob(deps, request.params.id), request, reply),
  );
  app.get<{ Params: { id: string } }>(
    '/v1/jobs/:id/map.svg',
    { schema: { tags: ['jobs'], summary: 'The job map as SVG' } },
    async (request, reply) => {
      const { map, queries } = await maps.forJob(findJob(deps, request.params.id));
      return reply
        .type('image/svg+xml')
        .send(await map.svg(queries, { signal: requestSignal(request) }));
    },
  );
  app.get<{ Params: { job_id: string } }>(
    '/download_plot/:job_id',
    {
      schema: {
        tags: ['original'],
        summary: "PNG: the job's proteins on the reference map; 400 until the job has completed",
      },
    },
    // The original's answers: 404 Job not found, 400 Job not finished yet, 404 Plot file not found;
    // a map still being made is waited for (503 with Retry-After only beyond the wait).
    (request, reply) =>
      png(completedLegacyJob(deps, request.params.job_id), request, reply, {
        waitMs: LEGACY_PLOT_WAIT_MS,
      }).catch(plotNotFound),
  );
}
