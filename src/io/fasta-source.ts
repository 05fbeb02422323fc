// Reads protein FASTA from a file or byte stream, gunzipping by magic bytes, into the streaming parser.
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

import {
  ArginatorError,
  cancelledError,
  inputError,
  isArginatorError,
  limitError,
  throwIfAborted,
} from '../core/errors.ts';
import { concat, parseFasta, resolveFastaLimits } from '../core/sequence/fasta-parser.ts';
import type { FastaParseOptions } from '../core/sequence/fasta-parser.ts';
import type { ProteinRecord } from '../core/sequence/protein-record.ts';
import { errorCode, fileError, type FileErrorText } from './file-errors.ts';

export interface FastaReadOptions extends FastaParseOptions {
  /** Bytes per file read; 1 MiB keeps syscalls few and memory small. */
  chunkSize?: number;
  /** Called with the size of each chunk read from the file (compressed bytes), for progress bars. */
  onBytesRead?: (bytes: number) => void;
}

const DEFAULT_CHUNK_SIZE = 1024 * 1024;
const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
const WHAT = 'Reading FASTA';

/** True if the bytes start with the gzip magic number; extensions are never trusted. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1;
}

/** Reads a FASTA file (plain or gzip, detected by content) and yields its records in order. */
export async function* readFastaFile(
  path: string,
  options: FastaReadOptions = {},
): AsyncGenerator<ProteinRecord> {
  throwIfAborted(options.signal, WHAT);
  const source = options.source ?? path;
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw fileError(error, path, fastaFileText(path));
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) {
      throw inputError(
        'input.is-directory',
        `'${path}' is a directory, not a FASTA file`,
        `pass a file inside it, e.g. '${path}/proteins.faa'`,
        { source },
      );
    }
    const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    // A zero-byte read means end of file, so a chunk size of 0 would read every file as empty.
    if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
      throw new ArginatorError(
        'CONFIG',
        'fasta.bad-chunk-size',
        `chunkSize must be a whole number >= 1, got ${String(chunkSize)}`,
        `omit it (default ${DEFAULT_CHUNK_SIZE}) or pass a positive number of bytes`,
      );
    }
    yield* readFastaStream(readChunks(handle, path, chunkSize, options), {
      ...options,
      source,
    });
  } finally {
    await handle.close();
  }
}

/** Parses FASTA from any byte stream (HTTP upload, stdin); gzip is detected by magic bytes. */
export async function* readFastaStream(
  stream: AsyncIterable<Uint8Array>,
  options: FastaReadOptions = {},
): AsyncGenerator<ProteinRecord> {
  const limits = resolveFastaLimits(options.limits);
  const bytes = decompressIfGzip(stream, limits.maxDecompressedBytes, options);
  yield* parseFasta(bytes, options);
}

async function* readChunks(
  handle: FileHandle,
  path: string,
  chunkSize: number,
  { signal, onBytesRead }: FastaReadOptions,
): AsyncGenerator<Uint8Array> {
  for (;;) {
    throwIfAborted(signal, WHAT);
    // A fresh buffer per read: zlib may still hold the previous chunk when we read the next.
    const buffer = new Uint8Array(chunkSize);
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(buffer, 0, chunkSize, null));
    } catch (error) {
      throw fileError(error, path, fastaFileText(path));
    }
    if (bytesRead === 0) {
      return;
    }
    onBytesRead?.(bytesRead);
    yield buffer.subarray(0, bytesRead);
  }
}

/** Peeks at the first two bytes and routes the stream through gunzip if they are 1f 8b. */
async function* decompressIfGzip(
  stream: AsyncIterable<Uint8Array>,
  maxBytes: number,
  options: FastaReadOptions,
): AsyncGenerator<Uint8Array> {
  const iterator = stream[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let headLength = 0;
  let done = false;
  try {
    while (headLength < 2) {
      throwIfAborted(options.signal, WHAT);
      const next = await iterator.next();
      if (next.done === true) {
        done = true;
        break;
      }
      head.push(next.value);
      headLength += next.value.length;
    }
    const first = concat(head, headLength);
    const replayed = replay(first, done ? undefined : iterator);
    done = true; // replay owns the iterator from here on
    if (isGzip(first)) {
      yield* gunzip(replayed, maxBytes, options);
    } else {
      yield* replayed;
    }
  } finally {
    if (!done) {
      await iterator.return?.();
    }
  }
}

async function* replay(
  first: Uint8Array,
  rest: AsyncIterator<Uint8Array> | undefined,
): AsyncGenerator<Uint8Array> {
  let finished = rest === undefined;
  try {
    if (first.length > 0) {
      yield first;
    }
    while (rest !== undefined) {
      const next = await rest.next();
      if (next.done === true) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!finished) {
      await rest?.return?.();
    }
  }
}

/**
 * Streams through node:zlib (which also reads concatenated multi-member gzip, as written by
 * bgzip or `cat a.gz b.gz`), counting output so a decompression bomb stops at the limit.
 */
async function* gunzip(
  compressed: AsyncGenerator<Uint8Array>,
  maxBytes: number,
  options: FastaReadOptions,
): AsyncGenerator<Uint8Array> {
  const { signal, source } = options;
  const input = Readable.from(compressed);
  const inflater = createGunzip({ chunkSize: 256 * 1024 });
  input.on('error', (error) => inflater.destroy(error));
  input.pipe(inflater);
  const onAbort = (): void => {
    inflater.destroy(cancelledError(WHAT));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  let produced = 0;
  try {
    for await (const chunk of inflater as AsyncIterable<Uint8Array>) {
      produced += chunk.length;
      if (produced > maxBytes) {
        throw limitError(
          'input.too-large',
          `the gzip data decompresses to more than the limit of ${maxBytes} bytes (possible decompression bomb)`,
          'check that the file is what you expect, split it, or raise the maxDecompressedBytes limit',
          { source, byteOffset: maxBytes },
        );
      }
      yield chunk;
    }
  } catch (error) {
    throw gzipError(error, produced, options);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    input.destroy();
    inflater.destroy();
  }
}

/** Message parts for file errors on a FASTA input. */
function fastaFileText(path: string): FileErrorText {
  return {
    notA: 'a FASTA file',
    directoryHint: `pass a file inside it, e.g. '${path}/proteins.faa'`,
    unreadableHint: 'check that the path is a readable regular file and that the disk is healthy',
    permissionDenied: true,
  };
}

function gzipError(error: unknown, produced: number, options: FastaReadOptions): ArginatorError {
  if (isArginatorError(error)) {
    return error;
  }
  if (options.signal?.aborted === true) {
    return cancelledError(WHAT);
  }
  const code = errorCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  // Offsets into the compressed bytes are not known here; the decompressed count is in the message.
  const location = { source: options.source };
  if (code === 'Z_BUF_ERROR' || /unexpected end/i.test(detail)) {
    return inputError(
      'gzip.truncated',
      `the gzip data ends early (the file is truncated) after ${produced} decompressed bytes`,
      "download or copy the file again; 'gzip -t FILE' checks a gzip file",
      location,
      error,
    );
  }
  return inputError(
    'gzip.corrupt',
    `the gzip data is corrupt after ${produced} decompressed bytes (${detail})`,
    "download or copy the file again; 'gzip -t FILE' checks a gzip file",
    location,
    error,
  );
}
