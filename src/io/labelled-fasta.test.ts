// Tests of the labelled-FASTA dataset loaders (>ID|LABEL headers, FASTA + labels table), on real files.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  loadFastaWithLabelsTable,
  loadHeaderLabelledFasta,
  loadLabelledFasta,
  normaliseLabel,
  readLabelsTable,
  splitDelimitedLine,
  splitHeaderId,
} from './labelled-fasta.ts';
import { caught } from './test-support/caught.ts';
import { useTempDir } from './test-support/temp-dir.ts';

const SHIPPED_FASTA = 'data/default/default.fasta.gz';
const SHIPPED_LABELS = 'data/default/labels.tsv';
const SEQ = 'MSIQHFRVALIPFFAAFCLPVFA';

const dir = useTempDir('arginator-labelled-fasta-');

async function file(name: string, content: string | Uint8Array): Promise<string> {
  const path = join(dir(), name);
  await writeFile(path, content);
  return path;
}

function fasta(...headers: string[]): string {
  return headers.map((h) => `>${h}\n${SEQ}\n`).join('');
}

describe('normaliseLabel', () => {
  it('multiclass: A–D and NBL in any case, with a few unambiguous spellings', () => {
    expect(normaliseLabel('a', 'multiclass')).toBe('A');
    expect(normaliseLabel(' C ', 'multiclass')).toBe('C');
    expect(normaliseLabel('class_D', 'multiclass')).toBe('D');
    expect(normaliseLabel('B2', 'multiclass')).toBe('B');
    expect(normaliseLabel('nbl', 'multiclass')).toBe('NBL');
    expect(normaliseLabel('non_betalactamase', 'multiclass')).toBe('NBL');
    expect(normaliseLabel('Non-Beta-Lactamase', 'multiclass')).toBe('NBL');
    expect(normaliseLabel('Betalactamase', 'multiclass')).toBeUndefined();
    expect(normaliseLabel('negative', 'multiclass')).toBeUndefined();
    expect(normaliseLabel('E', 'multiclass')).toBeUndefined();
    expect(normaliseLabel('', 'multiclass')).toBeUndefined();
  });

  it('binary: classes map through toBinaryLabel, binary labels are accepted directly', () => {
    expect(normaliseLabel('A', 'binary')).toBe('Betalactamase');
    expect(normaliseLabel('d', 'binary')).toBe('Betalactamase');
    expect(normaliseLabel('NBL', 'binary')).toBe('Non-Betalactamase');
    expect(normaliseLabel('beta-lactamase', 'binary')).toBe('Betalactamase');
    expect(normaliseLabel('non-beta-lactamase', 'binary')).toBe('Non-Betalactamase');
    expect(normaliseLabel('NON_BETALACTAMASE', 'binary')).toBe('Non-Betalactamase');
    expect(normaliseLabel('positive', 'binary')).toBeUndefined();
  });
});

describe('splitHeaderId', () => {
  it('splits at the last |, so ids may contain | themselves', () => {
    expect(splitHeaderId('ncbi_WP_063842277.1|A')).toEqual({
      id: 'ncbi_WP_063842277.1',
      label: 'A',
    });
    expect(splitHeaderId('sp|P62593|BLAT_ECOLX|A')).toEqual({
      id: 'sp|P62593|BLAT_ECOLX',
      label: 'A',
    });
    expect(splitHeaderId('plain')).toBeUndefined();
  });
});

describe('splitDelimitedLine', () => {
  it('splits tabs and commas, with RFC 4180 quotes', () => {
    expect(splitDelimitedLine('a\tb\t', '\t')).toEqual(['a', 'b', '']);
    expect(splitDelimitedLine('x,"a, b","say ""hi""",', ',')).toEqual([
      'x',
      'a, b',
      'say "hi"',
      '',
    ]);
    expect(splitDelimitedLine('"a\tb"\tc', '\t')).toEqual(['a\tb', 'c']);
    expect(splitDelimitedLine('a"b,c', ',')).toEqual(['a"b', 'c']);
  });

  it('rejects an unclosed quote and junk after a closing quote', () => {
    expect(() => splitDelimitedLine('a,"b', ',')).toThrow(/not closed/);
    expect(() => splitDelimitedLine('"b"x,c', ',')).toThrow(/after the closing quote/);
  });
});

describe('loadHeaderLabelledFasta (>ID|LABEL)', () => {
  it('reads ids up to the last |, labels after it, and counts every label of the task', async () => {
    const path = await file(
      'train.fa',
      fasta('sp|P62593|BLAT_ECOLX|A TEM-1 beta-lactamase', 'ncbi_2|b', 'ncbi_3|NBL', 'x|nbl'),
    );
    const data = await loadHeaderLabelledFasta(path, { task: 'multiclass' });
    expect(data.examples.map((e) => [e.record.id, e.label])).toEqual([
      ['sp|P62593|BLAT_ECOLX', 'A'],
      ['ncbi_2', 'B'],
      ['ncbi_3', 'NBL'],
      ['x', 'NBL'],
    ]);
    expect(data.examples[0]?.record.description).toBe('TEM-1 beta-lactamase');
    expect(data.examples[0]?.record.sequence).toBe(SEQ);
    expect(data.counts).toEqual({ A: 1, B: 1, C: 0, D: 0, NBL: 2 });
    expect(data.warnings).toEqual([]);
  });

  it('binary task: maps classes and accepts binary labels (gzip input)', async () => {
    const path = await file(
      'train.fa.gz',
      gzipSync(fasta('p1|A', 'p2|Betalactamase', 'n1|Non-Betalactamase', 'n2|NBL')),
    );
    const data = await loadHeaderLabelledFasta(path, { task: 'binary' });
    expect(data.examples.map((e) => e.label)).toEqual([
      'Betalactamase',
      'Betalactamase',
      'Non-Betalactamase',
      'Non-Betalactamase',
    ]);
    expect(data.counts).toEqual({ Betalactamase: 2, 'Non-Betalactamase': 2 });
  });

  it('a header without | names the line and both fixes', async () => {
    const path = await file('train.fa', `\n${fasta('ok|A')}>plain_id some description\n${SEQ}\n`);
    const error = await caught(loadHeaderLabelledFasta(path, { task: 'multiclass' }));
    expect(error.code).toBe('BAD_INPUT');
    expect(error.reason).toBe('dataset.bad-header');
    expect(error.location).toMatchObject({ source: path, line: 4, recordId: 'plain_id' });
    expect(error.hint).toContain("'>ID|LABEL'");
    expect(error.hint).toContain('labels table');
  });

  it('a | after a space says to remove the space; an empty label is a bad header', async () => {
    const spaced = await file('spaced.fa', fasta('p1 |A'));
    const e1 = await caught(loadHeaderLabelledFasta(spaced, { task: 'multiclass' }));
    expect(e1.reason).toBe('dataset.bad-header');
    expect(e1.hint).toContain('remove the space');
    const empty = await file('empty.fa', fasta('p1|'));
    const e2 = await caught(loadHeaderLabelledFasta(empty, { task: 'multiclass' }));
    expect(e2.reason).toBe('dataset.bad-header');
    expect(e2.message).toContain('empty label');
  });

  it('an unknown label names the file, line, label and the accepted list', async () => {
    const path = await file('train.fa', fasta('p1|A', 'p2|E'));
    const error = await caught(loadHeaderLabelledFasta(path, { task: 'multiclass' }));
    expect(error.reason).toBe('dataset.unknown-label');
    expect(error.location).toMatchObject({ source: path, line: 3, recordId: 'p2|E' });
    expect(error.message).toContain("'E'");
    expect(error.message).toContain('A, B, C, D, NBL');
    expect(error.oneLine()).toContain(`${path}, line 3`);
  });

  it('a binary label in the multiclass task explains that it names no class', async () => {
    const path = await file('train.fa', fasta('p1|Betalactamase'));
    const error = await caught(loadHeaderLabelledFasta(path, { task: 'multiclass' }));
    expect(error.reason).toBe('dataset.unknown-label');
    expect(error.hint).toContain('binary task');
  });

  it('two records with one id and different labels are a duplicate, naming both lines', async () => {
    const path = await file('train.fa', fasta('p1|A', 'p2|B', 'p1|C'));
    const error = await caught(loadHeaderLabelledFasta(path, { task: 'multiclass' }));
    expect(error.reason).toBe('dataset.duplicate-id');
    expect(error.message).toContain('line 1 and line 5');
  });

  it('passes FASTA limits and the signal through to the reader', async () => {
    const path = await file('train.fa', fasta('p1|A', 'p2|B', 'p3|C'));
    const limit = await caught(
      loadHeaderLabelledFasta(path, { task: 'multiclass', limits: { maxRecords: 2 } }),
    );
    expect(limit.code).toBe('LIMIT');
    expect(limit.reason).toBe('fasta.too-many-records');
    const controller = new AbortController();
    controller.abort();
    const cancelled = await caught(
      loadLabelledFasta(path, { task: 'multiclass', signal: controller.signal }),
    );
    expect(cancelled.code).toBe('CANCELLED');
  });
});

describe('loadFastaWithLabelsTable (FASTA + TSV/CSV)', () => {
  it('labels plain ids from a TSV, ignoring and counting unused rows', async () => {
    const fa = await file('train.fa', fasta('p1 desc', 'sp|P2|X', 'n1'));
    const tsv = await file(
      'labels.tsv',
      'id\tlabel\tnote\np1\ta\tx\nsp|P2|X\tclass_C\t\nn1\tnon-betalactamase\t\nextra1\tB\t\nextra2\tE\t\n',
    );
    const data = await loadFastaWithLabelsTable(fa, tsv, { task: 'multiclass' });
    expect(data.examples.map((e) => [e.record.id, e.label])).toEqual([
      ['p1', 'A'],
      ['sp|P2|X', 'C'],
      ['n1', 'NBL'],
    ]);
    expect(data.counts).toEqual({ A: 1, B: 0, C: 1, D: 0, NBL: 1 });
    // Unused rows are not validated (extra2's 'E'), only counted.
    expect(data.warnings).toHaveLength(1);
    expect(data.warnings[0]).toContain('2 of 5 labelled ids are not in');
    expect(data.warnings[0]).toContain("'extra1', 'extra2'");
  });

  it('reads a CSV with quotes, CRLF, a BOM and custom columns (gzip)', async () => {
    const fa = await file('train.fa', fasta('p1', 'p2'));
    const csv = await file(
      'labels.csv.gz',
      gzipSync(
        '\uFEFFProtein,"Description, long",Class\r\np1,"a ""quoted"", text",B\r\np2,,nbl\r\n',
      ),
    );
    const data = await loadLabelledFasta(fa, {
      task: 'binary',
      labelsPath: csv,
      idColumn: 'protein',
      labelColumn: 'Class',
    });
    expect(data.examples.map((e) => e.label)).toEqual(['Betalactamase', 'Non-Betalactamase']);
    expect(data.warnings).toEqual([]);
  });

  it('every FASTA id needs a label: the error lists the first few and the count', async () => {
    const fa = await file('train.fa', fasta('p1', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6'));
    const tsv = await file('labels.tsv', 'id\tlabel\np1\tA\n');
    const error = await caught(loadFastaWithLabelsTable(fa, tsv, { task: 'multiclass' }));
    expect(error.reason).toBe('dataset.missing-label');
    expect(error.message).toContain('6 of 7 FASTA records have no row');
    expect(error.message).toContain("'m1', 'm2', 'm3', 'm4', 'm5' and 1 more");
    expect(error.hint).toContain(tsv);
  });

  it('a duplicate id in the table names both lines', async () => {
    const fa = await file('train.fa', fasta('p1'));
    const tsv = await file('labels.tsv', 'id\tlabel\np1\tA\np2\tB\np1\tA\n');
    const error = await caught(loadFastaWithLabelsTable(fa, tsv, { task: 'multiclass' }));
    expect(error.reason).toBe('dataset.duplicate-label');
    expect(error.message).toContain('lines 2 and 4');
    expect(error.location).toMatchObject({ source: tsv, line: 4 });
  });

  it('an unknown label names the table, its line, the label and the accepted list', async () => {
    const fa = await file('train.fa', fasta('p1', 'p2'));
    const tsv = await file('labels.tsv', 'id\tlabel\np1\tA\np2\tclass E\n');
    const error = await caught(loadFastaWithLabelsTable(fa, tsv, { task: 'multiclass' }));
    expect(error.reason).toBe('dataset.unknown-label');
    expect(error.location).toMatchObject({ source: tsv, line: 3, recordId: 'p2' });
    expect(error.message).toContain("'class E'");
    expect(error.hint).toContain("'label' value on this line");
    expect(error.message).toContain('A, B, C, D, NBL');
  });

  it('table problems are dataset.bad-tsv errors with the line and the fix', async () => {
    const fa = await file('train.fa', fasta('p1'));
    const cases: [string, string, RegExp][] = [
      ['id\tclass\np1\tA\n', 'line 1', /no column 'label'; its columns are 'id', 'class'/],
      ['id\tlabel\np1\tA\textra\n', 'line 2', /3 tab-separated fields.*has 2/],
      ['id,label\n"p1,A\n', 'line 2', /not closed/],
      ['id\tlabel\n\tA\n', 'line 2', /empty 'id'/],
      ['idlabel\np1\n', 'line 1', /no tab or comma/],
      [fasta('p1|A'), 'line 1', /starts with a FASTA header/],
      ['\n\n', '', /empty/],
    ];
    for (const [content, where, message] of cases) {
      const tsv = await file('labels.tsv', content);
      const error = await caught(loadFastaWithLabelsTable(fa, tsv, { task: 'multiclass' }));
      expect(error.reason).toBe('dataset.bad-tsv');
      expect(error.message).toMatch(message);
      expect(error.oneLine()).toContain(where === '' ? tsv : `${tsv}, ${where}`);
    }
  });

  it('a cancelled signal stops before the table is read', async () => {
    const fa = await file('train.fa', fasta('p1'));
    const tsv = await file('labels.tsv', 'id\tlabel\np1\tA\n');
    const controller = new AbortController();
    controller.abort();
    const error = await caught(
      loadFastaWithLabelsTable(fa, tsv, { task: 'multiclass', signal: controller.signal }),
    );
    expect(error.code).toBe('CANCELLED');
  });

  it('a missing table is input.not-found', async () => {
    const fa = await file('train.fa', fasta('p1'));
    const error = await caught(
      loadFastaWithLabelsTable(fa, join(dir(), 'nope.tsv'), { task: 'multiclass' }),
    );
    expect(error.reason).toBe('input.not-found');
  });

  it('matches >ID|LABEL ids to the table after dropping the suffix, and rejects conflicts', async () => {
    const fa = await file('train.fa', fasta('p1|A', 'p2|NBL'));
    const ok = await file('ok.tsv', 'id\tlabel\np1\tA\np2\tNBL\n');
    const data = await loadFastaWithLabelsTable(fa, ok, { task: 'multiclass' });
    expect(data.examples.map((e) => e.record.id)).toEqual(['p1', 'p2']);
    expect(data.warnings.join('\n')).toContain(
      "2 FASTA ids matched the labels table only after dropping their '|LABEL' suffix",
    );
    const bad = await file('bad.tsv', 'id\tlabel\np1\tA\np2\tD\n');
    const error = await caught(loadFastaWithLabelsTable(fa, bad, { task: 'multiclass' }));
    expect(error.reason).toBe('dataset.conflicting-label');
    expect(error.location).toMatchObject({ source: bad, line: 3 });
  });

  it('reads the table on its own', async () => {
    const tsv = await file('labels.tsv', 'id\tlabel\np1\tA\n\np2\tNBL\n');
    const rows = await readLabelsTable(tsv);
    expect([...rows]).toEqual([
      ['p1', { label: 'A', line: 2 }],
      ['p2', { label: 'NBL', line: 4 }],
    ]);
  });
});

describe('the shipped dataset (data/default)', () => {
  const MULTICLASS = { A: 404, B: 228, C: 455, D: 533, NBL: 2894 };
  const BINARY = { Betalactamase: 1620, 'Non-Betalactamase': 2894 };

  it('loads default.fasta.gz from its >ID|LABEL headers with the README counts', async () => {
    const data = await loadLabelledFasta(SHIPPED_FASTA, { task: 'multiclass' });
    expect(data.examples).toHaveLength(4514);
    expect(data.counts).toEqual(MULTICLASS);
    expect(data.examples[0]?.record.id).toBe('ncbi_WP_063842277.1');
    expect(data.examples[0]?.label).toBe('A');
    expect(data.warnings).toEqual([]);
    const binary = await loadLabelledFasta(SHIPPED_FASTA, { task: 'binary' });
    expect(binary.counts).toEqual(BINARY);
  });

  it('loads the same examples through labels.tsv (label and binary columns)', async () => {
    const fromHeaders = await loadLabelledFasta(SHIPPED_FASTA, { task: 'multiclass' });
    const fromTable = await loadLabelledFasta(SHIPPED_FASTA, {
      task: 'multiclass',
      labelsPath: SHIPPED_LABELS,
    });
    expect(fromTable.counts).toEqual(MULTICLASS);
    expect(fromTable.examples.map((e) => [e.record.id, e.label])).toEqual(
      fromHeaders.examples.map((e) => [e.record.id, e.label]),
    );
    // Only the informational suffix warning: every table id is used.
    expect(fromTable.warnings).toHaveLength(1);
    const binary = await loadLabelledFasta(SHIPPED_FASTA, {
      task: 'binary',
      labelsPath: SHIPPED_LABELS,
      labelColumn: 'binary',
    });
    expect(binary.counts).toEqual(BINARY);
  });
});
