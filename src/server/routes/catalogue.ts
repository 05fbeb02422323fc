// Read-only views of the model registry (its actions: routes/registry.ts) and the training runs: /v1/models, /v1/runs, run plots.
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';

import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

import { ArginatorError } from '../../core/errors.ts';
import type { RunRecord } from '../../pipeline/ports.ts';
import type { AppDeps } from '../app-deps.ts';
import { runJson, runMetricSeries, runMetricsJson } from '../run-json.ts';
import { modelJson } from './registry.ts';

const RUN_ID = /^[A-Za-z0-9._-]{1,100}$/;
const PLOT_NAME = /^[a-z0-9-]{1,60}$/;

function checkRunId(id: string): string {
  if (!RUN_ID.test(id) || id === '.' || id === '..') {
    throw new ArginatorError(
      'NOT_FOUND',
      'run.not-found',
      `no run '${id.slice(0, 80)}'`,
      'GET /v1/runs lists the runs',
    );
  }
  return id;
}

async function getRun(deps: AppDeps, id: string): Promise<RunRecord> {
  return deps.runs.get(id).catch(() => {
    throw new ArginatorError(
      'NOT_FOUND',
      'run.not-found',
      `no run '${id}'`,
      'GET /v1/runs lists the runs',
    );
  });
}

export function catalogueRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get(
    '/v1/models',
    { schema: { tags: ['models'], summary: 'Registered models' } },
    async () => {
      const index = await deps.registry.index();
      return { models: [...index.models].reverse().map((m) => modelJson(m, index)) };
    },
  );

  app.get<{ Params: { version: string } }>(
    '/v1/models/:version',
    { schema: { tags: ['models'], summary: 'One model (version or alias)' } },
    async (request) => {
      // One read of the registry: the entry and its aliases from the same index.
      const index = await deps.registry.index();
      return modelJson(deps.registry.locate(index, request.params.version), index);
    },
  );

  app.get(
    '/v1/runs',
    { schema: { tags: ['runs'], summary: 'Training runs, newest first' } },
    async () => ({
      runs: (await deps.runs.list()).reverse().map(runJson),
    }),
  );

  app.get<{ Params: { id: string } }>(
    '/v1/runs/:id',
    { schema: { tags: ['runs'], summary: 'One run: record, metrics and plot links' } },
    async (request) => {
      const id = checkRunId(request.params.id);
      const run = await getRun(deps, id);
      const metrics = await deps.runs.readJson(id, 'metrics.json').catch(() => null);
      const files = await readdir(deps.runs.pathOf(id, 'plots')).catch(() => []);
      const names = [
        ...new Set(files.filter((f) => f.endsWith('.png')).map((f) => f.slice(0, -4))),
      ].sort();
      return {
        ...runJson(run),
        params: run.params ?? null,
        artifacts: (await deps.runs.artifacts(id)).map((a) => ({ path: a.path, bytes: a.bytes })),
        metrics: runMetricsJson(metrics),
        plots: names.map((name) => ({
          name,
          png: `/v1/runs/${id}/plots/${name}.png`,
          svg: `/v1/runs/${id}/plots/${name}.svg`,
        })),
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/runs/:id/metrics',
    {
      schema: {
        tags: ['runs'],
        summary: 'Per-step metric series of a run (poll while it runs)',
      },
    },
    async (request) => {
      const id = checkRunId(request.params.id);
      const run = await getRun(deps, id);
      return runMetricSeries(run, await deps.runs.metrics(id));
    },
  );

  app.get<{ Params: { id: string; file: string } }>(
    '/v1/runs/:id/plots/:file',
    { schema: { tags: ['runs'], summary: 'A run plot (name.png or name.svg)' } },
    async (request, reply) => {
      const id = checkRunId(request.params.id);
      const match = /^(.+)\.(png|svg)$/.exec(request.params.file);
      const name = match?.[1];
      const ext = match?.[2];
      if (name === undefined || ext === undefined || !PLOT_NAME.test(name)) {
        throw new ArginatorError(
          'NOT_FOUND',
          'run.no-plot',
          `no plot '${request.params.file.slice(0, 80)}'`,
          `GET /v1/runs/${id} lists the plots`,
        );
      }
      const path = deps.runs.pathOf(id, `plots/${name}.${ext}`);
      const stream = createReadStream(path);
      await new Promise<void>((ok, fail) => {
        stream.once('open', () => ok());
        stream.once('error', fail);
      }).catch(() => {
        throw new ArginatorError(
          'NOT_FOUND',
          'run.no-plot',
          `run '${id}' has no plot '${name}.${ext}'`,
          `GET /v1/runs/${id} lists the plots`,
        );
      });
      return reply.type(ext === 'png' ? 'image/png' : 'image/svg+xml').send(stream);
    },
  );
}
