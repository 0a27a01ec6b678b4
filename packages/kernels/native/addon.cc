// N-API face of the kernels. Arguments are positional (the TypeScript wrapper names them) and
// arrays are used in place: a Float32Array's data pointer already includes its byte offset.
#include <napi.h>
#include <v8.h>

#include <string>

#include "attention.h"
#include "buffers.h"
#include "elementwise.h"
#include "fused.h"
#include "pool.h"
#include "sgemm.h"

namespace {

bool fail(Napi::Env env, const std::string& msg) {
  Napi::RangeError::New(env, "tooltune kernels: " + msg).ThrowAsJavaScriptException();
  return false;
}

// Checks that every element a strided batched view touches lies inside the array.
bool inBounds(Napi::Env env, const char* name, size_t length, int64_t offset, int64_t rows,
              int64_t cols, int64_t ld, int64_t stride, int64_t batch) {
  if (rows == 0 || cols == 0 || batch == 0) return true;
  if (offset < 0 || ld < cols || stride < 0) return fail(env, std::string(name) + " has a bad offset, ld or stride");
  int64_t last = offset + (batch - 1) * stride + (rows - 1) * ld + (cols - 1);
  if (last >= static_cast<int64_t>(length))
    return fail(env, std::string(name) + " view reaches element " + std::to_string(last) +
                         " of an array of " + std::to_string(length));
  return true;
}

// sgemm(transA, transB, m, n, k, alpha, a, aOffset, lda, strideA, b, bOffset, ldb, strideB,
//       beta, c, cOffset, ldc, strideC, batch)
Napi::Value Sgemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 20) return fail(env, "expected 20 arguments"), env.Undefined();
  for (int i : {6, 10, 15})
    if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      return fail(env, "a, b and c must be Float32Arrays"), env.Undefined();
  auto num = [&](int i) { return info[i].As<Napi::Number>().Int64Value(); };
  auto a = info[6].As<Napi::Float32Array>(), b = info[10].As<Napi::Float32Array>();
  auto c = info[15].As<Napi::Float32Array>();
  tt::Gemm g;
  g.transA = info[0].ToBoolean();
  g.transB = info[1].ToBoolean();
  int64_t m = num(2), n = num(3), k = num(4), batch = num(19);
  if (m < 0 || n < 0 || k < 0 || batch < 0 || m > INT32_MAX || n > INT32_MAX || k > INT32_MAX || batch > INT32_MAX)
    return fail(env, "bad sizes"), env.Undefined();
  g.m = int(m), g.n = int(n), g.k = int(k), g.batch = int(batch);
  g.alpha = info[5].As<Napi::Number>().FloatValue();
  g.beta = info[14].As<Napi::Number>().FloatValue();
  int64_t aOff = num(7), bOff = num(11), cOff = num(16);
  g.lda = num(8), g.strideA = num(9), g.ldb = num(12), g.strideB = num(13);
  g.ldc = num(17), g.strideC = num(18);
  bool ok = inBounds(env, "a", a.ElementLength(), aOff, g.transA ? k : m, g.transA ? m : k, g.lda, g.strideA, batch) &&
            inBounds(env, "b", b.ElementLength(), bOff, g.transB ? n : k, g.transB ? k : n, g.ldb, g.strideB, batch) &&
            inBounds(env, "c", c.ElementLength(), cOff, m, n, g.ldc, g.strideC, batch);
  if (!ok) return env.Undefined();
  if (batch > 1 && g.strideC < m * g.ldc && m > 0 && n > 0) return fail(env, "c batches overlap"), env.Undefined();
  g.a = a.Data() + aOff;
  g.b = b.Data() + bOff;
  g.c = c.Data() + cOff;
  tt::sgemm(g);
  return env.Undefined();
}

// Reads shape (a JS array of sizes) into dims; false (with an exception) when it is unusable.
bool readShape(Napi::Env env, Napi::Value v, int* rank, int64_t* dims) {
  if (!v.IsArray()) return fail(env, "shape must be an array");
  auto arr = v.As<Napi::Array>();
  *rank = static_cast<int>(arr.Length());
  if (*rank < 1 || *rank > tt::kMaxRank) return fail(env, "rank must be 1.." + std::to_string(tt::kMaxRank));
  for (int d = 0; d < *rank; d++) {
    dims[d] = arr.Get(d).As<Napi::Number>().Int64Value();
    if (dims[d] < 0) return fail(env, "negative size");
  }
  return true;
}

// A view from (Float32Array, offset, strides array), checked to stay inside the array.
bool readView(Napi::Env env, const Napi::CallbackInfo& info, int at, int rank, const int64_t* shape, tt::View* view) {
  if (!info[at].IsTypedArray() || info[at].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    return fail(env, "arrays must be Float32Arrays");
  auto arr = info[at].As<Napi::Float32Array>();
  auto strides = info[at + 2].As<Napi::Array>();
  if (strides.Length() != static_cast<uint32_t>(rank)) return fail(env, "strides must match the shape's rank");
  int64_t last = info[at + 1].As<Napi::Number>().Int64Value();
  if (last < 0) return fail(env, "negative offset");
  bool empty = false;
  for (int d = 0; d < rank; d++) {
    view->strides[d] = strides.Get(d).As<Napi::Number>().Int64Value();
    if (view->strides[d] < 0) return fail(env, "negative stride");
    if (shape[d] == 0) empty = true;
    else last += (shape[d] - 1) * view->strides[d];
  }
  if (!empty && last >= static_cast<int64_t>(arr.ElementLength())) return fail(env, "view reaches past its array");
  view->base = arr.Data() + info[at + 1].As<Napi::Number>().Int64Value();
  return true;
}

// binary(op, shape, out, outOffset, outStrides, a, aOffset, aStrides, b, bOffset, bStrides)
Napi::Value Binary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int rank;
  int64_t shape[tt::kMaxRank];
  tt::View out, a, b;
  int op = info[0].As<Napi::Number>().Int32Value();
  if (op < 0 || op > 3) return fail(env, "unknown binary op"), env.Undefined();
  if (readShape(env, info[1], &rank, shape) && readView(env, info, 2, rank, shape, &out) &&
      readView(env, info, 5, rank, shape, &a) && readView(env, info, 8, rank, shape, &b))
    tt::binary(static_cast<tt::Binary>(op), rank, shape, out, a, b);
  return env.Undefined();
}

// copy(shape, out, outOffset, outStrides, a, aOffset, aStrides)
Napi::Value Copy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int rank;
  int64_t shape[tt::kMaxRank];
  tt::View out, a;
  if (readShape(env, info[0], &rank, shape) && readView(env, info, 1, rank, shape, &out) &&
      readView(env, info, 4, rank, shape, &a))
    tt::copy(rank, shape, out, a);
  return env.Undefined();
}

// softmax(x, y, rows, n): softmax over each contiguous row of n.
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  for (int i : {0, 1})
    if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      return fail(env, "softmax: x and y must be Float32Arrays"), env.Undefined();
  auto x = info[0].As<Napi::Float32Array>(), y = info[1].As<Napi::Float32Array>();
  int64_t rows = info[2].As<Napi::Number>().Int64Value(), n = info[3].As<Napi::Number>().Int64Value();
  if (rows < 0 || n < 0 || static_cast<int64_t>(x.ElementLength()) < rows * n || static_cast<int64_t>(y.ElementLength()) < rows * n)
    return fail(env, "softmax: arrays shorter than rows x n"), env.Undefined();
  tt::softmaxRows(x.Data(), y.Data(), rows, n);
  return env.Undefined();
}

bool isF32(const Napi::Value& v) {
  return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_float32_array;
}

// unary(op, x, y): y = op(x) over all of x (y at least as long).
Napi::Value Unary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int op = info[0].As<Napi::Number>().Int32Value();
  if (op < 0 || op > 9 || !isF32(info[1]) || !isF32(info[2])) return fail(env, "unary: bad op or arrays"), env.Undefined();
  auto x = info[1].As<Napi::Float32Array>(), y = info[2].As<Napi::Float32Array>();
  if (y.ElementLength() < x.ElementLength()) return fail(env, "unary: output too short"), env.Undefined();
  tt::unary(static_cast<tt::Unary>(op), x.Data(), y.Data(), static_cast<int64_t>(x.ElementLength()));
  return env.Undefined();
}

// reduce(op, x, y, rows, n): y[r] = sum or max of row r of x (rows x n).
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int op = info[0].As<Napi::Number>().Int32Value();
  if (op < 0 || op > 1 || !isF32(info[1]) || !isF32(info[2])) return fail(env, "reduce: bad op or arrays"), env.Undefined();
  auto x = info[1].As<Napi::Float32Array>(), y = info[2].As<Napi::Float32Array>();
  int64_t rows = info[3].As<Napi::Number>().Int64Value(), n = info[4].As<Napi::Number>().Int64Value();
  if (rows < 0 || n < 0 || static_cast<int64_t>(x.ElementLength()) < rows * n || static_cast<int64_t>(y.ElementLength()) < rows)
    return fail(env, "reduce: arrays shorter than rows x n"), env.Undefined();
  tt::reduceRows(static_cast<tt::Reduce>(op), x.Data(), y.Data(), rows, n);
  return env.Undefined();
}

// alloc(n): a Float32Array of n uninitialised floats over recycled native memory. The block
// returns to the pool when V8 frees the ArrayBuffer's backing store, i.e. when no view of it is
// left. This goes through V8's own API because N-API finalizers are deferred to the event loop,
// so a synchronous training step would never see its freed blocks again; a BackingStore
// deleter runs as soon as the GC sweeps the buffer (maybe on another thread: the pool locks).
// poolSizeClass(bytes): the block size alloc() takes for that many bytes (tested: bounded waste,
// few classes per octave).
Napi::Value PoolSizeClass(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(tt::sizeClass(static_cast<size_t>(info[0].As<Napi::Number>().Int64Value()))));
}

// poisonPool(byte): test-only, see tt::setPoison (byte -1 turns it off).
Napi::Value PoisonPool(const Napi::CallbackInfo& info) {
  tt::setPoison(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

Napi::Value Alloc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t n = info[0].As<Napi::Number>().Int64Value();
  if (n <= 0 || n > (int64_t(1) << 34)) return fail(env, "alloc: bad size"), env.Undefined();
  size_t bytes = static_cast<size_t>(n) * sizeof(float);
  void* p = tt::takeBuffer(bytes);
  if (!p) return fail(env, "alloc: out of memory"), env.Undefined();
  auto store = v8::ArrayBuffer::NewBackingStore(
      p, bytes, [](void* data, size_t length, void*) { tt::giveBuffer(data, length); }, nullptr);
  v8::Local<v8::ArrayBuffer> buffer = v8::ArrayBuffer::New(v8::Isolate::GetCurrent(), std::move(store));
  v8::Local<v8::Value> array = v8::Float32Array::New(buffer, 0, static_cast<size_t>(n));
  // A napi_value is a v8::Local's slot pointer (Node's v8impl::JsValueFromV8LocalValue); the
  // Local lives in the handle scope N-API opened for this call.
  return Napi::Value(env, reinterpret_cast<napi_value>(*array));
}

// crossEntropy(logits, targets, loss, rows, n) and crossEntropyGrad(logits, targets, dy, dx, rows, n).
bool checkCrossEntropy(const Napi::CallbackInfo& info, int64_t* rows, int64_t* n) {
  Napi::Env env = info.Env();
  bool grad = info.Length() == 6;
  if (!isF32(info[0]) || !info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      !isF32(info[2]) || (grad && !isF32(info[3])))
    return fail(env, "crossEntropy: logits/dy/out must be Float32Arrays and targets an Int32Array");
  *rows = info[grad ? 4 : 3].As<Napi::Number>().Int64Value();
  *n = info[grad ? 5 : 4].As<Napi::Number>().Int64Value();
  auto len = [&](int i) { return static_cast<int64_t>(info[i].As<Napi::TypedArray>().ElementLength()); };
  if (*rows < 0 || *n < 0 || len(0) < *rows * *n || len(1) < *rows || len(2) < *rows ||
      (grad && len(3) < *rows * *n))
    return fail(env, "crossEntropy: arrays shorter than rows x n");
  return true;
}

Napi::Value CrossEntropy(const Napi::CallbackInfo& info) {
  int64_t rows, n;
  if (checkCrossEntropy(info, &rows, &n))
    tt::crossEntropyRows(info[0].As<Napi::Float32Array>().Data(), info[1].As<Napi::Int32Array>().Data(),
                         info[2].As<Napi::Float32Array>().Data(), rows, n);
  return info.Env().Undefined();
}

Napi::Value CrossEntropyGrad(const Napi::CallbackInfo& info) {
  int64_t rows, n;
  if (checkCrossEntropy(info, &rows, &n))
    tt::crossEntropyGrad(info[0].As<Napi::Float32Array>().Data(), info[1].As<Napi::Int32Array>().Data(),
                         info[2].As<Napi::Float32Array>().Data(), info[3].As<Napi::Float32Array>().Data(), rows, n);
  return info.Env().Undefined();
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  tt::setThreads(info[0].As<Napi::Number>().Int32Value());
  return Napi::Number::New(info.Env(), tt::getThreads());
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), tt::getThreads()); }

Napi::Value AvailableCores(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), tt::availableCores()); }

Napi::Value KernelName(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), tt::kernelName()); }

Napi::Value UseKernel(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), tt::useKernel(info[0].As<Napi::String>().Utf8Value().c_str()));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports["sgemm"] = Napi::Function::New(env, Sgemm);
  exports["binary"] = Napi::Function::New(env, Binary);
  exports["copy"] = Napi::Function::New(env, Copy);
  exports["crossEntropy"] = Napi::Function::New(env, CrossEntropy);
  exports["crossEntropyGrad"] = Napi::Function::New(env, CrossEntropyGrad);
  exports["alloc"] = Napi::Function::New(env, Alloc);
  exports["poolSizeClass"] = Napi::Function::New(env, PoolSizeClass);
  exports["poisonPool"] = Napi::Function::New(env, PoisonPool);
  exports["unary"] = Napi::Function::New(env, Unary);
  exports["reduce"] = Napi::Function::New(env, Reduce);
  exports["softmax"] = Napi::Function::New(env, Softmax);
  tt::exportFused(env, exports);  // rmsNorm, rope, gatedAct and their gradients (fused.cc)
  tt::exportAttention(env, exports);  // attention, attentionGrad (attention_napi.cc)
  exports["setThreads"] = Napi::Function::New(env, SetThreads);
  exports["getThreads"] = Napi::Function::New(env, GetThreads);
  exports["availableCores"] = Napi::Function::New(env, AvailableCores);
  exports["kernelName"] = Napi::Function::New(env, KernelName);
  exports["useKernel"] = Napi::Function::New(env, UseKernel);
  return exports;
}

}  // namespace

NODE_API_MODULE(tooltune_kernels, Init)
