import { describe, expect, it } from 'vitest';

import type { AlignmentFacts } from './named-evidence.ts';
import { bitScore, carbapenemaseCall, eValue, evidenceMethod } from './named-evidence.ts';

/** A 300-residue query aligned to a 300-residue reference; `over` changes some facts. */
function facts(over: Partial<AlignmentFacts> = {}): AlignmentFacts {
  return {
    identities: 300,
    length: 300,
    queryLength: 300,
    referenceLength: 300,
    qStart: 0,
    qEnd: 300,
    tStart: 0,
    tEnd: 300,
    evalue: 1e-100,
    ...over,
  };
}

describe('bit score and e-value (Karlin-Altschul, BLOSUM62 11/1)', () => {
  it('match values computed by hand: λ 0.267, K 0.041', () => {
    // (0.267·100 − ln 0.041) / ln 2 = (26.7 + 3.194183) / 0.693147 = 43.1282
    expect(bitScore(100)).toBeCloseTo(43.1282, 4);
    // (0.267·500 + 3.194183) / 0.693147 = 197.2080
    expect(bitScore(500)).toBeCloseTo(197.208, 3);
    // 300 · 10^6 · 2^−43.1282 = 3.1206e-5
    expect(eValue(bitScore(100), 300, 1e6)).toBeCloseTo(3.1206e-5, 8);
    // Twice the database, twice the e-value.
    expect(eValue(40, 300, 2e6) / eValue(40, 300, 1e6)).toBeCloseTo(2, 12);
  });
});

describe('evidenceMethod', () => {
  it('EXACT only when identical over both full lengths', () => {
    expect(evidenceMethod(facts(), true)).toBe('EXACT');
    // One mismatch: 299/300 identity is CLOSE.
    expect(evidenceMethod(facts({ identities: 299 }), true)).toBe('CLOSE');
    // Identical, but the reference is one residue longer.
    expect(evidenceMethod(facts({ referenceLength: 301 }), true)).toBe('CLOSE');
  });

  it('CLOSE at ≥ 90% identity and ≥ 90% reference coverage, PARTIAL below that coverage', () => {
    expect(evidenceMethod(facts({ identities: 270 }), false)).toBe('CLOSE');
    expect(evidenceMethod(facts({ identities: 269 }), false)).toBe('DISTANT');
    // A 150-residue fragment of a 300-residue reference, identical over its length.
    const fragment = facts({
      identities: 150,
      length: 150,
      queryLength: 150,
      qEnd: 150,
      tStart: 100,
      tEnd: 250,
    });
    expect(evidenceMethod(fragment, true)).toBe('PARTIAL');
    expect(evidenceMethod({ ...fragment, tStart: 20, tEnd: 290 }, true)).toBe('CLOSE');
  });

  it('no significant alignment: MODEL for a β-lactamase call, NONE otherwise', () => {
    expect(evidenceMethod(facts({ evalue: 1e-3 }), true)).toBe('EXACT');
    expect(evidenceMethod(facts({ evalue: 1.01e-3 }), true)).toBe('MODEL');
    expect(evidenceMethod(facts({ evalue: 5 }), false)).toBe('NONE');
    expect(evidenceMethod(undefined, true)).toBe('MODEL');
    expect(evidenceMethod(undefined, false)).toBe('NONE');
  });
});

describe('carbapenemaseCall', () => {
  it('yes / no only at EXACT or CLOSE with a known subclass; uncertain otherwise', () => {
    expect(carbapenemaseCall(true, 'EXACT', 'CARBAPENEM')).toBe('yes');
    expect(carbapenemaseCall(true, 'CLOSE', 'CEPHALOSPORIN/CARBAPENEM')).toBe('yes');
    expect(carbapenemaseCall(true, 'CLOSE', 'CEPHALOSPORIN')).toBe('no');
    expect(carbapenemaseCall(true, 'EXACT', 'BETA-LACTAM')).toBe('no');
    expect(carbapenemaseCall(true, 'PARTIAL', 'CARBAPENEM')).toBe('uncertain');
    expect(carbapenemaseCall(true, 'DISTANT', 'BETA-LACTAM')).toBe('uncertain');
    expect(carbapenemaseCall(true, 'MODEL', undefined)).toBe('uncertain');
    expect(carbapenemaseCall(true, 'EXACT', undefined)).toBe('uncertain');
  });

  it('empty for a call that is not a β-lactamase', () => {
    expect(carbapenemaseCall(false, 'EXACT', 'CARBAPENEM')).toBeUndefined();
  });
});
