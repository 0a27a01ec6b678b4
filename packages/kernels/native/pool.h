// A small fixed thread pool: the calling thread works too, so n threads = n - 1 workers.
#pragma once
#include <functional>

namespace tt {

// Runs fn(task) for task in [0, tasks) across the pool; returns when all are done.
void parallelFor(int tasks, const std::function<void(int)>& fn);
void setThreads(int n);
int getThreads();
// Cores this process may run on (sched affinity), the default thread count.
int availableCores();

}  // namespace tt
