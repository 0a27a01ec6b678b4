/**
 * The agent's tools: where they come from (a JSON file of schemas with recorded answers, a JS/TS
 * module of functions, or format's synth catalog) and how one call is run. A call never throws:
 * bad arguments, a throwing tool, a tool past its timeout and an unknown name all become an
 * error text, which goes back to the model as its tool response (the model can then recover).
 */
import { readFileSync } from "node:fs";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { canonicalJson, TooltuneError } from "@tooltune/core";
import { openAiTool, toolCatalog, type ToolSchema } from "@tooltune/format";

export interface AgentTool {
  schema: ToolSchema;
  /** Checks arguments; null when the schema could not be turned into a validator. */
  validator: z.ZodType | null;
  run(args: Record<string, unknown>): unknown;
}

export interface ToolSet {
  tools: AgentTool[];
  /** Problems found while loading that did not stop it (e.g. a schema zod cannot read). */
  warnings: string[];
}

export async function loadTools(spec: string): Promise<ToolSet> {
  if (spec === "builtin") return builtinTools();
  const file = resolve(spec);
  const ext = extname(file);
  if (ext === ".json") return jsonTools(file);
  if ([".js", ".mjs", ".ts", ".mts"].includes(ext)) return moduleTools(file);
  throw new TooltuneError("CONFIG", `--tools '${spec}' is not a .json file, a JS/TS module or 'builtin'`, { fix: "give tools.json (schemas + recorded answers), tools.ts / tools.js (functions), or builtin" });
}

/** format's synth catalog: the tools synth data (and so a quickstart model) was trained on. */
function builtinTools(): ToolSet {
  const tools = Object.values(toolCatalog).map((t) => ({ schema: openAiTool(t) as unknown as ToolSchema, validator: null, run: (args: Record<string, unknown>) => t.run(args) }));
  // The catalog validates its own input and answers {error} (format's validateArgs).
  return { tools, warnings: [] };
}

// ---- JSON file: schemas with recorded answers -------------------------------------------------

const jsonToolFile = z.array(z.object({
  type: z.literal("function").default("function"),
  function: z.object({ name: z.string().min(1), description: z.string().optional(), parameters: z.record(z.string(), z.unknown()).optional() }),
  // Either a list of {arguments, result} pairs (matched on the arguments) or one result for any call.
  answers: z.array(z.object({ arguments: z.record(z.string(), z.unknown()), result: z.unknown() })).optional(),
  result: z.unknown().optional(),
}));

function jsonTools(file: string): ToolSet {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new TooltuneError("INPUT", `cannot read tools: ${(e as Error).message}`, { where: file, fix: "a JSON array of OpenAI-shape tools" });
  }
  const parsed = jsonToolFile.safeParse(raw);
  if (!parsed.success) throw new TooltuneError("INPUT", `not a tools file: ${zodProblem(parsed.error)}`, { where: file, fix: '[{"type": "function", "function": {name, description, parameters}, "answers": [{arguments, result}]}]' });
  const warnings: string[] = [];
  const tools = parsed.data.map((t): AgentTool => {
    const schema: ToolSchema = { type: "function", function: t.function };
    return {
      schema,
      validator: validatorOf(schema, warnings),
      run: (args) => {
        const hit = t.answers?.find((a) => canonicalJson(a.arguments) === canonicalJson(args));
        if (hit) return hit.result;
        if (t.result !== undefined) return t.result;
        throw new Error(`no recorded answer for arguments ${JSON.stringify(args)}`);
      },
    };
  });
  return { tools, warnings };
}

// ---- JS/TS module: functions with JSON or zod schemas -----------------------------------------

const isZod = (v: unknown): v is z.ZodType => typeof (v as { safeParse?: unknown } | null)?.safeParse === "function";

const moduleTool = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  parameters: z.custom<z.ZodType | Record<string, unknown>>((v) => isZod(v) || (typeof v === "object" && v !== null), "a JSON schema object or a zod schema"),
  run: z.custom<(args: Record<string, unknown>) => unknown>((v) => typeof v === "function", "a function"),
});

async function moduleTools(file: string): Promise<ToolSet> {
  let mod: Record<string, unknown>;
  try {
    const url = pathToFileURL(file).href;
    // .ts through tsx (as pipeline stage modules are), so a tools file needs no build step.
    mod = [".ts", ".mts"].includes(extname(file)) ? await (await import("tsx/esm/api")).tsImport(url, import.meta.url) : await import(url);
  } catch (e) {
    throw new TooltuneError("INPUT", `cannot load tools module: ${(e as Error).message.split("\n")[0]}`, { where: file, fix: "check the module runs on its own" });
  }
  const parsed = z.array(moduleTool).min(1).safeParse(mod.tools ?? mod.default);
  if (!parsed.success) throw new TooltuneError("INPUT", `the module's 'tools' (or default) export is not a list of tools: ${zodProblem(parsed.error)}`, { where: file, fix: "export const tools = [{ name, description, parameters: z.object({…}) or a JSON schema, run(args) }]" });
  const warnings: string[] = [];
  const tools = parsed.data.map((t): AgentTool => {
    const zodParams = isZod(t.parameters) ? t.parameters : null;
    const parameters = zodParams ? (z.toJSONSchema(zodParams, { io: "input", unrepresentable: "any" }) as Record<string, unknown>) : (t.parameters as Record<string, unknown>);
    delete parameters.$schema; // noise in the prompt
    const schema: ToolSchema = { type: "function", function: { name: t.name, ...(t.description ? { description: t.description } : {}), parameters } };
    return { schema, validator: zodParams ?? validatorOf(schema, warnings), run: t.run };
  });
  return { tools, warnings };
}

/** A validator from the JSON schema (zod 4 reads JSON Schema); a schema it cannot read is a warning. */
function validatorOf(schema: ToolSchema, warnings: string[]): z.ZodType | null {
  const params = schema.function.parameters;
  if (!params) return null;
  try {
    return z.fromJSONSchema(params as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (e) {
    warnings.push(`tool '${schema.function.name}': arguments will not be checked (${(e as Error).message.split("\n")[0]})`);
    return null;
  }
}

const zodProblem = (e: z.ZodError) => e.issues.slice(0, 3).map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`).join("; ");

// ---- running a call ---------------------------------------------------------------------------

export interface CallOutcome {
  ok: boolean;
  /** What the model gets back as the tool response. */
  text: string;
}

/** Runs one call; every failure is an outcome with an error text, never an exception. */
export async function runCall(tools: AgentTool[], name: string, args: Record<string, unknown>, timeoutMs: number): Promise<CallOutcome> {
  const tool = tools.find((t) => t.schema.function.name === name);
  if (!tool) return fail(`unknown tool '${name}' (tools: ${tools.map((t) => t.schema.function.name).join(", ")})`);
  if (tool.validator) {
    const checked = tool.validator.safeParse(args);
    if (!checked.success) return fail(`arguments do not match the schema of '${name}': ${zodProblem(checked.error)}`);
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new TimeoutError()), timeoutMs); });
  try {
    // Promise.resolve().then: a synchronous throw becomes a rejection like an async one.
    const value = await Promise.race([Promise.resolve().then(() => tool.run(args)), timeout]);
    return { ok: true, text: typeof value === "string" ? value : JSON.stringify(value ?? null) };
  } catch (e) {
    if (e instanceof TimeoutError) return fail(`'${name}' timed out after ${timeoutMs} ms`);
    return fail(`'${name}' failed: ${(e as Error)?.message ?? String(e)}`);
  } finally {
    clearTimeout(timer);
  }
}

class TimeoutError extends Error {}

const fail = (message: string): CallOutcome => ({ ok: false, text: JSON.stringify({ error: message }) });
