// Tests of the folder-of-HDF5-files dataset loader (labels from file names), on real files (ours and h5py's).
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeEmbeddings } from './h5wasm-embedding-store.ts';
import {
  defaultClassPattern,
  labelForFileName,
  loadHdf5LabelledFolder,
} from './hdf5-labelled-folder.ts';
import { caught } from './test-support/caught.ts';
import { useTempDir } from './test-support/temp-dir.ts';
import { h5pyAvailable, MAKE_FOLDER, PYTHON } from './test-support/h5py.ts';

const dir = useTempDir('arginator-h5-folder-');

async function classFile(name: string, ids: readonly string[], dim = 3): Promise<void> {
  await writeEmbeddings(
    join(dir(), name),
    ids.map((id, i) => ({ id, vector: new Float32Array(dim).fill(i + 1) })),
  );
}

/** The original system's layout: one file per class. */
async function originalLayout(): Promise<void> {
  await classFile('card_class_a_embeddings.h5', ['a1', 'a2']);
  await classFile('card_class_b_embeddings.h5', ['b1']);
  await classFile('card_class_c_embeddings.h5', ['c1']);
  await classFile('card_class_d_embeddings.h5', ['d1', 'd/2']);
  await classFile('non_betalactamase_embeddings.h5', ['n1', 'n2', 'n3']);
  await writeFile(join(dir(), 'README.txt'), 'not an embedding file');
}

describe('labelForFileName', () => {
  it('binary: names with non at a word start are negative, all others positive', () => {
    expect(labelForFileName('non_betalactamase_embeddings.h5', 'binary')).toBe('Non-Betalactamase');
    expect(labelForFileName('NonBL.h5', 'binary')).toBe('Non-Betalactamase');
    expect(labelForFileName('nbl_proteins.h5', 'binary')).toBe('Non-Betalactamase');
    expect(labelForFileName('card_class_a_embeddings.h5', 'binary')).toBe('Betalactamase');
    expect(labelForFileName('canonical_class_a.h5', 'binary')).toBe('Betalactamase');
  });

  it('multiclass: the pattern’s capture group in upper case, NBL for non files', () => {
    expect(labelForFileName('card_class_a_embeddings.h5', 'multiclass')).toBe('A');
    expect(labelForFileName('classD.h5', 'multiclass')).toBe('D');
    expect(labelForFileName('class-b1_metallo.h5', 'multiclass')).toBe('B');
    expect(labelForFileName('non_betalactamase_embeddings.h5', 'multiclass')).toBe('NBL');
    expect(labelForFileName('class_ab.h5', 'multiclass')).toBeUndefined();
    expect(labelForFileName('proteins.h5', 'multiclass')).toBeUndefined();
    expect(labelForFileName('ambler_E.h5', 'multiclass', /ambler_([a-z])/i, ['A', 'E'])).toBe('E');
    expect(
      labelForFileName('ambler_F.h5', 'multiclass', /ambler_([a-z])/i, ['A', 'E']),
    ).toBeUndefined();
    expect(String(defaultClassPattern())).toBe('/class[_-]?(A|B|C|D)(?![a-z])/i');
  });
});

describe('loadHdf5LabelledFolder', () => {
  it('labels the original layout for the multiclass task, with a per-file summary', async () => {
    await originalLayout();
    const progress: number[] = [];
    const loaded = await loadHdf5LabelledFolder(dir(), {
      task: 'multiclass',
      onProgress: (done) => progress.push(done),
    });
    expect(loaded.dim).toBe(3);
    expect(loaded.examples.map((e) => `${e.id}:${e.label}`)).toEqual([
      'a1:A',
      'a2:A',
      'b1:B',
      'c1:C',
      'd1:D',
      'd/2:D',
      'n1:NBL',
      'n2:NBL',
      'n3:NBL',
    ]);
    expect(Array.from(loaded.examples[1]?.vector ?? [])).toEqual([2, 2, 2]);
    expect(loaded.files).toEqual([
      { file: 'card_class_a_embeddings.h5', label: 'A', count: 2, dim: 3 },
      { file: 'card_class_b_embeddings.h5', label: 'B', count: 1, dim: 3 },
      { file: 'card_class_c_embeddings.h5', label: 'C', count: 1, dim: 3 },
      { file: 'card_class_d_embeddings.h5', label: 'D', count: 2, dim: 3 },
      { file: 'non_betalactamase_embeddings.h5', label: 'NBL', count: 3, dim: 3 },
    ]);
    expect(progress).toEqual([1, 2, 3, 4, 5]);
  });

  it('labels the same folder for the binary task', async () => {
    await originalLayout();
    const loaded = await loadHdf5LabelledFolder(dir(), { task: 'binary' });
    const counts = new Map<string, number>();
    for (const e of loaded.examples) {
      counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
    }
    expect(Object.fromEntries(counts)).toEqual({ Betalactamase: 6, 'Non-Betalactamase': 3 });
  });

  it('names the file and the pattern when a file name has no class', async () => {
    await originalLayout();
    await classFile('extra_proteins.h5', ['x1']);
    const e = await caught(loadHdf5LabelledFolder(dir(), { task: 'multiclass' }));
    expect(e.reason).toBe('hdf5.unlabelled-file');
    expect(e.message).toContain("'extra_proteins.h5'");
    expect(e.message).toContain('/class[_-]?(A|B|C|D)(?![a-z])/i');
    expect(e.hint).toContain('class_A');
  });

  it('names both files when an id is in two of them', async () => {
    await classFile('class_a.h5', ['p1', 'p2']);
    await classFile('non_bla.h5', ['p3', 'p2']);
    const e = await caught(loadHdf5LabelledFolder(dir(), { task: 'binary' }));
    expect(e.reason).toBe('hdf5.duplicate-id');
    expect(e.message).toBe("protein id 'p2' is in both 'class_a.h5' and 'non_bla.h5'");
  });

  it('names the first file when dimensions differ between files', async () => {
    await classFile('class_a.h5', ['p1'], 3);
    await classFile('class_b.h5', ['p2'], 4);
    const e = await caught(loadHdf5LabelledFolder(dir(), { task: 'multiclass' }));
    expect(e.reason).toBe('hdf5.dimension-mismatch');
    expect(e.message).toContain("the first file, 'class_a.h5', has 3");
    expect(e.location.source).toBe(join(dir(), 'class_b.h5'));
  });

  it('rejects a pattern without exactly one capture group', async () => {
    await originalLayout();
    for (const classPattern of [/class_[abcd]/i, /(class)_([abcd])/i]) {
      const e = await caught(loadHdf5LabelledFolder(dir(), { task: 'multiclass', classPattern }));
      expect(e.code).toBe('USAGE');
    }
    const ok = await loadHdf5LabelledFolder(dir(), {
      task: 'multiclass',
      classPattern: /(?:card_)?class_([abcd])/gi,
    });
    expect(ok.examples).toHaveLength(9);
  });

  it('rejects a missing folder, a file instead of a folder, and a folder without HDF5 files', async () => {
    expect(
      (await caught(loadHdf5LabelledFolder(join(dir(), 'nope'), { task: 'binary' }))).reason,
    ).toBe('hdf5.not-found');
    await writeFile(join(dir(), 'file.txt'), 'x');
    expect(
      (await caught(loadHdf5LabelledFolder(join(dir(), 'file.txt'), { task: 'binary' }))).reason,
    ).toBe('hdf5.not-a-folder');
    await mkdir(join(dir(), 'empty'));
    expect(
      (await caught(loadHdf5LabelledFolder(join(dir(), 'empty'), { task: 'binary' }))).reason,
    ).toBe('hdf5.no-files');
  });

  it('stops when the signal is aborted', async () => {
    await originalLayout();
    const e = await caught(
      loadHdf5LabelledFolder(dir(), { task: 'binary', signal: AbortSignal.abort() }),
    );
    expect(e.code).toBe('CANCELLED');
  });
});

// ---------------------------------------------------------------------------------------------
// The original system's files, written by python3-h5py (fixtures/prott5-folder/make_folder.py).

function makeFolder(...flags: string[]): string {
  const data = join(dir(), 'data');
  const r = spawnSync(
    PYTHON,
    [MAKE_FOLDER, data, join(dir(), 'q.h5'), '--per-family', '2', '--families', '3', ...flags],
    { encoding: 'utf8' },
  );
  expect(r.status, r.stderr).toBe(0);
  return data;
}

describe('loadHdf5LabelledFolder on h5py files in the original layout', () => {
  it('reads every protein with its class from the file name and h5py’s exact float32 values', async () => {
    if (!h5pyAvailable()) {
      return;
    }
    const data = makeFolder();
    const loaded = await loadHdf5LabelledFolder(data, { task: 'multiclass', expectedDim: 1024 });
    expect(loaded.dim).toBe(1024);
    expect(loaded.files.map((f) => `${f.file}:${f.label}:${f.count}`)).toEqual([
      'card_class_a_embeddings.h5:A:6',
      'card_class_b_embeddings.h5:B:6',
      'card_class_c_embeddings.h5:C:6',
      'card_class_d_embeddings.h5:D:6',
      'non_betalactamase_embeddings.h5:NBL:6',
    ]);
    for (const e of loaded.examples) {
      // Ids are '<class>_f<family>_p<n>': the file gave the right class to every one.
      expect(e.label).toBe(e.id.split('_')[0]);
    }
    const script = [
      'import h5py, json, sys',
      'f = h5py.File(sys.argv[1], "r")',
      'd = f["C_f2_p01"]',
      'print(json.dumps({"dtype": d.dtype.str, "shape": list(d.shape), "values": d[()].astype("float64").tolist()}))',
    ].join('\n');
    const py = spawnSync(PYTHON, ['-c', script, join(data, 'card_class_c_embeddings.h5')], {
      encoding: 'utf8',
    });
    expect(py.status, py.stderr).toBe(0);
    const theirs = JSON.parse(py.stdout) as { dtype: string; shape: number[]; values: number[] };
    expect(theirs.dtype).toBe('<f4');
    expect(theirs.shape).toEqual([1024]);
    const ours = loaded.examples.find((e) => e.id === 'C_f2_p01');
    expect(Array.from(ours?.vector ?? [])).toEqual(theirs.values);
  });

  it('binary: every class file is Betalactamase and the non_betalactamase file the negative', async () => {
    if (!h5pyAvailable()) {
      return;
    }
    const loaded = await loadHdf5LabelledFolder(makeFolder('--suffix', '_2023'), {
      task: 'binary',
    });
    const files = loaded.files.map((f) => `${f.file}:${f.label}`);
    expect(files).toContain('non_betalactamase_embeddings_2023.h5:Non-Betalactamase');
    expect(files.filter((f) => f.endsWith(':Betalactamase'))).toHaveLength(4);
  });

  it.each([
    ['name', 'hdf5.unlabelled-file', 'card_extra_embeddings.h5'],
    ['dim', 'hdf5.dimension-mismatch', 'card_class_d_embeddings.h5'],
    ['empty', 'hdf5.empty', 'card_class_c_embeddings.h5'],
    ['nan', 'hdf5.not-finite', 'card_class_b_embeddings.h5'],
  ])('a bad folder (%s) is refused as bad data (%s), naming %s', async (bad, reason, file) => {
    if (!h5pyAvailable()) {
      return;
    }
    const e = await caught(
      loadHdf5LabelledFolder(makeFolder('--bad', bad), { task: 'multiclass' }),
    );
    expect(e.code).toBe('BAD_INPUT');
    expect(e.reason).toBe(reason);
    expect(`${e.location.source ?? ''} ${e.message}`).toContain(file);
    expect(e.hint).not.toBe('');
  });
});
