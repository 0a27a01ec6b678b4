export const packageName = "@tooltune/model";
