// Cache-blocked GEMM after Goto & van de Geijn ("Anatomy of High-Performance Matrix
// Multiplication", 2008) in the BLIS loop order: per task, for each KC slice, pack a KC x NC
// panel of B and an MC x KC block of A into aligned buffers, then sweep MR x NR register tiles
// (jr outer, ir inner: one B micro-panel stays in L1 while A micro-panels stream from L2).
// Packing is also what makes unaligned JS memory (V8 Float32Arrays are only 16-byte aligned,
// tfjs hands out subarray views) and transposed operands cost nothing in the inner loop.
#include "sgemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "pool.h"

namespace tt {
namespace {

// Block sizes for Zen 4 (32 KB L1d, 1 MB L2 per core); measured with bench/kernels.ts.
// KC: a B micro-panel is KC x NR x 4 B = 16 KB, half of L1d.
// MC: the packed A block is MC x KC x 4 B = 144 KB, resident in L2 with the B panel.
// NC: the packed B panel is KC x NC x 4 B = 512 KB, also within L2.
constexpr int KC = 256;
constexpr int MC = 144;  // multiple of MR
constexpr int NC = 512;  // multiple of NR
// Below this many flops a product runs on the calling thread: waking the pool costs
// ~10-30 us, which is 1-3 Mflop at 100 GFLOP/s.
constexpr double kParallelFlops = 2e6;

MicroKernel selectKernel() {
#ifdef TT_HAVE_AVX2_TU
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return microKernelAvx2;
#endif
  return microKernelPortable;
}

MicroKernel gKernel = selectKernel();

// Per-thread packing buffers, 64-byte aligned so the micro-kernel uses aligned loads on B.
struct PackBuffers {
  float* ap = static_cast<float*>(std::aligned_alloc(64, sizeof(float) * MC * KC));
  float* bp = static_cast<float*>(std::aligned_alloc(64, sizeof(float) * KC * NC));
  ~PackBuffers() {
    std::free(ap);
    std::free(bp);
  }
};

// Packs op(A)[i0:i0+mc, p0:p0+kc] * alpha as micro-panels: for each k, MR consecutive rows.
// Rows past mc are zero so edge tiles can run the full micro-kernel.
void packA(const Gemm& g, const float* a, int i0, int mc, int p0, int kc, float* ap) {
  for (int ir = 0; ir < mc; ir += MR) {
    int rows = std::min(MR, mc - ir);
    float* dst = ap + static_cast<std::ptrdiff_t>(ir) * kc;
    if (!g.transA) {
      for (int r = 0; r < rows; r++) {
        const float* src = a + (i0 + ir + r) * g.lda + p0;
        for (int k = 0; k < kc; k++) dst[k * MR + r] = g.alpha * src[k];
      }
    } else {
      for (int k = 0; k < kc; k++) {
        const float* src = a + (p0 + k) * g.lda + i0 + ir;
        for (int r = 0; r < rows; r++) dst[k * MR + r] = g.alpha * src[r];
      }
    }
    for (int r = rows; r < MR; r++)
      for (int k = 0; k < kc; k++) dst[k * MR + r] = 0;
  }
}

// Packs op(B)[p0:p0+kc, j0:j0+nc] as micro-panels: for each k, NR consecutive columns.
void packB(const Gemm& g, const float* b, int p0, int kc, int j0, int nc, float* bp) {
  for (int jr = 0; jr < nc; jr += NR) {
    int cols = std::min(NR, nc - jr);
    float* dst = bp + static_cast<std::ptrdiff_t>(jr) * kc;
    if (!g.transB) {
      for (int k = 0; k < kc; k++) {
        const float* src = b + (p0 + k) * g.ldb + j0 + jr;
        for (int c = 0; c < cols; c++) dst[k * NR + c] = src[c];
        for (int c = cols; c < NR; c++) dst[k * NR + c] = 0;
      }
    } else {
      for (int c = 0; c < cols; c++) {
        const float* src = b + (j0 + jr + c) * g.ldb + p0;
        for (int k = 0; k < kc; k++) dst[k * NR + c] = src[k];
      }
      for (int c = cols; c < NR; c++)
        for (int k = 0; k < kc; k++) dst[k * NR + c] = 0;
    }
  }
}

// Scales (or, for beta 0, clears) a tile of C; beta 0 never reads C, so uninitialised output
// memory (NaN bit patterns included) is simply overwritten.
void scaleTile(float* c, std::ptrdiff_t ldc, int rows, int cols, float beta) {
  for (int i = 0; i < rows; i++) {
    float* row = c + i * ldc;
    if (beta == 0) std::memset(row, 0, sizeof(float) * cols);
    else for (int j = 0; j < cols; j++) row[j] *= beta;
  }
}

// Where op(A)[i0, p0] is and how to step rows and k in the stored A.
struct AView {
  const float* at;
  std::ptrdiff_t rs, cs;
};

AView viewA(const Gemm& g, const float* a, int i0, int p0) {
  if (g.transA) return {a + p0 * g.lda + i0, 1, g.lda};
  return {a + i0 * g.lda + p0, g.lda, 1};
}

// C tile (rows x cols <= MR x NR) from one A micro-panel and one B micro-panel. Edge tiles go
// through a full-size temporary so the micro-kernel never needs masks.
void microTile(const float* a, std::ptrdiff_t rsA, std::ptrdiff_t csA, const float* bp, int kc, float* c,
               std::ptrdiff_t ldc, int rows, int cols, bool accumulate) {
  if (rows == MR && cols == NR) return gKernel(kc, a, rsA, csA, bp, c, ldc, accumulate);
  alignas(64) float tmp[MR * NR];
  gKernel(kc, a, rsA, csA, bp, tmp, NR, false);
  for (int r = 0; r < rows; r++)
    for (int q = 0; q < cols; q++) c[r * ldc + q] = (accumulate ? c[r * ldc + q] : 0) + tmp[r * NR + q];
}

// One task: rows [i0, i0 + rows) x columns [j0, j0 + nc) of C in batch entry bi, over all of
// K. The packed B panel is shared by every MC block of A in the task.
void gemmTask(const Gemm& g, int bi, int i0, int rows, int j0, int nc) {
  static thread_local PackBuffers buf;
  const float* a = g.a + bi * g.strideA;
  const float* b = g.b + bi * g.strideB;
  float* c = g.c + bi * g.strideC + i0 * g.ldc + j0;
  if (g.k == 0 || (g.beta != 0 && g.beta != 1)) scaleTile(c, g.ldc, rows, nc, g.beta);
  if (g.k == 0) return;
  // Packing A pays off only when each A micro-panel meets several B micro-panels; for narrow
  // products (attention's P V, N = 32) the kernel reads A where it lies (alpha then must be 1).
  bool packAll = nc > 2 * NR || g.alpha != 1;
  for (int p0 = 0; p0 < g.k; p0 += KC) {
    int kc = std::min(KC, g.k - p0);
    bool accumulate = p0 > 0 || g.beta != 0;
    packB(g, b, p0, kc, j0, nc, buf.bp);
    for (int ic = 0; ic < rows; ic += MC) {
      int mc = std::min(MC, rows - ic);
      if (packAll) packA(g, a, i0 + ic, mc, p0, kc, buf.ap);
      for (int jr = 0; jr < nc; jr += NR) {
        const float* bp = buf.bp + static_cast<std::ptrdiff_t>(jr) * kc;
        int cols = std::min(NR, nc - jr);
        for (int ir = 0; ir < mc; ir += MR) {
          int mr = std::min(MR, mc - ir);
          float* ct = c + (ic + ir) * g.ldc + jr;
          if (packAll) {
            microTile(buf.ap + static_cast<std::ptrdiff_t>(ir) * kc, 1, MR, bp, kc, ct, g.ldc, mr, cols, accumulate);
          } else if (mr == MR) {
            AView v = viewA(g, a, i0 + ic + ir, p0);
            microTile(v.at, v.rs, v.cs, bp, kc, ct, g.ldc, mr, cols, accumulate);
          } else {  // last rows: pad them to a full micro-panel
            packA(g, a, i0 + ic + ir, mr, p0, kc, buf.ap);
            microTile(buf.ap, 1, MR, bp, kc, ct, g.ldc, mr, cols, accumulate);
          }
        }
      }
    }
  }
}

int ceilDiv(int x, int y) { return (x + y - 1) / y; }
int roundUp(int x, int y) { return ceilDiv(x, y) * y; }

}  // namespace

void sgemm(const Gemm& g) {
  if (g.m == 0 || g.n == 0 || g.batch == 0) return;
  double flops = 2.0 * g.m * g.n * g.k * g.batch;
  int threads = flops < kParallelFlops ? 1 : getThreads();
  // Column blocks of equal width (688 -> 2 x 352, not 512 + 176), then rows split so there
  // are about two tasks per thread: enough to balance, few enough that B is packed few times.
  int nc = roundUp(ceilDiv(g.n, ceilDiv(g.n, NC)), NR);
  int tilesN = ceilDiv(g.n, nc);
  int splitM = std::min(ceilDiv(2 * threads, g.batch * tilesN), ceilDiv(g.m, MR));
  if (threads == 1 || splitM < 1) splitM = 1;
  int rowsPer = roundUp(ceilDiv(g.m, splitM), MR);
  int tilesM = ceilDiv(g.m, rowsPer);
  int tasks = g.batch * tilesM * tilesN;
  auto run = [&](int t) {
    int bi = t / (tilesM * tilesN), rest = t % (tilesM * tilesN);
    int i0 = (rest / tilesN) * rowsPer, j0 = (rest % tilesN) * nc;
    gemmTask(g, bi, i0, std::min(rowsPer, g.m - i0), j0, std::min(nc, g.n - j0));
  };
  if (threads == 1) {
    for (int t = 0; t < tasks; t++) run(t);
  } else {
    parallelFor(tasks, run);
  }
}

void microKernelPortable(int kc, const float* a, std::ptrdiff_t rsA, std::ptrdiff_t csA, const float* bp, float* c,
                         std::ptrdiff_t ldc, bool accumulate) {
  float acc[MR][NR] = {};
  for (int k = 0; k < kc; k++, a += csA, bp += NR)
    for (int r = 0; r < MR; r++)
      for (int q = 0; q < NR; q++) acc[r][q] += a[r * rsA] * bp[q];
  for (int r = 0; r < MR; r++)
    for (int q = 0; q < NR; q++) c[r * ldc + q] = (accumulate ? c[r * ldc + q] : 0) + acc[r][q];
}

const char* kernelName() { return gKernel == microKernelPortable ? "portable" : "avx2"; }

bool useKernel(const char* name) {
  if (std::strcmp(name, "portable") == 0) {
    gKernel = microKernelPortable;
    return true;
  }
  MicroKernel best = selectKernel();
  if (std::strcmp(name, "avx2") == 0 && best != microKernelPortable) {
    gKernel = best;
    return true;
  }
  return false;
}

}  // namespace tt
