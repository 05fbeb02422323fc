// Tests of the HDF5 embedding store on real files, plus agreement with h5py (Debian python3-h5py) in both directions.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
// Only this test imports h5wasm besides the store itself: it crafts files the store refuses to write.
import h5wasm from 'h5wasm/node';
import { describe, expect, it } from 'vitest';
import { createRng } from '../core/rng.ts';
import {
  datasetNameForId,
  float16ToNumber,
  hasHdf5Signature,
  openEmbeddingWriter,
  readEmbeddings,
  writeEmbeddings,
  type EmbeddingEntry,
} from './h5wasm-embedding-store.ts';
import { caught } from './test-support/caught.ts';
import { useTempDir } from './test-support/temp-dir.ts';

const dir = useTempDir('arginator-h5-');

/** Seeded float32 vector in [-1, 1): the same generator the Python side implements. */
function seededVector(seed: number, dim: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: dim }, () => Math.fround(rng() * 2 - 1));
}

/** Writes datasets with h5wasm directly, for shapes and types the store itself never writes. */
async function craft(
  name: string,
  datasets: readonly {
    name: string;
    data: Float32Array | Float64Array | Int32Array;
    shape: number[];
    dtype: string;
  }[],
): Promise<string> {
  await h5wasm.ready;
  const path = join(dir(), name);
  const file = new h5wasm.File(path, 'w');
  try {
    for (const d of datasets) {
      file.create_dataset(d);
    }
  } finally {
    file.close();
  }
  return path;
}

describe('writeEmbeddings / readEmbeddings round trip', () => {
  it('keeps ids (including /, %, | and non-ASCII), order and exact values', async () => {
    const ids = ['sp|P12345|X', 'a/b', 'c%2Fd', '50%/x/', 'β-lactamase_1', '.', 'WP_0001.1'];
    const entries = ids.map((id, i) => ({ id, vector: seededVector(i + 1, 16) }));
    const path = join(dir(), 'out.h5');
    await expect(writeEmbeddings(path, entries)).resolves.toEqual({ count: ids.length });
    const set = await readEmbeddings(path);
    expect(set.ids).toEqual(ids);
    expect(set.dim).toBe(16);
    set.vectors.forEach((v, i) => {
      expect(Array.from(v)).toEqual(Array.from(entries[i]?.vector ?? []));
    });
  });

  it("escapes '/' and '%' in dataset names and stores the exact id as original_id", async () => {
    const path = join(dir(), 'escaped.h5');
    await writeEmbeddings(path, [{ id: 'x/y%z', vector: seededVector(1, 4) }]);
    await h5wasm.ready;
    const file = new h5wasm.File(path, 'r');
    try {
      expect(file.keys()).toEqual(['x%2Fy%25z']);
      const dataset = file.get('x%2Fy%25z');
      expect(dataset).toBeInstanceOf(h5wasm.Dataset);
      expect(
        (dataset as InstanceType<typeof h5wasm.Dataset>).get_attribute('original_id', false),
      ).toBe('x/y%z');
      expect((dataset as InstanceType<typeof h5wasm.Dataset>).dtype).toBe('<f');
    } finally {
      file.close();
    }
  });

  it('maps ids to dataset names reversibly', () => {
    expect(datasetNameForId('sp|P1|X')).toBe('sp|P1|X');
    expect(datasetNameForId('a/b')).toBe('a%2Fb');
    expect(datasetNameForId('a%2Fb')).toBe('a%252Fb');
    expect(datasetNameForId('..')).toBe('%2E%2E');
  });

  it('accepts async iterables and takes dim from the first vector', async () => {
    async function* generate(): AsyncGenerator<EmbeddingEntry> {
      await Promise.resolve();
      yield { id: 'p1', vector: seededVector(1, 8) };
      yield { id: 'p2', vector: seededVector(2, 8) };
    }
    const path = join(dir(), 'async.h5');
    await writeEmbeddings(path, generate());
    expect((await readEmbeddings(path)).ids).toEqual(['p1', 'p2']);
  });

  it('reports progress and checks expectedDim', async () => {
    const path = join(dir(), 'p.h5');
    await writeEmbeddings(
      path,
      [1, 2, 3].map((s) => ({ id: `p${s}`, vector: seededVector(s, 8) })),
    );
    const calls: [number, number][] = [];
    await readEmbeddings(path, {
      expectedDim: 8,
      onProgress: (done, total) => calls.push([done, total]),
    });
    expect(calls).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    const e = await caught(readEmbeddings(path, { expectedDim: 1024 }));
    expect(e.reason).toBe('hdf5.dimension-mismatch');
    expect(e.oneLine()).toContain("dataset 'p1' has 8 values; 1024 are expected");
  });

  it('reads a file whose superblock sits after a 512-byte user block', async () => {
    const path = join(dir(), 'plain.h5');
    await writeEmbeddings(path, [{ id: 'p1', vector: seededVector(1, 4) }]);
    const shifted = join(dir(), 'userblock.h5');
    await writeFile(shifted, Buffer.concat([Buffer.alloc(512), await readFile(path)]));
    expect(await hasHdf5Signature(shifted)).toBe(true);
    expect((await readEmbeddings(shifted)).ids).toEqual(['p1']);
  });
});

describe('atomic writes', () => {
  it('leaves the previous file untouched and no temp file when a write fails', async () => {
    const path = join(dir(), 'keep.h5');
    await writeEmbeddings(path, [{ id: 'old', vector: seededVector(1, 4) }]);
    const bad = [
      { id: 'new1', vector: seededVector(2, 4) },
      { id: 'new2', vector: Float32Array.from([1, Number.NaN, 0, 0]) },
    ];
    const e = await caught(writeEmbeddings(path, bad));
    expect(e.reason).toBe('hdf5.not-finite');
    expect(e.message).toContain("protein 'new2'");
    expect(e.message).toContain('index 1');
    expect((await readEmbeddings(path)).ids).toEqual(['old']);
    expect(await readdir(dir())).toEqual(['keep.h5']);
  });

  it('streams through a writer and only shows the file after close()', async () => {
    const path = join(dir(), 'sub', 'stream.h5');
    const writer = await openEmbeddingWriter(path, 4);
    writer.add('p1', seededVector(1, 4));
    writer.add('p/2', seededVector(2, 4));
    expect(existsSync(path)).toBe(false);
    await expect(writer.close()).resolves.toEqual({ count: 2 });
    expect((await readEmbeddings(path)).ids).toEqual(['p1', 'p/2']);
    expect(await readdir(join(dir(), 'sub'))).toEqual(['stream.h5']);
  });

  it('rejects duplicate ids, wrong lengths and empty input', async () => {
    const writer = await openEmbeddingWriter(join(dir(), 'w.h5'), 4);
    writer.add('p1', seededVector(1, 4));
    expect(() => {
      writer.add('p1', seededVector(2, 4));
    }).toThrow(/occurs twice/);
    expect(() => {
      writer.add('p2', seededVector(2, 5));
    }).toThrow(/has 5 values; this file holds 4/);
    await writer.abort();
    await writer.abort();
    expect(await readdir(dir())).toEqual([]);
    const e = await caught(writeEmbeddings(join(dir(), 'none.h5'), []));
    expect(e.reason).toBe('hdf5.empty');
    expect(await readdir(dir())).toEqual([]);
  });

  it('stops on abort and removes the temp file', async () => {
    const controller = new AbortController();
    function* entries(): Generator<EmbeddingEntry> {
      yield { id: 'p1', vector: seededVector(1, 4) };
      controller.abort();
      yield { id: 'p2', vector: seededVector(2, 4) };
    }
    const e = await caught(
      writeEmbeddings(join(dir(), 'a.h5'), entries(), { signal: controller.signal }),
    );
    expect(e.code).toBe('CANCELLED');
    expect(await readdir(dir())).toEqual([]);
  });
});

describe('readEmbeddings rejects bad input with the file, the dataset and the fix', () => {
  it('missing file, folder, non-HDF5 bytes, FASTA and gzip', async () => {
    const missing = await caught(readEmbeddings(join(dir(), 'nope.h5')));
    expect(missing.reason).toBe('hdf5.not-found');
    expect(missing.code).toBe('BAD_INPUT');
    expect(missing.oneLine()).toContain('nope.h5');

    expect((await caught(readEmbeddings(dir()))).reason).toBe('hdf5.not-a-file');

    const fasta = join(dir(), 'seqs.h5');
    await writeFile(fasta, '>p1\nMKV\n');
    const notHdf5 = await caught(readEmbeddings(fasta));
    expect(notHdf5.reason).toBe('hdf5.not-hdf5');
    expect(notHdf5.message).toContain('like FASTA');
    expect(notHdf5.hint).toContain('FASTA');

    const gz = join(dir(), 'x.h5');
    await writeFile(gz, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]));
    expect((await caught(readEmbeddings(gz))).message).toContain('gzip');

    const empty = join(dir(), 'empty.h5');
    await writeFile(empty, '');
    expect((await caught(readEmbeddings(empty))).message).toContain('empty');
  });

  it('a file with no datasets', async () => {
    await h5wasm.ready;
    const path = join(dir(), 'groups-only.h5');
    const file = new h5wasm.File(path, 'w');
    file.create_group('nothing-here');
    file.close();
    const e = await caught(readEmbeddings(path));
    expect(e.reason).toBe('hdf5.empty');
    expect(e.location.source).toBe(path);
  });

  it('datasets of different lengths', async () => {
    const path = await craft('mixed.h5', [
      { name: 'a', data: seededVector(1, 4), shape: [4], dtype: '<f4' },
      { name: 'b', data: seededVector(2, 5), shape: [5], dtype: '<f4' },
    ]);
    const e = await caught(readEmbeddings(path));
    expect(e.reason).toBe('hdf5.dimension-mismatch');
    expect(e.oneLine()).toContain(`${path}: dataset 'b' has 5 values but 'a' has 4`);
  });

  it('per-residue 2-D datasets, with a mean-pool hint', async () => {
    const path = await craft('residues.h5', [
      { name: 'p1', data: new Float32Array(12), shape: [3, 4], dtype: '<f4' },
    ]);
    const e = await caught(readEmbeddings(path));
    expect(e.reason).toBe('hdf5.not-1d');
    expect(e.message).toContain("dataset 'p1' has shape [3, 4]");
    expect(e.hint).toContain('mean-pool');
  });

  it('NaN and Infinity, naming the id and the index', async () => {
    const path = await craft('nan.h5', [
      { name: 'ok', data: seededVector(1, 4), shape: [4], dtype: '<f4' },
      {
        name: 'bad',
        data: Float32Array.from([0, 0, Number.POSITIVE_INFINITY, 0]),
        shape: [4],
        dtype: '<f4',
      },
    ]);
    const e = await caught(readEmbeddings(path));
    expect(e.reason).toBe('hdf5.not-finite');
    expect(e.message).toBe("dataset 'bad' has a non-finite value (Infinity) at index 2");
  });

  it('integer datasets', async () => {
    const path = await craft('int.h5', [
      { name: 'p1', data: Int32Array.from([1, 2]), shape: [2], dtype: '<i4' },
    ]);
    const e = await caught(readEmbeddings(path));
    expect(e.reason).toBe('hdf5.bad-dtype');
    expect(e.message).toContain('32-bit integer');
  });

  it('converts float64 datasets to float32', async () => {
    const doubles = Float64Array.from([0.1, -0.2, 1e-3]);
    const path = await craft('f64.h5', [{ name: 'p1', data: doubles, shape: [3], dtype: '<f8' }]);
    const set = await readEmbeddings(path);
    expect(Array.from(set.vectors[0] ?? [])).toEqual(Array.from(doubles, Math.fround));
  });

  it('reads float16 datasets (little- and big-endian) written by h5py', async () => {
    // Bytes of a file made by h5py 3.7.0, gzip + base64:
    //   with h5py.File('half.h5', 'w', libver='latest') as f:
    //       f.create_dataset('P1', data=np.array([1.5, -2.25, 65504, 2**-24], dtype=np.float16))
    //       f.create_dataset('P2', data=np.array([0.0, -0.0, 0.099975586, -1024], dtype='>f2'))
    const HALF_H5_GZ_B64 =
      'H4sICJewB2sCA2hhbGYuaDUA6/RwcePlkuJi5uBggIH/UCAAFTKAij+Om1Pm7+ESxKQwfQN7NjKuYBJC1ggDXEwMjAwMbLwMQIop' +
      'wPAw1ByYgNF5RqiIGQOZYL7aCVmwkxgZGBlFGBiYGBkZWaByMJpZhIFRUIGfgQnME2DgYmXg4geyWIGuY+biALqchZEB6lV4IGxg' +
      'GHIgrHj2Q6LCQhF/WHAMg7B4dUAtn2EUjIJRMApGAR5g13DgfzWoHm5g0Et7wgAATBjwGBAIAAA=';
    const path = join(dir(), 'half.h5');
    await writeFile(path, gunzipSync(Buffer.from(HALF_H5_GZ_B64, 'base64')));
    const set = await readEmbeddings(path);
    expect(set.ids).toEqual(['P1', 'P2']);
    expect(Array.from(set.vectors[0] ?? [])).toEqual([1.5, -2.25, 65504, 2 ** -24]);
    expect(Array.from(set.vectors[1] ?? [])).toEqual([0, -0, 0.0999755859375, -1024]);
  });

  it('decodes float16 specials', () => {
    expect(float16ToNumber(0x3c00)).toBe(1);
    expect(float16ToNumber(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(float16ToNumber(0xfc00)).toBe(Number.NEGATIVE_INFINITY);
    expect(float16ToNumber(0x7e00)).toBeNaN();
    expect(float16ToNumber(0x0001)).toBe(2 ** -24);
  });

  it('stops when the signal is aborted', async () => {
    const path = join(dir(), 'p.h5');
    await writeEmbeddings(path, [{ id: 'p1', vector: seededVector(1, 4) }]);
    const e = await caught(readEmbeddings(path, { signal: AbortSignal.abort() }));
    expect(e.code).toBe('CANCELLED');
  });
});

// ---------------------------------------------------------------------------------------------
// Agreement with h5py. Debian's /usr/bin/python3 has python3-h5py; a pyenv `python3` may not.

const PYTHON = '/usr/bin/python3';
const HAVE_H5PY =
  existsSync(PYTHON) &&
  spawnSync(PYTHON, ['-c', 'import h5py, numpy'], { encoding: 'utf8' }).status === 0;
const DIM = 1024;

/** Datasets compared with h5py in this run; the CI guard below fails if this stays 0. */
let compared = 0;

const PY_MULBERRY32 = `
def mulberry32(seed):
    a = seed & 0xFFFFFFFF
    def imul(x, y):
        return (x * y) & 0xFFFFFFFF
    def rng():
        nonlocal a
        a = (a + 0x6D2B79F5) & 0xFFFFFFFF
        t = imul(a ^ (a >> 15), a | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296
    return rng
`;

/** h5py writes the layouts other tools produce: flat ids, an id with '/', bio_embeddings' original_id, float16/64, gzip. */
const PY_WRITE = `
import sys, json, hashlib
import h5py, numpy as np
${PY_MULBERRY32}
def vec(seed, dim, dtype=np.float32):
    r = mulberry32(seed)
    return np.array([r() * 2 - 1 for _ in range(dim)], dtype=np.float64).astype(dtype)

path, dim = sys.argv[1], int(sys.argv[2])
out = {}
with h5py.File(path, 'w') as f:
    f.create_dataset('sp|P12345|X', data=vec(1, dim))
    f.create_dataset('tr/Q9XYZ1/frag', data=vec(2, dim))   # h5py makes groups tr -> Q9XYZ1
    f.create_dataset('WP_012345678.1', data=vec(3, dim))
    f.create_dataset('\u03b2-lactamase_1', data=vec(4, dim))
    f.create_dataset('gz|P5', data=vec(5, dim), compression='gzip', shuffle=True)
    f.create_dataset('f64|P6', data=vec(6, dim, np.float64))
    half = vec(7, dim, np.float16)
    f.create_dataset('f16|P7', data=half)
    out['f16|P7'] = half.astype(np.float64).tolist()
    d = f.create_dataset(hashlib.md5(b'MKVLAAGIVGL').hexdigest(), data=vec(8, dim))
    d.attrs['original_id'] = 'bio|P8/x y'
print(json.dumps(out))
`;

/** h5py reads our file and reports every dataset name, its original_id, dtype, shape and values. */
const PY_READ = `
import sys, json
import h5py, numpy as np
rows = []
with h5py.File(sys.argv[1], 'r') as f:
    for name in f:
        d = f[name]
        rows.append({'name': name, 'original_id': d.attrs.get('original_id'), 'dtype': d.dtype.str,
                     'shape': list(d.shape), 'values': d[()].astype(np.float64).tolist()})
print(json.dumps(rows))
`;

function runPython(script: string, args: readonly string[]): string {
  const result = spawnSync(PYTHON, ['-c', script, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`python failed (${result.status}): ${result.stderr}`);
  }
  return result.stdout;
}

describe.skipIf(!HAVE_H5PY)('agreement with h5py 3 (python3-h5py)', () => {
  it('our reader reads h5py files: same ids, same float32 values', async () => {
    const path = join(dir(), 'from-h5py.h5');
    const halfValues = JSON.parse(runPython(PY_WRITE, [path, String(DIM)])) as Record<
      string,
      number[]
    >;
    const set = await readEmbeddings(path, { expectedDim: DIM });
    const expected = new Map<string, number[]>([
      ['sp|P12345|X', Array.from(seededVector(1, DIM))],
      ['tr/Q9XYZ1/frag', Array.from(seededVector(2, DIM))],
      ['WP_012345678.1', Array.from(seededVector(3, DIM))],
      ['β-lactamase_1', Array.from(seededVector(4, DIM))],
      ['gz|P5', Array.from(seededVector(5, DIM))],
      ['f64|P6', Array.from(seededVector(6, DIM))],
      ['f16|P7', halfValues['f16|P7'] ?? []],
      ['bio|P8/x y', Array.from(seededVector(8, DIM))],
    ]);
    expect([...set.ids].sort()).toEqual([...expected.keys()].sort());
    for (const [i, id] of set.ids.entries()) {
      expect(Array.from(set.vectors[i] ?? []), id).toEqual(expected.get(id));
      compared++;
    }
  });

  it('h5py reads our files: escaped names with original_id, float32 (1024,), same values', async () => {
    const ids = ['sp|P12345|X', 'a/b/c', '100%', 'β-lactamase_1', 'plain'];
    const path = join(dir(), 'for-h5py.h5');
    await writeEmbeddings(
      path,
      ids.map((id, i) => ({ id, vector: seededVector(100 + i, DIM) })),
    );
    const rows = JSON.parse(runPython(PY_READ, [path])) as {
      name: string;
      original_id: string | null;
      dtype: string;
      shape: number[];
      values: number[];
    }[];
    // The exact id is the original_id attribute where the name had to be escaped, else the name.
    const idOf = (row: { name: string; original_id: string | null }): string =>
      row.original_id ?? row.name;
    expect(rows.map(idOf).sort()).toEqual([...ids].sort());
    for (const row of rows) {
      const index = ids.indexOf(idOf(row));
      const id = ids[index] ?? '';
      expect(row.name).toBe(datasetNameForId(id));
      expect(row.original_id === null).toBe(row.name === id);
      expect(row.dtype).toBe('<f4');
      expect(row.shape).toEqual([DIM]);
      expect(row.values).toEqual(Array.from(seededVector(100 + index, DIM)));
      compared++;
    }
  });
});

it('h5py agreement compared real data when running in CI', () => {
  if (process.env['CI'] === 'true') {
    expect(
      compared,
      `no dataset was compared with h5py: install python3-h5py so that ${PYTHON} can import h5py`,
    ).toBeGreaterThan(0);
  }
});
