#include "buffers.h"

#include <sys/mman.h>

#include <cstdlib>
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

void* fresh(size_t bytes) {
  if (bytes < 2 * kHugePage) return std::aligned_alloc(64, (bytes + 63) / 64 * 64);
  size_t size = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* p = std::aligned_alloc(kHugePage, size);
  if (p) madvise(p, size, MADV_HUGEPAGE);  // advice only: failure leaves normal pages
  return p;
}

std::mutex mu;
std::unordered_map<size_t, std::vector<void*>> freeLists;
size_t cachedBytes = 0;

}  // namespace

void* takeBuffer(size_t bytes) {
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

void giveBuffer(void* p, size_t bytes) {
  {
    std::lock_guard<std::mutex> lock(mu);
    if (cachedBytes + bytes <= kMaxCachedBytes) {
      freeLists[bytes].push_back(p);
      cachedBytes += bytes;
      return;
    }
  }
  std::free(p);
}

}  // namespace tt
