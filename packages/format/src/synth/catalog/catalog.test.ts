import { describe, expect, it } from "vitest";
import { runTool, toolCatalog } from "./index.js";
import { validateArgs, type ObjectSchema, type ParamSchema } from "./tool.js";

/** Structural check of the JSON Schema subset the catalog may use: known keywords, right value types. */
function schemaProblems(schema: ParamSchema | ObjectSchema, path: string): string[] {
  const allowed: Record<string, string[]> = {
    object: ["type", "properties", "required", "additionalProperties"],
    string: ["type", "description", "enum", "pattern"],
    number: ["type", "description", "minimum", "maximum"],
    integer: ["type", "description", "minimum", "maximum"],
    boolean: ["type", "description"],
    array: ["type", "description", "items", "minItems", "maxItems"],
  };
  const keys = allowed[schema.type];
  if (!keys) return [`${path}: unknown type ${String(schema.type)}`];
  const problems = Object.keys(schema).filter((k) => !keys.includes(k)).map((k) => `${path}: keyword ${k}`);
  if (schema.type === "object") {
    for (const r of schema.required) if (!(r in schema.properties)) problems.push(`${path}: required ${r} not a property`);
    for (const [name, p] of Object.entries(schema.properties)) problems.push(...schemaProblems(p, `${path}.${name}`));
    return problems;
  }
  if (typeof schema.description !== "string" || schema.description.length === 0) problems.push(`${path}: no description`);
  if (schema.type === "string" && schema.enum && (schema.enum.length === 0 || schema.enum.some((v) => typeof v !== "string"))) problems.push(`${path}: bad enum`);
  if (schema.type === "string" && schema.pattern) new RegExp(schema.pattern); // throws on an invalid pattern
  if (schema.type === "array") problems.push(...schemaProblems(schema.items, `${path}[]`));
  return problems;
}

describe("toolCatalog", () => {
  const tools = Object.entries(toolCatalog);

  it("has at least 20 tools with valid OpenAI-shape schemas", () => {
    expect(tools.length).toBeGreaterThanOrEqual(20);
    for (const [name, tool] of tools) {
      expect(tool.schema.name).toBe(name);
      expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(tool.schema.description).toMatch(/^[^\n]{10,80}$/);
      expect(tool.schema.parameters.type).toBe("object");
      expect(schemaProblems(tool.schema.parameters, name)).toEqual([]);
      // JSON round trip: the schema is plain data, as it must be in the tools column.
      expect(JSON.parse(JSON.stringify(tool.schema))).toEqual(tool.schema);
    }
  });

  it.each([
    ["convert_length", { value: 10, from_unit: "mi", to_unit: "km" }, { result: 16.09, unit: "km" }],
    ["convert_mass", { value: 1, from_unit: "lb", to_unit: "g" }, { result: 453.59, unit: "g" }],
    ["convert_temperature", { value: 100, from_unit: "celsius", to_unit: "fahrenheit" }, { result: 212, unit: "fahrenheit" }],
    ["convert_temperature", { value: -300, from_unit: "celsius", to_unit: "kelvin" }, { error: "temperature is below absolute zero" }],
    ["convert_currency", { amount: 100, from_currency: "USD", to_currency: "EUR" }, { converted: 92, currency: "EUR" }],
    ["convert_currency", { amount: 150, from_currency: "JPY", to_currency: "USD" }, { converted: 1, currency: "USD" }],
    ["get_exchange_rate", { base: "EUR", target: "GBP" }, { rate: 0.8587 }],
    ["calculate_tip", { bill: 80, tip_percent: 15 }, { tip: 12, total: 92 }],
    ["calculate_tip", { bill: 80, tip_percent: 15, people: 4 }, { tip: 12, total: 92, per_person: 23 }],
    // 1000·(1 + 0.05/12)^120 and the textbook 30-year 5% mortgage payment on 200k.
    ["compound_interest", { principal: 1000, annual_rate: 5, years: 10 }, { balance: 1647.01, interest: 647.01 }],
    ["loan_payment", { principal: 200000, annual_rate: 5, years: 30 }, { monthly_payment: 1073.64, total_paid: 386511.57 }],
    ["loan_payment", { principal: 1200, annual_rate: 0, years: 1 }, { monthly_payment: 100, total_paid: 1200 }],
    ["calculate", { a: 7, b: 0, operation: "divide" }, { error: "division by zero" }],
    ["calculate", { a: 2.5, b: 4, operation: "multiply" }, { result: 10 }],
    ["percentage_of", { percent: 15, value: 80 }, { result: 12 }],
    ["is_prime", { number: 7919 }, { is_prime: true }],
    ["is_prime", { number: 7917 }, { is_prime: false }],
    ["is_prime", { number: 1 }, { is_prime: false }],
    ["average", { numbers: [1, 2, 4] }, { mean: 2.33 }],
    ["calculate_bmi", { weight_kg: 70, height_cm: 175 }, { bmi: 22.9, category: "normal weight" }],
    ["word_count", { text: "  Meet me at   noon " }, { words: 4 }],
    ["add_days", { date: "2028-02-28", days: 1 }, { date: "2028-02-29" }],
    ["add_days", { date: "2026-03-01", days: -1 }, { date: "2026-02-28" }],
    ["add_days", { date: "2026-02-30", days: 1 }, { error: "'2026-02-30' is not a calendar date" }],
    ["day_of_week", { date: "2026-11-29" }, { weekday: "Sunday" }],
    ["days_between", { start_date: "2026-01-01", end_date: "2027-01-01" }, { days: 365 }],
    ["get_local_time", { city: "Mumbai", utc_time: "23:00" }, { local_time: "04:30", utc_offset: "+05:30" }],
    ["get_local_time", { city: "new york", utc_time: "03:15" }, { local_time: "22:15", utc_offset: "-05:00" }],
    ["time_difference", { from_city: "London", to_city: "Tokyo" }, { hours_ahead: 9 }],
    ["get_weather", { city: "Atlantis", date: "2026-05-01" }, { error: "no data for city 'Atlantis'" }],
    ["flight_status", { flight_number: "XX999" }, { error: "unknown flight 'XX999'" }],
    ["get_product_price", { product: "Wireless Mouse" }, { price: 24.99, currency: "USD" }],
    ["check_stock", { product: "webcam" }, { in_stock: 0 }],
    ["add_days", { date: "2026-01-01", days: 1e9 }, { error: "'days' must be at most 100000" }],
    ["calculate", { a: 1e300, b: 1e300, operation: "multiply" }, { error: "result out of range" }],
    ["average", { numbers: [1.5e308, 1.5e308] }, { error: "result out of range" }],
  ])("%s(%j) → %j", (name, args, expected) => {
    expect(toolCatalog[name].run(args)).toEqual(expected);
  });

  it("weather is a deterministic table: same city and date, same answer; seasons follow the climate", () => {
    const w = (city: string, date: string) => toolCatalog.get_weather.run({ city, date });
    expect(w("Oslo", "2026-01-15")).toEqual(w("oslo", "2026-01-15"));
    expect(Number(w("Oslo", "2026-01-15").temperature_c)).toBeLessThan(Number(w("Oslo", "2026-07-15").temperature_c));
    expect(Number(w("Sydney", "2026-01-15").temperature_c)).toBeGreaterThan(Number(w("Sydney", "2026-07-15").temperature_c));
    expect(["sunny", "partly cloudy", "cloudy", "light rain", "rain", "snow"]).toContain(w("Paris", "2026-03-03").condition);
  });

  it("flight status reports a route from its table", () => {
    expect(toolCatalog.flight_status.run({ flight_number: "BA117" })).toMatchObject({ from: "London", to: "New York", departs: "08:20" });
  });

  it.each([
    [null, "arguments must be a JSON object"],
    [[1], "arguments must be a JSON object"],
    [{ value: 1, from_unit: "mi" }, "missing required argument 'to_unit'"],
    [{ value: "1", from_unit: "mi", to_unit: "km" }, "'value' must be a number"],
    [{ value: 1, from_unit: "furlong", to_unit: "km" }, "'from_unit' must be one of mm, cm, m, km, in, ft, yd, mi"],
    [{ value: 1, from_unit: "mi", to_unit: "km", precision: 2 }, "unknown argument 'precision'"],
  ])("invalid arguments come back as data: %j", (args, error) => {
    expect(toolCatalog.convert_length.run(args)).toEqual({ error });
  });

  it("runTool reports unknown tools as data and runs known ones", () => {
    expect(runTool("send_email", { to: "x" })).toEqual({ error: "unknown tool 'send_email'" });
    expect(runTool("toString", {})).toEqual({ error: "unknown tool 'toString'" });
    expect(runTool("percentage_of", { percent: 50, value: 9 })).toEqual({ result: 4.5 });
  });

  it("checks integers, bounds, patterns and array items", () => {
    const problem = (name: string, args: unknown) => validateArgs(toolCatalog[name].schema.parameters, args);
    expect(problem("is_prime", { number: 7.5 })).toBe("'number' must be an integer");
    expect(problem("is_prime", { number: -3 })).toBe("'number' must be at least 0");
    expect(problem("day_of_week", { date: "29/11/2026" })).toMatch(/must match/);
    expect(problem("average", { numbers: [] })).toBe("'numbers' needs at least 1 items");
    expect(problem("average", { numbers: [1, "2"] })).toBe("'numbers[1]' must be a number");
    expect(problem("average", { numbers: [1, 2] })).toBeNull();
  });
});
