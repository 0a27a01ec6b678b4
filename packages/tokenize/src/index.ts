export const packageName = "@tooltune/tokenize";
