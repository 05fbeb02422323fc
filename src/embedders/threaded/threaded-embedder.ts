// Runs a pure (CPU-bound, dependency-free) embedder on worker threads: each batch is split across the workers.
import { Worker } from 'node:worker_threads';

import type { Embedder, EmbedderOptions, EmbedOptions } from '../../core/embed/embedder.ts';
import { ArginatorError, throwIfAborted } from '../../core/errors.ts';
import type { ProteinRecord } from '../../core/sequence/protein-record.ts';
import type { WorkerInit, WorkerReply, WorkerRequest } from './protocol.ts';

interface Pending {
  resolve(value: Float32Array[]): void;
  reject(error: Error): void;
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

/**
 * Starts the worker module. From TypeScript sources (tests, `npm run dev`, bench scripts) the worker
 * registers tsx's loader itself first: on Node 20 a worker does not inherit the parent's loader
 * hooks, and `execArgv: ['--import', 'tsx']` registers them too late for the entry module.
 */
function startWorker(url: URL, workerData: WorkerInit): Worker {
  if (!url.pathname.endsWith('.ts')) {
    return new Worker(url, { workerData });
  }
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(code, { eval: true, workerData });
}

/** Below this many records a batch is not worth splitting across threads. */
const MIN_SPLIT = 16;
/**
 * Below this many records the batch is embedded on the calling thread: a worker round trip
 * costs more than embedding a few proteins (the built-in embedder: ~30 µs each), which
 * is what a single /v1/predict request needs. Same embedder, same vectors.
 */
const MAX_INLINE = 8;

/**
 * Wraps `inner` (already created on the main thread, used for id/dim/fingerprint and as the
 * single-thread path) with `threads` workers that each build the same embedder by name.
 */
export function createThreadedEmbedder(
  inner: Embedder,
  name: string,
  options: EmbedderOptions,
  threads: number,
): Embedder {
  if (threads <= 1) {
    return inner;
  }
  const url = new URL(
    import.meta.url.endsWith('.ts') ? './embed-worker.ts' : './embed-worker.js',
    import.meta.url,
  );
  const init: WorkerInit = { name, options };
  let nextId = 0;
  let closed = false;
  const slots: Slot[] = Array.from({ length: threads }, () => {
    const worker = startWorker(url, init);
    const pending = new Map<number, Pending>();
    worker.on('message', (reply: WorkerReply) => {
      const p = pending.get(reply.id);
      pending.delete(reply.id);
      if (p === undefined) {
        return;
      }
      if (!reply.ok) {
        p.reject(new ArginatorError('INTERNAL', 'embedder.worker', reply.message, ''));
        return;
      }
      const out: Float32Array[] = [];
      for (let i = 0; i < reply.data.length; i += reply.dim) {
        out.push(reply.data.subarray(i, i + reply.dim));
      }
      p.resolve(out);
    });
    worker.on('error', (e) => {
      for (const p of pending.values()) {
        p.reject(e);
      }
      pending.clear();
    });
    worker.unref();
    return { worker, pending };
  });
  let turn = 0;

  const send = async (slot: Slot, sequences: readonly string[]): Promise<Float32Array[]> => {
    const id = nextId++;
    // Keep the process alive only while a worker has work (unref'd workers never block exit).
    slot.worker.ref();
    try {
      return await new Promise<Float32Array[]>((resolve, reject) => {
        slot.pending.set(id, { resolve, reject });
        const request: WorkerRequest = { id, sequences };
        slot.worker.postMessage(request);
      });
    } finally {
      if (slot.pending.size === 0) {
        slot.worker.unref();
      }
    }
  };

  return {
    id: inner.id,
    dim: inner.dim,
    fingerprint: inner.fingerprint,
    async embed(records: readonly ProteinRecord[], opts?: EmbedOptions): Promise<Float32Array[]> {
      throwIfAborted(opts?.signal, 'Embedding');
      if (closed) {
        throw new ArginatorError('INTERNAL', 'embedder.closed', 'embedder used after close()', '');
      }
      if (records.length < MAX_INLINE) {
        return inner.embed(records, opts);
      }
      const sequences = records.map((r) => r.sequence);
      if (sequences.length < MIN_SPLIT) {
        const slot = slots[turn++ % slots.length] as Slot;
        return send(slot, sequences);
      }
      const per = Math.ceil(sequences.length / slots.length);
      const parts = slots.map((slot, i) => send(slot, sequences.slice(i * per, (i + 1) * per)));
      return (await Promise.all(parts)).flat();
    },
    async close(): Promise<void> {
      if (closed) {
        return;
      }
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
      await inner.close();
    },
  };
}
