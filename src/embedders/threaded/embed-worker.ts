// Worker-thread side of the threaded embedder: builds a pure embedder once, then embeds batches on request.
import { parentPort, workerData } from 'node:worker_threads';

import type { Embedder } from '../../core/embed/embedder.ts';
import { stackRows } from '../../core/embed/embedder.ts';
import { PURE_EMBEDDERS } from '../../core/embed/pure-embedders.ts';
import type { WorkerInit, WorkerReply, WorkerRequest } from './protocol.ts';

const init = workerData as WorkerInit;
const port = parentPort;
if (port === null) {
  throw new Error('embed-worker must run in a worker thread');
}

const factory = PURE_EMBEDDERS.find((f) => f.name === init.name);
const ready: Promise<Embedder> =
  factory === undefined
    ? Promise.reject(new Error(`'${init.name}' is not a pure embedder`))
    : factory.create(init.options);

port.on('message', (request: WorkerRequest) => {
  void handle(request);
});

async function handle(request: WorkerRequest): Promise<void> {
  try {
    const embedder = await ready;
    const records = request.sequences.map((sequence, i) => ({
      id: String(i),
      description: '',
      sequence,
    }));
    const vectors = await embedder.embed(records);
    // One contiguous buffer, transferred (not copied) back to the main thread.
    const flat = stackRows(vectors, embedder.dim);
    const reply: WorkerReply = { id: request.id, ok: true, dim: embedder.dim, data: flat };
    port?.postMessage(reply, [flat.buffer]);
  } catch (e) {
    const reply: WorkerReply = {
      id: request.id,
      ok: false,
      message: e instanceof Error ? e.message : String(e),
    };
    port?.postMessage(reply);
  }
}
