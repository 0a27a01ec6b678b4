import { describe, expect, it } from "vitest";
import { emptyLock, type Lock } from "./lock.js";
import { diffValues, keyOf, planRun, type Observed, type PlanNode, type PlanOptions } from "./plan.js";

// a → b → d, a → c → d: a diamond, small enough to read every expected step.
const graph: PlanNode[] = [
  { name: "a", kind: "synth", stageVersion: "1", params: { n: 3 }, needs: [] },
  { name: "b", kind: "fmt", stageVersion: "1", params: { t: "x" }, needs: ["a"] },
  { name: "c", kind: "fmt", stageVersion: "1", params: { t: "y" }, needs: ["a"] },
  { name: "d", kind: "join", stageVersion: "1", params: {}, needs: ["b", "c"] },
];

/** A lock and disk state in which every stage ran with the graph as it is. */
function upToDate(): { lock: Lock; current: Record<string, Observed> } {
  const lock = emptyLock("p");
  const current: Record<string, Observed> = {};
  for (const node of graph) {
    const inputs = node.needs.map((n) => ({ from: `stage:${n}`, hash: `out-${n}` }));
    lock.stages[node.name] = {
      kind: node.kind, stageVersion: node.stageVersion, key: keyOf(node, inputs), params: node.params,
      inputs, outputHash: `out-${node.name}`, rows: 1, rejected: 0, finishedAt: "t", seconds: 0,
    };
    current[node.name] = { outputHash: `out-${node.name}`, fixedInputs: [] };
  }
  return { lock, current };
}

const summary = (steps: ReturnType<typeof planRun>) => steps.map((s) => `${s.stage} ${s.action}: ${s.reasons.join("; ")}`);

describe("planRun", () => {
  const cases: { name: string; change?: (g: PlanNode[], s: ReturnType<typeof upToDate>) => void; options?: PlanOptions; expected: string[] }[] = [
    {
      name: "nothing changed",
      expected: ["a skip: up to date", "b skip: up to date", "c skip: up to date", "d skip: up to date"],
    },
    {
      name: "a param of b changed: b and downstream run, a and c do not",
      change: (g) => (g[1].params = { t: "z" }),
      expected: ["a skip: up to date", "b run: param t: \"x\" → \"z\"", "c skip: up to date", "d run: upstream 'b' will run"],
    },
    {
      name: "never run",
      change: (_g, s) => (s.lock.stages = {}),
      expected: ["a run: never run", "b run: upstream 'a' will run", "c run: upstream 'a' will run", "d run: upstream 'b' will run; upstream 'c' will run"],
    },
    {
      name: "an output deleted",
      change: (_g, s) => (s.current.c = { fixedInputs: [] }),
      expected: ["a skip: up to date", "b skip: up to date", "c run: output missing", "d run: upstream 'c' will run"],
    },
    {
      name: "a file dependency changed",
      change: (_g, s) => {
        s.current.a.fixedInputs = [{ from: "file:data.jsonl", hash: "new" }];
        s.lock.stages.a.inputs = [{ from: "file:data.jsonl", hash: "old" }];
      },
      expected: ["a run: file 'data.jsonl' changed", "b run: upstream 'a' will run", "c run: upstream 'a' will run", "d run: upstream 'b' will run; upstream 'c' will run"],
    },
    {
      name: "an upstream output was rewritten outside the pipeline",
      change: (_g, s) => {
        s.current.b.outputHash = "other";
        s.lock.stages.b.outputHash = "other";
      },
      expected: ["a skip: up to date", "b skip: up to date", "c skip: up to date", "d run: input 'b' changed"],
    },
    {
      name: "stage version bumped",
      change: (g) => (g[0].stageVersion = "2"),
      expected: ["a run: stage version changed: 1 → 2", "b run: upstream 'a' will run", "c run: upstream 'a' will run", "d run: upstream 'b' will run; upstream 'c' will run"],
    },
    {
      name: "--force runs everything selected",
      options: { force: true },
      expected: ["a run: forced", "b run: forced", "c run: forced", "d run: forced"],
    },
    {
      name: "--only c --force runs c alone with a's current output",
      options: { only: ["c"], force: true },
      expected: ["a skip: not selected (--only c)", "b skip: not selected (--only c)", "c run: forced", "d skip: not selected (--only c)"],
    },
    {
      name: "--from b: b and what follows it",
      options: { from: "b", force: true },
      expected: ["a skip: not selected (--from b)", "b run: forced", "c skip: not selected (--from b)", "d run: forced"],
    },
    {
      name: "--to b: b and what it needs",
      options: { to: "b", force: true },
      expected: ["a run: forced", "b run: forced", "c skip: not selected (--to b)", "d skip: not selected (--to b)"],
    },
    {
      name: "--from a --to b intersect",
      options: { from: "a", to: "b" },
      change: (g) => (g[0].params = { n: 4 }),
      expected: ["a run: param n: 3 → 4", "b run: upstream 'a' will run", "c skip: not selected (--from a --to b)", "d skip: not selected (--from a --to b)"],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const g = structuredClone(graph);
      const state = upToDate();
      c.change?.(g, state);
      expect(summary(planRun(g, state.lock, state.current, c.options))).toEqual(c.expected);
    });
  }

  it("refuses a selected stage whose unselected upstream has no output", () => {
    const state = upToDate();
    state.current.a = { fixedInputs: [] };
    expect(() => planRun(graph, state.lock, state.current, { only: ["b"] })).toThrow(/needs 'a', whose output is missing/);
  });

  it("refuses an unknown stage name in --only", () => {
    const state = upToDate();
    expect(() => planRun(graph, state.lock, state.current, { only: ["zz"] })).toThrow(/no stage 'zz'/);
  });
});

describe("diffValues", () => {
  it("names nested paths, added and removed keys", () => {
    expect(diffValues({ lora: { r: 8, a: 1 }, x: [1] }, { lora: { r: 16 }, x: [1], y: true }, "")).toEqual([
      "lora.a: 1 → (unset)",
      "lora.r: 8 → 16",
      "y: (unset) → true",
    ]);
  });
});
