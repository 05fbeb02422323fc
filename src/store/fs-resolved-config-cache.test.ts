import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { resolveConfig } from '../pipeline/config/resolve-config.ts';
import { fsConfigSource } from './fs-config-source.ts';
import {
  FsResolvedConfigCache,
  recordingSource,
  resolvedConfigKey,
} from './fs-resolved-config-cache.ts';

const CONFIGS = fileURLToPath(new URL('../../configs/', import.meta.url));
const VARS = { home: '/data/arginator', package_root: '/opt/arginator' };

async function setUp(): Promise<{ dir: string; cache: FsResolvedConfigCache; cacheDir: string }> {
  const root = await mkdtemp(join(tmpdir(), 'arginator-configcache-'));
  const dir = join(root, 'configs');
  await cp(CONFIGS, dir, { recursive: true });
  const cacheDir = join(root, 'cache');
  return { dir, cache: new FsResolvedConfigCache(cacheDir), cacheDir };
}

async function resolveAndStore(
  dir: string,
  cache: FsResolvedConfigCache,
  key: string,
  overrides: readonly string[],
): Promise<Awaited<ReturnType<typeof resolveConfig>>> {
  const recorder = recordingSource(fsConfigSource(dir));
  const result = await resolveConfig(recorder.source, overrides, VARS);
  await cache.write(key, recorder.reads, result);
  return result;
}

describe('FsResolvedConfigCache', () => {
  it('gives back the resolution it stored while the files it read are unchanged', async () => {
    const { dir, cache } = await setUp();
    const overrides = ['task=binary', 'experiment.lr=0.01'];
    const key = resolvedConfigKey({ dir, overrides, vars: VARS, code: 'c1' });
    expect(await cache.read(key, fsConfigSource(dir))).toBeUndefined();
    const resolved = await resolveAndStore(dir, cache, key, overrides);
    const hit = await cache.read(key, fsConfigSource(dir));
    expect(hit).toEqual({ config: resolved.config, choices: resolved.choices });
    expect(hit?.config.optimizer).toMatchObject({ lr: 0.01 });
  });

  it('misses once a file it read changes, and not for a file it did not read', async () => {
    const { dir, cache } = await setUp();
    const key = resolvedConfigKey({ dir, overrides: ['task=binary'], vars: VARS, code: 'c1' });
    await resolveAndStore(dir, cache, key, ['task=binary']);
    // multiclass.yaml was not chosen, so not read: editing it does not matter.
    await writeFile(join(dir, 'task', 'multiclass.yaml'), 'name: multiclass\n');
    expect(await cache.read(key, fsConfigSource(dir))).toBeDefined();
    const binary = join(dir, 'task', 'binary.yaml');
    await writeFile(binary, `${await readFile(binary, 'utf8')}\n# edited\n`);
    expect(await cache.read(key, fsConfigSource(dir))).toBeUndefined();
    const root = join(dir, 'config.yaml');
    await resolveAndStore(dir, cache, key, ['task=binary']);
    await writeFile(root, `${await readFile(root, 'utf8')}\n# edited\n`);
    expect(await cache.read(key, fsConfigSource(dir))).toBeUndefined();
  });

  it('keys by folder, overrides, vars and code', () => {
    const base = { dir: '/c', overrides: ['task=binary'], vars: VARS, code: 'c1' };
    const key = resolvedConfigKey(base);
    expect(
      resolvedConfigKey({ ...base, vars: { package_root: VARS.package_root, home: VARS.home } }),
    ).toBe(key);
    for (const other of [
      { ...base, dir: '/d' },
      { ...base, overrides: ['task=multiclass'] },
      { ...base, overrides: [] },
      { ...base, vars: { ...VARS, home: '/elsewhere' } },
      { ...base, code: 'c2' },
    ]) {
      expect(resolvedConfigKey(other)).not.toBe(key);
    }
  });

  it('ignores a damaged entry and a bad key, and does not fail when it cannot write', async () => {
    const { dir, cache, cacheDir } = await setUp();
    const key = resolvedConfigKey({ dir, overrides: [], vars: VARS, code: 'c1' });
    await resolveAndStore(dir, cache, key, []);
    const [file = ''] = await readdir(join(cacheDir, 'config'));
    await writeFile(join(cacheDir, 'config', file), '{"format":1,"reads":[');
    expect(await cache.read(key, fsConfigSource(dir))).toBeUndefined();
    expect(await cache.read('../escape', fsConfigSource(dir))).toBeUndefined();
    const blocked = new FsResolvedConfigCache(join(dir, 'config.yaml'));
    await expect(resolveAndStore(dir, blocked, key, [])).resolves.toBeDefined();
    expect(await blocked.read(key, fsConfigSource(dir))).toBeUndefined();
  });
});
