// DIAMOND blastp hits with their alignment columns (identity, ranges, lengths), for ground-truth identity benches.
import { runDiamondBlastp } from './diamond-baseline.ts';

export interface DiamondHit {
  readonly target: string;
  /** Percent identity over the alignment columns (BLAST pident). */
  readonly pident: number;
  readonly length: number;
  readonly qlen: number;
  readonly slen: number;
  /** 1-based inclusive ranges, as DIAMOND prints them. */
  readonly qstart: number;
  readonly qend: number;
  readonly sstart: number;
  readonly send: number;
  readonly evalue: number;
  readonly bitscore: number;
}

/** Fraction of the query covered by the hit. */
export const queryCoverage = (h: DiamondHit): number => (h.qend - h.qstart + 1) / h.qlen;
/** Fraction of the subject (reference) covered by the hit. */
export const subjectCoverage = (h: DiamondHit): number => (h.send - h.sstart + 1) / h.slen;
/** Fraction of the shorter of the two sequences covered (cd-hit's and CD-HIT-2D's reading). */
export const shorterCoverage = (h: DiamondHit): number =>
  Math.max(queryCoverage(h), subjectCoverage(h));

const COLUMNS = [
  'qseqid',
  'sseqid',
  'pident',
  'length',
  'qlen',
  'slen',
  'qstart',
  'qend',
  'sstart',
  'send',
  'evalue',
  'bitscore',
] as const;

/**
 * Every query's hits (up to `maxTargets`, one HSP per target), best bit score first; a query
 * without a hit has an empty list. Default: --very-sensitive, e-value 1e-3.
 */
export function diamondHits(
  references: readonly { id: string; sequence: string }[],
  queries: readonly { id: string; sequence: string }[],
  options: {
    threads?: number;
    sensitivity?: readonly string[];
    maxTargets?: number;
    evalue?: number;
  } = {},
): Map<string, DiamondHit[]> {
  const tsv = runDiamondBlastp(references, queries, COLUMNS, [
    '--threads',
    String(options.threads ?? 2),
    '-k',
    String(options.maxTargets ?? 25),
    '--max-hsps',
    '1',
    '-e',
    String(options.evalue ?? 1e-3),
    ...(options.sensitivity ?? ['--very-sensitive']),
  ]);
  const hits = new Map<string, DiamondHit[]>(queries.map((q) => [q.id, []]));
  for (const line of tsv.split('\n')) {
    const f = line.split('\t');
    if (f.length < COLUMNS.length) {
      continue;
    }
    const n = (j: number): number => Number(f[j]);
    hits.get(f[0] ?? '')?.push({
      target: f[1] ?? '',
      pident: n(2),
      length: n(3),
      qlen: n(4),
      slen: n(5),
      qstart: n(6),
      qend: n(7),
      sstart: n(8),
      send: n(9),
      evalue: n(10),
      bitscore: n(11),
    });
  }
  for (const list of hits.values()) {
    list.sort((a, b) => b.bitscore - a.bitscore);
  }
  return hits;
}
