// probeInput: the up-front check of an input file (kind by content, first record's errors, pipes left unread).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { isArginatorError } from '../core/errors.ts';
import { randomFasta } from '../core/sequence/test-support/random-fasta.ts';
import { readFastaFile } from './fasta-source.ts';
import { writeEmbeddings } from './h5wasm-embedding-store.ts';
import { probeInput } from './input-probe.ts';

const FASTA = '>p1 first\nMKVLAAGIVGLLLAQ\n>p2\nMSTNPKPQRKTKRNTNRRPQDVKFPGG\n';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arginator-probe-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    if (isArginatorError(e)) {
      return `${e.code} ${e.reason}`;
    }
    throw e;
  }
  throw new Error('expected the probe to reject');
}

describe('probeInput', () => {
  it('tells FASTA (plain or gzip, any name) from HDF5 (by signature, any name)', async () => {
    await writeFile(join(dir, 'plain.faa'), FASTA);
    await writeFile(join(dir, 'packed.dat'), gzipSync(FASTA));
    await writeEmbeddings(join(dir, 'vectors.bin'), [
      { id: 'p1', vector: Float32Array.from([1, 2, 3]) },
    ]);
    expect(await probeInput(join(dir, 'plain.faa'), { hdf5: true })).toBe('fasta');
    expect(await probeInput(join(dir, 'packed.dat'), { hdf5: true })).toBe('fasta');
    expect(await probeInput(join(dir, 'vectors.bin'), { hdf5: true })).toBe('hdf5');
    // Where only FASTA is accepted, HDF5 gets the FASTA reader's "this is HDF5" error.
    expect(await reason(probeInput(join(dir, 'vectors.bin')))).toBe('BAD_INPUT fasta.binary');
  });

  it("raises the readers' errors on the first record: missing, folder, empty, PNG, DNA, limits", async () => {
    await writeFile(join(dir, 'empty.fa'), '');
    await writeFile(join(dir, 'image.fa'), Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]));
    await writeFile(join(dir, 'dna.fa'), `>c1\n${'ACGT'.repeat(30)}\n`);
    await writeFile(join(dir, 'truncated.gz'), gzipSync(FASTA).subarray(0, 20));
    expect(await reason(probeInput(join(dir, 'nope.fa')))).toBe('BAD_INPUT input.not-found');
    expect(await reason(probeInput(dir))).toBe('BAD_INPUT input.is-directory');
    expect(await reason(probeInput(join(dir, 'empty.fa')))).toBe('BAD_INPUT fasta.empty-input');
    expect(await reason(probeInput(join(dir, 'image.fa')))).toBe('BAD_INPUT fasta.binary');
    expect(await reason(probeInput(join(dir, 'dna.fa')))).toBe('BAD_INPUT fasta.nucleotide');
    expect(await reason(probeInput(join(dir, 'truncated.gz')))).toMatch(/^BAD_INPUT gzip\./);
    expect(
      await reason(probeInput(join(dir, 'plain.faa'), { limits: { maxSequenceLength: 5 } })),
    ).toMatch(/^LIMIT fasta\.too-long/);
    expect(await reason(probeInput(join(dir, 'missing.h5'), { hdf5: true }))).toBe(
      'BAD_INPUT hdf5.not-found',
    );
  });

  it('reads only the start: an error past the first chunk is left for the real read', async () => {
    // 40 proteins (about 6 KB), then DNA: with 2 KiB chunks the parser has not reached it when
    // the first record comes out. The full read refuses it.
    await writeFile(join(dir, 'late.fa'), `${randomFasta(40)}>c41\n${'ACGT'.repeat(30)}\n`);
    expect(await probeInput(join(dir, 'late.fa'), { chunkSize: 2048 })).toBe('fasta');
    const all = async (): Promise<number> => {
      const ids: string[] = [];
      for await (const record of readFastaFile(join(dir, 'late.fa'))) {
        ids.push(record.id);
      }
      return ids.length;
    };
    expect(await reason(all())).toBe('BAD_INPUT fasta.nucleotide');
  });

  it('leaves a named pipe unread, so the real read still gets every record', async () => {
    const fifo = join(dir, 'pipe.fa');
    if (spawnSync('mkfifo', [fifo]).status !== 0) {
      expect(process.platform).toBe('win32'); // mkfifo exists wherever the tests run on POSIX
      return;
    }
    expect(await probeInput(fifo)).toBe('fasta');
    const writer = spawn('sh', ['-c', `printf '${FASTA.replace(/\n/g, '\\n')}' > "$0"`, fifo]);
    const written = new Promise((resolve) => writer.on('close', resolve));
    const ids: string[] = [];
    for await (const record of readFastaFile(fifo)) {
      ids.push(record.id);
    }
    await written;
    expect(ids).toEqual(['p1', 'p2']);
  });
});
