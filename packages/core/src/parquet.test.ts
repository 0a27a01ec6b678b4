import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowGroupSpans } from "./parquet.js";
import { arrowSchemas, readParquetTable, rowsToBatch, tableToRows, wasmHeapBytes, writeParquetFile } from "./index.js";
import { openParquet } from "./parquet.js";

let root: string;
beforeAll(async () => { root = await mkdtemp(join(tmpdir(), "tt-pq-")); });
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

const tokens = (n: number, len: number, seed: number) => Array.from({ length: n }, (_, i) => ({
  id: `r${seed}-${i}`,
  input_ids: Int32Array.from({ length: len }, (_, k) => (seed * 7919 + i * 31 + k) % 50000),
  loss_mask: Uint8Array.from({ length: len }, (_, k) => k % 2),
  position_ids: Int32Array.from({ length: len }, (_, k) => k),
  n_examples: 1,
  split: "train",
}));

describe("parquet-wasm IO", () => {
  it("writes row groups of at most N rows and reads them one by one", async () => {
    const rows = tokens(25, 16, 1);
    const file = join(root, "groups.parquet");
    await writeParquetFile(file, arrowSchemas.tokens, [rowsToBatch(arrowSchemas.tokens, rows)], { rowGroupRows: 10 });
    const reader = await openParquet(file);
    expect([reader.numRows, reader.numRowGroups]).toEqual([25, 3]);
    expect([0, 1, 2].map((g) => reader.rowGroupRows(g))).toEqual([10, 10, 5]);
    const group = await reader.readRowGroup(2, ["id", "input_ids"]);
    expect(group.batches).toHaveLength(1);
    expect(tableToRows(group)).toEqual(rows.slice(20).map((r) => ({ id: r.id, input_ids: r.input_ids })));
    reader.close();
  });

  it.each([
    [[], 10, []],
    [[5, 5, 5], 10, [[0, 1], [2]]],
    [[20, 1, 1], 10, [[0], [1, 2]]],
    [[3, 3, 3, 3], 100, [[0, 1, 2, 3]]],
    [[11, 11], 10, [[0], [1]]],
  ])("packs row groups of %j bytes under %d into %j", (bytes, limit, spans) => {
    expect(rowGroupSpans(bytes, limit)).toEqual(spans);
  });

  it("reads several row groups in one call, in order", async () => {
    const rows = tokens(25, 4, 2);
    const file = join(root, "spans.parquet");
    await writeParquetFile(file, arrowSchemas.tokens, [rowsToBatch(arrowSchemas.tokens, rows)], { rowGroupRows: 10 });
    const reader = await openParquet(file);
    expect(reader.rowGroupBytes.every((b) => b > 0)).toBe(true);
    expect(tableToRows(await reader.readRowGroups([1, 2]))).toEqual(rows.slice(10));
    reader.close();
  });

  it("does not grow wasm memory across many files once warm", async () => {
    const roundTrip = async (i: number) => {
      const rows = tokens(200, 256, i);
      const file = join(root, `m${i % 3}.parquet`);
      await writeParquetFile(file, arrowSchemas.tokens, [rowsToBatch(arrowSchemas.tokens, rows)], { compression: i % 2 ? "snappy" : "zstd" });
      const reader = await openParquet(file);
      const back = tableToRows(await reader.readRowGroup(0));
      reader.close();
      expect((await readParquetTable(file)).numRows).toBe(200);
      return back.length;
    };
    for (let i = 0; i < 10; i++) await roundTrip(i);
    const warm = wasmHeapBytes();
    // 60 more files of ~250 KB raw each: a leak of even one table per file would add ≥ 15 MB
    for (let i = 10; i < 70; i++) expect(await roundTrip(i)).toBe(200);
    expect(wasmHeapBytes()).toBe(warm);
  });
});
