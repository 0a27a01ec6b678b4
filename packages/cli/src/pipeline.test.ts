import { describe, expect, it } from "vitest";
import { isTooltuneError } from "@tooltune/core";
import { parsePipeline } from "./pipeline.js";
import { setValue } from "./yaml-input.js";
import { testRegistry } from "./test-stages.js";

const parse = (yaml: string, sets: string[] = []) =>
  parsePipeline(yaml, "p.yaml", { registry: testRegistry(), sets, cwd: "/w", baseDir: "/w" });

/** The error a pipeline gives, as `where | stage | message`. */
async function errorOf(yaml: string, sets: string[] = []): Promise<string> {
  try {
    await parse(yaml, sets);
  } catch (e) {
    if (!isTooltuneError(e)) throw e;
    expect(e.code).toBe("CONFIG");
    expect(e.fix).toBeTruthy(); // every config error says what to change
    return `${e.where} | ${e.stage ?? "-"} | ${e.message}`;
  }
  throw new Error("expected an error");
}

const lines = (...l: string[]) => l.join("\n") + "\n";

describe("pipeline errors name file:line:col and the stage", () => {
  const cases: { name: string; yaml: string; sets?: string[]; expected: RegExp }[] = [
    {
      name: "YAML syntax",
      yaml: lines("pipeline: p", "stages:", "  a: { uses: gen", "  b: x"),
      expected: /^p\.yaml:4:\d+ \| - \| invalid YAML: /,
    },
    {
      name: "duplicate key",
      yaml: lines("pipeline: p", "stages:", "  a:", "    uses: gen", "    uses: gen"),
      expected: /^p\.yaml:5:5 \| - \| invalid YAML: .*[Uu]nique/,
    },
    {
      name: "duplicate key in a flow map (checked once per key, not by the library)",
      yaml: lines("pipeline: p", "stages:", "  a: { uses: gen, uses: gen }"),
      expected: /^p\.yaml:3:19 \| - \| invalid YAML: .*[Uu]nique.*'uses'/,
    },
    {
      name: "a list as a map key",
      yaml: lines("pipeline: p", "stages:", "  ? [a, b]", "  : { uses: gen }"),
      expected: /^p\.yaml:3:5 \| - \| a list or map as a map key$/,
    },
    {
      name: "nested past the depth limit (flow), before the yaml library recurses",
      yaml: lines("pipeline: p", "stages:", "  a: { uses: gen, with: { n: " + "[".repeat(20_000) + " } }"),
      expected: /^p\.yaml:3:\d+ \| - \| YAML nested over 32 levels deep$/,
    },
    {
      name: "nested past the depth limit (block)",
      yaml: lines("pipeline: p", "stages:", "  a:", "    with:", "      x: " + "- ".repeat(20_000)),
      expected: /^p\.yaml:5:\d+ \| - \| YAML nested over 32 levels deep$/,
    },
    {
      name: "past the token limit",
      yaml: lines("pipeline: p", "stages:", "  a: { uses: gen }", ...Array.from({ length: 5_000 }, (_, i) => `k${i}: 1`)),
      expected: /^p\.yaml:\d+:\d+ \| - \| YAML of over 20,000 tokens/,
    },
    {
      name: "two documents",
      yaml: lines("pipeline: p", "stages:", "  a: { uses: gen }", "---", "pipeline: q"),
      expected: /^p\.yaml:4:1 \| - \| invalid YAML: more than one document/,
    },
    {
      name: "unknown top-level key",
      yaml: lines("pipeline: p", "sead: 3", "stages:", "  a: { uses: gen }"),
      expected: /^p\.yaml:2:1 \| - \| unknown key 'sead' in pipeline file$/,
    },
    {
      name: "unknown key in a stage",
      yaml: lines("pipeline: p", "stages:", "  a:", "    uses: gen", "    need: [b]"),
      expected: /^p\.yaml:5:5 \| a \| unknown key 'need' in 'stages\.a'$/,
    },
    {
      name: "unknown stage kind",
      yaml: lines("pipeline: p", "stages:", "  a:", "    uses: synthh"),
      expected: /^p\.yaml:4:11 \| a \| unknown stage kind 'synthh'$/,
    },
    {
      name: "unknown param",
      yaml: lines("pipeline: p", "stages:", "  a:", "    uses: gen", "    with:", "      n: 3", "      bogus: 1"),
      expected: /^p\.yaml:7:7 \| a \| unknown param 'bogus' for stage kind 'gen'$/,
    },
    {
      name: "unknown nested param (schema not strict: caught by what parsing dropped)",
      yaml: lines("pipeline: p", "stages:", "  a:", "    uses: gen", "    with:", "      opts: { a: 1, b: 2 }"),
      expected: /^p\.yaml:6:21 \| a \| unknown param 'opts\.b' for stage kind 'gen'$/,
    },
    {
      name: "unknown param of a strict schema",
      yaml: lines("pipeline: p", "stages:", "  a: { uses: gen }", "  b:", "    uses: suffix", "    needs: [a]", "    with: { sufix: x }"),
      expected: /^p\.yaml:7:13 \| b \| unknown key 'sufix'/,
    },
    {
      name: "wrong param type",
      yaml: lines("pipeline: p", "stages:", "  a:", "    uses: gen", "    with:", "      n: three"),
      expected: /^p\.yaml:6:10 \| a \| 'n': .*expected number/,
    },
    {
      name: "wrong type for needs",
      yaml: lines("pipeline: p", "stages:", "  a: { uses: gen }", "  b:", "    uses: suffix", "    needs: a"),
      expected: /^p\.yaml:6:12 \| b \| 'stages\.b\.needs': .*expected array/,
    },
    {
      name: "missing needs target",
      yaml: lines("pipeline: p", "stages:", "  a: { uses: gen }", "  b:", "    uses: suffix", "    needs: [a, zz]"),
      expected: /^p\.yaml:6:16 \| b \| needs 'zz', which is not a stage of this pipeline$/,
    },
    {
      name: "needs naming an Object.prototype key",
      yaml: lines("pipeline: p", "stages:", "  a:", "    uses: suffix", "    needs: [toString]"),
      expected: /^p\.yaml:5:13 \| a \| needs 'toString', which is not a stage/,
    },
    {
      name: "no stages",
      yaml: lines("pipeline: p", "stages: {}"),
      expected: /^p\.yaml:2:9 \| - \| the pipeline has no stages$/,
    },
    {
      name: "cycle",
      yaml: lines("pipeline: p", "stages:", "  a: { uses: suffix, needs: [c] }", "  b: { uses: suffix, needs: [a] }", "  c: { uses: suffix, needs: [b] }"),
      expected: /^p\.yaml:4:30 \| b \| dependency cycle: a → c → b → a$/,
    },
    {
      name: "a stage that needs itself",
      yaml: lines("pipeline: p", "stages:", "  a: { uses: suffix, needs: [a] }"),
      expected: /^p\.yaml:3:30 \| a \| dependency cycle: a → a$/,
    },
    {
      name: "both uses and cmd",
      yaml: lines("pipeline: p", "stages:", "  a:", "    uses: gen", "    cmd: echo"),
      expected: /^p\.yaml:4:5 \| a \| a stage needs exactly one of 'uses:' or 'cmd:'$/,
    },
    {
      name: "cmd refers to an input it does not need",
      yaml: lines("pipeline: p", "stages:", "  a: { uses: gen }", "  b:", "    cmd: cat ${inputs.a}/x ${inputs.c} ${params.k}", "    needs: [a]"),
      expected: /^p\.yaml:5:10 \| b \| the command refers to \$\{inputs\.c\} \(not in needs\), \$\{params\.k\} \(not in with\)$/,
    },
    {
      name: "deps on a built-in stage",
      yaml: lines("pipeline: p", "stages:", "  a:", "    uses: gen", "    deps: [x]"),
      expected: /^p\.yaml:5:5 \| a \| 'deps:' is only for cmd: stages$/,
    },
    {
      name: "missing pipeline name",
      yaml: lines("stages:", "  a: { uses: gen }"),
      expected: /^p\.yaml:1:1 \| - \| 'pipeline': .*expected string/,
    },
    {
      name: "a module that does not exist",
      yaml: lines("pipeline: p", "stages:", "  a:", "    uses: ./nope.mjs"),
      expected: /^p\.yaml:4:11 \| a \| cannot load stage module '\/w\/nope\.mjs'/,
    },
    {
      name: "--set of a wrong type points at the flag",
      yaml: lines("pipeline: p", "stages:", "  a: { uses: gen }"),
      sets: ["a.n=abc"],
      expected: /^--set a\.n=abc \| a \| 'n': .*expected number/,
    },
    {
      name: "--set of an unknown param points at the flag",
      yaml: lines("pipeline: p", "stages:", "  a: { uses: gen }"),
      sets: ["a.nn=3"],
      expected: /^--set a\.nn=3 \| a \| unknown param 'nn'/,
    },
    {
      name: "--set into __proto__",
      yaml: lines("pipeline: p", "stages:", "  a: { uses: gen }"),
      sets: ["a.__proto__.n=3"],
      expected: /^--set a\.__proto__\.n=3 \| - \| '__proto__\.n' is not a param path$/,
    },
    {
      name: "--set of an unknown stage",
      yaml: lines("pipeline: p", "stages:", "  a: { uses: gen }"),
      sets: ["z.n=3"],
      expected: /^--set z\.n=3 \| - \| there is no stage 'z'$/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => expect(await errorOf(c.yaml, c.sets)).toMatch(c.expected));
  }
});

describe("parsePipeline", () => {
  it("orders stages by dependency, keeping YAML order otherwise, and applies defaults and --set", async () => {
    const p = await parse(lines("pipeline: p", "stages:", "  c: { uses: suffix, needs: [b] }", "  a: { uses: gen }", "  b: { uses: suffix, needs: [a] }", "  z: { uses: gen }"), ["a.opts.a=5", "z.prefix='007'"]);
    expect(p.stages.map((s) => s.name)).toEqual(["a", "b", "c", "z"]);
    expect(p.stages[0].params).toEqual({ n: 3, prefix: "row", reject: 0, opts: { a: 5 }, backend: "auto" });
    expect(p.stages[3].params).toMatchObject({ prefix: "007" });
    expect(p.workdir).toBe("/w/runs/p");
    expect(p.seed).toBe(42);
    expect(p.stages[1].where).toBe("p.yaml:5:3");
  });

  it("reads empty needs: and with: as empty", async () => {
    const p = await parse(lines("pipeline: p", "stages:", "  a:", "    uses: gen", "    needs:", "    with:"));
    expect(p.stages[0]).toMatchObject({ needs: [], params: { n: 3 } });
  });

  it("reads a cmd stage's spec as its params", async () => {
    const p = await parse(lines("pipeline: p", "stages:", "  a:", "    cmd: echo ${params.x} > ${out}/f", "    deps: [data.txt]", "    kind: adapter", "    with: { x: 1 }"));
    expect(p.stages[0]).toMatchObject({ kind: "cmd", params: { cmd: "echo ${params.x} > ${out}/f", deps: ["data.txt"], kind: "adapter", with: { x: 1 } } });
  });
});

describe("--set values are YAML scalars", () => {
  const cases: [string, unknown][] = [
    ["16", 16], ["1e-4", 1e-4], ["true", true], ["null", null], ["chatml", "chatml"], ["'16'", "16"],
    ["[a, b]", ["a", "b"]], ["{r: 8}", { r: 8 }], ["?", "?"], ["a: b", "a: b"], ["- x", "- x"], ["", ""],
    // past parseYaml's depth bound: the text as is (the yaml library took 0.2 s on 30,000 `[`)
    ["[".repeat(33) + "]".repeat(33), "[".repeat(33) + "]".repeat(33)], ["[".repeat(30_000), "[".repeat(30_000)],
  ];
  for (const [text, value] of cases) it(JSON.stringify(text.slice(0, 40)), () => expect(setValue(text)).toEqual(value));
});

it("a uses: longer than any path is a config error at its line, before anything is imported", async () => {
  const long = `./${"x".repeat(2000)}.mjs`;
  await expect(parse(lines("pipeline: p", "stages:", `  a: { uses: ${long} }`))).rejects.toMatchObject({ code: "CONFIG", message: /at most 1,024 characters/ });
});
