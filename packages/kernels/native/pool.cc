#include "pool.h"

#include <sched.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace tt {
namespace {

struct Pool {
  std::vector<std::thread> workers;
  std::mutex runMu;  // one job at a time, whichever JS thread (worker_threads) asks
  std::mutex mu;
  std::condition_variable wake, finished;
  const std::function<void(int)>* job = nullptr;
  std::atomic<int> next{0};
  int tasks = 0;
  long generation = 0;  // bumped per job so a worker never runs the same job twice
  int busy = 0;         // workers that joined the current job and are still inside it
  // Set once the caller has taken the last task: a worker waking after that does not join, so
  // the caller never waits for a worker the OS has not scheduled yet (on a loaded machine that
  // wait was a scheduler time slice per call, while the caller had done every task itself).
  bool closed = true;
  bool stopping = false;

  void drain() {
    for (int t; (t = next.fetch_add(1)) < tasks;) (*job)(t);
  }

  void workerLoop() {
    long seen = 0;
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
      wake.wait(lock, [&] { return stopping || generation != seen; });
      if (stopping) return;
      seen = generation;
      if (closed) continue;  // too late: the caller has taken every task
      busy++;
      lock.unlock();
      drain();
      lock.lock();
      if (--busy == 0) finished.notify_one();
    }
  }

  void start(int threads) {
    for (int i = 1; i < threads; i++) workers.emplace_back([this] { workerLoop(); });
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mu);
      stopping = true;
    }
    wake.notify_all();
    for (auto& w : workers) w.join();
    workers.clear();
    stopping = false;
  }

  void run(int n, const std::function<void(int)>& fn) {
    if (workers.empty() || n <= 1) {
      for (int t = 0; t < n; t++) fn(t);
      return;
    }
    std::lock_guard<std::mutex> one(runMu);
    {
      std::lock_guard<std::mutex> lock(mu);
      job = &fn;
      tasks = n;
      next = 0;
      busy = 0;
      closed = false;
      generation++;
    }
    wake.notify_all();
    drain();
    std::unique_lock<std::mutex> lock(mu);
    closed = true;
    finished.wait(lock, [&] { return busy == 0; });
  }
};

int envThreads() {
  const char* s = std::getenv("TOOLTUNE_THREADS");
  int n = s ? std::atoi(s) : 0;
  return n > 0 ? n : availableCores();
}

// Never destroyed: workers sleep on a condition variable and die with the process, which
// avoids joining threads from static destructors at exit.
Pool& pool() {
  static Pool* p = [] {
    auto* q = new Pool();
    q->start(envThreads());
    return q;
  }();
  return *p;
}

}  // namespace

int availableCores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
  unsigned n = std::thread::hardware_concurrency();
  return n ? static_cast<int>(n) : 1;
}

void parallelFor(int tasks, const std::function<void(int)>& fn) { pool().run(tasks, fn); }

void setThreads(int n) {
  Pool& p = pool();
  std::lock_guard<std::mutex> one(p.runMu);
  p.stop();
  p.start(n > 0 ? n : availableCores());
}

int getThreads() { return static_cast<int>(pool().workers.size()) + 1; }

}  // namespace tt
