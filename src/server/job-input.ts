// Checks uploaded FASTA (files, text or JSON sequences) against the service limits and writes it as
// plain FASTA to the job's input file. Bad input is refused here, before a job exists.
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';

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
 * Collects records from one or more sources into `path` as `>id\nSEQUENCE\n` (ids and sanitised
 * sequences are all a prediction uses, so the table is the same as for the original file).
 */
export class FastaInputWriter {
  private readonly out: WriteStream;
  private readonly path: string;
  private readonly limits: InputLimits;
  private readonly ids = new Set<string>();

  constructor(path: string, limits: InputLimits) {
    this.path = path;
    this.limits = limits;
    this.out = createWriteStream(path);
  }

  get count(): number {
    return this.ids.size;
  }

  /** Parses one FASTA byte stream (plain or gzip) with every check of the CLI. */
  async addStream(
    stream: AsyncIterable<Uint8Array>,
    source: string,
    signal: AbortSignal | undefined,
  ): Promise<void> {
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
      await this.add(record, source);
    }
  }

  /** Adds one record that was parsed elsewhere (JSON sequences go through the same parser). */
  async add(record: ProteinRecord, source: string): Promise<void> {
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
    if (!this.out.write(`>${record.id}\n${record.sequence}\n`)) {
      await once(this.out, 'drain');
    }
  }

  /** Flushes the file; returns the number of proteins. An input without proteins is refused. */
  async close(source: string): Promise<number> {
    await new Promise<void>((ok, fail) =>
      this.out.end((e?: Error | null) => (e == null ? ok() : fail(e))),
    );
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

  /** Drops the partial file after an error. */
  async discard(): Promise<void> {
    this.out.destroy();
    await rm(this.path, { force: true });
  }
}
