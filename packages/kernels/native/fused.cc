#include "fused.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "fastmath.h"
#include "pool.h"

namespace tt {
namespace {

// Elements per task when splitting across threads (as elementwise.cc).
constexpr int64_t kChunk = 1 << 16;

// Rows per task for rows of n elements, and the task count. The split depends on the sizes
// only (never on the thread count), so results are the same with 1 or 2 threads.
struct Split {
  int64_t rowsPerTask;
  int tasks;
};

Split splitRows(int64_t rows, int64_t n) {
  int64_t per = std::max<int64_t>(1, kChunk / std::max<int64_t>(n, 1));
  return {per, static_cast<int>((rows + per - 1) / per)};
}

template <class Row>
void parallelRows(int64_t rows, int64_t n, Row row) {
  Split s = splitRows(rows, n);
  parallelFor(s.tasks, [&](int t) {
    for (int64_t r = t * s.rowsPerTask, end = std::min(rows, (t + 1) * s.rowsPerTask); r < end; r++) row(r);
  });
}

template <class F>
void parallelElements(int64_t n, F f) {
  int tasks = static_cast<int>((n + kChunk - 1) / kChunk);
  parallelFor(tasks, [&](int t) { f(t * kChunk, std::min(n, (t + 1) * kChunk)); });
}

}  // namespace

void rmsNorm(const float* x, const float* w, float* y, float* rstd, int64_t rows, int64_t n, float eps, bool plusOne) {
  std::vector<float> wp(w, w + n);
  if (plusOne) for (auto& v : wp) v = v + 1.0f;
  parallelRows(rows, n, [&](int64_t r) {
    const float* xr = x + r * n;
    float* yr = y + r * n;
    double ss = 0;  // in double, as the tfjs formulation's Mean sums
    for (int64_t i = 0; i < n; i++) ss += static_cast<double>(xr[i] * xr[i]);
    float var = static_cast<float>(ss / static_cast<double>(n));
    float s = 1.0f / std::sqrt(var + eps);
    rstd[r] = s;
    const float* wv = wp.data();
    for (int64_t i = 0; i < n; i++) yr[i] = (xr[i] * s) * wv[i];
  });
}

void rmsNormGrad(const float* dy, const float* x, const float* w, const float* rstd, float* dx, float* dw,
                 int64_t rows, int64_t n, bool plusOne) {
  std::vector<float> wp(w, w + n);
  if (plusOne) for (auto& v : wp) v = v + 1.0f;
  Split split = splitRows(rows, n);
  std::vector<double> partial(static_cast<size_t>(split.tasks) * n, 0.0);  // dw per task, summed in task order
  parallelFor(split.tasks, [&](int t) {
    double* acc = partial.data() + static_cast<size_t>(t) * n;
    const float* wv = wp.data();
    for (int64_t r = t * split.rowsPerTask, end = std::min(rows, (t + 1) * split.rowsPerTask); r < end; r++) {
      const float* xr = x + r * n;
      const float* gr = dy + r * n;
      float* dxr = dx + r * n;
      float s = rstd[r];
      double dot = 0;  // Σ dy · w' · x
      for (int64_t i = 0; i < n; i++) dot += static_cast<double>(gr[i] * wv[i] * xr[i]);
      float c = static_cast<float>(dot / static_cast<double>(n)) * s * s * s;
      for (int64_t i = 0; i < n; i++) dxr[i] = gr[i] * wv[i] * s - xr[i] * c;
      for (int64_t i = 0; i < n; i++) acc[i] += static_cast<double>(gr[i] * (xr[i] * s));
    }
  });
  for (int64_t i = 0; i < n; i++) {
    double sum = 0;
    for (int t = 0; t < split.tasks; t++) sum += partial[static_cast<size_t>(t) * n + i];
    dw[i] = static_cast<float>(sum);
  }
}

void rope(const float* x, const float* cos, const float* sin, float* y, int64_t rows, int64_t heads, int64_t d,
          bool transpose) {
  int64_t half = d / 2;
  parallelRows(rows, heads * d, [&](int64_t r) {
    const float* c = cos + r * d;
    const float* s = sin + r * d;
    for (int64_t h = 0; h < heads; h++) {
      const float* xr = x + (r * heads + h) * d;
      float* yr = y + (r * heads + h) * d;
      if (!transpose) {
        for (int64_t i = 0; i < half; i++) yr[i] = xr[i] * c[i] - xr[i + half] * s[i];
        for (int64_t i = half; i < d; i++) yr[i] = xr[i] * c[i] + xr[i - half] * s[i];
      } else {
        for (int64_t i = 0; i < half; i++) yr[i] = xr[i] * c[i] + xr[i + half] * s[i + half];
        for (int64_t i = half; i < d; i++) yr[i] = xr[i] * c[i] - xr[i - half] * s[i - half];
      }
    }
  });
}

namespace {

// tfjs's own constants, as float32.
constexpr float kGeluK = 0.7978845608028654f;  // √(2/π)
constexpr float kGeluA = 0.044715f;

inline float sigmoid(float v) { return fastSigmoid(v); }

}  // namespace

void gatedAct(GatedAct op, const float* gate, const float* up, float* out, int64_t n) {
  parallelElements(n, [&](int64_t i0, int64_t i1) {
    if (op == GatedAct::Silu) {
      for (int64_t i = i0; i < i1; i++) out[i] = (gate[i] * sigmoid(gate[i])) * up[i];
    } else {
      for (int64_t i = i0; i < i1; i++) {
        float g = gate[i];
        float t = fastTanh((g + g * g * g * kGeluA) * kGeluK);
        out[i] = (g * 0.5f) * (t + 1.0f) * up[i];
      }
    }
  });
}

void gatedActGrad(GatedAct op, const float* gate, const float* up, const float* dy, float* dgate, float* dup, int64_t n) {
  parallelElements(n, [&](int64_t i0, int64_t i1) {
    if (op == GatedAct::Silu) {
      for (int64_t i = i0; i < i1; i++) {
        float g = gate[i], s = sigmoid(g);
        dup[i] = dy[i] * (g * s);
        dgate[i] = dy[i] * up[i] * (s + g * s * (1.0f - s));
      }
    } else {
      for (int64_t i = i0; i < i1; i++) {
        float g = gate[i];
        float t = fastTanh((g + g * g * g * kGeluA) * kGeluK);
        dup[i] = dy[i] * ((g * 0.5f) * (t + 1.0f));
        float d = 0.5f * (1.0f + t) + 0.5f * g * (1.0f - t * t) * kGeluK * (1.0f + 3.0f * kGeluA * g * g);
        dgate[i] = dy[i] * up[i] * d;
      }
    }
  });
}

namespace {

// splitmix64's finaliser: a bijective mix of a 64-bit counter into uniform bits.
inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

void dropout(const float* x, float* y, int64_t n, float rate, uint64_t seed) {
  uint64_t base = mix64(seed + 0x9e3779b97f4a7c15ull);
  // kept when the top 24 bits, as a fraction of 2^24, are >= rate
  uint32_t threshold = static_cast<uint32_t>(std::min(1.0, std::max(0.0, static_cast<double>(rate))) * 16777216.0);
  float keep = 1.0f - rate;
  parallelElements(n, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) {
      uint32_t u = static_cast<uint32_t>(mix64(base + static_cast<uint64_t>(i) * 0x9e3779b97f4a7c15ull) >> 40);
      y[i] = u >= threshold ? x[i] / keep : 0.0f;
    }
  });
}

// ---------------------------------------------------------------- N-API

namespace {

bool fail(Napi::Env env, const std::string& msg) {
  Napi::RangeError::New(env, "tooltune kernels: " + msg).ThrowAsJavaScriptException();
  return false;
}

// Float32Array argument i holding at least `need` elements, or null (with an exception).
float* f32(const Napi::CallbackInfo& info, int i, int64_t need, const char* what) {
  Napi::Env env = info.Env();
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    return fail(env, std::string(what) + ": argument " + std::to_string(i) + " must be a Float32Array"), nullptr;
  auto a = info[i].As<Napi::Float32Array>();
  if (static_cast<int64_t>(a.ElementLength()) < need)
    return fail(env, std::string(what) + ": argument " + std::to_string(i) + " holds " +
                         std::to_string(a.ElementLength()) + " floats, needs " + std::to_string(need)), nullptr;
  return a.Data();
}

int64_t num(const Napi::CallbackInfo& info, int i) { return info[i].As<Napi::Number>().Int64Value(); }

bool sizesOk(Napi::Env env, const char* what, std::initializer_list<int64_t> sizes) {
  for (int64_t s : sizes)
    if (s < 0 || s > (int64_t(1) << 34)) return fail(env, std::string(what) + ": bad size");
  return true;
}

// rmsNorm(x, w, y, rstd, rows, n, eps, plusOne)
Napi::Value RmsNorm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 8) return fail(env, "rmsNorm: expected 8 arguments"), env.Undefined();
  int64_t rows = num(info, 4), n = num(info, 5);
  if (!sizesOk(env, "rmsNorm", {rows, n})) return env.Undefined();
  const float *x, *w;
  float *y, *rstd;
  if ((x = f32(info, 0, rows * n, "rmsNorm")) && (w = f32(info, 1, n, "rmsNorm")) && (y = f32(info, 2, rows * n, "rmsNorm")) &&
      (rstd = f32(info, 3, rows, "rmsNorm")))
    rmsNorm(x, w, y, rstd, rows, n, info[6].As<Napi::Number>().FloatValue(), info[7].ToBoolean());
  return env.Undefined();
}

// rmsNormGrad(dy, x, w, rstd, dx, dw, rows, n, plusOne)
Napi::Value RmsNormGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 9) return fail(env, "rmsNormGrad: expected 9 arguments"), env.Undefined();
  int64_t rows = num(info, 6), n = num(info, 7);
  if (!sizesOk(env, "rmsNormGrad", {rows, n})) return env.Undefined();
  const float *dy, *x, *w, *rstd;
  float *dx, *dw;
  const char* k = "rmsNormGrad";
  if ((dy = f32(info, 0, rows * n, k)) && (x = f32(info, 1, rows * n, k)) && (w = f32(info, 2, n, k)) &&
      (rstd = f32(info, 3, rows, k)) && (dx = f32(info, 4, rows * n, k)) && (dw = f32(info, 5, n, k)))
    rmsNormGrad(dy, x, w, rstd, dx, dw, rows, n, info[8].ToBoolean());
  return env.Undefined();
}

// rope(x, cos, sin, y, rows, heads, d, transpose)
Napi::Value Rope(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 8) return fail(env, "rope: expected 8 arguments"), env.Undefined();
  int64_t rows = num(info, 4), heads = num(info, 5), d = num(info, 6);
  if (!sizesOk(env, "rope", {rows, heads, d})) return env.Undefined();
  if (d % 2) return fail(env, "rope: head size must be even"), env.Undefined();
  const float *x, *c, *s;
  float* y;
  if ((x = f32(info, 0, rows * heads * d, "rope")) && (c = f32(info, 1, rows * d, "rope")) &&
      (s = f32(info, 2, rows * d, "rope")) && (y = f32(info, 3, rows * heads * d, "rope")))
    rope(x, c, s, y, rows, heads, d, info[7].ToBoolean());
  return env.Undefined();
}

// gatedAct(op, gate, up, out, n); op 0 silu, 1 gelu-tanh
Napi::Value GatedActFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 5) return fail(env, "gatedAct: expected 5 arguments"), env.Undefined();
  int op = info[0].As<Napi::Number>().Int32Value();
  int64_t n = num(info, 4);
  if (op < 0 || op > 1) return fail(env, "gatedAct: unknown activation"), env.Undefined();
  if (!sizesOk(env, "gatedAct", {n})) return env.Undefined();
  const float *g, *u;
  float* out;
  if ((g = f32(info, 1, n, "gatedAct")) && (u = f32(info, 2, n, "gatedAct")) && (out = f32(info, 3, n, "gatedAct")))
    gatedAct(static_cast<GatedAct>(op), g, u, out, n);
  return env.Undefined();
}

// gatedActGrad(op, gate, up, dy, dgate, dup, n)
Napi::Value GatedActGradFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 7) return fail(env, "gatedActGrad: expected 7 arguments"), env.Undefined();
  int op = info[0].As<Napi::Number>().Int32Value();
  int64_t n = num(info, 6);
  if (op < 0 || op > 1) return fail(env, "gatedActGrad: unknown activation"), env.Undefined();
  if (!sizesOk(env, "gatedActGrad", {n})) return env.Undefined();
  const float *g, *u, *dy;
  float *dg, *du;
  const char* k = "gatedActGrad";
  if ((g = f32(info, 1, n, k)) && (u = f32(info, 2, n, k)) && (dy = f32(info, 3, n, k)) && (dg = f32(info, 4, n, k)) &&
      (du = f32(info, 5, n, k)))
    gatedActGrad(static_cast<GatedAct>(op), g, u, dy, dg, du, n);
  return env.Undefined();
}

// dropout(x, y, n, rate, seed): seed a non-negative integer below 2^53.
Napi::Value DropoutFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 5) return fail(env, "dropout: expected 5 arguments"), env.Undefined();
  int64_t n = num(info, 2);
  double rate = info[3].As<Napi::Number>().DoubleValue(), seed = info[4].As<Napi::Number>().DoubleValue();
  if (!sizesOk(env, "dropout", {n})) return env.Undefined();
  if (!(rate >= 0 && rate < 1)) return fail(env, "dropout: rate must be in [0, 1)"), env.Undefined();
  if (!(seed >= 0 && seed < 9007199254740992.0)) return fail(env, "dropout: seed must be a non-negative integer"), env.Undefined();
  const float* x;
  float* y;
  if ((x = f32(info, 0, n, "dropout")) && (y = f32(info, 1, n, "dropout")))
    dropout(x, y, n, static_cast<float>(rate), static_cast<uint64_t>(seed));
  return env.Undefined();
}

}  // namespace

void exportFused(Napi::Env env, Napi::Object exports) {
  exports["dropout"] = Napi::Function::New(env, DropoutFn);
  exports["rmsNorm"] = Napi::Function::New(env, RmsNorm);
  exports["rmsNormGrad"] = Napi::Function::New(env, RmsNormGrad);
  exports["rope"] = Napi::Function::New(env, Rope);
  exports["gatedAct"] = Napi::Function::New(env, GatedActFn);
  exports["gatedActGrad"] = Napi::Function::New(env, GatedActGradFn);
}

}  // namespace tt
