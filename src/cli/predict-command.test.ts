// `arginator predict` end to end: HDF5 embeddings in (ours and h5py's), and the bad-input corpus.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { writeEmbeddings } from '../io/h5wasm-embedding-store.ts';
import { errorLines, REPO_ROOT, runCli } from '../wiring/test-support/run-cli.ts';
import { randomFasta, registerTinyModel } from '../wiring/test-support/tiny-model.ts';

interface Case {
  file: string;
  expect: 'ok' | 'error';
  reason?: string;
  records?: number;
  limits?: Record<string, number>;
  duplicateIds?: 'allow' | 'error';
  messageIncludes?: string[];
}

interface JsonRow {
  protein_id: string;
  predicted_label: string;
  confidence_score: number;
  prob_betalactamase: number;
  nearest_reference: string | null;
  nearest_reference_label: string | null;
  identity: number | null;
  coverage: number | null;
  novelty: string;
  model_version: string;
  [column: string]: unknown;
}

const LIMIT_FLAGS: Record<string, string> = {
  maxRecords: '--max-records',
  maxSequenceLength: '--max-sequence-length',
  maxTotalResidues: '--max-total-residues',
  maxHeaderLength: '--max-header-length',
  maxDecompressedBytes: '--max-input-bytes',
};
const CLASSES = ['A', 'B', 'C', 'D', 'NBL'];

const cases = JSON.parse(
  await readFile(join(REPO_ROOT, 'fixtures/bad-input/cases.json'), 'utf8'),
) as Case[];

let dir: string;
let home: string;
/** With homology references (evidence columns filled). */
let withRefs: string;
/** Classifier only: the FASTA path's call is the classifier's own, so both inputs must agree. */
let classifierOnly: string;
const env = (): Record<string, string> => ({ ARGINATOR_HOME: home });
const predictArgs = (input: string, model: string, ...rest: string[]): string[] => [
  'predict',
  input,
  '--model',
  model,
  '--threads',
  '1',
  '--quiet',
  ...rest,
];
const json = (stdout: string): JsonRow[] => JSON.parse(stdout) as JsonRow[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arginator-predict-cli-'));
  home = join(dir, 'home');
  withRefs = await registerTinyModel(home);
  classifierOnly = await registerTinyModel(home, 'multiclass', { references: false });
  await writeFile(join(dir, 'small.faa'), randomFasta(40, 3));
  const r = await runCli(['embed', join(dir, 'small.faa'), '--out', join(dir, 'small.h5')], {
    env: env(),
  });
  expect(r.code, r.stderr).toBe(0);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('arginator predict: HDF5 embeddings', () => {
  it("gives the FASTA path's classifier call for an .h5 written by arginator embed", async () => {
    const [fromFasta, fromH5] = await Promise.all(
      [join(dir, 'small.faa'), join(dir, 'small.h5')].map((input) =>
        runCli(predictArgs(input, classifierOnly, '--format', 'json'), { env: env() }),
      ),
    );
    expect(fromFasta?.code, fromFasta?.stderr).toBe(0);
    expect(fromH5?.code, fromH5?.stderr).toBe(0);
    const a = json(fromFasta?.stdout ?? '');
    const b = json(fromH5?.stdout ?? '');
    expect(b.map((r) => r.protein_id)).toEqual(Array.from({ length: 40 }, (_, i) => `q${i}`));
    expect(b.map((r) => r.protein_id)).toEqual(a.map((r) => r.protein_id));
    b.forEach((row, i) => {
      expect(row.predicted_label).toBe(a[i]?.predicted_label);
      for (const c of CLASSES) {
        // Same call; the float32 sums may differ in their last bits (seen once in a loaded full run:
        // 0.17800027 against 0.17800026), so equal to 1e-6.
        expect(row[`p_${c}`] as number).toBeCloseTo(a[i]?.[`p_${c}`] as number, 6);
      }
    });
  });

  it('fills the evidence columns from embedding space: nearest by cosine, no identity or coverage', async () => {
    const out = join(dir, 'evidence.csv');
    const r = await runCli(predictArgs(join(dir, 'small.h5'), withRefs, '--out', out), {
      env: env(),
    });
    expect(r.code, r.stderr).toBe(0);
    const [header, ...rows] = (await readFile(out, 'utf8')).trim().split('\n');
    const columns = (header ?? '').split(',');
    expect(columns.slice(0, 4)).toEqual([
      'protein_id',
      'predicted_label',
      'confidence_score',
      'prob_betalactamase',
    ]);
    expect(rows).toHaveLength(40);
    for (const [i, line] of rows.entries()) {
      const cell = Object.fromEntries(line.split(',').map((v, j) => [columns[j] ?? '', v]));
      expect(cell['protein_id']).toBe(`q${i}`);
      expect(CLASSES).toContain(cell['predicted_label']);
      const sum = CLASSES.reduce((s, c) => s + Number(cell[`p_${c}`]), 0);
      expect(sum).toBeCloseTo(1, 4);
      expect(cell['nearest_reference']).toMatch(/^ref\d$/);
      expect(CLASSES).toContain(cell['nearest_reference_label']);
      expect(cell['identity']).toBe('');
      expect(cell['coverage']).toBe('');
      expect(['known', 'distant', 'novel']).toContain(cell['novelty']);
      expect(cell['model_version']).toBe(withRefs);
      // A model stored without reference names (as before issue 13): the named cells stay empty,
      // and without an alignment the method is MODEL (β-lactamase call) or NONE.
      expect([cell['nearest_gene'], cell['nearest_family'], cell['nearest_subclass']]).toEqual([
        '',
        '',
        '',
      ]);
      expect([cell['bitscore'], cell['evalue']]).toEqual(['', '']);
      const betaLactamase = cell['predicted_label'] !== 'NBL';
      expect(cell['method']).toBe(betaLactamase ? 'MODEL' : 'NONE');
      expect(cell['carbapenemase']).toBe(betaLactamase ? 'uncertain' : '');
    }
  });

  it('recognises HDF5 by its signature, whatever the file is called; --task binary works too', async () => {
    const renamed = join(dir, 'embeddings.dat');
    await copyFile(join(dir, 'small.h5'), renamed);
    const r = await runCli(predictArgs(renamed, withRefs, '--task', 'binary', '--format', 'json'), {
      env: env(),
    });
    expect(r.code, r.stderr).toBe(0);
    const rows = json(r.stdout);
    expect(rows).toHaveLength(40);
    expect(
      rows.every((row) => ['Betalactamase', 'Non-Betalactamase'].includes(row.predicted_label)),
    ).toBe(true);
  });

  it('exits 3 with one line naming both dimensions and the fix when the vectors are of another embedder', async () => {
    const wrong = join(dir, 'wrong-dim.h5');
    await writeEmbeddings(wrong, [
      { id: 'p1', vector: Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]) },
      { id: 'p2', vector: Float32Array.from([0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1]) },
    ]);
    const out = join(dir, 'wrong-dim.csv');
    const r = await runCli(predictArgs(wrong, withRefs, '--out', out), { env: env() });
    expect(r.code, r.stderr).toBe(3);
    const lines = errorLines(r.stderr);
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^arginator: error: .*wrong-dim\.h5: the embedding of 'p1' has 7 values/,
    );
    expect(lines[0]).toMatch(
      /gives 1390: .*Fix: embed the proteins with the model's embedder, e\.g\. 'arginator embed IN\.faa --out X\.h5 --embedder builtin'/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses vectors of another dimension before training a first model into an empty home', async () => {
    const wrong = join(dir, 'wrong-dim-fresh.h5');
    await writeEmbeddings(wrong, [
      { id: 'q1', vector: Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5]) },
    ]);
    const fresh = join(dir, 'fresh-home');
    const r = await runCli(['predict', wrong, '--quiet'], { env: { ARGINATOR_HOME: fresh } });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toBe('');
    const lines = errorLines(r.stderr);
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(
      /the embedding of 'q1' has 5 values, but no model is registered yet and the default one \(embedder builtin-v1[^)]*\) takes 1390/,
    );
    expect(lines[0]).toMatch(/Fix: pass --model with a model trained on 5-value vectors/);
    // Nothing was trained: no registry, no training message.
    expect(r.stderr).not.toMatch(/training the default/);
    expect(existsSync(join(fresh, 'models', 'registry.json'))).toBe(false);
  });

  it('exits 3 for a file named .h5 that is not HDF5, saying what it looks like', async () => {
    const fake = join(dir, 'fasta-named.h5');
    await copyFile(join(dir, 'small.faa'), fake);
    const r = await runCli(predictArgs(fake, withRefs), { env: env() });
    expect(r.code, r.stderr).toBe(3);
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain(
      "not an HDF5 file (no HDF5 signature); it starts with '>', like FASTA",
    );
  });

  it('reads an .h5 written by python3-h5py (float64, h5py name order) with the same calls', async () => {
    const py = spawnSync('/usr/bin/python3', ['-c', 'import h5py'], { encoding: 'utf8' });
    if (py.status !== 0) {
      // The h5py agreement test in src/io guards against CI passing with h5py missing.
      expect(process.env['CI']).not.toBe('true');
      return;
    }
    const fromPy = join(dir, 'h5py.h5');
    const script = [
      'import h5py, sys',
      'src = h5py.File(sys.argv[1], "r")',
      'with h5py.File(sys.argv[2], "w") as dst:',
      '    for k in src.keys():',
      '        dst.create_dataset(k, data=src[k][()].astype("float64"))',
    ].join('\n');
    const w = spawnSync('/usr/bin/python3', ['-c', script, join(dir, 'small.h5'), fromPy], {
      encoding: 'utf8',
    });
    expect(w.status, w.stderr).toBe(0);
    const [ours, theirs] = await Promise.all(
      [join(dir, 'small.h5'), fromPy].map((input) =>
        runCli(predictArgs(input, withRefs, '--format', 'json'), { env: env() }),
      ),
    );
    expect(theirs?.code, theirs?.stderr).toBe(0);
    const byId = new Map(json(ours?.stdout ?? '').map((row) => [row.protein_id, row]));
    const rows = json(theirs?.stdout ?? '');
    expect(rows).toHaveLength(40);
    // h5py without track_order lists datasets by name, so the rows come in name order.
    expect(rows.map((row) => row.protein_id)).toEqual([...byId.keys()].sort());
    for (const row of rows) {
      expect(row).toEqual(byId.get(row.protein_id));
    }
  });
});

describe('arginator predict: the bad-input corpus through the CLI', () => {
  // As for `arginator embed`: the CLI always refuses duplicate ids (outputs are keyed by id).
  const cliCases = cases.filter((c) => c.duplicateIds !== 'allow');

  it.concurrent.each(cliCases.map((c, i) => [`${c.file}#${i}`, c] as const))(
    '%s',
    async (name, c) => {
      const out = join(dir, `${name.replace(/[^a-z0-9]/gi, '_')}.csv`);
      const args = predictArgs(join('fixtures/bad-input', c.file), withRefs, '--out', out);
      for (const [key, value] of Object.entries(c.limits ?? {})) {
        args.push(LIMIT_FLAGS[key] ?? `--unknown-limit-${key}`, String(value));
      }
      const result = await runCli(args, { env: env(), timeoutMs: 30_000 });
      if (c.expect === 'error') {
        expect(result.code, result.stderr).toBe(3);
        const lines = errorLines(result.stderr);
        expect(lines, result.stderr).toHaveLength(1);
        expect(lines[0]).toMatch(/^arginator: error: .*Fix: /);
        for (const part of c.messageIncludes ?? []) {
          expect(lines[0]).toContain(part);
        }
        expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
        // No partial table, and no temp file left behind either.
        expect((await readdir(dir)).filter((f) => f.startsWith(basename(out)))).toEqual([]);
      } else {
        expect(result.code, result.stderr).toBe(0);
        const [header, ...rows] = (await readFile(out, 'utf8')).trim().split('\n');
        expect(header).toMatch(/^protein_id,predicted_label,confidence_score,prob_betalactamase,/);
        expect(rows).toHaveLength(c.records ?? -1);
      }
    },
  );
});
