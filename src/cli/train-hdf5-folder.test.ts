// `arginator train` on the original system's training data (a folder of per-class HDF5 files written by
// python3-h5py), then `arginator predict QUERIES.h5` with that model; and the folder's bad-data errors.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { decodeArtifact } from '../core/model/artifact.ts';
import { errorLines, runCli } from '../wiring/test-support/run-cli.ts';
import { h5pyAvailable, MAKE_FOLDER, PYTHON } from '../io/test-support/h5py.ts';

let dir: string;
const env = (home: string): Record<string, string> => ({ ARGINATOR_HOME: join(dir, home) });

/** Writes a folder (and its queries file) with make_folder.py; returns both paths. */
function makeFolder(name: string, ...flags: string[]): { data: string; queries: string } {
  const data = join(dir, name);
  const queries = join(dir, `${name}-queries.h5`);
  const r = spawnSync(PYTHON, [MAKE_FOLDER, data, queries, ...flags], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return { data, queries };
}

interface Summary {
  run_dir: string;
  status: string;
  model_version: string;
  split: { train: number; val: number; test: number };
  test: { accuracy: number; f1: number };
}

interface Row {
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

const trainArgs = (data: string, ...rest: string[]): string[] => [
  'train',
  `paths.dataset=${data}`,
  'embedder=precomputed',
  'experiment.epochs=15',
  '--json',
  ...rest,
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arginator-h5-folder-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('arginator train paths.dataset=FOLDER embedder=precomputed', () => {
  it('multiclass: trains on the h5py folder with a cosine-cluster split, then classifies a query .h5', async () => {
    if (!h5pyAvailable()) {
      return;
    }
    const { data, queries } = makeFolder('prott5');
    const r = await runCli(trainArgs(data, 'task=multiclass'), {
      env: env('home-m'),
      timeoutMs: 120_000,
    });
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as Summary;
    expect(summary.status).toBe('completed');
    expect(summary.test.accuracy).toBeGreaterThan(0.9);
    // The run says what it could not do and what its split means.
    expect(r.stderr).toContain('card_class_a_embeddings.h5: 40 proteins → A');
    expect(r.stderr).toContain('non_betalactamase_embeddings.h5: 40 proteins → NBL');
    expect(r.stderr).toContain('200 proteins, 1024-d embeddings: A 40, B 40, C 40, D 40, NBL 40');
    expect(r.stderr).toContain('no sequences, so by embedding cosine >= 0.9');
    expect(r.stderr).toContain('homology evidence: off, the dataset has no sequences to align');
    expect(r.stderr).toMatch(/test \(\d+ proteins, cosine-cluster split\)/);
    expect(r.stderr).toContain('embedding-only model (1024-d precomputed vectors)');
    expect(r.stderr).toContain('no reference map');

    // The split kept each family (ids '<class>_f<family>_p<n>') on one side: it found the clusters.
    const split = JSON.parse(await readFile(join(summary.run_dir, 'split.json'), 'utf8')) as {
      method: string;
      note: string;
      cosine_threshold: number;
      train: string[];
      val: string[];
      test: string[];
    };
    expect(split.method).toBe('cosine-cluster');
    expect(split.cosine_threshold).toBe(0.9);
    expect(split.note).toContain('no sequences');
    const sideOf = new Map<string, string>();
    for (const side of ['train', 'val', 'test'] as const) {
      for (const id of split[side]) {
        const family = id.replace(/_p\d+$/, '');
        expect(sideOf.get(family) ?? side, `family ${family}`).toBe(side);
        sideOf.set(family, side);
      }
    }
    expect(sideOf.size).toBe(25);
    expect(split.test.length).toBeGreaterThan(0);
    const metrics = JSON.parse(await readFile(join(summary.run_dir, 'metrics.json'), 'utf8')) as {
      split: { method: string };
      homology: string;
    };
    expect(metrics.split.method).toBe('cosine-cluster');
    expect(metrics.homology).toContain('no sequences');

    // The model records that it is embedding-only for the 1024-d precomputed embedder.
    const model = decodeArtifact(await readFile(join(summary.run_dir, 'model.argm')));
    expect(model.header.embedder).toMatchObject({
      name: 'precomputed',
      id: 'precomputed:vectors-1024d',
      dim: 1024,
      options: { dim: 1024 },
    });
    expect(model.header.homology).toBeUndefined();
    expect(model.header.training).toMatchObject({ input: 'vectors', split: 'cosine-cluster' });

    // predict QUERIES.h5 (the latest multiclass model): right calls, documented columns, no alignment evidence.
    const out = join(dir, 'calls.csv');
    const p = await runCli(['predict', queries, '--out', out, '--quiet'], {
      env: env('home-m'),
    });
    expect(p.code, p.stderr).toBe(0);
    const [header, ...lines] = (await readFile(out, 'utf8')).trim().split('\n');
    expect(header).toBe(
      'protein_id,predicted_label,confidence_score,prob_betalactamase,p_A,p_B,p_C,p_D,p_NBL,nearest_reference,nearest_reference_label,identity,coverage,novelty,model_version,nearest_gene,nearest_family,nearest_subclass,carbapenemase,bitscore,evalue,method',
    );
    expect(lines).toHaveLength(30);
    let right = 0;
    for (const line of lines) {
      const cells = line.split(',');
      const truth = /^q_([A-Z]+)_/.exec(cells[0] ?? '')?.[1];
      if (cells[1] === truth) {
        right++;
      }
      // No references in an embedding-only model: the evidence cells are empty, novelty 'novel'.
      expect(cells.slice(9, 15)).toEqual(['', '', '', '', 'novel', summary.model_version]);
      // Nor named evidence: a β-lactamase call is MODEL (carbapenemase uncertain), any other NONE.
      const betaLactamase = cells[1] !== 'NBL';
      expect(cells.slice(15)).toEqual([
        ...['', '', '', betaLactamase ? 'uncertain' : '', '', ''],
        betaLactamase ? 'MODEL' : 'NONE',
      ]);
    }
    // Separable data: every query, the unseen-family ones included, gets its class.
    expect(right).toBe(30);

    // A FASTA cannot be embedded by this model: exit 2 with one line saying what to do instead.
    const fasta = join(dir, 'q.faa');
    await writeFile(fasta, '>p1\nMSIQHFRVALIPFFAAFCLPVFAHPETLVKVKDAEDQLG\n');
    const f = await runCli(['predict', fasta, '--quiet'], { env: env('home-m') });
    expect(f.code, f.stderr).toBe(2);
    const errors = errorLines(f.stderr);
    expect(errors, f.stderr).toHaveLength(1);
    expect(errors[0]).toContain(
      `model ${summary.model_version} is embedding-only (trained on precomputed 1024-d vectors, no sequences)`,
    );
    expect(errors[0]).toContain(
      'Fix: embed the proteins with the tool that made its training vectors',
    );
    expect(f.stdout).toBe('');
  });

  it('binary: A-D files are Betalactamase, the non_betalactamase file is the negative class', async () => {
    if (!h5pyAvailable()) {
      return;
    }
    // '_v2': the original's negative file is non_betalactamase_embeddings*.h5.
    const { data, queries } = makeFolder('prott5-binary', '--seed', '11', '--suffix', '_v2');
    const r = await runCli(trainArgs(data, 'task=binary', 'split=stratified'), {
      env: env('home-b'),
      timeoutMs: 120_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      'non_betalactamase_embeddings_v2.h5: 40 proteins → Non-Betalactamase',
    );
    expect(r.stderr).toContain('Betalactamase 160, Non-Betalactamase 40');
    expect(r.stderr).toContain('split: a random split stratified by label');
    const summary = JSON.parse(r.stdout) as Summary;
    const p = await runCli(
      ['predict', queries, '--task', 'binary', '--format', 'json', '--quiet'],
      {
        env: env('home-b'),
      },
    );
    expect(p.code, p.stderr).toBe(0);
    const rows = JSON.parse(p.stdout) as Row[];
    expect(rows).toHaveLength(30);
    for (const row of rows) {
      const positive = !row.protein_id.startsWith('q_NBL_');
      expect(row.predicted_label, row.protein_id).toBe(
        positive ? 'Betalactamase' : 'Non-Betalactamase',
      );
      expect(row.prob_betalactamase >= 0.5).toBe(positive);
      expect(row).toMatchObject({
        nearest_reference: null,
        nearest_reference_label: null,
        identity: null,
        coverage: null,
        model_version: summary.model_version,
      });
    }
  });
});

// The loader's other refusals (a file name without a class, mixed dimensions, an empty file) are
// tested in-process on h5py files in src/io/hdf5-labelled-folder.test.ts; these pin the exit codes.
describe('arginator train on a bad folder: one line with the fix, before any training', () => {
  const bad = async (
    name: string,
    flags: string[],
    code: number,
    pattern: RegExp,
    args: string[] = [],
  ): Promise<void> => {
    const data = join(dir, name);
    if (flags[0] !== 'none') {
      makeFolder(name, ...flags, '--per-family', '2', '--families', '3');
    }
    const r = await runCli(args.length > 0 ? args : trainArgs(data), { env: env(`home-${name}`) });
    expect(r.code, r.stderr).toBe(code);
    const errors = errorLines(r.stderr);
    expect(errors, r.stderr).toHaveLength(1);
    expect(errors[0]).toMatch(pattern);
    expect(errors[0]).toContain('Fix: ');
    expect(r.stderr).not.toMatch(/epoch|\n\s+at /);
  };

  it('a NaN in a vector: exit 3 naming the file, the protein and the index', async () => {
    if (h5pyAvailable()) {
      await bad(
        'nan',
        ['--bad', 'nan'],
        3,
        /card_class_b_embeddings\.h5.*dataset 'B_f1_p01' has a non-finite value \(NaN\) at index 17/,
      );
    }
  });

  it('a folder without HDF5 files, or no folder at all: exit 3', async () => {
    await mkdir(join(dir, 'nothing'));
    await writeFile(join(dir, 'nothing', 'README.txt'), 'no embeddings here');
    await bad('nothing', ['none'], 3, /the folder holds no HDF5 files/);
    // A mistyped folder is not taken for a FASTA that lacks embedder.path.
    await bad('nothing', ['none'], 3, /nothing-typo: paths\.dataset does not exist/, [
      'train',
      `paths.dataset=${join(dir, 'nothing-typo')}`,
      'embedder=precomputed',
    ]);
  });

  it('a class with no file in the multiclass task: exit 3 saying which', async () => {
    await mkdir(join(dir, 'no-c'));
    if (h5pyAvailable()) {
      const { data } = makeFolder('no-c-full', '--per-family', '2', '--families', '3');
      await rm(join(data, 'card_class_c_embeddings.h5'));
      await bad(
        'no-c',
        ['none'],
        3,
        /no proteins labelled C for the multiclass task/,
        trainArgs(data),
      );
    }
  });

  it('a folder without embedder=precomputed, or with embedder.path: exit 2', async () => {
    await mkdir(join(dir, 'cfg'));
    await bad(
      'cfg',
      ['none'],
      2,
      /is a folder, which is read as HDF5 embedding files.*Fix: add embedder=precomputed/,
      ['train', `paths.dataset=${join(dir, 'cfg')}`],
    );
    await bad('cfg', ['none'], 2, /embedder\.path=x\.h5 is set too/, [
      'train',
      `paths.dataset=${join(dir, 'cfg')}`,
      'embedder=precomputed',
      'embedder.path=x.h5',
    ]);
  });
});
