// The original system's endpoints, same shapes: /submit_job, /status, /download (/download_plot: maps.ts).
import { createReadStream } from 'node:fs';

import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

import type { Job } from '../../pipeline/jobs/job.ts';
import type { AppDeps } from '../app-deps.ts';
import { requireSomeModel, submitFromRequest } from '../job-access.ts';
import { legacyStatusJson } from '../job-json.ts';
import { LEGACY_TASK } from '../job-submission.ts';
import { completedLegacyJob, legacyJob } from '../legacy-access.ts';
import type { Preview } from '../legacy-preview.ts';
import { previewOfCsvFile } from '../legacy-preview.ts';

// Any string: the original answered 404 "Job not found" for ids that are not UUIDs, not 400/422.
const JOB_ID_PARAM = {
  type: 'object',
  properties: { job_id: { type: 'string' } },
} as const;

/** Completed jobs whose previews are kept (a preview reads the whole table once; it never changes). */
const PREVIEW_CACHE_SIZE = 500;

export function legacyRoutes(app: FastifyInstance, deps: AppDeps): void {
  const previews = new Map<string, Promise<Preview>>();
  const previewOf = (job: Job): Promise<Preview> => {
    const cached = previews.get(job.id);
    if (cached !== undefined) {
      return cached;
    }
    const preview = previewOfCsvFile(deps.files.resultPath(job.id, 'csv'));
    previews.set(job.id, preview);
    preview.catch(() => previews.delete(job.id)); // the next request reads again
    if (previews.size > PREVIEW_CACHE_SIZE) {
      const oldest = previews.keys().next();
      if (oldest.done !== true) {
        previews.delete(oldest.value);
      }
    }
    return preview;
  };

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
      return reply.send({ job_id: job.id, status: 'submitted' });
    },
  );

  app.get<{ Params: { job_id: string } }>(
    '/status/:job_id',
    {
      schema: {
        tags: ['original'],
        summary:
          'status processing | completed | failed, progress 0-100, filename, result {classification_type, preview} once completed, error',
        params: JOB_ID_PARAM,
      },
    },
    async (request) => {
      const job = legacyJob(deps, request.params.job_id);
      const preview = job.status === 'completed' ? await previewOf(job) : undefined;
      return legacyStatusJson(job, preview);
    },
  );

  app.get<{ Params: { job_id: string } }>(
    '/download/:job_id',
    {
      schema: {
        tags: ['original'],
        summary: 'The prediction table (CSV); 400 until the job has completed',
        params: JOB_ID_PARAM,
      },
    },
    (request, reply) => {
      const job = completedLegacyJob(deps, request.params.job_id);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${job.id}_results.csv"`)
        .send(createReadStream(deps.files.resultPath(job.id, 'csv')));
    },
  );
}
