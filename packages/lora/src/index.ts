export const packageName = "@tooltune/lora";
