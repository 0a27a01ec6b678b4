/**
 * Multi-step requests: the second call needs the first call's result (call → response → call →
 * answer). Slots: `a`/`r` first call's arguments/result, `a2`/`r2` the second's, `x` values the
 * user states that only the second call uses.
 */
import type { ToolResult } from "./catalog/tool.js";
import type { Args, Drawn } from "./asks.js";
import { cityPool, drawDate, drawInt, drawPair, flightPool, pickIn, productPool, type Split } from "./pools.js";
import type { Rng } from "./rng.js";

export interface Chain {
  id: string;
  tools: [string, string];
  draw(rng: Rng, split: Split): Drawn;
  /** The second call's arguments, built from the first result. */
  next(first: Drawn, result: ToolResult): Args;
  asks: string[];
  think1: string;
  think2: string;
  answers: string[];
}

export const CHAINS: Chain[] = [
  {
    id: "price_in_currency",
    tools: ["get_product_price", "convert_currency"],
    draw: (rng, split) => ({ args: { product: pickIn(rng, split, productPool) }, x: { to: drawPair(rng, split, "USD")[1] } }),
    next: (first, r) => ({ amount: r.price, from_currency: "USD", to_currency: first.x.to }),
    asks: [
      "How much is the {a.product} in {x.to}?",
      "What does the {a.product} cost in {x.to}?",
      "Give me the price of the {a.product} converted to {x.to}.",
      "I pay in {x.to}. What's the {a.product} going to cost me?",
    ],
    think1: "I'll look up the price of the {a.product} first, then convert it to {x.to}.",
    think2: "The {a.product} costs {r.price} USD; now I'll convert that to {x.to}.",
    answers: ["The {a.product} costs {r.price} USD, which is {r2.converted} {r2.currency}.", "That's {r2.converted} {r2.currency} ({r.price} USD)."],
  },
  {
    id: "weekday_after",
    tools: ["add_days", "day_of_week"],
    draw: (rng, split) => ({ args: { date: drawDate(rng, split), days: drawInt(rng, split, 1, 365) }, x: {} }),
    next: (_, r) => ({ date: r.date }),
    asks: [
      "What day of the week will it be {a.days} days after {a.date}?",
      "If I start on {a.date}, which weekday is {a.days} days later?",
      "{a.days} days from {a.date}: what weekday is that?",
      "Which day of the week falls {a.days} days after {a.date}?",
    ],
    think1: "I need the date {a.days} days after {a.date} first, then its weekday.",
    think2: "That date is {r.date}; now I'll find its weekday.",
    answers: ["{a.days} days after {a.date} is {r.date}, a {r2.weekday}.", "It will be a {r2.weekday} ({r.date})."],
  },
  {
    id: "weather_fahrenheit",
    tools: ["get_weather", "convert_temperature"],
    draw: (rng, split) => ({ args: { city: pickIn(rng, split, cityPool), date: drawDate(rng, split) }, x: {} }),
    next: (_, r) => ({ value: r.temperature_c, from_unit: "celsius", to_unit: "fahrenheit" }),
    asks: [
      "What's the temperature in {a.city} on {a.date} in Fahrenheit?",
      "How warm will {a.city} be on {a.date}? Give it to me in Fahrenheit.",
      "I think in Fahrenheit: what's the forecast for {a.city} on {a.date}?",
      "Forecast for {a.city} on {a.date}, in degrees Fahrenheit please.",
    ],
    think1: "I'll get the forecast for {a.city} on {a.date}, then convert the temperature to Fahrenheit.",
    think2: "It will be {r.temperature_c}°C; now I'll convert that to Fahrenheit.",
    answers: ["{a.city} on {a.date}: {r.condition}, {r2.result} degrees {r2.unit} ({r.temperature_c}°C)."],
  },
  {
    id: "bmi_from_pounds",
    tools: ["convert_mass", "calculate_bmi"],
    draw: (rng, split) => ({ args: { value: drawInt(rng, split, 100, 280), from_unit: "lb", to_unit: "kg" }, x: { height_cm: drawInt(rng, split, 150, 200) } }),
    next: (first, r) => ({ weight_kg: r.result, height_cm: first.x.height_cm }),
    asks: [
      "I weigh {a.value} pounds and I'm {x.height_cm} cm tall. What's my BMI?",
      "What's the BMI of someone who is {x.height_cm} cm and {a.value} lb?",
      "My weight is {a.value} lb, height {x.height_cm} cm. Calculate my BMI.",
      "BMI for {a.value} pounds at {x.height_cm} centimetres?",
    ],
    think1: "BMI needs kilograms, so I'll convert {a.value} lb to kg first.",
    think2: "{a.value} lb is {r.result} kg; now I can compute the BMI.",
    answers: ["{a.value} lb is {r.result} kg, so your BMI is {r2.bmi} ({r2.category}).", "Your BMI is {r2.bmi}, which counts as {r2.category}."],
  },
  {
    id: "flight_weather",
    tools: ["flight_status", "get_weather"],
    draw: (rng, split) => ({ args: { flight_number: pickIn(rng, split, flightPool) }, x: { date: drawDate(rng, split) } }),
    next: (first, r) => ({ city: r.to, date: first.x.date }),
    asks: [
      "Where does flight {a.flight_number} go, and what's the weather there on {x.date}?",
      "I'm on flight {a.flight_number}. What will the weather be at my destination on {x.date}?",
      "Check flight {a.flight_number} and tell me the forecast where it lands on {x.date}.",
      "What's the weather on {x.date} at the destination of flight {a.flight_number}?",
    ],
    think1: "I need to know where flight {a.flight_number} lands before I can check the weather.",
    think2: "Flight {a.flight_number} goes to {r.to}; now I'll get the weather there on {x.date}.",
    answers: ["Flight {a.flight_number} ({r.status}) goes to {r.to}, where it will be {r2.condition} at {r2.temperature_c}°C on {x.date}."],
  },
];
