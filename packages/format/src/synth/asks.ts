/**
 * How people ask for each catalog tool: a draw of arguments from the split's value pools, several
 * phrasings (every fourth held out for test, see `templateSplit`), what the think text says the
 * call is for, and final answers that quote the result. `pair` makes the parallel form: a second
 * call of the same tool, phrased together with the first.
 */
import type { Json, ToolResult } from "./catalog/tool.js";
import {
  SENTENCES, cityPool, draw, drawClock, drawDate, drawInt, drawMoney, drawPair, flightPool, pickIn, productPool, type Split,
} from "./pools.js";
import type { Rng } from "./rng.js";

export type Args = Record<string, Json>;
/** Drawn arguments plus display words (`x`) the phrasings need, e.g. "miles" for "mi". */
export interface Drawn {
  args: Args;
  x: Record<string, Json>;
}

export interface Ask {
  /** Unique; the tool name unless one tool has several ways of being asked for. */
  id: string;
  tool: string;
  draw(rng: Rng, split: Split): Drawn;
  /** Noun phrase for the think text, with `{a.*}` / `{x.*}` slots. */
  goal: string;
  asks: string[];
  /** Final answers, with `{a.*}`, `{x.*}` and `{r.*}` (result) slots; a function when the result picks the wording. */
  answers: string[] | ((result: ToolResult) => string[]);
  pair?: { draw(rng: Rng, split: Split, first: Drawn): Drawn; asks: string[] };
}

const distinct = <T>(rng: Rng, pick: () => T, not: T): T => {
  for (let i = 0; i < 100; i++) {
    const v = pick();
    if (v !== not) return v;
  }
  throw new Error("distinct: no other value in the pool");
};

function unitAsk(tool: string, noun: string, words: Record<string, string>, value: (rng: Rng) => number): Ask {
  const units = Object.keys(words);
  return {
    id: tool,
    tool,
    draw(rng, split) {
      const from_unit = rng.pick(units);
      const to_unit = distinct(rng, () => rng.pick(units), from_unit);
      const args = { value: draw(rng, split, () => value(rng)), from_unit, to_unit };
      return { args, x: { from: words[from_unit], to: words[to_unit] } };
    },
    goal: `{a.value} {x.from} in {x.to}`,
    asks: [
      "How many {x.to} [are in|make] {a.value} {x.from}?",
      "[Convert|Please convert] {a.value} {x.from} to {x.to}.",
      "What is {a.value} {x.from} in {x.to}?",
      `I have a ${noun} of {a.value} {x.from}. How much is that in {x.to}?`,
      "{a.value} {x.from} to {x.to}, [please|thanks].",
    ],
    answers: ["{a.value} {x.from} is {r.result} {r.unit}.", "That's {r.result} {r.unit}."],
    pair: {
      draw: (rng, split, first) => ({ args: { ...first.args, value: distinct(rng, () => draw(rng, split, () => value(rng)), first.args.value) }, x: first.x }),
      asks: [
        "Convert {a.value} {x.from} and {a2.value} {x.from} to {x.to}.",
        "How many {x.to} are {a.value} {x.from} and {a2.value} {x.from}?",
        "What are {a.value} and {a2.value} {x.from} in {x.to}?",
        "I need {a.value} {x.from} and also {a2.value} {x.from} expressed in {x.to}.",
      ],
    },
  };
}

const decimalOrWhole = (rng: Rng, lo: number, hi: number) => (rng.chance(0.7) ? rng.int(lo, hi) : rng.int(lo * 10, hi * 10) / 10);

const units: Ask[] = [
  unitAsk("convert_length", "length", { mm: "millimetres", cm: "centimetres", m: "metres", km: "kilometres", in: "inches", ft: "feet", yd: "yards", mi: "miles" }, (rng) => decimalOrWhole(rng, 1, 500)),
  unitAsk("convert_mass", "weight", { g: "grams", kg: "kilograms", oz: "ounces", lb: "pounds", st: "stone", t: "tonnes" }, (rng) => decimalOrWhole(rng, 1, 500)),
  {
    id: "convert_temperature",
    tool: "convert_temperature",
    draw(rng, split) {
      const words: Record<string, string> = { celsius: "degrees Celsius", fahrenheit: "degrees Fahrenheit", kelvin: "kelvin" };
      const from_unit = rng.pick(["celsius", "fahrenheit", "kelvin"]);
      const to_unit = distinct(rng, () => rng.pick(["celsius", "fahrenheit", "kelvin"]), from_unit);
      const value = draw(rng, split, () => (from_unit === "kelvin" ? rng.int(200, 400) : rng.int(-30, 110)));
      return { args: { value, from_unit, to_unit }, x: { from: words[from_unit], to: words[to_unit] } };
    },
    goal: "{a.value} {x.from} in {x.to}",
    asks: [
      "What is {a.value} {x.from} in {x.to}?",
      "Convert {a.value} {x.from} to {x.to}.",
      "It's {a.value} {x.from} [outside|here]. What's that in {x.to}?",
      "How much is {a.value} {x.from} in {x.to}?",
    ],
    answers: ["{a.value} {x.from} equals {r.result} {r.unit}.", "That's {r.result} on the {r.unit} scale."],
  },
];

const money: Ask[] = [
  {
    id: "convert_currency",
    tool: "convert_currency",
    draw(rng, split) {
      const [from_currency, to_currency] = drawPair(rng, split);
      return { args: { amount: drawMoney(rng, split, 1, 5000), from_currency, to_currency }, x: {} };
    },
    goal: "{a.amount} {a.from_currency} in {a.to_currency}",
    asks: [
      "Convert {a.amount} {a.from_currency} to {a.to_currency}.",
      "How much is {a.amount} {a.from_currency} in {a.to_currency}?",
      "[I have|I've got] {a.amount} {a.from_currency}. What is that in {a.to_currency}?",
      "What would {a.amount} {a.from_currency} be worth in {a.to_currency}?",
      "Exchange {a.amount} {a.from_currency} into {a.to_currency}, please.",
    ],
    answers: ["{a.amount} {a.from_currency} is {r.converted} {r.currency}.", "That comes to {r.converted} {r.currency}."],
    pair: {
      draw(rng, split, first) {
        const from = String(first.args.from_currency);
        const to = distinct(rng, () => drawPair(rng, split, from)[1], first.args.to_currency);
        return { args: { ...first.args, to_currency: to }, x: {} };
      },
      asks: [
        "Convert {a.amount} {a.from_currency} to {a.to_currency} and to {a2.to_currency}.",
        "How much is {a.amount} {a.from_currency} in {a.to_currency} and in {a2.to_currency}?",
        "What's {a.amount} {a.from_currency} in both {a.to_currency} and {a2.to_currency}?",
        "I need {a.amount} {a.from_currency} expressed in {a.to_currency} and {a2.to_currency}.",
      ],
    },
  },
  {
    id: "get_exchange_rate",
    tool: "get_exchange_rate",
    draw(rng, split) {
      const [base, target] = drawPair(rng, split);
      return { args: { base, target }, x: {} };
    },
    goal: "the {a.base} to {a.target} exchange rate",
    asks: [
      "What's the exchange rate from {a.base} to {a.target}?",
      "How many {a.target} do I get for one {a.base}?",
      "[Give me|Tell me] the {a.base} to {a.target} rate.",
      "What is one {a.base} worth in {a.target} right now?",
    ],
    answers: ["One {a.base} buys {r.rate} {a.target}.", "The rate is {r.rate} {a.target} per {a.base}."],
  },
  {
    id: "calculate_tip",
    tool: "calculate_tip",
    draw: (rng, split) => ({ args: { bill: drawMoney(rng, split, 10, 400), tip_percent: drawInt(rng, split, 10, 25) }, x: {} }),
    goal: "a {a.tip_percent}% tip on {a.bill}",
    asks: [
      "What's a {a.tip_percent}% tip on a {a.bill} bill?",
      "Calculate a {a.tip_percent} percent tip for {a.bill} dollars.",
      "Our bill is {a.bill}. How much is the total with a {a.tip_percent}% tip?",
      "I want to leave {a.tip_percent}% on {a.bill}. What's the tip?",
    ],
    answers: ["The tip is {r.tip} and the total is {r.total}.", "Tip: {r.tip}, total: {r.total}."],
  },
  {
    id: "calculate_tip_split",
    tool: "calculate_tip",
    draw: (rng, split) => ({
      args: { bill: drawMoney(rng, split, 20, 600), tip_percent: drawInt(rng, split, 10, 25), people: drawInt(rng, split, 2, 9) },
      x: {},
    }),
    goal: "each share of {a.bill} plus {a.tip_percent}% split {a.people} ways",
    asks: [
      "Split a {a.bill} bill between {a.people} people with a {a.tip_percent}% tip.",
      "We're {a.people} people, the bill is {a.bill} and we tip {a.tip_percent}%. How much each?",
      "How much does each of {a.people} friends pay on {a.bill} plus {a.tip_percent}% tip?",
      "Bill of {a.bill}, {a.tip_percent}% tip, divided by {a.people}: what's each share?",
    ],
    answers: ["The tip is {r.tip}, the total {r.total}, so each person pays {r.per_person}."],
  },
  {
    id: "compound_interest",
    tool: "compound_interest",
    draw: (rng, split) => ({
      args: {
        principal: draw(rng, split, () => rng.int(10, 500) * 100),
        annual_rate: draw(rng, split, () => rng.int(5, 80) / 10),
        years: drawInt(rng, split, 1, 30),
      },
      x: {},
    }),
    goal: "what {a.principal} grows to at {a.annual_rate}% over {a.years} years",
    asks: [
      "If I invest {a.principal} at {a.annual_rate}% for {a.years} years, how much will I have?",
      "What will {a.principal} grow to in {a.years} years at {a.annual_rate}% interest?",
      "Compute compound interest on {a.principal} at {a.annual_rate}% over {a.years} years.",
      "How much interest does {a.principal} earn at {a.annual_rate}% a year after {a.years} years?",
    ],
    answers: ["After {a.years} years you'd have {r.balance}, of which {r.interest} is interest."],
  },
  {
    id: "loan_payment",
    tool: "loan_payment",
    draw: (rng, split) => ({
      args: {
        principal: draw(rng, split, () => rng.int(10, 600) * 100),
        annual_rate: draw(rng, split, () => rng.int(20, 120) / 10),
        years: drawInt(rng, split, 1, 30),
      },
      x: {},
    }),
    goal: "the monthly payment on {a.principal} at {a.annual_rate}% over {a.years} years",
    asks: [
      "What's the monthly payment on a {a.principal} loan at {a.annual_rate}% for {a.years} years?",
      "I'm borrowing {a.principal} over {a.years} years at {a.annual_rate}%. How much per month?",
      "Calculate the monthly installment for {a.principal} at {a.annual_rate} percent, {a.years}-year term.",
      "How much would I pay each month on a {a.years}-year loan of {a.principal} at {a.annual_rate}%?",
    ],
    answers: ["You'd pay {r.monthly_payment} a month, {r.total_paid} in total."],
  },
];

const OPERATION_WORDS: Record<string, string> = { add: "plus", subtract: "minus", multiply: "times", divide: "divided by" };
const operand = (rng: Rng, split: Split) => draw(rng, split, () => (rng.chance(0.8) ? rng.int(2, 999) : rng.int(10, 9999) / 10));

const math: Ask[] = [
  {
    id: "calculate",
    tool: "calculate",
    draw(rng, split) {
      const operation = rng.pick(Object.keys(OPERATION_WORDS));
      return { args: { a: operand(rng, split), b: operand(rng, split), operation }, x: { op: OPERATION_WORDS[operation] } };
    },
    goal: "{a.a} {x.op} {a.b}",
    asks: ["What is {a.a} {x.op} {a.b}?", "Calculate {a.a} {x.op} {a.b}.", "[Can you work out|Please compute] {a.a} {x.op} {a.b}?", "Quick math: {a.a} {x.op} {a.b}?"],
    answers: ["{a.a} {x.op} {a.b} is {r.result}.", "The answer is {r.result}."],
    pair: {
      draw: (rng, split, first) => ({ args: { ...first.args, a: operand(rng, split), b: operand(rng, split) }, x: first.x }),
      asks: [
        "What are {a.a} {x.op} {a.b} and {a2.a} {x.op} {a2.b}?",
        "Calculate {a.a} {x.op} {a.b}, and also {a2.a} {x.op} {a2.b}.",
        "Two sums for you: {a.a} {x.op} {a.b} and {a2.a} {x.op} {a2.b}.",
        "Work out both {a.a} {x.op} {a.b} and {a2.a} {x.op} {a2.b}.",
      ],
    },
  },
  {
    id: "percentage_of",
    tool: "percentage_of",
    draw: (rng, split) => ({ args: { percent: drawInt(rng, split, 1, 95), value: drawMoney(rng, split, 10, 5000) }, x: {} }),
    goal: "{a.percent}% of {a.value}",
    asks: ["What is {a.percent}% of {a.value}?", "Calculate {a.percent} percent of {a.value}.", "How much is {a.percent}% of {a.value}?", "Find {a.percent}% of {a.value} for me."],
    answers: ["{a.percent}% of {a.value} is {r.result}."],
  },
  {
    id: "is_prime",
    tool: "is_prime",
    draw: (rng, split) => ({ args: { number: drawInt(rng, split, 2, 20000) }, x: {} }),
    goal: "whether {a.number} is prime",
    asks: ["Is {a.number} a prime number?", "Check whether {a.number} is prime.", "[Tell me if|Can you tell me whether] {a.number} is prime.", "Is {a.number} prime or not?"],
    answers: (r) => (r.is_prime ? ["Yes, {a.number} is prime."] : ["No, {a.number} is not prime."]),
    pair: {
      draw: (rng, split, first) => ({ args: { number: distinct(rng, () => drawInt(rng, split, 2, 20000), first.args.number) }, x: {} }),
      asks: ["Are {a.number} and {a2.number} prime?", "Check if {a.number} and {a2.number} are prime numbers.", "Which of {a.number} and {a2.number} is prime?", "Tell me whether {a.number} and {a2.number} are primes."],
    },
  },
  {
    id: "average",
    tool: "average",
    draw: (rng, split) => ({ args: { numbers: Array.from({ length: rng.int(3, 6) }, () => drawInt(rng, split, 1, 100)) }, x: {} }),
    goal: "the mean of {a.numbers}",
    asks: ["What's the average of {a.numbers}?", "Compute the mean of {a.numbers}.", "My scores were {a.numbers}. What's my average?", "Average these numbers: {a.numbers}."],
    answers: ["The average is {r.mean}.", "The mean of those numbers is {r.mean}."],
  },
  {
    id: "calculate_bmi",
    tool: "calculate_bmi",
    draw: (rng, split) => ({ args: { weight_kg: drawInt(rng, split, 45, 130), height_cm: drawInt(rng, split, 150, 200) }, x: {} }),
    goal: "the BMI for {a.weight_kg} kg and {a.height_cm} cm",
    asks: [
      "What's my BMI? I weigh {a.weight_kg} kg and I'm {a.height_cm} cm tall.",
      "Calculate the BMI for {a.weight_kg} kg and {a.height_cm} cm.",
      "I'm {a.height_cm} cm and {a.weight_kg} kg. What is my body mass index?",
      "BMI for someone {a.height_cm} cm tall weighing {a.weight_kg} kg?",
    ],
    answers: ["Your BMI is {r.bmi}, which is {r.category}.", "A BMI of {r.bmi} ({r.category})."],
  },
  {
    id: "word_count",
    tool: "word_count",
    draw: (rng, split) => ({ args: { text: pickIn(rng, split, SENTENCES) }, x: {} }),
    goal: "the number of words in the text",
    asks: ['How many words are in "{a.text}"?', "Count the words in this sentence: {a.text}", 'Word count for: "{a.text}"', 'How many words does "{a.text}" have?'],
    answers: ["It has {r.words} words.", "That sentence contains {r.words} words."],
  },
];

const dates: Ask[] = [
  {
    id: "add_days",
    tool: "add_days",
    draw: (rng, split) => ({ args: { date: drawDate(rng, split), days: drawInt(rng, split, 1, 365) }, x: {} }),
    goal: "the date {a.days} days after {a.date}",
    asks: ["What date is {a.days} days after {a.date}?", "Add {a.days} days to {a.date}.", "If today is {a.date}, what's the date in {a.days} days?", "Which date falls {a.days} days from {a.date}?"],
    answers: ["{a.days} days after {a.date} is {r.date}.", "It will be {r.date}."],
  },
  {
    id: "day_of_week",
    tool: "day_of_week",
    draw: (rng, split) => ({ args: { date: drawDate(rng, split) }, x: {} }),
    goal: "the weekday of {a.date}",
    asks: ["What day of the week is {a.date}?", "Which weekday does {a.date} fall on?", "What day is {a.date}?", "Tell me the day of the week for {a.date}."],
    answers: ["{a.date} is a {r.weekday}.", "It falls on a {r.weekday}."],
    pair: {
      draw: (rng, split, first) => ({ args: { date: distinct(rng, () => drawDate(rng, split), first.args.date) }, x: {} }),
      asks: ["What weekdays are {a.date} and {a2.date}?", "Which days of the week are {a.date} and {a2.date}?", "Tell me the weekday of {a.date} and of {a2.date}.", "On what days do {a.date} and {a2.date} fall?"],
    },
  },
  {
    id: "days_between",
    tool: "days_between",
    draw(rng, split) {
      const start_date = drawDate(rng, split);
      const end_date = distinct(rng, () => drawDate(rng, split), start_date);
      const [a, b] = [start_date, end_date].sort();
      return { args: { start_date: a, end_date: b }, x: {} };
    },
    goal: "the days from {a.start_date} to {a.end_date}",
    asks: [
      "How many days are there between {a.start_date} and {a.end_date}?",
      "Count the days from {a.start_date} to {a.end_date}.",
      "How long is it from {a.start_date} until {a.end_date}, in days?",
      "Number of days between {a.start_date} and {a.end_date}?",
    ],
    answers: ["There are {r.days} days between {a.start_date} and {a.end_date}.", "That's {r.days} days."],
  },
];

const world: Ask[] = [
  {
    id: "get_weather",
    tool: "get_weather",
    draw: (rng, split) => ({ args: { city: pickIn(rng, split, cityPool), date: drawDate(rng, split) }, x: {} }),
    goal: "the weather in {a.city} on {a.date}",
    asks: [
      "What's the weather in {a.city} on {a.date}?",
      "[Will it rain|What's the forecast] in {a.city} on {a.date}?",
      "I'm visiting {a.city} on {a.date}. How's the weather going to be?",
      "Weather forecast for {a.city}, {a.date}?",
      "How warm will it be in {a.city} on {a.date}?",
    ],
    answers: ["On {a.date} {a.city} will be {r.condition} at {r.temperature_c}°C.", "Expect {r.condition} and {r.temperature_c}°C in {a.city}."],
    pair: {
      draw: (rng, split, first) => ({ args: { ...first.args, city: distinct(rng, () => pickIn(rng, split, cityPool), first.args.city) }, x: {} }),
      asks: [
        "What's the weather in {a.city} and {a2.city} on {a.date}?",
        "Compare the forecast for {a.city} and {a2.city} on {a.date}.",
        "How's the weather on {a.date} in {a.city} and in {a2.city}?",
        "Forecast for {a.city} and {a2.city}, {a.date}?",
      ],
    },
  },
  {
    id: "get_local_time",
    tool: "get_local_time",
    draw: (rng, split) => ({ args: { city: pickIn(rng, split, cityPool), utc_time: drawClock(rng, split) }, x: {} }),
    goal: "the local time in {a.city} at {a.utc_time} UTC",
    asks: [
      "What time is it in {a.city} when it's {a.utc_time} UTC?",
      "Convert {a.utc_time} UTC to {a.city} local time.",
      "If it's {a.utc_time} in UTC, what's the time in {a.city}?",
      "{a.utc_time} UTC is what time in {a.city}?",
    ],
    answers: ["It's {r.local_time} in {a.city} (UTC{r.utc_offset}).", "{a.city} is at UTC{r.utc_offset}, so it's {r.local_time} there."],
    pair: {
      draw: (rng, split, first) => ({ args: { ...first.args, city: distinct(rng, () => pickIn(rng, split, cityPool), first.args.city) }, x: {} }),
      asks: [
        "At {a.utc_time} UTC, what time is it in {a.city} and in {a2.city}?",
        "Convert {a.utc_time} UTC to local time in {a.city} and {a2.city}.",
        "What are the local times in {a.city} and {a2.city} when it's {a.utc_time} UTC?",
        "It's {a.utc_time} UTC. What time is it in {a.city} and {a2.city}?",
      ],
    },
  },
  {
    id: "time_difference",
    tool: "time_difference",
    draw(rng, split) {
      const from_city = pickIn(rng, split, cityPool);
      return { args: { from_city, to_city: distinct(rng, () => pickIn(rng, split, cityPool), from_city) }, x: {} };
    },
    goal: "the time difference between {a.from_city} and {a.to_city}",
    asks: [
      "How many hours ahead of {a.from_city} is {a.to_city}?",
      "What's the time difference between {a.from_city} and {a.to_city}?",
      "If I fly from {a.from_city} to {a.to_city}, how much do I change my clock?",
      "Time difference from {a.from_city} to {a.to_city}?",
    ],
    answers: (r) =>
      Number(r.hours_ahead) > 0
        ? ["{a.to_city} is {r.hours_ahead} hours ahead of {a.from_city}."]
        : Number(r.hours_ahead) < 0
          ? ["{a.to_city} is behind {a.from_city}: the difference is {r.hours_ahead} hours."]
          : ["{a.from_city} and {a.to_city} keep the same time ({r.hours_ahead} hours difference)."],
  },
  {
    id: "flight_status",
    tool: "flight_status",
    draw: (rng, split) => ({ args: { flight_number: pickIn(rng, split, flightPool) }, x: {} }),
    goal: "the status of flight {a.flight_number}",
    asks: ["What's the status of flight {a.flight_number}?", "Is flight {a.flight_number} on time?", "Can you check flight {a.flight_number} for me?", "Any news on flight {a.flight_number}?"],
    answers: ["Flight {a.flight_number} from {r.from} to {r.to} (departs {r.departs}) is {r.status}.", "{a.flight_number}, {r.from} to {r.to} at {r.departs}: {r.status}."],
  },
];

const shop: Ask[] = [
  {
    id: "get_product_price",
    tool: "get_product_price",
    draw: (rng, split) => ({ args: { product: pickIn(rng, split, productPool) }, x: {} }),
    goal: "the price of the {a.product}",
    asks: ["How much does the {a.product} cost?", "What's the price of a {a.product}?", "[Check|Look up] the price of the {a.product}.", "How much are you selling the {a.product} for?"],
    answers: ["The {a.product} costs {r.price} {r.currency}.", "It's {r.price} {r.currency}."],
    pair: {
      draw: (rng, split, first) => ({ args: { product: distinct(rng, () => pickIn(rng, split, productPool), first.args.product) }, x: {} }),
      asks: ["How much are the {a.product} and the {a2.product}?", "Prices for the {a.product} and the {a2.product}, please.", "What do the {a.product} and the {a2.product} cost?", "Compare the prices of the {a.product} and the {a2.product}."],
    },
  },
  {
    id: "check_stock",
    tool: "check_stock",
    draw: (rng, split) => ({ args: { product: pickIn(rng, split, productPool) }, x: {} }),
    goal: "the stock of the {a.product}",
    asks: ["Is the {a.product} in stock?", "How many of the {a.product} do you have left?", "Do you still have the {a.product} available?", "Check stock for the {a.product}."],
    answers: (r) =>
      r.in_stock === 0 ? ["Sorry, the {a.product} is out of stock ({r.in_stock} left)."] : ["Yes, {r.in_stock} units of the {a.product} are in stock."],
  },
];

export const ASKS: Ask[] = [...units, ...money, ...math, ...dates, ...world, ...shop];
