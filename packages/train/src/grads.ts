// tf.variableGrads with a backward pass that frees as it goes. tfjs-core 4.x's backpropagateGradients
// keeps every tensor's gradient, and every op's saved inputs, until the whole backward pass ends:
// a step's peak is then all activations plus all their gradients (SmolLM2-135M LoRA: 6.0 GB peak RSS).
// Here an op's output gradients and saved tensors are disposed as soon as the op has been
// processed (walking the tape backward, nothing later reads them). Same tape, same gradient
// functions, same order of additions as tfjs: the same numbers.
import * as tf from "@tensorflow/tfjs-core";

/** A node of tfjs's tape (tfjs-core's internal TapeNode). */
interface TapeNode {
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
  saved?: tf.Tensor[];
}

interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  startTape(): void;
  endTape(): void;
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
}

/** Value of f and the gradient of each trainable variable in vars (by name), as tf.variableGrads. */
export function variableGrads(f: () => tf.Scalar, vars: tf.Variable[]): { value: tf.Scalar; grads: Record<string, tf.Tensor> } {
  const engine = tf.engine() as unknown as EngineInternals;
  if (engine.state.gradientDepth > 0) return tf.variableGrads(f, vars); // inside another gradient: tfjs's own
  const xs = vars.filter((v) => v.trainable);
  const y = engine.scopedRun(() => engine.startTape(), () => engine.endTape(), () => tf.tidy(f));
  const tape = engine.state.activeTape ?? [];
  engine.state.activeTape = null;
  const grads = tf.tidy(() => backward(tape, xs, y));
  for (const node of tape) for (const t of node.saved ?? []) t.dispose();
  return { value: y, grads };
}

/** Gradients of y by variable name (none where y does not depend on one), freeing while walking back. */
function backward(tape: TapeNode[], xs: tf.Variable[], y: tf.Tensor): Record<string, tf.Tensor> {
  // forward: which tensors depend on some x; a node's other inputs get no gradient (frozen weights)
  const fromX = new Set(xs.map((x) => x.id));
  const nodes: { node: TapeNode; inputs: [string, tf.Tensor][] }[] = [];
  for (const node of tape) {
    const inputs = Object.entries(node.inputs).filter(([, t]) => fromX.has(t.id));
    if (inputs.length === 0) continue;
    for (const o of node.outputs) fromX.add(o.id);
    nodes.push({ node, inputs });
  }
  const keep = new Set([...xs.map((x) => x.id), y.id]);
  const grad = new Map<number, tf.Tensor>([[y.id, tf.onesLike(y)]]);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const { node, inputs } = nodes[i];
    const dys = node.outputs.map((o) => grad.get(o.id) ?? null);
    if (dys.every((d) => d === null)) continue; // y does not depend on this node
    if (!node.gradient) throw new Error("Cannot compute gradient: an op on the tape has no gradient function");
    const inputGrads = node.gradient(dys);
    for (const [name, x] of inputs) {
      let dx = tf.tidy(() => inputGrads[name]());
      if (dys.includes(dx)) dx = tf.clone(dx); // a gradient that is dy itself: its own handle, freed apart from dy
      const sum = grad.get(x.id);
      grad.set(x.id, sum ? tf.add(sum, dx) : dx);
      if (sum) tf.dispose([sum, dx]);
    }
    // nothing earlier on the tape reads this node's output gradients or its saved tensors
    for (const o of node.outputs) {
      if (keep.has(o.id)) continue;
      grad.get(o.id)?.dispose();
      grad.delete(o.id);
    }
    for (const t of node.saved ?? []) t.dispose();
  }
  const named: Record<string, tf.Tensor> = {};
  for (const x of xs) {
    const g = grad.get(x.id);
    if (g) named[x.name] = g;
  }
  return named;
}
