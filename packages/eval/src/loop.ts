/**
 * Thought → Act → Observe episodes: the model's calls are executed (by real tool implementations
 * or by replaying the dataset's recorded tool responses), each result goes back as a tool message
 * (the template renders it as `<tool_response>`), and generation resumes until the model answers
 * without a call or the step limit is reached.
 */
import { canonicalJson } from "@tooltune/core";
import { parseAssistantOutput, type Conversation, type Message, type ParsedOutput, type ToolCall, type ToolSchema } from "@tooltune/format";
import { checkOutput } from "./check.js";
import type { GenerateOptions, Generator } from "./generator.js";
import { callToAnswer, toFunctionDoc } from "./items.js";

/** Runs one call; returns the tool's answer as text. Never throws: errors are answers too. */
export type Executor = (call: ToolCall) => Promise<string>;
export type RenderPrompt = (messages: Message[], tools: ToolSchema[]) => string;

export interface EpisodeStep {
  output: string;
  /** The step matched the data's assistant turn at the same position (strict check). */
  pass: boolean;
  reason: string;
  calls: ToolCall[];
  results: string[];
}

export interface Episode {
  id: string;
  model: string;
  steps: EpisodeStep[];
  /** The model ended with an answer (no call) within the step limit. */
  finished: boolean;
  /** Finished, and every step matched the data's turn, with as many steps as the data has. */
  success: boolean;
  reason: string;
}

export interface EpisodeOptions {
  render: RenderPrompt;
  generate: GenerateOptions;
  executor: Executor;
  maxSteps: number;
}

/** One step's inputs: how to render the history, generate, and run a call. */
export interface StepOptions {
  render: (messages: Message[]) => string;
  generate: GenerateOptions;
  executor: Executor;
  /** Called once the model's turn is read, before any call runs (the CLI prints the thinking). */
  onTurn?: (parsed: ParsedOutput) => void;
  /** An id for a call the model gave none (the CLI numbers them); default: left without. */
  callId?: () => string;
  /** Run the calls that parsed even when another in the turn did not (the CLI does); default false. */
  actOnMalformed?: boolean;
}

export interface StepResult {
  output: string;
  parsed: ParsedOutput;
  /** The turn's calls (with ids from `callId`) and each one's answer, in order. */
  calls: ToolCall[];
  results: string[];
}

/**
 * One Thought → Act → Observe step on `history`, which it extends: the model thinks and acts
 * (generate, read the turn), the turn joins the history, and each call is run and its answer
 * observed (a tool message, which the template renders as `<tool_response>`). The eval loop and
 * the CLI's agent both step through this; a turn with no call is the model's answer.
 */
export async function runStep(history: Message[], gen: Generator, opts: StepOptions): Promise<StepResult> {
  const [output] = await gen.generate([opts.render(history)], opts.generate);
  const parsed = parseAssistantOutput(output);
  opts.onTurn?.(parsed);
  const calls = parsed.calls.map((c) => (c.id !== undefined || !opts.callId ? c : { ...c, id: opts.callId() }));
  history.push({ role: "assistant", content: parsed.content, ...(parsed.reasoning ? { reasoning: parsed.reasoning } : {}), ...(calls.length ? { toolCalls: calls } : {}) });
  const step: StepResult = { output, parsed, calls, results: [] };
  if (parsed.status === "malformed_call" && !opts.actOnMalformed) return step;
  for (const call of calls) {
    const result = await opts.executor(call);
    step.results.push(result);
    history.push({ role: "tool", content: result, name: call.name, ...(call.id ? { toolCallId: call.id } : {}) });
  }
  return step;
}

/** An episode of steps on a dataset conversation, each judged against the data's turn at that position. */
export async function runEpisode(conv: Conversation, gen: Generator, opts: EpisodeOptions): Promise<Episode> {
  const first = conv.messages.findIndex((m) => m.role === "assistant");
  const reference = conv.messages.filter((m, i) => m.role === "assistant" && i >= first);
  const history = conv.messages.slice(0, first < 0 ? conv.messages.length : first);
  const functions = conv.tools.map(toFunctionDoc);
  const stepOptions: StepOptions = { render: (messages) => opts.render(messages, conv.tools), generate: opts.generate, executor: opts.executor };
  const steps: EpisodeStep[] = [];
  let finished = false;
  let reason = "";
  while (steps.length < opts.maxSteps) {
    const { output, parsed, calls, results } = await runStep(history, gen, stepOptions);
    const ref = reference[steps.length];
    const answers = (ref?.toolCalls ?? []).map((c) => callToAnswer(c, functions.find((f) => f.name === c.name)));
    const judged = ref ? checkOutput({ category: answers.length > 1 ? "parallel" : "simple", functions, answers }, output, "strict") : { pass: false, reason: "the data has no turn at this step" };
    steps.push({ output, pass: judged.pass, reason: judged.reason, calls, results });
    if (!reason && !judged.pass) reason = `step ${steps.length}: ${judged.reason}`;
    if (parsed.status === "malformed_call") {
      reason ||= `step ${steps.length}: malformed call`;
      break;
    }
    if (calls.length === 0) {
      finished = true;
      break;
    }
  }
  if (!finished) reason ||= `no final answer within ${opts.maxSteps} steps`;
  const success = finished && !reason && steps.length === reference.length;
  if (finished && !reason && !success) reason = `finished in ${steps.length} steps, the data takes ${reference.length}`;
  return { id: conv.id, model: gen.name, steps, finished, success, reason };
}

/** Replays the tool responses recorded in the conversation, matched by name and arguments. */
export function replayExecutor(conv: Conversation): Executor {
  const recorded: { call: ToolCall; content: string; used: boolean }[] = [];
  conv.messages.forEach((m, i) => {
    if (!m.toolCalls) return;
    const answers: Message[] = [];
    for (let j = i + 1; j < conv.messages.length && conv.messages[j].role === "tool"; j++) answers.push(conv.messages[j]);
    m.toolCalls.forEach((call, k) => {
      const byId = call.id ? answers.find((a) => a.toolCallId === call.id) : undefined;
      const answer = byId ?? answers[k];
      if (answer) recorded.push({ call, content: answer.content, used: false });
    });
  });
  return async (call) => {
    const key = canonicalJson(call.arguments);
    const hit =
      recorded.find((r) => !r.used && r.call.name === call.name && canonicalJson(r.call.arguments) === key) ??
      recorded.find((r) => !r.used && r.call.name === call.name);
    if (!hit) return JSON.stringify({ error: `no recorded response for ${call.name}` });
    hit.used = true;
    return hit.content;
  };
}

/** A tool implementation as format's synth catalog has them: validates its input, never throws. */
export interface RunnableTool {
  run(args: unknown): unknown;
}

/** Executes calls with real implementations (format's synth catalog). */
export function catalogExecutor(catalog: Readonly<Record<string, RunnableTool>>): Executor {
  return async (call) => {
    const tool = Object.hasOwn(catalog, call.name) ? catalog[call.name] : undefined;
    if (!tool) return JSON.stringify({ error: `unknown tool '${call.name}'` });
    try {
      return JSON.stringify(tool.run(call.arguments));
    } catch (e) {
      return JSON.stringify({ error: (e as Error).message });
    }
  };
}
