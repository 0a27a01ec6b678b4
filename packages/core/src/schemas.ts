/**
 * Row types of the datasets that stages hand each other (DESIGN §3). These TypeScript types are
 * the in-memory view; the Arrow schemas that put them on disk are next to them in `arrowSchemas`.
 * JSON columns of varying shape (tools, call arguments, meta) are JSON strings on disk.
 */

/** conversations: the canonical form every ingest adapter produces. */
export interface ConversationRow {
  id: string;
  /** `file:row` the conversation came from. */
  source: string;
  /** JSON array, OpenAI shape: [{type:"function", function:{name, description, parameters}}]. */
  tools: string;
  messages: MessageRow[];
  /** "train" or "test". */
  split: string;
  /** JSON object or null: data only some sources have, e.g. BFCL's category and possible answers. */
  meta: string | null;
}

export interface MessageRow {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
  /** The think text, or null. */
  reasoning: string | null;
  tool_calls: ToolCallRow[] | null;
  tool_call_id: string | null;
  name: string | null;
}

export interface ToolCallRow {
  id: string | null;
  name: string;
  /** JSON object text. */
  arguments: string;
}

/** formatted: the rendered training text and which parts of it the loss sees. */
export interface FormattedRow {
  id: string;
  text: string;
  spans: SpanRow[];
  template: string;
  split: string;
}

/** Offsets are UTF-16 code units into `text`, end exclusive. */
export interface SpanRow {
  start: number;
  end: number;
  role: string;
  train: boolean;
}

/** tokens: model input ids, ready for training. */
export interface TokensRow {
  id: string;
  input_ids: Int32Array;
  /** 1 where the loss sees the token (as a label), else 0. */
  loss_mask: Uint8Array;
  /** Restart at 0 for each packed example. */
  position_ids: Int32Array;
  n_examples: number;
  split: string;
}

/** Reject rows, in `_rejects.parquet` of any dataset. */
export interface RejectRow {
  /** `file:row[:field]`. */
  source: string;
  reason: string;
  /** The offending row as JSON, so nothing is lost. */
  row: string | null;
}

/** eval-results: one row per evaluated example. */
export interface EvalResultRow {
  id: string;
  category: string;
  prompt: string;
  output: string;
  /** JSON array of the calls parsed from `output`. */
  calls: string;
  /** JSON of the expected calls (BFCL possible answers or the reference turn). */
  expected: string;
  parse_status: ParseStatus;
  name_ok: boolean;
  args_ok: boolean;
  pass: boolean;
  /** Why it failed, or null. */
  reason: string | null;
}

/** How a model's turn read: no call, calls that all parsed, or a call that did not (format's codec and eval's decoders). */
export type ParseStatus = "no_call" | "valid_call" | "malformed_call";
