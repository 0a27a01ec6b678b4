/**
 * Special-token sets (DESIGN §4). The format stage records the chosen set in its manifest stats;
 * tokenize adds these tokens to the tokenizer.
 */
import { DEFAULT_MARKERS, type Markers } from "./codec.js";

export interface SpecialTokenSet {
  /** `course`, `course-notebook`, or `custom`. */
  name: string;
  tokens: string[];
  /** The codec markers that go with the set. */
  markers: Markers;
}

// From the course's DESIGN §4 list, with the response pair spelled right.
const COURSE = ["<tools>", "</tools>", "<think>", "</think>", "<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>", "<pad>", "<eos>"];

// The notebook's exact list, in its order (shared/data/course/SOURCE.md), misspelling included.
const COURSE_NOTEBOOK = ["<tools>", "</tools>", "<think>", "</think>", "<tool_call>", "</tool_call>", "<tool_reponse>", "</tool_reponse>", "<pad>", "<eos>"];

export const SPECIAL_TOKEN_SETS = ["course", "course-notebook"] as const;

/** A named set, or an explicit list (its markers are the defaults unless the list spells them otherwise). */
export function getSpecialTokens(spec: string | string[]): SpecialTokenSet {
  if (Array.isArray(spec)) return { name: "custom", tokens: [...spec], markers: markersFor(spec) };
  if (spec === "course") return { name: spec, tokens: COURSE, markers: DEFAULT_MARKERS };
  if (spec === "course-notebook") return { name: spec, tokens: COURSE_NOTEBOOK, markers: markersFor(COURSE_NOTEBOOK) };
  throw new Error(`unknown special-token set '${spec}' (use ${SPECIAL_TOKEN_SETS.join(", ")} or a list)`);
}

/** The notebook's set spells the response markers `<tool_reponse>`; use what the list has. */
function markersFor(tokens: string[]): Markers {
  const has = (t: string) => tokens.includes(t);
  if (has("<tool_reponse>") && !has("<tool_response>")) {
    return { ...DEFAULT_MARKERS, responseStart: "<tool_reponse>", responseEnd: "</tool_reponse>" };
  }
  return DEFAULT_MARKERS;
}
