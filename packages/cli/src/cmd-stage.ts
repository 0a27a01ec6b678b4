import { spawn } from "node:child_process";
import { z } from "zod";
import { defineStage, TooltuneError, type StageContext } from "@tooltune/core";

/**
 * A `cmd:` stage: any shell command, DVC style, so one stage can be swapped for an outside tool
 * (a Python trainer on a GPU box) while caching and the lock file stay the same. The whole spec —
 * command text included — is its params, so all of it is in the cache key.
 */
export const CmdParamsSchema = z.strictObject({
  cmd: z.string().min(1),
  /** The manifest kind of what it writes (adapter, model, report, raw…): downstream stages pick inputs by it. */
  kind: z.string().min(1),
  /** Files or directories it reads besides upstream outputs: their bytes are hashed into the key. */
  deps: z.array(z.string()),
  with: z.record(z.string(), z.unknown()),
});
export type CmdParams = z.infer<typeof CmdParamsSchema>;

/** The cmd stage for commands run in `cwd` (where relative paths in the command and deps resolve). */
export const makeCmdStage = (cwd: string) =>
  defineStage({
    kind: "cmd",
    version: "1",
    description: "Run a shell command; ${inputs.<stage>}, ${out}, ${state}, ${seed}, ${params.<key>} are substituted",
    params: CmdParamsSchema,
    output: "directory",
    fileDeps: (params) => params.deps,
    run: (ctx, params) => runCommand(ctx, params, cwd),
  });

const REF = /\$\{(inputs|params)\.([^}]+)\}|\$\{(out|state|seed)\}/g;

/** Names a command refers to that the stage does not have; empty when all resolve. */
export function unresolvedRefs(cmd: string, needs: string[], params: Record<string, unknown>): string[] {
  const bad: string[] = [];
  for (const m of cmd.matchAll(REF)) {
    if (m[1] === "inputs" && !needs.includes(m[2])) bad.push(`\${inputs.${m[2]}} (not in needs)`);
    if (m[1] === "params" && lookup(params, m[2]) === undefined) bad.push(`\${params.${m[2]}} (not in with)`);
  }
  return bad;
}

/**
 * The command with its references replaced by their values, each quoted for the shell context it
 * stands in (bare, inside '…' or inside "…"), so a param or a path is always one literal word and a
 * value like `x; rm -rf ~` or `$(curl …)` can never run: the YAML names what runs, a value never does.
 */
export function substitute(cmd: string, ctx: StageContext, params: CmdParams): string {
  const contexts = quoteContexts(cmd);
  return cmd.replace(REF, (_all, group: string | undefined, name: string | undefined, plain: string | undefined, offset: number) => {
    const value =
      plain === "out" ? ctx.outDir
      : plain === "state" ? ctx.stateDir
      : plain === "seed" ? String(ctx.seed)
      : group === "inputs" ? ctx.inputs.find((i) => i.name === name)!.path
      : asText(lookup(params.with, name!));
    return quoteFor(contexts[offset]!, value);
  });
}

type QuoteContext = "bare" | "single" | "double";

/** The shell quoting context of every character of `cmd` (POSIX sh rules for ', " and \). */
function quoteContexts(cmd: string): QuoteContext[] {
  const out: QuoteContext[] = [];
  let state: QuoteContext = "bare";
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i];
    out[i] = state;
    if (state === "single") {
      if (c === "'") state = "bare";
    } else if (c === "\\") {
      out[++i] = state; // the escaped character keeps the context
    } else if (state === "double") {
      if (c === '"') state = "bare";
    } else if (c === "'") state = "single";
    else if (c === '"') state = "double";
  }
  return out;
}

function quoteFor(context: QuoteContext, value: string): string {
  // Inside '…' nothing is special but ' itself: close, write an escaped quote, reopen.
  if (context === "single") return value.replaceAll("'", "'\\''");
  // Inside "…" only \, ", $ and ` are special.
  if (context === "double") return value.replace(/[\\"$`]/g, (c) => `\\${c}`);
  return `'${value.replaceAll("'", "'\\''")}'`;
}

function lookup(obj: Record<string, unknown>, dotted: string): unknown {
  let value: unknown = obj;
  for (const part of dotted.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

const asText = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
const envName = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, "_");

/** Runs $TOOLTUNE_CMD; a background watcher TERMs the process group once fd 3 reaches EOF. */
const WATCHED = `{ read -r _ <&3; kill -TERM 0; } &
eval "$TOOLTUNE_CMD" 3<&-`;

/** Process groups of running commands, killed if tooltune exits midway (a second Ctrl-C). */
const liveGroups = new Set<number>();
process.on("exit", () => liveGroups.forEach((pid) => killGroup(pid)));

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    // already gone
  }
}

async function runCommand(ctx: StageContext, params: CmdParams, cwd: string): Promise<void> {
  const command = substitute(params.cmd, ctx, params);
  const env: NodeJS.ProcessEnv = { ...process.env, TOOLTUNE_OUT: ctx.outDir, TOOLTUNE_STATE: ctx.stateDir, TOOLTUNE_SEED: String(ctx.seed) };
  for (const [k, v] of Object.entries(params.with)) env[`TOOLTUNE_PARAM_${envName(k)}`] = asText(v);
  for (const input of ctx.inputs) env[`TOOLTUNE_INPUT_${envName(input.name)}`] = input.path;
  ctx.log.info(`$ ${command}`);
  const code = await new Promise<number | string>((resolve, reject) => {
    // Its own process group, so that stopping it stops everything the shell started (`a && b`,
    // pipes). And a watcher in that group reads a pipe only this process writes: when tooltune dies,
    // even by SIGKILL (no exit hook runs then), the pipe closes and the watcher stops the whole group,
    // so no orphan goes on writing into an output the rerun starts over.
    const child = spawn("/bin/sh", ["-c", WATCHED], { cwd, detached: true, stdio: ["ignore", "inherit", "inherit", "pipe"], env: { ...env, TOOLTUNE_CMD: command } });
    const stop = () => killGroup(child.pid);
    ctx.signal.addEventListener("abort", stop, { once: true });
    if (child.pid !== undefined) liveGroups.add(child.pid);
    child.on("error", reject);
    // 'exit', not 'close': the watcher keeps the pipe open until this side closes it
    child.on("exit", (status, signal) => {
      ctx.signal.removeEventListener("abort", stop);
      liveGroups.delete(child.pid!);
      child.stdio[3]?.destroy(); // the watcher sees EOF and stops what the command left running
      resolve(status ?? signal ?? "unknown");
    });
  });
  if (ctx.signal.aborted) throw new TooltuneError("INTERRUPTED", "stopped by the user", { stage: ctx.stageName });
  if (code !== 0) {
    throw new TooltuneError("STAGE", `command exited with ${typeof code === "number" ? `code ${code}` : code}: ${command}`, {
      stage: ctx.stageName,
      fix: "run the command by hand to see why; its output is above",
    });
  }
}
