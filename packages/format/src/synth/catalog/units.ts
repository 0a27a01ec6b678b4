import { defineTool, round2, type Tool, type ToolResult } from "./tool.js";

// Exact SI factors (NIST SP 811): 1 in = 0.0254 m, 1 lb = 0.45359237 kg by definition.
const METRES: Record<string, number> = { mm: 0.001, cm: 0.01, m: 1, km: 1000, in: 0.0254, ft: 0.3048, yd: 0.9144, mi: 1609.344 };
const KILOGRAMS: Record<string, number> = { g: 0.001, kg: 1, oz: 0.028349523125, lb: 0.45359237, st: 6.35029318, t: 1000 };
const TEMPERATURE_UNITS = ["celsius", "fahrenheit", "kelvin"];

interface ConvertArgs {
  value: number;
  from_unit: string;
  to_unit: string;
}

function ratioTool(name: string, what: string, factors: Record<string, number>): Tool {
  const units = Object.keys(factors);
  return defineTool<ConvertArgs>(
    {
      name,
      description: `Convert a ${what} between units.`,
      parameters: {
        type: "object",
        properties: {
          value: { type: "number", description: `The ${what} to convert.` },
          from_unit: { type: "string", enum: units, description: "Unit of the value." },
          to_unit: { type: "string", enum: units, description: "Unit to convert to." },
        },
        required: ["value", "from_unit", "to_unit"],
        additionalProperties: false,
      },
    },
    ({ value, from_unit, to_unit }) => ({
      result: round2((value * factors[from_unit]) / factors[to_unit]),
      unit: to_unit,
    }),
  );
}

export const convertLength = ratioTool("convert_length", "length", METRES);
export const convertMass = ratioTool("convert_mass", "mass", KILOGRAMS);

function toKelvin(value: number, unit: string): number {
  if (unit === "celsius") return value + 273.15;
  if (unit === "fahrenheit") return ((value - 32) * 5) / 9 + 273.15;
  return value;
}

function fromKelvin(kelvin: number, unit: string): number {
  if (unit === "celsius") return kelvin - 273.15;
  if (unit === "fahrenheit") return ((kelvin - 273.15) * 9) / 5 + 32;
  return kelvin;
}

export const convertTemperature = defineTool<ConvertArgs>(
  {
    name: "convert_temperature",
    description: "Convert a temperature between celsius, fahrenheit and kelvin.",
    parameters: {
      type: "object",
      properties: {
        value: { type: "number", description: "The temperature to convert." },
        from_unit: { type: "string", enum: TEMPERATURE_UNITS, description: "Scale of the value." },
        to_unit: { type: "string", enum: TEMPERATURE_UNITS, description: "Scale to convert to." },
      },
      required: ["value", "from_unit", "to_unit"],
      additionalProperties: false,
    },
  },
  ({ value, from_unit, to_unit }): ToolResult => {
    const kelvin = toKelvin(value, from_unit);
    if (kelvin < 0) return { error: "temperature is below absolute zero" };
    return { result: round2(fromKelvin(kelvin, to_unit)), unit: to_unit };
  },
);
