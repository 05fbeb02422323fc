// The embedder registry both composition roots use: built-ins (native builtin-v1 when built), precomputed HDF5, ONNX; pure ones on threads.
import { availableParallelism } from 'node:os';

import { createBuiltinEmbedderFactory } from '../core/embed/builtin-embedder.ts';
import type { Embedder, EmbedderFactory, EmbedderOptions } from '../core/embed/embedder.ts';
import { EmbedderRegistry } from '../core/embed/embedder-registry.ts';
import { isPureEmbedder, PURE_EMBEDDERS } from '../core/embed/pure-embedders.ts';
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

/**
 * A factory whose module (and its dependencies: zod, h5wasm, onnxruntime) is loaded only when that
 * embedder is opened: a prediction with the builtin embedder never pays for them. The description
 * is the module's own (wiring/embedders.test.ts checks).
 */
function lazyFactory(
  name: string,
  description: string,
  load: () => Promise<EmbedderFactory>,
): EmbedderFactory {
  return { name, description, create: async (options) => (await load()).create(options) };
}

/** The adapters' factories, loaded on first use. */
export const LAZY_ADAPTERS: readonly EmbedderFactory[] = [
  lazyFactory(
    'precomputed',
    'vectors looked up by protein id in an HDF5 file (one 1-D float dataset per id)',
    async () => (await import('../io/precomputed-embedder.ts')).precomputedEmbedderFactory,
  ),
  lazyFactory(
    'onnx',
    'ESM-2-style protein language model from a local Hugging Face folder (e.g. Xenova/esm2_t6_8M_UR50D), ' +
      'run by onnxruntime-node; mean of the per-residue output. Options: path (required), quantized, ' +
      'maxTokensPerBatch, maxLength, threads, output.',
    async () => (await import('../embedders/onnx/onnx-embedder.ts')).onnxEmbedderFactory,
  ),
];

export function createEmbedderRegistry(): EmbedderRegistry {
  const registry = new EmbedderRegistry();
  const native = nativeBuiltinFactory();
  for (const factory of PURE_EMBEDDERS) {
    // builtin-v1 on the native kernel gives the same vectors (same id and fingerprint), ~10x faster.
    registry.register(factory.name === 'builtin' && native !== null ? native : factory);
  }
  for (const factory of LAZY_ADAPTERS) {
    registry.register(factory);
  }
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
  const { createThreadedEmbedder } = await import('../embedders/threaded/threaded-embedder.ts');
  return createThreadedEmbedder(embedder, request.name, options, threads);
}
