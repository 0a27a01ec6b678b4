// Fused causal self-attention over packed rows, forward and backward, flash-attention style:
// scores and probabilities exist only one block of query rows at a time (never [T, T] per head),
// and key blocks a query cannot see (the causal upper triangle, earlier packed examples) are
// never computed. The backward pass recomputes probabilities from the saved log-sum-exp.
#pragma once
#include <cstdint>

namespace tt {

struct Attention {
  int B = 0, T = 0;    // rows and tokens per row; tokens are indexed n = b * T + t
  int nH = 0, nKv = 0;  // query heads, kv heads: query head h reads kv head h / (nH / nKv)
  int hd = 0;           // head dim
  float scale = 1;      // scores = scale * q.k
  float softcap = 0;    // > 0: scores = softcap * tanh(scores / softcap) (Gemma2)
  int window = 0;       // > 0: key j visible from query i only when i - j < window
  // Segment id per token [B * T]: a token sees the keys from the start of its run of equal ids
  // up to itself (packed examples; a padding token is a run of one).
  const int32_t* segments = nullptr;
};

// q [B*T, nH, hd], k and v [B*T, nKv, hd] -> out [B*T, nH * hd] (heads concatenated) and
// lse [B, nH, T] (log-sum-exp of each query's scores, for the backward pass).
void attentionForward(const Attention& a, const float* q, const float* k, const float* v, float* out, float* lse);

// dOut [B*T, nH * hd] -> dq (as q), dk and dv (as k and v); every element is written.
void attentionBackward(const Attention& a, const float* q, const float* k, const float* v, const float* lse,
                       const float* dOut, float* dq, float* dk, float* dv);

}  // namespace tt

#ifdef NAPI_VERSION
#include <napi.h>
namespace tt {
// Adds attention and attentionGrad to the addon's exports (attention_napi.cc).
void exportAttention(Napi::Env env, Napi::Object exports);
}  // namespace tt
#endif
