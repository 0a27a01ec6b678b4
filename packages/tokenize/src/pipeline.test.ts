/**
 * On what the pipeline really feeds tokenize: synthetic conversations rendered by format's stage
 * (chatml, gemma-course and llama3, course special tokens), tokenized with shipped tokenizers. For
 * every packed example, the masked-in ids must decode to exactly the train spans format wrote.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDataset, type FormattedRow, type StageInput, type TokensRow } from "@tooltune/core";
import { runStageForTest, writeTestDataset } from "@tooltune/core/testing";
import { formatStage, generateConversations } from "@tooltune/format";
import { loadTokenizerBundle } from "./bundle.js";
import { tokenizeStage, TOKENIZER_DIR } from "./stage.js";

const tmp = mkdtempSync(join(tmpdir(), "tokenize-pipeline-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function stage(name: string, s: typeof formatStage | typeof tokenizeStage, params: unknown, inputs: StageInput[]): Promise<StageInput> {
  const dir = join(tmp, name);
  const manifest = await runStageForTest(s, { params, inputs, finalDir: dir });
  return { name, path: dir, manifest };
}

/** Texts of the maximal runs of masked-in tokens of each example (examples split at position resets). */
async function trainedRuns(row: TokensRow, decode: (ids: number[]) => Promise<string>): Promise<string[][]> {
  const examples: string[][] = [];
  let run: number[] | null = null;
  const close = async () => {
    if (run) examples.at(-1)!.push(await decode(run));
    run = null;
  };
  for (let t = 0; t < row.input_ids.length; t++) {
    if (row.position_ids[t] === 0) {
      await close();
      examples.push([]);
    }
    if (row.loss_mask[t]) (run ??= []).push(row.input_ids[t]);
    else await close();
  }
  await close();
  return examples;
}

describe("synth → format → tokenize", () => {
  const convs = generateConversations(60, { seed: 7, testFraction: 0.2, mix: { single: 1, parallel: 1, multi_step: 1, no_call: 1 } });

  // [template, shipped tokenizer]: the course's Gemma text with Gemma 2's own tokenizer too (the notebook tunes gemma-2-2b-it).
  const cases = [["chatml", "qwen3"], ["gemma-course", "qwen3"], ["gemma-course", "gemma2"], ["llama3", "llama3"]];
  for (const [template, tokenizer] of cases) {
    it(`${template} + ${tokenizer}: every example's masked-in ids decode to its train spans`, async () => {
      const conversations = await writeTestDataset(join(tmp, `convs-${template}-${tokenizer}`), "conversations", convs);
      const text = await stage(`text-${template}-${tokenizer}`, formatStage, { template, special_tokens: "course" }, [conversations]);
      const tokens = await stage(`tokens-${template}-${tokenizer}`, tokenizeStage, { tokenizer, max_length: 4096, vocab: "trim" }, [text]);
      const spansById = new Map<string, string[]>();
      for (const r of await (await openDataset<FormattedRow>(text.path)).readAll()) {
        spansById.set(r.id, r.spans.filter((s) => s.train).map((s) => r.text.slice(s.start, s.end)));
      }
      const bundle = loadTokenizerBundle(join(tokens.path, TOKENIZER_DIR));
      const rows = await (await openDataset<TokensRow>(tokens.path)).readAll();
      let examples = 0;
      for (const row of rows) {
        const ids = row.id.split("+");
        const runs = await trainedRuns(row, (r) => bundle.decode(r));
        expect(runs.length).toBe(ids.length);
        runs.forEach((r, k) => expect(r, ids[k]).toEqual(spansById.get(ids[k])));
        examples += ids.length;
      }
      const stats = tokens.manifest.stats as Record<string, number>;
      expect(stats.truncated).toBe(0); // 4096 holds every synthetic conversation: spans compare whole
      expect(examples).toBe(convs.length);
      expect(stats.unk_tokens).toBe(0);
      expect(bundle.vocabSize).toBeLessThan(4096);
    });
  }
});
