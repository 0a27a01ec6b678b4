/**
 * Raw records of one input file. Core's readRawRecords reads `.json` as one array; BFCL ships
 * JSON Lines under a `.json` name (shared/data/bfcl/SOURCE.md), so a `.json` file whose first
 * character opens an object is read line by line here instead.
 */
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { createInterface } from "node:readline";
import { readRawRecords, type RawRecord } from "@tooltune/core";

export async function* readRecords(file: string): AsyncIterable<RawRecord> {
  if (file.toLowerCase().endsWith(".json") && (await firstChar(file)) === "{") yield* readJsonLines(file);
  else yield* readRawRecords(file);
}

async function firstChar(file: string): Promise<string | undefined> {
  const fh = await open(file);
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(256), 0, 256, 0);
    return buffer.subarray(0, bytesRead).toString("utf8").trimStart()[0];
  } finally {
    await fh.close();
  }
}

async function* readJsonLines(file: string): AsyncIterable<RawRecord> {
  let row = 0;
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity })) {
    line++;
    if (!text.trim()) continue;
    try {
      yield { row, line, value: JSON.parse(text) as unknown };
    } catch (e) {
      yield { row, line, error: `line ${line} is not valid JSON: ${(e as Error).message}` };
    }
    row++;
  }
}
