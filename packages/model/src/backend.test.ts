import * as tf from "@tensorflow/tfjs-core";
import { expect, it } from "vitest";
import { BACKENDS, selectBackend } from "./backend.js";

it("auto takes the first backend of the chain that works and logs each skip in one line", async () => {
  const lines: string[] = [];
  const choice = await selectBackend("auto", (l) => lines.push(l));
  expect(BACKENDS).toContain(choice.name);
  expect(tf.getBackend()).toBe(choice.name);
  const order = BACKENDS.indexOf(choice.name);
  expect(choice.skipped.map((s) => s.name)).toEqual(BACKENDS.slice(0, order));
  for (const s of choice.skipped) expect(s.reason).not.toContain("\n");
  expect(lines.at(-1)).toBe(`backend ${choice.name}: ${choice.reason}`);
  expect(lines.length).toBe(choice.skipped.length + 1);
});

it("a forced backend is used or fails with its reason", async () => {
  const cpu = await selectBackend("cpu");
  expect(cpu).toMatchObject({ name: "cpu", skipped: [] });
  expect(cpu.reason).toMatch(/^forced: /);
  expect(tf.getBackend()).toBe("cpu");
  // tfjs-node is an optional dependency that cannot install here; where it can, this passes too
  const r = await selectBackend("tensorflow").then((c) => c.name, (e: Error) => e.message);
  expect(r === "tensorflow" || /tensorflow: .+/.test(r)).toBe(true);
});

it("native names the micro-kernel its results depend on", async () => {
  const r = await selectBackend("native").catch((e: Error) => e);
  if (r instanceof Error) return void expect(r.message).toMatch(/native: .+/); // no C++ toolchain at install
  expect(["avx2", "portable"]).toContain(r.microKernel);
  expect(r.reason).toContain(`${r.microKernel} micro-kernel`);
});
