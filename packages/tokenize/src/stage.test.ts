import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DatasetWriter, openDataset, type FormattedRow, type StageInput, type TokensRow } from "@tooltune/core";
import { runStageForTest, stageContractSuite } from "@tooltune/core/testing";
import { loadTokenizerBundle } from "./bundle.js";
import { tokenizeStage, TOKENIZER_DIR } from "./stage.js";

const COURSE = ["<tools>", "</tools>", "<think>", "</think>", "<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>", "<pad>", "<eos>"];

/** A formatted row from (text, train) pieces, the way format's templates assemble them. */
function formatted(id: string, pieces: [string, boolean][], split = "train"): FormattedRow {
  let text = "";
  const spans = pieces.map(([piece, train]) => {
    const start = text.length;
    text += piece;
    return { start, end: text.length, role: train ? "assistant" : "user", train };
  });
  return { id, text, spans, template: "chatml", split };
}

function chat(id: string, user: string, reply: string, split = "train"): FormattedRow {
  return formatted(id, [
    ["<|im_start|>user\n" + user + "<|im_end|>\n<|im_start|>assistant\n", false],
    [reply + "<|im_end|>", true],
    ["\n", false],
  ], split);
}

const ROWS: FormattedRow[] = [
  chat("a", "Weather in Paris?", '<think>\nneeds a call\n</think>\n\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'),
  chat("b", "Say hi 😀", "Hi! 😀 你好"),
  chat("c", "List <tools>?", "<tools></tools> none"),
  chat("d", "Held out?", "Yes, test split.", "test"),
  chat("e", "word ".repeat(100).trim(), "Too late."),
  chat("f", "Long reply", "word ".repeat(100).trim()),
];

const RECORDED = { template: "chatml", special_tokens: { name: "course", tokens: COURSE } };

/** A formatted dataset whose manifest stats record the template and special-token set, as format's do. */
async function formattedInput(dir: string, rows: FormattedRow[], stats: Record<string, unknown> = RECORDED, name = "text"): Promise<StageInput> {
  const writer = await DatasetWriter.create(dir, { kind: "formatted" });
  await writer.write(rows);
  const manifest = await writer.finish({ stage: "format", stageVersion: "1", params: {}, inputs: [] }, stats);
  return { name, path: dir, manifest };
}

const tmp = mkdtempSync(join(tmpdir(), "tokenize-stage-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

stageContractSuite("tokenize", {
  stage: tokenizeStage,
  params: { max_length: 64 },
  inputs: async (dir) => [await formattedInput(dir, ROWS)],
  badRow: {
    inputs: async (dir) => [await formattedInput(dir, [...ROWS, { ...chat("bad", "x", "y"), spans: [{ start: 0, end: 999, role: "assistant", train: true }] }])],
    source: new RegExp(`:${ROWS.length}$`), // the bad row is appended last
    reason: "bad: span 0 [0, 999) is not inside the text",
  },
  module: { url: new URL("./stage.ts", import.meta.url).href, exportName: "tokenizeStage" },
});

async function run(name: string, params: unknown, inputs: StageInput[]) {
  const dir = join(tmp, name);
  const manifest = await runStageForTest(tokenizeStage, { params, inputs, finalDir: dir });
  const ds = await openDataset<TokensRow>(dir);
  return { dir, manifest, stats: manifest.stats as Record<string, any>, rows: await ds.readAll(), rejects: await ds.rejects() };
}

/** Split a row into its examples at position resets. */
function examplesOf(row: TokensRow): { ids: number[]; mask: number[] }[] {
  const out: { ids: number[]; mask: number[] }[] = [];
  row.position_ids.forEach((p, t) => {
    if (p === 0) out.push({ ids: [], mask: [] });
    out.at(-1)!.ids.push(row.input_ids[t]);
    out.at(-1)!.mask.push(row.loss_mask[t]);
  });
  return out;
}

describe("tokenize stage", () => {
  it("packs examples whole, per split, and the masked-in ids decode to the trained text", async () => {
    const { dir, rows, stats } = await run("packed", { max_length: 64 }, [await formattedInput(join(tmp, "in-packed"), ROWS)]);
    const bundle = loadTokenizerBundle(join(dir, TOKENIZER_DIR));
    expect(rows.filter((r) => r.split === "test").map((r) => r.n_examples)).toEqual([1]);
    const trainedTexts = new Set(ROWS.flatMap((r) => r.spans.filter((s) => s.train).map((s) => r.text.slice(s.start, s.end))));
    let seen = 0;
    for (const row of rows) {
      expect(row.input_ids.length).toBeLessThanOrEqual(64);
      const exs = examplesOf(row);
      expect(exs.length).toBe(row.n_examples);
      for (const ex of exs) {
        expect(ex.mask[0]).toBe(0);
        const trained = await bundle.decode(ex.ids.filter((_, t) => ex.mask[t] === 1));
        // chatml replies start after "\n" and end in <|im_end|>: no token straddles, so this is exact
        // (for the truncated reply of "f": its first tokens).
        expect(trainedTexts.has(trained) || (trained.startsWith("word word") && !trained.includes("<|im_end|>"))).toBe(true);
        seen++;
      }
    }
    expect(seen).toBe(ROWS.length - 1); // "e" (> 100 tokens of prompt) lost its whole reply to truncation
    expect(stats.truncated).toBe(1); // "f"
    expect(stats.rejected_no_target).toBe(1);
    expect(stats.new_token_ids).toEqual([151669, 151670, 151671, 151672]);
    expect(stats.pad_id).toBe(151671); // <pad>, as the course notebook sets it
    expect(stats.eos_id).toBe(151645); // <|im_end|>
    expect(stats.tokens).toBe(rows.reduce((n, r) => n + r.input_ids.length, 0));
    expect(stats.packing_efficiency).toBeCloseTo(stats.tokens / (rows.length * 64));
    expect(bundle.template).toEqual({ name: "chatml", specialTokens: COURSE });
    expect(Object.keys(stats.tokenizer_sha256)).toEqual(["tokenizer.json", "tokenizer_config.json", "tooltune_tokenizer.json"]);
  });

  it("takes the special tokens from params and the template from the rows when the manifest has neither", async () => {
    const notebook = await run("override", { max_length: 128, special_tokens: "course-notebook" }, [await formattedInput(join(tmp, "in-override"), ROWS.slice(0, 2), {})]);
    const bundle = loadTokenizerBundle(join(notebook.dir, TOKENIZER_DIR));
    expect(bundle.template?.name).toBe("chatml");
    // The notebook's misspelled pair is new; the right spelling is Qwen3's own and not part of the set.
    expect(bundle.specialTokens.filter((t) => t.isNew).map((t) => t.content)).toEqual(["<tools>", "</tools>", "<tool_reponse>", "</tool_reponse>", "<pad>", "<eos>"]);
    expect(notebook.stats.new_token_ids).toEqual([151669, 151670, 151671, 151672, 151673, 151674]);
  });

  it("skips rows format left untrained (counted, not rejected)", async () => {
    const prompt = formatted("bfcl-1", [["<|im_start|>user\nWhat is 2+2? Quixotic zebras.<|im_end|>\n", false]]);
    const { dir, stats, rejects } = await run("untrained", { max_length: 128, vocab: "trim" }, [await formattedInput(join(tmp, "in-untrained"), [...ROWS.slice(0, 2), prompt])]);
    expect(stats.skipped_untrained).toBe(1);
    expect(stats.examples).toBe(2);
    expect(rejects).toEqual([]);
    // The trimmed vocabulary still covers the skipped prompt: eval will encode it.
    const bundle = loadTokenizerBundle(join(dir, TOKENIZER_DIR));
    const ids = await bundle.encode(prompt.text);
    expect(ids.includes(bundle.unkId!)).toBe(false);
    expect(await bundle.decode(ids)).toBe(prompt.text);
  });

  it("fails under --strict when a row was rejected, and handles an empty input", async () => {
    const input = await formattedInput(join(tmp, "in-strict"), ROWS);
    const err = await runStageForTest(tokenizeStage, { params: { max_length: 64, overflow: "drop" }, inputs: [input], finalDir: join(tmp, "strict"), strict: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "REJECTS" });
    expect(existsSync(join(tmp, "strict"))).toBe(false);
    const empty = await run("empty", {}, [await formattedInput(join(tmp, "in-empty"), [])]);
    expect([empty.rows.length, empty.stats.tokens, empty.stats.packing_efficiency]).toEqual([0, 0, 0]);
  });

  it("drops over-long examples with a reason when overflow is drop", async () => {
    const { rejects, stats } = await run("drop", { max_length: 64, overflow: "drop" }, [await formattedInput(join(tmp, "in-drop"), ROWS)]);
    expect(stats.dropped).toBe(2);
    expect(rejects.map((r) => r.reason)).toEqual(["e", "f"].map((id) => expect.stringMatching(new RegExp(`^${id}: \\d+ tokens > max_length 64 \\(overflow: drop\\)$`))));
  });

  it("without packing writes one example per row, padded when asked", async () => {
    const { rows, stats } = await run("single", { max_length: 128, pack: false, pad_to_max_length: true }, [await formattedInput(join(tmp, "in-single"), ROWS)]);
    expect(rows.length).toBe(ROWS.length);
    for (const row of rows) {
      expect(row.n_examples).toBe(1);
      expect(row.input_ids.length).toBe(128);
      const real = examplesOf(row)[0].ids.length;
      // The padding: pad id and mask 0.
      expect(Array.from(row.input_ids.subarray(real)).every((id) => id === stats.pad_id)).toBe(true);
      expect(Array.from(row.loss_mask.subarray(real)).every((m) => m === 0)).toBe(true);
    }
  });

  it("trims the vocabulary, and a second dataset reuses the same ids (vocab_from)", async () => {
    const tool = await run("trim", { max_length: 128, vocab: "trim" }, [await formattedInput(join(tmp, "in-trim"), ROWS)]);
    const bundle = loadTokenizerBundle(join(tool.dir, TOKENIZER_DIR));
    expect(bundle.isTrimmed).toBe(true);
    expect(tool.stats.vocab_size).toBe(bundle.vocabSize);
    expect(bundle.vocabSize % 64).toBe(0);
    for (const row of tool.rows) expect(Math.max(...row.input_ids)).toBeLessThan(bundle.vocabSize);
    const full = loadTokenizerBundle("qwen3");
    full.addSpecialTokens(COURSE);
    for (const row of tool.rows) {
      const text = await bundle.decode(row.input_ids);
      expect(text).toBe(await full.decode(bundle.toOriginalIds(row.input_ids)));
    }

    const base = [chat("p1", "Weather in Paris?", "Hi! Paris."), chat("p2", "zebra quagga", "Hi!")];
    const reused = await run("reuse", { max_length: 128 }, [await formattedInput(join(tmp, "in-reuse"), base), { name: "tokens", path: tool.dir, manifest: tool.manifest }]);
    expect(reused.stats.vocab_reused).toBe(true);
    expect(reused.stats.vocab_size).toBe(bundle.vocabSize);
    expect(reused.stats.unk_tokens).toBeGreaterThan(0); // "zebra quagga" is not in the tool corpus
    const again = loadTokenizerBundle(join(reused.dir, TOKENIZER_DIR));
    expect(Array.from(await again.encode("Weather in Paris?"))).toEqual(Array.from(await bundle.encode("Weather in Paris?")));
    expect(existsSync(join(reused.dir, TOKENIZER_DIR, "tooltune_tokenizer.json"))).toBe(true);
  });
});
