// Liveness, readiness (a model is loaded) and Prometheus metrics.
import type {} from '@fastify/rate-limit';
import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

import type { AppDeps } from '../app-deps.ts';
import { HttpProblem } from '../problem.ts';
import { LIVE, readyAnswer } from '../probes.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

export function healthRoutes(app: FastifyInstance, deps: AppDeps): void {
  // Probes do no work and must keep answering while a client is being rate-limited (an orchestrator
  // would otherwise restart a healthy server), so the rate limiter skips them; so does /metrics
  // (a scraper polls it, and a gap in the series would hide what happened). All three are still
  // counted in the request metrics. Over the network the HTTP server answers GET /healthz and a
  // ready GET /readyz before these routes (probes.ts, the same bodies); these serve app.inject(),
  // HEAD, a /readyz before a model is loaded, and the OpenAPI document.
  app.get(
    '/healthz',
    {
      schema: { tags: ['health'], summary: 'Liveness (no work done)' },
      config: { rateLimit: false },
    },
    (_request, reply) => reply.type(JSON_TYPE).send(LIVE.body),
  );

  app.get(
    '/readyz',
    {
      schema: { tags: ['health'], summary: 'Ready once a model is loaded' },
      config: { rateLimit: false },
    },
    (_request, reply) => {
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
      return reply.type(JSON_TYPE).send(readyAnswer(version).body);
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
