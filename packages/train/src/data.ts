import { openDataset, TooltuneError, type TokensRow } from "@tooltune/core";
import type { TokenRow } from "./batches.js";

/** The tokens dataset's rows, split into train and test, as the loop keeps them in memory. */
export async function loadTokenRows(dir: string): Promise<{ train: TokenRow[]; test: TokenRow[] }> {
  const dataset = await openDataset<TokensRow>(dir);
  if (dataset.manifest.kind !== "tokens") {
    throw new TooltuneError("SCHEMA", `train needs a tokens dataset, got '${dataset.manifest.kind}'`, { where: dir, fix: "put a tokenize stage before train" });
  }
  const train: TokenRow[] = [];
  const test: TokenRow[] = [];
  for await (const row of dataset.rows()) {
    const r: TokenRow = { inputIds: row.input_ids, lossMask: row.loss_mask, positionIds: row.position_ids };
    (row.split === "test" ? test : train).push(r);
  }
  if (train.length === 0) throw new TooltuneError("INPUT", "the tokens dataset has no train rows", { where: dir, fix: "check the ingest split (test_fraction) and the tokenize max_length/overflow settings" });
  return { train, test };
}
