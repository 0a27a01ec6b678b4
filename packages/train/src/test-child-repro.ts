// Trains a full model and then a LoRA adapter on it into `dir`, for the reproducibility test: each
// run is a process of its own (fresh heap, its own working directory and thread count).
import { readManifest, type StageInput } from "@tooltune/core";
import { runStageForTest } from "@tooltune/core/testing";
import { join } from "node:path";
import { trainStage } from "./stage.js";

const { tokens, dir, full, lora } = JSON.parse(process.argv[2]) as { tokens: StageInput; dir: string; full: unknown; lora: unknown };
await runStageForTest(trainStage, { params: full, inputs: [tokens], finalDir: join(dir, "full") });
const base: StageInput = { name: "full", path: join(dir, "full"), manifest: await readManifest(join(dir, "full")) };
await runStageForTest(trainStage, { params: lora, inputs: [tokens, base], finalDir: join(dir, "adapter") });
// The thread count the native kernels ran with, when they did (the test checks it took effect).
const kernels = (await import("@tooltune/kernels" as string).catch(() => null)) as { getThreads?: () => number } | null;
if (kernels?.getThreads) console.log(`threads=${kernels.getThreads()}`);
