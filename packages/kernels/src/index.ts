export const packageName = "@tooltune/kernels";
