/**
 * io: write and read a tokens-like dataset of 100k rows × 512 int32 ids through DatasetWriter and
 * openDataset (rows → Arrow → Parquet files + sha256 + manifest, and back to rows with typed
 * arrays). Two shapes: `input_ids` alone (what the pyarrow reference figure measured: 2.6 s write,
 * 0.85 s read on this machine kind) and the full tokens schema. Prints figures; asserts nothing.
 * Wall and CPU seconds are both printed: the machine is shared, and CPU time moves less with load.
 *   npm run bench -- io [--rows=100000] [--compression=zstd|snappy]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Field, Int32, List, Schema, Utf8 } from "apache-arrow";
import { arrowSchemas, DatasetWriter, openDataset, wasmHeapBytes, type Compression } from "@tooltune/core";

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const ROWS = Number(arg("rows", "100000"));
const LEN = 512;
const compression = arg("compression", "zstd") as Compression;

const idsOnly = new Schema([new Field("id", new Utf8(), false), new Field("input_ids", new List(new Field("item", new Int32(), false)), false)]);

function makeRows(full: boolean): object[] {
  // Zipf-like ids in a 150k vocabulary: realistic for compression, unlike a constant or a counter.
  let s = 12345; // xorshift32
  const next = () => {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  return Array.from({ length: ROWS }, (_, i) => {
    const input_ids = new Int32Array(LEN);
    for (let k = 0; k < LEN; k++) input_ids[k] = Math.floor(150000 * next() ** 3);
    if (!full) return { id: `r${i}`, input_ids };
    const position_ids = new Int32Array(LEN);
    for (let k = 0; k < LEN; k++) position_ids[k] = k % 128;
    return { id: `r${i}`, input_ids, loss_mask: Uint8Array.from(position_ids, (p) => (p > 40 ? 1 : 0)), position_ids, n_examples: 4, split: "train" };
  });
}

/** CPU seconds (user + system) since `start`: steadier than wall time on a shared machine. */
const cpuSeconds = (start: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
};

async function run(label: string, schema: Schema, full: boolean): Promise<void> {
  const rows = makeRows(full);
  const idBytes = ROWS * LEN * 4;
  const dir = await mkdtemp(join(tmpdir(), "tt-bench-io-"));
  try {
    let t = performance.now();
    let cpu = process.cpuUsage();
    const writer = await DatasetWriter.create(dir, { kind: "tokens", schema, compression });
    await writer.write(rows);
    const manifest = await writer.finish({ stage: "bench", stageVersion: "0", params: {}, inputs: [] });
    const write = (performance.now() - t) / 1000;
    const writeCpu = cpuSeconds(cpu);
    const onDisk = manifest.files.reduce((a, f) => a + f.bytes, 0);

    t = performance.now();
    cpu = process.cpuUsage();
    const ds = await openDataset(dir);
    let n = 0, checksum = 0;
    for await (const batch of ds.batches()) {
      for (const r of batch) checksum = (checksum + (r.input_ids as Int32Array)[LEN - 1]) | 0;
      n += batch.length;
    }
    const read = (performance.now() - t) / 1000;
    const readCpu = cpuSeconds(cpu);
    const mb = (b: number) => (b / 1e6).toFixed(1);
    console.log(`${label}: ${ROWS} rows × ${LEN} ids, ${compression}, ${manifest.files.length} files, ${mb(onDisk)} MB on disk`);
    console.log(`  write ${write.toFixed(2)} s wall (${writeCpu.toFixed(2)} s cpu)  ${(idBytes / 1e6 / write).toFixed(0)} MB/s of int32 ids`);
    console.log(`  read  ${read.toFixed(2)} s wall (${readCpu.toFixed(2)} s cpu)  ${(idBytes / 1e6 / read).toFixed(0)} MB/s of int32 ids  (${n} rows, checksum ${checksum})`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await run("input_ids only", idsOnly, false);
await run("full tokens schema", arrowSchemas.tokens, true);
console.log(`wasm heap after both: ${(wasmHeapBytes() / 1e6).toFixed(0)} MB`);
