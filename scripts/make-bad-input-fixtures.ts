// Writes the binary, gzip and byte-exact cases of fixtures/bad-input/ deterministically.
// Run: npx tsx scripts/make-bad-input-fixtures.ts   (text cases are hand-written files)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { createRng } from '../src/core/rng.ts';

const OUT_DIR = join(import.meta.dirname, '..', 'fixtures', 'bad-input');
const AMINO_ACIDS = 'ACDEFGHIKLMNPQRSTVWY';

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');

/** A deterministic protein of `length` residues, wrapped at 60 columns like most FASTA writers. */
function protein(length: number, seed: number): string {
  const rng = createRng(seed);
  const lines: string[] = [];
  let line = '';
  for (let i = 0; i < length; i++) {
    line += AMINO_ACIDS[Math.floor(rng() * AMINO_ACIDS.length)] ?? 'A';
    if (line.length === 60) {
      lines.push(line);
      line = '';
    }
  }
  if (line !== '') {
    lines.push(line);
  }
  return lines.join('\n');
}

/** gzip level and OS byte fixed by node's zlib, mtime 0: the same bytes on every run. */
const gzip = (bytes: Buffer): Buffer => gzipSync(bytes, { level: 9 });

function buildFixtures(): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const twoRecords = `>sp|P62593|BLAT_ECOLX Beta-lactamase TEM\n${protein(286, 1)}\n>ncbi_WP_1.1|A class A\n${protein(120, 2)}\n`;

  // Binary inputs.
  files.set(
    'png-header.fa',
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from([0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x10]),
    ]),
  );
  files.set('nul-bytes.fa', ascii('>p1 has NULs\nMKVLA\u0000\u0000\u0000GIVL\n'));
  files.set('control-in-header.fa', ascii('>p1 \u001b[31mred\u001b[0m\nMKVLAGIVLL\n'));
  files.set(
    'utf16.fa',
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('>p1\nMKVLAGIVLL\n', 'utf16le')]),
  );
  files.set(
    'bzip2.fa',
    Buffer.concat([ascii('BZh91AY&SY'), Buffer.from([0x4e, 0xec, 0xe8, 0x36])]),
  );
  files.set('nbsp-in-sequence.fa', ascii('>p1\nMKVLA\u00a0GIVLL\n'));

  // Byte-exact valid inputs that editors and git like to "fix".
  files.set('crlf.fa', ascii(twoRecords.replace(/\n/g, '\r\n')));
  files.set('bom.fa', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), ascii(twoRecords)]));
  files.set(
    'windows-1252-description.fa',
    ascii('>p1 b\u00eata-lactamase \u0093TEM\u0094 from S\u00e3o Paulo\nMKVLAGIVLL\n'),
  );
  files.set('long-sequence.fa', ascii(`>titin_like 40000 aa\n${protein(40_000, 3)}\n`));

  // gzip, detected by content, never by extension.
  files.set('gzipped-without-extension.fa', gzip(ascii(twoRecords)));
  files.set('plain-with-gz-extension.fa.gz', ascii(twoRecords));
  files.set(
    'multi-member.fa.gz',
    Buffer.concat([
      gzip(ascii(`>m1\n${protein(50, 4)}\n`)),
      gzip(ascii(`>m2\n${protein(50, 5)}\n`)),
    ]),
  );
  const aLines = ascii(`${'A'.repeat(79)}\n`.repeat((50 * 1024 * 1024) / 80));
  files.set('gzip-bomb.fa.gz', gzip(Buffer.concat([ascii('>bomb\n'), aLines])));
  const whole = gzip(ascii(twoRecords));
  files.set('truncated.fa.gz', whole.subarray(0, Math.floor(whole.length / 2)));
  files.set('truncated-header.fa.gz', Buffer.from([0x1f, 0x8b, 0x08]));
  const rng = createRng(7);
  const garbage = Buffer.from(Array.from({ length: 512 }, () => Math.floor(rng() * 256)));
  files.set('gzip-corrupt.fa.gz', Buffer.concat([Buffer.from([0x1f, 0x8b]), garbage]));
  files.set('gzip-of-binary.fa.gz', gzip(garbage));
  files.set('gzip-trailing-garbage.fa.gz', Buffer.concat([whole, ascii('not gzip at all\n')]));
  return files;
}

for (const [name, bytes] of buildFixtures()) {
  writeFileSync(join(OUT_DIR, name), bytes);
}
