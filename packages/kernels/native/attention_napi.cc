// N-API face of the fused attention (attention.h), registered by addon.cc's Init.
#include <napi.h>

#include <string>

#include "attention.h"

namespace tt {
namespace {

bool attnFail(Napi::Env env, const std::string& msg) {
  Napi::RangeError::New(env, "tooltune kernels: attention: " + msg).ThrowAsJavaScriptException();
  return false;
}

// Reads (B, T, nH, nKv, hd, scale, softcap, window) from info[at..at+8) and the segment ids at
// info[segAt]; checks that every array argument is long enough.
bool readAttention(const Napi::CallbackInfo& info, int at, int segAt, Attention* a) {
  Napi::Env env = info.Env();
  if (info.Length() < static_cast<size_t>(at + 8)) return attnFail(env, "too few arguments");
  auto num = [&](int i) { return info[i].As<Napi::Number>().Int64Value(); };
  int64_t B = num(at), T = num(at + 1), nH = num(at + 2), nKv = num(at + 3), hd = num(at + 4), window = num(at + 7);
  if (B < 0 || T < 0 || nH < 1 || nKv < 1 || hd < 1 || window < 0 || nH % nKv != 0 || B * T * nH * hd > (int64_t(1) << 34) ||
      B * nH > INT32_MAX)
    return attnFail(env, "bad sizes");
  a->B = int(B), a->T = int(T), a->nH = int(nH), a->nKv = int(nKv), a->hd = int(hd), a->window = int(window);
  a->scale = info[at + 5].As<Napi::Number>().FloatValue();
  a->softcap = info[at + 6].As<Napi::Number>().FloatValue();
  if (!info[segAt].IsTypedArray() || info[segAt].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      static_cast<int64_t>(info[segAt].As<Napi::TypedArray>().ElementLength()) < B * T)
    return attnFail(env, "segments must be an Int32Array of B x T");
  a->segments = info[segAt].As<Napi::Int32Array>().Data();
  return true;
}

// Float32Arrays at the given argument indices, each at least `need` elements long.
bool floats(const Napi::CallbackInfo& info, std::initializer_list<std::pair<int, int64_t>> args, float** out) {
  int i = 0;
  for (auto [at, need] : args) {
    if (!info[at].IsTypedArray() || info[at].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      return attnFail(info.Env(), "argument " + std::to_string(at) + " must be a Float32Array");
    auto arr = info[at].As<Napi::Float32Array>();
    if (static_cast<int64_t>(arr.ElementLength()) < need)
      return attnFail(info.Env(), "argument " + std::to_string(at) + " is shorter than its shape");
    out[i++] = arr.Data();
  }
  return true;
}

// attention(q, k, v, segments, out, lse, B, T, nH, nKv, hd, scale, softcap, window)
Napi::Value Forward(const Napi::CallbackInfo& info) {
  Attention a;
  float* p[5];
  if (readAttention(info, 6, 3, &a)) {
    int64_t n = int64_t(a.B) * a.T, qn = n * a.nH * a.hd, kn = n * a.nKv * a.hd;
    if (floats(info, {{0, qn}, {1, kn}, {2, kn}, {4, qn}, {5, n * a.nH}}, p)) attentionForward(a, p[0], p[1], p[2], p[3], p[4]);
  }
  return info.Env().Undefined();
}

// attentionGrad(q, k, v, segments, lse, dOut, dq, dk, dv, B, T, nH, nKv, hd, scale, softcap, window)
Napi::Value Backward(const Napi::CallbackInfo& info) {
  Attention a;
  float* p[8];
  if (readAttention(info, 9, 3, &a)) {
    int64_t n = int64_t(a.B) * a.T, qn = n * a.nH * a.hd, kn = n * a.nKv * a.hd;
    if (floats(info, {{0, qn}, {1, kn}, {2, kn}, {4, n * a.nH}, {5, qn}, {6, qn}, {7, kn}, {8, kn}}, p))
      attentionBackward(a, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]);
  }
  return info.Env().Undefined();
}

}  // namespace

void exportAttention(Napi::Env env, Napi::Object exports) {
  exports["attention"] = Napi::Function::New(env, Forward);
  exports["attentionGrad"] = Napi::Function::New(env, Backward);
}

}  // namespace tt
