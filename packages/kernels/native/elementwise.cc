#include "elementwise.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "fastmath.h"
#include "pool.h"

namespace tt {
namespace {

// Elements per task when splitting across threads: enough that a task outlasts a wake-up.
constexpr int64_t kChunk = 1 << 16;

// Visits every row (the last dimension) of shape, in order, for views in lock step:
// row(pointers..., n, innerStrides...). Rows [r0, r1) only, so threads can split the work.
template <int N, class Row>
void forRows(int rank, const int64_t* shape, const View* views, int64_t r0, int64_t r1, Row row) {
  int64_t idx[kMaxRank] = {};
  int64_t rest = r0;
  for (int d = rank - 2; d >= 0; d--) idx[d] = rest % shape[d], rest /= shape[d];
  for (int64_t r = r0; r < r1; r++) {
    float* p[N];
    for (int v = 0; v < N; v++) {
      int64_t off = 0;
      for (int d = 0; d < rank - 1; d++) off += idx[d] * views[v].strides[d];
      p[v] = views[v].base + off;
    }
    row(p);
    for (int d = rank - 2; d >= 0 && ++idx[d] == shape[d]; d--) idx[d] = 0;
  }
}

template <int N, class Row>
void parallelRows(int rank, const int64_t* shape, const View* views, Row row) {
  int64_t n = shape[rank - 1], rows = 1;
  for (int d = 0; d < rank - 1; d++) rows *= shape[d];
  int64_t rowsPerTask = std::max<int64_t>(1, kChunk / std::max<int64_t>(n, 1));
  int tasks = static_cast<int>((rows + rowsPerTask - 1) / rowsPerTask);
  parallelFor(tasks, [&](int t) {
    int64_t r0 = t * rowsPerTask, r1 = std::min(rows, r0 + rowsPerTask);
    forRows<N>(rank, shape, views, r0, r1, row);
  });
}

// The inner loop, specialised on unit or zero inner strides so the compiler vectorises it.
template <class F>
void binaryRow(float* o, const float* a, const float* b, int64_t n, int64_t sa, int64_t sb, F f) {
  if (sa == 1 && sb == 1) for (int64_t i = 0; i < n; i++) o[i] = f(a[i], b[i]);
  else if (sa == 1 && sb == 0) for (int64_t i = 0; i < n; i++) o[i] = f(a[i], b[0]);
  else if (sa == 0 && sb == 1) for (int64_t i = 0; i < n; i++) o[i] = f(a[0], b[i]);
  else for (int64_t i = 0; i < n; i++) o[i] = f(a[i * sa], b[i * sb]);
}

template <class F>
void binaryWith(F f, int rank, const int64_t* shape, const View& out, const View& a, const View& b) {
  View views[3] = {out, a, b};
  int64_t n = shape[rank - 1], so = out.strides[rank - 1], sa = a.strides[rank - 1], sb = b.strides[rank - 1];
  parallelRows<3>(rank, shape, views, [&](float** p) {
    if (so == 1) return binaryRow(p[0], p[1], p[2], n, sa, sb, f);
    for (int64_t i = 0; i < n; i++) p[0][i * so] = f(p[1][i * sa], p[2][i * sb]);
  });
}

}  // namespace

void binary(Binary op, int rank, const int64_t* shape, const View& out, const View& a, const View& b) {
  switch (op) {
    case Binary::Add: return binaryWith([](float x, float y) { return x + y; }, rank, shape, out, a, b);
    case Binary::Sub: return binaryWith([](float x, float y) { return x - y; }, rank, shape, out, a, b);
    case Binary::Mul: return binaryWith([](float x, float y) { return x * y; }, rank, shape, out, a, b);
    case Binary::Div: return binaryWith([](float x, float y) { return x / y; }, rank, shape, out, a, b);
  }
}

void copy(int rank, const int64_t* shape, const View& out, const View& a) {
  View views[2] = {out, a};
  int64_t n = shape[rank - 1], so = out.strides[rank - 1], sa = a.strides[rank - 1];
  parallelRows<2>(rank, shape, views, [&](float** p) {
    if (so == 1 && sa == 1) std::memcpy(p[0], p[1], sizeof(float) * n);
    else for (int64_t i = 0; i < n; i++) p[0][i * so] = p[1][i * sa];
  });
}

namespace {

template <class F>
void unaryWith(const float* x, float* y, int64_t n, F f) {
  int tasks = static_cast<int>((n + kChunk - 1) / kChunk);
  parallelFor(tasks, [&](int t) {
    for (int64_t i = t * kChunk, end = std::min(n, i + kChunk); i < end; i++) y[i] = f(x[i]);
  });
}

}  // namespace

void unary(Unary op, const float* x, float* y, int64_t n) {
  switch (op) {
    case Unary::Exp: return unaryWith(x, y, n, [](float v) { return std::exp(v); });
    case Unary::Log: return unaryWith(x, y, n, [](float v) { return std::log(v); });
    case Unary::Neg: return unaryWith(x, y, n, [](float v) { return -v; });
    case Unary::Sigmoid: return unaryWith(x, y, n, [](float v) { return 1 / (1 + std::exp(-v)); });
    case Unary::Sqrt: return unaryWith(x, y, n, [](float v) { return std::sqrt(v); });
    case Unary::Rsqrt: return unaryWith(x, y, n, [](float v) { return 1 / std::sqrt(v); });
    case Unary::Square: return unaryWith(x, y, n, [](float v) { return v * v; });
    case Unary::Abs: return unaryWith(x, y, n, [](float v) { return std::fabs(v); });
    case Unary::Tanh: return unaryWith(x, y, n, [](float v) { return std::tanh(v); });
    case Unary::Reciprocal: return unaryWith(x, y, n, [](float v) { return 1 / v; });
  }
}

void reduceRows(Reduce op, const float* x, float* y, int64_t rows, int64_t n) {
  int64_t rowsPerTask = std::max<int64_t>(1, kChunk / std::max<int64_t>(n, 1));
  int tasks = static_cast<int>((rows + rowsPerTask - 1) / rowsPerTask);
  parallelFor(tasks, [&](int t) {
    for (int64_t r = t * rowsPerTask; r < std::min(rows, (t + 1) * rowsPerTask); r++) {
      const float* xr = x + r * n;
      if (op == Reduce::Sum) {
        double sum = 0;  // in double, as tfjs's cpu Sum adds JS numbers
        for (int64_t i = 0; i < n; i++) sum += xr[i];
        y[r] = static_cast<float>(sum);
      } else {
        float max = n ? xr[0] : -INFINITY;
        for (int64_t i = 1; i < n; i++) max = xr[i] > max || std::isnan(xr[i]) ? xr[i] : max;
        y[r] = max;
      }
    }
  });
}

namespace {

// Σ exp(x[i] − shift) over a row, the exponentials vectorised a block at a time (fastmath.h)
// and summed in double, as tfjs's cpu kernels sum; y (when given) receives them.
double sumExp(const float* x, float shift, int64_t n, float* y) {
  constexpr int64_t kBlock = 256;
  float buf[kBlock];
  double sum[4] = {0, 0, 0, 0};
  for (int64_t i0 = 0; i0 < n; i0 += kBlock) {
    int64_t len = std::min(kBlock, n - i0);
    float* e = y ? y + i0 : buf;
    for (int64_t i = 0; i < len; i++) e[i] = fastExp(x[i0 + i] - shift);
    int64_t i = 0;
    for (; i + 4 <= len; i += 4)
      for (int k = 0; k < 4; k++) sum[k] += e[i + k];
    for (; i < len; i++) sum[0] += e[i];
  }
  return (sum[0] + sum[1]) + (sum[2] + sum[3]);
}

// max and log(sum(exp(x - max))) of a row.
void rowLogSumExp(const float* x, int64_t n, float* max, double* logSum) {
  float m = -INFINITY;
  for (int64_t i = 0; i < n; i++) m = std::max(m, x[i]);
  *max = m;
  *logSum = std::log(sumExp(x, m, n, nullptr));
}

template <class Row>
void parallelRowsOf(int64_t rows, int64_t n, Row row) {
  int64_t rowsPerTask = std::max<int64_t>(1, kChunk / std::max<int64_t>(n, 1));
  int tasks = static_cast<int>((rows + rowsPerTask - 1) / rowsPerTask);
  parallelFor(tasks, [&](int t) {
    for (int64_t r = t * rowsPerTask; r < std::min(rows, (t + 1) * rowsPerTask); r++) row(r);
  });
}

}  // namespace

void crossEntropyRows(const float* logits, const int32_t* targets, float* loss, int64_t rows, int64_t n) {
  parallelRowsOf(rows, n, [&](int64_t r) {
    const float* x = logits + r * n;
    float max;
    double logSum;
    rowLogSumExp(x, n, &max, &logSum);
    int32_t t = targets[r];
    loss[r] = t >= 0 && t < n ? static_cast<float>(max + logSum - x[t]) : NAN;
  });
}

void crossEntropyGrad(const float* logits, const int32_t* targets, const float* dy, float* dx, int64_t rows, int64_t n) {
  parallelRowsOf(rows, n, [&](int64_t r) {
    const float* x = logits + r * n;
    float* g = dx + r * n;
    float max;
    double logSum;
    rowLogSumExp(x, n, &max, &logSum);
    float shift = static_cast<float>(max + logSum), scale = dy[r];
    for (int64_t i = 0; i < n; i++) g[i] = fastExp(x[i] - shift) * scale;
    int32_t t = targets[r];
    if (t >= 0 && t < n) g[t] -= scale;
  });
}

void softmaxRows(const float* x, float* y, int64_t rows, int64_t n) {
  int64_t rowsPerTask = std::max<int64_t>(1, kChunk / std::max<int64_t>(n, 1));
  int tasks = static_cast<int>((rows + rowsPerTask - 1) / rowsPerTask);
  parallelFor(tasks, [&](int t) {
    for (int64_t r = t * rowsPerTask; r < std::min(rows, (t + 1) * rowsPerTask); r++) {
      const float* xr = x + r * n;
      float* yr = y + r * n;
      float max = -INFINITY;
      for (int64_t i = 0; i < n; i++) max = std::max(max, xr[i]);
      double sum = sumExp(xr, max, n, yr);  // in double, as tfjs's cpu Softmax sums in JS numbers
      float inv = static_cast<float>(1 / sum);
      for (int64_t i = 0; i < n; i++) yr[i] *= inv;
    }
  });
}

}  // namespace tt
