import * as tf from "@tensorflow/tfjs-core";

/**
 * tf.grads of f at xs, called from inside a customGrad's gradFunc (recomputing a forward there:
 * the chunked loss, checkpointed layers). tfjs runs a backward pass at gradient depth 0, so a
 * nested tf.grads replaces the engine's active tape with its own and sets it to null when done;
 * the running backward pass then fails (and leaks its saved tensors) at its end. The outer tape is
 * put back. Relies on tfjs-core 4.x's engine state (`state.activeTape`).
 */
export function gradsInBackward(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[]): tf.Tensor[] {
  const state = (tf.engine() as unknown as { state: { activeTape: unknown } }).state;
  const outer = state.activeTape;
  try {
    return tf.grads(f)(xs);
  } finally {
    state.activeTape = outer;
  }
}
