// The 'builtin-v1' embedder (src/core/embed/builtin-embedder.ts) in C++: a whole batch per call, bit-identical Float32 vectors.
//
// The TypeScript featurizer is the reference; this file hard-codes its layout (aa20 1-mers, aa20
// 2-mers, Murphy-10 4-mers hashed into 512 bins, the catalytic-motif block, the length block) and
// replays its arithmetic in the same precision and order: counts are float32 increments (the motif
// counts float64, as in motif-features.ts), sqrt and the sums of squares are float64 on the
// unrounded sqrt, every scaled value is float64 product rounded once to float32. The only
// transcendental, log2 of the length, comes from a table the caller fills with Math.log2, so libm
// differences cannot change a bit. src/kernels/native-builtin-embedder.test.ts compares the two.
#include "../addon.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

// A fused multiply-add would round v*v+ss once instead of twice and change low bits: forbid it
// (aarch64 has FMA in its base ISA; x86-64 code here is built without FMA anyway).
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace arginator {

namespace {

constexpr uint8_t UNK = 255;
// Block offsets of builtin-v1 (BUILTIN_BLOCKS): 20 + 400 + 512 + 446 + 12 = 1390.
constexpr int OFF_AA1 = 0;
constexpr int OFF_AA2 = 20;
constexpr int OFF_M4 = 420;
constexpr int M4_SHIFT = 23;  // 32 - log2(512)
constexpr uint32_t FIB_HASH = 0x9e3779b1u;
constexpr int OFF_MOTIF = 932;
constexpr int MOTIF_DIM = 446;
constexpr int OFF_LEN = OFF_MOTIF + MOTIF_DIM;
constexpr int LEN_DIM = 12;
constexpr int DIM = OFF_LEN + LEN_DIM;
constexpr int LOG2_TABLE = 2049;  // Math.log2(0..2048); longer proteins clamp to the last length bin

// Motif sub-blocks (motif-features.ts MOTIF_SUBBLOCKS), relative to the motif block.
constexpr int M_COUNTS = 0, M_KTG = 12, M_SXN = 28, M_YXN = 38, M_SXV = 48, M_RELPOS = 58,
              M_CTX_S = 66, M_CTX_K = 186, M_CTX_H = 296;
constexpr int SUBBLOCKS[8] = {M_COUNTS, M_KTG, M_SXN, M_RELPOS, M_CTX_S, M_CTX_K, M_CTX_H, MOTIF_DIM};

// AA20 codes ('ACDEFGHIKLMNPQRSTVWY').
constexpr uint8_t A = 0, D = 2, E = 3, G = 5, H = 6, K = 8, L = 9, N = 11, S = 15, T = 16, V = 17,
                  Y = 19;

// Padding after each protein's codes: the motif scan looks up to 5 residues ahead unchecked.
constexpr int PAD = 8;

struct Tables {
  uint8_t ascii[256];
  uint8_t murphy10[256];
  double sqrt_small[4096];
  double w_block;  // 1/sqrt(5): five blocks of weight 1
  double w_share;  // 1/sqrt(7): seven motif sub-blocks
  Tables() {
    const char* aa20 = "ACDEFGHIKLMNPQRSTVWY";
    std::memset(ascii, UNK, sizeof ascii);
    for (int i = 0; i < 20; i++) {
      ascii[(uint8_t)aa20[i]] = (uint8_t)i;
      ascii[(uint8_t)(aa20[i] - 'A' + 'a')] = (uint8_t)i;
    }
    const char* groups[10] = {"LVIM", "C", "A", "G", "ST", "P", "FYW", "EDNQ", "KR", "H"};
    std::memset(murphy10, UNK, sizeof murphy10);
    for (int g = 0; g < 10; g++) {
      for (const char* p = groups[g]; *p; p++) {
        murphy10[ascii[(uint8_t)*p]] = (uint8_t)g;
      }
    }
    for (int k = 0; k < 4096; k++) sqrt_small[k] = std::sqrt((double)k);
    w_block = 1.0 / std::sqrt(5.0);
    w_share = 1.0 / std::sqrt(7.0);
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

// Math.sqrt of a float32 count (exactly rounded either way; the table skips the sqrt instruction).
inline double sqrt_count(float f, const Tables& t) {
  const int k = (int)f;
  return (f >= 0.0f && f < 4096.0f && (float)k == f) ? t.sqrt_small[k] : std::sqrt((double)f);
}

// block-norm.ts scaleBlock.
inline void scale_block(float* out, int len, double ss, double weight) {
  if (!(ss > 0)) return;
  const double s = weight / std::sqrt(ss);
  for (int i = 0; i < len; i++) out[i] = (float)((double)out[i] * s);
}

// block-norm.ts sqrtL2Block: ss sums the unrounded float64 sqrt, as the TypeScript does.
inline void sqrt_l2_block(float* out, int len, double weight, const Tables& t) {
  double ss = 0;
  for (int i = 0; i < len; i++) {
    const double v = sqrt_count(out[i], t);
    out[i] = (float)v;
    ss += v * v;
  }
  scale_block(out, len, ss, weight);
}

// block-norm.ts l2Block.
inline void l2_block(float* out, int len, double weight) {
  double ss = 0;
  for (int i = 0; i < len; i++) {
    const double v = out[i];
    ss += v * v;
  }
  scale_block(out, len, ss, weight);
}

struct Scratch {
  std::vector<uint8_t> codes;
  std::vector<int32_t> sxxk, ktg;
};

inline void add_context(const uint8_t* codes, int n, int at, int from, int to, float* base,
                        const Tables& t) {
  for (int o = from; o <= to; o++) {
    const int p = at + o;
    if (p < 0 || p >= n) continue;
    const uint8_t letter = t.murphy10[codes[p]];
    if (letter != UNK) base[(o - from) * 10 + letter] += 1.0f;
  }
}

inline void add_spacing(int dist, int lo, int width, int bins, float* base) {
  const double b = std::floor((double)(dist - lo) / (double)width);
  if (b >= 0 && b < bins) base[(int)b] += 1.0f;
}

// motif-features.ts addMotifFeatures (raw counts). codes[n .. n + PAD) must be UNK.
void add_motif(const uint8_t* codes, int n, float* out, Scratch& sc, const Tables& t) {
  double c[12] = {0};
  sc.sxxk.clear();
  sc.ktg.clear();
  for (int i = 0; i < n; i++) {
    const uint8_t r = codes[i];
    if (r == S) {
      if (codes[i + 3] == K) {
        c[0] += 1;
        sc.sxxk.push_back(i);
      }
      if (codes[i + 2] == N) {
        c[2] += 1;
        if (codes[i + 1] == D) c[1] += 1;
      }
      if (codes[i + 2] == V) c[5] += 1;
    } else if (r == Y && codes[i + 2] == N) {
      c[4] += 1;
      if (codes[i + 1] == A) c[3] += 1;
    } else if (r == K && codes[i + 2] == G) {
      const uint8_t m = codes[i + 1];
      if (m == T || m == S) {
        c[m == T ? 6 : 7] += 1;
        sc.ktg.push_back(i);
      }
    } else if (r == H && codes[i + 2] == H && codes[i + 4] == D) {
      c[8] += 1;
      if (codes[i + 5] == H) c[9] += 1;
      add_context(codes, n, i, -6, 8, out + M_CTX_H, t);
    } else if (r == N && codes[i + 2] == H && codes[i + 4] == D) {
      c[10] += 1;
    } else if (r == E && codes[i + 2] == E && codes[i + 3] == L && codes[i + 4] == N) {
      c[11] += 1;
    }
  }
  for (int j = 0; j < 12; j++) out[M_COUNTS + j] = (float)c[j];
  const int nK = (int)sc.ktg.size();
  for (const int s : sc.sxxk) {
    bool plausible = false;
    for (int b = 0; b < nK; b++) {
      const int d = sc.ktg[b] - s;
      if (d > 0) {
        add_spacing(d, 40, 20, 16, out + M_KTG);
        if (d >= 100 && d <= 300) {
          if (!plausible) add_context(codes, n, s, -4, 7, out + M_CTX_S, t);
          add_context(codes, n, sc.ktg[b], -4, 6, out + M_CTX_K, t);
          plausible = true;
        }
      }
    }
    if (plausible) {
      const double rel = std::min(7.0, std::floor(((double)s / (double)n) * 8.0));
      out[M_RELPOS + (int)rel] += 1.0f;
    }
    const int hi = std::min(n - 2, s + 120);
    for (int p = s + 20; p < hi; p++) {
      const uint8_t r = codes[p];
      if (r == S) {
        if (codes[p + 2] == N) {
          add_spacing(p - s, 20, 10, 10, out + M_SXN);
        } else if (codes[p + 2] == V) {
          add_spacing(p - s, 20, 10, 10, out + M_SXV);
        }
      } else if (r == Y && codes[p + 2] == N) {
        add_spacing(p - s, 20, 10, 10, out + M_YXN);
      }
    }
  }
}

// length-features.ts addLengthFeatures.
void add_length(int length, const double* log2_table, float* out) {
  const double lg = log2_table[std::min(std::max(1, length), LOG2_TABLE - 1)];
  const double x = (lg - 5.5) / 0.5;
  const double clamped = std::min((double)(LEN_DIM - 1), std::max(0.0, x));
  const double lo = std::floor(clamped);
  const double frac = clamped - lo;
  const int i = (int)lo;
  out[i] = (float)(1 - frac);
  if (frac > 0 && i + 1 < LEN_DIM) out[i + 1] = (float)frac;
}

// One protein: `codes` (AA20 or UNK, PAD UNKs after the end) → out[0 .. DIM).
void embed_one(const uint8_t* codes, int n, const double* log2_table, float* out, Scratch& sc,
               const Tables& t) {
  std::memset(out, 0, sizeof(float) * DIM);
  float* aa1 = out + OFF_AA1;
  float* aa2 = out + OFF_AA2;
  float* m4 = out + OFF_M4;
  // Rolling k-mer codes, restarted after an unknown residue (murphy10 is unknown exactly where aa20 is).
  int run = 0;
  uint32_t prev = 0;
  uint32_t code4 = 0;
  for (int i = 0; i < n; i++) {
    const uint8_t c = codes[i];
    if (c == UNK) {
      run = 0;
      code4 = 0;
      continue;
    }
    aa1[c] += 1.0f;
    if (run >= 1) aa2[prev * 20 + c] += 1.0f;
    prev = c;
    code4 = (code4 % 1000) * 10 + t.murphy10[c];
    run++;
    if (run >= 4) m4[(code4 * FIB_HASH) >> M4_SHIFT] += 1.0f;
  }
  sqrt_l2_block(out + OFF_AA1, 20, t.w_block, t);
  sqrt_l2_block(out + OFF_AA2, 400, t.w_block, t);
  sqrt_l2_block(out + OFF_M4, 512, t.w_block, t);
  float* motif = out + OFF_MOTIF;
  add_motif(codes, n, motif, sc, t);
  for (int b = 0; b < 7; b++) {
    sqrt_l2_block(motif + SUBBLOCKS[b], SUBBLOCKS[b + 1] - SUBBLOCKS[b], t.w_share, t);
  }
  l2_block(motif, MOTIF_DIM, t.w_block);
  add_length(n, log2_table, out + OFF_LEN);
  l2_block(out + OFF_LEN, LEN_DIM, t.w_block);
}

// A batch: proteins as one byte string with n+1 offsets (ASCII letters; bytes >= 128 are unknown).
struct Batch {
  std::vector<uint8_t> text;
  std::vector<int64_t> offsets;
  double log2_table[LOG2_TABLE];
  float* out = nullptr;
  int threads = 1;
};

void embed_range(const Batch& b, size_t from, size_t to) {
  const Tables& t = tables();
  Scratch sc;
  for (size_t p = from; p < to; p++) {
    const int64_t start = b.offsets[p];
    const int n = (int)(b.offsets[p + 1] - start);
    if (sc.codes.size() < (size_t)n + PAD) sc.codes.resize((size_t)n * 2 + PAD);
    uint8_t* codes = sc.codes.data();
    const uint8_t* src = b.text.data() + start;
    for (int i = 0; i < n; i++) codes[i] = t.ascii[src[i]];
    std::memset(codes + n, UNK, PAD);
    embed_one(codes, n, b.log2_table, b.out + p * DIM, sc, t);
  }
}

// Splits the proteins in two by residue count when asked for two threads.
void run_batch(const Batch& b) {
  const size_t n = b.offsets.size() - 1;
  if (b.threads < 2 || n < 2) {
    embed_range(b, 0, n);
    return;
  }
  const int64_t half = b.offsets[n] / 2;
  size_t mid = (size_t)(std::lower_bound(b.offsets.begin(), b.offsets.end(), half) - b.offsets.begin());
  mid = std::min(std::max<size_t>(mid, 1), n - 1);
  std::thread other([&] { embed_range(b, mid, n); });
  embed_range(b, 0, mid);
  other.join();
}

// ---------------------------------------------------------------------------------------------
// N-API glue.

bool throw_range(napi_env env, const char* msg) {
  napi_throw_range_error(env, nullptr, msg);
  return false;
}

// Reads the sequences (a JS array of strings) into b.text/b.offsets. UTF-16 code units are read
// exactly, so a letter beyond Latin-1 stays unknown instead of aliasing its low byte.
bool read_sequences(napi_env env, napi_value array, Batch& b) {
  bool is_array = false;
  if (napi_is_array(env, array, &is_array) != napi_ok || !is_array) {
    return throw_range(env, "builtinEmbed: sequences must be an array of strings");
  }
  uint32_t n = 0;
  napi_get_array_length(env, array, &n);
  b.offsets.resize((size_t)n + 1);
  b.offsets[0] = 0;
  std::vector<char16_t> wide;
  std::vector<napi_value> values(n);
  size_t total = 0;
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    napi_get_element(env, array, i, &v);
    size_t len = 0;
    if (napi_get_value_string_utf16(env, v, nullptr, 0, &len) != napi_ok) {
      return throw_range(env, "builtinEmbed: sequences must be an array of strings");
    }
    values[i] = v;
    total += len;
    b.offsets[i + 1] = (int64_t)total;
  }
  b.text.resize(total);
  for (uint32_t i = 0; i < n; i++) {
    const size_t len = (size_t)(b.offsets[i + 1] - b.offsets[i]);
    if (wide.size() < len + 1) wide.resize(len + 1);
    size_t copied = 0;
    napi_get_value_string_utf16(env, values[i], wide.data(), len + 1, &copied);
    uint8_t* dst = b.text.data() + b.offsets[i];
    for (size_t j = 0; j < copied; j++) {
      const char16_t c = wide[j];
      dst[j] = c < 128 ? (uint8_t)c : (uint8_t)0x80;  // 0x80 maps to UNK
    }
  }
  return true;
}

struct AsyncJob {
  Batch batch;
  napi_async_work work = nullptr;
  napi_deferred deferred = nullptr;
  napi_ref out_ref = nullptr;
};

// builtinEmbed(sequences: string[], log2Table: Float64Array(2049), threads: 1|2, async: boolean)
//   → Float32Array(n × 1390), or a Promise of it when async (embedded on a libuv worker thread).
napi_value BuiltinEmbed(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 4) {
    throw_range(env, "builtinEmbed(sequences, log2Table, threads, async)");
    return nullptr;
  }
  auto* job = new AsyncJob();
  Batch& b = job->batch;
  if (!read_sequences(env, argv[0], b)) {
    delete job;
    return nullptr;
  }
  bool is_ta = false;
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_value ab;
  size_t offset = 0;
  if (napi_is_typedarray(env, argv[1], &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, argv[1], &type, &length, &data, &ab, &offset) != napi_ok ||
      type != napi_float64_array || length != LOG2_TABLE) {
    delete job;
    throw_range(env, "builtinEmbed: log2Table must be a Float64Array of Math.log2(0..2048)");
    return nullptr;
  }
  std::memcpy(b.log2_table, data, sizeof b.log2_table);
  int32_t threads = 1;
  napi_get_value_int32(env, argv[2], &threads);
  b.threads = threads >= 2 ? 2 : 1;
  bool async = false;
  napi_get_value_bool(env, argv[3], &async);

  const size_t n = b.offsets.size() - 1;
  napi_value buffer, result;
  void* out = nullptr;
  if (napi_create_arraybuffer(env, n * DIM * sizeof(float), &out, &buffer) != napi_ok) {
    delete job;
    throw_range(env, "builtinEmbed: could not allocate the output");
    return nullptr;
  }
  napi_create_typedarray(env, napi_float32_array, n * DIM, buffer, 0, &result);
  b.out = static_cast<float*>(out);
  if (!async) {
    run_batch(b);
    delete job;
    return result;
  }
  napi_value promise, name;
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_reference(env, result, 1, &job->out_ref);
  napi_create_string_utf8(env, "arginator.builtinEmbed", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(
      env, nullptr, name, [](napi_env, void* p) { run_batch(static_cast<AsyncJob*>(p)->batch); },
      [](napi_env env, napi_status, void* p) {
        auto* job = static_cast<AsyncJob*>(p);
        napi_value value;
        napi_get_reference_value(env, job->out_ref, &value);
        napi_resolve_deferred(env, job->deferred, value);
        napi_delete_reference(env, job->out_ref);
        napi_delete_async_work(env, job->work);
        delete job;
      },
      job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}

// builtinEmbedInfo() → { dim }: the layout this file implements, checked by the TypeScript adapter.
napi_value BuiltinEmbedInfo(napi_env env, napi_callback_info) {
  napi_value obj, dim;
  napi_create_object(env, &obj);
  napi_create_int32(env, DIM, &dim);
  napi_set_named_property(env, obj, "dim", dim);
  return obj;
}

}  // namespace

// Adds builtinEmbed and builtinEmbedInfo to the addon's exports (called from the addon's Init).
void register_embed(napi_env env, napi_value exports) {
  const struct {
    const char* name;
    napi_callback cb;
  } fns[] = {{"builtinEmbed", BuiltinEmbed}, {"builtinEmbedInfo", BuiltinEmbedInfo}};
  for (const auto& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
}

}  // namespace arginator
