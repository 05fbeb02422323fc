// A job's embeddings kept on disk (map-input.bin) from its classification until its map is written, so the job completes before its map.
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { EmbeddingBatchSink } from '../pipeline/classify-file.ts';
import type { MapBatch } from './job-map-writer.ts';

/**
 * Record layout, one per classified batch: u32 LE header length, the header (JSON: ids, labels,
 * novelty, dim), then ids.length × dim float32 LE. On disk rather than in memory: a job of
 * 200,000 proteins holds ~1.1 GB of 1,390-d vectors, and a restart can still place them.
 */
interface RecordHeader {
  readonly ids: readonly string[];
  readonly labels: readonly string[];
  readonly novelty: readonly string[];
  readonly dim: number;
}

export interface MapSpill extends EmbeddingBatchSink {
  /** After the last batch: closes the file and renames it into place (complete or absent). */
  finish(): Promise<void>;
  /** The job failed or was cancelled: removes the partial file. Never throws. */
  discard(): Promise<void>;
}

export function createMapSpill(path: string): MapSpill {
  const temp = `${path}.tmp`;
  let out: WriteStream | undefined;
  let failure: Error | undefined;
  const stream = (): WriteStream => {
    if (out === undefined) {
      out = createWriteStream(temp);
      out.on('error', (e) => {
        failure = e;
      });
    }
    return out;
  };
  const write = async (chunk: Buffer): Promise<void> => {
    if (failure !== undefined) {
      throw failure;
    }
    const s = stream();
    if (!s.write(chunk)) {
      await once(s, 'drain');
    }
  };
  return {
    async add(batch) {
      const n = batch.proteins.length;
      if (n === 0) {
        return;
      }
      const header: RecordHeader = {
        ids: batch.proteins.map((p) => p.id),
        labels: batch.proteins.map((p) => p.prediction.label),
        novelty: batch.proteins.map((p) => p.prediction.novelty),
        dim: batch.embeddings.length / n,
      };
      const json = Buffer.from(JSON.stringify(header));
      const size = Buffer.alloc(4);
      size.writeUInt32LE(json.length);
      const { buffer, byteOffset, byteLength } = batch.embeddings;
      // A copy: the stream may write after the caller reuses its batch.
      await write(Buffer.concat([size, json, Buffer.from(buffer, byteOffset, byteLength)]));
    },
    async finish() {
      const s = stream();
      await new Promise<void>((ok, fail) =>
        s.end((e?: Error | null) => (e == null ? ok() : fail(e))),
      );
      if (failure !== undefined) {
        throw failure;
      }
      await rename(temp, path);
    },
    async discard() {
      out?.destroy();
      out = undefined;
      await rm(temp, { force: true });
    },
  };
}

/** The batches of a spill file, in the job's order; a truncated file throws (it is never renamed into place so). */
export async function* readMapSpill(path: string): AsyncGenerator<MapBatch> {
  const file = await open(path, 'r');
  try {
    let position = 0;
    const read = async (length: number): Promise<Buffer | undefined> => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await file.read(buffer, 0, length, position);
      position += bytesRead;
      if (bytesRead === 0) {
        return undefined;
      }
      if (bytesRead < length) {
        throw new Error(`${path} is truncated at byte ${position}`);
      }
      return buffer;
    };
    for (;;) {
      const size = await read(4);
      if (size === undefined) {
        return;
      }
      const jsonBytes = await read(size.readUInt32LE(0));
      const header = JSON.parse(jsonBytes?.toString('utf8') ?? '') as RecordHeader;
      const data = await read(header.ids.length * header.dim * 4);
      if (data === undefined) {
        throw new Error(`${path} is truncated at byte ${position}`);
      }
      // Buffer.alloc gives an own ArrayBuffer at offset 0: aligned for float32.
      const embeddings = new Float32Array(data.buffer, data.byteOffset, data.byteLength / 4);
      yield {
        proteins: header.ids.map((id, i) => ({
          id,
          prediction: { label: header.labels[i] ?? '', novelty: header.novelty[i] ?? '' },
        })),
        embeddings,
      };
    }
  } finally {
    await file.close();
  }
}

/** Where a job's kept embeddings are: one spill file, or a folder of spill parts `<k>.bin`. */
export interface MapInput {
  /** One spill file (a job run by a job worker thread). */
  readonly input: string;
  /**
   * A folder of spill files `<k>.bin`, read in index order (a chunked job of the redis backend:
   * its merge moves the chunks' spills there, no copy). Used when `input` is absent.
   */
  readonly parts: string;
}

/** The batches of a job's kept embeddings, in the job's order, from its spill file or its parts. */
export async function* readMapInput(from: MapInput): AsyncGenerator<MapBatch> {
  const single = await stat(from.input).then(
    (s) => s.isFile(),
    () => false,
  );
  if (single || !(await hasMapInput(from))) {
    // Neither: the read fails as a missing file does (the caller records why).
    yield* readMapSpill(from.input);
    return;
  }
  const indices = (await readdir(from.parts))
    .map((name) => /^(\d+)\.bin$/.exec(name)?.[1])
    .filter((k): k is string => k !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  for (const k of indices) {
    yield* readMapSpill(join(from.parts, `${k}.bin`));
  }
}

/** Whether a job still has kept embeddings (its spill file, or its parts folder). */
export async function hasMapInput(from: MapInput): Promise<boolean> {
  const kind = async (path: string): Promise<'file' | 'dir' | undefined> =>
    stat(path).then(
      (s) => (s.isFile() ? 'file' : s.isDirectory() ? 'dir' : undefined),
      () => undefined,
    );
  return (await kind(from.input)) === 'file' || (await kind(from.parts)) === 'dir';
}

/** Removes a job's kept embeddings (after its map is written, or failed). */
export async function removeMapInput(from: MapInput): Promise<void> {
  await rm(from.input, { force: true });
  await rm(from.parts, { recursive: true, force: true });
}
