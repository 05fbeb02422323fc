// A fresh temporary directory per test, removed after it, for tests that work on real files.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/**
 * Registers beforeEach/afterEach hooks in the calling scope that create a directory named
 * `prefix` + random suffix under the OS temp dir and delete it again. Returns a getter for
 * the current test's directory.
 */
export function useTempDir(prefix: string): () => string {
  let dir: string | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    if (dir !== undefined) {
      await rm(dir, { recursive: true, force: true });
      dir = undefined;
    }
  });
  return () => {
    if (dir === undefined) {
      throw new Error('useTempDir: the directory exists only while a test runs');
    }
    return dir;
  };
}
