import { describe, expect, it } from 'vitest';

import { mergeTables, planChunks, sumCounts, tableBody } from './chunks.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const tables = (texts: readonly string[]): Uint8Array[] => texts.map(bytes);
const join = (pieces: Iterable<Uint8Array>): string =>
  [...pieces].map((p) => new TextDecoder().decode(p)).join('');

describe('planChunks', () => {
  it('cuts proteins into consecutive chunks, the last one shorter', () => {
    expect(planChunks(10, 4)).toEqual([
      { index: 0, start: 0, count: 4 },
      { index: 1, start: 4, count: 4 },
      { index: 2, start: 8, count: 2 },
    ]);
    expect(planChunks(4, 4)).toEqual([{ index: 0, start: 0, count: 4 }]);
    expect(planChunks(0, 4)).toEqual([]);
    expect(() => planChunks(3, 0)).toThrow(/positive integer/);
  });
});

describe('mergeTables', () => {
  it('keeps one CSV/TSV header and the chunks in the order given, empty chunks included', () => {
    const chunks = ['id,p\nb,2\n', 'id,p\n', 'id,p\na,1\nc,"x\ny"\n'];
    expect(join(mergeTables('csv', tables(chunks)))).toBe('id,p\nb,2\na,1\nc,"x\ny"\n');
    expect(join(mergeTables('tsv', tables(['id\tp\n', 'id\tp\n'])))).toBe('id\tp\n');
    // Bytes pass through as they are (UTF-8 of more than one byte included).
    expect(join(mergeTables('csv', tables(['id,p\nα,1\n', 'id,p\nβ→,2\n'])))).toBe(
      'id,p\nα,1\nβ→,2\n',
    );
  });

  it('joins JSON rows with ",\\n" as one table writes them', () => {
    const chunks = ['[\n{"id":"b"},\n{"id":"d"}\n]\n', '[\n]\n', '[\n{"id":"a"}\n]\n'];
    const merged = join(mergeTables('json', tables(chunks)));
    expect(merged).toBe('[\n{"id":"b"},\n{"id":"d"},\n{"id":"a"}\n]\n');
    expect(JSON.parse(merged)).toEqual([{ id: 'b' }, { id: 'd' }, { id: 'a' }]);
    expect(join(mergeTables('json', tables(['[\n]\n', '[\n]\n'])))).toBe('[\n]\n');
  });

  it('refuses what is not a table, and nothing at all', () => {
    expect(() => tableBody('json', bytes('{"a":1}'))).toThrow(/JSON prediction table/);
    expect(() => tableBody('json', bytes('[\n'))).toThrow(/JSON prediction table/);
    expect(() => tableBody('csv', bytes('no newline'))).toThrow(/header line/);
    expect(() => join(mergeTables('csv', []))).toThrow(/no chunk tables/);
  });
});

describe('sumCounts', () => {
  it('adds counts per key in first-seen order', () => {
    const sum = sumCounts([
      { A: 1, NBL: 2 },
      { A: 3, B: 1 },
    ]);
    expect(sum).toEqual({ A: 4, NBL: 2, B: 1 });
    expect(Object.keys(sum)).toEqual(['A', 'NBL', 'B']);
  });
});
