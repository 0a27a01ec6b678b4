import { defineTool, round2, type ToolResult } from "./tool.js";

const OPERATIONS = ["add", "subtract", "multiply", "divide"];

export const calculate = defineTool<{ a: number; b: number; operation: string }>(
  {
    name: "calculate",
    description: "Add, subtract, multiply or divide two numbers.",
    parameters: {
      type: "object",
      properties: {
        a: { type: "number", description: "First operand." },
        b: { type: "number", description: "Second operand." },
        operation: { type: "string", enum: OPERATIONS, description: "What to do with a and b." },
      },
      required: ["a", "b", "operation"],
      additionalProperties: false,
    },
  },
  ({ a, b, operation }): ToolResult => {
    if (operation === "divide" && b === 0) return { error: "division by zero" };
    const value = operation === "add" ? a + b : operation === "subtract" ? a - b : operation === "multiply" ? a * b : a / b;
    return { result: round2(value) };
  },
);

export const percentageOf = defineTool<{ percent: number; value: number }>(
  {
    name: "percentage_of",
    description: "Compute a percentage of a number.",
    parameters: {
      type: "object",
      properties: {
        percent: { type: "number", description: "The percentage, e.g. 15 for 15%." },
        value: { type: "number", description: "The number to take the percentage of." },
      },
      required: ["percent", "value"],
      additionalProperties: false,
    },
  },
  ({ percent, value }) => ({ result: round2((percent * value) / 100) }),
);

export const isPrime = defineTool<{ number: number }>(
  {
    name: "is_prime",
    description: "Check whether a whole number is prime.",
    parameters: {
      type: "object",
      properties: { number: { type: "integer", minimum: 0, maximum: 1e12, description: "The number to check." } },
      required: ["number"],
      additionalProperties: false,
    },
  },
  ({ number }) => {
    // Trial division up to √n: fast enough for the schema's 1e12 limit (≤ 1e6 steps).
    let prime = number >= 2;
    for (let d = 2; prime && d * d <= number; d++) if (number % d === 0) prime = false;
    return { is_prime: prime };
  },
);

export const average = defineTool<{ numbers: number[] }>(
  {
    name: "average",
    description: "Compute the mean of a list of numbers.",
    parameters: {
      type: "object",
      properties: {
        numbers: { type: "array", items: { type: "number", description: "A value." }, minItems: 1, description: "The numbers to average." },
      },
      required: ["numbers"],
      additionalProperties: false,
    },
  },
  ({ numbers }) => ({ mean: round2(numbers.reduce((a, b) => a + b, 0) / numbers.length) }),
);

export const calculateBmi = defineTool<{ weight_kg: number; height_cm: number }>(
  {
    name: "calculate_bmi",
    description: "Compute body mass index from weight and height.",
    parameters: {
      type: "object",
      properties: {
        weight_kg: { type: "number", minimum: 1, maximum: 500, description: "Body weight in kilograms." },
        height_cm: { type: "number", minimum: 30, maximum: 300, description: "Height in centimetres." },
      },
      required: ["weight_kg", "height_cm"],
      additionalProperties: false,
    },
  },
  ({ weight_kg, height_cm }) => {
    const bmi = Math.round((weight_kg / (height_cm / 100) ** 2) * 10) / 10;
    // WHO adult categories.
    const category = bmi < 18.5 ? "underweight" : bmi < 25 ? "normal weight" : bmi < 30 ? "overweight" : "obese";
    return { bmi, category };
  },
);

export const wordCount = defineTool<{ text: string }>(
  {
    name: "word_count",
    description: "Count the words in a text.",
    parameters: {
      type: "object",
      properties: { text: { type: "string", description: "The text to count." } },
      required: ["text"],
      additionalProperties: false,
    },
  },
  ({ text }) => ({ words: text.split(/\s+/).filter((w) => w.length > 0).length }),
);
