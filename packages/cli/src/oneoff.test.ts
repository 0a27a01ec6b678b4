// `tooltune <kind> --input …` with what a person types first: a raw file for ingest is read as raw
// input; anything else that is not a stage output fails with the command to type instead.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createMemoryLogger, openDataset, type ConversationRow } from "@tooltune/core";
import { main } from "./main.js";
import { tempDir } from "./test-stages.js";

let dir: string;
async function cli(...argv: string[]) {
  const err: string[] = [];
  const code = await main(argv, { out: () => {}, err: (t) => err.push(t), log: createMemoryLogger(), cwd: dir, signal: new AbortController().signal });
  return { code, err: err.join("\n") };
}

const RECORD = {
  messages: [
    { role: "user", content: "weather in Paris?" },
    { role: "assistant", content: null, tool_calls: [{ type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
  ],
  tools: [{ type: "function", function: { name: "get_weather", description: "weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } }],
};

beforeAll(async () => {
  dir = await tempDir();
  await writeFile(join(dir, "data.jsonl"), JSON.stringify(RECORD) + "\n" + JSON.stringify({ ...RECORD, id: "two" }) + "\n");
  await writeFile(join(dir, "more.json"), JSON.stringify([RECORD]));
});

describe("one-off stages: --input as typed", () => {
  // (--param path is relative to the process's directory, as in a pipeline: absolute here.)
  it("ingest reads files given to --input as raw input (beside any --param path)", async () => {
    expect(await cli("ingest", "--input", "data.jsonl", "--output", "convs")).toEqual({ code: 0, err: "" });
    const convs = await openDataset<ConversationRow>(join(dir, "convs"));
    expect(convs.manifest.rows).toBe(2);
    expect(convs.manifest.params).toMatchObject({ path: join(dir, "data.jsonl") });
    expect(await cli("ingest", "--input", "data.jsonl", "--param", `path=${join(dir, "more.json")}`, "--output", "both")).toMatchObject({ code: 0 });
    expect((await openDataset(join(dir, "both"))).manifest.rows).toBe(3);
  });

  const cases: { name: string; argv: string[]; err: string }[] = [
    {
      name: "format given a raw file says to ingest it first",
      argv: ["format", "--input", "data.jsonl", "--output", "text"],
      err: "--input data.jsonl: INPUT: 'data.jsonl' is a file, not a stage output\n  fix: 'format' reads a conversations dataset: make one with `tooltune ingest --input data.jsonl --output convs`, then `tooltune format --input convs --output …`",
    },
    {
      name: "ingest given a directory of raw files says to give the files",
      argv: ["ingest", "--input", ".", "--output", "x"],
      err: "--input .: INPUT: '.' is a directory without _manifest.json, not a stage output\n  fix: give its files: --input ./*.jsonl (or --param path='./*.jsonl')",
    },
    {
      name: "ingest with nothing to read",
      argv: ["ingest", "--output", "x"],
      err: "CONFIG: 'ingest' has nothing to read\n  fix: give raw files (.json, .jsonl, .parquet): `tooltune ingest --input data.jsonl --output convs`, or a stage output directory",
    },
    {
      name: "a missing input",
      argv: ["tokenize", "--input", "nope", "--output", "x"],
      err: "--input nope: INPUT: 'nope' does not exist\n  fix: check the path (relative to the current directory)",
    },
    {
      name: "train given a model directory says where a base goes",
      argv: ["train", "--input", ".", "--output", "x"],
      err: "--input .: INPUT: '.' is a directory without _manifest.json, not a stage output\n  fix: 'train' reads a tokens dataset: make one with `tooltune tokenize --input text --output tokens`, then `tooltune train --input tokens --output …`; a base model (a Hugging Face checkpoint directory) goes in --param base=DIR",
    },
  ];
  for (const c of cases) it(c.name, async () => expect(await cli(...c.argv)).toEqual({ code: 1, err: c.err }));

  it("a stage output of the wrong kind names the stage that makes the right one", async () => {
    expect(await cli("tokenize", "--input", "convs", "--output", "x")).toEqual({
      code: 1,
      err: "CONFIG: 'tokenize' needs a formatted dataset as --input (got conversations 'convs')\n  fix: make one with `tooltune format --input convs --output text`, then add --input text",
    });
  });
});
