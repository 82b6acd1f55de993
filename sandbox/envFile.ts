/**
 * `.sandbox/env`: `export` lines that point the operator CLI (and any AWS tool) at a running
 * sandbox, for `source .sandbox/env && npm run cli -- ...`. `.sandbox/` is git-ignored.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../build/stamp";

/**
 * `.sandbox/env` at the repository root, wherever `npm start` was run from; `PPI_SANDBOX_ENV_FILE`
 * moves it (the tests of `npm start` use that, so they never touch a developer's running sandbox).
 */
export const SANDBOX_ENV_FILE =
  process.env.PPI_SANDBOX_ENV_FILE || path.join(PROJECT_ROOT, ".sandbox", "env");

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** Single-quotes a value for POSIX shells (`'` becomes `'\''`). */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function envFileText(env: Readonly<Record<string, string>>): string {
  const lines = Object.entries(env).map(([name, value]) => {
    if (!ENV_NAME.test(name)) throw new Error(`"${name}" is not a shell variable name`);
    return `export ${name}=${shellQuote(value)}`;
  });
  return ["# Written by `npm start`: the running sandbox. Use: source .sandbox/env", ...lines, ""].join("\n");
}

export function writeEnvFile(env: Readonly<Record<string, string>>, file = SANDBOX_ENV_FILE): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, envFileText(env), { mode: 0o600 });
}
