/**
 * One user turn of Thought → Act → Observe: generate, print the thinking and the calls, run each
 * call (after a y/n when confirming), feed the results back as tool messages, and generate again
 * until the model answers without a call or the step limit ends a runaway loop.
 */
import { parseAssistantOutput, type ChatTemplate, type Message } from "@tooltune/format";
import type { Generator } from "@tooltune/eval";
import { runCall, type AgentTool } from "./tools.js";

export interface TurnContext {
  generator: Generator;
  template: ChatTemplate;
  tools: AgentTool[];
  maxSteps: number;
  timeoutMs: number;
  temperature: number;
  maxNewTokens: number;
  print(line: string): void;
  /** Asks the user before a call; absent = run every call. */
  confirm?: (question: string) => Promise<boolean>;
  signal?: AbortSignal;
}

export type TurnEnd = "answered" | "step_limit" | "malformed" | "interrupted";

/** Runs the turn on `history` (which must end with the user's message) and appends to it. */
export async function runTurn(history: Message[], ctx: TurnContext): Promise<TurnEnd> {
  const schemas = ctx.tools.map((t) => t.schema);
  let callCount = history.filter((m) => m.role === "tool").length;
  for (let step = 1; step <= ctx.maxSteps; step++) {
    if (ctx.signal?.aborted) return "interrupted";
    const prompt = ctx.template.renderPrompt(history, schemas);
    const [output] = await ctx.generator.generate([prompt], { maxNewTokens: ctx.maxNewTokens, temperature: ctx.temperature, stop: ctx.template.stopStrings, seed: step });
    const parsed = parseAssistantOutput(output);
    if (parsed.reasoning?.trim()) ctx.print(`thinking: ${parsed.reasoning.trim()}`);
    for (const e of parsed.errors) ctx.print(`malformed call: ${e}`);
    const calls = parsed.calls.map((c) => ({ ...c, id: c.id ?? `call_${++callCount}` }));
    history.push({ role: "assistant", content: parsed.content, ...(parsed.reasoning ? { reasoning: parsed.reasoning } : {}), ...(calls.length ? { toolCalls: calls } : {}) });
    if (!calls.length) {
      if (parsed.status === "malformed_call") {
        ctx.print(`stopped: the model wrote a tool call that cannot be read${parsed.content ? ` (text: ${parsed.content})` : ""}`);
        return "malformed";
      }
      ctx.print(`answer: ${parsed.content}`);
      return "answered";
    }
    for (const call of calls) {
      ctx.print(`call ${call.name} ${JSON.stringify(call.arguments)}`);
      let result: string;
      if (ctx.confirm && !(await ctx.confirm(`run ${call.name}? [y/n] `))) {
        result = JSON.stringify({ error: "the user declined this call" });
      } else {
        result = (await runCall(ctx.tools, call.name, call.arguments, ctx.timeoutMs)).text;
      }
      ctx.print(`result ${call.name}: ${result}`);
      history.push({ role: "tool", content: result, name: call.name, toolCallId: call.id });
    }
  }
  ctx.print(`stopped: no final answer within ${ctx.maxSteps} steps (--max-steps)`);
  return "step_limit";
}
