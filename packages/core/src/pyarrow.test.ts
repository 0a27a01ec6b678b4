// Parquet round trip with pyarrow (issue 2), without Python at test time: fixtures/make_fixtures.py
// wrote from_pyarrow/*.parquet with expected values, and recorded what pyarrow read from
// written_here/*.parquet (written by this package, see fixtures/write_here.ts).
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Type, type DataType, type Field } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { readRawRecords, rowsToBatch, tableToRows, writeParquetFile } from "./index.js";
import { openParquet } from "./parquet.js";
import { writeParquetBytes } from "./parquet-write.js";
import { writtenFixtures } from "./test-fixture-rows.js";

const fixtures = new URL("../fixtures/", import.meta.url);
const json = (name: string) => JSON.parse(readFileSync(new URL(name, fixtures), "utf8"));

interface Described { schema: string[]; num_row_groups: number; compression: string; rows: unknown[] }
const fromPyarrow: Record<string, Described> = json("from_pyarrow/expected.json");
const pyarrowReads: Record<string, Described> = json("pyarrow_reads.json");

/** Our row values in the JSON form make_fixtures.py writes (see its docstring). */
function normalize(v: unknown): unknown {
  if (typeof v === "bigint") return { $bigint: v.toString() };
  if (ArrayBuffer.isView(v)) {
    const values = Array.from(v as unknown as ArrayLike<number | bigint>, (x) => (typeof x === "bigint" ? x.toString() : x));
    return { $typed: v.constructor.name, values };
  }
  if (Array.isArray(v)) return v.map(normalize);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  return v;
}

/** An Arrow JS field as pyarrow prints it, e.g. `pyarrow.Field<ids: list<item: int32 not null>>`. */
const pyField = (f: Field) => `pyarrow.Field<${pyFieldBody(f)}>`;
const pyFieldBody = (f: Field): string => `${f.name}: ${pyType(f.type)}${f.nullable ? "" : " not null"}`;
function pyType(t: DataType): string {
  switch (t.typeId) {
    case Type.Utf8: return "string";
    case Type.Bool: return "bool";
    case Type.Int: {
      const { isSigned, bitWidth } = t as unknown as { isSigned: boolean; bitWidth: number };
      return `${isSigned ? "" : "u"}int${bitWidth}`;
    }
    case Type.Float: return ["halffloat", "float", "double"][(t as unknown as { precision: number }).precision];
    case Type.List: return `list<${pyFieldBody(t.children[0])}>`;
    case Type.Struct: return `struct<${t.children.map(pyFieldBody).join(", ")}>`;
    default: throw new Error(`no pyarrow name for ${t}`);
  }
}

describe("files pyarrow and HF datasets wrote read here with exact values", () => {
  it.each(Object.keys(fromPyarrow))("%s", async (name) => {
    const want = fromPyarrow[name];
    const file = new URL(`from_pyarrow/${name}`, fixtures).pathname;
    const got: unknown[] = [];
    for await (const r of readRawRecords(file)) got.push(normalize(r.value));
    expect(got).toEqual(want.rows);
    const reader = await openParquet(file);
    expect(reader.schema.fields.map((f) => f.name)).toEqual(want.schema.map((s) => /^pyarrow\.Field<([^:]+):/.exec(s)![1]));
    expect(reader.numRowGroups).toBe(want.num_row_groups);
    // every row group on its own gives the same rows as the whole file
    const perGroup: unknown[] = [];
    for (let g = 0; g < reader.numRowGroups; g++) perGroup.push(...tableToRows(await reader.readRowGroup(g)).map(normalize));
    reader.close();
    expect(perGroup).toEqual(want.rows);
  });

  it("covers what the issue asks for: int64 near 2^63, unicode, nulls, list<int32>, dictionary strings, zstd", () => {
    const basic = JSON.stringify(fromPyarrow["basic_snappy.parquet"]);
    for (const s of ['"9223372036854775807"', '"-9223372036854775808"', "🎉", "中文", "dictionary<values=string", '"Int32Array"', "null"]) expect(basic).toContain(s);
    expect(fromPyarrow["conversations_zstd.parquet"].compression).toBe("ZSTD");
    expect(fromPyarrow["basic_snappy.parquet"].compression).toBe("SNAPPY");
  });
});

describe("files written here read in pyarrow with the same types and values", () => {
  it.each(writtenFixtures.map((f) => [f.name, f] as const))("%s", async (name, f) => {
    const seen = pyarrowReads[`${name}.parquet`];
    const file = join(await mkdtemp(join(tmpdir(), "tt-pyarrow-")), `${name}.parquet`);
    await writeParquetFile(file, f.schema, [rowsToBatch(f.schema, f.rows)], f.options);
    // The same bytes as the committed file pyarrow read: so what pyarrow saw holds for this code.
    const committed = readFileSync(new URL(`written_here/${name}.parquet`, fixtures));
    expect(readFileSync(file).equals(committed)).toBe(true);
    // the in-memory writer (small files in one go) makes the same bytes
    expect(Buffer.from(writeParquetBytes(f.schema, [rowsToBatch(f.schema, f.rows)], f.options)).equals(committed)).toBe(true);
    await rm(dirname(file), { recursive: true });
    expect(seen.schema).toEqual(f.schema.fields.map(pyField));
    expect(seen.rows).toEqual(f.rows.map(normalize));
    expect(seen.compression).toBe((f.options.compression ?? "zstd").toUpperCase());
    expect(seen.num_row_groups).toBe(Math.ceil(f.rows.length / (f.options.rowGroupRows ?? 10_000)));
  });
});
