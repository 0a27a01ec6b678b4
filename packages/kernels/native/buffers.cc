#include "buffers.h"

#include <sys/mman.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace tt {
namespace {

// Enough for every activation of a config-A training step to be recycled; past this, freed
// blocks go back to the system so a one-off large tensor does not pin memory.
constexpr size_t kMaxCachedBytes = size_t(1) << 30;
// Transparent huge pages are opt-in here (/sys/kernel/mm/transparent_hugepage/enabled is
// "madvise"): a 2 MB-aligned block with MADV_HUGEPAGE faults in 2 MB at a time, not 4 KB.
constexpr size_t kHugePage = size_t(2) << 20;

// A page fault here costs ~20 us (measured: 11 ms to first-touch a fresh 2 MB block in 4 KB
// pages, 0.25-0.4 ms in one huge page), and a training step's outputs are fresh whenever the
// GC has not yet returned the last step's blocks. So every block is huge-page backed: from
// 1 MB up a block of its own (rounded up to 2 MB), below that carved from 2 MB slabs.
constexpr size_t kOwnBlockFrom = size_t(1) << 20;

void* hugeBlock(size_t size) {
  void* p = std::aligned_alloc(kHugePage, size);
  if (p) madvise(p, size, MADV_HUGEPAGE);  // advice only: failure leaves normal pages
  return p;
}

std::mutex mu;
std::unordered_map<size_t, std::vector<void*>> freeLists;
size_t cachedBytes = 0;
char* slab = nullptr;  // the current slab for small blocks and how much of it is used
size_t slabUsed = kHugePage;

// Under mu. Small blocks are never given back to the system (a slab is shared), only reused.
void* smallBlock(size_t bytes) {
  size_t size = (bytes + 63) / 64 * 64;
  if (slabUsed + size > kHugePage) {
    slab = static_cast<char*>(hugeBlock(kHugePage));
    if (!slab) return nullptr;
    slabUsed = 0;
  }
  void* p = slab + slabUsed;
  slabUsed += size;
  return p;
}

void* fresh(size_t bytes) {
  if (bytes < kOwnBlockFrom) {
    std::lock_guard<std::mutex> lock(mu);
    return smallBlock(bytes);
  }
  return hugeBlock((bytes + kHugePage - 1) / kHugePage * kHugePage);
}

// Test-only: the byte every block is filled with as it is handed out, or -1 (the default) to leave
// it as it is. Outputs are never zero-filled, so a kernel that reads output memory it did not
// write (a += into a fresh block, an unwritten tail) picks up whatever an earlier tensor or the
// heap left there; filling with two patterns makes such reads show up as differing results.
std::atomic<int> poison{-1};

// A block of the class `bytes`: a recycled one when there is one, else fresh.
void* takeClass(size_t bytes) {
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = freeLists.find(bytes);
    if (it != freeLists.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      cachedBytes -= bytes;
      return p;
    }
  }
  return fresh(bytes);
}

}  // namespace

// Blocks come in size classes four to an octave (at most 25% larger than asked): with exact
// sizes, batches whose length changes every step (unpacked rows padded to the longest) asked
// for new sizes every step, and the cached blocks of old sizes, small ones never freed, grew
// the process by ~100 MB a step.
size_t sizeClass(size_t bytes) {
  if (bytes <= 256) return (bytes + 63) / 64 * 64;
  size_t octave = size_t(1) << (63 - __builtin_clzll(bytes));  // largest power of 2 <= bytes
  size_t step = octave / 4;
  return (bytes + step - 1) / step * step;
}

void setPoison(int byte) { poison = byte >= 0 && byte <= 255 ? byte : -1; }

void* takeBuffer(size_t requested) {
  size_t bytes = sizeClass(requested);
  void* p = takeClass(bytes);
  int fill = poison;
  if (p && fill >= 0) std::memset(p, fill, bytes);
  return p;
}

void giveBuffer(void* p, size_t requested) {
  size_t bytes = sizeClass(requested);
  {
    std::lock_guard<std::mutex> lock(mu);
    if (cachedBytes + bytes <= kMaxCachedBytes || bytes < kOwnBlockFrom) {
      freeLists[bytes].push_back(p);
      cachedBytes += bytes;
      return;
    }
  }
  std::free(p);
}

}  // namespace tt
