import { describe, expect, it } from 'vitest';

import { BLOSUM62, BLOSUM62_SIZE, encodeForAlignment } from '../sequence/blosum62.ts';
import {
  adjustedLambda,
  BACKGROUND,
  composition,
  PSEUDOCOUNTS,
  ungappedLambda,
} from './composition-statistics.ts';
import { KARLIN_LAMBDA } from './named-evidence.ts';

describe('composition-adjusted λ', () => {
  it('background composition gives the published ungapped λ of BLOSUM62 (0.3176) and the gapped 0.267', () => {
    expect(ungappedLambda(BACKGROUND, BACKGROUND)).toBeCloseTo(0.3176, 3);
    expect(adjustedLambda(BACKGROUND, BACKGROUND)).toBeCloseTo(KARLIN_LAMBDA, 12);
  });

  it('λ solves Σ p_i q_j e^{λ s_ij} = 1', () => {
    const p = composition(encodeForAlignment('MKKLLNNNNYIIKNNKDNNYKIILNNK'.repeat(10)));
    const lambda = ungappedLambda(p, BACKGROUND);
    expect(lambda).toBeGreaterThan(0);
    // Recompute the sum with the matrix directly.
    const letters = 'ARNDCQEGHILKMFPSTWYV';
    const codes = encodeForAlignment(letters);
    let sum = 0;
    for (let i = 0; i < 20; i++) {
      for (let j = 0; j < 20; j++) {
        const s = scoreOf(codes[i] as number, codes[j] as number);
        sum += (p[i] as number) * (BACKGROUND[j] as number) * Math.exp(lambda * s);
      }
    }
    expect(sum).toBeCloseTo(1, 9);
  });

  it('an asparagine/lysine-rich pair (an AT-rich genome against a reference like it) is worth fewer bits per score', () => {
    const biased = composition(encodeForAlignment('NNKNIYNKKNNIYKNDNNKNLIK'.repeat(20)));
    const alsoBiased = composition(encodeForAlignment('KNNNKYINKNDNKNNKIYLNNKE'.repeat(20)));
    expect(adjustedLambda(biased, alsoBiased)).toBeLessThan(0.7 * KARLIN_LAMBDA);
    // A typical protein stays close to the standard λ.
    const tem1 = composition(
      encodeForAlignment(
        'MSIQHFRVALIPFFAAFCLPVFAHPETLVKVKDAEDQLGARVGYIELDLNSGKILESFRPEERFPMMSTFKVLLCGAVLSRVDAGQEQLGRRIHYSQNDLVEYSPVTEKHLTDGMTVRELCSAAITMSDNTAANLLLTTIGGPKELTAFLHNMGDHVTRLDRWEPELNEAIPNDERDTTMPAAMATTLRKLLTGELLTLASRQQLIDWMEADKVAGPLLRSALPAGWFIADKSGAGERGSRGIIAALGPDGKPSRIVVIYTTGSQATMDERNRQIAEIGASLIKHW',
      ),
    );
    expect(Math.abs(adjustedLambda(tem1, tem1) / KARLIN_LAMBDA - 1)).toBeLessThan(0.1);
  });

  it('two sequences of one residue score positively on average: λ is 0 (nothing is significant)', () => {
    const polyN = composition(encodeForAlignment('N'.repeat(5000)));
    expect(ungappedLambda(polyN, polyN)).toBe(0);
  });

  it('pseudocounts pull a short sequence towards background', () => {
    const one = composition(encodeForAlignment('W'));
    const w = encodeForAlignment('W')[0] as number;
    expect(one[w]).toBeCloseTo(
      (1 + PSEUDOCOUNTS * (BACKGROUND[w] as number)) / (1 + PSEUDOCOUNTS),
      12,
    );
    expect(one.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });
});

/** BLOSUM62 through the table the kernels use. */
function scoreOf(a: number, b: number): number {
  return BLOSUM62[a * BLOSUM62_SIZE + b] as number;
}
