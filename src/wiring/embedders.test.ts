import { describe, expect, it } from 'vitest';

import { onnxEmbedderFactory } from '../embedders/onnx/onnx-embedder.ts';
import { precomputedEmbedderFactory } from '../io/precomputed-embedder.ts';
import { createEmbedderRegistry, LAZY_ADAPTERS } from './embedders.ts';

describe('lazily loaded embedder adapters', () => {
  it('describe themselves as the adapters do', () => {
    const real = [precomputedEmbedderFactory, onnxEmbedderFactory];
    expect(LAZY_ADAPTERS.map((f) => [f.name, f.description])).toEqual(
      real.map((f) => [f.name, f.description]),
    );
  });

  it('open the adapter on first use, with its own option errors', async () => {
    const registry = createEmbedderRegistry();
    expect(registry.names()).toEqual(expect.arrayContaining(['onnx', 'precomputed']));
    const direct = await precomputedEmbedderFactory.create({ path: 3 }).then(
      () => undefined,
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    expect(direct).toBeDefined();
    await expect(registry.create('precomputed', { path: 3 })).rejects.toThrow(direct);
  });
});
