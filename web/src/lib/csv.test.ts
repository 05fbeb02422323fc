import { describe, expect, it } from 'vitest';

import { parseCsv, parseTsv } from './csv.ts';

describe('parseCsv', () => {
  it('reads plain, quoted, escaped and multi-line fields (RFC 4180)', () => {
    const text = 'a,b,c\r\n"x,1","say ""hi""","two\nlines"\n,,\n';
    expect(parseCsv(text)).toEqual([
      ['a', 'b', 'c'],
      ['x,1', 'say "hi"', 'two\nlines'],
      ['', '', ''],
    ]);
  });

  it('keeps a last record without a newline and adds none for a trailing newline', () => {
    expect(parseCsv('a,b\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(parseCsv('a\n')).toEqual([['a']]);
    expect(parseCsv('')).toEqual([]);
  });
});

describe('parseTsv', () => {
  it('splits lines and tabs without quoting', () => {
    expect(parseTsv('a\tb\n"q"\t2\n')).toEqual([
      ['a', 'b'],
      ['"q"', '2'],
    ]);
  });
});
