// Reference-map routes: /v1/models/{version}/map, /v1/jobs/{id}/map(.png|.svg), /download_plot/{id}.
import type {} from '@fastify/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { AppDeps } from '../app-deps.ts';
import { findJob } from '../job-access.ts';
import type { MapProvider } from '../job-maps.ts';

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
    { schema: { tags: ['models'], summary: "The model's reference map (UMAP of its references)" } },
    async (request) => (await maps.forModel(request.params.version)).referenceMapJson(),
  );

  const jobMap = (id: string, request: FastifyRequest) =>
    maps.forJob(findJob(deps, id), requestSignal(request));

  app.get<{ Params: { id: string } }>(
    '/v1/jobs/:id/map',
    { schema: { tags: ['jobs'], summary: "The job's proteins on its model's reference map" } },
    async (request) => {
      const { map, queries } = await jobMap(request.params.id, request);
      return map.queriesJson(queries);
    },
  );

  const png = async (
    id: string,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply> => {
    const { map, queries } = await jobMap(id, request);
    const bytes = await map.png(queries, { signal: requestSignal(request) });
    return reply.type('image/png').send(Buffer.from(bytes));
  };
  app.get<{ Params: { id: string } }>(
    '/v1/jobs/:id/map.png',
    { schema: { tags: ['jobs'], summary: 'The job map as PNG' } },
    (request, reply) => png(request.params.id, request, reply),
  );
  app.get<{ Params: { id: string } }>(
    '/v1/jobs/:id/map.svg',
    { schema: { tags: ['jobs'], summary: 'The job map as SVG' } },
    async (request, reply) => {
      const { map, queries } = await jobMap(request.params.id, request);
      return reply.type('image/svg+xml').send(await map.svg(queries));
    },
  );
  app.get<{ Params: { job_id: string } }>(
    '/download_plot/:job_id',
    { schema: { tags: ['original'], summary: "PNG: the job's proteins on the reference map" } },
    (request, reply) => png(request.params.job_id, request, reply),
  );
}
