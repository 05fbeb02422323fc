// The one mapping from errors to HTTP: ArginatorError codes → statuses, everything as problem+json.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

import { ArginatorError } from '../core/errors.ts';
import type { ErrorCode } from '../core/errors.ts';

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  BAD_INPUT: 422,
  LIMIT: 413,
  USAGE: 400,
  CONFIG: 400,
  NOT_FOUND: 404,
  VALIDATION: 422,
  CANCELLED: 409,
  INTERNAL: 500,
};

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Too large',
  415: 'Unsupported media type',
  422: 'Bad input',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Not ready',
};

/** Codes of the HTTP-only problems (they have no ArginatorError code). */
const HTTP_CODES: Readonly<Record<number, string>> = {
  400: 'USAGE',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  429: 'RATE_LIMIT',
  503: 'NOT_READY',
};

/** An HTTP-only condition that has no ArginatorError code (auth, conflicts of state, readiness). */
export class HttpProblem extends Error {
  readonly status: number;
  readonly reason: string;
  readonly hint: string;
  /** Sent as the Retry-After header (e.g. 503 while a reference map is being fitted). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    status: number,
    reason: string,
    message: string,
    hint: string,
    options: { retryAfterSeconds?: number | undefined } = {},
  ) {
    super(message);
    this.name = 'HttpProblem';
    this.status = status;
    this.reason = reason;
    this.hint = hint;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly reason: string;
  readonly hint: string;
  readonly request_id: string;
}

export function statusOf(code: ErrorCode): number {
  return STATUS_BY_CODE[code];
}

function problem(
  status: number,
  code: string,
  reason: string,
  detail: string,
  hint: string,
  requestId: string,
): Problem {
  return {
    type: `https://arginator.dev/problems/${reason}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    reason,
    hint,
    request_id: requestId,
  };
}

/** Fastify's own errors (body too large, bad JSON, bad content type) as problems that say the fix. */
function fromFastify(e: FastifyError, requestId: string, maxBytes: number): Problem | undefined {
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
      return problem(
        413,
        'LIMIT',
        'input.too-large',
        `the request body is larger than the limit of ${maxBytes} bytes (server.max_upload_bytes)`,
        'split the input into smaller jobs, or gzip it; the operator can raise server.max_upload_bytes',
        requestId,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem(
        415,
        'USAGE',
        'http.media-type',
        `unsupported content type (${e.message})`,
        'send multipart/form-data with a file, or application/json',
        requestId,
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return problem(
        400,
        'USAGE',
        'http.bad-json',
        `the JSON body cannot be parsed (${e.message})`,
        'send valid JSON, e.g. {"task": "multiclass", "sequences": [{"id": "q1", "sequence": "MKT"}]}',
        requestId,
      );
    default:
      break;
  }
  if (e.code.startsWith('FST_') && typeof e.statusCode === 'number' && e.statusCode < 500) {
    // Multipart and other framework-level request errors (too many parts, malformed body, ...).
    return problem(
      e.statusCode === 413 ? 413 : 400,
      e.statusCode === 413 ? 'LIMIT' : 'USAGE',
      'http.bad-request',
      e.message,
      'check the request against /openapi.json',
      requestId,
    );
  }
  if (e.statusCode === 429) {
    return problem(
      429,
      'RATE_LIMIT',
      'http.rate-limit',
      e.message,
      'wait and retry; the limit is server.rate_limit_max requests per window',
      requestId,
    );
  }
  return undefined;
}

/** Turns anything thrown in a route into a problem; unknown errors become a 500 marked as a bug. */
export function toProblem(e: unknown, requestId: string, maxBytes: number): Problem {
  if (e instanceof ArginatorError) {
    return problem(statusOf(e.code), e.code, e.reason, e.oneLine(), e.hint, requestId);
  }
  if (e instanceof HttpProblem) {
    return problem(
      e.status,
      HTTP_CODES[e.status] ?? 'HTTP',
      e.reason,
      e.message,
      e.hint,
      requestId,
    );
  }
  if (isFastifyError(e)) {
    const known = fromFastify(e, requestId, maxBytes);
    if (known !== undefined) {
      return known;
    }
  }
  return problem(
    500,
    'INTERNAL',
    'internal',
    'internal error (a bug: please report it with the request id)',
    'retry; if it persists, report it with the request id',
    requestId,
  );
}

function isFastifyError(e: unknown): e is FastifyError {
  return e instanceof Error && typeof (e as Partial<FastifyError>).code === 'string';
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type('application/problem+json').send(JSON.stringify(p));
}

/** The app's error handler: logs server faults, answers everything as problem+json. */
export function problemHandler(maxBytes: number) {
  return (e: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const p = toProblem(e, request.id, maxBytes);
    if (e instanceof HttpProblem && e.retryAfterSeconds !== undefined) {
      void reply.header('retry-after', String(e.retryAfterSeconds));
    }
    if (!request.raw.complete) {
      // The body was not read to its end (a refused upload): the rest of it must not be taken
      // for the next request on this connection, so the connection ends with this answer.
      void reply.header('connection', 'close');
    }
    if (p.status >= 500 && p.status !== 503) {
      request.log.error({ err: e }, 'request failed');
    } else {
      request.log.info({ reason: p.reason, status: p.status }, p.detail);
    }
    return sendProblem(reply, p);
  };
}

export function notFound(what: string, hint: string): ArginatorError {
  return new ArginatorError('NOT_FOUND', 'http.not-found', what, hint);
}
