// Checks uploaded FASTA (files, text or JSON sequences) against the service limits and writes it as
// plain FASTA to the job's input file. Bad input is refused here, before a job exists.
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';

import { inputError, limitError } from '../core/errors.ts';
import type { FastaParseOptions } from '../core/sequence/fasta-parser.ts';
import type { ProteinRecord } from '../core/sequence/protein-record.ts';
import { readFastaStream } from '../io/fasta-source.ts';

export interface InputLimits {
  /** Bytes of one upload, compressed and after gunzip. */
  readonly maxBytes: number;
  readonly maxProteins: number;
  readonly maxSequenceLength: number;
}

/**
 * Writes the text a source yields to `path` through one pipeline(), so an error of either side (a
 * bad upload, a disconnected client, a full disk) ends both, and nothing writes after the file
 * stream is destroyed. On failure the file is closed before it is removed (pipeline() settles only
 * once the write stream has closed), so no partial file is left or re-created afterwards.
 */
export async function writeInputFile(path: string, text: AsyncIterable<string>): Promise<void> {
  try {
    await pipeline(batched(text), createWriteStream(path, { flags: 'wx' }));
  } catch (e) {
    await rm(path, { force: true });
    throw e;
  }
}

/** Pieces of at least `BATCH` characters (the last one may be shorter): one write per record costs more than its parse. */
async function* batched(text: AsyncIterable<string>): AsyncGenerator<string> {
  let pending: string[] = [];
  let length = 0;
  for await (const piece of text) {
    pending.push(piece);
    length += piece.length;
    if (length >= BATCH) {
      yield pending.join('');
      pending = [];
      length = 0;
    }
  }
  if (length > 0) {
    yield pending.join('');
  }
}

const BATCH = 1 << 18;

/**
 * Turns one or more sources into `>id\nSEQUENCE\n` text with every check across them (ids and
 * sanitised sequences are all a prediction uses, so the table is the same as for the original file).
 */
export class FastaCollector {
  private readonly limits: InputLimits;
  private readonly ids = new Set<string>();

  constructor(limits: InputLimits) {
    this.limits = limits;
  }

  get count(): number {
    return this.ids.size;
  }

  /** Parses one FASTA byte stream (plain or gzip) with every check of the CLI; yields its text. */
  async *fromStream(
    stream: AsyncIterable<Uint8Array>,
    source: string,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<string> {
    const options: FastaParseOptions = {
      source,
      limits: {
        maxRecords: Math.max(1, this.limits.maxProteins - this.count),
        maxSequenceLength: this.limits.maxSequenceLength,
        maxDecompressedBytes: this.limits.maxBytes,
      },
      duplicateIds: 'error',
      ...(signal === undefined ? {} : { signal }),
    };
    for await (const record of readFastaStream(stream, options)) {
      yield this.add(record, source);
    }
  }

  /** Checks one record that was parsed elsewhere; returns its FASTA text. */
  add(record: ProteinRecord, source: string): string {
    if (this.ids.has(record.id)) {
      throw inputError(
        'fasta.duplicate-id',
        `the protein id '${record.id}' occurs more than once`,
        'give every protein a distinct id (results are keyed by id)',
        { source, recordId: record.id },
      );
    }
    if (this.count >= this.limits.maxProteins) {
      throw limitError(
        'fasta.too-many-records',
        `the input has more than the limit of ${this.limits.maxProteins} proteins per job`,
        'split the input into several jobs',
        { source, recordId: record.id },
      );
    }
    this.ids.add(record.id);
    return `>${record.id}\n${record.sequence}\n`;
  }

  /** Refuses an input without proteins; returns the number of proteins. */
  finish(source: string): number {
    if (this.count === 0) {
      throw inputError(
        'fasta.empty-input',
        'the input has no proteins',
        "send FASTA with at least one record ('>id' line followed by its sequence)",
        { source },
      );
    }
    return this.count;
  }
}
