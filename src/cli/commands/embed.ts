// `arginator embed INPUT --out FILE.h5`: FASTA in, one HDF5 dataset per protein out, progress on stderr.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';

import { usageError } from '../../core/errors.ts';
import { readFastaFile } from '../../io/fasta-source.ts';
import { openEmbeddingWriter } from '../../io/h5wasm-embedding-store.ts';
import { probeInput } from '../../io/input-probe.ts';
import type { EmbeddingWriter } from '../../io/h5wasm-embedding-store.ts';
import { embedProteins } from '../../pipeline/embed-proteins.ts';
import { DEFAULT_EMBEDDER, openEmbedder } from '../../wiring/embedders.ts';
import type { CliIo } from '../cli-io.ts';
import { flag, inputOptions, optionalPositiveInt, optionalString } from '../options.ts';
import { createProgress, formatCount } from '../progress.ts';

export async function embedCommand(
  args: readonly string[],
  options: Readonly<Record<string, unknown>>,
  io: CliIo,
): Promise<number> {
  const input = args[0];
  if (input === undefined) {
    throw usageError(
      'cli.missing-input',
      'embed needs an INPUT FASTA file',
      'arginator embed proteins.faa --out proteins.h5',
    );
  }
  const out = optionalString(options, 'out', '--out');
  if (out === undefined) {
    throw usageError(
      'cli.missing-out',
      'embed needs --out FILE.h5',
      `arginator embed ${input} --out proteins.h5`,
    );
  }
  const name = optionalString(options, 'embedder', '--embedder') ?? DEFAULT_EMBEDDER;
  const embedderPath = optionalString(options, 'embedderPath', '--embedder-path');
  const threads = optionalPositiveInt(options, 'threads', '--threads');
  const batchSize = optionalPositiveInt(options, 'batchSize', '--batch-size');
  const json = flag(options, 'json');
  const inputPath = resolve(io.cwd, input);
  const outPath = resolve(io.cwd, out);

  // Fail before working: the input is checked (its first record read) before the embedder, which
  // may load a model or start worker threads, is opened.
  const readOptions = { ...inputOptions(options), source: input, signal: io.signal };
  await probeInput(inputPath, readOptions);

  const started = performance.now();
  const embedder = await openEmbedder({
    name,
    options: embedderPath === undefined ? {} : { path: resolve(io.cwd, embedderPath) },
    threads,
  });
  const totalBytes = await stat(inputPath).then(
    (s) => s.size,
    () => undefined, // readFastaFile reports a missing or unreadable file with a proper message.
  );
  let bytesRead = 0;
  const progress = createProgress(io.stderr, `embedding (${embedder.id})`, {
    quiet: flag(options, 'quiet'),
  });
  let writer: EmbeddingWriter | undefined;
  try {
    writer = await openEmbeddingWriter(outPath, embedder.dim, { signal: io.signal });
    const records = readFastaFile(inputPath, {
      ...readOptions,
      onBytesRead: (n) => {
        bytesRead += n;
      },
    });
    const sink = writer;
    const summary = await embedProteins(records, embedder, sink, {
      signal: io.signal,
      ...(batchSize === undefined ? {} : { batchSize }),
      onProgress: (p) => {
        const seconds = (performance.now() - started) / 1000;
        progress.update(
          totalBytes === undefined || totalBytes === 0 ? undefined : bytesRead / totalBytes,
          `${formatCount(p.proteins)} proteins, ${formatCount(Math.round(p.proteins / Math.max(seconds, 1e-3)))}/s`,
        );
      },
    });
    await writer.close();
    const seconds = (performance.now() - started) / 1000;
    progress.stop(`${formatCount(summary.proteins)} proteins in ${seconds.toFixed(1)} s`);
    const result = {
      input,
      output: out,
      embedder: summary.embedderId,
      dim: summary.dim,
      proteins: summary.proteins,
      residues: summary.residues,
      seconds: Number(seconds.toFixed(3)),
      proteinsPerSecond: Math.round(summary.proteins / Math.max(seconds, 1e-6)),
    };
    if (json) {
      io.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      io.stderr.write(
        `wrote ${result.proteins} embeddings (${result.dim} dims, ${result.embedder}) to ${out}\n`,
      );
    }
    return 0;
  } catch (e) {
    progress.fail();
    await writer?.abort();
    throw e;
  } finally {
    await embedder.close();
  }
}
