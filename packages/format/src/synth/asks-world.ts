/** Asks for the calendar, world (weather, clocks, flights) and store tools. */
import type { Ask } from "./ask.js";
import { distinct } from "./ask.js";
import { cityPool, drawClock, drawDate, drawInt, flightPool, pickIn, productPool } from "./pools.js";

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
      draw: (rng, split, first) => ({ args: { date: distinct(() => drawDate(rng, split), first.args.date) }, x: {} }),
      asks: ["What weekdays are {a.date} and {a2.date}?", "Which days of the week are {a.date} and {a2.date}?", "Tell me the weekday of {a.date} and of {a2.date}.", "On what days do {a.date} and {a2.date} fall?"],
    },
  },
  {
    id: "days_between",
    tool: "days_between",
    draw(rng, split) {
      const start_date = drawDate(rng, split);
      const end_date = distinct(() => drawDate(rng, split), start_date);
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
      draw: (rng, split, first) => ({ args: { ...first.args, city: distinct(() => pickIn(rng, split, cityPool), first.args.city) }, x: {} }),
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
      draw: (rng, split, first) => ({ args: { ...first.args, city: distinct(() => pickIn(rng, split, cityPool), first.args.city) }, x: {} }),
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
      return { args: { from_city, to_city: distinct(() => pickIn(rng, split, cityPool), from_city) }, x: {} };
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
    asks: ["How much does the {a.product} cost?", "What's the price of the {a.product}?", "[Check|Look up] the price of the {a.product}.", "How much are you selling the {a.product} for?"],
    answers: ["The {a.product} costs {r.price} {r.currency}.", "It's {r.price} {r.currency}."],
    pair: {
      draw: (rng, split, first) => ({ args: { product: distinct(() => pickIn(rng, split, productPool), first.args.product) }, x: {} }),
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

export const WORLD_ASKS: Ask[] = [...dates, ...world, ...shop];
