// Drift reports for the service: GET /v1/drift/latest (the last check recorded by `arginator drift`).
import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

import { ArginatorError } from '../../core/errors.ts';
import type { AppDeps } from '../app-deps.ts';

export function driftRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get(
    '/v1/drift/latest',
    {
      schema: {
        tags: ['monitoring'],
        summary:
          "The latest drift report (arginator drift's JSON with its id and time; docs/monitoring.md)",
      },
    },
    async () => {
      const latest = await deps.drift?.latest();
      if (latest === undefined) {
        throw new ArginatorError(
          'NOT_FOUND',
          'drift.none',
          'no drift check has been recorded yet',
          "run 'arginator drift --since 24h' (or --current FILE) with this server's ARGINATOR_HOME",
        );
      }
      return { id: latest.id, createdAt: latest.createdAt, ...latest.report };
    },
  );
}
