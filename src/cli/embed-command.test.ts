import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readEmbeddings } from '../io/h5wasm-embedding-store.ts';
import { errorLines, REPO_ROOT, runCli } from '../wiring/test-support/run-cli.ts';

interface Case {
  file: string;
  expect: 'ok' | 'error';
  reason?: string;
  records?: number;
  limits?: Record<string, number>;
  duplicateIds?: 'allow' | 'error';
  messageIncludes?: string[];
}

const LIMIT_FLAGS: Record<string, string> = {
  maxRecords: '--max-records',
  maxSequenceLength: '--max-sequence-length',
  maxTotalResidues: '--max-total-residues',
  maxHeaderLength: '--max-header-length',
  maxDecompressedBytes: '--max-input-bytes',
};

/** The flag a limit error's hint names. */
const LIMIT_REASON_FLAGS: Record<string, string> = {
  'fasta.too-long': '--max-sequence-length',
  'fasta.too-many-records': '--max-records',
  'fasta.too-many-residues': '--max-total-residues',
  'fasta.header-too-long': '--max-header-length',
  'input.too-large': '--max-input-bytes',
};

const cases = JSON.parse(
  await readFile(join(REPO_ROOT, 'fixtures/bad-input/cases.json'), 'utf8'),
) as Case[];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arginator-embed-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function caseArgs(c: Case, out: string): string[] {
  const args = [
    'embed',
    join('fixtures/bad-input', c.file),
    '--out',
    out,
    '--threads',
    '1',
    '--quiet',
  ];
  for (const [key, value] of Object.entries(c.limits ?? {})) {
    const flag = LIMIT_FLAGS[key];
    if (flag === undefined) {
      throw new Error(`cases.json uses limit '${key}' that the CLI has no flag for`);
    }
    args.push(flag, String(value));
  }
  return args;
}

describe('arginator embed: the bad-input corpus through the CLI', () => {
  it('has cases of both kinds', () => {
    expect(cases.filter((c) => c.expect === 'error').length).toBeGreaterThan(20);
    expect(cases.filter((c) => c.expect === 'ok').length).toBeGreaterThan(10);
  });

  // duplicateIds 'allow' is a parser option for library callers; the CLI always refuses duplicate
  // ids because its outputs are keyed by id (src/io/fasta-source.test.ts covers the 'allow' case).
  const cliCases = cases.filter((c) => c.duplicateIds !== 'allow');

  it.each(cliCases.map((c, i) => [`${c.file}#${i}`, c] as const))('%s', async (name, c) => {
    const out = join(dir, `${name.replace(/[^a-z0-9]/gi, '_')}.h5`);
    const result = await runCli(caseArgs(c, out), { timeoutMs: 30_000 });
    if (c.expect === 'error') {
      expect(result.code, result.stderr).toBe(3);
      const lines = errorLines(result.stderr);
      expect(lines, result.stderr).toHaveLength(1);
      const line = lines[0] ?? '';
      expect(line).toMatch(/^arginator: error: /);
      expect(line).toContain('Fix: ');
      for (const part of c.messageIncludes ?? []) {
        expect(line).toContain(part);
      }
      // A limit names the flag that raises it, not the parser's setting.
      for (const key of Object.keys(LIMIT_FLAGS)) {
        expect(line).not.toContain(key);
      }
      const flag = LIMIT_REASON_FLAGS[c.reason ?? ''];
      if (flag !== undefined) {
        expect(line).toContain(`raise the limit with ${flag} <n>`);
      }
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(out)).toBe(false); // no half-written output
    } else {
      expect(result.code, result.stderr).toBe(0);
      const written = await readEmbeddings(out);
      expect(written.ids).toHaveLength(c.records ?? -1);
    }
  });
});

describe('arginator embed: usage', () => {
  it('exits 2 with a fix when --out is missing', async () => {
    const r = await runCli(['embed', 'fixtures/bad-input/lowercase.fa']);
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)[0]).toMatch(/embed needs --out FILE\.h5\. Fix: /);
  });

  it('exits 2 for an unknown embedder, listing the known ones', async () => {
    const r = await runCli([
      'embed',
      'fixtures/bad-input/lowercase.fa',
      '--out',
      join(dir, 'u.h5'),
      '--embedder',
      'esm9',
    ]);
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)[0]).toContain(
      "unknown embedder 'esm9'. Fix: use one of: builtin, onnx, precomputed",
    );
  });

  it('exits 3 for a missing input file', async () => {
    const r = await runCli(['embed', 'no/such/file.fa', '--out', join(dir, 'm.h5')]);
    expect(r.code).toBe(3);
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain('no/such/file.fa');
  });

  it('exits 2 for unknown commands and options', async () => {
    expect((await runCli(['embedd'])).code).toBe(2);
    expect((await runCli(['embed', 'x.fa', '--outt', 'y.h5'])).code).toBe(2);
    expect((await runCli(['embed', 'x.fa', '--out', 'y.h5', '--threads', 'zero'])).code).toBe(2);
  });
});

describe('arginator embed: the shipped dataset', () => {
  it('writes 4,514 vectors that python3-h5py reads back with the same ids', async () => {
    const out = join(dir, 'default.h5');
    const r = await runCli(['embed', 'data/default/default.fasta.gz', '--out', out, '--json'], {
      timeoutMs: 120_000,
    });
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { proteins: number; dim: number; embedder: string };
    expect(summary.proteins).toBe(4514);
    expect(summary.embedder).toBe('builtin-v1');
    const ours = await readEmbeddings(out);
    expect(ours.ids).toHaveLength(4514);
    expect(ours.dim).toBe(summary.dim);
    expect(new Set(ours.ids).size).toBe(4514);

    const py = spawnSync('/usr/bin/python3', ['-c', 'import h5py'], { encoding: 'utf8' });
    if (py.status !== 0) {
      // The h5py agreement test in src/io guards against CI passing with h5py missing.
      expect(process.env['CI']).not.toBe('true');
      return;
    }
    const script = [
      'import h5py, json, sys',
      'f = h5py.File(sys.argv[1], "r")',
      'ids = [f[k].attrs.get("original_id", k) for k in f.keys()]',
      'ids = [i.decode() if isinstance(i, bytes) else str(i) for i in ids]',
      'shapes = sorted({f[k].shape for k in f.keys()})',
      'print(json.dumps({"ids": ids, "shapes": [list(s) for s in shapes], "dtype": str(f[list(f.keys())[0]].dtype)}))',
    ].join('\n');
    const read = spawnSync('/usr/bin/python3', ['-c', script, out], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    expect(read.status, read.stderr).toBe(0);
    const fromPy = JSON.parse(read.stdout) as { ids: string[]; shapes: number[][]; dtype: string };
    expect(new Set(fromPy.ids)).toEqual(new Set(ours.ids));
    expect(fromPy.shapes).toEqual([[summary.dim]]);
    expect(fromPy.dtype).toBe('float32');
  });

  it('gives the same vectors with one and two worker threads', async () => {
    const input = join(dir, 'small.fa');
    const fasta = await readFile(join(REPO_ROOT, 'fixtures/bad-input/uniprot-ids.fa'), 'utf8');
    await writeFile(input, fasta.repeat(1).replace(/>/g, '>'));
    const one = join(dir, 'one.h5');
    const two = join(dir, 'two.h5');
    expect((await runCli(['embed', input, '--out', one, '--threads', '1'])).code).toBe(0);
    expect(
      (await runCli(['embed', input, '--out', two, '--threads', '2', '--batch-size', '32'])).code,
    ).toBe(0);
    const a = await readEmbeddings(one);
    const b = await readEmbeddings(two);
    expect(b.ids).toEqual(a.ids);
    expect(b.vectors).toEqual(a.vectors);
  });
});
