import { describe, expect, it } from 'vitest';

import { ArginatorError } from '../errors.ts';
import {
  BUILTIN_DIM,
  BUILTIN_FINGERPRINT,
  BUILTIN_ID,
  builtinEmbedderFactory,
  embedSequence,
} from './builtin-embedder.ts';

const TEM1 =
  'MSIQHFRVALIPFFAAFCLPVFAHPETLVKVKDAEDQLGARVGYIELDLNSGKILESFRPEERFPMMSTFKVLLCGAVLSRVDAGQEQLGRRIHYSQNDLVEYSPVTEKHLTDGMTVRELCSAAITMSDNTAANLLLTTIGGPKELTAFLHNMGDHVTRLDRWEPELNEAIPNDERDTTMPAAMATTLRKLLTGELLTLASRQQLIDWMEADKVAGPLLRSALPAGWFIADKSGAGERGSRGIIAALGPDGKPSRIVVIYTTGSQATMDERNRQIAEIGASLIKHW';

function norm(v: Float32Array): number {
  return Math.sqrt(v.reduce((a, x) => a + x * x, 0));
}

describe('builtin-v1 embedder', () => {
  it('has a fixed id, dimension and a fingerprint naming every parameter', () => {
    expect(BUILTIN_ID).toBe('builtin-v1');
    expect(BUILTIN_DIM).toBe(1390);
    expect(BUILTIN_FINGERPRINT).toMatchObject({ id: 'builtin-v1', dim: 1390 });
    expect(JSON.stringify(BUILTIN_FINGERPRINT)).toContain('murphy10');
    expect(embedSequence(TEM1)).toHaveLength(BUILTIN_DIM);
  });

  it('is deterministic and reuses a given output buffer', () => {
    const a = embedSequence(TEM1);
    const out = new Float32Array(BUILTIN_DIM).fill(7);
    const b = embedSequence(TEM1, out);
    expect(b).toBe(out);
    expect(b).toEqual(a);
    expect(embedSequence(TEM1.toLowerCase())).toEqual(a);
  });

  it('returns a unit vector for a real protein', () => {
    expect(norm(embedSequence(TEM1))).toBeCloseTo(1, 5);
  });

  it('never returns NaN, even for one residue or only unknown residues', () => {
    for (const s of ['M', 'XXXX', 'X', 'MX', 'BZJUO*']) {
      const v = embedSequence(s);
      expect(v.every((x) => Number.isFinite(x))).toBe(true);
    }
    // Only the length block is set for an all-unknown sequence.
    expect(norm(embedSequence('XXXX'))).toBeCloseTo(1 / Math.sqrt(5), 6);
  });

  it('matches a hand-computed vector for "AC"', () => {
    // Five blocks of weight 1 → each block has L2 norm 1/sqrt(5).
    // aac: A=1, C=1 → sqrt → (1,1) → each 1/sqrt(2)/sqrt(5). dpc: only 'AC' = index 0*20+1.
    // murphy10 4-mers and motifs: none. length: log2(2)=1 is below the first centre → bin 0.
    const v = embedSequence('AC');
    const expected = new Float32Array(BUILTIN_DIM);
    const w = 1 / Math.sqrt(5);
    expected[0] = w / Math.sqrt(2);
    expected[1] = w / Math.sqrt(2);
    expected[20 + 1] = w;
    expected[BUILTIN_DIM - 12] = w;
    expect(Array.from(v)).toEqual(Array.from(expected));
  });

  it('factory creates the embedder, embeds records in order and honours abort', async () => {
    const e = await builtinEmbedderFactory.create({});
    expect(builtinEmbedderFactory.name).toBe('builtin');
    expect(e.id).toBe(BUILTIN_ID);
    expect(e.dim).toBe(BUILTIN_DIM);
    const vs = await e.embed([
      { id: 'a', description: '', sequence: TEM1 },
      { id: 'b', description: '', sequence: 'M' },
    ]);
    expect(vs[0]).toEqual(embedSequence(TEM1));
    expect(vs[1]).toEqual(embedSequence('M'));
    const ac = new AbortController();
    ac.abort();
    await expect(
      e.embed([{ id: 'a', description: '', sequence: TEM1 }], { signal: ac.signal }),
    ).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    await e.close();
    await e.close();
  });

  it('rejects options with a CONFIG error', async () => {
    await expect(builtinEmbedderFactory.create({ k: 3 })).rejects.toBeInstanceOf(ArginatorError);
    await expect(builtinEmbedderFactory.create({ k: 3 })).rejects.toMatchObject({ code: 'CONFIG' });
  });
});
