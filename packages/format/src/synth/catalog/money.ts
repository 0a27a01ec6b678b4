import { defineTool, round2, type ToolResult } from "./tool.js";

/**
 * Fixed rates: units of each currency per 1 USD. Rounded mid-market figures of late 2025, frozen so
 * that every answer is reproducible; this is a teaching table, not a price feed.
 */
export const USD_RATES: Record<string, number> = {
  USD: 1, EUR: 0.92, GBP: 0.79, JPY: 150, CHF: 0.88, CAD: 1.37, AUD: 1.53, CNY: 7.2,
  INR: 84, MXN: 18.5, BRL: 5.6, SEK: 10.6, NOK: 10.9, KRW: 1380, SGD: 1.34, NZD: 1.68,
};
const CURRENCIES = Object.keys(USD_RATES);

const rate = (from: string, to: string): number => USD_RATES[to] / USD_RATES[from];
const rate4 = (x: number): number => Math.round(x * 10_000) / 10_000;

const currency = (description: string) => ({ type: "string" as const, enum: CURRENCIES, description });

export const convertCurrency = defineTool<{ amount: number; from_currency: string; to_currency: string }>(
  {
    name: "convert_currency",
    description: "Convert an amount of money between currencies at fixed rates.",
    parameters: {
      type: "object",
      properties: {
        amount: { type: "number", minimum: 0, description: "Amount of money to convert." },
        from_currency: currency("ISO code of the amount's currency."),
        to_currency: currency("ISO code of the target currency."),
      },
      required: ["amount", "from_currency", "to_currency"],
      additionalProperties: false,
    },
  },
  ({ amount, from_currency, to_currency }) => ({
    converted: round2(amount * rate(from_currency, to_currency)),
    currency: to_currency,
  }),
);

export const getExchangeRate = defineTool<{ base: string; target: string }>(
  {
    name: "get_exchange_rate",
    description: "Get the exchange rate from one currency to another.",
    parameters: {
      type: "object",
      properties: { base: currency("ISO code of the base currency."), target: currency("ISO code of the quoted currency.") },
      required: ["base", "target"],
      additionalProperties: false,
    },
  },
  ({ base, target }) => ({ rate: rate4(rate(base, target)) }),
);

export const calculateTip = defineTool<{ bill: number; tip_percent: number; people?: number }>(
  {
    name: "calculate_tip",
    description: "Work out the tip and total for a bill, optionally split between people.",
    parameters: {
      type: "object",
      properties: {
        bill: { type: "number", minimum: 0, description: "Bill amount before tip." },
        tip_percent: { type: "number", minimum: 0, maximum: 100, description: "Tip as a percentage." },
        people: { type: "integer", minimum: 1, description: "Number of people splitting the total (default 1)." },
      },
      required: ["bill", "tip_percent"],
      additionalProperties: false,
    },
  },
  ({ bill, tip_percent, people = 1 }): ToolResult => {
    const tip = round2((bill * tip_percent) / 100);
    const total = round2(bill + tip);
    return people === 1 ? { tip, total } : { tip, total, per_person: round2(total / people) };
  },
);

const rateParam = { type: "number" as const, minimum: 0, maximum: 100, description: "Annual interest rate in percent." };

export const compoundInterest = defineTool<{ principal: number; annual_rate: number; years: number; compounds_per_year?: number }>(
  {
    name: "compound_interest",
    description: "Compute the final balance of a deposit with compound interest.",
    parameters: {
      type: "object",
      properties: {
        principal: { type: "number", minimum: 0, description: "Initial deposit." },
        annual_rate: rateParam,
        years: { type: "integer", minimum: 1, maximum: 100, description: "Number of years." },
        compounds_per_year: { type: "integer", minimum: 1, maximum: 365, description: "Compounding periods per year (default 12)." },
      },
      required: ["principal", "annual_rate", "years"],
      additionalProperties: false,
    },
  },
  ({ principal, annual_rate, years, compounds_per_year = 12 }) => {
    const balance = principal * (1 + annual_rate / 100 / compounds_per_year) ** (compounds_per_year * years);
    return { balance: round2(balance), interest: round2(balance - principal) };
  },
);

export const loanPayment = defineTool<{ principal: number; annual_rate: number; years: number }>(
  {
    name: "loan_payment",
    description: "Compute the monthly payment of a fixed-rate loan.",
    parameters: {
      type: "object",
      properties: {
        principal: { type: "number", minimum: 1, description: "Amount borrowed." },
        annual_rate: rateParam,
        years: { type: "integer", minimum: 1, maximum: 50, description: "Loan term in years." },
      },
      required: ["principal", "annual_rate", "years"],
      additionalProperties: false,
    },
  },
  ({ principal, annual_rate, years }) => {
    // Standard annuity formula; a zero rate is plain division.
    const n = years * 12;
    const r = annual_rate / 100 / 12;
    const monthly = r === 0 ? principal / n : (principal * r) / (1 - (1 + r) ** -n);
    return { monthly_payment: round2(monthly), total_paid: round2(monthly * n) };
  },
);
