// `arginator worker --check` (the worker container's healthcheck): 0 with Redis and a model, the typed error otherwise.
import { rm } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { TestRedis } from '../queue/test-support/redis-server.ts';
import { RUN_REDIS_TESTS, startTestRedis } from '../queue/test-support/redis-server.ts';
import { runCli } from '../wiring/test-support/run-cli.ts';
import { registerTinyModel } from '../wiring/test-support/tiny-model.ts';

describe.runIf(RUN_REDIS_TESTS)('arginator worker --check', () => {
  let redis: TestRedis;
  let home: string;

  beforeAll(async () => {
    redis = await startTestRedis();
    home = await mkdtemp(join(tmpdir(), 'arginator-worker-check-'));
  });

  afterAll(async () => {
    await redis.stop();
    await rm(home, { recursive: true, force: true });
  });

  it('needs a model, then exits 0 when Redis answers and the model loads', async () => {
    const env = { ARGINATOR_HOME: home, ARGINATOR_REDIS_URL: redis.url };
    const none = await runCli(['worker', '--check'], { env });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no model for the multiclass task/);
    const version = await registerTinyModel(home);
    const ok = await runCli(['worker', '--check'], { env });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toBe(`ok: Redis answers, model ${version} loads\n`);
  });

  it('exits 2 with the fix when Redis is unreachable or no URL is set', async () => {
    const down = await runCli(['worker', '--check'], {
      env: { ARGINATOR_HOME: home, ARGINATOR_REDIS_URL: 'redis://127.0.0.1:1' },
    });
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:1.*Fix: start Redis/);
    const unset = await runCli(['worker', '--check'], {
      env: { ARGINATOR_HOME: home, ARGINATOR_REDIS_URL: '' },
    });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/ARGINATOR_REDIS_URL/);
  });
});
