import { defineTool, lookup, type ToolResult } from "./tool.js";

/** A small built-in store: price in USD and units in stock. */
export const PRODUCTS: Record<string, { price: number; stock: number }> = {
  "wireless mouse": { price: 24.99, stock: 120 }, "mechanical keyboard": { price: 89.5, stock: 40 },
  "usb-c cable": { price: 9.99, stock: 500 }, "laptop stand": { price: 34, stock: 75 },
  "noise-cancelling headphones": { price: 199, stock: 18 }, webcam: { price: 59.99, stock: 0 },
  "27-inch monitor": { price: 279, stock: 12 }, "desk lamp": { price: 29.95, stock: 64 },
  "office chair": { price: 189, stock: 7 }, "water bottle": { price: 14.5, stock: 230 },
  backpack: { price: 49.99, stock: 33 }, "phone case": { price: 19.99, stock: 410 },
  "portable charger": { price: 39.99, stock: 88 }, "bluetooth speaker": { price: 74, stock: 25 },
  smartwatch: { price: 249, stock: 9 }, tablet: { price: 329, stock: 14 },
  "e-reader": { price: 129.99, stock: 21 }, "coffee grinder": { price: 54, stock: 0 },
  "french press": { price: 27.5, stock: 46 }, "yoga mat": { price: 22, stock: 150 },
  "running shoes": { price: 119, stock: 38 }, "rain jacket": { price: 89, stock: 27 },
  sunglasses: { price: 64, stock: 52 }, "hdmi adapter": { price: 12.99, stock: 300 },
  "external ssd": { price: 109, stock: 44 }, "gaming controller": { price: 59, stock: 0 },
};

const productParams = {
  type: "object" as const,
  properties: { product: { type: "string" as const, description: "Product name, e.g. wireless mouse." } },
  required: ["product"],
  additionalProperties: false as const,
};

export const getProductPrice = defineTool<{ product: string }>(
  { name: "get_product_price", description: "Look up the price of a product in the store.", parameters: productParams },
  ({ product }): ToolResult => {
    const found = lookup(PRODUCTS, product);
    return found ? { price: found[1].price, currency: "USD" } : { error: `no product named '${product}'` };
  },
);

export const checkStock = defineTool<{ product: string }>(
  { name: "check_stock", description: "Check how many units of a product are in stock.", parameters: productParams },
  ({ product }): ToolResult => {
    const found = lookup(PRODUCTS, product);
    return found ? { in_stock: found[1].stock } : { error: `no product named '${product}'` };
  },
);
