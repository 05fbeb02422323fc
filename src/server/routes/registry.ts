// Registry actions over HTTP: promote through the gate, roll back, tag (an admin key when API keys are set).
import type {} from '@fastify/swagger';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';

import { TASKS } from '../../core/domain.ts';
import { isArginatorError } from '../../core/errors.ts';
import type { ModelJson, PromoteResponse, RollbackResponse } from '../../core/model-registry.ts';
import { CHAMPION, scopedAlias } from '../../pipeline/model-catalog.ts';
import type { CatalogEntry, CatalogIndex } from '../../pipeline/model-catalog.ts';
import { promoteModel } from '../../pipeline/promotion-gate.ts';
import { callerOf } from '../api-keys.ts';
import type { AppDeps } from '../app-deps.ts';
import { HttpProblem } from '../problem.ts';

const promoteBody = z.strictObject({
  alias: z.string().min(1).max(60).optional(),
  force: z.boolean().optional(),
});
const rollbackBody = z.strictObject({
  alias: z.string().min(1).max(60).optional(),
  task: z.enum(TASKS).optional(),
});
const tagsBody = z.strictObject({
  tags: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,60}$/), z.string().max(200)),
});

/** The model as the API shows it (GET /v1/models, the registry actions). */
export function modelJson(entry: CatalogEntry, index: CatalogIndex): ModelJson {
  return {
    version: entry.version,
    task: entry.task,
    aliases: Object.entries(index.aliases)
      .filter(([, v]) => v === entry.version)
      .map(([alias]) => alias),
    created_at: entry.createdAt,
    run_id: entry.runId,
    sha256: entry.sha256,
    bytes: entry.bytes,
    metrics: entry.metrics,
    tags: entry.tags,
    gates: entry.gates,
  };
}

/** Registry changes need an admin key once keys are configured; an open server lets anyone. */
function requireAdmin(request: FastifyRequest): void {
  const caller = callerOf(request);
  if (caller.kind !== 'open' && caller.kind !== 'admin') {
    throw new HttpProblem(
      403,
      'registry.admin-only',
      'changing the model registry needs an admin API key',
      'send an admin key (server.admin_api_keys or ARGINATOR_ADMIN_API_KEYS) in X-API-Key',
    );
  }
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    throw new HttpProblem(
      400,
      'registry.bad-request',
      `bad request body: ${result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`,
      'see /docs for the body of this route',
    );
  }
  return result.data;
}

export function registryRoutes(app: FastifyInstance, deps: AppDeps): void {
  // One registry change at a time: a second promotion waits for the first gate instead of
  // comparing against a champion that is about to change.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work);
    queue = run.catch(() => undefined);
    return run;
  };

  app.post<{ Params: { version: string } }>(
    '/v1/models/:version/promote',
    {
      schema: {
        tags: ['models'],
        summary:
          'Promote a version to an alias (champion by default) through the gate; 409 when the gate refuses it (force: true overrides, recorded)',
        body: z.toJSONSchema(promoteBody, { io: 'input' }),
      },
    },
    async (request): Promise<PromoteResponse> => {
      requireAdmin(request);
      const body = parse(promoteBody, request.body);
      return serially(async () => {
        try {
          const { report, index } = await promoteModel(deps.promotion, {
            ref: request.params.version,
            alias: body.alias ?? CHAMPION,
            force: body.force,
          });
          deps.models.refresh();
          request.log.info(
            { model_version: report.version, alias: report.alias, forced: report.forced },
            `promoted ${report.version} to ${report.alias}`,
          );
          return {
            report,
            model: modelJson(deps.registry.locate(index, report.version), index),
          };
        } catch (e) {
          if (isArginatorError(e) && e.reason === 'registry.gate-failed') {
            throw new HttpProblem(409, e.reason, e.message, e.hint);
          }
          if (isArginatorError(e) && e.reason === 'registry.already-promoted') {
            throw new HttpProblem(409, e.reason, e.message, e.hint);
          }
          throw e;
        }
      });
    },
  );

  app.post(
    '/v1/models/rollback',
    {
      schema: {
        tags: ['models'],
        summary:
          'Move an alias (champion by default) back to the version it held before its last move',
        body: z.toJSONSchema(rollbackBody, { io: 'input' }),
      },
    },
    async (request): Promise<RollbackResponse> => {
      requireAdmin(request);
      const body = parse(rollbackBody, request.body);
      return serially(async () => {
        const index = await deps.registry.index();
        const name = body.alias ?? CHAMPION;
        const task = body.task ?? taskOf(index, name);
        const alias = scopedAlias(name, task);
        const { from, to } = await deps.registry.rollback(alias);
        deps.models.refresh();
        request.log.info({ alias, from, to }, `rolled ${alias} back to ${to ?? 'latest'}`);
        return { alias, from, to: to ?? null };
      });
    },
  );

  app.post<{ Params: { version: string } }>(
    '/v1/models/:version/tags',
    {
      schema: {
        tags: ['models'],
        summary: 'Set tags on a version ({"tags": {"k": "v"}}; an empty value removes a tag)',
        body: z.toJSONSchema(tagsBody, { io: 'input' }),
      },
    },
    async (request): Promise<ModelJson> => {
      requireAdmin(request);
      const body = parse(tagsBody, request.body);
      return serially(async () => {
        const version = (await deps.registry.resolve(request.params.version)).version;
        await deps.registry.tag(version, body.tags);
        const index = await deps.registry.index();
        return modelJson(deps.registry.locate(index, version), index);
      });
    },
  );
}

/** The task an alias name is set for, when it names none (multiclass when it is set for none or both). */
function taskOf(index: CatalogIndex, name: string): string {
  if (name.includes(':')) {
    return name.slice(name.indexOf(':') + 1);
  }
  const tasks = [
    ...new Set(
      [...Object.keys(index.aliases), ...index.history.map((e) => e.alias)]
        .filter((a) => a.startsWith(`${name}:`))
        .map((a) => a.slice(name.length + 1)),
    ),
  ];
  if (tasks.length > 1) {
    throw new HttpProblem(
      400,
      'registry.alias-task',
      `alias ${name} is set for several tasks (${tasks.join(', ')})`,
      'give "task" in the body',
    );
  }
  return tasks[0] ?? 'multiclass';
}
