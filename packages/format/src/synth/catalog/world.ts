import { hash32 } from "../rng.js";
import { parseDate } from "./dates.js";
import { defineTool, lookup, type ToolResult } from "./tool.js";

/**
 * The built-in world: per city a standard-time UTC offset (no daylight saving, so answers never
 * depend on DST rules) and mean January / July temperatures in °C (rounded climate normals).
 */
export const CITIES: Record<string, { utcOffset: number; jan: number; jul: number }> = {
  London: { utcOffset: 0, jan: 5, jul: 19 }, Dublin: { utcOffset: 0, jan: 5, jul: 16 },
  Lisbon: { utcOffset: 0, jan: 12, jul: 23 }, Reykjavik: { utcOffset: 0, jan: 0, jul: 11 },
  Paris: { utcOffset: 1, jan: 5, jul: 20 }, Berlin: { utcOffset: 1, jan: 1, jul: 19 },
  Madrid: { utcOffset: 1, jan: 6, jul: 25 }, Rome: { utcOffset: 1, jan: 8, jul: 25 },
  Amsterdam: { utcOffset: 1, jan: 4, jul: 18 }, Vienna: { utcOffset: 1, jan: 0, jul: 20 },
  Stockholm: { utcOffset: 1, jan: -1, jul: 18 }, Oslo: { utcOffset: 1, jan: -4, jul: 17 },
  Warsaw: { utcOffset: 1, jan: -1, jul: 19 }, Lagos: { utcOffset: 1, jan: 27, jul: 26 },
  Athens: { utcOffset: 2, jan: 10, jul: 28 }, Helsinki: { utcOffset: 2, jan: -4, jul: 17 },
  Cairo: { utcOffset: 2, jan: 14, jul: 28 }, Johannesburg: { utcOffset: 2, jan: 20, jul: 11 },
  "Cape Town": { utcOffset: 2, jan: 21, jul: 13 }, Istanbul: { utcOffset: 3, jan: 6, jul: 24 },
  Moscow: { utcOffset: 3, jan: -6, jul: 19 }, Nairobi: { utcOffset: 3, jan: 19, jul: 16 },
  Dubai: { utcOffset: 4, jan: 19, jul: 35 }, Karachi: { utcOffset: 5, jan: 19, jul: 31 },
  Mumbai: { utcOffset: 5.5, jan: 24, jul: 28 }, Delhi: { utcOffset: 5.5, jan: 14, jul: 31 },
  Kathmandu: { utcOffset: 5.75, jan: 10, jul: 24 }, Dhaka: { utcOffset: 6, jan: 19, jul: 29 },
  Bangkok: { utcOffset: 7, jan: 27, jul: 29 }, Jakarta: { utcOffset: 7, jan: 27, jul: 28 },
  Singapore: { utcOffset: 8, jan: 27, jul: 28 }, "Hong Kong": { utcOffset: 8, jan: 16, jul: 29 },
  Beijing: { utcOffset: 8, jan: -3, jul: 27 }, Perth: { utcOffset: 8, jan: 25, jul: 13 },
  Seoul: { utcOffset: 9, jan: -2, jul: 26 }, Tokyo: { utcOffset: 9, jan: 5, jul: 26 },
  Sydney: { utcOffset: 10, jan: 23, jul: 13 }, Auckland: { utcOffset: 12, jan: 20, jul: 11 },
  Honolulu: { utcOffset: -10, jan: 23, jul: 27 }, Anchorage: { utcOffset: -9, jan: -8, jul: 15 },
  "Los Angeles": { utcOffset: -8, jan: 14, jul: 21 }, Vancouver: { utcOffset: -8, jan: 4, jul: 18 },
  Denver: { utcOffset: -7, jan: 0, jul: 23 }, Chicago: { utcOffset: -6, jan: -4, jul: 24 },
  "Mexico City": { utcOffset: -6, jan: 14, jul: 17 }, "New York": { utcOffset: -5, jan: 1, jul: 25 },
  Toronto: { utcOffset: -5, jan: -5, jul: 22 }, Lima: { utcOffset: -5, jan: 23, jul: 16 },
  Bogota: { utcOffset: -5, jan: 14, jul: 14 }, Santiago: { utcOffset: -4, jan: 21, jul: 9 },
  "Buenos Aires": { utcOffset: -3, jan: 25, jul: 11 }, "Sao Paulo": { utcOffset: -3, jan: 23, jul: 16 },
};

const cityParam = (description: string) => ({ type: "string" as const, description });
const unknownCity = (city: string) => ({ error: `no data for city '${city}'` });

// Conditions and their shares of days; snow replaces rain at or below 0 °C.
const CONDITIONS = ["sunny", "partly cloudy", "cloudy", "light rain", "rain"];
const CONDITION_WEIGHTS = [35, 25, 20, 12, 8];

/**
 * The day's forecast: the climate curve between the January and July means (a cosine over the
 * year, coldest mid-January) plus a per-day offset of -3…+3 °C and a condition, both taken from a
 * hash of city and date, so the "table" covers every date without being stored.
 */
function forecast(city: string, ms: number): { condition: string; temperature_c: number } {
  const { jan, jul } = CITIES[city];
  const dayOfYear = (ms - Date.UTC(new Date(ms).getUTCFullYear(), 0, 1)) / 86_400_000;
  const seasonal = (jan + jul) / 2 - ((jul - jan) / 2) * Math.cos((2 * Math.PI * (dayOfYear - 15)) / 365);
  const h = hash32(`${city}|${ms}`);
  const temperature_c = Math.round(seasonal) + (h % 7) - 3;
  let roll = (h >>> 8) % 100;
  let i = 0;
  while (roll >= CONDITION_WEIGHTS[i]) roll -= CONDITION_WEIGHTS[i++];
  const condition = CONDITIONS[i].endsWith("rain") && temperature_c <= 0 ? "snow" : CONDITIONS[i];
  return { condition, temperature_c };
}

export const getWeather = defineTool<{ city: string; date: string }>(
  {
    name: "get_weather",
    description: "Get the weather forecast for a city on a date.",
    parameters: {
      type: "object",
      properties: { city: cityParam("City name, e.g. Paris."), date: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$", description: "Date, YYYY-MM-DD." } },
      required: ["city", "date"],
      additionalProperties: false,
    },
  },
  ({ city, date }) => {
    const found = lookup(CITIES, city);
    if (!found) return unknownCity(city);
    const ms = parseDate(date);
    if (ms === undefined) return { error: `'${date}' is not a calendar date` };
    return forecast(found[0], ms);
  },
);

const pad2 = (n: number): string => String(n).padStart(2, "0");

/** "+05:30" for 5.5 hours. */
export function formatOffset(hours: number): string {
  const minutes = Math.round(Math.abs(hours) * 60);
  return `${hours < 0 ? "-" : "+"}${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;
}

export const getLocalTime = defineTool<{ city: string; utc_time: string }>(
  {
    name: "get_local_time",
    description: "Convert a UTC clock time to the local clock time in a city.",
    parameters: {
      type: "object",
      properties: {
        city: cityParam("City name, e.g. Tokyo."),
        utc_time: { type: "string", pattern: "^([01]\\d|2[0-3]):[0-5]\\d$", description: "UTC time, HH:MM (24-hour)." },
      },
      required: ["city", "utc_time"],
      additionalProperties: false,
    },
  },
  ({ city, utc_time }) => {
    const found = lookup(CITIES, city);
    if (!found) return unknownCity(city);
    const [h, m] = utc_time.split(":").map(Number);
    const minutes = (((h * 60 + m + Math.round(found[1].utcOffset * 60)) % 1440) + 1440) % 1440;
    return { local_time: `${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`, utc_offset: formatOffset(found[1].utcOffset) };
  },
);

export const timeDifference = defineTool<{ from_city: string; to_city: string }>(
  {
    name: "time_difference",
    description: "How many hours a city's clock is ahead of another's.",
    parameters: {
      type: "object",
      properties: { from_city: cityParam("Reference city."), to_city: cityParam("City compared with it.") },
      required: ["from_city", "to_city"],
      additionalProperties: false,
    },
  },
  ({ from_city, to_city }) => {
    const from = lookup(CITIES, from_city);
    const to = lookup(CITIES, to_city);
    if (!from) return unknownCity(from_city);
    if (!to) return unknownCity(to_city);
    return { hours_ahead: to[1].utcOffset - from[1].utcOffset };
  },
);

/** Flight number → route and scheduled departure (local time); status comes from `STATUSES`. */
export const FLIGHTS: Record<string, { from: string; to: string; departs: string }> = {
  BA117: { from: "London", to: "New York", departs: "08:20" }, AF22: { from: "Paris", to: "New York", departs: "10:30" },
  LH400: { from: "Berlin", to: "New York", departs: "10:05" }, UA901: { from: "Chicago", to: "London", departs: "18:40" },
  DL44: { from: "New York", to: "Paris", departs: "19:15" }, EK203: { from: "Dubai", to: "New York", departs: "02:50" },
  QF1: { from: "Sydney", to: "London", departs: "15:55" }, SQ25: { from: "Singapore", to: "Berlin", departs: "23:45" },
  NH10: { from: "Tokyo", to: "New York", departs: "11:00" }, KL641: { from: "Amsterdam", to: "New York", departs: "12:40" },
  IB6251: { from: "Madrid", to: "New York", departs: "16:30" }, AA100: { from: "New York", to: "London", departs: "18:00" },
  AC870: { from: "Toronto", to: "Paris", departs: "21:00" }, TK1: { from: "Istanbul", to: "New York", departs: "14:10" },
  LX38: { from: "London", to: "Los Angeles", departs: "12:25" }, SK925: { from: "Oslo", to: "Chicago", departs: "09:35" },
  AY5: { from: "Helsinki", to: "Tokyo", departs: "17:20" }, QR701: { from: "Dubai", to: "Mumbai", departs: "07:45" },
  CX888: { from: "Hong Kong", to: "Vancouver", departs: "00:15" }, JL5: { from: "Tokyo", to: "Los Angeles", departs: "17:05" },
  AZ608: { from: "Rome", to: "Chicago", departs: "10:50" }, TP203: { from: "Lisbon", to: "New York", departs: "11:35" },
  EI105: { from: "Dublin", to: "New York", departs: "13:10" }, OS89: { from: "Vienna", to: "Toronto", departs: "12:55" },
  LO27: { from: "Warsaw", to: "New York", departs: "16:00" }, KE85: { from: "Seoul", to: "New York", departs: "10:00" },
  AI101: { from: "Delhi", to: "New York", departs: "02:15" }, ET500: { from: "Nairobi", to: "Dubai", departs: "06:30" },
  VS3: { from: "London", to: "New York", departs: "11:45" }, LA800: { from: "Santiago", to: "Auckland", departs: "23:10" },
  NZ5: { from: "Auckland", to: "Los Angeles", departs: "19:30" }, AR1302: { from: "Buenos Aires", to: "Lima", departs: "07:05" },
};
const STATUSES = ["on time", "on time", "on time", "delayed", "boarding", "cancelled"];

export const flightStatus = defineTool<{ flight_number: string }>(
  {
    name: "flight_status",
    description: "Get the status and route of a flight by its number.",
    parameters: {
      type: "object",
      properties: { flight_number: { type: "string", description: "Airline code and number, e.g. BA117." } },
      required: ["flight_number"],
      additionalProperties: false,
    },
  },
  ({ flight_number }): ToolResult => {
    const found = lookup(FLIGHTS, flight_number.replace(/\s+/g, ""));
    if (!found) return { error: `unknown flight '${flight_number}'` };
    const [flight, { from, to, departs }] = found;
    return { status: STATUSES[hash32(flight) % STATUSES.length], from, to, departs };
  },
);
