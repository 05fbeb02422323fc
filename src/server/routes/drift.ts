// Drift monitoring: POST /v1/drift (a job, a window of jobs, an upload), its checks, the reports (latest, history, one).
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import type {} from '@fastify/swagger';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';

import { TASKS } from '../../core/domain.ts';
import type { DriftHistoryItemJson, DriftReportJson } from '../../core/drift/drift-contract.ts';
import { parseDuration } from '../../core/drift/duration.ts';
import { ArginatorError, isArginatorError, usageError } from '../../core/errors.ts';
import type { StoredDriftReport } from '../../pipeline/drift.ts';
import { callerOf, listOwner } from '../api-keys.ts';
import type { AppDeps } from '../app-deps.ts';
import { driftCheckJson, type DriftCheckRequest } from '../drift-checks.ts';
import {
  checkMinProteins,
  jobCheck,
  windowCheck,
  type DriftRequestDeps,
} from '../drift-requests.ts';
import { checkJobAccess, findJob } from '../job-access.ts';
import { readJobInput, V1_TASK } from '../job-submission.ts';
import { inServerTerms } from '../limit-hints.ts';
import { HttpProblem } from '../problem.ts';

const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });
const problem = {
  description: 'application/problem+json (docs/api.md)',
  type: 'object',
  additionalProperties: true,
};

/** POST /v1/drift's JSON body when the current set is a job or a window (an upload is multipart, or JSON with fasta/sequences). */
export const driftRequestSchema = z
  .strictObject({
    job_id: z.uuid().optional().describe('A completed job: its proteins, with its model'),
    window: z
      .string()
      .optional()
      .describe('The completed jobs submitted in the last window (90m, 24h, 7d)'),
    since: z.iso.datetime({ offset: true }).optional().describe('Window start (ISO 8601)'),
    until: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('Window end (ISO 8601; default now); with since or window'),
    task: z
      .enum(TASKS)
      .optional()
      .describe('Whose serving model predicts a window (default monitoring.task)'),
  })
  .refine((b) => [b.job_id, b.window, b.since].filter((x) => x !== undefined).length === 1, {
    message: "give exactly one of 'job_id', 'window' and 'since'",
  })
  .refine((b) => b.until === undefined || b.job_id === undefined, {
    message: "'until' goes with 'window' or 'since', not 'job_id'",
  });

const historyQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });

const EXAMPLE =
  '{"window": "24h"}, {"job_id": "<uuid>"}, or multipart: -F file=@proteins.faa -F task=multiclass';

function badBody(issues: readonly z.core.$ZodIssue[]): ArginatorError {
  return usageError(
    'http.bad-body',
    `the request body is not valid (${issues.map((i) => `${i.path.length === 0 ? 'body' : i.path.join('.')}: ${i.message}`).join('; ')})`,
    `send ${EXAMPLE}`,
  );
}

function reportJson(stored: StoredDriftReport): DriftReportJson {
  return {
    id: stored.id,
    createdAt: stored.createdAt,
    trigger: stored.trigger ?? null,
    ...stored.report,
    histograms: stored.histograms ?? [],
  };
}

function historyItem(stored: StoredDriftReport): DriftHistoryItemJson {
  const r = stored.report;
  return {
    id: stored.id,
    createdAt: stored.createdAt,
    trigger: stored.trigger ?? null,
    model: r.model,
    drift: r.drift,
    share: r.share,
    driftedFeatures: r.driftedFeatures,
    featureCount: r.features.length,
    noveltyRate: r.novelty?.rate ?? null,
    classifierAuc: r.multivariate.classifier.statistic,
    current: r.current,
  };
}

function noModel(e: unknown): never {
  if (isArginatorError(e) && e.reason === 'model.none-registered') {
    throw new HttpProblem(503, 'model.none-registered', e.message, e.hint);
  }
  throw e;
}

/** Is the body an upload (multipart, or JSON with fasta/sequences) rather than a job or a window? */
function isUpload(request: FastifyRequest): boolean {
  if (request.isMultipart()) {
    return true;
  }
  const body = request.body as Record<string, unknown> | null | undefined;
  return typeof body === 'object' && body !== null && ('fasta' in body || 'sequences' in body);
}

export function driftRoutes(app: FastifyInstance, deps: AppDeps): void {
  const service = deps.driftService;
  const requestDeps = (): DriftRequestDeps => ({
    store: deps.store,
    files: deps.files,
    models: deps.models,
    minProteins: service?.settings.min_proteins ?? 2,
  });

  /** The check of a job or a window (JSON body). */
  async function jobsRequest(request: FastifyRequest): Promise<DriftCheckRequest> {
    const parsed = driftRequestSchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      throw badBody(parsed.error.issues);
    }
    const body = parsed.data;
    if (body.job_id !== undefined) {
      checkJobAccess(deps, request, body.job_id);
      return jobCheck(requestDeps(), findJob(deps, body.job_id), 'api');
    }
    const until = body.until === undefined ? deps.now() : new Date(body.until);
    let since: Date;
    let describe: string;
    if (body.window !== undefined) {
      const ms = parseDuration(body.window);
      if (ms === undefined) {
        throw usageError(
          'http.bad-window',
          `'window' must be a duration like 90m, 24h or 7d, got '${body.window.slice(0, 40)}'`,
          'e.g. {"window": "24h"} (the completed jobs submitted in the last 24 hours)',
        );
      }
      since = new Date(until.getTime() - ms);
      describe =
        body.until === undefined
          ? `in the last ${body.window}`
          : `in the ${body.window} before ${until.toISOString()}`;
    } else {
      since = new Date(body.since as string);
      describe = `from ${since.toISOString()} to ${until.toISOString()}`;
    }
    if (since.getTime() >= until.getTime()) {
      throw usageError(
        'http.bad-window',
        `the window starts (${since.toISOString()}) at or after its end (${until.toISOString()})`,
        "give a 'since' before 'until'",
      );
    }
    return windowCheck(
      requestDeps(),
      { since, until, owner: listOwner(callerOf(request)), describe },
      body.task ?? service?.settings.task ?? 'multiclass',
      'api',
    ).catch(noModel);
  }

  /** The check of an uploaded FASTA: read with the job routes' conventions and limits. */
  async function uploadRequest(
    request: FastifyRequest,
    uploadsDir: string,
  ): Promise<DriftCheckRequest> {
    const s = deps.settings;
    await deps.models.choose('binary').catch(noModel);
    await mkdir(uploadsDir, { recursive: true });
    const path = join(uploadsDir, `${randomUUID()}.faa`);
    const controller = new AbortController();
    const onClose = (): void => {
      if (!request.raw.complete) {
        controller.abort();
      }
    };
    request.raw.once('close', onClose);
    try {
      const input = await readJobInput(
        request,
        path,
        {
          maxBytes: s.max_upload_bytes,
          maxProteins: s.max_proteins,
          maxSequenceLength: s.max_sequence_length,
        },
        V1_TASK,
        controller.signal,
      ).catch((e: unknown) => {
        throw inServerTerms(e, s, 'job');
      });
      try {
        checkMinProteins(
          input.proteins,
          requestDeps().minProteins,
          `the upload (${input.inputName})`,
        );
        const choice = await deps.models.choose(input.task).catch(noModel);
        return {
          trigger: 'api',
          source: `upload ${input.inputName}`,
          modelVersion: choice.version,
          task: input.task,
          inputs: [path],
          proteins: input.proteins,
          owned: [path],
        };
      } catch (e) {
        await rm(path, { force: true });
        throw e;
      }
    } finally {
      request.raw.off('close', onClose);
    }
  }

  app.post(
    '/v1/drift',
    {
      schema: {
        tags: ['monitoring'],
        summary:
          'Start a drift check: JSON {job_id} | {window} | {since, until}, or an upload (multipart file parts + task, or JSON {task, fasta | sequences}); 202 with the check (poll its links.self)',
        consumes: ['application/json', 'multipart/form-data'],
        body: z.toJSONSchema(driftRequestSchema, { io: 'input', unrepresentable: 'any' }),
        response: {
          202: ref('DriftCheck'),
          400: problem,
          404: problem,
          422: problem,
          503: problem,
        },
      },
    },
    async (request, reply) => {
      if (service === undefined) {
        throw new HttpProblem(
          503,
          'drift.unavailable',
          'this server runs no drift checks',
          "start it with 'arginator serve' (drift checks are part of the service)",
        );
      }
      const check = service.checks.submit(
        isUpload(request)
          ? await uploadRequest(request, service.uploadsDir)
          : await jobsRequest(request),
      );
      const json = driftCheckJson(check);
      return reply.code(202).header('location', json.links.self).send(json);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/drift/checks/:id',
    {
      schema: {
        tags: ['monitoring'],
        summary: "A drift check's state and progress; links.report once it has completed",
        params: { type: 'object', properties: { id: { type: 'string' } } },
        response: { 200: ref('DriftCheck'), 404: problem },
      },
    },
    (request) => {
      const check = service?.checks.get(request.params.id);
      if (check === undefined) {
        throw new ArginatorError(
          'NOT_FOUND',
          'drift.no-check',
          `no drift check '${request.params.id.slice(0, 80)}' (checks are kept in memory until the server restarts; their reports stay)`,
          'use the id POST /v1/drift returned; GET /v1/drift lists the reports',
        );
      }
      return driftCheckJson(check);
    },
  );

  app.get(
    '/v1/drift',
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Drift reports, newest first (?limit=, default 50): the decision of each',
        querystring: z.toJSONSchema(historyQuery, { io: 'input', unrepresentable: 'any' }),
        response: { 200: ref('DriftHistory'), 400: problem },
      },
      attachValidation: true,
    },
    async (request) => {
      const q = historyQuery.safeParse(request.query);
      if (!q.success) {
        throw usageError(
          'http.bad-query',
          `bad query parameters (${q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`,
          'e.g. /v1/drift?limit=20',
        );
      }
      const reports = (await deps.drift?.history(q.data.limit)) ?? [];
      return { reports: reports.map(historyItem) };
    },
  );

  app.get(
    '/v1/drift/latest',
    {
      schema: {
        tags: ['monitoring'],
        summary:
          "The latest drift report (arginator drift's JSON with its id, time, trigger and histograms; docs/monitoring.md)",
        response: { 200: ref('DriftReport'), 404: problem },
      },
    },
    async () => {
      const latest = await deps.drift?.latest();
      if (latest === undefined) {
        throw new ArginatorError(
          'NOT_FOUND',
          'drift.none',
          'no drift check has been recorded yet',
          "POST /v1/drift, or run 'arginator drift --since 24h' (or --current FILE) with this server's ARGINATOR_HOME",
        );
      }
      return reportJson(latest);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/drift/reports/:id',
    {
      schema: {
        tags: ['monitoring'],
        summary: 'One drift report by id (as GET /v1/drift lists them)',
        params: { type: 'object', properties: { id: { type: 'string' } } },
        response: { 200: ref('DriftReport'), 404: problem },
      },
    },
    async (request) => {
      const stored = await deps.drift?.get(request.params.id);
      if (stored === undefined) {
        throw new ArginatorError(
          'NOT_FOUND',
          'drift.no-report',
          `no drift report '${request.params.id.slice(0, 80)}'`,
          'GET /v1/drift lists the reports and their ids',
        );
      }
      return reportJson(stored);
    },
  );
}
