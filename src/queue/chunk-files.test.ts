// Chunk files of a job: the split cuts the input byte for byte at record starts; the merge moves the chunks' map inputs into one folder, all or none, also when run again.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { FsJobFiles } from '../store/fs-job-files.ts';
import { ChunkFiles } from './chunk-files.ts';

const JOB = '0b7e6f4c-5d1a-4f3e-9a2b-1c2d3e4f5a6b';

let root: string;
let chunks: ChunkFiles;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'chunk-files-'));
  const files = new FsJobFiles(root);
  await files.create(JOB);
  chunks = new ChunkFiles(files);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** `n` records `>p<i>…\nSEQ\n`; some ids hold a '>' (not a record start: it is inside a line). */
function fasta(n: number, seqLength: number): string {
  return Array.from({ length: n }, (_, i) => {
    const id = i % 7 === 3 ? `p${i}>x` : `p${i}`;
    return `>${id}\n${'MKT'.repeat(seqLength).slice(0, seqLength + (i % 5))}\n`;
  }).join('');
}

async function chunkTexts(count: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, (_, k) => readFile(chunks.input(JOB, k), 'utf8')),
  );
}

describe('ChunkFiles.split', () => {
  it('cuts records into chunks of chunkSize that join to the input, across read blocks', async () => {
    // ~3.3 MB: records straddle the 1 MiB read blocks.
    const text = fasta(3001, 1100);
    await writeFile(join(root, JOB, 'input.fasta'), text);
    const plan = await chunks.split(JOB, 1000);
    expect(plan.counts).toEqual([1000, 1000, 1000, 1]);
    const parts = await chunkTexts(4);
    expect(parts.join('')).toBe(text);
    for (const part of parts) {
      expect(part.startsWith('>p')).toBe(true);
      expect(part.split('\n').filter((l) => l.startsWith('>')).length).toBe(
        plan.counts[parts.indexOf(part)],
      );
    }
  });

  it('drops bytes before the first record and keeps a last line without newline', async () => {
    await writeFile(join(root, JOB, 'input.fasta'), 'junk > here\n>a\nMK\n>b\nMKT\n>c\nM');
    const plan = await chunks.split(JOB, 2);
    expect(plan.counts).toEqual([2, 1]);
    expect(await chunkTexts(2)).toEqual(['>a\nMK\n>b\nMKT\n', '>c\nM']);
  });

  it('reuses a plan of the same chunk size and splits again for another', async () => {
    await writeFile(join(root, JOB, 'input.fasta'), fasta(5, 10));
    expect((await chunks.split(JOB, 2)).counts).toEqual([2, 2, 1]);
    await writeFile(chunks.input(JOB, 0), 'kept');
    expect((await chunks.split(JOB, 2)).counts).toEqual([2, 2, 1]);
    expect(await readFile(chunks.input(JOB, 0), 'utf8')).toBe('kept');
    expect((await chunks.split(JOB, 3)).counts).toEqual([3, 2]);
    expect(existsSync(chunks.input(JOB, 2))).toBe(false);
  });
});

describe('ChunkFiles.merge', () => {
  const summary = { proteins: 1, counts: { A: 1 }, novelty: { known: 1 } };

  async function writeChunks(n: number, mapInputs: boolean): Promise<void> {
    await mkdir(chunks.dir(JOB), { recursive: true });
    for (let k = 0; k < n; k++) {
      await writeFile(chunks.table(JOB, k, 'csv'), `id,label\np${k},A\n`);
      await writeFile(chunks.table(JOB, k, 'tsv'), `id\tlabel\np${k}\tA\n`);
      await writeFile(chunks.table(JOB, k, 'json'), `[\n{"id":"p${k}"}\n]\n`);
      if (mapInputs) {
        await writeFile(chunks.mapInput(JOB, k), `spill ${k}`);
      }
      await chunks.writeDone(JOB, k, summary);
    }
  }

  it("moves the chunks' map inputs into the parts folder and merges the tables in order", async () => {
    await writeChunks(3, true);
    const parts = join(root, JOB, 'map-input.parts');
    const merged = await chunks.merge(JOB, 3, parts);
    expect(merged).toEqual({ counts: { A: 3 }, novelty: { known: 3 } });
    expect((await readdir(parts)).sort()).toEqual(['0.bin', '1.bin', '2.bin']);
    expect(await readFile(join(parts, '2.bin'), 'utf8')).toBe('spill 2');
    expect(await readFile(join(root, JOB, 'results.csv'), 'utf8')).toBe(
      'id,label\np0,A\np1,A\np2,A\n',
    );
    expect(existsSync(chunks.dir(JOB))).toBe(false);
    expect(existsSync(`${parts}.tmp`)).toBe(false);
  });

  it('finishes a move cut short by a crash (some parts moved already)', async () => {
    await writeChunks(3, true);
    const parts = join(root, JOB, 'map-input.parts');
    await mkdir(`${parts}.tmp`);
    await writeFile(join(`${parts}.tmp`, '1.bin'), 'spill 1');
    await rm(chunks.mapInput(JOB, 1));
    await chunks.merge(JOB, 3, parts);
    expect((await readdir(parts)).sort()).toEqual(['0.bin', '1.bin', '2.bin']);
    expect(await readFile(join(parts, '1.bin'), 'utf8')).toBe('spill 1');
  });

  it('leaves no map input when a chunk has none', async () => {
    await writeChunks(2, true);
    await rm(chunks.mapInput(JOB, 1));
    const parts = join(root, JOB, 'map-input.parts');
    await chunks.merge(JOB, 2, parts);
    expect(existsSync(parts)).toBe(false);
    expect(existsSync(`${parts}.tmp`)).toBe(false);
    expect(existsSync(join(root, JOB, 'results.csv'))).toBe(true);
  });
});
