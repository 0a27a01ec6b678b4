/**
 * Writes `handwritten.jsonl` beside this file: requests for the synth catalog's tools written by
 * hand, in a person's own words (issue 14: "the adapter will also be judged on hand-written
 * requests for the catalog's tools that the generator never produced"). The requests and their
 * expected calls are data here; everything else comes from the catalog's own code, so a record
 * looks exactly like a synth one: synth's system prompt, the offered tools' schemas as synth's
 * `schemas: compact` writes them (`compactSchema`), tool turns holding the real implementation's
 * output (`runTool`), then a short final answer.
 *
 * Each record is an OpenAI-messages line (`messages` + `tools`) that `ingest` reads; the split is
 * set by ingest's `test_fraction: 1` (the OpenAI adapter takes no split field), and the scalar
 * fields `hw` (a stable label) and `kind` land in the row's `meta`.
 *
 *   npx tsx --conditions=tooltune-src pipelines/data/make-handwritten.ts
 *
 * packages/eval/src/handwritten.test.ts checks the file is what this script writes, that it
 * ingests with no rejects, that every expected call fits its schema and runs, and that no request
 * is one the generator makes (verbatim or sharing a word 8-gram with 100,000 synth conversations).
 */
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runTool, toolCatalog } from "../../packages/format/src/synth/catalog/index.js";
import type { Json, ToolResult } from "../../packages/format/src/synth/catalog/tool.js";
import { compactSchema, SYSTEM_PROMPT } from "../../packages/format/src/synth/generate.js";

export type Args = Record<string, Json>;
export type Call = [name: string, args: Args];

/**
 * One request. With `calls`, the tools offered are the called ones plus `other` (a second tool
 * that does not serve it) when one tool is called, as the quickstart offers two; with no calls,
 * `offer` names the two tools offered (neither serves the request) and `reply` is the answer.
 */
export type Request =
  | { user: string; calls: Call[]; other?: string }
  | { user: string; calls: []; offer: [string, string]; reply: string };

const single = (user: string, other: string, name: string, args: Args): Request => ({ user, calls: [[name, args]], other });
const both = (user: string, first: Call, second: Call, other?: string): Request => ({ user, calls: [first, second], ...(other ? { other } : {}) });
const none = (user: string, offer: [string, string], reply: string): Request => ({ user, calls: [], offer, reply });

export const REQUESTS: Request[] = [
  // convert_length
  single("how many km is 26.2 miles? training for my first marathon lol", "convert_mass", "convert_length", { value: 26.2, from_unit: "mi", to_unit: "km" }),
  single("The box for the new TV says 55 in. What's that in centimetres? Want to check it fits the cabinet.", "get_product_price", "convert_length", { value: 55, from_unit: "in", to_unit: "cm" }),
  single("I'm painting a trail sign that says 300 feet to the waterfall but most hikers here think in metres. Could you convert it?", "add_days", "convert_length", { value: 300, from_unit: "ft", to_unit: "m" }),
  single("Roughly how many yards would 1500 m be? my coach only talks in yards", "convert_temperature", "convert_length", { value: 1500, from_unit: "m", to_unit: "yd" }),
  // convert_mass
  single("Our baby was born at 3.4 kg! Grandma keeps asking for it in pounds, how many lb is that?", "calculate_bmi", "convert_mass", { value: 3.4, from_unit: "kg", to_unit: "lb" }),
  single("recipe calls for 8 oz of butter but my scale only does grams, help", "convert_length", "convert_mass", { value: 8, from_unit: "oz", to_unit: "g" }),
  single("how heavy is 12 stone in kilos", "percentage_of", "convert_mass", { value: 12, from_unit: "st", to_unit: "kg" }),
  single("The crate on the invoice is listed as 2.5 tonnes. How many kg is that for the forklift form?", "check_stock", "convert_mass", { value: 2.5, from_unit: "t", to_unit: "kg" }),
  // convert_temperature
  single("oven dial is in fahrenheit and the recipe wants 180 C, what do i set it to?", "convert_length", "convert_temperature", { value: 180, from_unit: "celsius", to_unit: "fahrenheit" }),
  single("My thermometer showed 101.3 F this morning. Could you put that in Celsius so I can tell the nurse?", "get_weather", "convert_temperature", { value: 101.3, from_unit: "fahrenheit", to_unit: "celsius" }),
  single("Liquid nitrogen boils at about 77 kelvin, right? What is that in degrees celsius?", "calculate", "convert_temperature", { value: 77, from_unit: "kelvin", to_unit: "celsius" }),
  // convert_currency
  single("I'm heading to Japan with 1200 USD in cash. How many JPY should I expect to get for it?", "get_exchange_rate", "convert_currency", { amount: 1200, from_currency: "USD", to_currency: "JPY" }),
  single("hey can u turn 85.50 EUR into GBP", "calculate_tip", "convert_currency", { amount: 85.5, from_currency: "EUR", to_currency: "GBP" }),
  single("A client of mine pays me 3000 CAD per project. About how much is that in INR? Trying to explain it to my parents.", "loan_payment", "convert_currency", { amount: 3000, from_currency: "CAD", to_currency: "INR" }),
  single("Please change 450 Swiss francs (CHF) into SEK for me.", "time_difference", "convert_currency", { amount: 450, from_currency: "CHF", to_currency: "SEK" }),
  // get_exchange_rate
  single("whats the AUD to NZD rate today", "convert_currency", "get_exchange_rate", { base: "AUD", target: "NZD" }),
  single("Before I book the hotel in Seoul: one USD gets me how many KRW at the moment?", "get_weather", "get_exchange_rate", { base: "USD", target: "KRW" }),
  single("Quick question, where is the EUR sitting against the MXN these days? Just the rate please.", "percentage_of", "get_exchange_rate", { base: "EUR", target: "MXN" }),
  // calculate_tip
  single("dinner came to 64.80 and I'd like to tip 18 percent. how much tip is that?", "get_exchange_rate", "calculate_tip", { bill: 64.8, tip_percent: 18 }),
  single("There are 5 of us and the check is 212 dollars. We agreed on a 20% tip, so what does everyone owe?", "calculate", "calculate_tip", { bill: 212, tip_percent: 20, people: 5 }),
  single("leaving 15% on a 37 bill, what do i pay altogether?", "convert_currency", "calculate_tip", { bill: 37, tip_percent: 15 }),
  single("Can you split 148.60 between 3 of us, including a 12% tip?", "average", "calculate_tip", { bill: 148.6, tip_percent: 12, people: 3 }),
  // compound_interest
  single("If I put 2500 into a savings account paying 4.1% a year and don't touch it for 10 years, what do I end up with?", "loan_payment", "compound_interest", { principal: 2500, annual_rate: 4.1, years: 10 }),
  single("my grandson just got 1000 as a gift. if it sits at 3% interest for 18 years how much will be there when he's grown up?", "calculate", "compound_interest", { principal: 1000, annual_rate: 3, years: 18 }),
  single("What's 15000 worth after 7 years at 6.5%, compounded 4 times a year?", "percentage_of", "compound_interest", { principal: 15000, annual_rate: 6.5, years: 7, compounds_per_year: 4 }),
  // loan_payment
  single("We're looking at a mortgage of 320000 over 30 years at 6.25%. What would the monthly payment come to?", "compound_interest", "loan_payment", { principal: 320000, annual_rate: 6.25, years: 30 }),
  single("car loan: 18500, 5 yrs, 7.9% apr. monthly?", "calculate", "loan_payment", { principal: 18500, annual_rate: 7.9, years: 5 }),
  single("I want to borrow 4000 for a laptop and pay it back over 2 years. The bank quoted me 11.5%. How much would that be each month?", "get_product_price", "loan_payment", { principal: 4000, annual_rate: 11.5, years: 2 }),
  // calculate
  single("whats 1764 divided by 42", "percentage_of", "calculate", { a: 1764, b: 42, operation: "divide" }),
  single("I drove 347 km yesterday and 289 today, what's my total so far?", "convert_length", "calculate", { a: 347, b: 289, operation: "add" }),
  single("Multiply 23.5 by 16 for me please", "average", "calculate", { a: 23.5, b: 16, operation: "multiply" }),
  single("Started the month with 5000 in the account and spent 1875. How much is left?", "compound_interest", "calculate", { a: 5000, b: 1875, operation: "subtract" }),
  // percentage_of
  single("the sales tax here is 8.25%, how much does that add on a 640 purchase?", "loan_payment", "percentage_of", { percent: 8.25, value: 640 }),
  single("That jacket is 129 and it's 30% off this weekend. How much would I save?", "get_product_price", "percentage_of", { percent: 30, value: 129 }),
  single("need 12 percent of 2350 for a report, can you work it out", "calculate", "percentage_of", { percent: 12, value: 2350 }),
  // is_prime
  single("is 7919 prime?", "average", "is_prime", { number: 7919 }),
  single("My daughter swears 221 is a prime number. Is she right?", "calculate", "is_prime", { number: 221 }),
  single("Could you check for me whether 104729 happens to be prime", "word_count", "is_prime", { number: 104729 }),
  // average
  single("My last runs were 5.2, 6.8, 4.9, 7.1 and 5.5 km. What's the average distance?", "convert_length", "average", { numbers: [5.2, 6.8, 4.9, 7.1, 5.5] }),
  single("avg of 88 92 79 95 pls", "calculate", "average", { numbers: [88, 92, 79, 95] }),
  single("The temperatures this week were 12, 15, 11, 9, 14, 16 and 13 degrees. What was the mean?", "convert_temperature", "average", { numbers: [12, 15, 11, 9, 14, 16, 13] }),
  // calculate_bmi
  single("I'm 172 cm and 68 kg, whats my bmi", "convert_mass", "calculate_bmi", { weight_kg: 68, height_cm: 172 }),
  single("Could you work out the body mass index for a patient with height 158 cm and weight 81.5 kg?", "average", "calculate_bmi", { weight_kg: 81.5, height_cm: 158 }),
  single("I'm 34 years old, 185 cm tall and I weigh 95 kg. Where does that put my BMI?", "percentage_of", "calculate_bmi", { weight_kg: 95, height_cm: 185 }),
  // word_count
  single('How long is my post in words? "Just finished my first half marathon and I can barely walk but it was totally worth it"', "is_prime", "word_count", { text: "Just finished my first half marathon and I can barely walk but it was totally worth it" }),
  single("count the words pls: Dear hiring manager, I am writing to apply for the junior designer role at your studio.", "average", "word_count", { text: "Dear hiring manager, I am writing to apply for the junior designer role at your studio." }),
  single("My essay intro has to stay under 50 words. Here it is: Climate change is one of the defining challenges of our time, and cities are on the front line.", "calculate", "word_count", { text: "Climate change is one of the defining challenges of our time, and cities are on the front line." }),
  // add_days
  single("My visa starts 2026-04-10 and it's good for 90 days. When does it run out?", "days_between", "add_days", { date: "2026-04-10", days: 90 }),
  single("what's the date 14 days after 2026-12-22? that's the return window for a gift", "day_of_week", "add_days", { date: "2026-12-22", days: 14 }),
  single("The parcel left the port on 2027-01-05 and shipping by sea takes 45 days. When should it arrive?", "flight_status", "add_days", { date: "2027-01-05", days: 45 }),
  single("What was the date 30 days before 2026-03-01?", "calculate", "add_days", { date: "2026-03-01", days: -30 }),
  // day_of_week
  single("what day of the week was 2026-02-14? trying to remember if valentines fell on a weekend", "add_days", "day_of_week", { date: "2026-02-14" }),
  single("My daughter's birthday is 2026-09-03. Is that a school day or the weekend?", "days_between", "day_of_week", { date: "2026-09-03" }),
  single("Which day does 2027-01-01 land on?", "get_weather", "day_of_week", { date: "2027-01-01" }),
  // days_between
  single("How many days have I got from 2026-05-18 until my exam on 2026-06-30?", "add_days", "days_between", { start_date: "2026-05-18", end_date: "2026-06-30" }),
  single("we met on 2025-08-09 and our anniversary dinner is 2026-08-09, so exactly how many days is that?", "day_of_week", "days_between", { start_date: "2025-08-09", end_date: "2026-08-09" }),
  single("I started the job on 2024-03-04 and my last day is 2026-11-27. How many days will I have been there?", "calculate", "days_between", { start_date: "2024-03-04", end_date: "2026-11-27" }),
  // get_weather
  single("going to Lisbon on 2026-06-12, do i need to pack an umbrella?", "time_difference", "get_weather", { city: "Lisbon", date: "2026-06-12" }),
  single("what's it going to be like in reykjavik on 2026-12-31 for new year's eve", "get_local_time", "get_weather", { city: "Reykjavik", date: "2026-12-31" }),
  single("hows the wether in Nairobi on 2026-08-20? We have an outdoor event planned.", "convert_temperature", "get_weather", { city: "Nairobi", date: "2026-08-20" }),
  // get_local_time
  single("The webinar starts at 15:00 UTC. What time is that for me in Sydney?", "time_difference", "get_local_time", { city: "Sydney", utc_time: "15:00" }),
  single("if it's 07:30 utc right now what does the clock say in Mumbai", "get_weather", "get_local_time", { city: "Mumbai", utc_time: "07:30" }),
  single("I've got a call with a supplier in Mexico City at 22:45 UTC. What's the local time on their end?", "flight_status", "get_local_time", { city: "Mexico City", utc_time: "22:45" }),
  // time_difference
  single("How far ahead of London is Tokyo?", "get_local_time", "time_difference", { from_city: "London", to_city: "Tokyo" }),
  single("I live in Denver and my sister moved to Athens. How many hours is she ahead of me?", "get_weather", "time_difference", { from_city: "Denver", to_city: "Athens" }),
  single("what's the time gap going from Singapore to Los Angeles", "flight_status", "time_difference", { from_city: "Singapore", to_city: "Los Angeles" }),
  // flight_status
  single("is BA117 on time? picking my mum up later today", "get_weather", "flight_status", { flight_number: "BA117" }),
  single("Could you look up QF1 for me? My husband is on that flight.", "time_difference", "flight_status", { flight_number: "QF1" }),
  single("status of EK203 pls", "check_stock", "flight_status", { flight_number: "EK203" }),
  single("Has LH400 been cancelled? The airport website won't load.", "get_local_time", "flight_status", { flight_number: "LH400" }),
  // get_product_price
  single("how much is the mechanical keyboard in your shop?", "check_stock", "get_product_price", { product: "mechanical keyboard" }),
  single("I'm on a tight budget. What do you charge for the yoga mat?", "calculate_tip", "get_product_price", { product: "yoga mat" }),
  single("thinking about getting the noise-cancelling headphones, what do they go for?", "convert_currency", "get_product_price", { product: "noise-cancelling headphones" }),
  // check_stock
  single("is the webcam available right now or sold out?", "get_product_price", "check_stock", { product: "webcam" }),
  single("I need 4 for the team. Are there enough of the office chair left in stock?", "calculate", "check_stock", { product: "office chair" }),
  single("check if the external ssd is available", "flight_status", "check_stock", { product: "external ssd" }),

  // Two calls in one turn: the same tool twice, or two tools.
  both("Weather in Paris and Rome on 2026-07-15? trying to decide where to spend the day", ["get_weather", { city: "Paris", date: "2026-07-15" }], ["get_weather", { city: "Rome", date: "2026-07-15" }], "get_local_time"),
  both("How much is 250 GBP in USD, and how much would it be in EUR?", ["convert_currency", { amount: 250, from_currency: "GBP", to_currency: "USD" }], ["convert_currency", { amount: 250, from_currency: "GBP", to_currency: "EUR" }], "get_exchange_rate"),
  both("are 97 and 91 both primes?", ["is_prime", { number: 97 }], ["is_prime", { number: 91 }], "calculate"),
  both("Our standup is at 09:00 UTC. What time is that for the people in Toronto and for the ones in Berlin?", ["get_local_time", { city: "Toronto", utc_time: "09:00" }], ["get_local_time", { city: "Berlin", utc_time: "09:00" }], "time_difference"),
  both("christmas is 2026-12-25 and new year's day is 2027-01-01, which days of the week do they land on?", ["day_of_week", { date: "2026-12-25" }], ["day_of_week", { date: "2027-01-01" }], "add_days"),
  both("two quick ones: 15.5 times 4, and 1000 minus 387", ["calculate", { a: 15.5, b: 4, operation: "multiply" }], ["calculate", { a: 1000, b: 387, operation: "subtract" }], "average"),
  both("What does the smartwatch cost, and do you actually have any in stock?", ["get_product_price", { product: "smartwatch" }], ["check_stock", { product: "smartwatch" }]),
  both("I'm on AF22 on 2026-10-02. Is it on time, and what's the weather in New York that day?", ["flight_status", { flight_number: "AF22" }], ["get_weather", { city: "New York", date: "2026-10-02" }]),
  both("For the shipping form I need 40 inches in cm and 22 lb in kg.", ["convert_length", { value: 40, from_unit: "in", to_unit: "cm" }], ["convert_mass", { value: 22, from_unit: "lb", to_unit: "kg" }]),
  both("Our bill in Mexico came to 1350 MXN. Work out a 15% tip on it, and tell me what 1350 MXN is in USD.", ["calculate_tip", { bill: 1350, tip_percent: 15 }], ["convert_currency", { amount: 1350, from_currency: "MXN", to_currency: "USD" }]),
  both("Counting from 2026-01-20: which date is 100 days later, and how long is it until 2026-09-01 in days?", ["add_days", { date: "2026-01-20", days: 100 }], ["days_between", { start_date: "2026-01-20", end_date: "2026-09-01" }]),
  both("how many hours is Dubai ahead of London, and what time will it be in Dubai at 18:00 UTC?", ["time_difference", { from_city: "London", to_city: "Dubai" }], ["get_local_time", { city: "Dubai", utc_time: "18:00" }]),

  // No offered tool serves these: the right answer is no call.
  none("Can you book me a hotel room in Paris from 2026-07-15 to 2026-07-18?", ["get_weather", "convert_currency"], "Sorry, I can't make hotel bookings: none of the tools I have here do reservations."),
  none("Do you know if it'll be sunny in Madrid on 2026-05-05?", ["convert_temperature", "flight_status"], "I can't look up forecasts with the tools I have right now, sorry."),
  none("thanks so much, that was really helpful!!", ["calculate", "is_prime"], "You're welcome! Happy to help."),
  none("Write me a short poem about autumn leaves", ["word_count", "average"], "Red and gold they drift and fall, / whispering softly to the wall; / the year exhales, the branches bare, / and autumn lingers in the air."),
  none("who won the world cup in 2018?", ["calculate", "days_between"], "France won the 2018 FIFA World Cup."),
  none("Remind me to call the dentist tomorrow at 10:00.", ["get_local_time", "add_days"], "I can't set reminders with the tools I have, sorry."),
  none("Convert this PDF to a Word document please", ["convert_length", "convert_mass"], "Sorry, I can't convert files: my tools only handle lengths and weights."),
  none("How do you say thank you in Japanese?", ["get_exchange_rate", "time_difference"], "'Thank you' in Japanese is 'arigatou' (ありがとう)."),
  none("any mechanical keyboards left in the warehouse?", ["get_product_price", "calculate_tip"], "I can look up prices, but none of my tools here can check stock, sorry."),
  none("what's the square root of 1849?", ["calculate", "percentage_of"], "The square root of 1849 is 43."),
  none("hey there, what's up?", ["check_stock", "get_weather"], "Not much! What can I do for you today?"),
  none("Cancel my flight DL44 and get me a refund.", ["flight_status", "convert_currency"], "Sorry, I can't cancel flights or issue refunds; please contact the airline."),
  none("Can you recommend a good sushi place in Tokyo?", ["get_local_time", "get_weather"], "I can't search restaurants with my tools, but a local guide or map app will have good sushi picks in Tokyo."),
  none("How is BMI actually worked out? Just curious about the formula, no need to calculate anything.", ["calculate_bmi", "average"], "BMI is your weight in kilograms divided by the square of your height in metres."),
  none("Send 200 EUR to my brother's bank account.", ["convert_currency", "get_exchange_rate"], "Sorry, I can't send money: none of my tools make payments."),
  none("Translate 'where is the train station' into German", ["word_count", "convert_length"], "In German: 'Wo ist der Bahnhof?'"),
];

const scale = (unit: string) => (unit === "kelvin" ? "kelvin" : `degrees ${unit}`);

/** A short final answer quoting the result, in words of its own (not synth's answer templates). */
const ANSWERS: Record<string, (a: Record<string, any>, r: Record<string, any>) => string> = {
  convert_length: (a, r) => `${a.value} ${a.from_unit} comes to ${r.result} ${r.unit}.`,
  convert_mass: (a, r) => `${a.value} ${a.from_unit} comes to ${r.result} ${r.unit}.`,
  convert_temperature: (a, r) => `${a.value} ${scale(a.from_unit)} is ${r.result} ${scale(r.unit)}.`,
  convert_currency: (a, r) => `${a.amount} ${a.from_currency} converts to ${r.converted} ${r.currency}.`,
  get_exchange_rate: (a, r) => `1 ${a.base} is ${r.rate} ${a.target} at the moment.`,
  calculate_tip: (_a, r) => `The tip comes to ${r.tip}, for a total of ${r.total}${r.per_person === undefined ? "" : `, or ${r.per_person} per person`}.`,
  compound_interest: (_a, r) => `The balance would reach ${r.balance}, including ${r.interest} of interest.`,
  loan_payment: (_a, r) => `That's ${r.monthly_payment} per month, ${r.total_paid} over the whole loan.`,
  calculate: (_a, r) => `The result is ${r.result}.`,
  percentage_of: (a, r) => `${a.percent}% of ${a.value} comes to ${r.result}.`,
  is_prime: (a, r) => (r.is_prime ? `${a.number} is a prime.` : `${a.number} isn't a prime.`),
  average: (_a, r) => `The mean comes to ${r.mean}.`,
  calculate_bmi: (_a, r) => `That works out to a BMI of ${r.bmi} (${r.category}).`,
  word_count: (_a, r) => `I count ${r.words} words.`,
  add_days: (_a, r) => `That lands on ${r.date}.`,
  day_of_week: (a, r) => `${a.date} falls on a ${r.weekday}.`,
  days_between: (_a, r) => `It's ${r.days} days.`,
  get_weather: (a, r) => `${a.city} on ${a.date}: ${r.condition}, around ${r.temperature_c}°C.`,
  get_local_time: (a, r) => `${a.city} will be at ${r.local_time} (UTC${r.utc_offset}).`,
  time_difference: (a, r) => (r.hours_ahead < 0 ? `${a.to_city} runs ${-r.hours_ahead} hours behind ${a.from_city}.` : `${a.to_city} runs ${r.hours_ahead} hours ahead of ${a.from_city}.`),
  flight_status: (a, r) => `${a.flight_number} (${r.from} → ${r.to}, departing ${r.departs}) is ${r.status}.`,
  get_product_price: (a, r) => `The price of the ${a.product} is ${r.price} ${r.currency}.`,
  check_stock: (a, r) => (r.in_stock === 0 ? `The ${a.product} is sold out right now.` : `Stock for the ${a.product}: ${r.in_stock} units.`),
};

/** The offered tools: the called ones plus `other`, or `offer` for a no-call request. */
export function offeredTools(req: Request): string[] {
  if ("offer" in req) return [...req.offer];
  const called = [...new Set(req.calls.map(([name]) => name))];
  return req.other ? [...called, req.other] : called;
}

export const kindOf = (req: Request): "single" | "parallel" | "no_call" => (req.calls.length === 0 ? "no_call" : req.calls.length === 1 ? "single" : "parallel");

const hashOf = (text: string): number => createHash("sha256").update(text).digest().readUInt32BE(0);

/** The OpenAI-shape entry synth writes for a tool with `schemas: compact`. */
export const compactTool = (name: string) => ({ type: "function" as const, function: compactSchema(toolCatalog[name].schema) });

type Message = Record<string, Json>;

/** One JSONL record: OpenAI messages + tools, as `ingest` reads them. */
export function recordOf(req: Request, index: number): Record<string, Json> {
  for (const name of offeredTools(req)) if (!Object.hasOwn(toolCatalog, name)) throw new Error(`hw-${index + 1}: no catalog tool '${name}'`);
  // The needed tool is not always first (synth shuffles the offered ones).
  const tools = offeredTools(req);
  if (hashOf(req.user) % 2 === 1) tools.reverse();
  const messages: Message[] = [
    { role: "system", content: SYSTEM_PROMPT },
    { role: "user", content: req.user },
  ];
  if ("offer" in req) {
    messages.push({ role: "assistant", content: req.reply, reasoning_content: "None of the offered tools does this, so I'll answer without a call." });
  } else {
    const names = req.calls.map(([name]) => name);
    const think = names.length === 1 ? `This is a job for ${names[0]}; the values are all in the request.`
      : names[0] === names[1] ? `Two values, so two ${names[0]} calls at once.`
      : `Two separate things: ${names[0]} and ${names[1]}, both at once.`;
    const ids = req.calls.map((_, i) => `call_${i + 1}`);
    messages.push({
      role: "assistant",
      content: null,
      reasoning_content: think,
      tool_calls: req.calls.map(([name, args], i) => ({ id: ids[i], type: "function", function: { name, arguments: JSON.stringify(args) } })),
    });
    const results: ToolResult[] = req.calls.map(([name, args]) => {
      const result = runTool(name, args);
      if ("error" in result) throw new Error(`hw-${index + 1}: ${name} cannot serve ${JSON.stringify(args)}: ${String(result.error)}`);
      return result;
    });
    req.calls.forEach(([name], i) => messages.push({ role: "tool", tool_call_id: ids[i], name, content: JSON.stringify(results[i]) }));
    messages.push({ role: "assistant", content: req.calls.map(([name, args], i) => ANSWERS[name](args, results[i])).join(" ") });
  }
  return { hw: `hw-${String(index + 1).padStart(3, "0")}`, kind: kindOf(req), messages, tools: tools.map(compactTool) };
}

/** The whole file's text: one record per line. */
export const handwrittenJsonl = (): string => REQUESTS.map((r, i) => JSON.stringify(recordOf(r, i)) + "\n").join("");

export const HANDWRITTEN_FILE = fileURLToPath(new URL("./handwritten.jsonl", import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(HANDWRITTEN_FILE, handwrittenJsonl());
  const kinds = REQUESTS.reduce<Record<string, number>>((n, r) => ({ ...n, [kindOf(r)]: (n[kindOf(r)] ?? 0) + 1 }), {});
  console.log(`wrote ${REQUESTS.length} requests to ${HANDWRITTEN_FILE} (${JSON.stringify(kinds)})`);
}
