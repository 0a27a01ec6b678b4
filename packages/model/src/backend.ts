// Backend choice (DESIGN §6): tensorflow → native → wasm → cpu, the first that works, each skip
// with a one-line reason. Optional packages are imported behind guards so that a machine without
// them (no libtensorflow, no C++ toolchain) still runs.
import * as tf from "@tensorflow/tfjs-core";
import { TooltuneError } from "@tooltune/core";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { BACKENDS, type BackendName } from "./backends.js";
import { setFusedOps } from "./fused.js";

export { BACKENDS, type BackendName };

export interface BackendChoice {
  name: BackendName;
  reason: string;
  skipped: { name: BackendName; reason: string }[];
  /** On `native`, the sgemm micro-kernel (`avx2` | `portable`): results depend on it, not on threads. */
  microKernel?: string;
}

const firstLine = (e: unknown) => String(e instanceof Error ? e.message : e).split("\n")[0];

// Module names held in variables so TypeScript does not require them to be installed.
const optional = { tfjsNode: "@tensorflow/tfjs-node", tfjsNodeGpu: "@tensorflow/tfjs-node-gpu", kernels: "@tooltune/kernels" };

async function tryTensorflow(): Promise<string> {
  for (const pkg of [optional.tfjsNodeGpu, optional.tfjsNode]) {
    try {
      await import(pkg);
      if (tf.findBackend("tensorflow")) return `${pkg} loaded (libtensorflow)`;
    } catch {
      /* try the next one */
    }
  }
  throw new Error("@tensorflow/tfjs-node(-gpu) not installed or libtensorflow missing");
}

/** @tooltune/kernels through its own type (a type-only reference: the module loads only here, on use). */
const importKernels = async () => (await import(optional.kernels)) as Partial<typeof import("@tooltune/kernels")>;

async function tryNative(): Promise<string> {
  const mod = await importKernels();
  const register = mod.registerNativeBackend;
  if (typeof register !== "function") throw new Error("@tooltune/kernels has no registerNativeBackend()");
  const r = (await (register as () => unknown)()) as { ok: boolean; reason?: string } | undefined;
  if (r && r.ok === false) throw new Error(r.reason ?? "native addon unavailable");
  if (!tf.findBackend("native")) throw new Error("native backend did not register");
  if (mod.fusedOps) setFusedOps("native", mod.fusedOps);
  return `N-API sgemm (@tooltune/kernels, ${mod.microKernel?.() ?? "unknown"} micro-kernel) over the tfjs cpu kernels`;
}

async function tryWasm(): Promise<string> {
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  const dir = dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm"));
  wasm.setWasmPaths(join(dir, "/"));
  return "tfjs wasm (SIMD, one thread in Node)";
}

async function tryCpu(): Promise<string> {
  await import("@tensorflow/tfjs-backend-cpu");
  return "tfjs cpu (plain JavaScript, slowest)";
}

const attempts: Record<BackendName, () => Promise<string>> = { tensorflow: tryTensorflow, native: tryNative, wasm: tryWasm, cpu: tryCpu };

/** Set the tfjs backend: a named one, or "auto" for the first of the chain that works. */
export async function selectBackend(want: BackendName | "auto" = "auto", log: (line: string) => void = () => {}): Promise<BackendChoice> {
  const chain = want === "auto" ? [...BACKENDS] : [want];
  const skipped: BackendChoice["skipped"] = [];
  for (const name of chain) {
    try {
      const reason = await attempts[name]();
      if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend("${name}") failed`);
      await tf.ready();
      const choice: BackendChoice = { name, reason: want === "auto" ? reason : `forced: ${reason}`, skipped };
      if (name === "native") choice.microKernel = (await importKernels()).microKernel?.();
      for (const s of skipped) log(`backend ${s.name} skipped: ${s.reason}`);
      log(`backend ${name}: ${choice.reason}`);
      return choice;
    } catch (e) {
      skipped.push({ name, reason: firstLine(e) });
    }
  }
  throw new TooltuneError("BACKEND", `no tfjs backend works: ${skipped.map((s) => `${s.name}: ${s.reason}`).join("; ")}`, {
    fix: `use --backend auto (the first of ${BACKENDS.join(", ")} that works)`,
  });
}
