// A tiny stage for core's own tests of the shared stage suite (not built, not exported).
import { z } from "zod";
import { openDataset } from "./dataset-reader.js";
import { DatasetWriter } from "./dataset-writer.js";
import type { ConversationRow } from "./schemas.js";
import { defineStage, inputOfKind } from "./stage.js";

export const copyStage = defineStage({
  kind: "copy-test",
  version: "1",
  description: "copies conversations, appending a suffix to ids; rejects conversations with no messages",
  params: z.object({ suffix: z.string().default("-copy") }),
  output: "dataset",
  async run(ctx, params) {
    const input = inputOfKind(ctx, "conversations");
    if (!input) throw new Error("needs a conversations input");
    const ds = await openDataset<ConversationRow>(input.path);
    const writer = await DatasetWriter.create(ctx.outDir, { kind: "conversations", rowsPerFile: 3 });
    for await (const batch of ds.batches()) {
      for (const row of batch) {
        if (row.messages.length === 0) writer.reject({ source: row.source, reason: "conversation has no messages", row });
        else await writer.write([{ ...row, id: row.id + params.suffix }]);
      }
    }
    await writer.finish(ctx.provenance);
  },
});

export const conversation = (i: number, messages = 1): ConversationRow => ({
  id: `c${i}`,
  source: `raw.jsonl:${i}`,
  tools: "[]",
  messages: Array.from({ length: messages }, () => ({ role: "user" as const, content: `hi ${i}`, reasoning: null, tool_calls: null, tool_call_id: null, name: null })),
  split: "train",
  meta: null,
});
