// Batched single-precision GEMM: C = alpha * op(A) * op(B) + beta * C, on row-major views.
#pragma once
#include <cstddef>
#include <cstdint>

namespace tt {

// Register tile of the micro-kernel: 6 rows x 16 columns = 12 AVX2 accumulators, the shape
// BLIS uses for sgemm on Haswell/Zen (6x16, leaves registers for 2 B loads + 1 broadcast).
constexpr int MR = 6;
constexpr int NR = 16;

// Computes the MR x NR tile A * Bp over kc steps. Bp is packed as kc rows of NR values;
// A element (r, k) is at a[r * rsA + k * csA] (packed A: rsA = 1, csA = MR; an unpacked
// row-major A: rsA = lda, csA = 1). Stores into c (row stride ldc), adding to what is there
// when accumulate is set.
using MicroKernel = void (*)(int kc, const float* a, std::ptrdiff_t rsA, std::ptrdiff_t csA, const float* bp,
                             float* c, std::ptrdiff_t ldc, bool accumulate);

void microKernelPortable(int kc, const float* a, std::ptrdiff_t rsA, std::ptrdiff_t csA, const float* bp,
                         float* c, std::ptrdiff_t ldc, bool accumulate);
#ifdef TT_HAVE_AVX2_TU
void microKernelAvx2(int kc, const float* a, std::ptrdiff_t rsA, std::ptrdiff_t csA, const float* bp,
                     float* c, std::ptrdiff_t ldc, bool accumulate);
#endif

struct Gemm {
  bool transA = false, transB = false;
  int m = 0, n = 0, k = 0;
  float alpha = 1, beta = 0;
  const float* a = nullptr;  // first element of batch 0
  std::ptrdiff_t lda = 0, strideA = 0;
  const float* b = nullptr;
  std::ptrdiff_t ldb = 0, strideB = 0;
  float* c = nullptr;
  std::ptrdiff_t ldc = 0, strideC = 0;
  int batch = 1;
};

// Runs the whole batched product on the thread pool.
void sgemm(const Gemm& g);

// Micro-kernel selection: "avx2" when the CPU has AVX2+FMA (checked at run time), else "portable".
const char* kernelName();
// Forces a kernel ("avx2" or "portable"); returns false when the CPU cannot run it.
bool useKernel(const char* name);

}  // namespace tt
