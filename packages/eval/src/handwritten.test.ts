/**
 * The hand-written judged set (issue 14: "the adapter will also be judged on hand-written requests
 * for the catalog's tools that the generator never produced"): pipelines/data/handwritten.jsonl,
 * written by pipelines/data/make-handwritten.ts. Checks that it is what the script writes, that
 * ingest reads every record (all in the test split), that every expected call fits its tool's
 * schema and runs with the catalog's real implementation, that every tool is judged at least twice,
 * that eval makes the items it should from it, and that no request is one the generator makes:
 * not verbatim, and no shared word 8-gram, against 50,000 synth conversations per seed (42 and 7)
 * with the quickstart's params.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDataset, type ConversationRow } from "@tooltune/core";
import { runStageForTest } from "@tooltune/core/testing";
import {
  encodeToolCalls, fromRow, generateConversation, getTemplate, ingestStage, runTool, toolCatalog, validateArgs,
  type Conversation, type SynthOptions,
} from "@tooltune/format";
import { HANDWRITTEN_FILE, handwrittenJsonl, REQUESTS } from "../../../pipelines/data/make-handwritten.js";
import { evaluateItems } from "./evaluate.js";
import { scriptedGenerator } from "./generator.js";
import { itemsFromRow, type EvalItem } from "./items.js";

/** pipelines/quickstart.yaml's `raw` stage: 2 tools offered, compact schemas, default mix. */
const QUICKSTART: Omit<SynthOptions, "seed"> = {
  testFraction: 0.1,
  mix: { single: 0.5, parallel: 0.2, multi_step: 0.15, no_call: 0.15 },
  toolsOffered: [2, 2],
  schemas: "compact",
};
const SYNTH_ROWS = 50_000;
const SEEDS = [42, 7];
const N = 8;

const normalise = (s: string) => s.toLowerCase().replace(/\s+/g, " ").trim();
const wordsOf = (s: string) => s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
/** Every number (and date, clock time) as one mark: the shape of a request without its values. */
const masked = (s: string) => normalise(s.replace(/\d+(?:[.:\-]\d+)*/g, "#"));

let root: string;
let rows: ConversationRow[];
let convs: Conversation[];
let rejected: number;
/** What the generator wrote, per seed and overall. */
const synth = { rows: 0, failed: [] as string[], users: new Set<string>(), system: new Set<string>(), toolJson: new Map<string, Set<string>>() };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "tt-handwritten-"));
  const manifest = await runStageForTest(ingestStage, { params: { path: HANDWRITTEN_FILE, test_fraction: 1 }, inputs: [], finalDir: join(root, "convs") });
  rejected = manifest.rejected;
  rows = await (await openDataset<ConversationRow>(join(root, "convs"))).readAll();
  convs = rows.map(fromRow);

  for (const seed of SEEDS) {
    for (let i = 0; i < SYNTH_ROWS; i++) {
      let row: ConversationRow;
      try {
        row = generateConversation(i, { ...QUICKSTART, seed });
      } catch (e) {
        // A few indices make the generator throw (frozen this session); they produce no request at all.
        synth.failed.push(`seed ${seed} row ${i}: ${(e as Error).message}`);
        continue;
      }
      synth.rows++;
      for (const m of row.messages) {
        if (m.role === "user") synth.users.add(m.content ?? "");
        if (m.role === "system") synth.system.add(m.content ?? "");
      }
      for (const t of JSON.parse(row.tools) as { function: { name: string } }[]) {
        const set = synth.toolJson.get(t.function.name) ?? new Set<string>();
        synth.toolJson.set(t.function.name, set.add(JSON.stringify(t)));
      }
    }
  }
}, 300_000);
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

const userOf = (c: Conversation) => c.messages.find((m) => m.role === "user")!.content;
const callsOf = (c: Conversation) => c.messages.flatMap((m) => m.toolCalls ?? []);

describe("pipelines/data/handwritten.jsonl", () => {
  it("is what make-handwritten.ts writes, 80–120 requests", () => {
    expect(readFileSync(HANDWRITTEN_FILE, "utf8")).toBe(handwrittenJsonl());
    expect(REQUESTS.length).toBeGreaterThanOrEqual(80);
    expect(REQUESTS.length).toBeLessThanOrEqual(120);
    expect(new Set(REQUESTS.map((r) => normalise(r.user))).size).toBe(REQUESTS.length);
  });

  it("ingests with no rejects, every record in the test split, in order", () => {
    expect(rejected).toBe(0);
    expect(rows.length).toBe(REQUESTS.length);
    expect(rows.every((r) => r.split === "test")).toBe(true);
    expect(convs.map(userOf)).toEqual(REQUESTS.map((r) => r.user));
  });

  it("looks like a synth row: its system prompt and its compact schemas, two tools offered", () => {
    expect(synth.system.size).toBe(1);
    for (const c of convs) {
      expect(c.messages[0]).toEqual({ role: "system", content: [...synth.system][0] });
      expect(c.tools.length, userOf(c)).toBe(2);
      // Each offered tool's JSON is byte for byte one the generator wrote with `schemas: compact`.
      for (const t of c.tools) expect(synth.toolJson.get(t.function.name)?.has(JSON.stringify(t)), t.function.name).toBe(true);
      const offered = c.tools.map((t) => t.function.name);
      for (const call of callsOf(c)) expect(offered, userOf(c)).toContain(call.name);
    }
  });

  it("every expected call fits its tool's schema and runs with the real implementation; tool turns hold its output", () => {
    for (const c of convs) {
      const calls = callsOf(c);
      for (const call of calls) {
        expect(Object.hasOwn(toolCatalog, call.name), call.name).toBe(true);
        expect(validateArgs(toolCatalog[call.name].schema.parameters, call.arguments), `${call.name} ${JSON.stringify(call.arguments)}`).toBeNull();
        const result = runTool(call.name, call.arguments);
        expect(result, `${call.name} ${JSON.stringify(call.arguments)}`).not.toHaveProperty("error");
        const turn = c.messages.find((m) => m.role === "tool" && m.toolCallId === call.id);
        expect(turn?.content).toBe(JSON.stringify(result));
      }
      // Calls come in one assistant turn (single or parallel), then the tool turns, then an answer.
      expect(c.messages.filter((m) => m.toolCalls?.length).length).toBeLessThanOrEqual(1);
      expect(c.messages.at(-1)).toMatchObject({ role: "assistant" });
      expect(c.messages.at(-1)!.toolCalls).toBeUndefined();
    }
  });

  it("judges every catalog tool at least twice, with ~15% no-call requests and some parallel ones", () => {
    const perTool = Object.fromEntries(Object.keys(toolCatalog).map((name) => [name, 0]));
    for (const c of convs) for (const call of callsOf(c)) perTool[call.name]++;
    const kinds = { single: 0, parallel: 0, no_call: 0 };
    for (const c of convs) kinds[c.meta!.kind as keyof typeof kinds]++;
    console.log(`handwritten: ${convs.length} requests ${JSON.stringify(kinds)}; calls per tool ${JSON.stringify(perTool)}`);
    for (const [name, n] of Object.entries(perTool)) expect(n, name).toBeGreaterThanOrEqual(2);
    expect(kinds.no_call / convs.length).toBeGreaterThanOrEqual(0.12);
    expect(kinds.no_call / convs.length).toBeLessThanOrEqual(0.2);
    expect(kinds.parallel).toBeGreaterThanOrEqual(8);
    for (const c of convs) expect(callsOf(c).length, userOf(c)).toBe({ single: 1, parallel: 2, no_call: 0 }[c.meta!.kind as keyof typeof kinds]);
  });

  it("gives eval one item per judged turn; a model that writes the expected turns passes all, one that never calls only the no-call ones", async () => {
    const items: EvalItem[] = rows.flatMap(itemsFromRow);
    const count = (cat: string) => items.filter((i) => i.category === cat).length;
    const kinds = (k: string) => convs.filter((c) => c.meta!.kind === k).length;
    expect(count("simple")).toBe(kinds("single"));
    expect(count("parallel")).toBe(kinds("parallel"));
    expect(count("no_call")).toBe(kinds("no_call"));
    expect(count("final_answer")).toBe(kinds("single") + kinds("parallel"));

    const chatml = getTemplate("chatml");
    const render = chatml.renderPrompt.bind(chatml);
    const expected = new Map(items.map((item) => {
      const turn = convs.find((c) => c.id === item.conversationId)!.messages[item.messages.length];
      return [render(item.messages, item.tools), turn.toolCalls ? encodeToolCalls(turn.toolCalls) : turn.content] as const;
    }));
    const opts = { render, generate: { maxNewTokens: 64, temperature: 0 }, mode: "strict" as const };
    const oracle = await evaluateItems(items, scriptedGenerator("oracle", (p) => expected.get(p) ?? ""), opts);
    expect(oracle.filter((r) => !r.pass).map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
    const silent = await evaluateItems(items, scriptedGenerator("silent", () => "I can't help with that."), opts);
    expect(silent.filter((r) => r.pass).length).toBe(count("no_call") + count("final_answer"));
  });

  it("holds no request the generator makes: none verbatim, none sharing a word 8-gram with 100,000 synth conversations", () => {
    // The generator throws on a handful of indices (see the message): the rest must be there.
    console.log(`synth: ${synth.rows} conversations (seeds ${SEEDS.join(", ")}, ${SYNTH_ROWS} each), ${synth.users.size} distinct user messages; ${synth.failed.length} indices threw: ${synth.failed.join("; ")}`);
    expect(synth.rows).toBeGreaterThanOrEqual(SEEDS.length * SYNTH_ROWS - 10);

    const synthUsers = [...synth.users];
    const verbatim = new Set(synthUsers.map(normalise));
    const wordSeqs = new Set(synthUsers.map((u) => wordsOf(u).join(" ")));
    const shapes = new Set(synthUsers.map(masked));
    for (const r of REQUESTS) {
      expect(verbatim.has(normalise(r.user)), r.user).toBe(false);
      expect(wordSeqs.has(wordsOf(r.user).join(" ")), r.user).toBe(false);
      // Also not a synth phrasing with other numbers in it (sampling cannot cover every value).
      expect(shapes.has(masked(r.user)), r.user).toBe(false);
    }

    // The longest word n-gram (n ≤ N) each request shares with any synth user message.
    const grams = new Map<string, number[]>();
    REQUESTS.forEach((r, i) => {
      const w = wordsOf(r.user);
      for (let n = 1; n <= N; n++) for (let s = 0; s + n <= w.length; s++) {
        const g = w.slice(s, s + n).join(" ");
        grams.set(g, [...(grams.get(g) ?? []), i]);
      }
    });
    const longest = REQUESTS.map(() => 0);
    const shared8: string[] = [];
    for (const u of synthUsers) {
      const w = wordsOf(u);
      for (let s = 0; s < w.length; s++) for (let n = 1; n <= N && s + n <= w.length; n++) {
        const g = w.slice(s, s + n).join(" ");
        const hits = grams.get(g);
        if (!hits) break; // a longer n-gram from here contains this one
        for (const i of hits) longest[i] = Math.max(longest[i], n);
        if (n === N) shared8.push(`"${g}" (synth: ${u})`);
      }
    }
    const histogram = longest.reduce<Record<number, number>>((h, n) => ({ ...h, [n]: (h[n] ?? 0) + 1 }), {});
    const worst = Math.max(...longest);
    const closest = REQUESTS.filter((_, i) => longest[i] >= N - 2).map((r) => r.user);
    console.log(`handwritten vs synth: longest shared word n-gram per request ${JSON.stringify(histogram)}; ${N - 2} or more words: ${closest.join(" | ")}`);
    expect(shared8).toEqual([]);
    expect(worst).toBeLessThan(N);
  });
});
