/**
 * Rows that `fixtures/write_here.ts` writes to `fixtures/written_here/*.parquet` (read by pyarrow
 * in `fixtures/make_fixtures.py`, which records what it saw in `fixtures/pyarrow_reads.json`),
 * and that `pyarrow.test.ts` writes again to check the bytes and values still match.
 */
import { Bool, Field, Float32, Float64, Int32, Int64, List, Schema, Struct, Uint8, Utf8 } from "apache-arrow";
import { arrowSchemas } from "./arrow-schemas.js";
import type { ConversationRow, EvalResultRow, FormattedRow, TokensRow } from "./schemas.js";
import type { ParquetWriteOptions } from "./parquet-write.js";

const conversations: ConversationRow[] = [
  {
    id: "c0", source: "raw.jsonl:1", split: "train", meta: null,
    tools: '[{"type":"function","function":{"name":"get_weather","description":"天气","parameters":{"type":"object"}}}]',
    messages: [
      { role: "system", content: "You are a helpful assistant 🤖", reasoning: null, tool_calls: null, tool_call_id: null, name: null },
      { role: "user", content: "Quel temps à Paris ? 东京は？", reasoning: null, tool_calls: null, tool_call_id: null, name: null },
      {
        role: "assistant", content: "", reasoning: "Two cities → two calls", tool_call_id: null, name: null,
        tool_calls: [
          { id: "call_0", name: "get_weather", arguments: '{"city":"Paris"}' },
          { id: null, name: "get_weather", arguments: '{"city":"東京"}' },
        ],
      },
      { role: "tool", content: '{"temp":21}', reasoning: null, tool_calls: [], tool_call_id: "call_0", name: "get_weather" },
    ],
  },
  {
    id: "c1", source: "raw.jsonl:2", split: "test", meta: '{"category":"simple","bfcl_id":"simple_1"}', tools: "[]",
    messages: [{ role: "user", content: "", reasoning: "", tool_calls: null, tool_call_id: null, name: null }],
  },
  { id: "c2", source: "raw.jsonl:3", split: "train", meta: null, tools: "[]", messages: [] },
];

const formatted: FormattedRow[] = [
  { id: "f0", text: "<think>x</think>🙂", template: "chatml", split: "train", spans: [{ start: 0, end: 16, role: "assistant", train: true }, { start: 16, end: 18, role: "user", train: false }] },
  { id: "f1", text: "", template: "llama3", split: "test", spans: [] },
];

const tokens: TokensRow[] = [0, 1, 2, 3, 4].map((i) => ({
  id: `t${i}`,
  input_ids: Int32Array.from({ length: i * 3 }, (_, k) => (k === 0 ? 2147483647 : k === 1 ? -2147483648 : 1000 * i + k)),
  loss_mask: Uint8Array.from({ length: i * 3 }, (_, k) => (k % 3 === 0 ? 0 : k === 2 ? 255 : 1)),
  position_ids: Int32Array.from({ length: i * 3 }, (_, k) => k % 4),
  n_examples: i,
  split: i === 4 ? "test" : "train",
}));

const evalResults: EvalResultRow[] = [
  { id: "e0", category: "simple", prompt: "p", output: "<tool_call>{}</tool_call>", calls: "[]", expected: "[{}]", parse_status: "valid_call", name_ok: true, args_ok: false, pass: false, reason: "arguments differ" },
  { id: "e1", category: "multiple", prompt: "ü", output: "", calls: "[]", expected: "[]", parse_status: "no_call", name_ok: false, args_ok: false, pass: true, reason: null },
];

const typesSchema = new Schema([
  new Field("big", new Int64(), true),
  new Field("i32", new Int32(), false),
  new Field("u8", new Uint8(), false),
  new Field("f64", new Float64(), true),
  new Field("f32s", new List(new Field("item", new Float32(), false)), true),
  new Field("ok", new Bool(), true),
  new Field("s", new Struct([new Field("x", new Int32(), true), new Field("tags", new List(new Field("item", new Utf8(), true)), true)]), true),
]);

const types = [
  { big: 9223372036854775807n, i32: 2147483647, u8: 255, f64: 0.1, f32s: Float32Array.from([0.5, -1.25, 3.4028234663852886e38]), ok: true, s: { x: 1, tags: ["a", null, "🎉"] } },
  { big: -9223372036854775808n, i32: -2147483648, u8: 0, f64: null, f32s: null, ok: false, s: null },
  { big: 9007199254740993n, i32: 0, u8: 7, f64: -1e-300, f32s: new Float32Array(0), ok: null, s: { x: null, tags: null } },
  { big: null, i32: 5, u8: 1, f64: 1.7976931348623157e308, f32s: Float32Array.from([0.1]), ok: true, s: { x: -2, tags: [] } },
];

export interface WrittenFixture {
  name: string;
  schema: Schema;
  rows: object[];
  options: ParquetWriteOptions;
}

export const writtenFixtures: WrittenFixture[] = [
  { name: "conversations", schema: arrowSchemas.conversations, rows: conversations, options: { compression: "zstd" } },
  { name: "formatted", schema: arrowSchemas.formatted, rows: formatted, options: { compression: "snappy" } },
  { name: "tokens", schema: arrowSchemas.tokens, rows: tokens, options: { compression: "zstd", rowGroupRows: 2 } },
  { name: "eval-results", schema: arrowSchemas["eval-results"], rows: evalResults, options: { compression: "zstd" } },
  { name: "types", schema: typesSchema, rows: types, options: { compression: "snappy", rowGroupRows: 3 } },
];
