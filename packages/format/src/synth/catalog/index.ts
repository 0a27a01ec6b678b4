import { addDays, dayOfWeek, daysBetween } from "./dates.js";
import { average, calculate, calculateBmi, isPrime, percentageOf, wordCount } from "./math.js";
import { calculateTip, compoundInterest, convertCurrency, getExchangeRate, loanPayment } from "./money.js";
import { checkStock, getProductPrice } from "./shop.js";
import type { Tool, ToolResult } from "./tool.js";
import { convertLength, convertMass, convertTemperature } from "./units.js";
import { flightStatus, getLocalTime, getWeather, timeDifference } from "./world.js";

const TOOLS: Tool[] = [
  convertLength, convertMass, convertTemperature,
  convertCurrency, getExchangeRate, calculateTip, compoundInterest, loanPayment,
  calculate, percentageOf, isPrime, average, calculateBmi, wordCount,
  addDays, dayOfWeek, daysBetween,
  getWeather, getLocalTime, timeDifference, flightStatus,
  getProductPrice, checkStock,
];

/** Every built-in tool by name: what `synth` generates calls to and what eval/agent execute. */
export const toolCatalog: Readonly<Record<string, Tool>> = Object.fromEntries(TOOLS.map((t) => [t.schema.name, t]));

/** The OpenAI-shape entry for the `tools` column. */
export const openAiTool = (tool: Tool) => ({ type: "function" as const, function: tool.schema });

/** Runs a call as a model wrote it: an unknown tool name is an error result, like bad arguments. */
export function runTool(name: string, args: unknown): ToolResult {
  const tool = Object.hasOwn(toolCatalog, name) ? toolCatalog[name] : undefined;
  return tool ? tool.run(args) : { error: `unknown tool '${name}'` };
}
