/**
 * Progress for multi-file work, on stderr: a redrawn bar on an interactive terminal, plain lines
 * (one per item) in CI or when stderr is not a terminal, so logs stay readable.
 */

export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface Progress {
  /** Reports that item `done` of `total` (1-based) has finished, with a short label. */
  update(done: number, total: number, label: string): void;
  /** Ends the bar (a final newline on a terminal). */
  finish(): void;
}

const BAR_WIDTH = 24;

export function createProgress(stream: ProgressStream, env: NodeJS.ProcessEnv = process.env): Progress {
  const interactive = stream.isTTY === true && !env.CI;
  let drawn = false;
  return {
    update(done, total, label) {
      if (!interactive) {
        stream.write(`[${done}/${total}] ${label}\n`);
        return;
      }
      const filled = total > 0 ? Math.round((done / total) * BAR_WIDTH) : BAR_WIDTH;
      const line = `[${"#".repeat(filled)}${" ".repeat(BAR_WIDTH - filled)}] ${done}/${total} ${label}`;
      stream.write(`\r\x1b[2K${line.slice(0, Math.max(20, (stream.columns ?? 80) - 1))}`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write("\n");
      drawn = false;
    },
  };
}
