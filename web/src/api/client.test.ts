// The client's key handling, as the browser runs it: fetch and sessionStorage stand in for the
// browser's, the prompt for the dialog (views/api-key-prompt.ts).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import {
  ApiError,
  apiKey,
  eventsUrl,
  getResultsCsv,
  listJobs,
  setApiKey,
  setApiKeyPrompt,
} from './client.ts';
import type { Job } from './types.ts';

/** The Storage a browser tab has (sessionStorage), kept in a Map. */
class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(k: string): string | null {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.items.set(k, v);
  }
  removeItem(k: string): void {
    this.items.delete(k);
  }
}

const GOOD = 'right-key-0001';
const job = {
  links: {
    self: '/v1/jobs/j1',
    events: '/v1/jobs/j1/events',
    results: '/v1/jobs/j1/results',
    map: '/v1/jobs/j1/map',
  },
} as unknown as Job;

/** A server with one key: 401 problem+json without it, as create-app answers. */
function fakeServer(): {
  keysSeen: (string | null)[];
  fetch: (input: string, init?: RequestInit) => Promise<Response>;
} {
  const keysSeen: (string | null)[] = [];
  const fake = (input: string, init?: RequestInit): Promise<Response> => {
    const key = new Headers(init?.headers).get('X-API-Key');
    keysSeen.push(key);
    if (key !== GOOD) {
      return Promise.resolve(
        new Response(
          JSON.stringify({
            status: 401,
            title: 'Unauthorized',
            reason: 'http.api-key',
            detail: key === null ? 'this endpoint needs an API key' : 'the API key is not valid',
            hint: 'send the header X-API-Key: <key>',
          }),
          { status: 401, headers: { 'content-type': 'application/problem+json' } },
        ),
      );
    }
    return Promise.resolve(
      input.startsWith('/v1/jobs?')
        ? new Response(JSON.stringify({ jobs: [], next_cursor: null }), { status: 200 })
        : new Response('protein_id\nq0\n', { status: 200 }),
    );
  };
  return { keysSeen, fetch: fake };
}

let storage: MemoryStorage;
beforeEach(() => {
  storage = new MemoryStorage();
  vi.stubGlobal('sessionStorage', storage);
  setApiKey('');
});
afterEach(() => {
  setApiKeyPrompt(null);
  vi.unstubAllGlobals();
});

describe('API key in the web client', () => {
  it('asks once when the API answers 401, keeps the key in sessionStorage and retries', async () => {
    const server = fakeServer();
    vi.stubGlobal('fetch', server.fetch);
    let release: (key: string) => void = () => undefined;
    const prompt = vi.fn(
      (reason: string) =>
        new Promise<string | null>((resolve) => {
          expect(reason).toBe('this endpoint needs an API key');
          release = resolve;
        }),
    );
    setApiKeyPrompt(prompt);
    // Three requests get a 401 while the prompt is open: one prompt answers them all.
    const calls = Promise.all([getResultsCsv(job), getResultsCsv(job), listJobs(5)]);
    await vi.waitFor(() => expect(prompt).toHaveBeenCalledTimes(1));
    await vi.waitFor(() => expect(server.keysSeen.length).toBe(3));
    release(`  ${GOOD} `);
    const [csv, , jobs] = await calls;
    expect(csv).toContain('q0');
    expect(jobs).toEqual([]);
    expect(prompt).toHaveBeenCalledTimes(1);
    expect(prompt.mock.calls[0]?.[0]).toBe('this endpoint needs an API key');
    expect(storage.items.get('arginator.api-key')).toBe(GOOD);
    expect(apiKey()).toBe(GOOD);

    // Later requests carry the key from the start, reads included: no prompt, no 401.
    server.keysSeen.length = 0;
    await getResultsCsv(job);
    expect(server.keysSeen).toEqual([GOOD]);
    expect(prompt).toHaveBeenCalledTimes(1);
  });

  it('gives the 401 to the caller when the user cancels, storing nothing', async () => {
    vi.stubGlobal('fetch', fakeServer().fetch);
    const prompt = vi.fn(() => Promise.resolve(null));
    setApiKeyPrompt(prompt);
    const error = await getResultsCsv(job).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).problem).toMatchObject({ status: 401, reason: 'http.api-key' });
    expect(prompt).toHaveBeenCalledTimes(1);
    expect(storage.items.size).toBe(0);
  });

  it('asks again for a stored key the server no longer accepts, once per 401, no loop', async () => {
    const server = fakeServer();
    vi.stubGlobal('fetch', server.fetch);
    setApiKey('stale-key-0001');
    const prompt = vi.fn(() => Promise.resolve('still-wrong-1'));
    setApiKeyPrompt(prompt);
    const error = await getResultsCsv(job).catch((e: unknown) => e);
    expect((error as ApiError).problem.detail).toBe('the API key is not valid');
    expect(prompt).toHaveBeenCalledTimes(1);
    expect(server.keysSeen).toEqual(['stale-key-0001', 'still-wrong-1']);
  });

  it('puts the key in the events URL (EventSource sends no headers), encoded', () => {
    expect(eventsUrl(job)).toBe('/v1/jobs/j1/events');
    setApiKey('k&y=1 2345');
    expect(eventsUrl(job)).toBe('/v1/jobs/j1/events?api_key=k%26y%3D1%202345');
  });
});
