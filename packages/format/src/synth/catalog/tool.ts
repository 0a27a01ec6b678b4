/**
 * What a catalog tool is: an OpenAI-shape function schema and a deterministic implementation.
 * The eval loop and the `agent` command run these on model output, so `run` takes unknown input,
 * checks it against the schema, and returns problems as data (`{error}`) instead of throwing.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A tool's answer: a small JSON object, or `{error}` when the arguments cannot be served. */
export type ToolResult = { [key: string]: Json };

/** The subset of JSON Schema the catalog uses; `validateArgs` understands exactly this subset. */
export type ParamSchema =
  | { type: "string"; description: string; enum?: string[]; pattern?: string }
  | { type: "number" | "integer"; description: string; minimum?: number; maximum?: number }
  | { type: "boolean"; description: string }
  | { type: "array"; description: string; items: ParamSchema; minItems?: number; maxItems?: number };

export interface ObjectSchema {
  type: "object";
  properties: Record<string, ParamSchema>;
  required: string[];
  additionalProperties: false;
}

export interface FunctionSchema {
  name: string;
  description: string;
  parameters: ObjectSchema;
}

export interface Tool {
  schema: FunctionSchema;
  /** Validates `args` against the schema, then computes; never throws. */
  run(args: unknown): ToolResult;
}

/** Builds a tool whose implementation only ever sees arguments that passed the schema. */
export function defineTool<A>(schema: FunctionSchema, impl: (args: A) => ToolResult): Tool {
  return {
    schema,
    run(args: unknown): ToolResult {
      const problem = validateArgs(schema.parameters, args);
      if (problem) return { error: problem };
      try {
        const result = impl(args as A);
        // JSON would print Infinity/NaN as null: an overflow must read as an error, not as a value.
        return allFinite(result) ? result : { error: "result out of range" };
      } catch (e) {
        // The contract is "never throws": a model can write arguments no test thought of.
        return { error: `cannot compute: ${(e as Error).message}` };
      }
    },
  };
}

function allFinite(value: Json): boolean {
  if (typeof value === "number") return Number.isFinite(value);
  if (value !== null && typeof value === "object") return Object.values(value).every(allFinite);
  return true;
}

/** The first way `args` breaks `schema`, as a sentence, or null when it fits. */
export function validateArgs(schema: ObjectSchema, args: unknown): string | null {
  if (args === null || typeof args !== "object" || Array.isArray(args)) return "arguments must be a JSON object";
  const record = args as Record<string, unknown>;
  for (const name of schema.required) {
    if (record[name] === undefined) return `missing required argument '${name}'`;
  }
  for (const [name, value] of Object.entries(record)) {
    const param = schema.properties[name];
    if (!param) return `unknown argument '${name}'`;
    const problem = checkValue(param, value, name);
    if (problem) return problem;
  }
  return null;
}

function checkValue(param: ParamSchema, value: unknown, path: string): string | null {
  switch (param.type) {
    case "string":
      if (typeof value !== "string") return `'${path}' must be a string`;
      if (param.enum && !param.enum.includes(value)) return `'${path}' must be one of ${param.enum.join(", ")}`;
      if (param.pattern && !new RegExp(param.pattern).test(value)) return `'${path}' must match ${param.pattern}`;
      return null;
    case "number":
    case "integer":
      if (typeof value !== "number" || !Number.isFinite(value)) return `'${path}' must be a number`;
      if (param.type === "integer" && !Number.isInteger(value)) return `'${path}' must be an integer`;
      if (param.minimum !== undefined && value < param.minimum) return `'${path}' must be at least ${param.minimum}`;
      if (param.maximum !== undefined && value > param.maximum) return `'${path}' must be at most ${param.maximum}`;
      return null;
    case "boolean":
      return typeof value === "boolean" ? null : `'${path}' must be true or false`;
    case "array": {
      if (!Array.isArray(value)) return `'${path}' must be an array`;
      if (param.minItems !== undefined && value.length < param.minItems) return `'${path}' needs at least ${param.minItems} items`;
      if (param.maxItems !== undefined && value.length > param.maxItems) return `'${path}' takes at most ${param.maxItems} items`;
      for (let i = 0; i < value.length; i++) {
        const problem = checkValue(param.items, value[i], `${path}[${i}]`);
        if (problem) return problem;
      }
      return null;
    }
  }
}

/** Rounds money and measurements the way the answers print them (at most 2 decimals). */
export const round2 = (x: number): number => Math.round((x + Number.EPSILON) * 100) / 100;

/** Case- and space-insensitive lookup in a built-in table, so "new york" finds "New York". */
export function lookup<T>(table: Record<string, T>, key: string): [string, T] | undefined {
  const wanted = key.trim().toLowerCase();
  const name = Object.keys(table).find((k) => k.toLowerCase() === wanted);
  return name === undefined ? undefined : [name, table[name]];
}
