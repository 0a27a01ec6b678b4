// The `native` tfjs backend: tfjs's cpu backend (same MathBackendCPU class, every cpu kernel
// re-registered under the new name) with native kernels registered over the ones that matter.
import "@tensorflow/tfjs-backend-cpu"; // registers the cpu kernels copied below
import { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { getKernelsForBackend, registerBackend, registerKernel, type KernelConfig } from "@tensorflow/tfjs-core";
import { loadAddon } from "./addon.js";
import { nativeKernels } from "./kernels.js";

export const backendName = "native";
// Below cpu's 1: tfjs never picks `native` by itself; the model's backend chain sets it.
const priority = 0;
let registered = false;

function newBackend(): MathBackendCPU {
  const backend = new MathBackendCPU();
  // Its first write prints "install tfjs-node to speed things up", wrong advice for this backend.
  (backend as unknown as { firstUse: boolean }).firstUse = false;
  return backend;
}

export type Registered = { ok: true } | { ok: false; reason: string };

/** True when the compiled addon loads on this machine. */
export function nativeAvailable(): boolean {
  return loadAddon().ok;
}

/** Registers the `native` backend (idempotent), or says in one line why it cannot. */
export function registerNativeBackend(): Registered {
  const loaded = loadAddon();
  if (!loaded.ok) return { ok: false, reason: loaded.reason };
  if (registered) return { ok: true };
  const ours = nativeKernels(loaded.addon);
  const replaced = new Set(ours.map((k) => k.kernelName));
  registerBackend(backendName, newBackend, priority);
  for (const k of getKernelsForBackend("cpu")) {
    if (!replaced.has(k.kernelName)) registerKernel({ ...k, backendName } as KernelConfig);
  }
  for (const k of ours) registerKernel({ ...k, backendName });
  registered = true;
  return { ok: true };
}
