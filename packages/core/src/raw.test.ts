import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRawRecords, TooltuneError, type RawRecord } from "./index.js";

let root: string;
beforeAll(async () => { root = await mkdtemp(join(tmpdir(), "tt-raw-")); });
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

async function collect(name: string, text: string): Promise<RawRecord[]> {
  const file = join(root, name);
  await writeFile(file, text);
  const out: RawRecord[] = [];
  for await (const r of readRawRecords(file)) out.push(r);
  return out;
}

describe("readRawRecords", () => {
  it("reads JSONL with row indexes and line numbers, skipping blank lines, yielding bad lines as errors", async () => {
    const records = await collect("a.jsonl", '{"a":1}\n\n{"a":"é🌍"}\r\n{not json\n{"a":null}\n');
    expect(records.map(({ row, line, value }) => ({ row, line, value }))).toEqual([
      { row: 0, line: 1, value: { a: 1 } },
      { row: 1, line: 3, value: { a: "é🌍" } },
      { row: 2, line: 4, value: undefined },
      { row: 3, line: 5, value: { a: null } },
    ]);
    expect(records[2].error).toMatch(/^line 4 is not valid JSON/);
  });

  it("reads .ndjson the same way", async () => {
    expect(await collect("b.ndjson", '{"x":[1,2]}')).toEqual([{ row: 0, line: 1, value: { x: [1, 2] } }]);
  });

  it("reads a JSON array with row indexes", async () => {
    expect(await collect("c.json", '[{"a":1},{"b":[true]}]')).toEqual([{ row: 0, value: { a: 1 } }, { row: 1, value: { b: [true] } }]);
  });

  const failures: [string, string, RegExp][] = [
    ["d.json", '{"a":1}', /expected a JSON array of records, found object/],
    ["e.json", "[1,", /not valid JSON/],
    ["f.csv", "a,b", /unsupported raw file type '\.csv'/],
  ];
  it.each(failures)("refuses %s with an error naming the file", async (name, text, message) => {
    const err = await collect(name, text).catch((e) => e);
    expect(err).toBeInstanceOf(TooltuneError);
    expect(err.message).toMatch(message);
    expect(err.where).toBe(join(root, name));
  });

  it("says which file when a Parquet file is not Parquet", async () => {
    const err = await collect("g.parquet", "not parquet").catch((e) => e);
    expect(err).toMatchObject({ code: "INPUT", where: join(root, "g.parquet") });
  });
});
