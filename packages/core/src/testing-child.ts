/**
 * Child process of `killStageMidway`: runs one stage into a temp sibling of `finalDir`, prints
 * the temp path, and after the stage returns waits (forever) before the rename, so the parent
 * can kill it at any point before the output would become complete.
 */
import { createInterface } from "node:readline";
import { atomicOutput } from "./files.js";
import type { StageDefinition } from "./stage.js";
import { makeTestContext } from "./testing-helpers.js";

const line = await new Promise<string>((resolve) => createInterface({ input: process.stdin }).once("line", resolve));
const job = JSON.parse(line);
const stage = (await import(job.url))[job.exportName] as StageDefinition;
await atomicOutput(job.finalDir, async (outDir) => {
  process.stdout.write(`tmp ${outDir}\n`);
  const { ctx, params } = makeTestContext(stage, job, outDir);
  await stage.run(ctx, params);
  process.stdout.write("\nwaiting\n");
  setInterval(() => {}, 1 << 30); // keep the process alive: the parent kills it here (or earlier)
  await new Promise(() => {});
});
