// The embedder registry both composition roots use: built-ins, precomputed HDF5, ONNX; pure ones on threads.
import { availableParallelism } from 'node:os';

import type { Embedder, EmbedderOptions } from '../core/embed/embedder.ts';
import { EmbedderRegistry } from '../core/embed/embedder-registry.ts';
import { isPureEmbedder, PURE_EMBEDDERS } from '../core/embed/pure-embedders.ts';
import { onnxEmbedderFactory } from '../embedders/onnx/onnx-embedder.ts';
import { createThreadedEmbedder } from '../embedders/threaded/threaded-embedder.ts';
import { precomputedEmbedderFactory } from '../io/precomputed-embedder.ts';

export const DEFAULT_EMBEDDER = 'builtin';

export function createEmbedderRegistry(): EmbedderRegistry {
  const registry = new EmbedderRegistry();
  for (const factory of PURE_EMBEDDERS) {
    registry.register(factory);
  }
  registry.register(precomputedEmbedderFactory);
  registry.register(onnxEmbedderFactory);
  return registry;
}

export interface OpenEmbedderRequest {
  readonly name: string;
  readonly options?: EmbedderOptions;
  /** Worker threads for pure embedders; default: the machine's parallelism. */
  readonly threads?: number | undefined;
}

/** Creates the named embedder; pure ones are spread over worker threads. */
export async function openEmbedder(
  request: OpenEmbedderRequest,
  registry: EmbedderRegistry = createEmbedderRegistry(),
): Promise<Embedder> {
  const options = request.options ?? {};
  const embedder = await registry.create(request.name, options);
  if (!isPureEmbedder(request.name)) {
    return embedder;
  }
  const threads = request.threads ?? availableParallelism();
  return createThreadedEmbedder(embedder, request.name, options, threads);
}
