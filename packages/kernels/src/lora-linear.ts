// A frozen linear layer with its LoRA delta as one op: y = x W + s · (x A) B. As tfjs ops that
// is three matmuls, a scale of [N, r], an add of [N, out] forward, and backward the scale again
// and an add of the two [N, in] input gradients. Here every product is one sgemm call, the
// delta and the second input gradient accumulate into their outputs (beta = 1) and the scale
// rides in alpha; W gets no gradient (it is frozen).
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import { loadAddon, type Addon } from "./addon.js";
import { uninitialized, values } from "./kernels.js";

const valuesOf = (t: tf.Tensor): Float32Array => values(tf.backend() as unknown as MathBackendCPU, t);

/**
 * x [N, in] @ w [in, out] + scale · (x @ a [in, r]) @ b [r, out] → [N, out], with gradients
 * for x, a and b (none for w: only for a frozen base weight). Native sgemm on `native`, tfjs
 * ops elsewhere.
 */
export function loraLinear(x: tf.Tensor2D, w: tf.Tensor2D, a: tf.Tensor2D, b: tf.Tensor2D, scale: number): tf.Tensor2D {
  const loaded = loadAddon();
  const all = [x, w, a, b];
  if (!loaded.ok || tf.getBackend() !== "native" || all.some((t) => t.dtype !== "float32"))
    return tf.add(tf.matMul(x, w), tf.matMul(tf.matMul(x, tf.mul(a, scale)), b));
  const addon = loaded.addon;
  const [n, inDim] = x.shape, [r, outDim] = b.shape;
  if (w.shape[0] !== inDim || w.shape[1] !== outDim || a.shape[0] !== inDim || a.shape[1] !== r)
    throw new Error(`loraLinear: shapes x ${x.shape}, w ${w.shape}, a ${a.shape}, b ${b.shape} do not fit`);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, as, bs, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    const xv = valuesOf(xs);
    const u = uninitialized(n * r), y = uninitialized(n * outDim);
    gemm(addon, false, false, n, r, inDim, 1, xv, valuesOf(as), 0, u); // u = x A
    gemm(addon, false, false, n, outDim, inDim, 1, xv, valuesOf(w), 0, y); // y = x W
    gemm(addon, false, false, n, outDim, r, scale, u, valuesOf(bs), 1, y); // y += s · u B
    const uT = tf.tensor2d(u, [n, r]);
    save([xs, as, bs, uT, w]); // w too: it outlives any tidy only if it is a variable
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sa, sb, su, sw] = saved.map(valuesOf);
      const dyv = valuesOf(dy);
      const du = uninitialized(n * r), dx = uninitialized(n * inDim);
      const da = uninitialized(inDim * r), db = uninitialized(r * outDim);
      gemm(addon, false, true, n, r, outDim, scale, dyv, sb, 0, du); // du = s · dy Bᵀ
      gemm(addon, false, true, n, inDim, outDim, 1, dyv, sw, 0, dx); // dx = dy Wᵀ
      gemm(addon, false, true, n, inDim, r, 1, du, sa, 1, dx); // dx += du Aᵀ
      gemm(addon, true, false, inDim, r, n, 1, sx, du, 0, da); // dA = xᵀ du
      gemm(addon, true, false, r, outDim, n, scale, su, dyv, 0, db); // dB = s · uᵀ dy
      return [tf.tensor2d(dx, [n, inDim]), tf.tensor2d(da, [inDim, r]), tf.tensor2d(db, [r, outDim])];
    };
    return { value: tf.tensor2d(y, [n, outDim]), gradFunc };
  });
  return f(x, a, b);
}

// C [m, n] = alpha · op(A) op(B) + beta · C over whole row-major arrays.
function gemm(addon: Addon, transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: Float32Array, b: Float32Array, beta: number, c: Float32Array): void {
  const lda = transA ? m : k, ldb = transB ? k : n;
  addon.sgemm(transA, transB, m, n, k, alpha, a, 0, lda, 0, b, 0, ldb, 0, beta, c, 0, n, 0, 1);
}
