// The AVX2/FMA 6x16 register tile. Compiled alone with -mavx2 -mfma so the rest of the addon
// stays runnable on any x86-64; sgemm.cc calls it only after __builtin_cpu_supports agrees.
#include <immintrin.h>

#include "sgemm.h"

namespace tt {

// The packed case (rsA 1, csA MR) is the hot one; it gets its own instantiation so the six
// broadcasts use constant offsets.
template <bool Packed>
static inline void kernel(int kc, const float* ap, std::ptrdiff_t rsA, std::ptrdiff_t csA, const float* bp,
                          float* c, std::ptrdiff_t ldc, bool accumulate) {
  if (Packed) rsA = 1, csA = MR;
  // Start fetching the C tile now so it has arrived by the time the k loop ends: when C is
  // accumulated over several KC slices it has usually left L1/L2 since the last visit.
  for (int r = 0; r < MR; r++) {
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc + NR - 1), _MM_HINT_T0);
  }
  // 12 accumulators (6 rows x 2 vectors of 8), 2 B vectors, 1 broadcast A: 15 of 16 ymm.
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
#pragma GCC unroll 4
  for (int k = 0; k < kc; k++, ap += csA, bp += NR) {
    __m256 b0 = _mm256_load_ps(bp), b1 = _mm256_load_ps(bp + 8);  // packed: 64-byte aligned
    __m256 a = _mm256_broadcast_ss(ap + 0);
    c00 = _mm256_fmadd_ps(a, b0, c00);
    c01 = _mm256_fmadd_ps(a, b1, c01);
    a = _mm256_broadcast_ss(ap + 1 * rsA);
    c10 = _mm256_fmadd_ps(a, b0, c10);
    c11 = _mm256_fmadd_ps(a, b1, c11);
    a = _mm256_broadcast_ss(ap + 2 * rsA);
    c20 = _mm256_fmadd_ps(a, b0, c20);
    c21 = _mm256_fmadd_ps(a, b1, c21);
    a = _mm256_broadcast_ss(ap + 3 * rsA);
    c30 = _mm256_fmadd_ps(a, b0, c30);
    c31 = _mm256_fmadd_ps(a, b1, c31);
    a = _mm256_broadcast_ss(ap + 4 * rsA);
    c40 = _mm256_fmadd_ps(a, b0, c40);
    c41 = _mm256_fmadd_ps(a, b1, c41);
    a = _mm256_broadcast_ss(ap + 5 * rsA);
    c50 = _mm256_fmadd_ps(a, b0, c50);
    c51 = _mm256_fmadd_ps(a, b1, c51);
  }
  // C is JS memory with any alignment: unaligned loads and stores.
  __m256 rows[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  for (int r = 0; r < MR; r++) {
    float* cr = c + r * ldc;
    __m256 lo = rows[r][0], hi = rows[r][1];
    if (accumulate) {
      lo = _mm256_add_ps(lo, _mm256_loadu_ps(cr));
      hi = _mm256_add_ps(hi, _mm256_loadu_ps(cr + 8));
    }
    _mm256_storeu_ps(cr, lo);
    _mm256_storeu_ps(cr + 8, hi);
  }
}

void microKernelAvx2(int kc, const float* a, std::ptrdiff_t rsA, std::ptrdiff_t csA, const float* bp, float* c,
                     std::ptrdiff_t ldc, bool accumulate) {
  if (rsA == 1 && csA == MR) kernel<true>(kc, a, 1, MR, bp, c, ldc, accumulate);
  else kernel<false>(kc, a, rsA, csA, bp, c, ldc, accumulate);
}

}  // namespace tt
