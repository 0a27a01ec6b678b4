import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { scriptedGenerator } from "@tooltune/eval";
import { createLora, defaultLoraConfig, saveAdapter } from "@tooltune/lora";
import { createModel, loadModel, makeConfig, saveModel } from "@tooltune/model";
import { loadTokenizerBundle } from "@tooltune/tokenize";
import { runAgent, type AgentOptions } from "./session.js";

const TOOLS_MODULE = fileURLToPath(new URL("./test-tools.ts", import.meta.url));
const call = (name: string, args: unknown) => `<tool_call>\n${JSON.stringify({ name, arguments: args })}\n</tool_call>`;
const responses = (prompt: string) => prompt.split("<tool_response>").length - 1;

let root: string;
let modelDir: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "tt-agent-"));
  // What the stand-in model needs of a model directory: the bundle's template name.
  modelDir = join(root, "model");
  await mkdir(join(modelDir, "tokenizer"), { recursive: true });
  await writeFile(join(modelDir, "tokenizer", "tooltune_tokenizer.json"), JSON.stringify({ tooltune_tokenizer: 1, template: { name: "chatml", special_tokens: [] } }));
});
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

/**
 * Runs `tooltune agent` on injected streams with a scripted model. The "person" types the next
 * line only when the program asks (a `you> ` or `[y/n] ` prompt), and closes stdin when out of lines.
 */
async function agent(opts: Partial<AgentOptions>, respond: (prompt: string) => string, typed: string[] = [], ctrlC?: AbortController) {
  const input = new PassThrough();
  let out = "";
  // Out of lines: end stdin (Ctrl-D), or with `ctrlC` press Ctrl-C instead and leave stdin open.
  const answer = () => setImmediate(() => (typed.length ? input.write(typed.shift() + "\n") : ctrlC ? ctrlC.abort() : input.end()));
  const gen = scriptedGenerator("stand-in", respond);
  const end = await runAgent(
    { model: modelDir, tools: TOOLS_MODULE, confirm: false, maxSteps: 5, timeoutMs: 300, temperature: 0, maxNewTokens: 64, ...opts },
    {
      input,
      write: (text) => {
        out += text;
        if (text.endsWith("you> ") || text.endsWith("[y/n] ")) answer();
      },
      loadGenerator: async () => gen,
      signal: ctrlC?.signal,
    },
  );
  return { end, out, prompts: gen.prompts };
}

describe("tooltune agent --prompt", () => {
  it("prints thinking, calls, results and the answer; a throwing, hanging or mis-called tool answers with an error", async () => {
    const respond = (p: string) =>
      responses(p) === 0
        ? `<think>I will add, then try the others.</think>${[call("add", { a: 1, b: 2 }), call("explode", {}), call("hang", {}), call("add", { a: "one", b: 2 }), call("nosuch", {})].join("\n")}`
        : "<think>Only add worked.</think>1 + 2 = 3.";
    const t0 = Date.now();
    const r = await agent({ prompt: "Add 1 and 2, and break things." }, respond);
    expect(r.end).toBe("answered");
    const lines = r.out.trim().split("\n");
    expect(lines[0]).toBe("thinking: I will add, then try the others.");
    expect(lines.slice(1, 11)).toEqual([
      'call add {"a":1,"b":2}',
      'result add: {"sum":3}',
      "call explode {}",
      `result explode: {"error":"'explode' failed: boom"}`,
      "call hang {}",
      `result hang: {"error":"'hang' timed out after 300 ms"}`,
      'call add {"a":"one","b":2}',
      expect.stringMatching(/^result add: \{"error":"arguments do not match the schema of 'add': a: .*number/),
      "call nosuch {}",
      expect.stringMatching(/^result nosuch: \{"error":"unknown tool 'nosuch' \(tools: add, explode, hang\)"\}$/),
    ]);
    expect(lines.slice(11)).toEqual(["thinking: Only add worked.", "answer: 1 + 2 = 3."]);
    expect(Date.now() - t0).toBeLessThan(30_000); // the hanging tool did not hang the loop
    // The model saw every result, errors included, as tool responses; tools were in its prompt.
    expect(r.prompts).toHaveLength(2);
    expect(r.prompts[0]).toContain('"name": "add"');
    expect(responses(r.prompts[1])).toBe(5);
    expect(r.prompts[1]).toContain("timed out after 300 ms");
    expect(r.prompts[1]).toContain("explode' failed: boom");
  });

  it("ends a runaway loop at --max-steps", async () => {
    const r = await agent({ prompt: "loop", maxSteps: 3 }, () => call("add", { a: 1, b: 1 }));
    expect(r.end).toBe("step_limit");
    expect(r.prompts).toHaveLength(3);
    expect(r.out.trim().split("\n").at(-1)).toBe("stopped: no final answer within 3 steps (--max-steps)");
  });

  it("--confirm asks before each call; a 'n' sends the model a refusal instead of running it", async () => {
    const respond = (p: string) => (responses(p) === 0 ? [call("add", { a: 2, b: 2 }), call("add", { a: 3, b: 3 })].join("\n") : "done");
    const r = await agent({ prompt: "two sums", confirm: true }, respond, ["y", "n"]);
    expect(r.out).toContain('call add {"a":2,"b":2}\nrun add? [y/n] result add: {"sum":4}\n');
    expect(r.out).toContain('call add {"a":3,"b":3}\nrun add? [y/n] result add: {"error":"the user declined this call"}\n');
    expect(r.end).toBe("answered");
  });

  it("reports a call it cannot read instead of crashing", async () => {
    const r = await agent({ prompt: "x" }, () => '<tool_call>\n{"name": "add", "arguments": {"a": 1\n</tool_call>');
    expect(r.end).toBe("malformed");
    expect(r.out).toMatch(/malformed call: call 1: not JSON or a Python literal/);
  });
});

describe("tooltune agent (chat)", () => {
  it("keeps the history, lists tools, resets, and leaves on /exit", async () => {
    const respond = (p: string) => {
      const last = p.slice(p.lastIndexOf("<|im_start|>user"));
      if (last.includes("sum") && !last.includes("<tool_response>")) return call("add", { a: 20, b: 22 });
      return last.includes("<tool_response>") ? "It is 42." : "Hello!";
    };
    const r = await agent({}, respond, ["/tools", "hi there", "what is the sum of 20 and 22?", "/reset", "hello again", "/exit", "never read"]);
    expect(r.end).toBe("exit");
    expect(r.out).toContain("  add(a, b) — Add two numbers\n  explode() — Always fails\n  hang() — Never answers\n");
    expect(r.out).toContain("answer: Hello!");
    expect(r.out).toContain('call add {"a":20,"b":22}\nresult add: {"sum":42}\nanswer: It is 42.');
    expect(r.out.trim().endsWith("bye")).toBe(true);
    expect(r.prompts).toHaveLength(4);
    // Turn 2's prompt holds turn 1; after /reset the first turns are gone.
    expect(r.prompts[1]).toContain("hi there");
    expect(r.prompts[1]).toContain("Hello!");
    expect(r.prompts[2]).toContain('<tool_response>\n{"sum":42}\n</tool_response>');
    expect(r.prompts[3]).toContain("hello again");
    expect(r.prompts[3]).not.toContain("hi there");
    expect(r.out).not.toContain("never read");
  });

  it("leaves on Ctrl-C (the CLI's abort signal) while waiting for input, stdin still open", async () => {
    const done = await agent({}, () => "ok", ["hi"], new AbortController());
    expect(done.end).toBe("exit");
    expect(done.out).toMatch(/answer: ok\nyou> bye\n$/);
  });

  it("leaves when stdin ends (as after Ctrl-D)", async () => {
    const r = await agent({}, () => "ok", ["hi"]);
    expect(r.end).toBe("exit");
    expect(r.out).toContain("answer: ok");
  });
});

describe("tools from a JSON file and the built-in catalog", () => {
  it("answers from recorded results, checks arguments against the JSON schema", async () => {
    const file = join(root, "tools.json");
    await writeFile(file, JSON.stringify([
      { type: "function", function: { name: "get_weather", description: "Weather now", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
        answers: [{ arguments: { city: "Paris" }, result: { temp: 18 } }] },
      { type: "function", function: { name: "ping", parameters: { type: "object", properties: {} } }, result: "pong" },
    ]));
    const respond = (p: string) =>
      responses(p) === 0 ? [call("get_weather", { city: "Paris" }), call("get_weather", { city: "Oslo" }), call("get_weather", { town: 3 }), call("ping", {})].join("\n") : "fine";
    const r = await agent({ prompt: "weather", tools: file }, respond);
    expect(r.out).toContain('result get_weather: {"temp":18}');
    expect(r.out).toContain(`result get_weather: {"error":"'get_weather' failed: no recorded answer for arguments {\\"city\\":\\"Oslo\\"}"}`);
    expect(r.out).toMatch(/result get_weather: \{"error":"arguments do not match the schema of 'get_weather': city: /);
    expect(r.out).toContain("result ping: pong");
  });

  it("--tools builtin runs format's synth catalog", async () => {
    const respond = (p: string) => (responses(p) === 0 ? call("convert_temperature", { value: 100, from_unit: "celsius", to_unit: "fahrenheit" }) : "212 F");
    const r = await agent({ prompt: "100 C in F?", tools: "builtin" }, respond);
    expect(r.out).toMatch(/result convert_temperature: \{.*212/);
  });
});

describe("tooltune agent with a real model directory", () => {
  it("runs end to end on a tiny random model with its tokenizer bundle (output is noise; it must not crash)", async () => {
    const dir = join(root, "tiny");
    const bundle = loadTokenizerBundle("qwen3");
    bundle.setTemplate({ name: "chatml", specialTokens: [] });
    const model = createModel(makeConfig("qwen2", { vocabSize: bundle.vocabSize, hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1 }), 5);
    saveModel(model, dir);
    model.dispose();
    bundle.save(join(dir, "tokenizer"));
    let out = "";
    const end = await runAgent(
      { model: dir, tools: "builtin", prompt: "What is 2 + 2?", confirm: false, maxSteps: 2, timeoutMs: 1000, temperature: 0, maxNewTokens: 4 },
      { input: new PassThrough(), write: (t) => (out += t) },
    );
    expect(["answered", "step_limit", "malformed"]).toContain(end);
    expect(out).toMatch(/^(answer: |stopped: )/m);

    // An adapter directory alone: the base comes from adapter_config.json, the bundle from the adapter.
    const adapterDir = join(root, "tiny-adapter");
    const again = loadModel(dir);
    saveAdapter(createLora(again, { ...defaultLoraConfig, r: 2, targetModules: ["q_proj"], baseModelNameOrPath: dir }, 1), adapterDir);
    again.dispose();
    bundle.save(join(adapterDir, "tokenizer"));
    let log = "";
    out = "";
    const viaAdapter = await runAgent(
      { model: adapterDir, tools: "builtin", prompt: "What is 2 + 2?", confirm: false, maxSteps: 2, timeoutMs: 1000, temperature: 0, maxNewTokens: 4 },
      { input: new PassThrough(), write: (t) => (out += t), log: (l) => (log += l + "\n") },
    );
    expect(["answered", "step_limit", "malformed"]).toContain(viaAdapter);
    expect(log).toMatch(/backend /);
  });
});
