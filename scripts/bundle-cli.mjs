// `npm run build` step after tsc: bundles the CLI and every worker thread it starts into dist/cli/
// with esbuild (code-split, ESM, npm packages left external). Node's ESM loader resolves, reads and
// links each of the ~75 modules of `arginator predict` one by one; as a few bundled chunks the
// process starts ~25 ms sooner (docs/adr/0025-bundled-cli.md). The workers are entry points of the
// same build, in the same folder as the chunks, because their modules find them by a path
// relative to themselves (`new URL('./embed-worker.js', import.meta.url)`), which in a chunk is
// dist/cli/. The unbundled dist/ tree stays: the library entry points and tests use it.
import { rmSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const out = join(dist, 'cli');

/** The CLI, and the modules started as worker threads or child processes by path. */
export const BUNDLE_ENTRIES = [
  'cli/bin.js',
  'cli/sweep-trial-main.js',
  'embedders/threaded/embed-worker.js',
  'umap/umap-fit-worker.js',
  'server/job-worker.js',
  'server/predict-worker.js',
  'server/drift-worker.js',
  'server/queue-chunk-thread.js',
];

// Chunks of an earlier build would otherwise pile up.
for (const name of readdirSync(out)) {
  if (name.startsWith('chunk-')) {
    rmSync(join(out, name));
  }
}

try {
  await build({
    entryPoints: BUNDLE_ENTRIES.map((e) => join(dist, e)),
    outdir: out,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    allowOverwrite: true,
    sourcemap: true,
    logLevel: 'warning',
  });
} catch (e) {
  process.stderr.write(
    `arginator: bundling the CLI failed: ${e instanceof Error ? e.message : String(e)}\n`,
  );
  process.exit(1);
}
