// Checks an input file before any costly work (training, loading a model): readable, and FASTA or HDF5 by content.
import { stat } from 'node:fs/promises';

import { readFastaFile } from './fasta-source.ts';
import type { FastaReadOptions } from './fasta-source.ts';
import { hasHdf5Signature, streamEmbeddings } from './h5wasm-embedding-store.ts';

/** What an input file holds: protein FASTA (plain or gzip) or HDF5 embeddings. */
export type InputKind = 'fasta' | 'hdf5';

export interface ProbeOptions extends FastaReadOptions {
  /** Whether HDF5 embeddings are accepted (predict) or only FASTA (embed). */
  hdf5?: boolean;
}

/**
 * Reads the input with the real readers up to its first record (the FASTA reader parses a chunk,
 * 1 MiB by default, at a time; HDF5 its first dataset), so every error they would raise there
 * (missing or unreadable file, a folder, PNG or PDF bytes, DNA, bad gzip, an empty file, limits, an
 * HDF5 file without datasets) comes now, with the same one-line message, rather than after a model
 * was trained or loaded. The rest is read later; errors further in surface then.
 *
 * HDF5 is recognised by its signature (extensions lie, as for gzip); a file named .h5/.hdf5
 * without one goes to the HDF5 reader too, whose error says what the file looks like.
 */
export async function probeInput(path: string, options: ProbeOptions = {}): Promise<InputKind> {
  const { hdf5 = false, ...fasta } = options;
  const kind: InputKind = hdf5 && (await isHdf5Input(path)) ? 'hdf5' : 'fasta';
  // A pipe or device (e.g. /dev/stdin) can be read once only: reading ahead would eat its records.
  // Files and folders are read now (the readers refuse a folder with their own message).
  const readAhead = await stat(path).then(
    (s) => s.isFile() || s.isDirectory(),
    () => true, // missing or unreadable: the reader below reports it with its fix
  );
  if (!readAhead) {
    return kind;
  }
  await first(
    kind === 'hdf5'
      ? streamEmbeddings(path, { signal: options.signal })
      : readFastaFile(path, fasta),
  );
  return kind;
}

async function isHdf5Input(path: string): Promise<boolean> {
  if (/\.(h5|hdf5)$/i.test(path)) {
    return true;
  }
  // An unreadable or missing path is left to the FASTA reader's errors.
  return hasHdf5Signature(path).catch(() => false);
}

/** Pulls the first item (raising what the reader raises on the way) and closes the reader. */
async function first(items: AsyncGenerator): Promise<void> {
  try {
    await items.next();
  } finally {
    await items.return(undefined);
  }
}
