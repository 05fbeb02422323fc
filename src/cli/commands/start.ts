// `arginator start` (npm start): the main job. Today: embed the shipped dataset into the data directory's cache.
import { access } from 'node:fs/promises';
import { join, relative } from 'node:path';

import { sha256File, sha256Json } from '../../io/file-hash.ts';
import { readFastaFile } from '../../io/fasta-source.ts';
import { openEmbeddingWriter } from '../../io/h5wasm-embedding-store.ts';
import { embedProteins } from '../../pipeline/embed-proteins.ts';
import { DEFAULT_EMBEDDER, openEmbedder } from '../../wiring/embedders.ts';
import { resolveHome } from '../../wiring/home.ts';
import { DEFAULT_DATASET_FASTA } from '../../wiring/package-info.ts';
import type { CliIo } from '../cli-io.ts';
import { flag } from '../options.ts';
import { createProgress } from '../progress.ts';

export async function startCommand(
  _args: readonly string[],
  options: Readonly<Record<string, unknown>>,
  io: CliIo,
): Promise<number> {
  const home = resolveHome(io.env, io.cwd);
  const embedder = await openEmbedder({ name: DEFAULT_EMBEDDER });
  try {
    const dataHash = await sha256File(DEFAULT_DATASET_FASTA, io.signal);
    const key = sha256Json({
      data: dataHash,
      embedder: embedder.id,
      fingerprint: embedder.fingerprint,
    }).slice(0, 16);
    const cachePath = join(home, 'cache', 'embeddings', `default-${key}.h5`);
    const shown = relative(io.cwd, cachePath);
    const cached = await access(cachePath).then(
      () => true,
      () => false,
    );
    let proteins: number | undefined;
    if (cached) {
      io.stderr.write(`shipped dataset already embedded (${embedder.id}): ${shown}\n`);
    } else {
      io.stderr.write(`embedding the shipped dataset with ${embedder.id} (${embedder.dim} dims)\n`);
      const progress = createProgress(io.stderr, 'embedding', { quiet: flag(options, 'quiet') });
      const writer = await openEmbeddingWriter(cachePath, embedder.dim, { signal: io.signal });
      try {
        const summary = await embedProteins(
          readFastaFile(DEFAULT_DATASET_FASTA, {
            signal: io.signal,
            source: 'data/default/default.fasta.gz',
          }),
          embedder,
          writer,
          {
            signal: io.signal,
            onProgress: (p) => progress.update(undefined, `${p.proteins} proteins`),
          },
        );
        await writer.close();
        proteins = summary.proteins;
        progress.stop(`${summary.proteins} proteins`);
        io.stderr.write(`cached ${summary.proteins} embeddings in ${shown}\n`);
      } catch (e) {
        progress.fail();
        await writer.abort();
        throw e;
      }
    }
    if (flag(options, 'json')) {
      io.stdout.write(
        `${JSON.stringify({ home, embeddings: cachePath, embedder: embedder.id, cached, proteins })}\n`,
      );
    }
    return 0;
  } finally {
    await embedder.close();
  }
}
