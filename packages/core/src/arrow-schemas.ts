/**
 * Arrow schemas of the dataset kinds in DESIGN §3, matching the row types in `schemas.ts`.
 * Child field names of lists are "item" (what pyarrow writes), so files written here read in
 * pyarrow as `list<item: …>`, the same as files pyarrow writes itself.
 */
import { Bool, Field, Int32, List, Schema, Struct, Uint8, Utf8, type DataType } from "apache-arrow";

const str = (name: string, nullable = false) => new Field(name, new Utf8(), nullable);
const listOf = (type: DataType, nullable = false) => new List(new Field("item", type, nullable));

export const toolCallType = new Struct([str("id", true), str("name"), str("arguments")]);

export const messageType = new Struct([
  str("role"),
  str("content"),
  str("reasoning", true),
  new Field("tool_calls", listOf(toolCallType), true),
  str("tool_call_id", true),
  str("name", true),
]);

export const spanType = new Struct([
  new Field("start", new Int32(), false),
  new Field("end", new Int32(), false),
  str("role"),
  new Field("train", new Bool(), false),
]);

export const arrowSchemas = {
  conversations: new Schema([
    str("id"),
    str("source"),
    str("tools"),
    new Field("messages", listOf(messageType), false),
    str("split"),
    str("meta", true),
  ]),
  formatted: new Schema([str("id"), str("text"), new Field("spans", listOf(spanType), false), str("template"), str("split")]),
  tokens: new Schema([
    str("id"),
    new Field("input_ids", listOf(new Int32()), false),
    new Field("loss_mask", listOf(new Uint8()), false),
    new Field("position_ids", listOf(new Int32()), false),
    new Field("n_examples", new Int32(), false),
    str("split"),
  ]),
  "eval-results": new Schema([
    str("id"),
    str("category"),
    str("prompt"),
    str("output"),
    str("calls"),
    str("expected"),
    str("parse_status"),
    new Field("name_ok", new Bool(), false),
    new Field("args_ok", new Bool(), false),
    new Field("pass", new Bool(), false),
    str("reason", true),
  ]),
  rejects: new Schema([str("source"), str("reason"), str("row", true)]),
} as const;

export type DatasetKind = Exclude<keyof typeof arrowSchemas, "rejects">;
