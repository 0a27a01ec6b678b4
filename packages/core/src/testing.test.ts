import { join } from "node:path";
import { writeTestDataset } from "./testing-helpers.js";
import { stageContractSuite } from "./testing.js";
import { conversation, copyStage } from "./test-stage.js";

// core runs the shared suite on a tiny stage of its own, so the suite itself is known to pass
// for a well-behaved stage (and each of its checks is exercised).
stageContractSuite("copy-test", {
  stage: copyStage,
  params: { suffix: "-x" },
  inputs: async (dir) => [await writeTestDataset(join(dir, "convs"), "conversations", Array.from({ length: 8 }, (_, i) => conversation(i)))],
  badRow: {
    inputs: async (dir) => [await writeTestDataset(join(dir, "convs"), "conversations", [conversation(0), conversation(1, 0), conversation(2)])],
    source: "raw.jsonl:1",
    reason: /no messages/,
  },
  module: { url: new URL("./test-stage.ts", import.meta.url).href, exportName: "copyStage" },
});
