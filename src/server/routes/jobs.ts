// /v1/jobs: create (upload or JSON), list, get, cancel, events (SSE), results.
import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

import { DEFAULT_TABLE_FORMAT, TABLE_FORMATS } from '../../core/domain.ts';
import { usageError } from '../../core/errors.ts';
import { isFinished, JOB_STATUSES } from '../../pipeline/jobs/job.ts';
import type { Job } from '../../pipeline/jobs/job.ts';
import { callerOf, listOwner } from '../api-keys.ts';
import type { AppDeps } from '../app-deps.ts';
import { findJob, requireSomeModel, sendResults, submitFromRequest } from '../job-access.ts';
import { jobJson } from '../job-json.ts';
import { jsonInputSchema, V1_TASK } from '../job-submission.ts';

const ID_PARAM = {
  type: 'object',
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;

const listQuery = z.object({
  status: z.enum(JOB_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z
    .string()
    .regex(/^\d{1,15}$/)
    .optional(),
});

const resultsQuery = z.object({ format: z.enum(TABLE_FORMATS).default(DEFAULT_TABLE_FORMAT) });

/**
 * A query's schema for /openapi.json only: `attachValidation` lets the route's own zod parse (and
 * its problem+json with an example) judge the query, so the document and the check share one schema.
 */
function documentedQuery(schema: z.ZodType): { querystring: Record<string, unknown> } {
  return { querystring: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) };
}

function parseQuery<T>(schema: z.ZodType<T>, query: unknown, example: string): T {
  const result = schema.safeParse(query);
  if (!result.success) {
    throw usageError(
      'http.bad-query',
      `bad query parameters (${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`,
      `e.g. ${example}`,
    );
  }
  return result.data;
}

/** Server-Sent Events keep-alive: proxies drop silent connections. */
const HEARTBEAT_MS = 15_000;

export function jobRoutes(app: FastifyInstance, deps: AppDeps): void {
  // Open event streams end when the server closes (otherwise close would wait for the clients).
  const streams = new Set<() => void>();
  app.addHook('preClose', (done) => {
    for (const end of streams) {
      end();
    }
    done();
  });

  app.post(
    '/v1/jobs',
    {
      schema: {
        tags: ['jobs'],
        summary:
          'Create a job: multipart (file parts + task) or JSON {task, sequences | fasta}; Idempotency-Key optional',
        consumes: ['multipart/form-data', 'application/json'],
        body: z.toJSONSchema(jsonInputSchema, { io: 'input', unrepresentable: 'any' }),
      },
    },
    async (request, reply) => {
      await requireSomeModel(deps);
      const { job, created } = await submitFromRequest(deps, request, V1_TASK);
      return reply.code(created ? 201 : 200).send(jobJson(job));
    },
  );

  app.get(
    '/v1/jobs',
    {
      schema: {
        tags: ['jobs'],
        summary:
          "List jobs, newest first (?status=&limit=&cursor=); with API keys, the key's own jobs (an admin key: all)",
        ...documentedQuery(listQuery),
      },
      attachValidation: true,
    },
    (request) => {
      const q = parseQuery(listQuery, request.query, '/v1/jobs?status=completed&limit=20');
      const page = deps.store.list({
        status: q.status,
        limit: q.limit,
        before: q.cursor,
        owner: listOwner(callerOf(request)),
      });
      return { jobs: page.jobs.map(jobJson), next_cursor: page.nextCursor };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/jobs/:id',
    { schema: { tags: ['jobs'], summary: 'One job', params: ID_PARAM } },
    (request) => jobJson(findJob(deps, request.params.id)),
  );

  const cancel = async (id: string): Promise<ReturnType<typeof jobJson>> => {
    findJob(deps, id);
    deps.runner.cancel(id);
    await deps.runner.settled(id);
    return jobJson(findJob(deps, id));
  };
  app.post<{ Params: { id: string } }>(
    '/v1/jobs/:id/cancel',
    { schema: { tags: ['jobs'], summary: 'Cancel a queued or running job', params: ID_PARAM } },
    async (request) => cancel(request.params.id),
  );
  app.delete<{ Params: { id: string } }>(
    '/v1/jobs/:id',
    { schema: { tags: ['jobs'], summary: 'Cancel a queued or running job', params: ID_PARAM } },
    async (request) => cancel(request.params.id),
  );

  app.get<{ Params: { id: string } }>(
    '/v1/jobs/:id/results',
    {
      schema: {
        tags: ['jobs'],
        summary: 'The prediction table (?format=csv|tsv|json)',
        params: ID_PARAM,
        ...documentedQuery(resultsQuery),
      },
      attachValidation: true,
    },
    (request, reply) => {
      // The query is judged by parseQuery; the path's id by the schema, as on the other routes.
      if (request.validationError?.validationContext === 'params') {
        throw request.validationError;
      }
      const { format } = parseQuery(resultsQuery, request.query, '?format=tsv');
      return sendResults(deps, reply, findJob(deps, request.params.id), format);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/jobs/:id/events',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Server-Sent Events: progress on every change, then done',
        params: ID_PARAM,
      },
    },
    (request, reply) => {
      const first = findJob(deps, request.params.id);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-request-id': request.id,
      });
      let closed = false;
      const send = (event: string, job: Job): void => {
        res.write(`event: ${event}\ndata: ${JSON.stringify(jobJson(job))}\n\n`);
      };
      const finish = (job: Job): void => {
        if (closed) {
          return;
        }
        closed = true;
        send('done', job);
        cleanup();
        res.end();
      };
      const unsubscribe = deps.events.subscribe(first.id, (job) => {
        if (closed) {
          return;
        }
        send('progress', job);
        if (isFinished(job.status) || job.status === 'expired') {
          finish(job);
        }
      });
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
      const cleanup = (): void => {
        streams.delete(endStream);
        unsubscribe();
        clearInterval(heartbeat);
      };
      const endStream = (): void => {
        closed = true;
        cleanup();
        res.end();
      };
      streams.add(endStream);
      request.raw.once('close', () => {
        closed = true;
        cleanup();
      });
      send('progress', first);
      if (isFinished(first.status) || first.status === 'expired') {
        finish(first);
      }
    },
  );
}
