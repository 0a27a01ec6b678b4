// Shapes the model's modules share (model.ts, masks.ts): their own module, so neither imports the other for them.

/** Rows of token ids (or positions, or masks): B rows of equal length T. */
export type Rows = ArrayLike<number>[];
