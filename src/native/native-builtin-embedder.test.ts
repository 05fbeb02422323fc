// The native builtin-v1 kernel gives embedSequence's Float32 vectors bit for bit: shipped proteins and adversarial inputs.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

import { describe, expect, it } from 'vitest';

import {
  BUILTIN_DIM,
  BUILTIN_FINGERPRINT,
  BUILTIN_ID,
  builtinEmbedderFactory,
  createBuiltinEmbedderFactory,
  embedSequence,
} from '../core/embed/builtin-embedder.ts';
import { createRng } from '../core/rng.ts';
import { loadNativeBuiltinKernel } from './native-builtin-embedder.ts';
import { NATIVE_ADDON_PATH } from './native-addon.ts';

const kernel = loadNativeBuiltinKernel();

/** The first `n` sequences of a gzipped FASTA file. */
function firstSequences(path: string, n: number): string[] {
  const text = gunzipSync(readFileSync(path)).toString('latin1');
  return text
    .split('>')
    .slice(1, n + 1)
    .map((entry) => entry.slice(entry.indexOf('\n') + 1).replace(/\s+/g, ''));
}

/** The TypeScript reference: embedSequence row by row. */
function reference(sequences: readonly string[]): Float32Array {
  const out = new Float32Array(sequences.length * BUILTIN_DIM);
  sequences.forEach((s, i) =>
    embedSequence(s, out.subarray(i * BUILTIN_DIM, (i + 1) * BUILTIN_DIM)),
  );
  return out;
}

/** Every float32 bit pattern equal (so +0/-0 and NaN payloads count); names the first difference. */
function expectSameBits(
  actual: Float32Array,
  expected: Float32Array,
  labels: readonly string[],
): void {
  expect(actual.length).toBe(expected.length);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  let differing = 0;
  let first = '';
  for (let i = 0; i < e.length; i++) {
    if (a[i] !== e[i]) {
      if (differing === 0) {
        const row = Math.floor(i / BUILTIN_DIM);
        first = `sequence ${row} (${labels[row] ?? '?'}), dim ${i % BUILTIN_DIM}: native ${actual[i]}, TypeScript ${expected[i]}`;
      }
      differing++;
    }
  }
  expect(differing, first).toBe(0);
}

const AA20 = 'ACDEFGHIKLMNPQRSTVWY';

function randomProtein(rng: () => number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) {
    s += AA20.charAt(Math.floor(rng() * 20));
  }
  return s;
}

/** Named adversarial inputs: empty, tiny, case, unknown letters, non-Latin-1, huge, repeats, motif-dense. */
function adversarial(): { label: string; sequence: string }[] {
  const rng = createRng(13);
  const tem =
    randomProtein(rng, 60) +
    'STFKVLLCGAVLSRVDAGQEQLGRRIHYSQNDLVEYSPVTEKHLTDGMTVRELCSAAITMSDNTAANLLLTTIGGPKELTAFLHNMGDHVTRLDRWEPELNEAIPNDERDTTMPAAMATTLRKLLTGELLTLASRQQLIDWMEADKVAGPLLRSALPAGWFIADKSGAGERGSRGIIAALGPDGKPSRIVVIYTTGSQATMDERNRQIAEIGASLIKHW';
  const cases: { label: string; sequence: string }[] = [
    { label: 'empty', sequence: '' },
    { label: '1 residue', sequence: 'M' },
    { label: '1 unknown residue', sequence: 'X' },
    { label: '2 residues', sequence: 'MK' },
    { label: '4 residues (first 4-mer)', sequence: 'MKSA' },
    { label: 'lower case', sequence: tem.toLowerCase() },
    {
      label: 'mixed case',
      sequence: tem.replace(/./g, (c, i: number) => (i % 3 === 0 ? c.toLowerCase() : c)),
    },
    { label: 'non-standard letters only', sequence: 'XBZUOJ*-.' },
    {
      label: 'non-standard letters inside',
      sequence: tem.replace(/./g, (c, i: number) => 'XBZUO*'.charAt(i % 17) || c),
    },
    { label: 'digits and spaces', sequence: `${tem.slice(0, 50)} 12 ${tem.slice(50, 120)}\t` },
    { label: 'Latin-1 letters (é, ÿ)', sequence: `${tem.slice(0, 40)}éÿ${tem.slice(40)}` },
    // U+0141 and U+0153 have the low bytes of 'A' and 'S': a Latin-1 copy would alias them.
    { label: 'beyond Latin-1 (Ł, œ, emoji)', sequence: `SŁŁK${tem}\u0141\u0153🧬KTG` },
    { label: 'very long (40,000 aa)', sequence: randomProtein(rng, 40_000) },
    { label: 'all one residue (40,000 A)', sequence: 'A'.repeat(40_000) },
    { label: 'all S (SxxK, SxN scans)', sequence: 'S'.repeat(3000) },
    { label: 'all X', sequence: 'X'.repeat(5000) },
    { label: 'SxxK/KTG repeats (every spacing)', sequence: 'SAAKTG'.repeat(700) },
    { label: 'HxHxDH repeats', sequence: 'HAHADHNAHAD'.repeat(300) },
    { label: 'ExELN and YAN repeats', sequence: 'EAELNYANSDNSAV'.repeat(200) },
    {
      label: 'SxxK then KTG at 100..300 aa',
      sequence: `SAAK${'G'.repeat(150)}KTG${'L'.repeat(100)}KSG`,
    },
  ];
  return cases;
}

describe.skipIf(kernel === undefined)('native builtin-v1 kernel', () => {
  const native = kernel as NonNullable<typeof kernel>;

  it('matches embedSequence bit for bit on the first 500 shipped proteins (1 and 2 threads, async)', async () => {
    const sequences = firstSequences('data/default/default.fasta.gz', 500);
    expect(sequences).toHaveLength(500);
    const labels = sequences.map((_, i) => `shipped #${i}`);
    const expected = reference(sequences);
    expectSameBits(native.embedBatchSync(sequences, 1), expected, labels);
    expectSameBits(native.embedBatchSync(sequences, 2), expected, labels);
    expectSameBits(await native.embedBatch(sequences), expected, labels);
    // A few proteins (a /v1/predict request) take the inline path: same bits.
    expectSameBits(
      await native.embedBatch(sequences.slice(0, 3)),
      reference(sequences.slice(0, 3)),
      labels,
    );
  });

  it('matches embedSequence bit for bit on adversarial sequences', () => {
    const cases = adversarial();
    const sequences = cases.map((c) => c.sequence);
    const labels = cases.map((c) => c.label);
    const expected = reference(sequences);
    expectSameBits(native.embedBatchSync(sequences, 1), expected, labels);
    expectSameBits(native.embedBatchSync(sequences, 2), expected, labels);
    // Each alone too: nothing may leak from one protein's scratch into the next.
    for (const c of cases) {
      expectSameBits(native.embedBatchSync([c.sequence], 1), reference([c.sequence]), [c.label]);
    }
  });

  it('matches the length block for every length 1..2100 (the only log2 in the layout)', () => {
    const sequences = Array.from({ length: 2100 }, (_, i) => 'X'.repeat(i + 1));
    const labels = sequences.map((s) => `${s.length} × X`);
    expectSameBits(native.embedBatchSync(sequences, 2), reference(sequences), labels);
  });

  it('returns an empty matrix for an empty batch and rejects a non-string', () => {
    expect(native.embedBatchSync([], 1)).toHaveLength(0);
    expect(() => native.embedBatchSync([42 as unknown as string], 1)).toThrow(/array of strings/);
  });

  it('backs the builtin embedder with the same id, fingerprint and vectors', async () => {
    const ts = await builtinEmbedderFactory.create({});
    const fast = await createBuiltinEmbedderFactory(native).create({});
    expect(fast.id).toBe(BUILTIN_ID);
    expect(fast.dim).toBe(BUILTIN_DIM);
    expect(fast.fingerprint).toBe(BUILTIN_FINGERPRINT);
    const records = adversarial().map((c, i) => ({
      id: `p${i}`,
      description: '',
      sequence: c.sequence,
    }));
    const [a, b] = await Promise.all([ts.embed(records), fast.embed(records)]);
    expect(b).toHaveLength(records.length);
    b.forEach((v, i) => expectSameBits(v, a[i] as Float32Array, [records[i]?.id ?? '']));
    const ac = new AbortController();
    ac.abort();
    await expect(fast.embed(records, { signal: ac.signal })).rejects.toThrow(/cancelled/);
  });
});

describe('native builtin-v1 availability', () => {
  it('loads in CI (a silently missing kernel would make embedding ~10x slower)', () => {
    if (process.env.CI === 'true') {
      expect(kernel, `expected builtinEmbed in ${NATIVE_ADDON_PATH}`).toBeDefined();
    }
  });
});
