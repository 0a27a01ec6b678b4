/**
 * The tokenizer bundle (CONTRIBUTING "Cross-package contracts"): a directory `tokenizer/` with
 * `tokenizer.json` + `tokenizer_config.json` (Hugging Face's own files, so a transformers/PEFT user
 * can load them) and `tooltune_tokenizer.json` (what tooltune adds: which special tokens are new,
 * the template they were made for, eos/pad, and the id map when the vocabulary was trimmed).
 *
 * Ids: "original" ids are those of the extended HF tokenizer; "model" ids index the model's
 * embedding. They are equal unless the vocabulary is trimmed, in which case model ids are dense
 * 0..n-1 and `tooltune_tokenizer.json` holds `original_ids[modelId]`.
 *
 * Encoding runs in the official Rust binding (`tokenizers`), whose calls are asynchronous.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer } from "tokenizers";
import { readJsonFile, TooltuneError, verifyInputFileSync } from "@tooltune/core";
import { SHIPPED_TOKENIZER_NAMES, shippedTokenizerDir } from "@tooltune/format";
import { codePointToUtf16 } from "./offsets.js";

export const BUNDLE_FILE = "tooltune_tokenizer.json";
/** Embedding rows of a trimmed vocabulary are padded to a multiple of this (GPU/CPU-friendly matmuls). */
export const VOCAB_MULTIPLE = 64;
/** The fallback token of a trimmed vocabulary, for ids the corpus never used. */
export const UNK_TOKEN = "<unk>";

export interface TemplateInfo {
  /** Template name recorded by `format` (chatml, gemma-course, llama3, hf). */
  name: string;
  /** The special-token set `format` rendered with. */
  specialTokens: string[];
}

export interface SpecialToken {
  content: string;
  /** Model id. */
  id: number;
  /** True when the base tokenizer did not have it: the model needs a new embedding row. */
  isNew: boolean;
}

export interface EncodedText {
  /** Model ids. */
  ids: Int32Array;
  /** [start, end) of token i at 2i, 2i+1, in UTF-16 code units of the text (JavaScript string indices). */
  offsets: Int32Array;
}

/** `tooltune_tokenizer.json`, snake_case as on disk. */
interface BundleFile {
  tooltune_tokenizer: 1;
  source: string;
  template: { name: string; special_tokens: string[] } | null;
  /** Ids here are original ids. */
  special_tokens: { content: string; id: number; new: boolean }[];
  eos_token: string | null;
  pad_token: string | null;
  vocab: { kind: "trim"; unk_token: string; size: number; original_ids: number[] } | null;
}

interface Trim {
  /** original id → model id (-1 where the original id is not kept). */
  toModel: Int32Array;
  /** model id → original id, for the n kept ids. */
  toOriginal: Int32Array;
  size: number;
  unkId: number;
}

/** Token text of a tokenizer_config entry, which is either a string or an AddedToken object. */
function tokenText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && typeof (value as { content?: unknown }).content === "string") {
    return (value as { content: string }).content;
  }
  return undefined;
}

/**
 * How text is cut into pre-tokens before BPE. `tokenizer`: the tokenizer's own rule (Qwen3 glues a
 * leading space or quote to a word: " Athens" is one token, `"Athens"` is `"` `Ath` `ens` `"`).
 * `words`: every letter run, digit, punctuation run and whitespace run is its own pre-token, so a
 * word has the same ids whatever precedes it — a small model can then copy a value from a request
 * into a JSON call token for token instead of having to spell it (about 1.4× the tokens on the
 * quickstart's text, since spaces become tokens).
 */
export type Pretokenize = "tokenizer" | "words";

/** The `words` rule. No contractions (`'s`…): they would glue a quote to a value in Python-literal calls. */
export const WORDS_PATTERN = String.raw`\p{L}+|\p{N}|[^\s\p{L}\p{N}]+|\s+`;

/**
 * tokenizer.json with its pre-tokenizer replaced by the `words` rule. Only for byte-level BPE (Qwen,
 * Llama 3, GPT-2 family), where the byte mapping runs as a pre-tokenizer after the split.
 */
function withWordsPretokenizer(json: Record<string, unknown>, where: string): Record<string, unknown> {
  const byteLevel = { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: false };
  const pre = json.pre_tokenizer as { type?: string; pretokenizers?: { type?: string }[] } | null | undefined;
  const isByteLevel = pre?.type === "ByteLevel" || (pre?.type === "Sequence" && (pre.pretokenizers ?? []).some((p) => p.type === "ByteLevel"));
  if (!isByteLevel) {
    throw new TooltuneError("CONFIG", `pretokenize: words needs a byte-level BPE tokenizer; '${where}' pre-tokenizes with ${JSON.stringify(pre?.type ?? null)}`, {
      where,
      fix: "use `pretokenize: tokenizer`, or a byte-level BPE tokenizer such as qwen3",
    });
  }
  const split = { type: "Split", pattern: { Regex: WORDS_PATTERN }, behavior: "Isolated", invert: false };
  return { ...json, pre_tokenizer: { type: "Sequence", pretokenizers: [split, byteLevel] } };
}

/**
 * Load a bundle from a directory (a bundle, or a plain HF tokenizer directory) or a shipped name
 * (`qwen3`, `gemma3`, `gemma2`, `llama3`: format's SHIPPED_TOKENIZERS).
 * `pretokenize: words` replaces the pre-tokenizer (the saved tokenizer.json keeps the new rule, so
 * a bundle made with it needs the option no more).
 */
export function loadTokenizerBundle(source: string, options: { pretokenize?: Pretokenize } = {}): TokenizerBundle {
  const dir = shippedTokenizerDir(source) ?? source;
  const jsonPath = join(dir, "tokenizer.json");
  if (!existsSync(jsonPath)) {
    throw new TooltuneError("INPUT", `no tokenizer.json in '${dir}'`, {
      where: dir,
      fix: `give a shipped tokenizer (${SHIPPED_TOKENIZER_NAMES.join(", ")}) or a directory holding a Hugging Face tokenizer.json (+ tokenizer_config.json)`,
    });
  }
  const configPath = join(dir, "tokenizer_config.json");
  const bundlePath = join(dir, BUNDLE_FILE);
  for (const path of [jsonPath, configPath, bundlePath]) verifyInputFileSync(path); // inside a stage output: against its manifest
  const config = existsSync(configPath) ? (JSON.parse(readFileSync(configPath, "utf8")) as Record<string, unknown>) : {};
  const file = existsSync(bundlePath) ? (JSON.parse(readFileSync(bundlePath, "utf8")) as BundleFile) : undefined;
  const tok =
    options.pretokenize === "words"
      ? Tokenizer.fromString(JSON.stringify(withWordsPretokenizer(JSON.parse(readFileSync(jsonPath, "utf8")) as Record<string, unknown>, jsonPath)))
      : Tokenizer.fromFile(jsonPath);
  return new TokenizerBundle(tok, config, source, file);
}

/**
 * What `tooltune_tokenizer.json` alone says, without loading the tokenizer (seconds): the template
 * the model was trained with and the new special tokens with their model ids. Undefined when the
 * directory has no such file (a plain Hugging Face tokenizer).
 */
export function readBundleSummary(dir: string): { template: string | null; newTokens: { content: string; id: number }[] } | undefined {
  const path = join(dir, BUNDLE_FILE);
  if (!existsSync(path)) return undefined;
  const file = readJsonFile(path, BUNDLE_FILE, "give a tokenizer/ bundle the tokenize stage wrote") as BundleFile;
  // Ids in the file are original ids; with a trimmed vocabulary the model id is the index in original_ids.
  const modelId = (id: number) => (file.vocab ? file.vocab.original_ids.indexOf(id) : id);
  return { template: file.template?.name ?? null, newTokens: (file.special_tokens ?? []).filter((t) => t.new).map((t) => ({ content: t.content, id: modelId(t.id) })) };
}

export class TokenizerBundle {
  private readonly tok: Tokenizer;
  private readonly config: Record<string, unknown>;
  private readonly source: string;
  private special: { content: string; id: number; isNew: boolean }[];
  private eosToken: string | null;
  private padToken: string | null;
  private templateInfo: TemplateInfo | null;
  private trim: Trim | null = null;

  constructor(tok: Tokenizer, config: Record<string, unknown>, source: string, file?: BundleFile) {
    this.tok = tok;
    this.config = config;
    this.source = file?.source ?? source;
    this.special = (file?.special_tokens ?? []).map((t) => ({ content: t.content, id: t.id, isNew: t.new }));
    this.templateInfo = file?.template ? { name: file.template.name, specialTokens: file.template.special_tokens } : null;
    // A tokenizer without a usable eos can still be loaded (and given one with setEosToken);
    // asking for eosId without one is the error.
    const eos = file?.eos_token ?? tokenText(config.eos_token);
    this.eosToken = eos && this.tok.tokenToId(eos) != null ? eos : null;
    const pad = file?.pad_token ?? tokenText(config.pad_token);
    // No pad token: padding positions are masked out anyway, so eos is a safe stand-in (HF does the same).
    this.padToken = pad && this.tok.tokenToId(pad) != null ? pad : this.eosToken;
    if (file?.vocab) this.trim = makeTrim(Int32Array.from(file.vocab.original_ids), file.vocab.size, this.mustOriginalId(file.vocab.unk_token), this.originalSize);
  }

  // ---- ids ----------------------------------------------------------------------------------

  /** Rows the model's embedding (and lm_head) needs: every model id is below it. */
  get vocabSize(): number {
    return this.trim ? this.trim.size : this.originalSize;
  }

  /** Size of the extended HF tokenizer's id space (max original id + 1). */
  get originalSize(): number {
    return this.tok.getVocabSize(true);
  }

  get isTrimmed(): boolean {
    return this.trim !== null;
  }

  get eosId(): number {
    return this.mustId(this.required(this.eosToken, "eos"));
  }

  get padId(): number {
    return this.mustId(this.required(this.padToken, "pad"));
  }

  /** The trimmed vocabulary's fallback id, or undefined when the vocabulary is full. */
  get unkId(): number | undefined {
    return this.trim?.unkId;
  }

  /** Model id of a token (any vocabulary entry or added token), or undefined if the model has none. */
  idOf(token: string): number | undefined {
    const original = this.tok.tokenToId(token);
    if (original == null) return undefined;
    if (!this.trim) return original;
    const id = this.trim.toModel[original];
    return id === undefined || id < 0 ? undefined : id;
  }

  /** Original ids → model ids; ids the trimmed vocabulary lacks become `unkId`. */
  toModelIds(original: ArrayLike<number>): Int32Array {
    const out = Int32Array.from(original);
    if (!this.trim) return out;
    const { toModel, unkId } = this.trim;
    for (let i = 0; i < out.length; i++) {
      const m = toModel[out[i]];
      out[i] = m === undefined || m < 0 ? unkId : m;
    }
    return out;
  }

  /** Model ids → original ids (inverse of `toModelIds` on kept ids). */
  toOriginalIds(ids: ArrayLike<number>): number[] {
    const out = Array.from(ids);
    if (!this.trim) return out;
    const { toOriginal, unkId } = this.trim;
    // Padding rows above the n kept ids are never produced by encode; decode them as unk.
    for (let i = 0; i < out.length; i++) out[i] = toOriginal[out[i]] ?? toOriginal[unkId];
    return out;
  }

  // ---- text ---------------------------------------------------------------------------------

  /** Model ids of `text`, exactly as Python `tokenizers` (no BOS/EOS added: templates write their own). */
  async encode(text: string): Promise<Int32Array> {
    const enc = await this.tok.encode(text, null, { addSpecialTokens: false });
    return this.toModelIds(enc.getIds());
  }

  /** Model ids and each token's [start, end) in UTF-16 units of `text` (the units of `formatted` spans). */
  async encodeWithOffsets(text: string): Promise<EncodedText> {
    const enc = await this.tok.encode(text, null, { addSpecialTokens: false });
    const toU16 = codePointToUtf16(text);
    const cps = enc.getOffsets(); // code points, as in Python
    const offsets = new Int32Array(cps.length * 2);
    for (let i = 0; i < cps.length; i++) {
      offsets[2 * i] = toU16(cps[i][0]);
      offsets[2 * i + 1] = toU16(cps[i][1]);
    }
    return { ids: this.toModelIds(enc.getIds()), offsets };
  }

  /** Text of model ids; `skipSpecial` drops tokens marked special (eos, pad, added markers). */
  async decode(ids: ArrayLike<number>, options: { skipSpecial?: boolean } = {}): Promise<string> {
    return this.tok.decode(this.toOriginalIds(ids), options.skipSpecial ?? false);
  }

  // ---- special tokens, template -------------------------------------------------------------

  /** The special tokens tooltune added or confirmed, with model ids. */
  get specialTokens(): SpecialToken[] {
    return this.special.map((t) => ({ content: t.content, id: this.mustId(t.content), isNew: t.isNew }));
  }

  /**
   * Model ids of every added token: the HF tokenizer's own (tokenizer_config's `added_tokens_decoder`:
   * `<|im_start|>`, `<think>`, `<tool_call>`…, special or not) and tooltune's. Markup, never words.
   */
  get addedTokenIds(): number[] {
    const decoder = (this.config.added_tokens_decoder as Record<string, unknown> | undefined) ?? {};
    const contents = [...Object.values(decoder).map(tokenText), ...this.special.map((t) => t.content)];
    const ids = contents.map((c) => (c === undefined ? undefined : this.idOf(c))).filter((id): id is number => id !== undefined);
    return [...new Set(ids)].sort((a, b) => a - b);
  }

  /** Model ids of special tokens the base tokenizer did not have (new embedding rows). */
  get newTokenIds(): number[] {
    return this.specialTokens.filter((t) => t.isNew).map((t) => t.id);
  }

  get template(): TemplateInfo | null {
    return this.templateInfo;
  }

  setTemplate(template: TemplateInfo): void {
    this.templateInfo = { name: template.name, specialTokens: [...template.specialTokens] };
  }

  /**
   * Make each token a single, never-split special id. Tokens the tokenizer already has keep their
   * ids (Qwen3 has `<tool_call>`, `<think>`…); new ones get the next ids, in the order given.
   * Returns the new ones. Only on a full vocabulary: a trimmed one has no room for new rows.
   */
  addSpecialTokens(tokens: string[]): string[] {
    // A trimmed bundle (a pretrained base's) takes the same set again — the quickstart tokenizes
    // with its base's bundle — but cannot grow: the model has no rows for new ids.
    const missing = tokens.filter((content) => !this.special.some((t) => t.content === content));
    if (this.trim && missing.length > 0) {
      throw new TooltuneError("CONFIG", `the trimmed vocabulary has no ids for the special tokens ${missing.join(" ")}`, { fix: "use the special-token set the bundle was made with, or a full (untrimmed) tokenizer" });
    }
    const added: string[] = [];
    for (const content of tokens) {
      if (this.special.some((t) => t.content === content)) continue;
      const isNew = this.tok.tokenToId(content) == null;
      // One at a time, so that new ids follow the order given (as transformers' add_special_tokens).
      this.tok.addSpecialTokens([content]);
      this.special.push({ content, id: this.mustOriginalId(content), isNew });
      if (isNew) added.push(content);
    }
    return added;
  }

  setPadToken(token: string): void {
    this.mustId(token);
    this.padToken = token;
  }

  setEosToken(token: string): void {
    this.mustId(token);
    this.eosToken = token;
    this.padToken ??= token;
  }

  /**
   * Keep only `usedOriginalIds` + the special tokens + eos/pad + an `<unk>` fallback, as dense model
   * ids 0..n-1 in original-id order, with the embedding size padded to a multiple of 64.
   */
  trimVocab(usedOriginalIds: Iterable<number>): void {
    if (this.trim) throw new TooltuneError("INTERNAL", "vocabulary is already trimmed");
    this.addSpecialTokens([UNK_TOKEN]);
    const keep = new Set<number>(usedOriginalIds);
    for (const t of this.special) keep.add(t.id);
    keep.add(this.mustOriginalId(this.required(this.eosToken, "eos")));
    keep.add(this.mustOriginalId(this.required(this.padToken, "pad")));
    const toOriginal = Int32Array.from([...keep].sort((a, b) => a - b));
    const size = Math.ceil(toOriginal.length / VOCAB_MULTIPLE) * VOCAB_MULTIPLE;
    this.trim = makeTrim(toOriginal, size, this.mustOriginalId(UNK_TOKEN), this.originalSize);
  }

  // ---- disk ---------------------------------------------------------------------------------

  /** Write the bundle directory (created if missing). */
  save(dir: string): void {
    mkdirSync(dir, { recursive: true });
    this.tok.save(join(dir, "tokenizer.json"), false);
    writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify(this.hfConfig(), null, 2) + "\n");
    writeFileSync(join(dir, BUNDLE_FILE), JSON.stringify(this.toFile(), null, 2) + "\n");
  }

  /** tokenizer_config.json updated so that transformers' AutoTokenizer sees the same specials, eos and pad. */
  private hfConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { ...this.config };
    const decoder = { ...((config.added_tokens_decoder as Record<string, unknown> | undefined) ?? {}) };
    for (const t of this.special) {
      decoder[String(t.id)] = { content: t.content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true };
    }
    config.added_tokens_decoder = decoder;
    const extra = ((config.additional_special_tokens as unknown[] | undefined) ?? []).map(tokenText).filter((t): t is string => !!t);
    config.additional_special_tokens = [...new Set([...extra, ...this.special.map((t) => t.content)])];
    if (this.eosToken) config.eos_token = this.eosToken;
    if (this.padToken) config.pad_token = this.padToken;
    return config;
  }

  private toFile(): BundleFile {
    const trim = this.trim;
    return {
      tooltune_tokenizer: 1,
      source: this.source,
      template: this.templateInfo ? { name: this.templateInfo.name, special_tokens: this.templateInfo.specialTokens } : null,
      special_tokens: this.special.map((t) => ({ content: t.content, id: t.id, new: t.isNew })),
      eos_token: this.eosToken,
      pad_token: this.padToken,
      vocab: trim ? { kind: "trim", unk_token: UNK_TOKEN, size: trim.size, original_ids: Array.from(trim.toOriginal) } : null,
    };
  }

  private required(token: string | null, what: "eos" | "pad"): string {
    if (token) return token;
    throw new TooltuneError("CONFIG", `tokenizer from '${this.source}' has no ${what} token`, {
      fix: `set ${what}_token in the tokenize params or in tokenizer_config.json`,
    });
  }

  private mustOriginalId(token: string): number {
    const id = this.tok.tokenToId(token);
    if (id == null) throw new TooltuneError("INTERNAL", `token ${JSON.stringify(token)} is not in the tokenizer`);
    return id;
  }

  private mustId(token: string): number {
    const id = this.idOf(token);
    if (id === undefined) throw new TooltuneError("INTERNAL", `token ${JSON.stringify(token)} has no model id`);
    return id;
  }
}

function makeTrim(toOriginal: Int32Array, size: number, unkOriginal: number, originalSize: number): Trim {
  const toModel = new Int32Array(originalSize).fill(-1);
  toOriginal.forEach((orig, model) => (toModel[orig] = model));
  return { toModel, toOriginal, size, unkId: toModel[unkOriginal] };
}
