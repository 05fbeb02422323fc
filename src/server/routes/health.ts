// Liveness, readiness (a model is loaded) and Prometheus metrics.
import type {} from '@fastify/rate-limit';
import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

import type { AppDeps } from '../app-deps.ts';
import { HttpProblem } from '../problem.ts';

export function healthRoutes(app: FastifyInstance, deps: AppDeps): void {
  // Probes do no work and must keep answering while a client is being rate-limited (an orchestrator
  // would otherwise restart a healthy server), so the rate limiter skips them; so does /metrics
  // (a scraper polls it, and a gap in the series would hide what happened). All three are still
  // counted in the request metrics.
  app.get(
    '/healthz',
    {
      schema: { tags: ['health'], summary: 'Liveness (no work done)' },
      config: { rateLimit: false },
    },
    () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: { tags: ['health'], summary: 'Ready once a model is loaded' },
      config: { rateLimit: false },
    },
    () => {
      const version = deps.models.loadedVersion;
      if (version === undefined) {
        // Start loading (once) so that a later probe finds the model ready.
        deps.models.get('multiclass').catch(() => undefined);
        throw new HttpProblem(
          503,
          'model.not-loaded',
          'no model is loaded yet',
          "wait for the model to load; if none is registered, train one with 'arginator train'",
        );
      }
      return { status: 'ready', model_version: version };
    },
  );

  app.get(
    '/metrics',
    {
      schema: { tags: ['health'], summary: 'Prometheus metrics' },
      config: { rateLimit: false },
    },
    async (_request, reply) =>
      reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );
}
