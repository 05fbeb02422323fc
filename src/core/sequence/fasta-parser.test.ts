import { describe, expect, it } from 'vitest';

import { ArginatorError } from '../errors.ts';
import { createRng } from '../rng.ts';
import { isSanitisedSequence } from './alphabet.ts';
import {
  DEFAULT_FASTA_LIMITS,
  IdHashSet,
  parseFasta,
  parseFastaText,
  resolveFastaLimits,
} from './fasta-parser.ts';
import type { FastaParseOptions } from './fasta-parser.ts';
import type { ProteinRecord } from './protein-record.ts';

const encoder = new TextEncoder();

/** Yields each item after a microtask, like a real byte source would. */
async function* asAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const item of items) {
    yield await Promise.resolve(item);
  }
}

function* split(bytes: Uint8Array, sizes: () => number): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length;) {
    const size = Math.max(1, sizes());
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

const chunked = (bytes: Uint8Array, sizes: () => number): AsyncGenerator<Uint8Array> =>
  asAsync(split(bytes, sizes));

async function collect(
  bytes: Uint8Array,
  options: FastaParseOptions = {},
  sizes: () => number = () => 1 << 16,
): Promise<ProteinRecord[]> {
  const records: ProteinRecord[] = [];
  for await (const record of parseFasta(chunked(bytes, sizes), options)) {
    records.push(record);
  }
  return records;
}

/** `error`, checked to be an ArginatorError whose message is one line; other errors are rethrown. */
function oneLineError(error: unknown): ArginatorError {
  if (error instanceof ArginatorError) {
    expect(error.oneLine()).not.toMatch(/[\r\n]/);
    return error;
  }
  throw error;
}

/** The error parseFastaText throws, checked to be a one-line ArginatorError. */
function errorOf(text: string, options: FastaParseOptions = {}): ArginatorError {
  try {
    parseFastaText(text, options);
  } catch (error) {
    return oneLineError(error);
  }
  throw new Error('expected an error');
}

async function streamErrorOf(
  bytes: Uint8Array,
  options: FastaParseOptions = {},
): Promise<ArginatorError> {
  try {
    await collect(bytes, options);
  } catch (error) {
    return oneLineError(error);
  }
  throw new Error('expected an error');
}

const TEM1 =
  'MSIQHFRVALIPFFAAFCLPVFAHPETLVKVKDAEDQLGARVGYIELDLNSGKILESFRPEERFPMMSTFKVLLCGAVLSRVDAGQEQLGRRIHYSQNDLVEYSPVTEKHLTDGMTVRELCSAAITMSDNTAANLLLTTIGGPKELTAFLHNMGDHVTRLDRWEPELNEAIPNDERDTTMPAAMATTLRKLLTGELLTLASRQQLIDWMEADKVAGPLLRSALPAGWFIADKSGAGERGSRGIIAALGPDGKPSRIVVIYTTGSQATMDERNRQIAEIGASLIKHW';

describe('parseFastaText: what is accepted', () => {
  it('splits the header into an exact id and a trimmed description', () => {
    const records = parseFastaText(
      `>sp|P62593|BLAT_ECOLX  Beta-lactamase TEM \t\n${TEM1}\n>ncbi_WP_1.1|A\n${TEM1.slice(0, 40)}\n`,
    );
    expect(records).toEqual([
      { id: 'sp|P62593|BLAT_ECOLX', description: 'Beta-lactamase TEM', sequence: TEM1 },
      { id: 'ncbi_WP_1.1|A', description: '', sequence: TEM1.slice(0, 40) },
    ]);
  });

  it('sanitises: case, whitespace, CRLF, gaps, one trailing stop, BJOUZ to X', () => {
    const [record] = parseFastaText('>p1\r\n m k v-l.a \t\r\nuzobjx*\r\n');
    expect(record?.sequence).toBe('MKVLAXXXXXX');
    expect(isSanitisedSequence(record?.sequence ?? '')).toBe(true);
  });

  it('accepts a trailing stop on its own line, blank lines, a BOM and no final newline', () => {
    const records = parseFastaText('\uFEFF\n\n>a\nMKV\n*\n\n\n>b\tdesc\twith tabs\nMKL');
    expect(records).toEqual([
      { id: 'a', description: '', sequence: 'MKV' },
      { id: 'b', description: 'desc\twith tabs', sequence: 'MKL' },
    ]);
  });

  it('keeps non-ASCII descriptions: UTF-8 as is, invalid UTF-8 read as Windows-1252', async () => {
    expect(parseFastaText('>p1 β-lactamase “TEM”\nMKV\n')[0]?.description).toBe(
      'β-lactamase “TEM”',
    );
    const cp1252 = Uint8Array.from([
      ...encoder.encode('>p1 b'),
      0xea,
      ...encoder.encode('ta '),
      0x93,
      ...encoder.encode('TEM'),
      0x94,
      ...encoder.encode('\nMKV\n'),
    ]);
    const [record] = await collect(cp1252);
    expect(record?.description).toBe('bêta “TEM”');
  });

  it('does not call short nucleotide-letter peptides DNA', () => {
    expect(parseFastaText('>pep\nGATCAGATCAGATCAGATC\n')[0]?.sequence).toHaveLength(19);
  });

  it('allows duplicate ids when asked', () => {
    const text = '>a\nMKV\n>a\nMKL\n';
    expect(parseFastaText(text, { duplicateIds: 'allow' })).toHaveLength(2);
  });

  it('parses a 40,000 aa sequence and 20,000 records', async () => {
    const long = TEM1.repeat(150).slice(0, 40_000);
    const wrapped = long.replace(/(.{60})/g, '$1\n');
    expect(parseFastaText(`>titin_like\n${wrapped}\n`)[0]?.sequence).toBe(long);

    const parts: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      parts.push(`>seq_${i} generated\n${TEM1.slice(i % 50, 100 + (i % 50))}\n`);
    }
    const records = await collect(encoder.encode(parts.join('')));
    expect(records).toHaveLength(20_000);
    expect(records[19_999]).toEqual({
      id: 'seq_19999',
      description: 'generated',
      sequence: TEM1.slice(49, 149),
    });
  });
});

describe('parseFasta: chunk boundaries never change the result', () => {
  const tricky =
    '\uFEFF\r\n>sp|P1|A desc one\r\nmkv-lla\r\nGIV*\r\n\r\n>p2\tβ tab\nMK\nVL\n>p3\n' +
    `${TEM1}\n>p4 last\nMKV*`;

  it('gives the same records for every chunk size 1..17 and for random splits', async () => {
    const bytes = encoder.encode(tricky);
    const expected = parseFastaText(tricky);
    expect(expected.map((r) => r.id)).toEqual(['sp|P1|A', 'p2', 'p3', 'p4']);
    for (let size = 1; size <= 17; size++) {
      expect(await collect(bytes, {}, () => size)).toEqual(expected);
    }
    const rng = createRng(5);
    for (let round = 0; round < 20; round++) {
      expect(await collect(bytes, {}, () => 1 + Math.floor(rng() * 40))).toEqual(expected);
    }
  });

  it('reports the same error location for every chunk size', async () => {
    const bytes = encoder.encode('>a\nMKV\n>b x\nMKVLL\nAA#A\n');
    for (let size = 1; size <= 9; size++) {
      let caught: unknown;
      try {
        await collect(bytes, {}, () => size);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ArginatorError);
      expect((caught as ArginatorError).location).toMatchObject({
        line: 5,
        recordId: 'b',
        position: 3,
      });
    }
  });
});

describe('parseFasta: errors name the place and the fix', () => {
  it('matches the documented message shape', () => {
    const error = errorOf(`>sp|P1\n${'A'.repeat(10)}${'MKV'.repeat(10)}#\n`, { source: 'in.fa' });
    expect(error.reason).toBe('fasta.invalid-residue');
    expect(error.code).toBe('BAD_INPUT');
    expect(error.oneLine()).toBe(
      "in.fa, line 2, record 'sp|P1', position 41: character '#' is not an amino acid. Fix: remove it or replace it with X",
    );
  });

  it.each([
    ['', 'fasta.empty-input', 'empty'],
    [' \n\t\r\n', 'fasta.empty-input', 'blank lines'],
    ['MKVLLA\n', 'fasta.no-header', "found 'M'"],
    ['  >p1\nMKV\n', 'fasta.no-header', 'spaces before'],
    ['>\nMKV\n', 'fasta.empty-id', "header '>'"],
    ['> desc only\nMKV\n', 'fasta.empty-id', 'desc only'],
    ['>a\n>b\nMKV\n', 'fasta.empty-record', "record 'a'"],
    ['>a\nMKV\n>b\n', 'fasta.empty-record', 'remove the header at line 3'],
    ['>a\n--*\n', 'fasta.empty-record', "record 'a'"],
    ['>a\nMK1V\n', 'fasta.invalid-residue', 'GenBank'],
    ['>a\nMK*V\n', 'fasta.invalid-residue', "stop '*'"],
    ['>a\nMKV**\n', 'fasta.invalid-residue', 'position 4'],
    ['>a\nMKV>b\n', 'fasta.invalid-residue', "'>' inside"],
    ['>a\nMKé\n', 'fasta.invalid-residue', 'non-ASCII byte 0xC3'],
    ['>a\nMK\u0000V\n', 'fasta.binary', 'byte 0x00'],
    ['>a\u0007b\nMKV\n', 'fasta.binary', 'byte 0x07'],
    [`>dna\n${'ACGTTGCAAN'.repeat(3)}\n`, 'fasta.nucleotide', "record 'dna'"],
    [`>rna\n${'ACGUUGCAAU'.repeat(3)}\n`, 'fasta.nucleotide', 'translate'],
  ])('%j → %s', (text, reason, fragment) => {
    const error = errorOf(text);
    expect(error.reason).toBe(reason);
    expect(error.oneLine()).toContain(fragment);
    expect(error.hint).not.toBe('');
  });

  it('names both lines of a duplicate id', () => {
    const error = errorOf('>x\nMKV\n>y\nMKV\n\n>x again\nMKV\n');
    expect(error.reason).toBe('fasta.duplicate-id');
    expect(error.location).toMatchObject({ line: 6, recordId: 'x' });
    expect(error.oneLine()).toContain('line 1');
    expect(error.oneLine()).toContain('lines 1 and 6');
  });

  it('recognises binary formats before complaining about a missing header', async () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    expect((await streamErrorOf(png)).oneLine()).toContain('PNG');
    const gz = Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);
    expect((await streamErrorOf(gz)).oneLine()).toContain('gzip');
    const junk = Uint8Array.from([...encoder.encode('xyz'), 0, 1, 2]);
    expect((await streamErrorOf(junk)).reason).toBe('fasta.binary');
    const utf16 = Uint8Array.from([0x3e, 0, 0x61, 0, 0x0a, 0]);
    expect((await streamErrorOf(utf16)).reason).toBe('fasta.encoding');
  });

  it('truncates pathological ids in messages but keeps them single-line', () => {
    const id = 'x'.repeat(500);
    const error = errorOf(`>${id}\nMK#\n`);
    expect(error.oneLine().length).toBeLessThan(400);
  });
});

describe('limits', () => {
  it('has finite documented defaults', () => {
    expect(DEFAULT_FASTA_LIMITS).toEqual({
      maxRecords: 50_000_000,
      maxSequenceLength: 100_000,
      maxTotalResidues: 10_000_000_000,
      maxHeaderLength: 10_000,
      maxDecompressedBytes: 20 * 1024 ** 3,
    });
    expect(resolveFastaLimits({ maxRecords: 3 }).maxSequenceLength).toBe(100_000);
  });

  it('rejects nonsense limits as a config error', () => {
    expect(() => resolveFastaLimits({ maxRecords: 0 })).toThrow(/maxRecords/);
    expect(() => resolveFastaLimits({ maxHeaderLength: Number.NaN })).toThrow(ArginatorError);
    expect(() => resolveFastaLimits({ maxSequenceLength: 2.5 })).toThrow(/whole number/);
    expect(() => resolveFastaLimits({ maxRecords: Infinity })).toThrow(/whole number/);
  });

  it.each([
    [{ maxSequenceLength: 5 }, '>a\nMKVLA\n>b\nMKV\nLAG\n', 'fasta.too-long', 'line 5'],
    [{ maxRecords: 1 }, '>a\nMKV\n>b\nMKV\n', 'fasta.too-many-records', 'line 3'],
    [{ maxTotalResidues: 5 }, '>a\nMKV\n>b\nMKV\n', 'fasta.too-many-residues', "record 'b'"],
    [{ maxHeaderLength: 5 }, '>abcdef\nMKV\n', 'fasta.header-too-long', 'line 1'],
    [{ maxDecompressedBytes: 8 }, '>a\nMKVLLAG\n', 'input.too-large', '8 bytes'],
  ])('%j', (limits, text, reason, fragment) => {
    const error = errorOf(text, { limits });
    expect(error.code).toBe('LIMIT');
    expect(error.reason).toBe(reason);
    expect(error.oneLine()).toContain(fragment);
  });

  it('accepts a sequence exactly at the limit and a CRLF header exactly at the limit', () => {
    expect(parseFastaText('>a\nMKVLA\n', { limits: { maxSequenceLength: 5 } })).toHaveLength(1);
    expect(parseFastaText('>abcde\r\nMKV\r\n', { limits: { maxHeaderLength: 5 } })).toHaveLength(1);
  });

  it('reports a too-long DNA record as nucleotide, the real problem', () => {
    const error = errorOf(`>chr1\n${'ACGT'.repeat(30)}\n`, { limits: { maxSequenceLength: 50 } });
    expect(error.reason).toBe('fasta.nucleotide');
  });
});

describe('cancellation', () => {
  it('stops with CANCELLED when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(() => parseFastaText('>a\nMKV\n', { signal: controller.signal })).toThrow(/cancelled/);
    const late = new AbortController();
    const seen: string[] = [];
    async function* chunks(): AsyncGenerator<Uint8Array> {
      yield await Promise.resolve(encoder.encode('>a\nMKV\n>b\nMKV\n'.padEnd(2048, '\n')));
      late.abort();
      yield encoder.encode('>c\nMKV\n');
    }
    await expect(async () => {
      for await (const record of parseFasta(chunks(), { signal: late.signal })) {
        seen.push(record.id);
      }
    }).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(seen).toEqual(['a']);
  });
});

describe('IdHashSet', () => {
  it('stays small and exact for 300,000 ids', () => {
    const set = new IdHashSet();
    let collisions = 0;
    for (let i = 0; i < 300_000; i++) {
      const id = encoder.encode(`WP_${i}.1`);
      collisions += set.addOrFind(id, id.length, i + 1) === 0 ? 0 : 1;
    }
    expect(collisions).toBe(0);
    expect(set.size).toBe(300_000);
    // 12 bytes per slot, at most 4/3 slots per id after doubling.
    expect(set.byteLength).toBeLessThan(300_000 * 12 * 3);
    const again = encoder.encode('WP_123456.1');
    expect(set.addOrFind(again, again.length, 999_999)).toBe(123_457);
    // Only the first `end` bytes are the id.
    const withDescription = encoder.encode('WP_7.1 extra');
    expect(set.addOrFind(withDescription, 6, 5)).toBe(8);
  });
});

describe('throughput', () => {
  it('parses tens of MB per second (reported, not asserted)', async ({ annotate }) => {
    // ~300 aa proteins with short headers, like a bacterial proteome, in 1 MiB chunks.
    const protein = TEM1.slice(0, 240).replace(/(.{60})/g, '$1\n');
    const text = Array.from({ length: 4000 }, (_, i) => `>wp_${i} bench\n${protein}`).join('');
    const block = encoder.encode(text);
    const stream = (rounds: number): AsyncGenerator<Uint8Array> =>
      asAsync(Array.from({ length: rounds }, () => block));
    async function run(rounds: number): Promise<number> {
      let residues = 0;
      // Rounds repeat the same ids, so duplicates are allowed here.
      for await (const record of parseFasta(stream(rounds), { duplicateIds: 'allow' })) {
        residues += record.sequence.length;
      }
      return residues;
    }
    await run(4); // warm up the JIT
    const rounds = 48;
    const started = performance.now();
    expect(await run(rounds)).toBe(rounds * 4000 * 240);
    const seconds = (performance.now() - started) / 1000;
    const megabytes = (rounds * block.length) / 1e6;
    await annotate(
      `parseFasta: ${megabytes.toFixed(0)} MB in ${seconds.toFixed(2)} s = ${(megabytes / seconds).toFixed(0)} MB/s`,
    );
  });
});
