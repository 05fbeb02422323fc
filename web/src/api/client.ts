// The UI's only door to the server: typed calls over fetch, problem+json turned into ApiError.
import {
  parseJob,
  parseModels,
  parseProblem,
  parseQueryMap,
  parseReferenceMap,
  parseRunDetail,
  parseRuns,
} from './guards.ts';
import type {
  Job,
  ModelInfo,
  Problem,
  QueryMap,
  ReferenceMap,
  RunDetail,
  RunInfo,
  TableFormat,
  Task,
} from './types.ts';

/** An HTTP error with the server's problem+json (detail, hint) for the user. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail);
    this.problem = problem;
  }
}

const API_KEY_STORAGE = 'arginator.api-key';

/** The API key for write endpoints, if the user gave one (kept in this browser only). */
export function apiKey(): string {
  try {
    return localStorage.getItem(API_KEY_STORAGE) ?? '';
  } catch {
    return '';
  }
}

export function setApiKey(key: string): void {
  try {
    if (key === '') {
      localStorage.removeItem(API_KEY_STORAGE);
    } else {
      localStorage.setItem(API_KEY_STORAGE, key);
    }
  } catch {
    // Storage can be disabled (private mode); the key then lives for this page only.
  }
}

async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('Accept', 'application/json, application/problem+json');
  const key = apiKey();
  if (key !== '' && init.method !== undefined && init.method !== 'GET') {
    headers.set('X-API-Key', key);
  }
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers });
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
  if (!res.ok) {
    let body: unknown = null;
    try {
      body = await res.json();
    } catch {
      // Not JSON (a proxy error page, say): fall back to the status text.
    }
    throw new ApiError(parseProblem(body, res.status, `${res.status} ${res.statusText}`));
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

export async function getRuns(signal?: AbortSignal): Promise<RunInfo[]> {
  return parseRuns(await getJson('/v1/runs', signal));
}

export async function getRun(id: string, signal?: AbortSignal): Promise<RunDetail> {
  return parseRunDetail(await getJson(`/v1/runs/${encodeURIComponent(id)}`, signal));
}
