// The real server process: kill -9 during a running job, restart, and nothing submitted is lost.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { REPO_ROOT } from '../wiring/test-support/run-cli.ts';
import type { JobJson } from './job-json.ts';
import { makeHome, randomFasta, registerTinyModel } from './test-support/service-fixture.ts';

const BIN = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));

interface Server {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  readonly exited: Promise<number | null>;
  stderr(): string;
}

function serve(home: string, extra: readonly string[] = []): Promise<Server> {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--port', '0', 'server.embedder_threads=1', ...extra],
    { cwd: REPO_ROOT, env: { ...process.env, ARGINATOR_HOME: home, ARGINATOR_LOG_LEVEL: 'warn' } },
  );
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${stderr}`)), 30_000);
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const match = /serving (http:\/\/[^\s]+) /.exec(stderr);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({ child, url: match[1], exited, stderr: () => stderr });
      }
    });
    child.stdout.resume();
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${String(code)} before listening:\n${stderr}`));
    });
  });
}

async function getJob(server: Server, id: string): Promise<JobJson> {
  const res = await fetch(`${server.url}/v1/jobs/${id}`);
  return (await res.json()) as JobJson;
}

async function until(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 45_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) {
      throw new Error(`timed out waiting until ${what}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function submit(server: Server, fasta: string, name: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([fasta]), name);
  form.append('classification_type', 'Multiclass');
  const res = await fetch(`${server.url}/submit_job`, { method: 'POST', body: form });
  expect(res.status).toBe(200);
  return ((await res.json()) as { job_id: string }).job_id;
}

let home: string;
const started: Server[] = [];
beforeAll(async () => {
  home = await makeHome();
  await registerTinyModel(home);
});
afterAll(() => {
  for (const s of started) {
    s.child.kill('SIGKILL');
  }
});

describe('arginator serve (real process)', () => {
  it('survives kill -9 during a running job: the job runs again and nothing is lost', async () => {
    const big = randomFasta(12_000, 21);
    const first = await serve(home);
    started.push(first);
    const running = await submit(first, big, 'big.faa');
    const queued = await submit(first, randomFasta(50, 22), 'small.faa');
    await until('the big job is running with progress', async () => {
      const job = await getJob(first, running);
      return job.status === 'running' && job.proteins_done > 0;
    });
    expect((await getJob(first, queued)).status).toBe('queued');
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe(null);

    const second = await serve(home);
    started.push(second);
    await until('both jobs completed', async () => {
      const [a, b] = await Promise.all([getJob(second, running), getJob(second, queued)]);
      return a.status === 'completed' && b.status === 'completed';
    });
    const again = await getJob(second, running);
    expect(again.attempts).toBe(2);
    expect(again.proteins_done).toBe(12_000);
    const csv = await (await fetch(`${second.url}/download/${running}`)).text();
    expect(csv.trim().split('\n')).toHaveLength(12_001);
    const list = (await (await fetch(`${second.url}/v1/jobs`)).json()) as { jobs: JobJson[] };
    expect(list.jobs.map((j) => j.id).sort()).toEqual([running, queued].sort());

    // Bad input through the real process: a problem, and the server keeps serving.
    const form = new FormData();
    form.append(
      'file',
      new Blob([await readFile(join(REPO_ROOT, 'fixtures/bad-input/gzip-corrupt.fa.gz'))]),
      '../../etc/passwd',
    );
    form.append('classification_type', 'Binary');
    const bad = await fetch(`${second.url}/submit_job`, { method: 'POST', body: form });
    expect(bad.status).toBe(422);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect((await fetch(`${second.url}/healthz`)).status).toBe(200);

    // SIGTERM with no grace: the running job is re-queued (its attempt given back) and the process exits 0.
    second.child.kill('SIGKILL');
    await second.exited;
    const third = await serve(home, ['server.shutdown_grace_seconds=0']);
    started.push(third);
    const rerun = await submit(third, big, 'big-again.faa');
    await until('the rerun is running', async () => {
      const job = await getJob(third, rerun);
      return job.status === 'running' && job.proteins_done > 0;
    });
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
    expect(third.stderr()).toContain('stopping');

    const fourth = await serve(home);
    started.push(fourth);
    await until(
      'the re-queued job completed',
      async () => (await getJob(fourth, rerun)).status === 'completed',
    );
    expect((await getJob(fourth, rerun)).attempts).toBe(1);
    fourth.child.kill('SIGTERM');
    expect(await fourth.exited).toBe(0);
  }, 120_000);
});
