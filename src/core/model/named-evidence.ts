// Named evidence of a call, AMRFinderPlus style: bit score and e-value of the nearest alignment, the method word, the carbapenemase call.
import type { CarbapenemaseCall, EvidenceMethod } from '../domain.ts';

/**
 * Karlin-Altschul parameters of gapped BLOSUM62 with gap open 11 / extend 1 (a gap of k costs
 * 11 + k, core/sequence/align.ts), from NCBI BLAST's table `blosum62_values` in
 * algo/blast/core/blast_stat.c: the row {11, 1, INT2_MAX, 0.267, 0.041, 0.14, 1.9, -30, ...}
 * (gap open, extend, decline, lambda, K, H, ...).
 */
export const KARLIN_LAMBDA = 0.267;
export const KARLIN_K = 0.041;

/** One reference's names, as AMRFinderPlus's catalogue gives them ('' = not given). */
export interface ReferenceNames {
  readonly gene: string;
  readonly family: string;
  readonly subclass: string;
}

/** An alignment is significant at or below this e-value (DIAMOND's default --evalue 0.001). */
export const SIGNIFICANT_EVALUE = 1e-3;
/** CLOSE and PARTIAL need this identity; CLOSE also this coverage of the reference (AMRFinderPlus). */
export const CLOSE_IDENTITY = 0.9;
export const CLOSE_COVERAGE = 0.9;

/**
 * Bit score of a raw Smith-Waterman score S: (λS − ln K) / ln 2; λ is BLOSUM62 11/1's unless given
 * (a composition-adjusted one, core/model/composition-statistics.ts).
 */
export function bitScore(score: number, lambda = KARLIN_LAMBDA): number {
  return (lambda * score - Math.log(KARLIN_K)) / Math.LN2;
}

/**
 * E-value of a bit score for a query of `queryLength` residues against a database of
 * `databaseResidues` residues: m·n·2^(−bits). No edge-length correction (BLAST and DIAMOND shorten
 * m and n by the expected HSP length), so ours is slightly larger (more conservative) for short queries.
 */
export function eValue(bits: number, queryLength: number, databaseResidues: number): number {
  return queryLength * databaseResidues * 2 ** -bits;
}

/** The nearest alignment as the method rule reads it; ranges 0-based, end-exclusive. */
export interface AlignmentFacts {
  readonly identities: number;
  /** Alignment columns (aligned pairs plus gap positions). */
  readonly length: number;
  readonly queryLength: number;
  readonly referenceLength: number;
  readonly qStart: number;
  readonly qEnd: number;
  readonly tStart: number;
  readonly tEnd: number;
  readonly evalue: number;
}

/**
 * The method word. `alignment` undefined = no alignment at all. Coverage is of the reference, as
 * AMRFinderPlus measures it (a fragment of a known gene is PARTIAL, a fusion holding one is CLOSE).
 */
export function evidenceMethod(
  alignment: AlignmentFacts | undefined,
  betaLactamaseCall: boolean,
): EvidenceMethod {
  if (alignment === undefined || !(alignment.evalue <= SIGNIFICANT_EVALUE)) {
    return betaLactamaseCall ? 'MODEL' : 'NONE';
  }
  const a = alignment;
  const identity = a.length === 0 ? 0 : a.identities / a.length;
  const coverage = a.referenceLength === 0 ? 0 : (a.tEnd - a.tStart) / a.referenceLength;
  const whole =
    a.qStart === 0 && a.qEnd === a.queryLength && a.tStart === 0 && a.tEnd === a.referenceLength;
  if (whole && a.queryLength === a.referenceLength && a.identities === a.length) {
    return 'EXACT';
  }
  if (identity >= CLOSE_IDENTITY) {
    return coverage >= CLOSE_COVERAGE ? 'CLOSE' : 'PARTIAL';
  }
  return 'DISTANT';
}

/** True when a drug subclass (e.g. `CARBAPENEM`, `CARBAPENEM/CEPHALOSPORIN`) names carbapenems. */
export function namesCarbapenem(subclass: string | undefined): boolean {
  return subclass !== undefined && subclass.toUpperCase().split('/').includes('CARBAPENEM');
}

/**
 * Whether a call is a carbapenemase; undefined (empty column) unless it is a β-lactamase call.
 * yes / no only when the nearest reference is EXACT or CLOSE and its subclass is known: its
 * subclass names CARBAPENEM or not. PARTIAL, DISTANT or MODEL, or a reference without metadata:
 * uncertain (a few substitutions can add or remove carbapenem activity, so a distant hit decides nothing).
 */
export function carbapenemaseCall(
  betaLactamaseCall: boolean,
  method: EvidenceMethod,
  subclass: string | undefined,
): CarbapenemaseCall | undefined {
  if (!betaLactamaseCall) {
    return undefined;
  }
  if ((method === 'EXACT' || method === 'CLOSE') && subclass !== undefined && subclass !== '') {
    return namesCarbapenem(subclass) ? 'yes' : 'no';
  }
  return 'uncertain';
}

/**
 * The method of an alignment verdict under another call (the binary view of a multiclass model can
 * turn a call): MODEL and NONE swap with the call, alignment words stay.
 */
export function methodForCall(method: EvidenceMethod, betaLactamaseCall: boolean): EvidenceMethod {
  if (method === 'MODEL' || method === 'NONE') {
    return betaLactamaseCall ? 'MODEL' : 'NONE';
  }
  return method;
}
