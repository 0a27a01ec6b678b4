export const packageName = "@tooltune/format";
