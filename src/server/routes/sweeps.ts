// Read-only views of the hyperparameter sweeps the CLI runs: /v1/sweeps, one sweep, and the report it wrote.
import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

import { ArginatorError } from '../../core/errors.ts';
import type { RunRecord } from '../../pipeline/ports.ts';
import type { SweepState } from '../../pipeline/sweep/run-sweep.ts';
import { parseSweepYaml } from '../../pipeline/sweep/sweep-spec.ts';
import type { SweepSpec } from '../../core/sweep/types.ts';
import type { AppDeps } from '../app-deps.ts';
import { SweepReportCache, sweepJson, sweepSummaryJson } from '../sweep-json.ts';

const SWEEP_ID = /^[A-Za-z0-9._-]{1,100}$/;
const ID_PARAM = {
  type: 'object',
  properties: { id: { type: 'string', description: 'sweep id (arginator sweep prints it)' } },
  required: ['id'],
} as const;

/** The report files the CLI rewrites after every trial (docs/sweeps.md). */
const REPORTS = {
  'report.md': 'text/markdown; charset=utf-8',
  'report.html': 'text/html; charset=utf-8',
} as const;

function notFound(id: string): ArginatorError {
  return new ArginatorError(
    'NOT_FOUND',
    'sweep.not-found',
    `no sweep '${id.slice(0, 80)}'`,
    'GET /v1/sweeps lists the sweeps',
  );
}

function checkSweepId(id: string): string {
  if (!SWEEP_ID.test(id) || id === '.' || id === '..') {
    throw notFound(id);
  }
  return id;
}

interface LoadedSweep {
  readonly state: SweepState;
  readonly spec: SweepSpec;
  readonly run: RunRecord | undefined;
}

/** The state, its spec (parsed from the saved file, as --resume does) and its tracked run, if any. */
async function loadSweep(deps: AppDeps, id: string): Promise<LoadedSweep> {
  const state = await deps.sweeps.load(id).catch(() => {
    throw notFound(id);
  });
  const spec = parseSweepYaml(state.specText, state.source).spec;
  const run = await deps.runs.get(id).then(
    (r) => (r.kind === 'sweep' ? r : undefined),
    () => undefined,
  );
  return { state, spec, run };
}

export function sweepRoutes(app: FastifyInstance, deps: AppDeps): void {
  const reports = new SweepReportCache();
  app.get(
    '/v1/sweeps',
    {
      schema: {
        tags: ['sweeps'],
        summary: 'Hyperparameter sweeps, newest first',
        response: {
          200: {
            type: 'object',
            properties: {
              sweeps: { type: 'array', items: { $ref: '#/components/schemas/SweepSummary' } },
            },
          },
        },
      },
    },
    async () => {
      const ids = (await deps.sweeps.list()).reverse();
      const sweeps = [];
      for (const id of ids) {
        // A folder without a readable state (a sweep refused before its first trial) is no sweep.
        const loaded = await loadSweep(deps, id).catch(() => undefined);
        if (loaded !== undefined) {
          sweeps.push(sweepSummaryJson(loaded.spec, loaded.state, loaded.run));
        }
      }
      return { sweeps };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/sweeps/:id',
    {
      schema: {
        tags: ['sweeps'],
        summary:
          'One sweep: configuration, trials, best trial, parameter importance, parallel coordinates (poll while it runs)',
        params: ID_PARAM,
        response: { 200: { $ref: '#/components/schemas/Sweep' } },
      },
    },
    async (request) => {
      const { state, spec, run } = await loadSweep(deps, checkSweepId(request.params.id));
      return sweepJson(spec, state, run, reports);
    },
  );

  for (const [name, type] of Object.entries(REPORTS)) {
    app.get<{ Params: { id: string } }>(
      `/v1/sweeps/:id/${name}`,
      {
        schema: {
          tags: ['sweeps'],
          summary: `The sweep report the CLI wrote (${name}, rewritten after every trial)`,
          params: ID_PARAM,
          produces: [type.split(';')[0] ?? type],
        },
      },
      async (request, reply) => {
        const id = checkSweepId(request.params.id);
        await deps.sweeps.load(id).catch(() => {
          throw notFound(id);
        });
        const body = await deps.sweeps.readFile(id, name);
        if (body === undefined) {
          throw new ArginatorError(
            'NOT_FOUND',
            'sweep.no-report',
            `sweep '${id}' has no ${name} yet`,
            'the report is written when the first trial ends',
          );
        }
        // The HTML report is self-contained (inline SVG and CSS): nothing in it may run or load.
        return reply
          .type(type)
          .header(
            'content-security-policy',
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
          )
          .send(Buffer.from(body));
      },
    );
  }
}
