// Bench: `arginator predict` on a synthetic FASTA of N proteins (default 1,000,000), peak memory and wall time.
// Run: npm run build && npx tsx bench/predict-million.ts --home DIR [--n 1000000]   (DIR holds a trained model)
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createRng } from '../src/core/rng.ts';
import { argValue, requiredHome } from './lib/args.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const home = requiredHome();
const n = Number(argValue('--n') ?? 1_000_000);
const work = mkdtempSync(join(tmpdir(), 'arginator-million-'));
try {
  const fasta = join(work, 'synthetic.faa');
  const rng = createRng(2026);
  const AA = 'ACDEFGHIKLMNPQRSTVWY';
  const out = createWriteStream(fasta);
  for (let i = 0; i < n; i++) {
    const length = 150 + Math.floor(rng() * 300);
    let seq = '';
    for (let j = 0; j < length; j++) {
      seq += AA[Math.floor(rng() * 20)] ?? 'A';
    }
    if (!out.write(`>synthetic_${i}\n${seq}\n`)) {
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
  const t0 = performance.now();
  const r = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      '%M',
      process.execPath,
      join(ROOT, 'dist/cli/bin.js'),
      'predict',
      fasta,
      '--out',
      join(work, 'out.csv'),
      '--quiet',
    ],
    { env: { ...process.env, ARGINATOR_HOME: home }, encoding: 'utf8' },
  );
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    throw new Error(r.stderr);
  }
  const peakMb = Number(r.stderr.trim().split('\n').at(-1)) / 1024;
  const rows = spawnSync('wc', ['-l', join(work, 'out.csv')], { encoding: 'utf8' })
    .stdout.trim()
    .split(' ')[0];
  console.log(
    `| ${n.toLocaleString('en-US')} synthetic proteins (150–450 aa, ${(statSync(fasta).size / 1e6).toFixed(0)} MB FASTA) | ${seconds.toFixed(0)} s | ${Math.round(n / seconds)} proteins/s | peak RSS ${peakMb.toFixed(0)} MB | ${rows ?? '?'} lines written |`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
