// The UI's only door to the server: typed calls over fetch, problem+json turned into ApiError.
import {
  parseJob,
  parseModels,
  parseProblem,
  parseQueryMap,
  parseReferenceMap,
  parseRunDetail,
  parseRunMetrics,
  parseRuns,
} from './guards.ts';
import { parseDriftCheck, parseDriftHistory, parseDriftReport } from './drift-guards.ts';
import { parseSweep, parseSweeps } from './sweep-guards.ts';
import type {
  DriftCheckJson,
  DriftHistoryItemJson,
  DriftReportJson,
  Job,
  ModelInfo,
  PromoteBody,
  PromoteResponse,
  RollbackBody,
  RollbackResponse,
  Problem,
  QueryMap,
  ReferenceMap,
  RunDetail,
  RunInfo,
  RunMetricsJson,
  SweepJson,
  SweepSummaryJson,
  TableFormat,
  Task,
} from './types.ts';

/** An HTTP error with the server's problem+json (detail, hint) for the user. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly problem: Problem;
  /** The Retry-After header of a 503 (a map still being made), in seconds; null without one. */
  readonly retryAfterSeconds: number | null;
  constructor(problem: Problem, retryAfterSeconds: number | null = null) {
    super(problem.detail);
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * Calls `get` again while the server answers 503 (a model's map being fitted, a job's map being
 * computed after the job completed), after its Retry-After (1-30 s); `onWait` says so meanwhile.
 */
export async function retryWhileNotReady<T>(
  get: () => Promise<T>,
  onWait: (error: ApiError, seconds: number) => void,
  signal: AbortSignal,
): Promise<T> {
  for (;;) {
    try {
      return await get();
    } catch (e) {
      if (!(e instanceof ApiError) || e.problem.status !== 503 || signal.aborted) {
        throw e;
      }
      const seconds = Math.min(30, Math.max(1, e.retryAfterSeconds ?? 2));
      onWait(e, seconds);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          signal.removeEventListener('abort', stop);
          resolve();
        }, seconds * 1000);
        const stop = (): void => {
          clearTimeout(timer);
          reject(new DOMException('aborted', 'AbortError'));
        };
        signal.addEventListener('abort', stop, { once: true });
      });
    }
  }
}

const API_KEY_STORAGE = 'arginator.api-key';

/**
 * The API key, if the user gave one. Kept in sessionStorage: it lives as long as this tab, is not
 * shared with other tabs and is gone when the tab closes (a key is a credential; localStorage
 * would keep it on disk indefinitely).
 */
export function apiKey(): string {
  try {
    return sessionStorage.getItem(API_KEY_STORAGE) ?? '';
  } catch {
    return memoryKey;
  }
}

/** Where the key lives when storage is disabled (private mode): this page only. */
let memoryKey = '';

export function setApiKey(key: string): void {
  memoryKey = key;
  try {
    if (key === '') {
      sessionStorage.removeItem(API_KEY_STORAGE);
    } else {
      sessionStorage.setItem(API_KEY_STORAGE, key);
    }
  } catch {
    // Storage can be disabled (private mode); the key then lives for this page only.
  }
}

/** The header that carries the key, for calls made outside this module (e.g. /readyz). */
export function authHeaders(): Record<string, string> {
  const key = apiKey();
  return key === '' ? {} : { 'X-API-Key': key };
}

/**
 * Asks the user for an API key (the prompt view); resolves to null when they decline.
 * @param reason Why: the server's detail ("this endpoint needs an API key" / "... not valid").
 */
export type ApiKeyPrompt = (reason: string) => Promise<string | null>;

let prompt: ApiKeyPrompt | null = null;
/** The prompt being shown: requests that get a 401 meanwhile wait for the same answer. */
let pending: Promise<string | null> | null = null;

/** Registers the view that asks for a key when the API answers 401 (main.ts). */
export function setApiKeyPrompt(next: ApiKeyPrompt | null): void {
  prompt = next;
}

/**
 * The key to retry with after a 401 that was sent with `sentKey`: a key another request got from
 * the user meanwhile, or the user's answer to one prompt shared by every request waiting.
 */
async function keyAfter401(sentKey: string, reason: string): Promise<string | null> {
  const current = apiKey();
  if (current !== '' && current !== sentKey) {
    return current;
  }
  if (prompt === null) {
    return null;
  }
  if (pending === null) {
    const asking = prompt(reason).then((answer) => {
      const key = answer?.trim() ?? '';
      if (key !== '') {
        setApiKey(key);
      }
      return key === '' ? null : key;
    });
    pending = asking.finally(() => {
      pending = null;
    });
  }
  return pending;
}

async function send(path: string, init: RequestInit, key: string): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('Accept', 'application/json, application/problem+json');
  if (key !== '') {
    headers.set('X-API-Key', key);
  }
  try {
    return await fetch(path, { ...init, headers });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') {
      throw e;
    }
    throw new ApiError({
      status: 0,
      title: 'No connection',
      detail: 'the ARGinator server did not answer; is `arginator serve` still running?',
      hint: null,
      reason: 'network',
      code: null,
    });
  }
}

async function problemOf(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // Not JSON (a proxy error page, say): fall back to the status text.
  }
  const retryAfter = Number(res.headers.get('retry-after') ?? '');
  return new ApiError(
    parseProblem(body, res.status, `${res.status} ${res.statusText}`),
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
  );
}

/**
 * Every call goes through here: the key (if any) on every request, reads included; on a 401 the
 * user is asked for a key once (one prompt for all requests waiting) and the request is retried.
 */
async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const sentKey = apiKey();
  let res = await send(path, init, sentKey);
  if (res.status === 401) {
    const error = await problemOf(res);
    // A FormData or Blob body can be sent again; a stream cannot (the UI sends none).
    const retryKey = await keyAfter401(sentKey, error.problem.detail);
    if (retryKey === null) {
      throw error;
    }
    res = await send(path, init, retryKey);
  }
  if (!res.ok) {
    throw await problemOf(res);
  }
  return res;
}

async function getJson(path: string, signal?: AbortSignal): Promise<unknown> {
  const res = await request(path, signal === undefined ? {} : { signal });
  return (await res.json()) as unknown;
}

export interface SubmitInput {
  readonly task: Task;
  readonly files: readonly File[];
  /** Pasted FASTA text; sent as one more file part named `pasted.fasta`. */
  readonly pasted: string;
}

/** POST /v1/jobs (multipart: every file part plus the pasted text). */
export async function submitJob(input: SubmitInput, signal?: AbortSignal): Promise<Job> {
  const form = new FormData();
  form.append('task', input.task);
  for (const f of input.files) {
    form.append('file', f, f.name);
  }
  if (input.pasted.trim() !== '') {
    form.append('file', new Blob([input.pasted], { type: 'text/plain' }), 'pasted.fasta');
  }
  const res = await request('/v1/jobs', {
    method: 'POST',
    body: form,
    ...(signal === undefined ? {} : { signal }),
  });
  return parseJob(await res.json());
}

export async function getJob(id: string, signal?: AbortSignal): Promise<Job> {
  return parseJob(await getJson(`/v1/jobs/${encodeURIComponent(id)}`, signal));
}

export async function listJobs(limit: number, signal?: AbortSignal): Promise<Job[]> {
  const body = await getJson(`/v1/jobs?limit=${limit}`, signal);
  const jobs =
    typeof body === 'object' && body !== null && 'jobs' in body && Array.isArray(body.jobs)
      ? (body.jobs as unknown[])
      : [];
  return jobs.map(parseJob);
}

export async function cancelJob(id: string): Promise<Job> {
  const res = await request(`/v1/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
  return parseJob(await res.json());
}

export function resultsUrl(job: Job, format: TableFormat): string {
  return `${job.links.results}?format=${format}`;
}

/** A results file as a Blob, fetched with the key (a plain link could not send the header). */
export async function getResultsBlob(job: Job, format: 'csv' | 'tsv' | 'json'): Promise<Blob> {
  const res = await request(resultsUrl(job, format));
  return res.blob();
}

/**
 * The events stream's URL. EventSource cannot send headers, so the key goes as ?api_key= (the
 * only route that accepts it there; the server keeps it out of its logs, docs/api.md).
 */
export function eventsUrl(job: Job): string {
  const key = apiKey();
  if (key === '') {
    return job.links.events;
  }
  const sep = job.links.events.includes('?') ? '&' : '?';
  return `${job.links.events}${sep}api_key=${encodeURIComponent(key)}`;
}

export async function getResultsCsv(job: Job, signal?: AbortSignal): Promise<string> {
  const res = await request(resultsUrl(job, 'csv'), signal === undefined ? {} : { signal });
  return res.text();
}

export async function getReferenceMap(
  version: string,
  signal?: AbortSignal,
): Promise<ReferenceMap> {
  return parseReferenceMap(await getJson(`/v1/models/${encodeURIComponent(version)}/map`, signal));
}

export async function getQueryMap(job: Job, signal?: AbortSignal): Promise<QueryMap> {
  return parseQueryMap(await getJson(job.links.map, signal));
}

export async function getModels(signal?: AbortSignal): Promise<ModelInfo[]> {
  return parseModels(await getJson('/v1/models', signal));
}

/** POST /v1/models/{version}/promote: through the gate; a refused gate is an ApiError (409). */
export async function promoteModel(version: string, body: PromoteBody): Promise<PromoteResponse> {
  const res = await request(`/v1/models/${encodeURIComponent(version)}/promote`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as PromoteResponse;
}

/** POST /v1/models/rollback: the alias goes back to the version it held before its last move. */
export async function rollbackModel(body: RollbackBody): Promise<RollbackResponse> {
  const res = await request('/v1/models/rollback', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as RollbackResponse;
}

export async function getRuns(signal?: AbortSignal): Promise<RunInfo[]> {
  return parseRuns(await getJson('/v1/runs', signal));
}

export async function getRun(id: string, signal?: AbortSignal): Promise<RunDetail> {
  return parseRunDetail(await getJson(`/v1/runs/${encodeURIComponent(id)}`, signal));
}

export async function getRunMetrics(id: string, signal?: AbortSignal): Promise<RunMetricsJson> {
  return parseRunMetrics(await getJson(`/v1/runs/${encodeURIComponent(id)}/metrics`, signal));
}

export async function getSweeps(signal?: AbortSignal): Promise<SweepSummaryJson[]> {
  return parseSweeps(await getJson('/v1/sweeps', signal));
}

/** One sweep with its trials (polled while it runs). */
export async function getSweep(id: string, signal?: AbortSignal): Promise<SweepJson> {
  return parseSweep(await getJson(`/v1/sweeps/${encodeURIComponent(id)}`, signal));
}

/** The latest drift report, or null before any check is recorded (the server's 404 drift.none). */
export async function getDriftLatest(signal?: AbortSignal): Promise<DriftReportJson | null> {
  try {
    return parseDriftReport(await getJson('/v1/drift/latest', signal));
  } catch (e) {
    if (e instanceof ApiError && e.problem.reason === 'drift.none') {
      return null;
    }
    throw e;
  }
}

/** One drift report of the history. */
export async function getDriftReport(id: string, signal?: AbortSignal): Promise<DriftReportJson> {
  return parseDriftReport(await getJson(`/v1/drift/reports/${encodeURIComponent(id)}`, signal));
}

/** The drift reports, newest first (the decision of each). */
export async function getDriftHistory(
  limit: number,
  signal?: AbortSignal,
): Promise<DriftHistoryItemJson[]> {
  return parseDriftHistory(await getJson(`/v1/drift?limit=${limit}`, signal));
}

/** POST /v1/drift over the completed jobs of the last `window` (e.g. '24h'): the queued check. */
export async function startDriftCheck(
  window: string,
  signal?: AbortSignal,
): Promise<DriftCheckJson> {
  const res = await request('/v1/drift', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ window }),
    ...(signal === undefined ? {} : { signal }),
  });
  return parseDriftCheck(await res.json());
}

/** A drift check's state and progress (polled until it has ended). */
export async function getDriftCheck(id: string, signal?: AbortSignal): Promise<DriftCheckJson> {
  return parseDriftCheck(await getJson(`/v1/drift/checks/${encodeURIComponent(id)}`, signal));
}
