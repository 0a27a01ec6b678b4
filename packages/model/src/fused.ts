// Fused ops a backend may supply in place of chains of tfjs ops (the contract, FusedOps, is the
// kernels package's). The `native` backend's come from @tooltune/kernels (its `fusedOps` export,
// picked up by selectBackend); every other backend, and
// any op a backend lacks, falls back to the model's own tfjs formulation. Each fused op must be
// differentiable through tf.grads (tf.customGrad) and match the tfjs formulation within 1e-5.
import * as tf from "@tensorflow/tfjs-core";
// A type import: erased at run time, so the model loads kernels only when selectBackend picks `native`.
import type { FusedOps } from "@tooltune/kernels";

export type { FusedOps };

let owner: string | null = null;
let ops: FusedOps = {};

/** Installs a backend's fused ops; they apply only while that backend is the active one. */
export function setFusedOps(backend: string, fused: FusedOps): void {
  owner = backend;
  ops = fused;
}

/** The active backend's fused ops (none when another backend is active). */
export function fusedOps(): FusedOps {
  return owner !== null && tf.getBackend() === owner ? ops : {};
}
