/**
 * `tooltune agent`: load the model (and adapter), its template from the tokenizer bundle, and the
 * tools; then either one run of the loop on `--prompt`, or a chat in the terminal where the history
 * is kept between turns. Streams are injected, so tests type into it as a person would.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { baseOf, loadModelGenerator, templateOf, type LoadGenerator } from "@tooltune/eval";
import type { Message } from "@tooltune/format";
import { runTurn, type TurnContext, type TurnEnd } from "./loop.js";
import { loadTools, type AgentTool } from "./tools.js";

export interface AgentOptions {
  model: string;
  adapter?: string;
  tools: string;
  prompt?: string;
  confirm: boolean;
  maxSteps: number;
  timeoutMs: number;
  temperature: number;
  maxNewTokens: number;
}

export interface AgentIO {
  /** What the user types (stdin). */
  input: NodeJS.ReadableStream;
  /** Where the conversation is printed (stdout); `text` carries its own newlines. */
  write(text: string): void;
  signal?: AbortSignal;
  /** Status lines (loading, warnings): stderr. */
  log?(line: string): void;
  /** The model behind the loop; tests pass a scripted one. Default: eval's real model generator. */
  loadGenerator?: LoadGenerator;
}

/** Runs the command; resolves with how the (last) turn ended. */
export async function runAgent(opts: AgentOptions, io: AgentIO): Promise<TurnEnd | "exit"> {
  const { modelDir, adapterDir } = resolveModel(opts.model, opts.adapter);
  const template = templateOf(adapterDir ?? modelDir);
  const { tools, warnings } = await loadTools(opts.tools);
  warnings.forEach((w) => io.log?.(`warning: ${w}`));
  const generator = await (io.loadGenerator ?? loadModelGenerator)({ role: adapterDir ? "adapter" : "base", modelDir, adapterDir, log: io.log });
  const lines = lineReader(io.input, io.signal);
  const print = (line: string) => io.write(line + "\n");
  const ask = async (question: string) => {
    io.write(question);
    return /^y(es)?$/i.test((await lines.next()) ?? "");
  };
  const ctx: TurnContext = { generator, template, tools, maxSteps: opts.maxSteps, timeoutMs: opts.timeoutMs, temperature: opts.temperature, maxNewTokens: opts.maxNewTokens, print, signal: io.signal, ...(opts.confirm ? { confirm: ask } : {}) };
  try {
    if (opts.prompt !== undefined) return await runTurn([{ role: "user", content: opts.prompt }], ctx);
    return await chat(ctx, lines, io);
  } finally {
    lines.close();
  }
}

/** The chat: `/tools`, `/reset`, `/exit`; end of input or Ctrl-C leaves too. */
async function chat(ctx: TurnContext, lines: LineReader, io: AgentIO): Promise<"exit"> {
  let history: Message[] = [];
  ctx.print(`chat with ${ctx.generator.name} (${ctx.tools.length} tools). /tools lists them, /reset starts over, /exit or Ctrl-C leaves.`);
  for (;;) {
    io.write("you> ");
    const line = await lines.next();
    if (line === undefined || line.trim() === "/exit") break;
    const text = line.trim();
    if (!text) continue;
    if (text === "/tools") ctx.tools.forEach((t) => ctx.print(describeTool(t)));
    else if (text === "/reset") {
      history = [];
      ctx.print("(history cleared)");
    } else if (text.startsWith("/")) ctx.print(`unknown command ${text} (/tools, /reset, /exit)`);
    else {
      history.push({ role: "user", content: text });
      if ((await runTurn(history, ctx)) === "interrupted") break;
    }
  }
  ctx.print("bye");
  return "exit";
}

export function describeTool(t: AgentTool): string {
  const f = t.schema.function;
  const props = Object.keys((f.parameters?.properties as Record<string, unknown> | undefined) ?? {});
  return `  ${f.name}(${props.join(", ")})${f.description ? ` — ${f.description}` : ""}`;
}

/** `--model` may be an adapter directory: its base is recorded in adapter_config.json. */
function resolveModel(model: string, adapter: string | undefined): { modelDir: string; adapterDir?: string } {
  if (adapter) return { modelDir: model, adapterDir: adapter };
  if (existsSync(join(model, "adapter_config.json"))) return { modelDir: baseOf(model), adapterDir: model };
  return { modelDir: model };
}

interface LineReader {
  /** The next line, or undefined at end of input / Ctrl-C. */
  next(): Promise<string | undefined>;
  close(): void;
}

/** Lines from the input, buffered: piped input may arrive before the question is asked. */
function lineReader(input: NodeJS.ReadableStream, signal?: AbortSignal): LineReader {
  const terminal = (input as { isTTY?: boolean }).isTTY === true;
  const rl = createInterface({ input, terminal, crlfDelay: Infinity });
  // In a terminal readline takes Ctrl-C itself; without a listener it would only pause.
  rl.on("SIGINT", () => rl.close());
  signal?.addEventListener("abort", () => rl.close(), { once: true });
  const it = rl[Symbol.asyncIterator]();
  let closed = false;
  return {
    async next() {
      if (closed) return undefined;
      const r = await it.next();
      if (r.done) closed = true;
      return r.done ? undefined : r.value;
    },
    close() {
      closed = true;
      rl.close();
    },
  };
}
