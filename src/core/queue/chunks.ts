// Chunked jobs: how a job's proteins are cut into chunks, and how the chunks' tables are merged back in input order.
import type { TableFormat } from '../domain.ts';

/** One chunk of a job: its index (0-based, the merge order) and its proteins [start, start + count). */
export interface ChunkSpan {
  readonly index: number;
  readonly start: number;
  readonly count: number;
}

/** Cuts `total` proteins into consecutive chunks of `size` (the last may be shorter); none for 0. */
export function planChunks(total: number, size: number): ChunkSpan[] {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  }
  const spans: ChunkSpan[] = [];
  for (let start = 0, index = 0; start < total; start += size, index++) {
    spans.push({ index, start, count: Math.min(size, total - start) });
  }
  return spans;
}

/**
 * The rows of one chunk's table, without what belongs to the whole table: the header line of CSV
 * and TSV, the brackets of JSON (io/prediction-table.ts writes `[\n`, rows joined by `,\n`, then
 * `\n]\n`; an empty table is `[\n]\n`). Empty string: the chunk has no rows.
 */
export function tableBody(format: TableFormat, text: string): string {
  if (format === 'json') {
    if (!text.startsWith('[\n') || !text.endsWith(']\n')) {
      throw new Error('not a JSON prediction table (expected "[\\n" … "]\\n")');
    }
    const inner = text.slice(2, -2);
    return inner.endsWith('\n') ? inner.slice(0, -1) : inner;
  }
  const newline = text.indexOf('\n');
  if (newline < 0) {
    throw new Error(`not a ${format.toUpperCase()} prediction table (no header line)`);
  }
  return text.slice(newline + 1);
}

/** The header of a CSV/TSV chunk table (its first line, with the newline); '' for JSON. */
export function tableHead(format: TableFormat, text: string): string {
  return format === 'json' ? '' : text.slice(0, text.indexOf('\n') + 1);
}

/**
 * Merges chunk tables given in chunk order into the text of one table, piece by piece, the same
 * bytes the whole input gives when classified at once (every row is classified on its own).
 */
export function* mergeTables(format: TableFormat, chunks: Iterable<string>): Generator<string> {
  let rows = 0;
  let first = true;
  for (const text of chunks) {
    if (first) {
      yield format === 'json' ? '[\n' : tableHead(format, text);
      first = false;
    }
    const body = tableBody(format, text);
    if (body === '') {
      continue;
    }
    yield format === 'json' && rows > 0 ? `,\n${body}` : body;
    rows++;
  }
  if (first) {
    throw new Error('no chunk tables to merge');
  }
  if (format === 'json') {
    yield rows === 0 ? ']\n' : '\n]\n';
  }
}

/** Sums the label and novelty counts of chunks (keys in first-seen order: the model's label order). */
export function sumCounts(
  parts: readonly Readonly<Record<string, number>>[],
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of parts) {
    for (const [key, n] of Object.entries(part)) {
      out[key] = (out[key] ?? 0) + n;
    }
  }
  return out;
}
