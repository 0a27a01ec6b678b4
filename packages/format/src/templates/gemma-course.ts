/**
 * `gemma-course`: the Agents Course notebook's rendering, byte for byte
 * (shared/data/course/chat_template.jinja plus the notebook's preprocessing, SOURCE.md there):
 * the system text and a fixed thinking instruction are merged into the first user turn, every turn
 * is `<start_of_turn>{human|model|tool}\n{content|trim}<end_of_turn><eos>\n`, and calls are
 * Python-literal dicts as in the course dataset.
 */
import { DEFAULT_MARKERS, encodeToolCalls, encodeToolResponse } from "../codec.js";
import type { Message, ToolSchema } from "../conversation.js";
import { toPythonRepr } from "../python/repr.js";
import { assemble, type ChatTemplate, type Piece } from "./types.js";

// The notebook's preprocessing appends this after the system text (SOURCE.md, verbatim).
export const COURSE_THINK_INSTRUCTION =
  "Also, before making a call to a function take the time to plan the function to take. Make that thinking process between <think>{your thoughts}</think>\n\n";

/** The course dataset's system prompt, verbatim around the tool list it embeds as a Python repr. */
export function courseToolPrompt(tools: ToolSchema[]): string {
  return (
    "You are a function calling AI model. You are provided with function signatures within <tools></tools> XML tags." +
    "You may call one or more functions to assist with the user query. Don't make assumptions about what values to plug into functions." +
    `Here are the available tools:<tools> ${toPythonRepr(tools)} </tools>` +
    "Use the following pydantic model json schema for each tool call you will make: {'title': 'FunctionCall', 'type': 'object', 'properties': {'arguments': {'title': 'Arguments', 'type': 'object'}, 'name': {'title': 'Name', 'type': 'string'}}, 'required': ['arguments', 'name']}" +
    "For each function call return a json object with function name and arguments within <tool_call></tool_call> XML tags as follows:\n<tool_call>\n{tool_call}\n</tool_call>"
  );
}

const ROLE_NAMES = { user: "human", assistant: "model", tool: "tool", system: "system" } as const;
const END = "<end_of_turn><eos>";

/** Python's str.strip() whitespace set, as Jinja's `trim` uses it. */
const trim = (s: string) => s.trim();

/** Think block, prose, then calls: the course's assistant layout. */
export function courseAssistantText(m: Message): string {
  const think = m.reasoning !== undefined ? `${DEFAULT_MARKERS.thinkStart}${m.reasoning}${DEFAULT_MARKERS.thinkEnd}` : "";
  const calls = m.toolCalls?.length ? encodeToolCalls(m.toolCalls, { style: "python" }) : "";
  return trim(think + m.content + (m.content && calls ? "\n" : "") + calls);
}

/** The system text the notebook folds into the first user turn, or "" when there is none. */
function systemText(conv: { messages: Message[]; tools: ToolSchema[] }): string {
  const system = conv.messages.filter((m) => m.role === "system").map((m) => m.content).join("\n\n");
  // Tools already listed in the system text (course data) are not listed twice.
  if (!conv.tools.length || system.includes(DEFAULT_MARKERS.toolsStart)) return system;
  return system ? `${system}\n\n${courseToolPrompt(conv.tools)}` : courseToolPrompt(conv.tools);
}

function pieces(messages: Message[], tools: ToolSchema[]): Piece[] {
  const out: Piece[] = [{ text: "<bos>", role: "bos", part: "other", message: -1 }];
  let prefix = systemText({ messages, tools });
  prefix = prefix ? prefix + COURSE_THINK_INSTRUCTION : "";
  for (const [i, m] of messages.entries()) {
    if (m.role === "system") continue;
    const role = ROLE_NAMES[m.role];
    let body: string;
    if (m.role === "assistant") body = courseAssistantText(m);
    else if (m.role === "tool") body = trim(encodeToolResponse(m.content));
    else {
      body = trim(prefix + m.content);
      prefix = "";
    }
    out.push({ text: `<start_of_turn>${role}\n`, role: m.role, part: "header", message: i });
    out.push({ text: body, role: m.role, part: "body", message: i });
    out.push({ text: END, role: m.role, part: "end", message: i });
    out.push({ text: "\n", role: m.role, part: "other", message: i });
  }
  return out;
}

export const gemmaCourse: ChatTemplate = {
  name: "gemma-course",
  render: (conv, opts = {}) => assemble(pieces(conv.messages, conv.tools), opts.trainOn),
  renderPrompt: (messages, tools) => assemble(pieces(messages, tools)).text + "<start_of_turn>model\n",
  stopStrings: ["<end_of_turn>", "<eos>"],
  endOfTurn: END,
  callStyle: "python",
};
