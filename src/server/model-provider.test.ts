import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { jsKernels } from '../core/model/kernels.ts';
import { FsModelRegistry } from '../store/fs-model-registry.ts';
import { createModelProvider } from './model-provider.ts';
import { makeHome, registerTinyModel } from './test-support/service-fixture.ts';

/** get() until it answers `version` (a switch is served from the first request after the load). */
async function until(get: () => Promise<{ version: string }>, version: string): Promise<number> {
  for (let i = 1; i <= 200; i++) {
    if ((await get()).version === version) {
      return i;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`never switched to ${version}`);
}

describe('createModelProvider', () => {
  it('answers from the registry it read less than a second ago, then switches to a new model once', async () => {
    const home = await makeHome();
    const first = await registerTinyModel(home);
    let clock = 0;
    const switches: string[] = [];
    const models = createModelProvider({
      catalog: new FsModelRegistry(join(home, 'models')),
      kernels: jsKernels,
      threads: 1,
      now: () => clock,
      onSwitch: (task, from, to) => switches.push(`${task} ${from}->${to}`),
    });
    try {
      expect((await models.get('multiclass')).version).toBe(first);
      const second = await registerTinyModel(home, 'multiclass', { seed: 2 });
      expect(second).not.toBe(first);
      // New jobs always read the registry; /v1/predict's cached choice is at most a second old.
      expect((await models.choose('multiclass')).version).toBe(second);
      expect((await models.get('multiclass')).version).toBe(first);
      clock += 1100;
      // The old model answers until the new one has loaded, then only the new one.
      await until(() => models.get('multiclass'), second);
      for (let i = 0; i < 5; i++) {
        expect((await models.get('multiclass')).version).toBe(second);
      }
      expect(models.loadedVersion).toBe(second);
      expect(switches).toEqual([`multiclass ${first}->${second}`]);
    } finally {
      await models.close();
    }
  });

  it('the champion alias wins over latest; refresh() makes a promotion visible at once', async () => {
    const home = await makeHome();
    const catalog = new FsModelRegistry(join(home, 'models'));
    const v1 = await registerTinyModel(home);
    const v2 = await registerTinyModel(home, 'multiclass', { seed: 2 });
    const models = createModelProvider({ catalog, kernels: jsKernels, threads: 1 });
    try {
      expect((await models.get('multiclass')).version).toBe(v2);
      await catalog.setAlias('champion:multiclass', v1, {});
      models.refresh();
      await until(() => models.get('multiclass'), v1);
      expect((await models.challenger('multiclass'))?.version).toBeUndefined();
      await catalog.setAlias('challenger:multiclass', v2, {});
      models.refresh();
      expect((await models.challenger('multiclass'))?.version).toBe(v2);
      expect((await models.get('multiclass')).version).toBe(v1);
    } finally {
      await models.close();
    }
  });

  it('refuses a model whose file does not match its sha256, and keeps serving the previous one', async () => {
    const home = await makeHome();
    const catalog = new FsModelRegistry(join(home, 'models'));
    const v1 = await registerTinyModel(home);
    const v2 = await registerTinyModel(home, 'multiclass', { seed: 2 });
    await catalog.setAlias('champion:multiclass', v1, {});
    const failed: string[] = [];
    const models = createModelProvider({
      catalog,
      kernels: jsKernels,
      threads: 1,
      onLoadFailed: (_task, version, e) =>
        failed.push(`${version} ${(e as { reason?: string }).reason ?? ''}`),
    });
    try {
      expect((await models.get('multiclass')).version).toBe(v1);
      // v2's file changes on disk after registration (the sha256 in the registry no longer matches).
      const path = (await catalog.resolve(v2)).path;
      await appendFile(path, Uint8Array.of(0));
      await catalog.setAlias('champion:multiclass', v2, {});
      models.refresh();
      for (let i = 0; i < 20 && failed.length === 0; i++) {
        expect((await models.get('multiclass')).version).toBe(v1);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(failed).toEqual([`${v2} model.checksum-mismatch`]);
      await expect(models.base(v2)).rejects.toThrow(/sha256.*not served/);
    } finally {
      await models.close();
    }
  });
});
