export { backendName, nativeAvailable, registerNativeBackend, type Registered } from "./backend.js";
export { sgemm, type SgemmArgs } from "./sgemm.js";
export { getThreads, setThreads, microKernel } from "./threads.js";
export { crossEntropy } from "./cross-entropy.js";
export { attention, type AttentionOptions } from "./attention.js";
export { fusedOps, type FusedOps } from "./fused-ops.js";
