// Local protein alignment (Smith–Waterman, Gotoh affine gaps, BLOSUM62) for nearest-reference evidence and clustering.
import { BLOSUM62, BLOSUM62_SIZE, encodeForAlignment } from './blosum62.ts';

/** Gap costs: a gap of length k costs `gapOpen + k * gapExtend` (BLAST/DIAMOND convention, defaults 11/1). */
export interface GapCosts {
  readonly gapOpen: number;
  readonly gapExtend: number;
}

export const DEFAULT_GAP_COSTS: GapCosts = { gapOpen: 11, gapExtend: 1 };

/** A query prepared once and aligned against many targets (the hot path: one query, K references). */
export interface QueryProfile {
  readonly length: number;
  /** Residue codes (see blosum62.ts). */
  readonly codes: Uint8Array;
  /**
   * Striped by target residue: scores[r * (length + 1) + i] = BLOSUM62(query[i - 1], r) for i in 1..length,
   * so the inner loop reads one contiguous row per target column.
   */
  readonly scores: Int32Array;
}

/** One optimal local alignment. Ranges are 0-based, end-exclusive. */
export interface LocalAlignment {
  /** Raw score in BLOSUM62 units (no composition adjustment, unlike DIAMOND/BLAST defaults). */
  readonly score: number;
  /** Identical aligned pairs. */
  readonly identities: number;
  /** Alignment columns: aligned pairs plus gap positions (BLAST's "length"). */
  readonly length: number;
  /** identities / length, in [0, 1] (BLAST pident / 100); 0 when there is no alignment. */
  readonly identity: number;
  readonly gapOpenings: number;
  readonly queryStart: number;
  readonly queryEnd: number;
  readonly targetStart: number;
  readonly targetEnd: number;
  /** (queryEnd - queryStart) / query length. */
  readonly queryCoverage: number;
  /** (targetEnd - targetStart) / target length. */
  readonly targetCoverage: number;
}

/** Reusable aligner: owns its DP buffers so repeated calls allocate nothing but results. */
export interface Aligner {
  readonly gaps: GapCosts;
  /** Best local score only: the fast pass, for ranking candidates. */
  score(query: QueryProfile, target: Uint8Array): number;
  /**
   * Best local score restricted to diagonals diagLo ≤ j − i ≤ diagHi (j target, i query position): cost
   * proportional to the band, a lower bound of score(). For candidates whose diagonal a k-mer prefilter
   * already found (cd-hit aligns in a band the same way).
   */
  scoreBanded(query: QueryProfile, target: Uint8Array, diagLo: number, diagHi: number): number;
  /** Best local alignment with identity, coverage and ranges (score pass + reverse pass + traceback). */
  align(query: QueryProfile, target: Uint8Array): LocalAlignment;
}

// Far below any reachable score, yet far from int32 overflow after subtracting gap costs 2^16 times.
const NEG = -(1 << 29);

/** Builds the query profile (residue codes → per-target-residue score rows). */
export function buildQueryProfile(query: Uint8Array | string): QueryProfile {
  const codes = typeof query === 'string' ? encodeForAlignment(query) : query;
  const m = codes.length;
  const stride = m + 1;
  const scores = new Int32Array(BLOSUM62_SIZE * stride);
  for (let r = 0; r < BLOSUM62_SIZE; r++) {
    const row = r * stride;
    for (let i = 1; i <= m; i++) {
      scores[row + i] = BLOSUM62[(codes[i - 1] ?? 0) * BLOSUM62_SIZE + r] ?? 0;
    }
  }
  return { length: m, codes, scores };
}

function emptyAlignment(): LocalAlignment {
  return {
    score: 0,
    identities: 0,
    length: 0,
    identity: 0,
    gapOpenings: 0,
    queryStart: 0,
    queryEnd: 0,
    targetStart: 0,
    targetEnd: 0,
    queryCoverage: 0,
    targetCoverage: 0,
  };
}

/** Creates an aligner with its own workspace. Not re-entrant: use one per concurrent caller. */
export function createAligner(gaps: GapCosts = DEFAULT_GAP_COSTS): Aligner {
  if (!(gaps.gapOpen >= 0 && gaps.gapExtend > 0)) {
    throw new RangeError('gap costs must be gapOpen >= 0 and gapExtend > 0');
  }
  // Cost of the first residue of a gap, and of each further residue.
  const openCost = gaps.gapOpen + gaps.gapExtend;
  const extendCost = gaps.gapExtend;
  let hRow = new Int32Array(0);
  let eRow = new Int32Array(0);
  let revQuery = new Uint8Array(0);
  let revTarget = new Uint8Array(0);
  let trace = new Uint8Array(0);
  // End cell of the last score pass (1-based), read by align().
  let endI = 0;
  let endJ = 0;

  function ensureRows(m: number): void {
    if (hRow.length < m + 1) {
      const size = Math.max(m + 1, hRow.length * 2);
      hRow = new Int32Array(size);
      eRow = new Int32Array(size);
    }
  }

  // Forward Smith–Waterman, score only, the hot path. Target columns outer (four at a time, so the H and E
  // rows are read and written once per four cells and the four columns' dependency chains overlap), query
  // rows inner, reading one profile row per column. max(a, b) is computed branch-free as
  // a - ((a - b) & ((a - b) >> 31)): the comparisons are data-dependent and mispredicted branches cost more
  // than the arithmetic (about 2.5x measured). All values stay in int32 (`| 0`).
  function scorePass(profile: QueryProfile, target: Uint8Array): number {
    // Locals, not closure variables: V8 keeps them in registers in the hot loop.
    const open = openCost;
    const ext = extendCost;
    const m = profile.length;
    const n = target.length;
    ensureRows(m);
    const H = hRow;
    const E = eRow;
    const P = profile.scores;
    const stride = m + 1;
    H.fill(0, 0, m + 1);
    E.fill(NEG, 0, m + 1);
    let best = 0;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = (target[j] as number) * stride;
      const b1 = (target[j + 1] as number) * stride;
      const b2 = (target[j + 2] as number) * stride;
      const b3 = (target[j + 3] as number) * stride;
      // d0: H(i-1, j-1); uc: H(i-1, j+c); fc: F(i-1, j+c); e flows left to right through the block.
      let d0 = 0;
      let u0 = 0;
      let u1 = 0;
      let u2 = 0;
      let u3 = 0;
      let f0 = NEG;
      let f1 = NEG;
      let f2 = NEG;
      let f3 = NEG;
      let colBest = 0;
      for (let i = 1; i <= m; i++) {
        const left = (H[i] as number) | 0;
        let a = ((E[i] as number) - ext) | 0;
        let b = (left - open) | 0;
        let d = (a - b) | 0;
        let e = (a - (d & (d >> 31))) | 0;
        a = (f0 - ext) | 0;
        b = (u0 - open) | 0;
        d = (a - b) | 0;
        f0 = (a - (d & (d >> 31))) | 0;
        let h0 = (d0 + (P[b0 + i] as number)) | 0;
        d = (h0 - e) | 0;
        h0 = (h0 - (d & (d >> 31))) | 0;
        d = (h0 - f0) | 0;
        h0 = (h0 - (d & (d >> 31))) | 0;
        h0 = h0 & ~(h0 >> 31);
        d0 = left;

        a = (e - ext) | 0;
        b = (h0 - open) | 0;
        d = (a - b) | 0;
        e = (a - (d & (d >> 31))) | 0;
        a = (f1 - ext) | 0;
        b = (u1 - open) | 0;
        d = (a - b) | 0;
        f1 = (a - (d & (d >> 31))) | 0;
        let h1 = (u0 + (P[b1 + i] as number)) | 0;
        d = (h1 - e) | 0;
        h1 = (h1 - (d & (d >> 31))) | 0;
        d = (h1 - f1) | 0;
        h1 = (h1 - (d & (d >> 31))) | 0;
        h1 = h1 & ~(h1 >> 31);

        a = (e - ext) | 0;
        b = (h1 - open) | 0;
        d = (a - b) | 0;
        e = (a - (d & (d >> 31))) | 0;
        a = (f2 - ext) | 0;
        b = (u2 - open) | 0;
        d = (a - b) | 0;
        f2 = (a - (d & (d >> 31))) | 0;
        let h2 = (u1 + (P[b2 + i] as number)) | 0;
        d = (h2 - e) | 0;
        h2 = (h2 - (d & (d >> 31))) | 0;
        d = (h2 - f2) | 0;
        h2 = (h2 - (d & (d >> 31))) | 0;
        h2 = h2 & ~(h2 >> 31);

        a = (e - ext) | 0;
        b = (h2 - open) | 0;
        d = (a - b) | 0;
        e = (a - (d & (d >> 31))) | 0;
        a = (f3 - ext) | 0;
        b = (u3 - open) | 0;
        d = (a - b) | 0;
        f3 = (a - (d & (d >> 31))) | 0;
        let h3 = (u2 + (P[b3 + i] as number)) | 0;
        d = (h3 - e) | 0;
        h3 = (h3 - (d & (d >> 31))) | 0;
        d = (h3 - f3) | 0;
        h3 = (h3 - (d & (d >> 31))) | 0;
        h3 = h3 & ~(h3 >> 31);

        u0 = h0;
        u1 = h1;
        u2 = h2;
        u3 = h3;
        H[i] = h3;
        E[i] = e;
        d = (h0 - h1) | 0;
        let mx = (h0 - (d & (d >> 31))) | 0;
        d = (h2 - h3) | 0;
        const my = (h2 - (d & (d >> 31))) | 0;
        d = (mx - my) | 0;
        mx = (mx - (d & (d >> 31))) | 0;
        d = (colBest - mx) | 0;
        colBest = (colBest - (d & (d >> 31))) | 0;
      }
      if (colBest > best) {
        best = colBest;
      }
    }
    for (; j < n; j++) {
      const best1 = column(P, stride, m, target[j] as number, H, E);
      if (best1 > best) {
        best = best1;
      }
    }
    return best;
  }

  // One Smith–Waterman column (branch-free max, as above); returns the column's best H.
  function column(
    P: Int32Array,
    stride: number,
    m: number,
    residue: number,
    H: Int32Array,
    E: Int32Array,
  ): number {
    const open = openCost;
    const ext = extendCost;
    const base = residue * stride;
    let diag = 0;
    let up = 0;
    let f = NEG;
    let colBest = 0;
    for (let i = 1; i <= m; i++) {
      const left = (H[i] as number) | 0;
      let a = ((E[i] as number) - ext) | 0;
      let b = (left - open) | 0;
      let d = (a - b) | 0;
      const e = (a - (d & (d >> 31))) | 0;
      a = (f - ext) | 0;
      b = (up - open) | 0;
      d = (a - b) | 0;
      f = (a - (d & (d >> 31))) | 0;
      let h = (diag + (P[base + i] as number)) | 0;
      d = (h - e) | 0;
      h = (h - (d & (d >> 31))) | 0;
      d = (h - f) | 0;
      h = (h - (d & (d >> 31))) | 0;
      h = h & ~(h >> 31);
      diag = left;
      H[i] = h;
      E[i] = e;
      up = h;
      d = (colBest - h) | 0;
      colBest = (colBest - (d & (d >> 31))) | 0;
    }
    return colBest;
  }

  // Banded score pass: column j updates rows i with diagLo ≤ j − i ≤ diagHi only. The band moves down one
  // row per column, so a row's left neighbour outside the band was never written (still H 0, E NEG), and
  // the rows left above are never read again: no resets needed.
  function bandedPass(
    profile: QueryProfile,
    target: Uint8Array,
    diagLo: number,
    diagHi: number,
  ): number {
    const open = openCost;
    const ext = extendCost;
    const m = profile.length;
    const n = target.length;
    ensureRows(m);
    const H = hRow;
    const E = eRow;
    const P = profile.scores;
    const stride = m + 1;
    H.fill(0, 0, m + 1);
    E.fill(NEG, 0, m + 1);
    let best = 0;
    const jFirst = Math.max(0, diagLo);
    const jLast = Math.min(n - 1, m - 1 + diagHi);
    for (let j = jFirst; j <= jLast; j++) {
      // 1-based rows: i = (j + 1) - d for d in [diagLo, diagHi].
      const iLo = Math.max(1, j + 1 - diagHi);
      const iHi = Math.min(m, j + 1 - diagLo);
      const base = (target[j] as number) * stride;
      let diag = iLo > 1 ? (H[iLo - 1] as number) | 0 : 0;
      let up = 0;
      let f = NEG;
      let colBest = 0;
      for (let i = iLo; i <= iHi; i++) {
        const left = (H[i] as number) | 0;
        let a = ((E[i] as number) - ext) | 0;
        let b = (left - open) | 0;
        let d = (a - b) | 0;
        const e = (a - (d & (d >> 31))) | 0;
        a = (f - ext) | 0;
        b = (up - open) | 0;
        d = (a - b) | 0;
        f = (a - (d & (d >> 31))) | 0;
        let h = (diag + (P[base + i] as number)) | 0;
        d = (h - e) | 0;
        h = (h - (d & (d >> 31))) | 0;
        d = (h - f) | 0;
        h = (h - (d & (d >> 31))) | 0;
        h = h & ~(h >> 31);
        diag = left;
        H[i] = h;
        E[i] = e;
        up = h;
        d = (colBest - h) | 0;
        colBest = (colBest - (d & (d >> 31))) | 0;
      }
      if (colBest > best) {
        best = colBest;
      }
    }
    return best;
  }

  // Score pass that also finds the end cell (1-based endI, endJ): one column at a time, so that the row
  // can be located in the rare columns that raise the best (first such cell in column-major order).
  function endPass(profile: QueryProfile, target: Uint8Array): number {
    const m = profile.length;
    const n = target.length;
    ensureRows(m);
    const H = hRow;
    const E = eRow;
    const stride = m + 1;
    H.fill(0, 0, m + 1);
    E.fill(NEG, 0, m + 1);
    let best = 0;
    let bi = 0;
    let bj = 0;
    for (let j = 0; j < n; j++) {
      const colBest = column(profile.scores, stride, m, target[j] as number, H, E);
      if (colBest > best) {
        best = colBest;
        bj = j + 1;
        for (let i = 1; i <= m; i++) {
          if (H[i] === best) {
            bi = i;
            break;
          }
        }
      }
    }
    endI = bi;
    endJ = bj;
    return best;
  }

  // Anchored pass over the reversed prefixes ending at the best cell: the alignment must start at the
  // reversed origin (no zero floor), so the first cell reaching `best` gives the start of an optimal
  // local alignment that ends exactly at (endI, endJ).
  function startPass(q: Uint8Array, t: Uint8Array, best: number): [number, number] {
    const open = openCost;
    const ext = extendCost;
    const S = BLOSUM62;
    const m = q.length;
    const n = t.length;
    ensureRows(m);
    const H = hRow;
    const E = eRow;
    H[0] = 0;
    for (let i = 1; i <= m; i++) {
      H[i] = -(gaps.gapOpen + i * ext);
      E[i] = NEG;
    }
    for (let j = 1; j <= n; j++) {
      const tr = (t[j - 1] as number) * BLOSUM62_SIZE;
      let diag = j === 1 ? 0 : -(gaps.gapOpen + (j - 1) * ext);
      let up = -(gaps.gapOpen + j * ext);
      let f = NEG;
      for (let i = 1; i <= m; i++) {
        // Branch-free max as in scorePass; values stay within [NEG - gaps, best], so no int32 overflow.
        const left = (H[i] as number) | 0;
        let a = ((E[i] as number) - ext) | 0;
        let b = (left - open) | 0;
        let d = (a - b) | 0;
        const e = (a - (d & (d >> 31))) | 0;
        a = (f - ext) | 0;
        b = (up - open) | 0;
        d = (a - b) | 0;
        f = (a - (d & (d >> 31))) | 0;
        let h = (diag + (S[tr + (q[i - 1] as number)] as number)) | 0;
        d = (h - e) | 0;
        h = (h - (d & (d >> 31))) | 0;
        d = (h - f) | 0;
        h = (h - (d & (d >> 31))) | 0;
        d = (h - NEG) | 0;
        h = (NEG + (d & ~(d >> 31))) | 0;
        diag = left;
        H[i] = h;
        E[i] = e;
        up = h;
        if (h === best) {
          return [i, j];
        }
      }
    }
    return [m, n];
  }

  // Needleman–Wunsch (Gotoh) with traceback on q[qs, qe) × t[ts, te). The local optimum starts and ends
  // exactly there, so the global optimum of this rectangle is an optimal local alignment.
  function traceback(
    q: Uint8Array,
    t: Uint8Array,
    qs: number,
    qe: number,
    ts: number,
    te: number,
  ): { score: number; identities: number; length: number; gapOpenings: number } {
    const open = openCost;
    const ext = extendCost;
    const S = BLOSUM62;
    const a = qe - qs;
    const b = te - ts;
    const w = b + 1;
    const cells = (a + 1) * w;
    if (trace.length < cells) {
      trace = new Uint8Array(Math.max(cells, trace.length * 2));
    }
    // Bits: 0–1 where H came from (0 diagonal, 1 E = gap in query, 2 F = gap in target);
    // 2: E extended (else opened from H); 3: F extended.
    const D = trace;
    ensureRows(Math.max(a, b));
    // Row-major over query i; Hrow/Erow hold the previous query row indexed by target j.
    const H = hRow;
    const F = eRow; // F (vertical) carried down each column j
    H[0] = 0;
    D[0] = 0;
    for (let j = 1; j <= b; j++) {
      H[j] = -(gaps.gapOpen + j * ext);
      F[j] = NEG;
      D[j] = 1 | (j > 1 ? 4 : 0);
    }
    for (let i = 1; i <= a; i++) {
      const qr = (q[qs + i - 1] as number) * BLOSUM62_SIZE;
      const row = i * w;
      let diag = H[0];
      let left = -(gaps.gapOpen + i * ext);
      H[0] = left;
      D[row] = 2 | (i > 1 ? 8 : 0);
      let e = NEG;
      for (let j = 1; j <= b; j++) {
        const upH = H[j] as number;
        let bits = 0;
        // E: gap in query, moving along the target.
        const eExt = e - ext;
        const eOpen = left - open;
        if (eExt > eOpen) {
          e = eExt;
          bits |= 4;
        } else {
          e = eOpen;
        }
        const fExt = (F[j] as number) - ext;
        const fOpen = upH - open;
        let f: number;
        if (fExt > fOpen) {
          f = fExt;
          bits |= 8;
        } else {
          f = fOpen;
        }
        let h = diag + (S[qr + (t[ts + j - 1] as number)] as number);
        if (e > h) {
          h = e;
          bits |= 1;
        }
        if (f > h) {
          h = f;
          bits = (bits & ~3) | 2;
        }
        diag = upH;
        H[j] = h;
        F[j] = f;
        left = h;
        D[row + j] = bits;
      }
    }
    const score = H[b] as number;
    let i = a;
    let j = b;
    let state = 0;
    let identities = 0;
    let length = 0;
    let gapOpenings = 0;
    while (i > 0 || j > 0) {
      const bits = D[i * w + j] as number;
      if (state === 0) {
        const src = bits & 3;
        if (src === 0) {
          if (q[qs + i - 1] === t[ts + j - 1]) {
            identities++;
          }
          i--;
          j--;
          length++;
        } else {
          state = src;
        }
        continue;
      }
      length++;
      if (state === 1) {
        j--;
        if ((bits & 4) === 0) {
          state = 0;
          gapOpenings++;
        }
      } else {
        i--;
        if ((bits & 8) === 0) {
          state = 0;
          gapOpenings++;
        }
      }
    }
    return { score, identities, length, gapOpenings };
  }

  function reverseInto(src: Uint8Array, end: number, which: 'q' | 't'): Uint8Array {
    let buf = which === 'q' ? revQuery : revTarget;
    if (buf.length < end) {
      buf = new Uint8Array(Math.max(end, buf.length * 2));
      if (which === 'q') {
        revQuery = buf;
      } else {
        revTarget = buf;
      }
    }
    for (let k = 0; k < end; k++) {
      buf[k] = src[end - 1 - k] as number;
    }
    return buf.subarray(0, end);
  }

  function align(profile: QueryProfile, target: Uint8Array): LocalAlignment {
    const m = profile.length;
    const n = target.length;
    const best = endPass(profile, target);
    if (best <= 0) {
      return emptyAlignment();
    }
    const qe = endI;
    const te = endJ;
    const [ri, rj] = startPass(
      reverseInto(profile.codes, qe, 'q'),
      reverseInto(target, te, 't'),
      best,
    );
    const qs = qe - ri;
    const ts = te - rj;
    const tb = traceback(profile.codes, target, qs, qe, ts, te);
    if (tb.score !== best) {
      throw new Error(`alignment traceback score ${tb.score} differs from best ${best}`);
    }
    return {
      score: best,
      identities: tb.identities,
      length: tb.length,
      identity: tb.length === 0 ? 0 : tb.identities / tb.length,
      gapOpenings: tb.gapOpenings,
      queryStart: qs,
      queryEnd: qe,
      targetStart: ts,
      targetEnd: te,
      queryCoverage: m === 0 ? 0 : (qe - qs) / m,
      targetCoverage: n === 0 ? 0 : (te - ts) / n,
    };
  }

  return {
    gaps,
    score: scorePass,
    scoreBanded: bandedPass,
    align,
  };
}

/** Convenience for one-off calls: aligns two sequences given as strings. */
export function alignLocal(query: string, target: string, gaps?: GapCosts): LocalAlignment {
  return createAligner(gaps).align(buildQueryProfile(query), encodeForAlignment(target));
}
