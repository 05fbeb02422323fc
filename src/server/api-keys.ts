// API keys: which routes need one, who a request's key makes it (owner or admin), and the 401s.
import { createHash, timingSafeEqual } from 'node:crypto';

import type { FastifyReply, FastifyRequest } from 'fastify';

import type { Job } from '../pipeline/jobs/job.ts';
import { HttpProblem } from './problem.ts';

/**
 * Who is asking. `open`: no keys are configured, every job is visible to everyone. `owner`: a key of
 * server.api_keys, seeing only the jobs it submitted. `admin`: a key of server.admin_api_keys,
 * seeing every job. `none`: keys are configured and this request has not shown one (only routes
 * that need no key get this far with it; anything job-related then fails closed).
 */
export type Caller =
  | { readonly kind: 'open' }
  | { readonly kind: 'none' }
  | { readonly kind: 'owner'; readonly owner: string }
  | { readonly kind: 'admin'; readonly owner: string };

const OPEN: Caller = { kind: 'open' };
const NONE: Caller = { kind: 'none' };

/** The owner id stored with a job: sha256 of the key, hex (the key itself is never stored). */
export function ownerId(key: string): string {
  return digest(key).toString('hex');
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** The query parameter that carries the key where a header cannot (EventSource). */
export const KEY_QUERY_PARAM = 'api_key';

/** Sent with every 401, so clients learn how to authenticate (there is no registered scheme). */
export const WWW_AUTHENTICATE = 'ApiKey realm="arginator", header="X-API-Key"';

/** Routes that never need a key: the web UI (it asks for the key), the API docs, CORS preflights. */
function isPublicRoute(url: string): boolean {
  return (
    url === '/' ||
    url === '/*' ||
    url === '/openapi.json' ||
    url === '/docs' ||
    url.startsWith('/docs/')
  );
}

const PROBE_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

export type RouteAccess =
  /** No key needed. */
  | { readonly kind: 'open' }
  /**
   * A valid key needed; `jobParam` names the route parameter holding a job id, whose job must be
   * the caller's; `queryKey`: the key may come as ?api_key= (the events stream only).
   */
  | { readonly kind: 'key'; readonly jobParam: string | undefined; readonly queryKey: boolean };

/**
 * What a route needs, from its pattern. Deny by default: every route not listed as public needs a
 * key, so a new route cannot be left open by mistake. Job routes are recognised by their job-id
 * parameter: `/v1/jobs/:id...` and the original routes' `:job_id`.
 */
export function routeAccess(
  method: string | readonly string[],
  url: string,
  options: { openProbes: boolean },
): RouteAccess {
  const methods = typeof method === 'string' ? [method] : method;
  if (methods.every((m) => m === 'OPTIONS') || isPublicRoute(url)) {
    return { kind: 'open' };
  }
  if (options.openProbes && PROBE_ROUTES.has(url)) {
    return { kind: 'open' };
  }
  const jobParam =
    url === '/v1/jobs/:id' || url.startsWith('/v1/jobs/:id/') || url.startsWith('/v1/jobs/:id.')
      ? 'id'
      : url.includes('/:job_id')
        ? 'job_id'
        : undefined;
  return { kind: 'key', jobParam, queryKey: url === '/v1/jobs/:id/events' };
}

/** The configured keys, as digests compared in constant time. */
export interface Keyring {
  /** Whether any key is configured (otherwise every request is `open`). */
  readonly enabled: boolean;
  /** A request's caller before any key is looked at: `none` with keys, `open` without. */
  readonly unauthenticated: Caller;
  /**
   * The caller a request's key makes; throws a 401 problem (and sets WWW-Authenticate) when the
   * key is missing or not valid. `queryKey`: also look at ?api_key= when there is no header.
   */
  authenticate(request: FastifyRequest, reply: FastifyReply, queryKey: boolean): Caller;
}

function givenKey(request: FastifyRequest, queryKey: boolean): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string') {
    return header;
  }
  if (queryKey) {
    const query = request.query as Record<string, unknown> | undefined;
    const fromQuery = query?.[KEY_QUERY_PARAM];
    if (typeof fromQuery === 'string') {
      return fromQuery;
    }
  }
  return undefined;
}

export function createKeyring(keys: readonly string[], adminKeys: readonly string[]): Keyring {
  const entries = [
    ...keys.map((k) => ({ digest: digest(k), admin: false })),
    ...adminKeys.map((k) => ({ digest: digest(k), admin: true })),
  ];
  const enabled = entries.length > 0;
  return {
    enabled,
    unauthenticated: enabled ? NONE : OPEN,
    authenticate(request, reply, queryKey) {
      if (!enabled) {
        return OPEN;
      }
      const given = givenKey(request, queryKey);
      if (given !== undefined) {
        const d = digest(given);
        // Every digest is compared (no early exit), each in constant time: the response time says
        // nothing about which key, or how much of one, matched. A key in both lists is an admin.
        let owner = false;
        let admin = false;
        for (const e of entries) {
          const same = timingSafeEqual(e.digest, d);
          owner ||= same;
          admin ||= same && e.admin;
        }
        if (owner) {
          const id = d.toString('hex');
          return admin ? { kind: 'admin', owner: id } : { kind: 'owner', owner: id };
        }
      }
      void reply.header('www-authenticate', WWW_AUTHENTICATE);
      throw new HttpProblem(
        401,
        'http.api-key',
        given === undefined ? 'this endpoint needs an API key' : 'the API key is not valid',
        `send the header X-API-Key: <key>${queryKey ? ` (or ?${KEY_QUERY_PARAM}=<key>, for EventSource)` : ''}; keys are set in server.api_keys or ARGINATOR_API_KEYS`,
      );
    },
  };
}

/** The caller of each request, set by the app's hooks (create-app.ts). */
const callers = new WeakMap<FastifyRequest, Caller>();

export function setCaller(request: FastifyRequest, caller: Caller): void {
  callers.set(request, caller);
}

/** Fails closed: a request no hook has looked at is nobody. */
export function callerOf(request: FastifyRequest): Caller {
  return callers.get(request) ?? NONE;
}

/** Whether `caller` may see `job`: admins and open servers see all, owners only their own. */
export function canSee(caller: Caller, job: Job): boolean {
  switch (caller.kind) {
    case 'open':
    case 'admin':
      return true;
    case 'owner':
      return job.owner === caller.owner;
    case 'none':
      return false;
  }
}

/** The owner a new job gets: the key's owner id, or nobody when keys are off. */
export function newJobOwner(caller: Caller): string | null {
  return caller.kind === 'owner' || caller.kind === 'admin' ? caller.owner : null;
}

/** The owner filter of a job list: undefined (all jobs) for admins and open servers. */
export function listOwner(caller: Caller): string | undefined {
  switch (caller.kind) {
    case 'open':
    case 'admin':
      return undefined;
    case 'owner':
      return caller.owner;
    case 'none':
      // Not reachable through the routes (the list route needs a key): fail closed anyway.
      throw new HttpProblem(
        401,
        'http.api-key',
        'this endpoint needs an API key',
        'send the header X-API-Key: <key>',
      );
  }
}

/** A URL fit for logs: the value of ?api_key= replaced, so no key reaches a log line. */
export function redactUrl(url: string): string {
  // Also the percent-encoded name, which the query parser decodes to api_key.
  return url.includes('?') ? url.replace(/([?&]api(?:_|%5f)key=)[^&#]*/gi, '$1[redacted]') : url;
}
