// The /status preview typed as pandas.read_csv types it (pinned shapes: pandas is not installed here).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { CsvRecordReader, previewOfCsv, previewOfCsvFile } from './legacy-preview.ts';

const BINARY_CSV = [
  'protein_id,predicted_label,confidence_score,prob_betalactamase,nearest_reference,nearest_reference_label,identity,coverage,novelty,model_version',
  'q0,Betalactamase,0.912345,0.912345,ref3,Betalactamase,88.5,100.0,known,v1',
  'q1,Non-Betalactamase,0.700000,0.300000,,,,,novel,v1',
  '"q,2",Non-Betalactamase,0.650000,0.350000,ref1,Non-Betalactamase,31.0,42.5,distant,v1',
  'q3,Betalactamase,1.000000,1.000000,ref0,Betalactamase,100.0,100.0,known,v1',
  'q4,Betalactamase,0.500001,0.500001,ref2,Betalactamase,12.0,9.9,novel,v1',
  'q5,Betalactamase,0.600000,0.600000,ref2,Betalactamase,12.0,9.9,novel,v1',
  '',
].join('\n');

describe('the preview of a result table', () => {
  it('is DataFrame.head(5).to_dict(): column -> "row index" -> value, numbers as numbers, empty as null', () => {
    expect(previewOfCsv(BINARY_CSV)).toEqual({
      protein_id: { 0: 'q0', 1: 'q1', 2: 'q,2', 3: 'q3', 4: 'q4' },
      predicted_label: {
        0: 'Betalactamase',
        1: 'Non-Betalactamase',
        2: 'Non-Betalactamase',
        3: 'Betalactamase',
        4: 'Betalactamase',
      },
      confidence_score: { 0: 0.912345, 1: 0.7, 2: 0.65, 3: 1, 4: 0.500001 },
      prob_betalactamase: { 0: 0.912345, 1: 0.3, 2: 0.35, 3: 1, 4: 0.500001 },
      nearest_reference: { 0: 'ref3', 1: null, 2: 'ref1', 3: 'ref0', 4: 'ref2' },
      nearest_reference_label: {
        0: 'Betalactamase',
        1: null,
        2: 'Non-Betalactamase',
        3: 'Betalactamase',
        4: 'Betalactamase',
      },
      identity: { 0: 88.5, 1: null, 2: 31, 3: 100, 4: 12 },
      coverage: { 0: 100, 1: null, 2: 42.5, 3: 100, 4: 9.9 },
      novelty: { 0: 'known', 1: 'novel', 2: 'distant', 3: 'known', 4: 'novel' },
      model_version: { 0: 'v1', 1: 'v1', 2: 'v1', 3: 'v1', 4: 'v1' },
    });
    // The JSON text: string keys "0".."4" in order, as FastAPI's json.dumps wrote the int keys.
    expect(JSON.stringify(previewOfCsv(BINARY_CSV).identity)).toBe(
      '{"0":88.5,"1":null,"2":31,"3":100,"4":12}',
    );
  });

  it('types a column by all of its rows, not only the first five (pandas infers per column)', () => {
    const numeric = 'protein_id,x\n1,a\n2,b\n3,c\n4,d\n5,e\n6,f\n';
    expect(previewOfCsv(numeric).protein_id).toEqual({ 0: 1, 1: 2, 2: 3, 3: 4, 4: 5 });
    const mixed = `${numeric}P7,g\n`;
    expect(previewOfCsv(mixed).protein_id).toEqual({ 0: '1', 1: '2', 2: '3', 3: '4', 4: '5' });
    // Leading zeros and exponents read as numbers too, as pandas reads them.
    expect(previewOfCsv('id\n007\n1e3\n-.5\n').id).toEqual({ 0: 7, 1: 1000, 2: -0.5 });
  });

  it("reads pandas' default NA strings as null and True/False columns as booleans", () => {
    const csv = 'id,flag,score\nNA,True,inf\nq1,false,NaN\nN/A,,1.5\nq3,TRUE,-Infinity\n';
    expect(previewOfCsv(csv)).toEqual({
      id: { 0: null, 1: 'q1', 2: null, 3: 'q3' },
      flag: { 0: true, 1: false, 2: null, 3: true },
      score: { 0: null, 1: null, 2: 1.5, 3: null },
    });
    // A column holding True and a number is text (object dtype), cell for cell.
    expect(previewOfCsv('a\nTrue\n1\n').a).toEqual({ 0: 'True', 1: '1' });
  });

  it('keeps fewer rows when the table is shorter, and every column when it has no rows', () => {
    expect(previewOfCsv('a,b\n1,x\n')).toEqual({ a: { 0: 1 }, b: { 0: 'x' } });
    expect(previewOfCsv('a,b\n')).toEqual({ a: {}, b: {} });
    expect(previewOfCsv('')).toEqual({});
  });
});

describe('CsvRecordReader', () => {
  const text = 'id,note\r\n"a ""quoted"", id","line one\nline two"\r\n\r\nplain,"x"\nlast,"end"""';
  const expected = [
    ['id', 'note'],
    ['a "quoted", id', 'line one\nline two'],
    ['plain', 'x'],
    ['last', 'end"'],
  ];

  it('reads RFC 4180 quoting, CRLF and LF, and skips blank lines, however the text is split', () => {
    for (let cut = 0; cut <= text.length; cut += 1) {
      for (const step of [1, 2, 3]) {
        const records: string[][] = [];
        const reader = new CsvRecordReader((r) => records.push(r));
        reader.push(text.slice(0, cut));
        for (let i = cut; i < text.length; i += step) {
          reader.push(text.slice(i, i + step));
        }
        reader.end();
        expect(records, `cut ${cut}, step ${step}`).toEqual(expected);
      }
    }
  });
});

describe('previewOfCsvFile', () => {
  it('gives the same preview as the text, streamed from disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'arginator-preview-'));
    const path = join(dir, 'results.csv');
    const rows = Array.from({ length: 5000 }, (_, i) => `q${i},${(i / 5000).toFixed(6)}`);
    const csv = `protein_id,score\n${rows.join('\n')}\n9,0.5\n`;
    await writeFile(path, csv);
    const preview = await previewOfCsvFile(path);
    expect(preview).toEqual(previewOfCsv(csv));
    expect(preview.score).toEqual({ 0: 0, 1: 0.0002, 2: 0.0004, 3: 0.0006, 4: 0.0008 });
  });
});
