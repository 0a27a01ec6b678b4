import { defineTool, type ToolResult } from "./tool.js";

const DAY_MS = 86_400_000;
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const datePattern = "^\\d{4}-\\d{2}-\\d{2}$";
const dateParam = (description: string) => ({ type: "string" as const, pattern: datePattern, description });

/** Milliseconds since the epoch of a real calendar date (UTC), or undefined for "2026-02-30". */
export function parseDate(text: string): number | undefined {
  const [y, m, d] = text.split("-").map(Number);
  const ms = Date.UTC(y, m - 1, d);
  return new Date(ms).toISOString().slice(0, 10) === text ? ms : undefined;
}

export const formatDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Runs `fn` on parsed dates, or reports the first one that is not a calendar date. */
function withDates(texts: string[], fn: (ms: number[]) => ToolResult): ToolResult {
  const ms = texts.map(parseDate);
  const bad = texts.find((_, i) => ms[i] === undefined);
  return bad === undefined ? fn(ms as number[]) : { error: `'${bad}' is not a calendar date` };
}

export const addDays = defineTool<{ date: string; days: number }>(
  {
    name: "add_days",
    description: "Add (or subtract) a number of days to a date.",
    parameters: {
      type: "object",
      properties: {
        date: dateParam("Start date, YYYY-MM-DD."),
        days: { type: "integer", minimum: -100000, maximum: 100000, description: "Days to add; negative to go back." },
      },
      required: ["date", "days"],
      additionalProperties: false,
    },
  },
  ({ date, days }) => withDates([date], ([ms]) => ({ date: formatDate(ms + days * DAY_MS) })),
);

export const dayOfWeek = defineTool<{ date: string }>(
  {
    name: "day_of_week",
    description: "Tell which weekday a date falls on.",
    parameters: {
      type: "object",
      properties: { date: dateParam("The date, YYYY-MM-DD.") },
      required: ["date"],
      additionalProperties: false,
    },
  },
  ({ date }) => withDates([date], ([ms]) => ({ weekday: WEEKDAYS[new Date(ms).getUTCDay()] })),
);

export const daysBetween = defineTool<{ start_date: string; end_date: string }>(
  {
    name: "days_between",
    description: "Count the days from one date to another.",
    parameters: {
      type: "object",
      properties: { start_date: dateParam("First date, YYYY-MM-DD."), end_date: dateParam("Second date, YYYY-MM-DD.") },
      required: ["start_date", "end_date"],
      additionalProperties: false,
    },
  },
  ({ start_date, end_date }) => withDates([start_date, end_date], ([a, b]) => ({ days: Math.round((b - a) / DAY_MS) })),
);
