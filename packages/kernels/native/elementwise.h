// Memory-bound kernels over strided N-d views: the cpu backend's JS versions compute an index
// per element (with allocations) whenever an input is broadcast, sliced or transposed.
#pragma once
#include <cstddef>
#include <cstdint>

namespace tt {

constexpr int kMaxRank = 8;

// A strided view: element (i0..i{rank-1}) of the shared shape is at base[sum(ik * strides[k])].
struct View {
  float* base;
  int64_t strides[kMaxRank];
};

enum class Binary { Add, Sub, Mul, Div };

// out = a (op) b elementwise over shape; strides 0 broadcast.
void binary(Binary op, int rank, const int64_t* shape, const View& out, const View& a, const View& b);
// out = a over shape (transpose, slice, concat: all are strided copies).
void copy(int rank, const int64_t* shape, const View& out, const View& a);
enum class Unary { Exp, Log, Neg, Sigmoid, Sqrt, Rsqrt, Square, Abs, Tanh, Reciprocal };
// y = op(x) over n contiguous elements.
void unary(Unary op, const float* x, float* y, int64_t n);

enum class Reduce { Sum, Max };
// y[r] = op over the n contiguous values of row r.
void reduceRows(Reduce op, const float* x, float* y, int64_t rows, int64_t n);

// Softmax of each contiguous row of length n: rows x n in, rows x n out.
void softmaxRows(const float* x, float* y, int64_t rows, int64_t n);

// Cross-entropy of each row of logits (rows x n) against an integer target per row:
// loss[r] = logsumexp(row) - row[target[r]]. Targets outside [0, n) give NaN.
void crossEntropyRows(const float* logits, const int32_t* targets, float* loss, int64_t rows, int64_t n);
// Its gradient: dx = (softmax(row) - onehot(target)) * dy[r].
void crossEntropyGrad(const float* logits, const int32_t* targets, const float* dy, float* dx, int64_t rows, int64_t n);

}  // namespace tt
