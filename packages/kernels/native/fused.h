// Fused forward and backward kernels for the model's small per-token blocks (RMSNorm, rotary
// embedding, gated MLP activation). As tfjs ops each is 3–6 ops forward and as many again
// backward, every one a full pass over memory with a fresh output.
#pragma once
#include <cstdint>

#include <napi.h>

namespace tt {

// y = x · rsqrt(mean(x²) + eps) · w' per row (w' = 1 + w when plusOne): x, y rows x n, w n.
// rstd[r] = rsqrt(mean(x_r²) + eps) is kept for the gradient.
void rmsNorm(const float* x, const float* w, float* y, float* rstd, int64_t rows, int64_t n, float eps, bool plusOne);
// dx = rstd · (g − x · rstd² · mean(g · x)), g = dy · w'; dw = Σ_rows dy · x · rstd.
void rmsNormGrad(const float* dy, const float* x, const float* w, const float* rstd, float* dx, float* dw,
                 int64_t rows, int64_t n, bool plusOne);

// HF rotate_half rotary embedding: x, y [rows, heads, d], cos/sin [rows, d]:
//   y = x·cos + rotate_half(x)·sin, rotate_half(x) = cat(−x[d/2:], x[:d/2]).
// transpose = true applies the transposed map (the gradient: dx from dy).
void rope(const float* x, const float* cos, const float* sin, float* y, int64_t rows, int64_t heads, int64_t d,
          bool transpose);

enum class GatedAct { Silu, GeluTanh };
// out = act(gate) · up over n elements.
void gatedAct(GatedAct op, const float* gate, const float* up, float* out, int64_t n);
// dgate = dy · up · act'(gate), dup = dy · act(gate).
void gatedActGrad(GatedAct op, const float* gate, const float* up, const float* dy, float* dgate, float* dup, int64_t n);

// Inverted dropout: y[i] = x[i] / (1 − rate) where element i is kept, else 0. Element i is kept
// when a hash of (seed, i) falls at or above rate, so the mask needs no storage: the gradient is
// the same call on dy with the same seed. Independent of the thread count.
void dropout(const float* x, float* y, int64_t n, float rate, uint64_t seed);

// Adds the N-API functions of these kernels to the addon's exports.
void exportFused(Napi::Env env, Napi::Object exports);

}  // namespace tt
