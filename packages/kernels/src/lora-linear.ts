// A frozen linear layer with its LoRA delta as one op: y = x W + s · (x A) B. As tfjs ops that
// is three matmuls, a scale of [N, r], an add of [N, out] forward, and backward the scale again
// and an add of the two [N, in] input gradients. Here every product is one sgemm call, the
// delta and the second input gradient accumulate into their outputs (beta = 1) and the scale
// rides in alpha; W gets no gradient (it is frozen).
import * as tf from "@tensorflow/tfjs-core";
import type { Addon } from "./addon.js";
import { nativeAddonFor, tensorValues, uninitialized } from "./tensors.js";

/**
 * x [N, in] @ w [in, out] + scale · (loraInput @ a [in, r]) @ b [r, out] → [N, out], loraInput
 * = x unless given (LoRA's dropout of x), with gradients for x, loraInput, a and b (none for w:
 * only for a frozen base weight). Native sgemm on `native`, tfjs ops elsewhere.
 */
export function loraLinear(x: tf.Tensor2D, w: tf.Tensor2D, a: tf.Tensor2D, b: tf.Tensor2D, scale: number, loraInput?: tf.Tensor2D): tf.Tensor2D {
  const xl = loraInput ?? x;
  const addon = nativeAddonFor(x, xl, w, a, b);
  if (!addon) return tf.add(tf.matMul(x, w), tf.matMul(tf.matMul(xl, tf.mul(a, scale)), b));
  const [n, inDim] = x.shape, [r, outDim] = b.shape;
  if (w.shape[0] !== inDim || w.shape[1] !== outDim || a.shape[0] !== inDim || a.shape[1] !== r || !tf.util.arraysEqual(xl.shape, x.shape))
    throw new Error(`loraLinear: shapes x ${x.shape}, loraInput ${xl.shape}, w ${w.shape}, a ${a.shape}, b ${b.shape} do not fit`);
  const separate = xl !== x; // then the LoRA branch's input gradient is its own output
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [xs, ls, as, bs] = (separate ? args : [args[0], args[0], args[1], args[2]]) as tf.Tensor2D[];
    const u = uninitialized(n * r), y = uninitialized(n * outDim);
    gemm(addon, false, false, n, r, inDim, 1, tensorValues(ls), tensorValues(as), 0, u); // u = loraInput A
    gemm(addon, false, false, n, outDim, inDim, 1, tensorValues(xs), tensorValues(w), 0, y); // y = x W
    gemm(addon, false, false, n, outDim, r, scale, u, tensorValues(bs), 1, y); // y += s · u B
    save([ls, as, bs, tf.tensor2d(u, [n, r]), w]); // w too: it outlives any tidy only if it is a variable
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sl, sa, sb, su, sw] = saved.map(tensorValues);
      const dyv = tensorValues(dy);
      const du = uninitialized(n * r), dx = uninitialized(n * inDim), dl = separate ? uninitialized(n * inDim) : dx;
      const da = uninitialized(inDim * r), db = uninitialized(r * outDim);
      gemm(addon, false, true, n, r, outDim, scale, dyv, sb, 0, du); // du = s · dy Bᵀ
      gemm(addon, false, true, n, inDim, outDim, 1, dyv, sw, 0, dx); // dx = dy Wᵀ
      gemm(addon, false, true, n, inDim, r, 1, du, sa, separate ? 0 : 1, dl); // d loraInput = du Aᵀ (into dx when it is x)
      gemm(addon, true, false, inDim, r, n, 1, sl, du, 0, da); // dA = loraInputᵀ du
      gemm(addon, true, false, r, outDim, n, scale, su, dyv, 0, db); // dB = s · uᵀ dy
      const grads = [tf.tensor2d(dx, [n, inDim]), tf.tensor2d(da, [inDim, r]), tf.tensor2d(db, [r, outDim])];
      if (separate) grads.splice(1, 0, tf.tensor2d(dl, [n, inDim]));
      return grads;
    };
    return { value: tf.tensor2d(y, [n, outDim]), gradFunc };
  });
  return separate ? f(x, xl, a, b) : f(x, a, b);
}

// C [m, n] = alpha · op(A) op(B) + beta · C over whole row-major arrays.
function gemm(addon: Addon, transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: Float32Array, b: Float32Array, beta: number, c: Float32Array): void {
  const lda = transA ? m : k, ldb = transB ? k : n;
  addon.sgemm(transA, transB, m, n, k, alpha, a, 0, lda, 0, b, 0, ldb, 0, beta, c, 0, n, 0, 1);
}
