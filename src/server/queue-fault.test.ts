// Fault test of the redis backend (issue 16): one API and two worker processes on a test Redis; 20 jobs of 1,000 proteins; kill -9 a worker mid-run and restart Redis; every job completes with `arginator predict`'s bytes.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { TestRedis } from '../queue/test-support/redis-server.ts';
import { RUN_REDIS_TESTS, startTestRedis } from '../queue/test-support/redis-server.ts';
import { REPO_ROOT, runCli } from '../wiring/test-support/run-cli.ts';
import type { JobJson } from './job-json.ts';
import { makeHome, registerTinyModel } from './test-support/service-fixture.ts';

const BIN = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));
/** Shipped realistic queries (a proteome, not the references): docs/benchmarks.md. */
const PROTEOME = join(REPO_ROOT, 'data', 'bench', 'UP000074855-P.berghei.fasta.gz');
const JOBS = 20;
const PROTEINS = 1000;
const PREFIX = 'faulttest';
/** Chunks of 250: four per job, so merges and chunk retries both happen. */
const QUEUE = [
  'queue.backend=redis',
  'queue.chunk_size=250',
  'queue.lock_seconds=3',
  `queue.prefix=${PREFIX}`,
  'server.embedder_threads=1',
];

interface Proc {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;
  stderr(): string;
}

function start(args: readonly string[], env: Record<string, string>, ready: RegExp): Promise<Proc> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ARGINATOR_LOG_LEVEL: 'warn', ...env },
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${args[0]} did not start:\n${stderr}`)),
      60_000,
    );
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (ready.test(stderr)) {
        clearTimeout(timer);
        resolve({ child, exited, stderr: () => stderr });
      }
    });
    child.stdout.resume();
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${args[0]} exited with ${String(code)} before it was ready:\n${stderr}`));
    });
  });
}

async function stop(proc: Proc | undefined): Promise<void> {
  if (proc === undefined || proc.child.exitCode !== null || proc.child.signalCode !== null) {
    return;
  }
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 15_000);
  await proc.exited;
  clearTimeout(timer);
}

async function until(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** The proteome's records as FASTA texts, in file order. */
async function proteomeRecords(): Promise<string[]> {
  const text = gunzipSync(await readFile(PROTEOME)).toString('utf8');
  return text
    .split(/^(?=>)/m)
    .filter((r) => r.startsWith('>'))
    .map((r) => (r.endsWith('\n') ? r : `${r}\n`));
}

describe.runIf(RUN_REDIS_TESTS)('redis backend under faults', () => {
  let redis: TestRedis;
  let home: string;
  let api: Proc | undefined;
  const workers: (Proc | undefined)[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    home = await makeHome();
    await registerTinyModel(home);
  });

  afterAll(async () => {
    await stop(api);
    await Promise.all(workers.map(stop));
    await redis.stop();
    await rm(home, { recursive: true, force: true });
  });

  it('completes 20 jobs with the CLI bytes through a killed worker and a Redis restart', async () => {
    const env = { ARGINATOR_HOME: home, ARGINATOR_REDIS_URL: redis.url };
    // Inputs: 20 windows of 1,000 consecutive proteins of the proteome, each starting 200 further on.
    const records = await proteomeRecords();
    const inputs = Array.from({ length: JOBS }, (_, j) =>
      Array.from({ length: PROTEINS }, (_, i) => records[(j * 200 + i) % records.length]).join(''),
    );
    // What `arginator predict` writes for the same inputs (all of them, in one input, and two
    // of them on their own: rows do not depend on their neighbours).
    const all = join(home, 'all.fasta');
    await writeFile(all, records.join(''));
    const whole = await runCli(['predict', all, '--out', join(home, 'all.csv'), '--quiet'], {
      env: { ARGINATOR_HOME: home },
      timeoutMs: 180_000,
    });
    expect(whole.code, whole.stderr).toBe(0);
    const wholeCsv = await readFile(join(home, 'all.csv'), 'utf8');
    const [header, ...rows] = wholeCsv.trimEnd().split('\n');
    const rowById = new Map(rows.map((r) => [r.slice(0, r.indexOf(',')), r]));
    const idsOf = (fasta: string): string[] =>
      fasta
        .split('\n')
        .filter((l) => l.startsWith('>'))
        .map((l) => l.slice(1).split(/\s/)[0] ?? '');
    const expected = inputs.map(
      (fasta) =>
        `${header ?? ''}\n${idsOf(fasta)
          .map((id) => rowById.get(id) ?? `missing ${id}`)
          .join('\n')}\n`,
    );
    for (const j of [0, JOBS - 1]) {
      const path = join(home, `input-${j}.fasta`);
      await writeFile(path, inputs[j] ?? '');
      const one = await runCli(['predict', path, '--out', `${path}.csv`, '--quiet'], {
        env: { ARGINATOR_HOME: home },
        timeoutMs: 120_000,
      });
      expect(one.code, one.stderr).toBe(0);
      expect(await readFile(`${path}.csv`, 'utf8')).toBe(expected[j]);
    }

    api = await start(['serve', '--port', '0', ...QUEUE], env, /serving (http:\/\/\S+) /);
    const url = /serving (http:\/\/\S+) /.exec(api.stderr())?.[1] ?? '';
    for (let w = 0; w < 2; w++) {
      workers.push(await start(['worker', ...QUEUE], env, /taking chunks/));
    }
    const ids: string[] = [];
    for (const fasta of inputs) {
      const res = await fetch(`${url}/v1/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ task: 'multiclass', fasta }),
      });
      expect(res.status).toBe(201);
      ids.push(((await res.json()) as JobJson).id);
    }
    const jobs = async (): Promise<JobJson[]> =>
      Promise.all(
        ids.map(async (id) => (await (await fetch(`${url}/v1/jobs/${id}`)).json()) as JobJson),
      );

    // Mid-run: some jobs done, and both workers busy (each runs one chunk at a time), so the
    // killed one dies holding a chunk.
    const watcher = new Redis(redis.url);
    const queue = new Queue('jobs', { connection: watcher, prefix: PREFIX });
    try {
      await until(
        'three completed jobs with both workers busy',
        async () =>
          (await jobs()).filter((j) => j.status === 'completed').length >= 3 &&
          (await queue.getJobCounts('active'))['active'] === 2,
        240_000,
      );
    } finally {
      await queue.close();
      // A connection given to BullMQ stays open after close(); closed before Redis restarts.
      watcher.disconnect();
    }
    workers[0]?.child.kill('SIGKILL');
    await workers[0]?.exited;
    await redis.restart();

    await until(
      'every job finished',
      async () => (await jobs()).every((j) => j.status === 'completed' || j.status === 'failed'),
      300_000,
    );
    const finished = await jobs();
    expect(finished.map((j) => [j.status, j.error])).toEqual(ids.map(() => ['completed', null]));
    // The dead worker's chunk came back through stalled-job recovery (seen by the other worker).
    expect(workers[1]?.stderr()).toMatch(/stalled/);
    for (const [j, id] of ids.entries()) {
      const res = await fetch(`${url}/v1/jobs/${id}/results?format=csv`);
      expect(res.status).toBe(200);
      expect(await res.text(), `job ${j}`).toBe(expected[j]);
    }
    // The original API's /status shows the same completion; the queue gauges are on /metrics.
    const status = (await (await fetch(`${url}/status/${ids[0] ?? ''}`)).json()) as Record<
      string,
      unknown
    >;
    expect(JSON.stringify(status)).toMatch(/omplete/);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^arginator_queue_waiting 0$/m);
    expect(metrics).toMatch(/^arginator_queue_active 0$/m);
    expect(metrics).toMatch(/^arginator_queue_failed_total 0$/m);
    // The map of a redis job is placed by the API from the merged embeddings.
    await until(
      'the map of the first job',
      async () => {
        const res = await fetch(`${url}/v1/jobs/${ids[0] ?? ''}/map`);
        await res.arrayBuffer();
        expect([200, 503]).toContain(res.status);
        return res.status === 200;
      },
      120_000,
    );
    // Nothing of the run stays behind but results: no chunk folders, no progress hashes.
    for (const id of ids) {
      expect(existsSync(join(home, 'jobs', id, 'chunks'))).toBe(false);
    }
    const client = new Redis(redis.url);
    try {
      expect(await client.keys(`${PREFIX}:x:progress:*`)).toEqual([]);
    } finally {
      client.disconnect();
    }
  }, 600_000);
});
