import { describe, expect, it } from 'vitest';

import { ArginatorError } from '../errors.ts';
import type { Embedder } from './embedder.ts';
import { EmbedderRegistry } from './embedder-registry.ts';

const constantEmbedder: Embedder = {
  id: 'constant-v1',
  dim: 2,
  fingerprint: { name: 'constant' },
  embed: (records) => Promise.resolve(records.map(() => new Float32Array([1, 2]))),
  close: () => Promise.resolve(),
};

describe('EmbedderRegistry', () => {
  it('creates registered embedders by name and lists them sorted', async () => {
    const registry = new EmbedderRegistry()
      .register({ name: 'z', description: 'z', create: () => Promise.resolve(constantEmbedder) })
      .register({ name: 'a', description: 'a', create: () => Promise.resolve(constantEmbedder) });
    expect(registry.names()).toEqual(['a', 'z']);
    const e = await registry.create('a');
    expect(await e.embed([{ id: 'p', description: '', sequence: 'MK' }])).toEqual([
      new Float32Array([1, 2]),
    ]);
  });

  it('rejects unknown names with the list of known ones', async () => {
    const registry = new EmbedderRegistry().register({
      name: 'builtin',
      description: '',
      create: () => Promise.resolve(constantEmbedder),
    });
    await expect(registry.create('esm')).rejects.toThrow(ArginatorError);
    await expect(registry.create('esm')).rejects.toThrow(/unknown embedder 'esm'/);
    await expect(registry.create('esm')).rejects.toMatchObject({
      code: 'USAGE',
      hint: 'use one of: builtin',
    });
  });
});
