/**
 * One user turn: eval's Thought → Act → Observe step, repeated, with the thinking and each call
 * printed and each call confirmed (y/n) when asked, until the model answers without a call or the
 * step limit ends a runaway loop.
 */
import { runStep, type Generator } from "@tooltune/eval";
import type { ChatTemplate, Message, ToolCall } from "@tooltune/format";
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
    const { parsed, calls } = await runStep(history, ctx.generator, {
      render: (messages) => ctx.template.renderPrompt(messages, schemas),
      generate: { maxNewTokens: ctx.maxNewTokens, temperature: ctx.temperature, stop: ctx.template.stopStrings, seed: step },
      callId: () => `call_${++callCount}`,
      actOnMalformed: true, // run the calls that did parse; the bad ones are printed
      onTurn: (p) => {
        if (p.reasoning?.trim()) ctx.print(`thinking: ${p.reasoning.trim()}`);
        for (const e of p.errors) ctx.print(`malformed call: ${e}`);
      },
      executor: (call) => confirmAndRun(call, ctx),
    });
    if (!calls.length) {
      if (parsed.status === "malformed_call") {
        ctx.print(`stopped: the model wrote a tool call that cannot be read${parsed.content ? ` (text: ${parsed.content})` : ""}`);
        return "malformed";
      }
      ctx.print(`answer: ${parsed.content}`);
      return "answered";
    }
  }
  ctx.print(`stopped: no final answer within ${ctx.maxSteps} steps (--max-steps)`);
  return "step_limit";
}

/** Print the call, ask first when confirming, run it, print its answer. */
async function confirmAndRun(call: ToolCall, ctx: TurnContext): Promise<string> {
  ctx.print(`call ${call.name} ${JSON.stringify(call.arguments)}`);
  const declined = ctx.confirm && !(await ctx.confirm(`run ${call.name}? [y/n] `));
  const result = declined ? JSON.stringify({ error: "the user declined this call" }) : (await runCall(ctx.tools, call.name, call.arguments, ctx.timeoutMs)).text;
  ctx.print(`result ${call.name}: ${result}`);
  return result;
}
