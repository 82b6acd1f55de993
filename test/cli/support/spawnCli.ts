/** Runs the real CLI as a child process: the compiled `dist/cli/main.js` that `npm run cli` runs, on this Node.js. */
import { spawn } from "child_process";
import * as path from "path";
import { compiled } from "../../support/compiled";

const ROOT = path.resolve(__dirname, "../../..");

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `env` is the child's whole environment besides PATH and CI=true (nothing else is inherited). */
export function spawnCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [compiled("cli/main.js"), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", CI: "true", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
