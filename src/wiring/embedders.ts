// The embedder registry both composition roots use: built-ins (native builtin-v1 when built), precomputed HDF5, ONNX; pure ones on threads.
import { availableParallelism } from 'node:os';

import { createBuiltinEmbedderFactory } from '../core/embed/builtin-embedder.ts';
import type { Embedder, EmbedderFactory, EmbedderOptions } from '../core/embed/embedder.ts';
import { EmbedderRegistry } from '../core/embed/embedder-registry.ts';
import { isPureEmbedder, PURE_EMBEDDERS } from '../core/embed/pure-embedders.ts';
import { onnxEmbedderFactory } from '../embedders/onnx/onnx-embedder.ts';
import { createThreadedEmbedder } from '../embedders/threaded/threaded-embedder.ts';
import { precomputedEmbedderFactory } from '../io/precomputed-embedder.ts';
import { loadNativeBuiltinKernel } from '../native/native-builtin-embedder.ts';

export const DEFAULT_EMBEDDER = 'builtin';

let nativeBuiltin: EmbedderFactory | null | undefined;
/** Embedders that already run off the event loop on native threads: no worker threads for them. */
const offLoop = new WeakSet<Embedder>();

/** builtin on the addon's builtin-v1 kernel, made once per process (null: not built, TypeScript runs). */
function nativeBuiltinFactory(): EmbedderFactory | null {
  if (nativeBuiltin === undefined) {
    const kernel = loadNativeBuiltinKernel();
    const inner = kernel === undefined ? undefined : createBuiltinEmbedderFactory(kernel);
    nativeBuiltin =
      inner === undefined
        ? null
        : {
            name: inner.name,
            description: inner.description,
            async create(options: EmbedderOptions): Promise<Embedder> {
              const embedder = await inner.create(options);
              offLoop.add(embedder);
              return embedder;
            },
          };
  }
  return nativeBuiltin;
}

export function createEmbedderRegistry(): EmbedderRegistry {
  const registry = new EmbedderRegistry();
  const native = nativeBuiltinFactory();
  for (const factory of PURE_EMBEDDERS) {
    // builtin-v1 on the native kernel gives the same vectors (same id and fingerprint), ~10x faster.
    registry.register(factory.name === 'builtin' && native !== null ? native : factory);
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

/**
 * Creates the named embedder; pure ones are spread over worker threads, except builtin-v1 on the
 * native kernel: it embeds each batch off the event loop itself (one libuv thread, two C++ threads
 * for large batches), and worker threads would only add copies (ADR 0012).
 */
export async function openEmbedder(
  request: OpenEmbedderRequest,
  registry: EmbedderRegistry = createEmbedderRegistry(),
): Promise<Embedder> {
  const options = request.options ?? {};
  const embedder = await registry.create(request.name, options);
  if (!isPureEmbedder(request.name)) {
    return embedder;
  }
  if (offLoop.has(embedder)) {
    return embedder;
  }
  const threads = request.threads ?? availableParallelism();
  return createThreadedEmbedder(embedder, request.name, options, threads);
}
