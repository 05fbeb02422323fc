// No upload can take the server down: the reported requests, each kind of broken upload, and a
// seeded fuzz of malformed multipart bodies, in-process (inject) and on a listening server.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createRng } from '../core/rng.ts';
import type { JobJson } from './job-json.ts';
import type { Problem } from './problem.ts';
import type { Service } from './service.ts';
import type { UploadCase } from './test-support/malformed-multipart.ts';
import { uploadCase } from './test-support/malformed-multipart.ts';
import {
  makeHome,
  randomFasta,
  registerTinyModel,
  startService,
  waitForJob,
} from './test-support/service-fixture.ts';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

let home: string;
let temp: string;
let savedTmpdir: string | undefined;
let service: Service;
let port: number;
/** Jobs the server accepted; each must finish, and only their folders may exist. */
const accepted = new Set<string>();
const busy = new Set<string>();
let handlersStarted = 0;

beforeAll(async () => {
  home = await makeHome();
  await registerTinyModel(home);
  // The process's temp dir is a fresh one, so the test sees every file an upload leaves there.
  temp = await mkdtemp(join(tmpdir(), 'arginator-upload-tmp-'));
  savedTmpdir = process.env['TMPDIR'];
  process.env['TMPDIR'] = temp;
  service = await startService(home, {
    max_upload_bytes: 64 * 1024,
    max_proteins: 50,
    max_sequence_length: 2000,
  });
  // Requests whose handler has started and not yet answered: a client gone mid-upload gets no
  // answer, so the test waits for the server's side of such a request to end before checking.
  service.app.addHook('preHandler', (request, _reply, done) => {
    busy.add(request.id);
    handlersStarted++;
    done();
  });
  service.app.addHook('onSend', (request, _reply, payload, done) => {
    busy.delete(request.id);
    done(null, payload);
  });
  await service.app.listen({ host: '127.0.0.1', port: 0 });
  const address = service.app.server.address();
  port = typeof address === 'object' && address !== null ? address.port : 0;
});

afterAll(async () => {
  await service.app.close();
  if (savedTmpdir === undefined) {
    delete process.env['TMPDIR'];
  } else {
    process.env['TMPDIR'] = savedTmpdir;
  }
  await rm(temp, { recursive: true, force: true });
});

/** One request over a raw socket, so malformed bytes reach the server as they are. */
function rawRequest(
  url: string,
  headers: Record<string, string>,
  body: Buffer,
  options: { chunks?: number; disconnectAfter?: number } = {},
): Promise<Answer | 'disconnected'> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (d: Buffer) => received.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      if (options.disconnectAfter !== undefined) {
        resolve('disconnected');
        return;
      }
      try {
        resolve(parseAnswer(Buffer.concat(received)));
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    const head = [
      `POST ${url} HTTP/1.1`,
      `host: 127.0.0.1:${port}`,
      'connection: close',
      `content-length: ${body.length}`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      '',
      '',
    ].join('\r\n');
    socket.write(head);
    const sent = options.disconnectAfter ?? body.length;
    const pieces = Math.max(1, options.chunks ?? 1);
    const step = Math.ceil(sent / pieces) || 1;
    let at = 0;
    const next = (): void => {
      if (at >= sent) {
        if (options.disconnectAfter !== undefined) {
          // Gone mid-upload: after the server has had a chance to start reading.
          setTimeout(() => socket.destroy(), 5);
        }
        return;
      }
      const end = Math.min(sent, at + step);
      socket.write(body.subarray(at, end), () => setImmediate(next));
      at = end;
    };
    next();
  });
}

/** The answers on one connection, in order (each with a content-length, as fastify sends). */
function parseAnswers(raw: Buffer): Answer[] {
  const answers: Answer[] = [];
  let rest = raw;
  while (rest.length > 0) {
    const split = rest.indexOf('\r\n\r\n');
    if (split < 0) {
      throw new Error(
        `no HTTP answer (${rest.length} bytes: ${rest.toString('latin1').slice(0, 200)})`,
      );
    }
    const lines = rest.subarray(0, split).toString('latin1').split('\r\n');
    const status = Number((lines[0] ?? '').split(' ')[1]);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    expect(headers['transfer-encoding']).toBeUndefined();
    const length = Number(headers['content-length']);
    expect(rest.length - split - 4).toBeGreaterThanOrEqual(length);
    const body = rest.subarray(split + 4, split + 4 + length).toString('utf8');
    answers.push({ status, headers, body });
    rest = rest.subarray(split + 4 + length);
  }
  return answers;
}

function parseAnswer(raw: Buffer): Answer {
  const answers = parseAnswers(raw);
  expect(answers.length).toBe(1);
  return answers[0] as Answer;
}

async function inject(c: UploadCase): Promise<Answer> {
  const res = await service.app.inject({
    method: 'POST',
    url: c.url,
    headers: { 'content-type': c.contentType },
    payload: c.body,
  });
  return { status: res.statusCode, headers: res.headers as Record<string, string>, body: res.body };
}

async function listen(c: UploadCase, chunks: number): Promise<Answer> {
  const answer = await rawRequest(c.url, { 'content-type': c.contentType }, c.body, { chunks });
  if (answer === 'disconnected') {
    throw new Error('unreachable: no disconnect was asked for');
  }
  return answer;
}

/** A 4xx problem+json with a reason, or an accepted job (remembered, to be waited for). */
function checkAnswer(c: UploadCase, a: Answer): string {
  const what = `${c.name}: ${a.status} ${a.body.slice(0, 300)}`;
  if (a.status === 200 || a.status === 201) {
    expect(c.expect, what).not.toBe('refuse');
    const json = JSON.parse(a.body) as { job_id?: string; id?: string };
    const id = json.job_id ?? json.id ?? '';
    expect(id, what).toMatch(/^[0-9a-f-]{36}$/);
    accepted.add(id);
    return 'accepted';
  }
  expect(c.expect, what).not.toBe('accept');
  expect(a.status, what).toBeGreaterThanOrEqual(400);
  expect(a.status, what).toBeLessThan(500);
  expect(a.headers['content-type'], what).toContain('application/problem+json');
  const problem = JSON.parse(a.body) as Problem;
  expect(problem.status, what).toBe(a.status);
  expect(problem.reason, what).toMatch(/^[a-z]+\.[a-z-]+$/);
  expect(problem.detail.length, what).toBeGreaterThan(10);
  expect(problem.hint.length, what).toBeGreaterThan(5);
  return problem.reason;
}

/**
 * Only the folders of the store's jobs exist (each accepted answer among them); the temp dir is
 * empty. A client gone after its last part may still have made a job, which is then in the store.
 */
async function checkNoLeftovers(what: string): Promise<void> {
  const folders = (await readdir(join(home, 'jobs')).catch(() => [])).sort();
  const jobs = service.app.inject('/v1/jobs?limit=500');
  const ids = (await jobs).json<{ jobs: JobJson[] }>().jobs.map((j) => j.id);
  expect(folders, what).toEqual(ids.sort());
  for (const id of accepted) {
    expect(ids, what).toContain(id);
  }
  // tsx-*: the TypeScript loader's compile cache of the test's worker threads, not an upload.
  const stray = (await readdir(temp)).filter((f) => !f.startsWith('tsx-'));
  expect(stray, what).toEqual([]);
}

async function checkAlive(what: string): Promise<void> {
  expect((await service.app.inject('/healthz')).statusCode, what).toBe(200);
  const answer = await new Promise<number>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(`GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`),
    );
    const got: Buffer[] = [];
    socket.on('data', (d: Buffer) => got.push(d));
    socket.on('error', reject);
    socket.on('close', () => resolve(Number(Buffer.concat(got).toString('latin1').split(' ')[1])));
  });
  expect(answer, `${what}: /healthz on the listening server`).toBe(200);
}

/** Waits until the server has finished a request it never answered (client gone), then checks. */
async function settled(what: string): Promise<void> {
  for (let i = 0; busy.size > 0; i++) {
    if (i >= 1000) {
      throw new Error(`${what}: the server never finished the request (${[...busy].join(', ')})`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await checkNoLeftovers(what);
}

function form(parts: readonly [string, string | Blob, string?][]): FormData {
  const f = new FormData();
  for (const [name, value, filename] of parts) {
    if (typeof value === 'string') {
      f.append(name, value);
    } else {
      f.append(name, value, filename);
    }
  }
  return f;
}

async function post(url: string, body: FormData): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${port}${url}`, { method: 'POST', body });
  return {
    status: res.status,
    headers: Object.fromEntries(res.headers.entries()),
    body: await res.text(),
  };
}

function problemOf(a: Answer, status: number): Problem {
  expect(a.status, a.body).toBe(status);
  expect(a.headers['content-type']).toContain('application/problem+json');
  return JSON.parse(a.body) as Problem;
}

describe('the reported requests, on a listening server', () => {
  it('refuses classification_type=Sideways sent before the file with 400, and lives on', async () => {
    // curl -F classification_type=Sideways -F file=@proteins.fa URL/submit_job. The crash was a
    // race (the file stream destroyed with a write in flight), so a few sizes, in both orders.
    for (const n of [1, 5, 20, 45]) {
      const fa = new Blob([randomFasta(n)]);
      const before = await post(
        '/submit_job',
        form([
          ['classification_type', 'Sideways'],
          ['file', fa, 'proteins.fa'],
        ]),
      );
      expect(problemOf(before, 400).reason).toBe('http.bad-task');
      const after = await post(
        '/submit_job',
        form([
          ['file', fa, 'proteins.fa'],
          ['classification_type', 'Sideways'],
        ]),
      );
      expect(problemOf(after, 400).reason).toBe('http.bad-task');
    }
    await checkAlive('after Sideways');
    await checkNoLeftovers('after Sideways');
  });

  it('refuses a truncated gzip upload with 422 gzip.truncated at upload', async () => {
    const gz = gzipSync(randomFasta(40)); // under server.max_proteins (50)
    const cut = new Blob([gz.subarray(0, Math.floor(gz.length / 2))]);
    const res = await post(
      '/submit_job',
      form([
        ['classification_type', 'Binary'],
        ['file', cut, 'proteins.fa.gz'],
      ]),
    );
    const problem = problemOf(res, 422);
    expect(problem.reason).toBe('gzip.truncated');
    expect(problem.detail).toContain('proteins.fa.gz');
    await checkAlive('after truncated gzip');
    await checkNoLeftovers('after truncated gzip');
  });

  it('still accepts a good upload afterwards, and runs it', async () => {
    const res = await post(
      '/submit_job',
      form([
        ['file', new Blob([randomFasta(3)]), 'proteins.fa'],
        ['classification_type', 'Multiclass'],
      ]),
    );
    expect(res.status, res.body).toBe(200);
    const id = (JSON.parse(res.body) as { job_id: string }).job_id;
    accepted.add(id);
    expect((await waitForJob(service.app, id)).status).toBe('completed');
  });
});

/** A body built by hand, for the cases FormData cannot make. */
function body(boundary: string, parts: readonly string[], close = true): Buffer {
  return Buffer.from(
    parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('') + (close ? `--${boundary}--\r\n` : ''),
  );
}

const FILE = 'Content-Disposition: form-data; name="file"; filename="a.fa"\r\n\r\n>a\nMKTAYIAKQR\n';
const TASK = 'Content-Disposition: form-data; name="classification_type"\r\n\r\nBinary';

describe('each kind of broken upload gets its own 4xx', () => {
  const cases: [string, string, Buffer, number, string][] = [
    [
      'doubled task field',
      'multipart/form-data; boundary=b',
      body('b', [TASK, FILE, TASK]),
      400,
      'http.duplicate-field',
    ],
    [
      'missing file part',
      'multipart/form-data; boundary=b',
      body('b', [TASK]),
      400,
      'http.no-file',
    ],
    [
      'a file part without a filename',
      'multipart/form-data; boundary=b',
      body('b', [TASK, 'Content-Disposition: form-data; name="file"\r\n\r\n>a\nMKT\n']),
      400,
      'http.file-not-a-file',
    ],
    [
      'unterminated body',
      'multipart/form-data; boundary=b',
      body('b', [TASK, FILE], false),
      400,
      'http.bad-multipart',
    ],
    [
      'wrong boundary',
      'multipart/form-data; boundary=c',
      body('b', [TASK, FILE]),
      400,
      'http.bad-multipart',
    ],
    ['missing boundary', 'multipart/form-data', body('b', [TASK, FILE]), 400, 'http.bad-multipart'],
    [
      'too many parts',
      'multipart/form-data; boundary=b',
      body('b', [
        TASK,
        ...Array.from(
          { length: 60 },
          (_, i) => `Content-Disposition: form-data; name="x${i}"\r\n\r\nv`,
        ),
      ]),
      413,
      'http.multipart-limit',
    ],
  ];
  it.each(cases)('%s', async (_name, contentType, bytes, status, reason) => {
    const injected = await service.app.inject({
      method: 'POST',
      url: '/submit_job',
      headers: { 'content-type': contentType },
      payload: bytes,
    });
    expect(injected.statusCode, injected.body).toBe(status);
    expect(injected.json<Problem>().reason).toBe(reason);
    const listened = await rawRequest('/submit_job', { 'content-type': contentType }, bytes);
    if (listened === 'disconnected') {
      throw new Error('no answer');
    }
    expect(problemOf(listened, status).reason).toBe(reason);
    await checkAlive(reason);
    await checkNoLeftovers(reason);
  });

  it('keeps a kept-alive connection usable after a refused upload', async () => {
    // A refused upload whose file part was never read, then a second request on the same socket:
    // the unread bytes must not be parsed as that request (either it is answered, or the refusal
    // said Connection: close).
    const refused = body('b', [
      'Content-Disposition: form-data; name="classification_type"\r\n\r\nSideways',
      `Content-Disposition: form-data; name="file"; filename="a.fa"\r\n\r\n${randomFasta(45)}`,
    ]);
    const raw = await new Promise<Buffer>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      const got: Buffer[] = [];
      socket.on('data', (d: Buffer) => got.push(d));
      socket.on('error', reject);
      socket.on('close', () => resolve(Buffer.concat(got)));
      socket.write(
        `POST /submit_job HTTP/1.1\r\nhost: x\r\ncontent-type: multipart/form-data; boundary=b\r\ncontent-length: ${refused.length}\r\n\r\n`,
      );
      socket.write(refused);
      socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    });
    const [first, second, ...more] = parseAnswers(raw);
    expect(first?.status, first?.body).toBe(400);
    expect((JSON.parse(first?.body ?? '{}') as Problem).reason).toBe('http.bad-task');
    if (first?.headers['connection'] === 'close') {
      expect(second).toBeUndefined();
    } else {
      expect(second?.status, second?.body).toBe(200);
      expect(second?.body).toBe('{"status":"ok"}');
    }
    expect(more).toEqual([]);
  });

  it('cleans up after a client that disconnects mid-upload', async () => {
    const big = body('b', [
      TASK,
      `Content-Disposition: form-data; name="file"; filename="a.fa"\r\n\r\n${randomFasta(40)}`,
    ]);
    const started = handlersStarted;
    for (const cut of [10, 200, Math.floor(big.length / 2), big.length - 5]) {
      const answer = await rawRequest(
        '/v1/jobs',
        { 'content-type': 'multipart/form-data; boundary=b' },
        big,
        { disconnectAfter: cut, chunks: 3 },
      );
      expect(answer).toBe('disconnected');
      await settled(`disconnect after ${cut} bytes`);
      await checkAlive(`disconnect after ${cut} bytes`);
    }
    // The server did start on those requests (so settled() had something to wait for).
    expect(handlersStarted - started).toBeGreaterThanOrEqual(4);
  });
});

describe('seeded fuzz of malformed multipart uploads', () => {
  const reasons = new Map<string, number>();
  const count = (reason: string): void => {
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  };

  it('answers 300 generated bodies (fastify inject) with a 4xx problem or a job', async () => {
    const rng = createRng(20261201);
    for (let i = 0; i < 300; i++) {
      const c = uploadCase(rng, i);
      count(checkAnswer(c, await inject(c)));
      await checkNoLeftovers(c.name);
      expect((await service.app.inject('/healthz')).statusCode, c.name).toBe(200);
    }
  });

  it('answers 150 generated bodies on a listening server, some cut off by the client', async () => {
    const rng = createRng(4242);
    for (let i = 0; i < 150; i++) {
      const c = uploadCase(rng, 1000 + i);
      const chunks = 1 + Math.floor(rng() * 4);
      if (i % 10 === 9) {
        const cut = Math.floor(rng() * c.body.length);
        const answer = await rawRequest(c.url, { 'content-type': c.contentType }, c.body, {
          disconnectAfter: cut,
          chunks,
        });
        expect(answer, c.name).toBe('disconnected');
        await settled(`${c.name} (client gone after ${cut} bytes)`);
      } else {
        count(checkAnswer(c, await listen(c, chunks)));
        await checkNoLeftovers(c.name);
      }
      await checkAlive(c.name);
    }
  });

  it('covered many kinds of refusal and some accepted jobs, which all finish', async () => {
    // The generator is not degenerate: refusals of many kinds, and whole requests accepted.
    expect([...reasons.keys()].length, JSON.stringify([...reasons])).toBeGreaterThanOrEqual(10);
    expect(reasons.get('accepted') ?? 0).toBeGreaterThan(10);
    for (const reason of [
      'http.bad-multipart',
      'http.bad-task',
      'http.no-file',
      'gzip.truncated',
    ]) {
      expect(reasons.get(reason) ?? 0, reason).toBeGreaterThan(0);
    }
    const all = (await service.app.inject('/v1/jobs?limit=500')).json<{ jobs: JobJson[] }>().jobs;
    expect(all.length).toBeGreaterThanOrEqual(accepted.size);
    for (const { id } of all) {
      const job = await waitForJob(service.app, id, 60_000);
      if (job.status === 'failed') {
        expect(job.error?.reason ?? '', id).not.toBe('');
      } else {
        expect(job.status, id).toBe('completed');
      }
    }
    await checkNoLeftovers('after the jobs ran');
    for (const { id } of all) {
      const files = await readdir(join(home, 'jobs', id));
      expect(
        files.filter((f) => f.endsWith('.tmp')),
        id,
      ).toEqual([]);
    }
  });
});
