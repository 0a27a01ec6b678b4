// A synthetic decoder layer of config A (hidden 256, 8 heads, 4 kv heads, intermediate 688,
// vocab 4096) with an LM head and cross-entropy, for profiling a training step until the model
// package's own llama exists. Projections run on [B*T, H] like the model does.
import * as tf from "@tensorflow/tfjs-core";
import { crossEntropy } from "../src/index.js";

export const configA = { hidden: 256, heads: 8, kvHeads: 4, intermediate: 688, vocab: 4096, batch: 8, seq: 256 };
type Config = typeof configA;

export function makeWeights(c: Config): Record<string, tf.Tensor> {
  const hd = c.hidden / c.heads;
  const w = (rows: number, cols: number) => tf.randomNormal([rows, cols], 0, 0.02);
  return {
    q: w(c.hidden, c.hidden), k: w(c.hidden, c.kvHeads * hd), v: w(c.hidden, c.kvHeads * hd), o: w(c.hidden, c.hidden),
    gate: w(c.hidden, c.intermediate), up: w(c.hidden, c.intermediate), down: w(c.intermediate, c.hidden),
    lmHead: w(c.hidden, c.vocab), norm1: tf.ones([c.hidden]), norm2: tf.ones([c.hidden]),
  };
}

function rmsNorm(x: tf.Tensor, w: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), 1e-6))), w);
}

function rope(x: tf.Tensor, cos: tf.Tensor, sin: tf.Tensor): tf.Tensor {
  const half = x.shape[3]! / 2;
  const [x1, x2] = tf.split(x, [half, half], 3);
  return tf.add(tf.mul(x, cos), tf.mul(tf.concat([tf.neg(x2), x1], 3), sin));
}

function attention(c: Config, x: tf.Tensor, w: Record<string, tf.Tensor>, mask: tf.Tensor, cos: tf.Tensor, sin: tf.Tensor) {
  const hd = c.hidden / c.heads, group = c.heads / c.kvHeads;
  const heads = (t: tf.Tensor, n: number) => tf.transpose(tf.reshape(t, [c.batch, c.seq, n, hd]), [0, 2, 1, 3]); // [B, n, T, hd]
  const q = rope(heads(tf.matMul(x, w.q), c.heads), cos, sin);
  // [B, kv, T, hd] -> [B, heads, T, hd] through rank 3: tfjs has no rank-5 Tile gradient.
  const repeat = (t: tf.Tensor) =>
    tf.reshape(tf.broadcastTo(tf.reshape(t, [c.batch * c.kvHeads, 1, c.seq * hd]), [c.batch * c.kvHeads, group, c.seq * hd]), [c.batch, c.heads, c.seq, hd]);
  const k = repeat(rope(heads(tf.matMul(x, w.k), c.kvHeads), cos, sin));
  const v = repeat(heads(tf.matMul(x, w.v), c.kvHeads));
  const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hd)), mask); // [B, heads, T, T]
  const out = tf.matMul(tf.softmax(scores), v); // [B, heads, T, hd]
  return tf.matMul(tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [c.batch * c.seq, c.hidden]), w.o); // [B*T, H]
}

/**
 * Loss of one layer + LM head on random data; returns a function for tf.grads over the weights.
 * fused: the loss through crossEntropy (one native op) instead of tfjs's logSoftmax and oneHot.
 */
export function blockLoss(c: Config, fused: boolean) {
  const hd = c.hidden / c.heads;
  const x = tf.randomNormal([c.batch * c.seq, c.hidden]);
  const ids = tf.randomUniform([c.batch * c.seq], 0, c.vocab, "int32") as tf.Tensor1D;
  const labels = tf.oneHot(ids, c.vocab);
  const mask = tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([c.seq, c.seq]), -1, 0)), -1e9); // [T, T]
  const pos = tf.mul(tf.reshape(tf.range(0, c.seq), [c.seq, 1]), tf.pow(10000, tf.div(tf.range(0, hd, 2), -hd)));
  const angles = tf.concat([pos, pos], 1); // [T, hd]
  const [cos, sin] = [tf.cos(angles), tf.sin(angles)];
  const names = Object.keys(makeWeights({ ...c, vocab: 1, hidden: 8, heads: 2, kvHeads: 1, intermediate: 1 }));
  const loss = (...ws: tf.Tensor[]) => {
    const w = Object.fromEntries(names.map((n, i) => [n, ws[i]]));
    const h = tf.add(x, attention(c, rmsNorm(x, w.norm1), w, mask, cos, sin));
    const n2 = rmsNorm(h, w.norm2);
    const gate = tf.matMul(n2, w.gate); // [B*T, I]
    const mlp = tf.matMul(tf.mul(tf.mul(gate, tf.sigmoid(gate)), tf.matMul(n2, w.up)), w.down); // SiLU-gated MLP
    const logits = tf.matMul(tf.add(h, mlp), w.lmHead); // [B*T, V]
    if (fused) return tf.mean(crossEntropy(logits as tf.Tensor2D, ids));
    return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), -1)));
  };
  return { names, loss };
}
