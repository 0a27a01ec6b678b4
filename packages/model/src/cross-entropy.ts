// The LM head's loss: cross-entropy on logits, whole or over chunks of rows. With a big vocabulary
// the [tokens, vocab] logits (and their gradient) are the largest tensors of a training step
// (SmolLM2: 1,020 targets × 49,152 = 200 MB each); chunked, only one chunk's are ever held.
import * as tf from "@tensorflow/tfjs-core";
import { fusedOps } from "./fused.js";
import { gradsInBackward } from "./recompute.js";

type Args = (tf.Tensor | tf.GradSaveFunc)[];

/**
 * Per-row cross-entropy −log softmax(logits)[target] [n], with the closed-form gradient
 * softmax − onehot (tfjs's own backward of logSumExp goes through max's Equal mask: slow).
 */
export function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const [n, V] = logits.shape;
  const f = tf.customGrad((...args: Args) => {
    const x = args[0] as tf.Tensor2D;
    const lse = tf.logSumExp(x, -1); // [n]
    const at = tf.add(tf.mul(tf.range(0, n, 1, "int32"), tf.scalar(V, "int32")), targets); // flat index of each target
    const value: tf.Tensor1D = tf.sub(lse, tf.gather(tf.reshape(x, [n * V]), at)); // [n]
    (args[1] as tf.GradSaveFunc)([x, targets, lse]);
    const gradFunc = (dy: tf.Tensor1D, saved: tf.Tensor[]) => {
      const [x0, t0, lse0] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
      const probs = tf.exp(tf.sub(x0, tf.expandDims(lse0, 1))); // softmax from the saved lse: [n, V]
      return tf.mul(tf.sub(probs, tf.oneHot(t0, V)), tf.expandDims(dy, 1));
    };
    return { value, gradFunc };
  });
  return f(logits);
}

/** The backend's fused cross-entropy (native) or the tfjs one above. */
const rowLoss = (logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D => (fusedOps().crossEntropy ?? crossEntropy)(logits, targets);

/**
 * Logits held at once by the chunked loss, in elements (32 MB of float32): the model's loss
 * computes its head in chunks of ⌊LOGITS_CHUNK_ELEMENTS / vocab⌋ rows when targets × vocab is more.
 */
export const LOGITS_CHUNK_ELEMENTS = 2 ** 23;

/**
 * Per-row cross-entropy [n] of a head logitsOf(rows, shared) → [rows, V], computed `chunkRows`
 * rows at a time so the [n, V] logits never exist whole. `rows` are row-aligned inputs [n, ·]
 * (the hidden states, the LoRA input), cut into the same chunks; `shared` are the tensors the head
 * reads whole and that need gradients (a trainable table, LoRA A and B); frozen weights are left
 * to logitsOf's closure, so no gradient is computed for them. Backward recomputes each chunk's
 * logits (one more head matmul than the whole path) and takes its gradients by tf.grads, chunk
 * by chunk (gradsInBackward): rows' gradients are concatenated, shared ones summed.
 */
export function chunkedCrossEntropy(
  rows: tf.Tensor2D[],
  shared: tf.Tensor[],
  targets: tf.Tensor1D,
  logitsOf: (rows: tf.Tensor2D[], shared: tf.Tensor[]) => tf.Tensor2D,
  chunkRows: number,
): tf.Tensor1D {
  const n = targets.shape[0];
  const starts = Array.from({ length: Math.ceil(n / chunkRows) }, (_, c) => c * chunkRows);
  const cut = <T extends tf.Tensor>(x: T, start: number): T => tf.slice(x, start, Math.min(chunkRows, n - start)) as T; // rows [start, start + len)
  const k = rows.length;
  const f = tf.customGrad((...args: Args) => {
    const inputs = args.slice(0, -1) as tf.Tensor[];
    (args.at(-1) as tf.GradSaveFunc)([...inputs, targets]); // targets too: a caller's tidy may dispose them first
    const chunkLoss = (r: tf.Tensor2D[], s: tf.Tensor[], start: number) => rowLoss(logitsOf(r.map((x) => cut(x, start)), s), cut(targets, start));
    const parts = starts.map((start) => tf.tidy(() => chunkLoss(inputs.slice(0, k) as tf.Tensor2D[], inputs.slice(k), start)));
    const value = tf.concat(parts) as tf.Tensor1D;
    tf.dispose(parts);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [r, s, t] = [saved.slice(0, k) as tf.Tensor2D[], saved.slice(k, -1), saved.at(-1) as tf.Tensor1D];
      const rowGrads: tf.Tensor[][] = r.map(() => []);
      let sharedGrads: tf.Tensor[] = [];
      for (const start of starts) {
        const grads = tf.tidy(() => {
          const [pieces, dyc, tc] = [r.map((x) => cut(x, start)), cut(dy, start), cut(t, start)];
          const chunk = (...xs: tf.Tensor[]) => tf.sum(tf.mul(rowLoss(logitsOf(xs.slice(0, k) as tf.Tensor2D[], xs.slice(k)), tc), dyc));
          return gradsInBackward(chunk, [...pieces, ...s]);
        });
        grads.slice(0, k).forEach((g, i) => rowGrads[i].push(g));
        const fresh = grads.slice(k);
        const summed = sharedGrads.length ? fresh.map((g, i) => tf.add(g, sharedGrads[i])) : fresh;
        if (sharedGrads.length) tf.dispose([...sharedGrads, ...fresh]);
        sharedGrads = summed;
      }
      const joined = rowGrads.map((parts) => (parts.length === 1 ? parts[0] : tf.concat(parts)));
      tf.dispose(rowGrads.flat().filter((g) => !joined.includes(g)));
      return [...joined, ...sharedGrads];
    };
    return { value, gradFunc };
  });
  return f(...rows, ...shared) as tf.Tensor1D;
}
