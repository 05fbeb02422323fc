// Streaming writers of the prediction table (CSV, TSV, JSON) with the original system's column order.
import { TABLE_FORMATS } from '../core/domain.ts';
import type {
  CarbapenemaseCall,
  EvidenceMethod,
  Novelty,
  TableFormat,
  Task,
} from '../core/domain.ts';
import { ArginatorError } from '../core/errors.ts';
import type { Prediction } from '../core/model/predictor.ts';

/** One predicted protein; `probabilities` maps class label → probability, in label order. */
export interface PredictionRow {
  protein_id: string;
  predicted_label: string;
  confidence_score: number;
  prob_betalactamase: number;
  probabilities: Record<string, number>;
  nearest_reference: string | null;
  nearest_reference_label: string | null;
  /** Percent identity of the best alignment, 0–100. */
  identity: number | null;
  /** Percent of the query covered by the best alignment, 0–100. */
  coverage: number | null;
  novelty: Novelty;
  model_version: string;
  /** The nearest reference's gene symbol, family and drug subclass (null when the model has none). */
  nearest_gene: string | null;
  nearest_family: string | null;
  nearest_subclass: string | null;
  /** yes / no / uncertain for a β-lactamase call, null otherwise (docs/prediction.md). */
  carbapenemase: CarbapenemaseCall | null;
  /** Bit score and e-value of the nearest alignment (Karlin-Altschul, BLOSUM62 11/1). */
  bitscore: number | null;
  evalue: number | null;
  method: EvidenceMethod;
}

// The format and task words live in core/domain.ts.
export type { TableFormat } from '../core/domain.ts';
export type PredictionTask = Task;

/**
 * Where the table goes; a Node Writable or anything with a string `write`. The return value
 * (a Writable's backpressure flag, or nothing) is ignored: the caller owns flow control.
 */
export interface TextSink {
  write(chunk: string): unknown;
}

export interface TableWriter {
  /** Writes one row immediately (one `out.write` call; the first carries the header too). */
  write(row: PredictionRow): void;
  /** Writes what closes the table (the header if no row came, JSON's `]`); later calls do nothing. */
  end(): void;
}

/** The original system's columns, first and in this order, so its users' scripts keep working. */
const LEADING_COLUMNS = [
  'protein_id',
  'predicted_label',
  'confidence_score',
  'prob_betalactamase',
] as const;

const TRAILING_COLUMNS = [
  'nearest_reference',
  'nearest_reference_label',
  'identity',
  'coverage',
  'novelty',
  'model_version',
  // Named evidence, AMRFinderPlus style (issue 13): after every earlier column, so none moves.
  'nearest_gene',
  'nearest_family',
  'nearest_subclass',
  'carbapenemase',
  'bitscore',
  'evalue',
  'method',
] as const;

const PROBABILITY_PREFIX = 'p_';

/** Column names: the four original ones, `p_<label>` per label (multiclass only), then evidence. */
export function predictionColumns(labels: readonly string[], task: PredictionTask): string[] {
  const perClass = task === 'multiclass' ? labels.map((l) => `${PROBABILITY_PREFIX}${l}`) : [];
  const columns = [...LEADING_COLUMNS, ...perClass, ...TRAILING_COLUMNS];
  const duplicate = columns.find((c, i) => columns.indexOf(c) !== i);
  if (duplicate !== undefined) {
    throw internal(
      'prediction-table.duplicate-column',
      `the class labels give the column '${duplicate}' twice`,
      'give each class a distinct label',
    );
  }
  return columns;
}

/** Extension → table format (.csv, .tsv/.tab, .json; case-insensitive); undefined otherwise. */
export function formatFromPath(path: string): TableFormat | undefined {
  const match = /\.([A-Za-z]+)$/.exec(path);
  const ext = match?.[1]?.toLowerCase();
  return ext === undefined ? undefined : EXTENSIONS.get(ext);
}

/** Each format's own name, plus `.tab` for TSV. */
const EXTENSIONS: ReadonlyMap<string, TableFormat> = new Map<string, TableFormat>([
  ...TABLE_FORMATS.map((f): [string, TableFormat] => [f, f]),
  ['tab', 'tsv'],
]);

/**
 * How a cell is rendered in CSV/TSV. Fixed formats keep output byte-identical across runs:
 * probabilities and confidence `toFixed(6)`, identity, coverage and bit score `toFixed(1)`,
 * e-value `toExponential(2)` (as BLAST prints them), null → empty.
 * JSON keeps the numbers unrounded (JSON.stringify is deterministic too).
 */
type CellKind = 'text' | 'probability' | 'percent' | 'bits' | 'evalue';
type CellValue = string | number | null;

interface ColumnSpec {
  readonly kind: CellKind;
  readonly get: (row: PredictionRow) => CellValue;
}

const FIXED_COLUMNS: ReadonlyMap<string, ColumnSpec> = new Map<string, ColumnSpec>([
  ['protein_id', { kind: 'text', get: (r) => r.protein_id }],
  ['predicted_label', { kind: 'text', get: (r) => r.predicted_label }],
  ['confidence_score', { kind: 'probability', get: (r) => r.confidence_score }],
  ['prob_betalactamase', { kind: 'probability', get: (r) => r.prob_betalactamase }],
  ['nearest_reference', { kind: 'text', get: (r) => r.nearest_reference }],
  ['nearest_reference_label', { kind: 'text', get: (r) => r.nearest_reference_label }],
  ['identity', { kind: 'percent', get: (r) => r.identity }],
  ['coverage', { kind: 'percent', get: (r) => r.coverage }],
  ['novelty', { kind: 'text', get: (r) => r.novelty }],
  ['model_version', { kind: 'text', get: (r) => r.model_version }],
  ['nearest_gene', { kind: 'text', get: (r) => r.nearest_gene }],
  ['nearest_family', { kind: 'text', get: (r) => r.nearest_family }],
  ['nearest_subclass', { kind: 'text', get: (r) => r.nearest_subclass }],
  ['carbapenemase', { kind: 'text', get: (r) => r.carbapenemase }],
  ['bitscore', { kind: 'bits', get: (r) => r.bitscore }],
  ['evalue', { kind: 'evalue', get: (r) => r.evalue }],
  ['method', { kind: 'text', get: (r) => r.method }],
]);

function columnSpec(column: string): ColumnSpec {
  const fixed = FIXED_COLUMNS.get(column);
  if (fixed !== undefined) {
    return fixed;
  }
  if (column.startsWith(PROBABILITY_PREFIX) && column.length > PROBABILITY_PREFIX.length) {
    const label = column.slice(PROBABILITY_PREFIX.length);
    return {
      kind: 'probability',
      get: (r) => {
        // A missing class would silently shift meaning; it is a bug in the caller, so fail loudly.
        if (!Object.hasOwn(r.probabilities, label)) {
          throw internal(
            'prediction-table.missing-probability',
            `row '${r.protein_id}' has no probability for class '${label}'`,
            'build the columns from the same labels as the model that made the rows',
          );
        }
        return r.probabilities[label] ?? null;
      },
    };
  }
  throw internal(
    'prediction-table.unknown-column',
    `unknown prediction-table column '${column}'`,
    'build the columns with predictionColumns()',
  );
}

/**
 * Streams rows to `out` as they come. The header waits for the first valid row (or `end()`), so a
 * run that fails before its first row leaves its output empty, not a header-only table.
 */
export function createTableWriter(
  format: TableFormat,
  columns: readonly string[],
  out: TextSink,
): TableWriter {
  const duplicate = columns.find((c, i) => columns.indexOf(c) !== i);
  if (duplicate !== undefined) {
    throw internal(
      'prediction-table.duplicate-column',
      `the column '${duplicate}' is listed twice`,
      'build the columns with predictionColumns()',
    );
  }
  const specs = columns.map((name) => {
    const { kind, get } = columnSpec(name);
    return { name, kind, get, key: JSON.stringify(name) };
  });
  let rows = 0;
  let ended = false;
  // Only text can hold a separator; numbers are written as formatCell gives them. (An object
  // spread per cell here cost ~50 µs a row: most of writing a proteome's table.)
  const field = format === 'csv' ? csvField : tsvField;
  const separator = format === 'csv' ? ',' : '\t';

  const renderRow = (row: PredictionRow): string => {
    if (format === 'json') {
      // Built by hand so the keys follow the column order whatever the label names are.
      let body = '';
      for (const s of specs) {
        const value = checkFinite(s.get(row), s.name, row);
        body += `${body === '' ? '' : ','}${s.key}:${JSON.stringify(value)}`;
      }
      return `${rows === 0 ? '' : ',\n'}{${body}}`;
    }
    let line = '';
    for (let c = 0; c < specs.length; c++) {
      const s = specs[c] as (typeof specs)[number];
      const value = checkFinite(s.get(row), s.name, row);
      const text = formatCell(value, s.kind);
      line += (c === 0 ? '' : separator) + (typeof value === 'string' ? field(text) : text);
    }
    return `${line}\n`;
  };

  const header = (): string => {
    switch (format) {
      case 'csv':
        return `${columns.map(csvField).join(',')}\n`;
      case 'tsv':
        return `${columns.map(tsvField).join('\t')}\n`;
      case 'json':
        return '[\n';
    }
  };

  return {
    write(row) {
      if (ended) {
        throw internal(
          'prediction-table.write-after-end',
          `row '${row.protein_id}' was written after the table was ended`,
          'write every row before calling end()',
        );
      }
      // Rendered first: a row that fails its checks writes nothing, not even the header.
      const text = renderRow(row);
      out.write(rows === 0 ? `${header()}${text}` : text);
      rows += 1;
    },
    end() {
      if (ended) {
        return;
      }
      ended = true;
      if (rows === 0) {
        out.write(format === 'json' ? '[\n]\n' : header());
      } else if (format === 'json') {
        out.write('\n]\n');
      }
    },
  };
}

function formatCell(value: CellValue, kind: CellKind): string {
  if (value === null) {
    return '';
  }
  if (typeof value === 'string') {
    return value;
  }
  if (kind === 'evalue') {
    return value.toExponential(2);
  }
  const text = value.toFixed(kind === 'percent' || kind === 'bits' ? 1 : 6);
  // Tiny negatives round to "-0.000000"; print zero the one way.
  return value < 0 && /^-0\.0+$/.test(text) ? text.slice(1) : text;
}

/** RFC 4180: quote a field holding a comma, quote, CR or LF; double the quotes inside. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** TSV has no quoting, so a tab or line break inside a field becomes one space. */
function tsvField(text: string): string {
  return text.replace(/\r\n|[\t\r\n]/g, ' ');
}

function checkFinite(value: CellValue, column: string, row: PredictionRow): CellValue {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw internal(
      'prediction-table.non-finite',
      `row '${row.protein_id}' has ${String(value)} in column '${column}'`,
      'check the model output for NaN or infinite scores',
    );
  }
  return value;
}

function internal(reason: string, message: string, hint: string): ArginatorError {
  return new ArginatorError('INTERNAL', reason, message, hint);
}

/** One prediction as a table row (identity and coverage in percent). */
export function predictionRow(
  id: string,
  p: Prediction,
  labels: readonly string[],
  version: string,
): PredictionRow {
  return {
    protein_id: id,
    predicted_label: p.label,
    confidence_score: p.confidence,
    prob_betalactamase: p.probBetalactamase,
    probabilities: Object.fromEntries(labels.map((l, i) => [l, p.probabilities[i] ?? 0])),
    nearest_reference: p.nearest?.id ?? null,
    nearest_reference_label: p.nearest?.label ?? null,
    // Empty when the nearest reference was found in embedding space (HDF5 input: no sequence).
    identity: p.nearest?.identity === undefined ? null : p.nearest.identity * 100,
    coverage: p.nearest?.coverage === undefined ? null : p.nearest.coverage * 100,
    novelty: p.novelty,
    model_version: version,
    nearest_gene: p.nearest?.gene ?? null,
    nearest_family: p.nearest?.family ?? null,
    nearest_subclass: p.nearest?.subclass ?? null,
    carbapenemase: p.carbapenemase ?? null,
    bitscore: p.nearest?.bitscore ?? null,
    evalue: p.nearest?.evalue ?? null,
    method: p.method,
  };
}
