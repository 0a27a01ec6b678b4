/** Asks for the numeric tools: unit and currency conversion, money, arithmetic, health, text. */
import type { Ask } from "./ask.js";
import { distinct } from "./ask.js";
import { SENTENCES, draw, drawInt, drawMoney, drawPair, pickIn, type Split } from "./pools.js";
import type { Rng } from "./rng.js";

function unitAsk(tool: string, noun: string, words: Record<string, string>, value: (rng: Rng) => number): Ask {
  const units = Object.keys(words);
  return {
    id: tool,
    tool,
    draw(rng, split) {
      const from_unit = rng.pick(units);
      const to_unit = distinct(() => rng.pick(units), from_unit);
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
      draw: (rng, split, first) => ({ args: { ...first.args, value: distinct(() => draw(rng, split, () => value(rng)), first.args.value) }, x: first.x }),
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
      const to_unit = distinct(() => rng.pick(["celsius", "fahrenheit", "kelvin"]), from_unit);
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
        const to = distinct(() => drawPair(rng, split, from)[1], first.args.to_currency);
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
    goal: "the tip at {a.tip_percent}% on {a.bill}",
    asks: [
      "What's the tip at {a.tip_percent}% on a bill of {a.bill}?",
      "Calculate the tip at {a.tip_percent} percent for {a.bill} dollars.",
      "Our bill is {a.bill}. What's the total if we tip {a.tip_percent}%?",
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
      "Split a bill of {a.bill} between {a.people} people, tipping {a.tip_percent}%.",
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
      "What's the monthly payment on a loan of {a.principal} at {a.annual_rate}% for {a.years} years?",
      "I'm borrowing {a.principal} over {a.years} years at {a.annual_rate}%. How much per month?",
      "Calculate the monthly installment for {a.principal} at {a.annual_rate} percent over {a.years} years.",
      "How much would I pay each month on a loan of {a.principal} over {a.years} years at {a.annual_rate}%?",
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
      draw: (rng, split, first) => ({ args: { number: distinct(() => drawInt(rng, split, 2, 20000), first.args.number) }, x: {} }),
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

export const NUMBER_ASKS: Ask[] = [...units, ...money, ...math];
