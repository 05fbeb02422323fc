// The original system's endpoints, same shapes: /submit_job, /status, /download, /download_plot.
import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

import type { AppDeps } from '../app-deps.ts';
import { findJob, requireSomeModel, sendResults, submitFromRequest } from '../job-access.ts';
import { legacyStatusJson } from '../job-json.ts';
import { LEGACY_TASK } from '../job-submission.ts';

const JOB_ID_PARAM = {
  type: 'object',
  properties: { job_id: { type: 'string', format: 'uuid' } },
} as const;

export function legacyRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.post(
    '/submit_job',
    {
      schema: {
        tags: ['original'],
        summary: 'Submit FASTA (multipart: file, classification_type = Binary | Multiclass)',
        consumes: ['multipart/form-data'],
      },
    },
    async (request, reply) => {
      await requireSomeModel(deps);
      const { job } = await submitFromRequest(deps, request, LEGACY_TASK);
      return reply.send({ job_id: job.id, status: job.status });
    },
  );

  app.get<{ Params: { job_id: string } }>(
    '/status/:job_id',
    {
      schema: { tags: ['original'], summary: 'Status and progress (0-100)', params: JOB_ID_PARAM },
    },
    (request) => legacyStatusJson(findJob(deps, request.params.job_id)),
  );

  app.get<{ Params: { job_id: string } }>(
    '/download/:job_id',
    { schema: { tags: ['original'], summary: 'The prediction table (CSV)', params: JOB_ID_PARAM } },
    async (request, reply) => sendResults(deps, reply, findJob(deps, request.params.job_id), 'csv'),
  );
}
