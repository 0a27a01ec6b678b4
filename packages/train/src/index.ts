export const packageName = "@tooltune/train";
