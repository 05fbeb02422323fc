// Test helper: a throwaway Redis (Debian's /usr/bin/redis-server) on 127.0.0.1, a free port, AOF on, in a temp folder; restartable, killed at the end.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REDIS_SERVER = process.env['ARGINATOR_TEST_REDIS_SERVER'] ?? '/usr/bin/redis-server';

/**
 * Whether the Redis tests run: where redis-server is installed, and always in CI (`.ci/run` installs
 * it, so a missing one fails there instead of skipping). The GitHub matrix's macOS/Windows legs run
 * with CI=false and skip them without it.
 */
export const RUN_REDIS_TESTS = process.env['CI'] === 'true' || existsSync(REDIS_SERVER);

export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** Stops Redis gracefully (SIGTERM: the AOF is flushed) and starts it again on the same port and folder. */
  restart(): Promise<void>;
  /** Kills Redis and removes its folder. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function launch(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    REDIS_SERVER,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'yes',
      '--dir',
      dir,
      '--maxmemory-policy',
      'noeviction',
      '--protected-mode',
      'yes',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start in 20 s:\n${out}`));
    }, 20_000);
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with code ${code}:\n${out}`));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startTestRedis(): Promise<TestRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'arginator-redis-'));
  const port = await freePort();
  let child = await launch(port, dir);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restart() {
      const done = exited(child);
      child.kill('SIGTERM');
      await done;
      child = await launch(port, dir);
    },
    async stop() {
      const done = exited(child);
      child.kill('SIGKILL');
      await done;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
