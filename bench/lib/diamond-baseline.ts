// The homology-search baseline: each query gets the label of its best DIAMOND hit among labelled references.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LabelledSequence {
  readonly id: string;
  readonly sequence: string;
  readonly label: string;
}

export interface BestHit {
  readonly label: string | undefined;
  readonly target: string | undefined;
  readonly identity: number | undefined;
}

export function diamondAvailable(): boolean {
  return spawnSync('diamond', ['version'], { encoding: 'utf8' }).status === 0;
}

function writeFasta(path: string, records: readonly { id: string; sequence: string }[]): void {
  writeFileSync(path, records.map((r) => `>${r.id}\n${r.sequence}\n`).join(''));
}

/**
 * `diamond makedb` of the references, then `diamond blastp` of the queries against them with
 * `--outfmt 6 COLUMNS` and the other arguments (threads, -k, -e, sensitivity…), in a temporary
 * folder; the hits TSV's text.
 */
export function runDiamondBlastp(
  references: readonly { id: string; sequence: string }[],
  queries: readonly { id: string; sequence: string }[],
  columns: readonly string[],
  args: readonly string[],
): string {
  const work = mkdtempSync(join(tmpdir(), 'arginator-diamond-'));
  try {
    writeFasta(join(work, 'ref.faa'), references);
    writeFasta(join(work, 'q.faa'), queries);
    execFileSync('diamond', [
      'makedb',
      '--in',
      join(work, 'ref.faa'),
      '--db',
      join(work, 'ref'),
      '--quiet',
    ]);
    const out = join(work, 'hits.tsv');
    execFileSync('diamond', [
      'blastp',
      '-q',
      join(work, 'q.faa'),
      '-d',
      join(work, 'ref'),
      '-o',
      out,
      '--quiet',
      '--outfmt',
      '6',
      ...columns,
      ...args,
    ]);
    return readFileSync(out, 'utf8');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Best hit (highest bitscore) of every query among the references; queries without a hit get
 * label undefined. `sensitivity` is e.g. [] (default mode) or ['--sensitive'].
 */
export function diamondBestHits(
  references: readonly LabelledSequence[],
  queries: readonly { id: string; sequence: string }[],
  options: { threads?: number; sensitivity?: readonly string[]; evalue?: number } = {},
): Map<string, BestHit> {
  const tsv = runDiamondBlastp(
    references,
    queries,
    ['qseqid', 'sseqid', 'pident', 'bitscore'],
    [
      '--threads',
      String(options.threads ?? 2),
      '-k',
      '1',
      '-e',
      String(options.evalue ?? 1e-3),
      ...(options.sensitivity ?? []),
    ],
  );
  const labelOf = new Map(references.map((r) => [r.id, r.label]));
  const best = new Map<string, { hit: BestHit; bits: number }>();
  for (const line of tsv.split('\n')) {
    const [q, t, pident, bits] = line.split('\t');
    if (q === undefined || t === undefined || bits === undefined) {
      continue;
    }
    const score = Number(bits);
    const previous = best.get(q);
    if (previous === undefined || score > previous.bits) {
      best.set(q, {
        hit: { label: labelOf.get(t), target: t, identity: Number(pident) },
        bits: score,
      });
    }
  }
  return new Map(
    queries.map((q) => [
      q.id,
      best.get(q.id)?.hit ?? { label: undefined, target: undefined, identity: undefined },
    ]),
  );
}
