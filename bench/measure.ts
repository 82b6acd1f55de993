/** What the benchmarks that time whole processes share: the timing and the summary they print. */
import { spawn } from "child_process";

/** `median unit (min–max)` of the samples. */
export function summary(samples: readonly number[], unit: string): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return `${median.toFixed(0)}${unit ? ` ${unit}` : ""} (${sorted[0].toFixed(0)}–${sorted[sorted.length - 1].toFixed(0)})`;
}

/** Runs a process to completion; resolves with its wall time in ms, rejects with its stderr on failure. */
export function runProcess(command: string, args: string[], env: Record<string, string>): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve(performance.now() - started)
        : reject(new Error(`${command} ${args.join(" ")}: ${stderr}`)),
    );
  });
}
