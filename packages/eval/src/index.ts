export const packageName = "@tooltune/eval";
