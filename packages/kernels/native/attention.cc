#include "attention.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "pool.h"
#include "sgemm.h"

// Products go through sgemm's MR x NR register tile directly (sgemm() itself runs on the thread
// pool, which the per-head tasks already occupy). Operands are repacked per task into
// zero-padded, 64-byte aligned panels so every tile is whole:
//   key panels  [T/NR][hd][NR]   B of q.k^T and dO.v^T (k = head dim)
//   dim panels  [hd/NR][rows][NR] B of p.v, dS.k, dS^T.q, p^T.dO (k = keys or query rows)
//   row tiles   [rows/MR][hd][MR] packed A of q.k^T and dO.v^T
namespace tt {
namespace {

// Query rows per block: 8 tiles of MR rows. Key ranges start and end on multiples of it, so they
// split into whole NR-wide tiles (scores) and whole MR-tall tiles (dK, dV) alike.
constexpr int QB = 48;
static_assert(QB % MR == 0 && QB % NR == 0, "a block must hold whole micro-tiles");

int roundUp(int x, int m) { return (x + m - 1) / m * m; }
int roundDown(int x, int m) { return x / m * m; }

bool avx2() { return std::strcmp(kernelName(), "avx2") == 0; }

MicroKernel pickKernel() {
#ifdef TT_HAVE_AVX2_TU
  if (avx2()) return microKernelAvx2;
#endif
  return microKernelPortable;
}

// Per-thread scratch, grown on demand and kept: 64-byte aligned, as packed panels are loaded aligned.
struct Scratch {
  float* p = nullptr;
  size_t n = 0;
  ~Scratch() { std::free(p); }
  float* get(size_t floats) {
    if (floats > n) {
      std::free(p);
      p = static_cast<float*>(std::aligned_alloc(64, (floats * sizeof(float) + 63) / 64 * 64));
      if (!p) std::abort();  // no exceptions in the addon; as out of memory anywhere else
      n = floats;
    }
    return p;
  }
};

// x[i] = exp(x[i] - shift) over n values; returns their sum.
float expShiftPortable(float* x, int n, float shift) {
  float sum = 0;
  for (int i = 0; i < n; i++) sum += (x[i] = std::exp(x[i] - shift));
  return sum;
}

// x[i] *= scale over n values; returns their max. Eight lanes so the compiler may vectorise.
float scaleMaxPortable(float* x, int n, float scale) {
  float m[8] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY};
  int i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; l++) m[l] = std::max(m[l], x[i + l] *= scale);
  for (; i < n; i++) m[0] = std::max(m[0], x[i] *= scale);
  return *std::max_element(m, m + 8);
}

float dotPortable(const float* a, const float* b, int n) {
  float acc[8] = {};
  int i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; l++) acc[l] += a[i + l] * b[i + l];
  for (; i < n; i++) acc[0] += a[i] * b[i];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) float horizontalSum(__m256 v) {
  __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s4 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  return _mm_cvtss_f32(_mm_add_ss(s4, _mm_shuffle_ps(s4, s4, 1)));
}

__attribute__((target("avx2,fma"))) float scaleMaxAvx2(float* x, int n, float scale) {
  const __m256 sc = _mm256_set1_ps(scale);
  __m256 m = _mm256_set1_ps(-INFINITY);
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_mul_ps(_mm256_loadu_ps(x + i), sc);
    _mm256_storeu_ps(x + i, v);
    m = _mm256_max_ps(m, v);
  }
  __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
  m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
  float max = _mm_cvtss_f32(_mm_max_ss(m4, _mm_shuffle_ps(m4, m4, 1)));
  for (; i < n; i++) max = std::max(max, x[i] *= scale);
  return max;
}

__attribute__((target("avx2,fma"))) float dotAvx2(const float* a, const float* b, int n) {
  __m256 acc = _mm256_setzero_ps();
  int i = 0;
  for (; i + 8 <= n; i += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc);
  float sum = horizontalSum(acc);
  for (; i < n; i++) sum += a[i] * b[i];
  return sum;
}

// Cephes' expf (as in avx_mathfun): range reduction by ln 2 in two parts, degree-5 polynomial;
// within 2 ulp of std::exp over the range softmax uses (arguments <= 0).
__attribute__((target("avx2,fma"))) float expShiftAvx2(float* x, int n, float shift) {
  const __m256 hi = _mm256_set1_ps(88.3762626647949f), lo = _mm256_set1_ps(-88.3762626647949f);
  const __m256 log2e = _mm256_set1_ps(1.44269504088896341f), half = _mm256_set1_ps(0.5f);
  const __m256 c1 = _mm256_set1_ps(0.693359375f), c2 = _mm256_set1_ps(-2.12194440e-4f);
  const __m256 p0 = _mm256_set1_ps(1.9875691500e-4f), p1 = _mm256_set1_ps(1.3981999507e-3f);
  const __m256 p2 = _mm256_set1_ps(8.3334519073e-3f), p3 = _mm256_set1_ps(4.1665795894e-2f);
  const __m256 p4 = _mm256_set1_ps(1.6666665459e-1f), p5 = _mm256_set1_ps(5.0000001201e-1f);
  const __m256 one = _mm256_set1_ps(1.0f), sh = _mm256_set1_ps(shift);
  __m256 acc = _mm256_setzero_ps();
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_min_ps(_mm256_max_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), sh), lo), hi);
    __m256 fx = _mm256_floor_ps(_mm256_fmadd_ps(v, log2e, half));
    v = _mm256_fnmadd_ps(fx, c2, _mm256_fnmadd_ps(fx, c1, v));
    __m256 z = _mm256_mul_ps(v, v);
    __m256 y = _mm256_fmadd_ps(p0, v, p1);
    y = _mm256_fmadd_ps(y, v, p2);
    y = _mm256_fmadd_ps(y, v, p3);
    y = _mm256_fmadd_ps(y, v, p4);
    y = _mm256_fmadd_ps(y, v, p5);
    y = _mm256_add_ps(_mm256_fmadd_ps(y, z, v), one);
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvttps_epi32(fx), _mm256_set1_epi32(127)), 23);
    y = _mm256_mul_ps(y, _mm256_castsi256_ps(e));
    _mm256_storeu_ps(x + i, y);
    acc = _mm256_add_ps(acc, y);
  }
  return horizontalSum(acc) + expShiftPortable(x + i, n - i, shift);
}
#endif

// The row loops of the softmax and its backward, vectorised with AVX2 where sgemm uses it.
struct RowOps {
  float (*expShift)(float*, int, float) = expShiftPortable;
  float (*scaleMax)(float*, int, float) = scaleMaxPortable;
  float (*dot)(const float*, const float*, int) = dotPortable;
};

RowOps pickRowOps() {
  RowOps ops;
#if defined(__x86_64__)
  if (avx2()) ops = {expShiftAvx2, scaleMaxAvx2, dotAvx2};
#endif
  return ops;
}

// Key panels: keys j0..j0+NR of panel j0/NR as [hd][NR], zero past T.
void packKeyPanels(const float* src, std::ptrdiff_t ld, int T, int TP, int hd, float* dst) {
  for (int j0 = 0; j0 < TP; j0 += NR) {
    float* p = dst + static_cast<size_t>(j0) * hd;
    for (int c = 0; c < NR; c++) {
      const float* s = src + (j0 + c) * ld;
      if (j0 + c < T) for (int d = 0; d < hd; d++) p[d * NR + c] = s[d];
      else for (int d = 0; d < hd; d++) p[d * NR + c] = 0;
    }
  }
}

// Dim panels: dims d0..d0+NR of `rows` rows as [rows][NR] per panel, zero past valid rows and hd.
void packDimPanels(const float* src, std::ptrdiff_t ld, int valid, int rows, int hd, int hdP, float* dst) {
  for (int d0 = 0; d0 < hdP; d0 += NR) {
    float* p = dst + static_cast<size_t>(d0) * rows;
    int w = std::max(0, std::min(NR, hd - d0));
    for (int j = 0; j < rows; j++) {
      float* r = p + static_cast<size_t>(j) * NR;
      const float* s = src + j * ld + d0;
      int c = 0;
      if (j < valid) for (; c < w; c++) r[c] = s[c];
      for (; c < NR; c++) r[c] = 0;
    }
  }
}

// Row tiles (packed A): rows r0..r0+MR as [hd][MR] per tile, zero past valid rows.
void packRowTiles(const float* src, std::ptrdiff_t ld, int valid, int rows, int hd, float* dst) {
  for (int r0 = 0; r0 < rows; r0 += MR) {
    float* p = dst + static_cast<size_t>(r0) * hd;
    for (int r = 0; r < MR; r++) {
      const float* s = src + (r0 + r) * ld;
      if (r0 + r < valid) for (int d = 0; d < hd; d++) p[d * MR + r] = s[d];
      else for (int d = 0; d < hd; d++) p[d * MR + r] = 0;
    }
  }
}

// lo[t]: the first key query t of row b sees (it sees lo[t]..t). Never decreases along t.
void visibleFrom(const Attention& a, int b, int* lo) {
  const int32_t* seg = a.segments + static_cast<size_t>(b) * a.T;
  int start = 0;
  for (int t = 0; t < a.T; t++) {
    if (t > 0 && seg[t] != seg[t - 1]) start = t;
    lo[t] = a.window > 0 ? std::max(start, t - a.window + 1) : start;
  }
}

// Everything one call shares: sizes, strides, kernels.
struct Plan {
  const Attention& a;
  int g, TP, hdP;
  std::ptrdiff_t ldq, ldk;  // token strides of q (and out, dOut) and of k, v
  MicroKernel kern = pickKernel();
  RowOps ops = pickRowOps();
  explicit Plan(const Attention& at)
      : a(at), g(at.nH / at.nKv), TP(roundUp(at.T, QB)), hdP(roundUp(at.hd, NR)),
        ldq(static_cast<std::ptrdiff_t>(at.nH) * at.hd), ldk(static_cast<std::ptrdiff_t>(at.nKv) * at.hd) {}

  // C[r][j - klo] = A_r . key_j for the block's rows (packed row tiles A) over the key tiles each
  // row tile can see; other columns are left as they were.
  void blockProducts(const float* rowTiles, const float* keyPanels, const int* lo, int t0, int rows, int klo,
                     float* c) const {
    for (int r0 = 0; r0 < rows; r0 += MR) {
      int last = t0 + std::min(r0 + MR, rows) - 1;
      for (int j = roundDown(lo[t0 + r0], NR); j < roundUp(last + 1, NR); j += NR)
        kern(a.hd, rowTiles + static_cast<size_t>(r0) * a.hd, 1, MR, keyPanels + static_cast<size_t>(j) * a.hd,
             c + static_cast<size_t>(r0) * TP + (j - klo), TP, false);
    }
  }

  // C[r][0..hdP) = sum over visible keys j of A[r][j - klo] * dimPanels row j: A is a block of
  // scores-shaped rows (zero outside each row's visible keys).
  void rowsTimesKeys(const float* A, const float* dimPanels, const int* lo, int t0, int rows, int klo, float* c) const {
    for (int r0 = 0; r0 < rows; r0 += MR) {
      int j0 = lo[t0 + r0], j1 = t0 + std::min(r0 + MR, rows);
      for (int d0 = 0; d0 < hdP; d0 += NR)
        kern(j1 - j0, A + static_cast<size_t>(r0) * TP + (j0 - klo), TP, 1,
             dimPanels + static_cast<size_t>(d0) * TP + static_cast<size_t>(j0) * NR, c + r0 * hdP + d0, hdP, false);
    }
  }

  // acc[klo + i][..] += sum over the block's QB rows r of A[r][i] * rowPanels row r, i in [0, W).
  void keysTimesRows(const float* A, const float* rowPanels, int klo, int W, float* acc) const {
    for (int i0 = 0; i0 < W; i0 += MR)
      for (int d0 = 0; d0 < hdP; d0 += NR)
        kern(QB, A + i0, 1, TP, rowPanels + static_cast<size_t>(d0) * QB,
             acc + static_cast<size_t>(klo + i0) * hdP + d0, hdP, true);
  }

  // Scores x (scaled, soft-capped) of row `row` over [from, to], in place.
  float scoresOf(float* row, int from, int to) const {
    if (a.softcap <= 0) return ops.scaleMax(row + from, to - from + 1, a.scale);
    float max = -INFINITY;
    for (int j = from; j <= to; j++) {
      float x = a.softcap * std::tanh(row[j] * a.scale / a.softcap);
      row[j] = x;
      max = std::max(max, x);
    }
    return max;
  }
};

void zeroOutside(float* row, int from, int to, int W) {
  std::fill(row, row + from, 0.0f);
  std::fill(row + to + 1, row + W, 0.0f);
}

void forwardTask(const Plan& p, int b, int h, const float* q, const float* k, const float* v, float* out, float* lse) {
  const Attention& a = p.a;
  const int T = a.T, hd = a.hd, TP = p.TP, hdP = p.hdP;
  static thread_local Scratch scratch;
  static thread_local std::vector<int> lo;
  float* keyP = scratch.get(static_cast<size_t>(TP) * hd * 2 + static_cast<size_t>(hdP) * TP + static_cast<size_t>(QB) * (hd + TP + hdP));
  float* valP = keyP + static_cast<size_t>(TP) * hd;  // dim panels of v
  float* qTiles = valP + static_cast<size_t>(hdP) * TP;
  float* S = qTiles + static_cast<size_t>(QB) * hd;  // [QB][TP]
  float* O = S + static_cast<size_t>(QB) * TP;       // [QB][hdP]
  lo.resize(T);
  visibleFrom(a, b, lo.data());
  int kv = h / p.g;
  const float* kb = k + static_cast<size_t>(b) * T * p.ldk + kv * hd;
  const float* vb = v + static_cast<size_t>(b) * T * p.ldk + kv * hd;
  packKeyPanels(kb, p.ldk, T, TP, hd, keyP);
  packDimPanels(vb, p.ldk, T, TP, hd, hdP, valP);
  const float* qb = q + static_cast<size_t>(b) * T * p.ldq + h * hd;
  float* ob = out + static_cast<size_t>(b) * T * p.ldq + h * hd;
  float* lseb = lse + (static_cast<size_t>(b) * a.nH + h) * T;
  for (int t0 = 0; t0 < T; t0 += QB) {
    int rows = std::min(QB, T - t0), klo = roundDown(lo[t0], QB), W = t0 + QB - klo;
    packRowTiles(qb + t0 * p.ldq, p.ldq, rows, QB, hd, qTiles);
    p.blockProducts(qTiles, keyP, lo.data(), t0, rows, klo, S);
    for (int r = 0; r < rows; r++) {
      int t = t0 + r, from = lo[t] - klo, to = t - klo;
      float* row = S + static_cast<size_t>(r) * TP;
      float max = p.scoresOf(row, from, to);
      float sum = p.ops.expShift(row + from, to - from + 1, max);
      float inv = 1 / sum;
      for (int j = from; j <= to; j++) row[j] *= inv;
      zeroOutside(row, from, to, W);
      lseb[t] = max + std::log(sum);
    }
    p.rowsTimesKeys(S, valP, lo.data(), t0, rows, klo, O);
    for (int r = 0; r < rows; r++) std::memcpy(ob + (t0 + r) * p.ldq, O + r * hdP, sizeof(float) * hd);
  }
}

void backwardTask(const Plan& p, int b, int kv, const float* q, const float* k, const float* v, const float* lse,
                  const float* dOut, float* dq, float* dk, float* dv) {
  const Attention& a = p.a;
  const int T = a.T, hd = a.hd, TP = p.TP, hdP = p.hdP;
  static thread_local Scratch scratch;
  static thread_local std::vector<int> lo;
  const size_t keyPanels = static_cast<size_t>(TP) * hd, dimPanels = static_cast<size_t>(hdP) * TP;
  const size_t block = static_cast<size_t>(QB) * TP, tiles = static_cast<size_t>(QB) * hd, rowPanels = static_cast<size_t>(hdP) * QB;
  float* kKeyP = scratch.get(2 * keyPanels + 3 * dimPanels + 3 * block + 2 * tiles + 3 * rowPanels);
  float* vKeyP = kKeyP + keyPanels;
  float* kDimP = vKeyP + keyPanels;
  float* dK = kDimP + dimPanels;  // [TP][hdP], summed over the group's query heads
  float* dV = dK + dimPanels;
  float* S = dV + dimPanels;  // [QB][TP] scores
  float* P = S + block;       // probabilities
  float* dS = P + block;      // dP, then dS
  float* qTiles = dS + block;
  float* dOTiles = qTiles + tiles;
  float* qP = dOTiles + tiles;  // dim panels of the block's q rows, [hdP/NR][QB][NR]
  float* dOP = qP + rowPanels;
  float* dQ = dOP + rowPanels;  // [QB][hdP]
  lo.resize(T);
  visibleFrom(a, b, lo.data());
  const float* kb = k + static_cast<size_t>(b) * T * p.ldk + kv * hd;
  const float* vb = v + static_cast<size_t>(b) * T * p.ldk + kv * hd;
  packKeyPanels(kb, p.ldk, T, TP, hd, kKeyP);
  packKeyPanels(vb, p.ldk, T, TP, hd, vKeyP);
  packDimPanels(kb, p.ldk, T, TP, hd, hdP, kDimP);
  std::fill(dK, dK + 2 * dimPanels, 0.0f);
  const float cap = a.softcap;
  for (int h = kv * p.g; h < (kv + 1) * p.g; h++) {
    const float* qb = q + static_cast<size_t>(b) * T * p.ldq + h * hd;
    const float* dOb = dOut + static_cast<size_t>(b) * T * p.ldq + h * hd;
    float* dqb = dq + static_cast<size_t>(b) * T * p.ldq + h * hd;
    const float* lseb = lse + (static_cast<size_t>(b) * a.nH + h) * T;
    for (int t0 = 0; t0 < T; t0 += QB) {
      int rows = std::min(QB, T - t0), klo = roundDown(lo[t0], QB), W = t0 + QB - klo;
      packRowTiles(qb + t0 * p.ldq, p.ldq, rows, QB, hd, qTiles);
      packRowTiles(dOb + t0 * p.ldq, p.ldq, rows, QB, hd, dOTiles);
      packDimPanels(qb + t0 * p.ldq, p.ldq, rows, QB, hd, hdP, qP);
      packDimPanels(dOb + t0 * p.ldq, p.ldq, rows, QB, hd, hdP, dOP);
      p.blockProducts(qTiles, kKeyP, lo.data(), t0, rows, klo, S);
      p.blockProducts(dOTiles, vKeyP, lo.data(), t0, rows, klo, dS);
      for (int r = 0; r < rows; r++) {
        int t = t0 + r, from = lo[t] - klo, to = t - klo;
        float *s = S + static_cast<size_t>(r) * TP, *pr = P + static_cast<size_t>(r) * TP, *ds = dS + static_cast<size_t>(r) * TP;
        p.scoresOf(s, from, to);
        std::memcpy(pr + from, s + from, sizeof(float) * (to - from + 1));
        p.ops.expShift(pr + from, to - from + 1, lseb[t]);
        float dot = p.ops.dot(pr + from, ds + from, to - from + 1);  // sum_j p_j dp_j: the softmax backward's row term
        if (cap > 0)
          for (int j = from; j <= to; j++) {
            float th = s[j] / cap;
            ds[j] = pr[j] * (ds[j] - dot) * (1 - th * th) * a.scale;
          }
        else
          for (int j = from; j <= to; j++) ds[j] = pr[j] * (ds[j] - dot) * a.scale;
        zeroOutside(pr, from, to, W);
        zeroOutside(ds, from, to, W);
      }
      for (int r = rows; r < QB; r++) {
        std::fill(P + static_cast<size_t>(r) * TP, P + static_cast<size_t>(r) * TP + W, 0.0f);
        std::fill(dS + static_cast<size_t>(r) * TP, dS + static_cast<size_t>(r) * TP + W, 0.0f);
      }
      p.rowsTimesKeys(dS, kDimP, lo.data(), t0, rows, klo, dQ);
      for (int r = 0; r < rows; r++) std::memcpy(dqb + (t0 + r) * p.ldq, dQ + r * hdP, sizeof(float) * hd);
      p.keysTimesRows(dS, qP, klo, W, dK);
      p.keysTimesRows(P, dOP, klo, W, dV);
    }
  }
  float* dkb = dk + static_cast<size_t>(b) * T * p.ldk + kv * hd;
  float* dvb = dv + static_cast<size_t>(b) * T * p.ldk + kv * hd;
  for (int t = 0; t < T; t++) {
    std::memcpy(dkb + t * p.ldk, dK + static_cast<size_t>(t) * hdP, sizeof(float) * hd);
    std::memcpy(dvb + t * p.ldk, dV + static_cast<size_t>(t) * hdP, sizeof(float) * hd);
  }
}

}  // namespace

void attentionForward(const Attention& a, const float* q, const float* k, const float* v, float* out, float* lse) {
  if (a.B <= 0 || a.T <= 0 || a.nH <= 0) return;
  Plan p(a);
  parallelFor(a.B * a.nH, [&](int task) { forwardTask(p, task / a.nH, task % a.nH, q, k, v, out, lse); });
}

void attentionBackward(const Attention& a, const float* q, const float* k, const float* v, const float* lse,
                       const float* dOut, float* dq, float* dk, float* dv) {
  if (a.B <= 0 || a.T <= 0 || a.nH <= 0) return;
  Plan p(a);
  parallelFor(a.B * a.nKv, [&](int task) {
    backwardTask(p, task / a.nKv, task % a.nKv, q, k, v, lse, dOut, dq, dk, dv);
  });
}

}  // namespace tt
