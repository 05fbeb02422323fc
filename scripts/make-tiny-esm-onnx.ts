// Writes the tiny ESM-2-style test model folder: `npx tsx scripts/make-tiny-esm-onnx.ts OUTDIR [--logits-only]`.
// The model itself is built in src/embedders/onnx/test-support/tiny-esm-onnx.ts, which the embedder's tests import.
import {
  writeTinyEsmFolder,
  type TinyEsmVariant,
} from '../src/embedders/onnx/test-support/tiny-esm-onnx.ts';

async function main(argv: readonly string[]): Promise<void> {
  const args = argv.filter((a) => !a.startsWith('--'));
  const variant: TinyEsmVariant = argv.includes('--logits-only') ? 'logits-only' : 'hidden';
  const outDir = args[0];
  if (outDir === undefined || args.length > 1) {
    process.stderr.write(
      'usage: npx tsx scripts/make-tiny-esm-onnx.ts OUTDIR [--logits-only]\n' +
        '  e.g. npx tsx scripts/make-tiny-esm-onnx.ts fixtures/onnx-tiny\n',
    );
    process.exitCode = 2;
    return;
  }
  const written = await writeTinyEsmFolder(outDir, { variant });
  process.stderr.write(`wrote ${written.length} files to ${outDir}\n`);
}

await main(process.argv.slice(2));
