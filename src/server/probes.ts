// Liveness and readiness probes answered by the HTTP server itself, before the framework's router
// and request hooks (create-app.ts serverFactory). Orchestrators poll them every few seconds and load
// balancers far more often; a probe needs none of what an API request gets (body parsing, rate
// limit, API keys, a child logger and a request id), and must keep answering when those are busy.
// The same answers serve the fastify routes (routes/health.ts), which app.inject() and the OpenAPI
// document see: one definition of each body.
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { FastifyBaseLogger } from 'fastify';

import type { AppDeps } from './app-deps.ts';
import type { RouteMetrics } from './metrics.ts';

export interface ProbeAnswer {
  readonly status: number;
  /** The JSON body, serialised. */
  readonly body: string;
}

/** GET /healthz: always 200 while the process serves. */
export const LIVE: ProbeAnswer = { status: 200, body: JSON.stringify({ status: 'ok' }) };

/** GET /readyz when model `version` is loaded (otherwise the route answers 503 with a problem). */
export function readyAnswer(version: string): ProbeAnswer {
  return { status: 200, body: JSON.stringify({ status: 'ready', model_version: version }) };
}

const HEADERS_JSON = 'application/json; charset=utf-8';
const DEBUG_LEVELS = new Set(['debug', 'trace']);

/**
 * A request listener that answers GET /healthz, and GET /readyz once a model is loaded, and returns
 * false for everything else (the app's handler takes those, /readyz before a model is loaded too:
 * its route starts loading one and answers 503). Probes are counted in the request metrics like
 * the routes are; they carry no X-Request-Id; successful ones are logged at debug level only, as
 * for the routes.
 */
export function probeListener(
  deps: Pick<AppDeps, 'metrics' | 'models'>,
  /** The server's logger (looked up per probe: the app creates it after the server). */
  log: () => FastifyBaseLogger,
  /** Whether the app is closing: then the app answers (503 on a connection kept alive). */
  closing: () => boolean,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const live = deps.metrics.route('/healthz');
  const ready = deps.metrics.route('/readyz');
  const liveLength = String(Buffer.byteLength(LIVE.body));
  let readyFor: { version: string; body: string; length: string } | undefined;
  return (req, res) => {
    if (req.method !== 'GET' || closing()) {
      return false;
    }
    const url = req.url ?? '';
    const t0 = performance.now();
    let body: string;
    let length: string;
    let series: RouteMetrics;
    if (url === '/healthz') {
      body = LIVE.body;
      length = liveLength;
      series = live;
    } else if (url === '/readyz') {
      const version = deps.models.loadedVersion;
      if (version === undefined) {
        return false;
      }
      if (readyFor?.version !== version) {
        const answer = readyAnswer(version);
        readyFor = { version, body: answer.body, length: String(Buffer.byteLength(answer.body)) };
      }
      body = readyFor.body;
      length = readyFor.length;
      series = ready;
    } else {
      return false;
    }
    res.writeHead(200, { 'content-type': HEADERS_JSON, 'content-length': length });
    res.end(body);
    const seconds = (performance.now() - t0) / 1000;
    series.observe('GET', 200, seconds);
    const logger = log();
    if (DEBUG_LEVELS.has(logger.level)) {
      logger.debug(
        { method: 'GET', url, status: 200, ms: Math.round(seconds * 1e4) / 10 },
        'request completed',
      );
    }
    return true;
  };
}
