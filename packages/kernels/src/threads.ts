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
