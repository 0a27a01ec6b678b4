/**
 * `chatml` (Hermes / Qwen style) and `llama3`: both write the tool list in the system turn inside
 * `<tools>`, calls as JSON in `<tool_call>` and results in `<tool_response>`; they differ in turn
 * markup only, so one renderer takes the markup as data.
 */
import { DEFAULT_MARKERS, encodeToolCall, encodeToolResponse, jsonDumps } from "../codec.js";
import type { Message, ToolSchema } from "../conversation.js";
import { assemble, type ChatTemplate, type Piece } from "./types.js";

// Qwen2.5/Qwen3's tool instructions (their tokenizer_config.json chat_template), so that chatml
// text reads like what those models were tuned on.
export function hermesToolPrompt(tools: ToolSchema[]): string {
  const list = tools.map((t) => "\n" + jsonDumps(t)).join("");
  return (
    "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n" +
    `You are provided with function signatures within <tools></tools> XML tags:\n<tools>${list}\n</tools>\n\n` +
    "For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n" +
    '<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>'
  );
}

/** Qwen3's layout: think block, prose, then one `<tool_call>` block per line. */
export function hermesAssistantText(m: Message): string {
  const think = m.reasoning !== undefined ? `${DEFAULT_MARKERS.thinkStart}\n${m.reasoning.trim()}\n${DEFAULT_MARKERS.thinkEnd}\n\n` : "";
  const calls = (m.toolCalls ?? []).map((c, i) => (i > 0 || m.content ? "\n" : "") + encodeToolCall(c)).join("");
  return think + m.content + calls;
}

interface Markup {
  name: string;
  begin: string;
  /** Turn opening for a role. */
  header: (role: string) => string;
  end: string;
  /** After the end marker. */
  sep: string;
  /** The role tool results are shown under. */
  toolRole: string;
  /** Consecutive tool results share one turn (Qwen) or get one each. */
  groupTools: boolean;
  stopStrings: string[];
}

function systemContent(messages: Message[], tools: ToolSchema[]): string | null {
  const system = messages.filter((m) => m.role === "system").map((m) => m.content).join("\n\n");
  if (!tools.length) return system || null;
  return (system ? system + "\n\n" : "") + hermesToolPrompt(tools);
}

function pieces(k: Markup, messages: Message[], tools: ToolSchema[]): Piece[] {
  const out: Piece[] = [{ text: k.begin, role: "bos", part: "other", message: -1 }];
  const turn = (role: string, i: number, header: string, body: string, close = true) => {
    out.push({ text: header, role, part: "header", message: i }, { text: body, role, part: "body", message: i });
    if (close) out.push({ text: k.end, role, part: "end", message: i }, { text: k.sep, role, part: "other", message: i });
  };
  const system = systemContent(messages, tools);
  if (system !== null) turn("system", -1, k.header("system"), system);
  for (const [i, m] of messages.entries()) {
    if (m.role === "system") continue;
    if (m.role === "assistant") turn("assistant", i, k.header("assistant"), hermesAssistantText(m));
    else if (m.role === "user") turn("user", i, k.header("user"), m.content);
    else {
      const first = !k.groupTools || messages[i - 1]?.role !== "tool";
      const last = !k.groupTools || messages[i + 1]?.role !== "tool";
      // Qwen puts each result of a run on its own line inside one turn: the newline moves from the
      // header to the front of every result.
      const header = !first ? "" : k.groupTools ? k.header(k.toolRole).slice(0, -1) : k.header(k.toolRole);
      turn("tool", i, header, (k.groupTools ? "\n" : "") + encodeToolResponse(m.content), last);
    }
  }
  return out;
}

function hermesTemplate(k: Markup): ChatTemplate {
  return {
    name: k.name,
    render: (conv, opts = {}) => assemble(pieces(k, conv.messages, conv.tools), opts.trainOn),
    renderPrompt: (messages, tools) => assemble(pieces(k, messages, tools)).text + k.header("assistant"),
    stopStrings: k.stopStrings,
    endOfTurn: k.end,
    callStyle: "json",
  };
}

export const chatml = hermesTemplate({
  name: "chatml",
  begin: "",
  header: (role) => `<|im_start|>${role}\n`,
  end: "<|im_end|>",
  sep: "\n",
  toolRole: "user",
  groupTools: true,
  stopStrings: ["<|im_end|>", "<|endoftext|>"],
});

// Llama 3.x markup (Meta's model card); tool results go under `ipython`, as Llama 3.1 does.
export const llama3 = hermesTemplate({
  name: "llama3",
  begin: "<|begin_of_text|>",
  header: (role) => `<|start_header_id|>${role}<|end_header_id|>\n\n`,
  end: "<|eot_id|>",
  sep: "",
  toolRole: "ipython",
  groupTools: false,
  stopStrings: ["<|eot_id|>", "<|eom_id|>", "<|end_of_text|>"],
});
