import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bool, Field, Float32, Float64, Int32, Int64, List, Schema, Struct, Uint8, Utf8 } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatasetWriter, openDataset, readManifest, sha256, TooltuneError, MANIFEST_FILE, type ConversationRow, type TokensRow } from "./index.js";
import { openParquet } from "./parquet.js";

const provenance = { stage: "test", stageVersion: "1", params: { a: 1 }, inputs: [{ path: "in", contentHash: "h" }] };
let root: string;
beforeAll(async () => { root = await mkdtemp(join(tmpdir(), "tt-ds-")); });
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

const conversation = (i: number): ConversationRow => ({
  id: `c${i}`,
  source: `raw.jsonl:${i}`,
  tools: "[]",
  messages: [
    { role: "user", content: `héllo 🌍 你好 ${i}`, reasoning: null, tool_calls: null, tool_call_id: null, name: null },
    {
      role: "assistant", content: "", reasoning: "think", tool_call_id: null, name: null,
      tool_calls: [{ id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' }, { id: null, name: "f", arguments: "{}" }],
    },
    { role: "tool", content: "{}", reasoning: null, tool_calls: [], tool_call_id: "call_1", name: "get_weather" },
  ],
  split: i % 5 === 0 ? "test" : "train",
  meta: i % 2 ? null : '{"category":"simple"}',
});

describe("DatasetWriter + openDataset", () => {
  it("round-trips conversations (list<struct> with nested list<struct>, nulls, unicode) across files and row groups", async () => {
    const dir = join(root, "convs");
    const w = await DatasetWriter.create(dir, { kind: "conversations", rowsPerFile: 7, rowGroupRows: 3 });
    const rows = Array.from({ length: 20 }, (_, i) => conversation(i));
    await w.write(rows.slice(0, 11));
    await w.write(rows.slice(11));
    const manifest = await w.finish(provenance, { note: "x" });
    expect(manifest.files.map((f) => [f.name, f.rows])).toEqual([["part-00000.parquet", 7], ["part-00001.parquet", 7], ["part-00002.parquet", 6]]);
    expect(manifest.rows).toBe(20);
    expect(manifest.rejected).toBe(0);

    const ds = await openDataset(dir);
    expect(await ds.readAll()).toEqual(rows);
    const sizes: number[] = [];
    for await (const b of ds.batches()) sizes.push(b.length);
    expect(sizes).toEqual([3, 3, 1, 3, 3, 1, 3, 3]);
    expect(ds.schema.fields.map((f) => f.name)).toEqual(["id", "source", "tools", "messages", "split", "meta"]);
    expect(await ds.rejects()).toEqual([]);
  });

  it("writes tokens from typed arrays or number arrays and reads typed arrays back", async () => {
    const dir = join(root, "tokens");
    const w = await DatasetWriter.create(dir, { kind: "tokens", compression: "snappy" });
    const rows: TokensRow[] = [
      { id: "a", input_ids: Int32Array.from([1, 2, 2147483647, -5]), loss_mask: Uint8Array.from([0, 1, 1, 255]), position_ids: Int32Array.from([0, 1, 2, 3]), n_examples: 1, split: "train" },
      { id: "b", input_ids: new Int32Array(0), loss_mask: new Uint8Array(0), position_ids: new Int32Array(0), n_examples: 0, split: "test" },
    ];
    await w.write([...rows, { ...rows[0], id: "c", input_ids: [7, 8] as unknown as Int32Array, loss_mask: [1, 0] as unknown as Uint8Array, position_ids: [0, 1] as unknown as Int32Array }]);
    await w.finish(provenance);
    const back = await (await openDataset<TokensRow>(dir)).readAll();
    expect(back[0]).toEqual(rows[0]);
    expect(back[0].input_ids).toBeInstanceOf(Int32Array);
    expect(back[0].loss_mask).toBeInstanceOf(Uint8Array);
    expect(back[1]).toEqual(rows[1]);
    expect(Array.from(back[2].input_ids)).toEqual([7, 8]);
  });

  it("reuses scratch memory between row groups without mixing their values", async () => {
    const dir = join(root, "tokens-groups");
    const w = await DatasetWriter.create(dir, { kind: "tokens", rowGroupRows: 2, rowsPerFile: 5 });
    const rows: TokensRow[] = Array.from({ length: 11 }, (_, i) => ({
      id: `t${i}`,
      input_ids: Int32Array.from({ length: 3 + ((i * 7) % 5) }, (_, k) => i * 100 + k),
      loss_mask: Uint8Array.from({ length: 3 + ((i * 7) % 5) }, (_, k) => (i + k) % 2),
      position_ids: Int32Array.from({ length: 3 + ((i * 7) % 5) }, (_, k) => k),
      n_examples: i, split: "train",
    }));
    for (const r of rows) await w.write([r]);
    const m = await w.finish(provenance);
    expect(m.files.map((f) => f.rows)).toEqual([5, 5, 1]);
    const ds = await openDataset<TokensRow>(dir);
    expect(await ds.readAll()).toEqual(rows);
    const sizes: number[] = [];
    for await (const b of ds.batches()) sizes.push(b.length);
    expect(sizes).toEqual([2, 2, 1, 2, 2, 1, 1]);
  });

  it("keeps int64 exact near 2^63, floats, bools, nulls and structs", async () => {
    const schema = new Schema([
      new Field("big", new Int64(), true),
      new Field("f32", new List(new Field("item", new Float32(), false)), false),
      new Field("f64", new Float64(), true),
      new Field("ok", new Bool(), true),
      new Field("s", new Struct([new Field("x", new Int32(), true), new Field("tags", new List(new Field("item", new Utf8(), true)), true)]), true),
      new Field("u8", new Uint8(), false),
    ]);
    const rows = [
      { big: 9223372036854775807n, f32: Float32Array.from([0.5, -1.25]), f64: Math.PI, ok: true, s: { x: 1, tags: ["a", null] }, u8: 255 },
      { big: -9223372036854775808n, f32: new Float32Array(0), f64: null, ok: false, s: null, u8: 0 },
      { big: null, f32: Float32Array.from([1e30]), f64: -0.1, ok: null, s: { x: null, tags: null }, u8: 7 },
      { big: 9007199254740993n, f32: new Float32Array(1), f64: 1, ok: true, s: { x: -2, tags: [] }, u8: 1 },
    ];
    const dir = join(root, "types");
    const w = await DatasetWriter.create(dir, { kind: "custom", schema });
    await w.write(rows);
    await w.finish(provenance);
    expect(await (await openDataset(dir)).readAll()).toEqual(rows);
  });

  it("stores rejects with source, reason and the row as JSON, listed in the manifest", async () => {
    const dir = join(root, "rejects");
    const w = await DatasetWriter.create(dir, { kind: "conversations" });
    await w.write([conversation(1)]);
    w.reject({ source: "raw.jsonl:3", reason: "no assistant turn", row: { id: 3n, ids: Int32Array.from([1]) } });
    w.reject({ source: "raw.jsonl:9:messages", reason: "line is not JSON" });
    const m = await w.finish(provenance);
    expect(m.rejected).toBe(2);
    expect(m.rows).toBe(1);
    expect(m.files.map((f) => f.name)).toEqual(["part-00000.parquet", "_rejects.parquet"]);
    expect(await (await openDataset(dir)).rejects()).toEqual([
      { source: "raw.jsonl:3", reason: "no assistant turn", row: '{"id":"3","ids":[1]}' },
      { source: "raw.jsonl:9:messages", reason: "line is not JSON", row: null },
    ]);
  });

  it("writes a manifest with every field, hashes that match the bytes, and the manifest last", async () => {
    const dir = join(root, "manifest");
    const w = await DatasetWriter.create(dir, { kind: "conversations", rowsPerFile: 2 });
    await w.write([conversation(1), conversation(2), conversation(3)]);
    w.reject({ source: "x:1", reason: "bad" });
    const m = await w.finish(provenance, { tokens: 5 });
    expect(Object.keys(m).sort()).toEqual(["contentHash", "createdAt", "files", "inputs", "kind", "params", "rejected", "rows", "schemaVersion", "stage", "stageVersion", "stats", "tool"]);
    expect(m).toMatchObject({ kind: "conversations", schemaVersion: 1, stage: "test", stageVersion: "1", params: { a: 1 }, inputs: provenance.inputs, stats: { tokens: 5 }, tool: { name: "tooltune" } });
    for (const f of m.files) {
      const bytes = await readFile(join(dir, f.name));
      expect(f.sha256).toBe(sha256(bytes));
      expect(f.bytes).toBe(bytes.byteLength);
    }
    expect(m.contentHash).toBe(sha256(m.files.map((f) => f.sha256).join("\n")));
    expect(await readManifest(dir)).toEqual(m);
    expect((await readdir(dir)).sort()).toEqual(["_manifest.json", "_rejects.parquet", "part-00000.parquet", "part-00001.parquet"]);
  });

  it("gives the same contentHash when the same rows are written again, another when one value changes", async () => {
    const write = async (name: string, rows: ConversationRow[]) => {
      const w = await DatasetWriter.create(join(root, name), { kind: "conversations", rowsPerFile: 3 });
      await w.write(rows);
      return (await w.finish(provenance)).contentHash;
    };
    const rows = Array.from({ length: 5 }, (_, i) => conversation(i));
    const h = await write("h1", rows);
    expect(await write("h2", rows)).toBe(h);
    expect(await write("h3", [...rows.slice(0, 4), { ...rows[4], split: "test" }])).not.toBe(h);
  });

  it("writes an empty dataset that still has a schema", async () => {
    const dir = join(root, "empty");
    const w = await DatasetWriter.create(dir, { kind: "tokens" });
    const m = await w.finish(provenance);
    expect(m.rows).toBe(0);
    const ds = await openDataset(dir);
    expect(ds.schema.fields.map((f) => f.name)).toContain("input_ids");
    expect(await ds.readAll()).toEqual([]);
  });

  it("reads only the asked columns", async () => {
    const ds = await openDataset(join(root, "convs"));
    const rows = await ds.readAll({ columns: ["id", "split"] });
    expect(rows[0]).toEqual({ id: "c0", split: "test" });
    await expect(ds.readAll({ columns: ["id", "nope"] })).rejects.toThrow(/no column nope/);
  });

  it("names row and field when a row does not match the schema", async () => {
    const w = await DatasetWriter.create(join(root, "bad"), { kind: "conversations", rowGroupRows: 2 });
    const bad = conversation(2);
    (bad.messages[1].tool_calls![0] as { name: unknown }).name = 42;
    const err = await w.write([conversation(0), conversation(1), bad]).then(() => w.finish(provenance)).catch((e) => e);
    expect(err).toBeInstanceOf(TooltuneError);
    expect(err.where).toBe(`${join(root, "bad")}:2:messages[].tool_calls[].name`);
    expect(err.message).toMatch(/expected a string, got number 42/);
    // list<int32> given as a plain array is checked, not silently truncated
    const fracErr = await (await DatasetWriter.create(join(root, "bad2"), { kind: "tokens", rowGroupRows: 1 }))
      .write([{ id: "x", input_ids: [1, 2.5], loss_mask: [], position_ids: [], n_examples: 1, split: "train" }]).catch((e) => e);
    expect(fracErr).toMatchObject({ code: "SCHEMA", where: `${join(root, "bad2")}:0:input_ids[]` });
    const nullErr = await (await DatasetWriter.create(join(root, "bad3"), { kind: "tokens", rowGroupRows: 1 }))
      .write([{ id: null, input_ids: [], loss_mask: [], position_ids: [], n_examples: 1, split: "train" }]).catch((e) => e);
    expect(nullErr.message).toMatch(/null in a non-nullable field \(row 0, field id\)/);
  });

  it("iterates rows one by one, and says which file when a part is damaged", async () => {
    const dir = join(root, "convs");
    const ids: string[] = [];
    for await (const r of (await openDataset<ConversationRow>(dir)).rows({ columns: ["id"] })) ids.push(r.id);
    expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => `c${i}`));
    // same size, the column data overwritten: the footer (metadata) still parses, the data does not
    const damaged = join(root, "damaged");
    const w = await DatasetWriter.create(damaged, { kind: "conversations" });
    await w.write(Array.from({ length: 50 }, (_, i) => conversation(i)));
    await w.finish(provenance);
    const part = join(damaged, "part-00000.parquet");
    const bytes = await readFile(part);
    const footer = bytes.readUInt32LE(bytes.length - 8);
    bytes.fill(0x55, 4, bytes.length - 8 - footer);
    await writeFile(part, bytes);
    // openDataset refuses it against the manifest's sha256 before decoding (verify.test.ts) …
    await expect(openDataset(damaged)).rejects.toThrow(/part-00000\.parquet in the 'test' output .* is damaged: its sha256/);
    // … and the decoder itself, reached without a manifest, says which file and row group
    const reader = await openParquet(part);
    const err = await reader.readRowGroup(0).catch((e) => e);
    reader.close();
    expect(err).toBeInstanceOf(TooltuneError);
    expect(err.where).toBe(`${part}:row-group-0`);
    // and the wasm reader still works afterwards
    expect((await (await openDataset(dir)).readAll()).length).toBe(20);
  });

  it("refuses an unknown kind without a schema", async () => {
    await expect(DatasetWriter.create(join(root, "unknown"), { kind: "nope" })).rejects.toThrow(/no Arrow schema for dataset kind 'nope'/);
  });

  it("refuses a directory without a manifest, saying it is incomplete", async () => {
    const dir = join(root, "incomplete");
    await mkdir(dir);
    await writeFile(join(dir, "part-00000.parquet"), "x");
    const err = await openDataset(dir).catch((e) => e);
    expect(err).toBeInstanceOf(TooltuneError);
    expect(err.message).toMatch(/no _manifest\.json.*incomplete/);
    expect(err.where).toBe(join(dir, MANIFEST_FILE));
  });
});
