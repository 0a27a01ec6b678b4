/** The shape of the golden files made by fixtures/make_golden.py and make_shipped_golden.py. */
export interface GoldenCase {
  name: string;
  text: string;
  ids: number[];
  /** [start, end) per token, UTF-16 units (the shipped goldens only). */
  offsets?: [number, number][];
  spans: { start: number; end: number; train: boolean }[] | null;
  mask: number[] | null;
}

export interface Golden {
  /** The shipped tokenizer's name (the shipped goldens only). */
  tokenizer?: string;
  special_tokens: string[];
  added_ids: Record<string, number>;
  new_tokens: string[];
  len_tokenizer: number;
  eos_id: number;
  pad_id: number;
  cases: GoldenCase[];
}
