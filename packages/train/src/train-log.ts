import { Field, Float64, Int32, Schema } from "apache-arrow";
import { rowsToBatch, writeParquetFile } from "@tooltune/core";
import type { LogRow } from "./loop.js";

// train_log.parquet columns (DESIGN §3: step, loss, lr, grad_norm, tokens/s, eval_loss), without
// tokens/s: a wall-clock figure made the same run's output differ from machine to machine, and with
// it the model's contentHash and every downstream cache key (issue 15). The progress line and the
// manifest's stats (not hashed) carry the speed instead.
const schema = new Schema([
  new Field("step", new Int32(), false),
  new Field("loss", new Float64(), false),
  new Field("lr", new Float64(), false),
  new Field("grad_norm", new Float64(), false),
  new Field("eval_loss", new Float64(), true),
]);

export async function writeTrainLog(file: string, rows: LogRow[]): Promise<void> {
  await writeParquetFile(file, schema, [rowsToBatch(schema, rows as unknown as Record<string, unknown>[], file)]);
}
