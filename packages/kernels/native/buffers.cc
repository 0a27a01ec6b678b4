#include "buffers.h"

#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace tt {
namespace {

// Enough for every activation of a config-A training step to be recycled; past this, freed
// blocks go back to the system so a one-off large tensor does not pin memory.
constexpr size_t kMaxCachedBytes = size_t(1) << 30;

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
  return std::aligned_alloc(64, (bytes + 63) / 64 * 64);
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
