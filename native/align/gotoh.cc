// Scalar Smith-Waterman (Gotoh affine gaps) with traceback over residue codes, for homology
// evidence: the full-matrix kernel, and the banded one around the main diagonal of shared 3-mers.
// Same recurrences as src/core/sequence/align.ts: a gap of length k costs open + k * extend.
#include "gotoh.h"

#include <algorithm>
#include <climits>

namespace arginator {

namespace {

// Fills w.prof[r * (m + 1) + i] = mat[q[i-1]][r].
void sw_profile(const uint8_t* q, int m, const int8_t* mat, int size, SwWork& w) {
  w.prof.assign((size_t)size * (m + 1), 0);
  for (int r = 0; r < size; r++)
    for (int i = 1; i <= m; i++) w.prof[(size_t)r * (m + 1) + i] = mat[(size_t)q[i - 1] * size + r];
}

}  // namespace

// Best local score; with `out`, also traces back: out = score, identities, length, qs, qe, ts, te.
int32_t sw_run(const uint8_t* q, int m, const uint8_t* t, int n, const int8_t* mat, int size,
                      int open, int ext, SwWork& w, int32_t* out) {
  const int32_t oc = open + ext, NEG = -(1 << 29);
  sw_profile(q, m, mat, size, w);
  w.h.assign(m + 1, 0);
  w.e.assign(m + 1, NEG);
  const bool tb = out != nullptr;
  // trace bits per cell: 0-1 H source (0 stop, 1 diag, 2 E, 3 F), 4 E extends, 8 F extends.
  if (tb) w.trace.assign((size_t)(m + 1) * (n + 1), 0);
  int32_t best = 0;
  int bi = 0, bj = 0;
  int32_t* H = w.h.data();
  int32_t* E = w.e.data();
  for (int j = 1; j <= n; j++) {
    const int32_t* pr = w.prof.data() + (size_t)t[j - 1] * (m + 1);
    int32_t diag = 0, hup = 0, f = NEG;
    uint8_t* tr = tb ? w.trace.data() + (size_t)j * (m + 1) : nullptr;
    for (int i = 1; i <= m; i++) {
      const int32_t eo = H[i] - oc, ee = E[i] - ext;
      const int32_t e = eo > ee ? eo : ee;
      const int32_t fo = hup - oc, fe = f - ext;
      f = fo > fe ? fo : fe;
      int32_t h = diag + pr[i];
      uint8_t src = 1;
      if (e > h) { h = e; src = 2; }
      if (f > h) { h = f; src = 3; }
      if (h <= 0) { h = 0; src = 0; }
      if (tb) tr[i] = (uint8_t)(src | (ee > eo ? 4 : 0) | (fe > fo ? 8 : 0));
      diag = H[i];
      H[i] = h;
      E[i] = e;
      hup = h;
      if (h > best) { best = h; bi = i; bj = j; }
    }
  }
  if (tb) {
    int i = bi, j = bj, ident = 0, len = 0, state = 0;  // 0 = H, 1 = E (gap in query), 2 = F (gap in target)
    while (i > 0 && j > 0) {
      const uint8_t c = w.trace[(size_t)j * (m + 1) + i];
      if (state == 0) {
        const int src = c & 3;
        if (src == 0) break;
        if (src == 1) {
          if (q[i - 1] == t[j - 1]) ident++;
          len++; i--; j--;
          continue;
        }
        state = src == 2 ? 1 : 2;
      }
      if (state == 1) {  // consumed target residue j against a gap
        const bool extend = (c & 4) != 0;
        len++; j--;
        if (!extend) state = 0;
      } else {
        const bool extend = (c & 8) != 0;
        len++; i--;
        if (!extend) state = 0;
      }
    }
    out[0] = best; out[1] = ident; out[2] = len; out[3] = i; out[4] = bi; out[5] = j; out[6] = bj;
  }
  return best;
}

// The most common diagonal (target position - query position) of shared 3-mers, or INT32_MIN if none.
// Residue codes >= 20 (B, Z, X, *) break words.
int32_t main_diagonal(const uint8_t* q, int m, const uint8_t* t, int n, std::vector<int32_t>& head,
                             std::vector<int32_t>& next, std::vector<int32_t>& votes) {
  const int WORDS = 20 * 20 * 20;
  head.assign(WORDS, -1);
  next.assign(n > 0 ? n : 1, -1);
  for (int j = 0; j + 2 < n; j++) {
    if (t[j] >= 20 || t[j + 1] >= 20 || t[j + 2] >= 20) continue;
    const int c = (t[j] * 20 + t[j + 1]) * 20 + t[j + 2];
    next[j] = head[c];
    head[c] = j;
  }
  votes.assign((size_t)m + n + 1, 0);
  int32_t best = 0, bestDiag = INT32_MIN;
  for (int i = 0; i + 2 < m; i++) {
    if (q[i] >= 20 || q[i + 1] >= 20 || q[i + 2] >= 20) continue;
    const int c = (q[i] * 20 + q[i + 1]) * 20 + q[i + 2];
    for (int j = head[c]; j >= 0; j = next[j]) {
      const int32_t v = ++votes[(size_t)(j - i + m)];
      if (v > best) { best = v; bestDiag = j - i; }
    }
  }
  return bestDiag;
}

// Local alignment restricted to diagonals dLo <= j - i <= dHi (1-based cells), with traceback in the
// band only. Same recurrences and tie-breaking as sw_run. Returns the band's best score; fills out.
int32_t sw_banded(const uint8_t* q, int m, const uint8_t* t, int n, const int8_t* mat, int size,
                         int open, int ext, int dLo, int dHi, SwWork& w, int32_t* out) {
  const int32_t oc = open + ext, NEG = -(1 << 29);
  const int W = dHi - dLo + 1;
  // The profile of the query rows the band covers only: a whole-query profile cost size × m writes
  // per call, more than the band's n × W cells for a long query (a 3,000-residue proteome protein
  // against a 300-residue reference).
  const int i0 = std::max(1, 1 - dHi), i1 = std::min(m, n - dLo);
  if (i0 > i1) {
    out[0] = 0; out[1] = 0; out[2] = 0; out[3] = 0; out[4] = 0; out[5] = 0; out[6] = 0;
    return 0;
  }
  const int span = i1 - i0 + 1;
  w.prof.resize((size_t)size * span);
  for (int r = 0; r < size; r++) {
    int32_t* row = w.prof.data() + (size_t)r * span;
    for (int i = i0; i <= i1; i++) row[i - i0] = mat[(size_t)q[i - 1] * size + r];
  }
  w.h.assign(m + 1, 0);
  w.e.assign(m + 1, NEG);
  w.trace.assign((size_t)(n + 1) * W, 0);
  int32_t* H = w.h.data();
  int32_t* E = w.e.data();
  int32_t best = 0;
  int bi = 0, bj = 0;
  for (int j = 1; j <= n; j++) {
    const int iLo = std::max(1, j - dHi), iHi = std::min(m, j - dLo);
    if (iLo > iHi) continue;
    // pr[i - i0] = mat[q[i - 1]][t[j - 1]] for i0 <= i <= i1 (the band's rows of this column are within).
    const int32_t* pr = w.prof.data() + (size_t)t[j - 1] * span;
    int32_t diag = iLo - 1 >= 1 ? H[iLo - 1] : 0, hup = NEG, f = NEG;
    // A row entering the band at the bottom was never computed: H = 0 (an empty local path), E = NEG.
    uint8_t* tr = w.trace.data() + (size_t)j * W;
    for (int i = iLo; i <= iHi; i++) {
      const int32_t eo = H[i] - oc, ee = E[i] - ext;
      const int32_t e = eo > ee ? eo : ee;
      const int32_t fo = hup - oc, fe = f - ext;
      f = fo > fe ? fo : fe;
      int32_t h = diag + pr[i - i0];
      uint8_t src = 1;
      if (e > h) { h = e; src = 2; }
      if (f > h) { h = f; src = 3; }
      if (h <= 0) { h = 0; src = 0; }
      tr[i - (j - dHi)] = (uint8_t)(src | (ee > eo ? 4 : 0) | (fe > fo ? 8 : 0));
      diag = H[i];
      H[i] = h;
      E[i] = e;
      hup = h;
      if (h > best) { best = h; bi = i; bj = j; }
    }
  }
  int i = bi, j = bj, ident = 0, len = 0, state = 0;
  while (i > 0 && j > 0) {
    const int off = i - (j - dHi);
    if (off < 0 || off >= W) break;  // cannot happen for in-band paths; stops a runaway traceback
    const uint8_t c = w.trace[(size_t)j * W + off];
    if (state == 0) {
      const int src = c & 3;
      if (src == 0) break;
      if (src == 1) {
        if (q[i - 1] == t[j - 1]) ident++;
        len++; i--; j--;
        continue;
      }
      state = src == 2 ? 1 : 2;
    }
    if (state == 1) {
      const bool extend = (c & 4) != 0;
      len++; j--;
      if (!extend) state = 0;
    } else {
      const bool extend = (c & 8) != 0;
      len++; i--;
      if (!extend) state = 0;
    }
  }
  out[0] = best; out[1] = ident; out[2] = len; out[3] = i; out[4] = bi; out[5] = j; out[6] = bj;
  return best;
}
}  // namespace arginator
