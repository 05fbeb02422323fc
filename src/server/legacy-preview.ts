// The original /status preview: a result CSV's first rows as pandas' read_csv(...).head(n).to_dict() gives them.
import { createReadStream } from 'node:fs';

/** A cell as pandas types it: numbers, booleans and text; NaN (and ±inf) become null, as in JSON. */
export type PreviewValue = string | number | boolean | null;

/** pandas' DataFrame.to_dict() (orient 'dict'): column → row index ("0".."n-1") → value. */
export type Preview = Record<string, Record<string, PreviewValue>>;

/** pandas' default `na_values` (pandas._libs.parsers.STR_NA_VALUES): these cells read as NaN. */
const NA_VALUES: ReadonlySet<string> = new Set([
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
]);

/** pandas' C parser default true/false values. */
const TRUE_VALUES: ReadonlySet<string> = new Set(['True', 'TRUE', 'true']);
const FALSE_VALUES: ReadonlySet<string> = new Set(['False', 'FALSE', 'false']);

/** What the C parser's float conversion accepts (surrounding spaces, sign, digits, exponent, inf). */
const NUMBER = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
const INFINITY = /^\s*([+-]?)inf(?:inity)?\s*$/i;

function toNumber(text: string): number {
  const inf = INFINITY.exec(text);
  if (inf !== null) {
    return inf[1] === '-' ? -Infinity : Infinity;
  }
  return Number(text.trim());
}

function isNumber(text: string): boolean {
  return NUMBER.test(text) || INFINITY.test(text);
}

/** How pandas types one column after seeing all of it (dtype inference runs over every row). */
interface ColumnKinds {
  numeric: boolean;
  bool: boolean;
}

/**
 * Types cells the way pandas' C parser does with default options: a column whose non-NA cells
 * all parse as numbers is numeric (int64 or float64), one whose non-NA cells are all True/False
 * is boolean, any other column keeps its cells as text; NA cells (NA_VALUES) are NaN.
 */
export class PandasPreviewBuilder {
  readonly #columns: readonly string[];
  readonly #kinds: ColumnKinds[];
  readonly #head: (readonly string[])[] = [];
  readonly #rows: number;

  constructor(columns: readonly string[], rows = 5) {
    this.#columns = columns;
    this.#kinds = columns.map(() => ({ numeric: true, bool: true }));
    this.#rows = rows;
  }

  /** One data row (fields in column order; missing trailing fields are NaN, as in pandas). */
  add(fields: readonly string[]): void {
    if (this.#head.length < this.#rows) {
      this.#head.push(fields);
    }
    this.#kinds.forEach((kind, i) => {
      const text = fields[i] ?? '';
      if (NA_VALUES.has(text)) {
        return;
      }
      if (kind.numeric && !isNumber(text)) {
        kind.numeric = false;
      }
      if (kind.bool && !TRUE_VALUES.has(text) && !FALSE_VALUES.has(text)) {
        kind.bool = false;
      }
    });
  }

  /**
   * The preview. NaN and ±inf are null: the original's JSON encoder refused them (FastAPI answered
   * 500), and null is what a JSON client reads back as a missing value (pandas shows None/NaN).
   */
  build(): Preview {
    const preview: Preview = {};
    this.#columns.forEach((column, i) => {
      const kind = this.#kinds[i] ?? { numeric: false, bool: false };
      const cells: Record<string, PreviewValue> = {};
      this.#head.forEach((fields, row) => {
        const text = fields[i] ?? '';
        let value: PreviewValue;
        if (NA_VALUES.has(text)) {
          value = null;
        } else if (kind.numeric) {
          const n = toNumber(text);
          value = Number.isFinite(n) ? n : null;
        } else if (kind.bool) {
          value = TRUE_VALUES.has(text);
        } else {
          value = text;
        }
        cells[String(row)] = value;
      });
      preview[column] = cells;
    });
    return preview;
  }
}

/**
 * Splits RFC 4180 CSV text fed in chunks into records: quoted fields may hold commas, doubled
 * quotes and line breaks; CRLF and LF both end a record; blank lines are skipped (as pandas does).
 */
export class CsvRecordReader {
  #field = '';
  #fields: string[] = [];
  #quoted = false;
  /** The previous chunk ended on a quote inside a quoted field (an escape or the closing quote). */
  #quotePending = false;
  #fieldStarted = false;
  readonly #onRecord: (fields: string[]) => void;

  constructor(onRecord: (fields: string[]) => void) {
    this.#onRecord = onRecord;
  }

  push(chunk: string): void {
    let i = 0;
    if (this.#quotePending) {
      this.#quotePending = false;
      if (chunk.startsWith('"')) {
        this.#field += '"';
        i = 1;
      } else {
        this.#quoted = false;
      }
    }
    for (; i < chunk.length; i += 1) {
      const c = chunk.charAt(i);
      if (this.#quoted) {
        if (c !== '"') {
          this.#field += c;
        } else if (i + 1 === chunk.length) {
          this.#quotePending = true;
        } else if (chunk[i + 1] === '"') {
          this.#field += '"';
          i += 1;
        } else {
          this.#quoted = false;
        }
      } else if (c === '"' && this.#field === '') {
        this.#quoted = true;
        this.#fieldStarted = true;
      } else if (c === ',') {
        this.#endField();
      } else if (c === '\n') {
        this.#endRecord();
      } else if (c !== '\r') {
        this.#field += c;
        this.#fieldStarted = true;
      }
    }
  }

  /** Ends the input (a last record without a line break counts). */
  end(): void {
    if (this.#quotePending) {
      this.#quotePending = false;
      this.#quoted = false;
    }
    this.#endRecord();
  }

  #endField(): void {
    this.#fields.push(this.#field);
    this.#field = '';
    this.#fieldStarted = true;
  }

  #endRecord(): void {
    if (!this.#fieldStarted && this.#fields.length === 0) {
      return; // a blank line
    }
    this.#fields.push(this.#field);
    const record = this.#fields;
    this.#field = '';
    this.#fields = [];
    this.#fieldStarted = false;
    this.#onRecord(record);
  }
}

/** A reader whose first record is the header, and the preview of what it has read. */
function previewReader(rows: number): { reader: CsvRecordReader; preview: () => Preview } {
  let builder: PandasPreviewBuilder | undefined;
  const reader = new CsvRecordReader((fields) => {
    if (builder === undefined) {
      builder = new PandasPreviewBuilder(fields, rows);
    } else {
      builder.add(fields);
    }
  });
  return { reader, preview: () => builder?.build() ?? {} };
}

/** The preview of CSV text. */
export function previewOfCsv(text: string, rows = 5): Preview {
  const { reader, preview } = previewReader(rows);
  reader.push(text);
  reader.end();
  return preview();
}

/**
 * The preview of a result CSV file, read once from start to end (pandas types a column by all of
 * its cells, so the first rows alone cannot say whether, e.g., numeric-looking ids stay text).
 */
export async function previewOfCsvFile(
  path: string,
  rows = 5,
  signal?: AbortSignal,
): Promise<Preview> {
  const { reader, preview } = previewReader(rows);
  const stream = createReadStream(path, { encoding: 'utf8', signal });
  for await (const chunk of stream as AsyncIterable<string>) {
    reader.push(chunk);
  }
  reader.end();
  return preview();
}
