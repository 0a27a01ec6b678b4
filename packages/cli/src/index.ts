export const packageName = "@tooltune/cli";
