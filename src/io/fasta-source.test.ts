import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { ArginatorError } from '../core/errors.ts';
import type { ProteinRecord } from '../core/sequence/protein-record.ts';
import { isGzip, readFastaFile, readFastaStream } from './fasta-source.ts';
import type { FastaReadOptions } from './fasta-source.ts';

const CORPUS = join(import.meta.dirname, '..', '..', 'fixtures', 'bad-input');

const limitsSchema = z
  .object({
    maxRecords: z.number(),
    maxSequenceLength: z.number(),
    maxTotalResidues: z.number(),
    maxHeaderLength: z.number(),
    maxDecompressedBytes: z.number(),
  })
  .partial()
  .strict();

const caseSchema = z
  .object({
    file: z.string().min(1),
    description: z.string().optional(),
    expect: z.enum(['ok', 'error']),
    reason: z.string().optional(),
    records: z.number().int().nonnegative().optional(),
    messageIncludes: z.array(z.string()).optional(),
    limits: limitsSchema.optional(),
    duplicateIds: z.enum(['error', 'allow']).optional(),
  })
  .strict();

const cases = z
  .array(caseSchema)
  .parse(JSON.parse(readFileSync(join(CORPUS, 'cases.json'), 'utf8')));

const scratch = mkdtempSync(join(tmpdir(), 'arginator-fasta-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

async function readAll(
  records: AsyncGenerator<ProteinRecord>,
): Promise<{ records: ProteinRecord[]; error?: ArginatorError }> {
  const collected: ProteinRecord[] = [];
  try {
    for await (const record of records) {
      collected.push(record);
    }
  } catch (error) {
    if (error instanceof ArginatorError) {
      return { records: collected, error };
    }
    throw error;
  }
  return { records: collected };
}

async function errorOf(records: AsyncGenerator<ProteinRecord>): Promise<ArginatorError> {
  const { error } = await readAll(records);
  if (error === undefined) {
    throw new Error('expected an ArginatorError');
  }
  expect(error.oneLine()).not.toMatch(/[\r\n]/);
  return error;
}

/** The bytes in pieces of `size`, each after a microtask, like a socket or file would deliver. */
async function* pieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) {
    yield await Promise.resolve(bytes.subarray(at, at + size));
  }
}

const TWO_RECORDS = '>sp|P1|A first\nMKVLAAGIVLLAGC\n>p2\nMSIQHFRVALIPFF*\n';

describe('the bad-input corpus', () => {
  it('is non-empty and lists every file in the folder', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    const listed = new Set(cases.map((c) => c.file));
    const present = readdirSync(CORPUS).filter((name) => name !== 'cases.json');
    expect([...listed].sort()).toEqual(present.sort());
    expect(cases.some((c) => c.expect === 'ok')).toBe(true);
    expect(cases.some((c) => c.expect === 'error')).toBe(true);
  });

  it.each(cases.map((c) => [`${c.file}: ${c.description ?? ''}`, c] as const))(
    '%s',
    async (_name, testCase) => {
      const options: FastaReadOptions = {};
      if (testCase.limits !== undefined) {
        options.limits = testCase.limits;
      }
      if (testCase.duplicateIds !== undefined) {
        options.duplicateIds = testCase.duplicateIds;
      }
      const { records, error } = await readAll(readFastaFile(join(CORPUS, testCase.file), options));
      if (testCase.expect === 'ok') {
        expect(error?.oneLine()).toBeUndefined();
        expect(records).toHaveLength(testCase.records ?? -1);
        for (const record of records) {
          expect(record.sequence).toMatch(/^[ACDEFGHIKLMNPQRSTVWXY]+$/);
          expect(record.id).not.toMatch(/\s/);
        }
        return;
      }
      expect(error, 'expected an error').toBeInstanceOf(ArginatorError);
      expect(error?.reason).toBe(testCase.reason);
      expect(['BAD_INPUT', 'LIMIT']).toContain(error?.code);
      const line = error?.oneLine() ?? '';
      expect(line).not.toMatch(/[\r\n]/);
      expect(line).toContain(testCase.file);
      expect(line).toContain('Fix: ');
      for (const fragment of testCase.messageIncludes ?? []) {
        expect(line).toContain(fragment);
      }
    },
  );

  it('decodes the odd-but-valid cases to the expected records', async () => {
    const read = async (file: string): Promise<ProteinRecord[]> =>
      (await readAll(readFastaFile(join(CORPUS, file)))).records;
    const [crlf, bom, plain] = await Promise.all([
      read('crlf.fa'),
      read('bom.fa'),
      read('plain-with-gz-extension.fa.gz'),
    ]);
    expect(crlf).toEqual(plain);
    expect(bom).toEqual(plain);
    expect(await read('gzipped-without-extension.fa')).toEqual(plain);
    expect(plain[0]?.id).toBe('sp|P62593|BLAT_ECOLX');
    expect((await read('ambiguous-letters.fa'))[0]?.sequence).toBe('MKVXXXXXLLAGCX');
    expect((await read('gaps.fa')).map((r) => r.sequence)).toEqual(['MKVLAAGIV', 'MKVLAAGIV']);
    expect((await read('windows-1252-description.fa'))[0]?.description).toBe(
      'bêta-lactamase “TEM” from São Paulo',
    );
    expect((await read('long-sequence.fa'))[0]?.sequence).toHaveLength(40_000);
    expect((await read('multi-member.fa.gz')).map((r) => r.id)).toEqual(['m1', 'm2']);
    expect((await read('tabs-in-header.fa')).map((r) => [r.id, r.description])).toEqual([
      ['p1', 'beta-lactamase\tclass A'],
      ['p2', ''],
    ]);
  });
});

describe('gzip by magic bytes', () => {
  it('detects gzip from content only', () => {
    expect(isGzip(gzipSync('x'))).toBe(true);
    expect(isGzip(new TextEncoder().encode('>a\n'))).toBe(false);
    expect(isGzip(new Uint8Array([0x1f]))).toBe(false);
  });

  it('reads gzip streams split anywhere, even inside the magic number', async () => {
    const gz = gzipSync(TWO_RECORDS);
    for (const size of [1, 2, 3, 7, 64]) {
      const { records, error } = await readAll(readFastaStream(pieces(gz, size)));
      expect(error).toBeUndefined();
      expect(records.map((r) => r.sequence)).toEqual(['MKVLAAGIVLLAGC', 'MSIQHFRVALIPFF']);
    }
  });

  it('reports every truncation point as gzip.truncated', async () => {
    const gz = gzipSync(TWO_RECORDS);
    for (let cut = 2; cut < gz.length; cut++) {
      const error = await errorOf(readFastaStream(pieces(gz.subarray(0, cut), 16)));
      expect(error.reason).toBe('gzip.truncated');
    }
  });

  it('stops a decompression bomb after reading a little of it', async () => {
    const bomb = readFileSync(join(CORPUS, 'gzip-bomb.fa.gz'));
    let pulled = 0;
    async function* counted(): AsyncGenerator<Uint8Array> {
      for await (const piece of pieces(bomb, 4096)) {
        pulled += piece.length;
        yield piece;
      }
    }
    const error = await errorOf(
      readFastaStream(counted(), {
        limits: { maxDecompressedBytes: 1 << 20, maxSequenceLength: 1e8 },
      }),
    );
    expect(error.reason).toBe('input.too-large');
    expect(error.code).toBe('LIMIT');
    expect(pulled).toBeLessThan(bomb.length / 4);
  });
});

describe('file errors say the path and the fix', () => {
  it('missing file', async () => {
    const missing = join(scratch, 'no-such.faa');
    const error = await errorOf(readFastaFile(missing));
    expect(error.reason).toBe('input.not-found');
    expect(error.code).toBe('BAD_INPUT');
    expect(error.oneLine()).toContain(missing);
    expect(error.hint).toMatch(/path/);
  });

  it('a nonsense chunk size is a config error, not an empty file', async () => {
    const error = await errorOf(readFastaFile(join(CORPUS, 'crlf.fa'), { chunkSize: 0 }));
    expect(error.code).toBe('CONFIG');
  });

  it('directory', async () => {
    const error = await errorOf(readFastaFile(scratch));
    expect(error.reason).toBe('input.is-directory');
    expect(error.oneLine()).toContain(scratch);
  });

  it.skipIf(process.platform !== 'linux')('a read error (EIO) after opening', async () => {
    const error = await errorOf(readFastaFile('/proc/self/mem'));
    expect(error.reason).toBe('input.unreadable');
    expect(error.oneLine()).toContain('/proc/self/mem');
  });

  it.skipIf(process.getuid?.() === 0)('unreadable file', async () => {
    const locked = join(scratch, 'locked.fa');
    writeFileSync(locked, TWO_RECORDS);
    chmodSync(locked, 0o000);
    const error = await errorOf(readFastaFile(locked));
    expect(error.reason).toBe('input.unreadable');
    expect(error.hint).toMatch(/chmod/);
  });
});

describe('cancellation and early exit', () => {
  const record = new TextEncoder().encode('>r\nMKVLAAGIVLLAGC\n');
  async function* endless(): AsyncGenerator<Uint8Array> {
    for (;;) {
      yield await Promise.resolve(record);
    }
  }

  it('stops a plain stream with CANCELLED', async () => {
    const controller = new AbortController();
    let count = 0;
    const error = await errorOf(
      (async function* () {
        for await (const r of readFastaStream(endless(), {
          signal: controller.signal,
          duplicateIds: 'allow',
        })) {
          count++;
          if (count === 100) {
            controller.abort();
          }
          yield r;
        }
      })(),
    );
    expect(error.code).toBe('CANCELLED');
    expect(count).toBeLessThan(200);
  });

  it('stops a gzip stream with CANCELLED', async () => {
    const gz = gzipSync('>r\nMKVLAAGIVLLAGC\n'.repeat(50_000));
    const controller = new AbortController();
    let count = 0;
    const error = await errorOf(
      (async function* () {
        for await (const r of readFastaStream(pieces(gz, 1024), {
          signal: controller.signal,
          duplicateIds: 'allow',
        })) {
          count++;
          if (count === 10) {
            controller.abort();
          }
          yield r;
        }
      })(),
    );
    expect(error.code).toBe('CANCELLED');
    expect(count).toBeLessThan(50_000);
  });

  it('an aborted signal stops readFastaFile before opening', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await errorOf(
      readFastaFile(join(CORPUS, 'crlf.fa'), { signal: controller.signal }),
    );
    expect(error.code).toBe('CANCELLED');
  });

  it('lets a consumer stop early without reading the rest', async () => {
    const big = join(scratch, 'big.fa.gz');
    const text = Array.from({ length: 20_000 }, (_, i) => `>id_${i}\nMKVLAAGIVL\n`).join('');
    writeFileSync(big, gzipSync(text));
    const first: string[] = [];
    for await (const r of readFastaFile(big, { chunkSize: 4096 })) {
      first.push(r.id);
      if (first.length === 3) {
        break;
      }
    }
    expect(first).toEqual(['id_0', 'id_1', 'id_2']);
  });
});

describe('memory stays bounded by the longest record', () => {
  it('streams ~200 MB generated lazily with small heap growth', async ({ annotate }) => {
    const body = new TextEncoder().encode(
      'MSIQHFRVALIPFFAAFCLPVFAHPETLVKVKDAEDQLGARVGYIELDLNSGKILESFRP\n'.repeat(4),
    );
    const chunkBytes = 1 << 20;
    const chunks = 200;
    let nextId = 0;
    // Each 1 MiB chunk is built on demand, with unique ids, and dropped after parsing.
    async function* generate(): AsyncGenerator<Uint8Array> {
      for (let c = 0; c < chunks; c++) {
        const chunk = Buffer.allocUnsafe(chunkBytes + 1024);
        let at = 0;
        while (at < chunkBytes) {
          at += chunk.write(`>gen_${nextId++} synthetic\n`, at, 'latin1');
          chunk.set(body, at);
          at += body.length;
        }
        yield await Promise.resolve(chunk.subarray(0, at));
      }
    }
    const memory = (): number => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const before = memory();
    let peak = before;
    let records = 0;
    let bytes = 0;
    const started = performance.now();
    for await (const record of readFastaStream(generate())) {
      records++;
      bytes += record.sequence.length;
      if ((records & 0x3fff) === 0) {
        peak = Math.max(peak, memory());
      }
    }
    const seconds = (performance.now() - started) / 1000;
    expect(records).toBe(nextId);
    expect(bytes).toBe(records * 240);
    const growthMb = (peak - before) / 1e6;
    expect(growthMb).toBeLessThan(100);
    const megabytes = (chunks * chunkBytes) / 1e6;
    await annotate(
      `readFastaStream: ${records} records, ${megabytes.toFixed(0)} MB in ${seconds.toFixed(1)} s ` +
        `(${(megabytes / seconds).toFixed(0)} MB/s), peak heap+buffers growth ${growthMb.toFixed(1)} MB`,
    );
  });
});
