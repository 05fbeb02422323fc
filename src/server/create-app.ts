// createApp(deps): the fastify app with every route, limit and hook; it never listens (main.ts does).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

import fastifyCors from '@fastify/cors';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController } from 'fastify';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestHookHandler,
  onResponseHookHandler,
} from 'fastify';

import { PACKAGE_VERSION } from '../wiring/package-info.ts';
import { API_SCHEMAS } from './api-schemas.ts';
import { createKeyring, redactUrl, routeAccess, setCaller } from './api-keys.ts';
import type { Keyring, RouteAccess } from './api-keys.ts';
import type { AppDeps } from './app-deps.ts';
import { DRIFT_SCHEMAS } from './drift-schemas.ts';
import { checkJobAccess } from './job-access.ts';
import { legacyJobNotFound } from './legacy-access.ts';
import type { RouteMetrics } from './metrics.ts';
import { probeListener } from './probes.ts';
import { HttpProblem, problemHandler, sendProblem, toProblem } from './problem.ts';
import { catalogueRoutes } from './routes/catalogue.ts';
import { driftRoutes } from './routes/drift.ts';
import { healthRoutes } from './routes/health.ts';
import { jobRoutes } from './routes/jobs.ts';
import { legacyRoutes } from './routes/legacy.ts';
import { mapRoutes } from './routes/maps.ts';
import { predictRoutes } from './routes/predict.ts';
import { registryRoutes } from './routes/registry.ts';
import { sweepRoutes } from './routes/sweeps.ts';
import { SWEEP_SCHEMAS } from './sweep-schemas.ts';

/** Liveness and readiness probes: polled every few seconds, so logged at debug when they succeed. */
const PROBES = new Set(['/healthz', '/readyz']);

function isProbe(url: string): boolean {
  const q = url.indexOf('?');
  return PROBES.has(q < 0 ? url : url.slice(0, q));
}

/**
 * Request ids: a random prefix per process and a counter (`req-3f9a0c1e-1`, `req-3f9a0c1e-2`, ...):
 * unique like a UUID per request, without a random draw per request. A client's X-Request-Id is kept.
 */
function requestIds(): () => string {
  const prefix = `req-${randomBytes(4).toString('hex')}-`;
  let n = 0;
  return () => prefix + (++n).toString(36);
}

/**
 * One log line per request, when it completes (method, url, status, ms, with its reqId), instead of
 * fastify's two ('incoming request' with the whole request, then 'request completed'): those cost
 * about a third of the CPU of a trivial request (bench/api-load.ts). Error logs are fastify's.
 */
const DEBUG_LEVELS = new Set(['debug', 'trace']);

class RequestLog extends LogController {
  override incomingRequest(): void {
    // Logged once, on completion.
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const status = reply.statusCode;
    const probeOk = error == null && status < 400 && isProbe(request.url);
    if (probeOk && !DEBUG_LEVELS.has(reply.log.level)) {
      return; // nothing to log: no line built
    }
    const line = {
      method: request.method,
      // The events stream may carry the API key in its query (api-keys.ts): never logged.
      url: redactUrl(request.url),
      status,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error != null) {
      reply.log.error({ ...line, err: error }, 'request errored');
    } else if (probeOk) {
      reply.log.debug(line, 'request completed');
    } else {
      reply.log.info(line, 'request completed');
    }
  }
}

const NO_UI_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ARGinator</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>ARGinator</h1>
<p>The API is running, but the web UI has not been built. Run <code>npm run build</code> (it builds
<code>web/dist</code>) and restart the server.</p>
<p>API documentation: <a href="/docs">/docs</a> (OpenAPI: <a href="/openapi.json">/openapi.json</a>).</p>
</body></html>
`;

function hookList<T>(hooks: T | T[] | undefined): T[] {
  return hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks];
}

/**
 * A guarded route's hook: the key (401 without a valid one), then, on job routes, the job's owner
 * (404 for another key's job). Built once per route, like the metrics hook.
 */
function keyHook(
  deps: AppDeps,
  keyring: Keyring,
  access: Extract<RouteAccess, { kind: 'key' }>,
  url: string,
): onRequestHookHandler {
  // Another key's job answers exactly as a missing one on that route: the original's body on its routes.
  const notFound = url.startsWith('/v1/') ? undefined : legacyJobNotFound;
  return (request, reply, done) => {
    setCaller(request, keyring.authenticate(request, reply, access.queryKey));
    if (access.jobParam !== undefined) {
      const id = (request.params as Record<string, unknown>)[access.jobParam];
      if (typeof id === 'string') {
        checkJobAccess(deps, request, id, notFound);
      }
    }
    done();
  };
}

function metricsHook(series: RouteMetrics): onResponseHookHandler {
  return (request, reply, done) => {
    series.observe(request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  };
}

/** Uploads can be slow; a stalled client is cut off rather than holding a socket forever. */
const REQUEST_TIMEOUT_MS = 10 * 60_000;
/** fastify's default keep-alive timeout (it sets it on servers it creates itself). */
const KEEP_ALIVE_TIMEOUT_MS = 72_000;

export async function createApp(deps: AppDeps): Promise<FastifyInstance> {
  const s = deps.settings;
  const keyring = createKeyring(deps.apiKeys, deps.adminApiKeys);
  const openProbes = !keyring.enabled || s.open_probes;
  // The HTTP server answers the probes itself and hands every other request to fastify (probes.ts);
  // not when they need a key (server.open_probes false): then the routes answer, after the check.
  let closing = false;
  const probe = probeListener(
    deps,
    () => app.log,
    () => closing,
  );
  const app: FastifyInstance = Fastify({
    logger: deps.logger,
    bodyLimit: s.max_upload_bytes,
    logController: new RequestLog(),
    requestIdHeader: 'x-request-id',
    genReqId: requestIds(),
    requestTimeout: REQUEST_TIMEOUT_MS,
    serverFactory: (handler) => {
      const server = createServer((req, res) => {
        if (!openProbes || !probe(req, res)) {
          handler(req, res);
        }
      });
      server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
      server.requestTimeout = REQUEST_TIMEOUT_MS;
      return server;
    },
  });
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  // Schemas document the routes (OpenAPI); handlers parse their input with zod, once.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  const onError = problemHandler(s.max_upload_bytes);
  app.setErrorHandler(onError);
  // Request metrics per route pattern: each route gets its own onResponse hook with its series
  // looked up once, here, instead of per request (a trivial request is a few microseconds).
  // API keys the same way: each route gets its key check (or none) when it is added; deny by
  // default, so every route needs a key unless api-keys.ts lists it as public (docs/service.md).
  app.addHook('onRoute', (route) => {
    route.onResponse = [...hookList(route.onResponse), metricsHook(deps.metrics.route(route.url))];
    const access = routeAccess(route.method, route.url, { openProbes });
    if (keyring.enabled && access.kind === 'key') {
      route.onRequest = [...hookList(route.onRequest), keyHook(deps, keyring, access, route.url)];
    }
  });
  // Requests that match no route: the not-found handler's own context, with its own hook.
  await app.register((scope, _options, done) => {
    scope.addHook('onResponse', metricsHook(deps.metrics.route('unmatched')));
    scope.setNotFoundHandler((request, reply) =>
      sendProblem(
        reply,
        toProblem(
          new HttpProblem(
            404,
            'http.not-found',
            `no route ${request.method} ${request.url.split('?')[0] ?? ''}; see /docs`,
            'see /docs (or /openapi.json) for the endpoints; the web UI is at /',
          ),
          request.id,
          s.max_upload_bytes,
        ),
      ),
    );
    done();
  });

  // Every request starts as nobody (keys set) or open (no keys); a route's key hook, which runs
  // after the app's hooks, makes it the key's owner or an admin.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    setCaller(request, keyring.unauthenticated);
    done();
  });

  if (s.cors_origins.length > 0) {
    await app.register(fastifyCors, {
      origin: s.cors_origins.includes('*') ? true : [...s.cors_origins],
      methods: ['GET', 'POST', 'DELETE'],
      allowedHeaders: ['content-type', 'x-api-key', 'idempotency-key', 'x-request-id'],
      exposedHeaders: ['x-request-id'],
    });
  }
  if (s.rate_limit_max > 0) {
    await app.register(fastifyRateLimit, {
      max: s.rate_limit_max,
      timeWindow: s.rate_limit_window_seconds * 1000,
      errorResponseBuilder: (_request, context) =>
        new HttpProblem(
          429,
          'http.rate-limit',
          `more than ${context.max} requests in ${context.after}`,
          `wait ${context.after} and retry (server.rate_limit_max per client address)`,
        ),
    });
  }
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'ARGinator',
        version: PACKAGE_VERSION,
        description:
          'Beta-lactamase detection and Ambler classification. Errors are application/problem+json (docs/api.md). With API keys configured every API route needs X-API-Key (the events stream also takes ?api_key=) and each key sees only its own jobs (docs/api.md, Authentication).',
      },
      components: {
        schemas: { ...API_SCHEMAS, ...SWEEP_SCHEMAS, ...DRIFT_SCHEMAS },
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          apiKeyQuery: { type: 'apiKey', in: 'query', name: 'api_key' },
        },
      },
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  // Multipart uploads only where jobs are submitted: the plugin adds two hooks (and a listener) to
  // every request of the scope it is registered in.
  await app.register(async (uploads) => {
    await uploads.register(fastifyMultipart, {
      limits: {
        fileSize: s.max_upload_bytes,
        files: 20,
        fields: 20,
        parts: 50,
        fieldSize: 1024 * 1024,
      },
    });
    legacyRoutes(uploads, deps);
    jobRoutes(uploads, deps);
    // POST /v1/drift takes uploads as the job routes do.
    driftRoutes(uploads, deps);
  });
  predictRoutes(app, deps);
  catalogueRoutes(app, deps);
  registryRoutes(app, deps);
  sweepRoutes(app, deps);
  healthRoutes(app, deps);
  mapRoutes(app, deps, deps.maps);
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());

  const webDir = deps.webDir;
  if (webDir !== undefined && existsSync(join(webDir, 'index.html'))) {
    await app.register(fastifyStatic, { root: webDir, prefix: '/' });
  } else {
    app.get('/', { schema: { hide: true } }, (_request, reply) =>
      reply.type('text/html; charset=utf-8').send(NO_UI_PAGE),
    );
  }
  return app;
}
