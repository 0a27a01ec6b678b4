import { addonOrThrow } from "./sgemm.js";

/**
 * Threads used by native kernels (the calling thread included). Default: the cores this
 * process may run on, or TOOLTUNE_THREADS when set. n <= 0 restores the default core count.
 */
export function setThreads(n: number): number {
  return addonOrThrow().setThreads(Math.floor(n));
}

export function getThreads(): number {
  return addonOrThrow().getThreads();
}

/**
 * The sgemm micro-kernel in use, picked at load from the CPU's features: `avx2` (AVX2 + FMA) or
 * `portable`. Results are bit-identical across threads but not across micro-kernels (FMA rounds
 * once), so a run records it next to the backend.
 */
export function microKernel(): string {
  return addonOrThrow().kernelName();
}
