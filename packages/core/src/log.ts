/**
 * Logging and progress. Stages log through `ctx.log`; long loops report through a progress
 * handle that draws a bar on a terminal and prints plain lines otherwise (CI, pipes).
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  progress(label: string, total?: number): Progress;
}

export interface Progress {
  /** Advance by `n` and optionally replace the status text (e.g. "loss 1.23 lr 1e-4"). */
  tick(n?: number, status?: string): void;
  done(status?: string): void;
}

export interface LoggerOptions {
  prefix?: string;
  stream?: NodeJS.WriteStream;
  verbose?: boolean;
  /** Minimum milliseconds between plain progress lines when not on a terminal. */
  plainEveryMs?: number;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const prefix = options.prefix ? `[${options.prefix}] ` : "";
  const write = (line: string) => stream.write(prefix + line + "\n");
  return {
    info: write,
    warn: (m) => write(`warning: ${m}`),
    debug: (m) => {
      if (options.verbose) write(m);
    },
    progress: (label, total) => createProgress(stream, prefix + label, total, options.plainEveryMs ?? 5000),
  };
}

/** A logger that records lines, for tests. */
export function createMemoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(m),
    warn: (m) => lines.push(`warning: ${m}`),
    debug: () => {},
    progress: (label) => ({
      tick: () => {},
      done: (status) => lines.push(`${label}: done${status ? " " + status : ""}`),
    }),
  };
}

function createProgress(stream: NodeJS.WriteStream, label: string, total: number | undefined, plainEveryMs: number): Progress {
  const tty = Boolean(stream.isTTY);
  const start = Date.now();
  let count = 0;
  let lastPrint = 0;
  const render = (status: string, final: boolean) => {
    const elapsed = (Date.now() - start) / 1000;
    const rate = count / Math.max(elapsed, 1e-9);
    const eta = total && count > 0 ? ((total - count) / rate) : undefined;
    const frac = total ? Math.min(1, count / total) : undefined;
    const bar = frac === undefined ? "" : `[${"#".repeat(Math.round(frac * 20)).padEnd(20, ".")}] `;
    const counts = total ? `${count}/${total}` : `${count}`;
    const etaText = eta !== undefined && !final ? ` eta ${formatSeconds(eta)}` : "";
    return `${label} ${bar}${counts} ${formatSeconds(elapsed)}${etaText}${status ? " " + status : ""}`;
  };
  return {
    tick(n = 1, status = "") {
      count += n;
      const now = Date.now();
      if (tty) {
        if (now - lastPrint > 100) {
          stream.write("\r\x1b[2K" + render(status, false));
          lastPrint = now;
        }
      } else if (now - lastPrint >= plainEveryMs) {
        stream.write(render(status, false) + "\n");
        lastPrint = now;
      }
    },
    done(status = "") {
      stream.write((tty ? "\r\x1b[2K" : "") + render(status, true) + "\n");
    },
  };
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}
