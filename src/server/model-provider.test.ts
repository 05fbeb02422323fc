import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { jsKernels } from '../core/model/kernels.ts';
import { createModelProvider } from './model-provider.ts';
import { makeHome, registerTinyModel } from './test-support/service-fixture.ts';

describe('createModelProvider', () => {
  it('answers from the registry it read less than a second ago, then sees a new model', async () => {
    const home = await makeHome();
    const first = await registerTinyModel(home);
    const models = createModelProvider({
      modelsDir: join(home, 'models'),
      kernels: jsKernels,
      threads: 1,
    });
    try {
      expect((await models.get('multiclass')).version).toBe(first);
      const second = await registerTinyModel(home);
      expect(second).not.toBe(first);
      // New jobs always read the registry; /v1/predict's cached choice is at most a second old.
      expect((await models.choose('multiclass')).version).toBe(second);
      expect((await models.get('multiclass')).version).toBe(first);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await models.get('multiclass')).version).toBe(second);
      expect(models.loadedVersion).toBe(second);
    } finally {
      await models.close();
    }
  });
});
