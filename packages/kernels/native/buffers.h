// Reusable output memory. A fresh multi-megabyte output costs page faults and kernel zeroing
// on first touch: measured 4x slower (22 vs 92 GFLOP per CPU-second) for the 2048 x 4096
// lm_head product writing into a new 32 MB Float32Array rather than a reused one.
#pragma once
#include <cstddef>

namespace tt {

// The block size takeBuffer hands out for `bytes`: classes four to an octave, so a run whose
// tensor sizes drift step to step still reuses its blocks.
size_t sizeClass(size_t bytes);
// 64-byte aligned block of at least `bytes`, recycled from a freed one of the same size class
// when possible.
void* takeBuffer(size_t bytes);
// Test-only: fill every block takeBuffer hands out (fresh or recycled) with `byte`; -1 turns it off.
void setPoison(int byte);
// Returns a block taken for `bytes` for reuse (kept up to a cap, beyond which it goes back to the system).
void giveBuffer(void* p, size_t bytes);

}  // namespace tt
