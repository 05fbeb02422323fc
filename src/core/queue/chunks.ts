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

const NL = 0x0a; // '\n'
const OPEN = 0x5b; // '['
const CLOSE = 0x5d; // ']'
const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const JSON_OPEN = ascii('[\n');
const JSON_SEPARATOR = ascii(',\n');
const JSON_CLOSE = ascii('\n]\n');
const JSON_EMPTY_CLOSE = ascii(']\n');

/**
 * The rows of one chunk's table, without what belongs to the whole table: the header line of CSV
 * and TSV, the brackets of JSON (io/prediction-table.ts writes `[\n`, rows joined by `,\n`, then
 * `\n]\n`; an empty table is `[\n]\n`). Empty: the chunk has no rows. Bytes (UTF-8) in and out:
 * the merge never decodes a table.
 */
export function tableBody(format: TableFormat, table: Uint8Array): Uint8Array {
  const n = table.length;
  if (format === 'json') {
    if (
      n < 4 ||
      table[0] !== OPEN ||
      table[1] !== NL ||
      table[n - 2] !== CLOSE ||
      table[n - 1] !== NL
    ) {
      throw new Error('not a JSON prediction table (expected "[\\n" … "]\\n")');
    }
    const inner = table.subarray(2, n - 2);
    return inner.length > 0 && inner[inner.length - 1] === NL ? inner.subarray(0, -1) : inner;
  }
  const newline = table.indexOf(NL);
  if (newline < 0) {
    throw new Error(`not a ${format.toUpperCase()} prediction table (no header line)`);
  }
  return table.subarray(newline + 1);
}

/** The header of a CSV/TSV chunk table (its first line, with the newline); empty for JSON. */
export function tableHead(format: TableFormat, table: Uint8Array): Uint8Array {
  return format === 'json' ? new Uint8Array(0) : table.subarray(0, table.indexOf(NL) + 1);
}

/**
 * Merges chunk tables given in chunk order into the bytes of one table, piece by piece, the same
 * bytes the whole input gives when classified at once (every row is classified on its own).
 */
export function* mergeTables(
  format: TableFormat,
  chunks: Iterable<Uint8Array>,
): Generator<Uint8Array> {
  let rows = 0;
  let first = true;
  for (const table of chunks) {
    if (first) {
      yield format === 'json' ? JSON_OPEN : tableHead(format, table);
      first = false;
    }
    const body = tableBody(format, table);
    if (body.length === 0) {
      continue;
    }
    if (format === 'json' && rows > 0) {
      yield JSON_SEPARATOR;
    }
    yield body;
    rows++;
  }
  if (first) {
    throw new Error('no chunk tables to merge');
  }
  if (format === 'json') {
    yield rows === 0 ? JSON_EMPTY_CLOSE : JSON_CLOSE;
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
