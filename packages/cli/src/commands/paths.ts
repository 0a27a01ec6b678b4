import { resolve } from "node:path";
import type { CliIO } from "../io.js";

/** Paths on the command line are relative to the CLI's working directory (io.cwd), as for `run`. */
export const at = (io: CliIO, path: string) => resolve(io.cwd, path);
export const optionalAt = (io: CliIO, path: string | undefined) => (path === undefined ? undefined : at(io, path));
