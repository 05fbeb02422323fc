// Tests for the prediction-table writers: column order, quoting, nulls, JSON shape and streaming.
import { describe, expect, it } from 'vitest';

import { ArginatorError } from '../core/errors.ts';
import {
  createTableWriter,
  formatFromPath,
  predictionColumns,
  type PredictionRow,
  type TableFormat,
} from './prediction-table.ts';

const LABELS = ['A', 'B', 'C', 'D', 'NBL'] as const;
const MULTI = predictionColumns(LABELS, 'multiclass');
const BINARY = predictionColumns(['BL', 'NBL'], 'binary');

const ROWS: PredictionRow[] = [
  {
    protein_id: 'sp|P62593|BLAT_ECOLX',
    predicted_label: 'A',
    confidence_score: 0.9876543,
    prob_betalactamase: 0.99,
    probabilities: { A: 0.9876543, B: 0.01, C: 0.001, D: 0.0013457, NBL: 0 },
    nearest_reference: 'TEM-1',
    nearest_reference_label: 'A',
    identity: 99.66,
    coverage: 100,
    novelty: 'known',
    model_version: 'multiclass-2024.1',
    nearest_gene: 'blaTEM-1',
    nearest_family: 'blaTEM',
    nearest_subclass: 'BETA-LACTAM',
    carbapenemase: 'no',
    bitscore: 594.0123,
    evalue: 1.2345e-170,
    method: 'CLOSE',
  },
  {
    protein_id: 'weird,"id"\nwith\ttab',
    predicted_label: 'NBL',
    confidence_score: 0.5,
    prob_betalactamase: 0.25,
    probabilities: { A: 0.1, B: 0.05, C: 0.05, D: 0.05, NBL: 0.75 },
    nearest_reference: null,
    nearest_reference_label: null,
    identity: null,
    coverage: null,
    novelty: 'novel',
    model_version: 'multiclass-2024.1',
    nearest_gene: null,
    nearest_family: null,
    nearest_subclass: null,
    carbapenemase: null,
    bitscore: null,
    evalue: null,
    method: 'NONE',
  },
  {
    protein_id: 'q3',
    predicted_label: 'D',
    confidence_score: 1 / 3,
    prob_betalactamase: 1,
    probabilities: { A: 0, B: 0, C: -1e-12, D: 1 / 3, NBL: 2 / 3 },
    nearest_reference: 'OXA-48, variant',
    nearest_reference_label: 'D',
    identity: 41.25,
    coverage: 87.04,
    novelty: 'distant',
    model_version: 'multiclass-2024.1',
    nearest_gene: 'blaOXA-48',
    nearest_family: 'blaOXA-48',
    nearest_subclass: 'CARBAPENEM',
    carbapenemase: 'uncertain',
    bitscore: 160.25,
    evalue: 0.000123456,
    method: 'DISTANT',
  },
];

/** A sink that keeps every chunk separately, so tests can see when writes happen. */
function recordingSink(): { chunks: string[]; write(chunk: string): boolean; text(): string } {
  const chunks: string[] = [];
  return {
    chunks,
    write(chunk) {
      chunks.push(chunk);
      return true;
    },
    text: () => chunks.join(''),
  };
}

function render(format: TableFormat, rows: readonly PredictionRow[], columns = MULTI): string {
  const sink = recordingSink();
  const writer = createTableWriter(format, columns, sink);
  for (const row of rows) {
    writer.write(row);
  }
  writer.end();
  return sink.text();
}

/** Minimal RFC 4180 parser (quoted fields, doubled quotes, CR/LF inside quotes, LF or CRLF rows). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (quoted) {
      if (ch === '"') {
        if (text.charAt(i + 1) === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += ch;
      }
      i += 1;
      continue;
    }
    if (ch === '"') {
      if (field !== '') {
        throw new Error(`quote inside an unquoted field at ${i}`);
      }
      quoted = true;
    } else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || (ch === '\r' && text.charAt(i + 1) === '\n')) {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += ch === '\r' ? 1 : 0;
    } else {
      field += ch;
    }
    i += 1;
  }
  if (quoted) {
    throw new Error('unterminated quoted field');
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

function thrown(f: () => unknown): ArginatorError {
  try {
    f();
  } catch (e) {
    if (e instanceof ArginatorError) {
      return e;
    }
    throw e;
  }
  throw new Error('expected an ArginatorError');
}

describe('predictionColumns', () => {
  it('puts the original four columns first, then p_<label> in label order (multiclass)', () => {
    expect(MULTI).toEqual([
      'protein_id',
      'predicted_label',
      'confidence_score',
      'prob_betalactamase',
      'p_A',
      'p_B',
      'p_C',
      'p_D',
      'p_NBL',
      'nearest_reference',
      'nearest_reference_label',
      'identity',
      'coverage',
      'novelty',
      'model_version',
      'nearest_gene',
      'nearest_family',
      'nearest_subclass',
      'carbapenemase',
      'bitscore',
      'evalue',
      'method',
    ]);
  });

  it('has no p_ columns for the binary task', () => {
    expect(BINARY).toEqual([
      'protein_id',
      'predicted_label',
      'confidence_score',
      'prob_betalactamase',
      'nearest_reference',
      'nearest_reference_label',
      'identity',
      'coverage',
      'novelty',
      'model_version',
      'nearest_gene',
      'nearest_family',
      'nearest_subclass',
      'carbapenemase',
      'bitscore',
      'evalue',
      'method',
    ]);
  });

  it('writes exactly these header lines', () => {
    expect(render('csv', [], MULTI)).toBe(
      'protein_id,predicted_label,confidence_score,prob_betalactamase,p_A,p_B,p_C,p_D,p_NBL,' +
        'nearest_reference,nearest_reference_label,identity,coverage,novelty,model_version,' +
        'nearest_gene,nearest_family,nearest_subclass,carbapenemase,bitscore,evalue,method\n',
    );
    expect(render('tsv', [], BINARY)).toBe(
      'protein_id\tpredicted_label\tconfidence_score\tprob_betalactamase\t' +
        'nearest_reference\tnearest_reference_label\tidentity\tcoverage\tnovelty\tmodel_version\t' +
        'nearest_gene\tnearest_family\tnearest_subclass\tcarbapenemase\tbitscore\tevalue\tmethod\n',
    );
  });

  it('rejects labels that would give a column twice', () => {
    expect(thrown(() => predictionColumns(['A', 'A'], 'multiclass')).reason).toBe(
      'prediction-table.duplicate-column',
    );
  });
});

describe('CSV', () => {
  it('formats numbers with fixed decimals and quotes per RFC 4180', () => {
    const lines = render('csv', ROWS).split('\n');
    expect(lines[1]).toBe(
      'sp|P62593|BLAT_ECOLX,A,0.987654,0.990000,0.987654,0.010000,0.001000,0.001346,0.000000,' +
        'TEM-1,A,99.7,100.0,known,multiclass-2024.1,blaTEM-1,blaTEM,BETA-LACTAM,no,594.0,1.23e-170,CLOSE',
    );
    // The id holds a comma, quotes and a line break, so the record spans two physical lines.
    expect(`${lines[2] ?? ''}\n${lines[3] ?? ''}`).toBe(
      '"weird,""id""\nwith\ttab",NBL,0.500000,0.250000,0.100000,0.050000,0.050000,0.050000,' +
        '0.750000,,,,,novel,multiclass-2024.1,,,,,,,NONE',
    );
    // A tiny negative prints as plain zero, never "-0.000000".
    expect(lines[4]).toBe(
      'q3,D,0.333333,1.000000,0.000000,0.000000,0.000000,0.333333,0.666667,' +
        '"OXA-48, variant",D,41.3,87.0,distant,multiclass-2024.1,' +
        'blaOXA-48,blaOXA-48,CARBAPENEM,uncertain,160.3,1.23e-4,DISTANT',
    );
    expect(lines[5]).toBe('');
    expect(lines).toHaveLength(6);
  });

  it('round-trips through an RFC 4180 parser', () => {
    const records = parseCsv(render('csv', ROWS));
    expect(records[0]).toEqual(MULTI);
    expect(records.slice(1).map((r) => r[0])).toEqual(ROWS.map((r) => r.protein_id));
    for (const [i, record] of records.slice(1).entries()) {
      const row = ROWS[i];
      if (row === undefined) {
        throw new Error('more records than rows');
      }
      expect(record).toHaveLength(MULTI.length);
      const get = (column: string): string | undefined => record[MULTI.indexOf(column)];
      expect(get('predicted_label')).toBe(row.predicted_label);
      expect(get('nearest_reference')).toBe(row.nearest_reference ?? '');
      expect(Number(get('p_NBL'))).toBeCloseTo(row.probabilities.NBL ?? NaN, 6);
      expect(get('identity')).toBe(row.identity === null ? '' : row.identity.toFixed(1));
    }
  });

  it('writes nulls as empty fields', () => {
    const record = parseCsv(render('csv', [ROWS[1] as PredictionRow]))[1] ?? [];
    for (const column of [
      'nearest_reference',
      'nearest_reference_label',
      'identity',
      'coverage',
      'nearest_gene',
      'nearest_family',
      'nearest_subclass',
      'carbapenemase',
      'bitscore',
      'evalue',
    ]) {
      expect(record[MULTI.indexOf(column)]).toBe('');
    }
  });
});

describe('TSV', () => {
  it('replaces tabs and line breaks inside fields by a space', () => {
    const lines = render('tsv', ROWS).split('\n');
    expect(lines).toHaveLength(5);
    const fields = (lines[2] ?? '').split('\t');
    expect(fields).toHaveLength(MULTI.length);
    expect(fields[0]).toBe('weird,"id" with tab');
    expect(fields.slice(-13)).toEqual([
      ...['', '', '', '', 'novel', 'multiclass-2024.1'],
      ...['', '', '', '', '', '', 'NONE'],
    ]);
    expect((lines[3] ?? '').split('\t')[MULTI.indexOf('nearest_reference')]).toBe(
      'OXA-48, variant',
    );
  });

  it('turns CRLF into a single space', () => {
    const row: PredictionRow = { ...(ROWS[0] as PredictionRow), method: 'a\r\nb' as 'NONE' };
    expect(render('tsv', [row]).split('\n')[1]?.endsWith('\ta b')).toBe(true);
  });
});

describe('JSON', () => {
  function flatten(row: PredictionRow, labels: readonly string[]): Record<string, unknown> {
    const { probabilities, ...rest } = row;
    const perClass = Object.fromEntries(labels.map((l) => [`p_${l}`, probabilities[l]]));
    return { ...rest, ...perClass };
  }

  it('parses to the rows in flattened form, keys in column order', () => {
    const parsed: unknown = JSON.parse(render('json', ROWS));
    expect(parsed).toEqual(ROWS.map((r) => flatten(r, LABELS)));
    const first: unknown = (parsed as unknown[])[0];
    expect(Object.keys(first as object)).toEqual(MULTI);
  });

  it('has the documented layout: one object per line', () => {
    const text = render('json', ROWS.slice(0, 2));
    expect(text.startsWith('[\n{"protein_id":"sp|P62593|BLAT_ECOLX",')).toBe(true);
    expect(text.split('\n')).toHaveLength(5); // "[", row, row, "]", ""
    expect(text).toMatch(/\},\n\{"protein_id":"weird,\\"id\\"\\nwith\\ttab",/);
    expect(text.endsWith('"method":"NONE"}\n]\n')).toBe(true);
  });

  it('keeps nulls as null and numbers as unrounded numbers', () => {
    const parsed = JSON.parse(render('json', [ROWS[1] as PredictionRow])) as unknown;
    const object = (parsed as Record<string, unknown>[])[0];
    expect(object?.identity).toBeNull();
    expect(object?.nearest_reference).toBeNull();
    expect(object?.p_NBL).toBe(0.75);
    const third = JSON.parse(render('json', [ROWS[2] as PredictionRow])) as unknown;
    expect((third as Record<string, unknown>[])[0]?.confidence_score).toBe(1 / 3);
    expect((third as Record<string, unknown>[])[0]?.evalue).toBe(0.000123456);
    expect(object?.bitscore).toBeNull();
    expect(object?.carbapenemase).toBeNull();
  });

  it('omits p_ fields for the binary task', () => {
    const parsed = JSON.parse(render('json', ROWS, BINARY)) as unknown;
    expect(parsed).toEqual(ROWS.map((r) => flatten(r, [])));
  });

  it('writes a valid empty array when there are no rows', () => {
    expect(render('json', [])).toBe('[\n]\n');
    expect(JSON.parse(render('json', []))).toEqual([]);
  });
});

describe('createTableWriter', () => {
  it.each(['csv', 'tsv', 'json'] as const)('streams %s: one write per row, at once', (format) => {
    const sink = recordingSink();
    const writer = createTableWriter(format, MULTI, sink);
    // Nothing before the first row: a run that fails early must not leave a header-only table.
    expect(sink.chunks).toHaveLength(0);
    for (const [i, row] of ROWS.entries()) {
      writer.write(row);
      expect(sink.chunks).toHaveLength(i + 1);
      expect(sink.chunks[i]).toContain(JSON.stringify(row.model_version).slice(1, -1));
    }
    expect(sink.chunks[0]?.startsWith(format === 'json' ? '[\n{' : 'protein_id')).toBe(true);
    writer.end();
    // Only JSON has something to close.
    expect(sink.chunks).toHaveLength(ROWS.length + (format === 'json' ? 1 : 0));
    writer.end();
    expect(sink.chunks).toHaveLength(ROWS.length + (format === 'json' ? 1 : 0));
  });

  it.each(['csv', 'tsv', 'json'] as const)(
    'writes the header at end() when there were no rows (%s)',
    (format) => {
      const sink = recordingSink();
      const writer = createTableWriter(format, MULTI, sink);
      writer.end();
      expect(sink.chunks).toHaveLength(1);
      if (format === 'json') {
        expect(JSON.parse(sink.chunks.join(''))).toEqual([]);
      } else {
        expect(sink.chunks[0]).toMatch(/^protein_id[,\t]predicted_label[,\t].*\n$/);
      }
    },
  );

  it('writes nothing, not even the header, when the first row fails its checks', () => {
    const sink = recordingSink();
    const writer = createTableWriter('csv', MULTI, sink);
    const row: PredictionRow = { ...(ROWS[0] as PredictionRow), confidence_score: Number.NaN };
    expect(thrown(() => writer.write(row)).reason).toBe('prediction-table.non-finite');
    expect(sink.chunks).toEqual([]);
  });

  it.each(['csv', 'tsv', 'json'] as const)('is deterministic (%s)', (format) => {
    const copy = structuredClone(ROWS);
    expect(Buffer.from(render(format, copy))).toEqual(Buffer.from(render(format, ROWS)));
  });

  it('refuses rows after end', () => {
    const writer = createTableWriter('csv', MULTI, recordingSink());
    writer.end();
    const error = thrown(() => writer.write(ROWS[0] as PredictionRow));
    expect(error.code).toBe('INTERNAL');
    expect(error.reason).toBe('prediction-table.write-after-end');
  });

  it('refuses unknown or repeated columns', () => {
    expect(
      thrown(() => createTableWriter('csv', ['protein_id', 'x'], recordingSink())).reason,
    ).toBe('prediction-table.unknown-column');
    expect(
      thrown(() => createTableWriter('csv', ['protein_id', 'protein_id'], recordingSink())).reason,
    ).toBe('prediction-table.duplicate-column');
  });

  it('refuses a row without a probability for a listed class', () => {
    const writer = createTableWriter('json', MULTI, recordingSink());
    const row: PredictionRow = { ...(ROWS[0] as PredictionRow), probabilities: { A: 1 } };
    const error = thrown(() => writer.write(row));
    expect(error.reason).toBe('prediction-table.missing-probability');
    expect(error.message).toContain("class 'B'");
  });

  it('refuses non-finite numbers rather than writing NaN or null', () => {
    const row: PredictionRow = { ...(ROWS[0] as PredictionRow), confidence_score: Number.NaN };
    for (const format of ['csv', 'tsv', 'json'] as const) {
      const writer = createTableWriter(format, MULTI, recordingSink());
      expect(thrown(() => writer.write(row)).reason).toBe('prediction-table.non-finite');
    }
  });
});

describe('formatFromPath', () => {
  it('maps extensions, case-insensitively', () => {
    expect(formatFromPath('out/predictions.csv')).toBe('csv');
    expect(formatFromPath('P.TSV')).toBe('tsv');
    expect(formatFromPath('p.tab')).toBe('tsv');
    expect(formatFromPath('/tmp/x.y/p.json')).toBe('json');
  });

  it('returns undefined for anything else', () => {
    expect(formatFromPath('predictions')).toBeUndefined();
    expect(formatFromPath('predictions.csv.gz')).toBeUndefined();
    expect(formatFromPath('predictions.txt')).toBeUndefined();
    expect(formatFromPath('dir.csv/predictions')).toBeUndefined();
  });
});
