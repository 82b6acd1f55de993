/**
 * Real Python clients (pip, poetry, twine) as the end-to-end tests and the benchmark run them:
 * isolated from this machine's configuration, so that only the index under test can satisfy an
 * install — a configured extra index, find-links directory, netrc entry or keyring would
 * otherwise make a broken index look healthy.
 */
import { spawn, spawnSync } from "child_process";

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Variables that would let a client reach (or authenticate to) something other than the index. */
const LEAKY_ENV = /^(PIP_|POETRY_|UV_|TWINE_|PYTHONPATH$|VIRTUAL_ENV$|NETRC$|https?_proxy$|all_proxy$)/i;

/** This process's environment minus anything that configures a Python client, plus `extra`. */
export function isolatedEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !LEAKY_ENV.test(name)) env[name] = value;
  }
  return {
    ...env,
    PIP_CONFIG_FILE: "/dev/null",
    NETRC: "/dev/null",
    NO_PROXY: "127.0.0.1,localhost",
    PYTHON_KEYRING_BACKEND: "keyring.backends.null.Keyring",
    PYTHONDONTWRITEBYTECODE: "1",
    ...extra,
  };
}

export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? isolatedEnv(),
      stdio: "pipe",
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The Python that has pip (`python3` on PATH), or the reason there is none. */
export function findPip(): { python: string } | { missing: string } {
  const probe = spawnSync("python3", ["-m", "pip", "--version"], { encoding: "utf8", env: isolatedEnv() });
  if (probe.error || probe.status !== 0) {
    return { missing: "python3 with pip is not installed (apt-get install python3-pip)" };
  }
  return { python: "python3" };
}

/** The client that was found; otherwise skips the suite (or test), saying what is missing and how to get it. */
export function requireClient<T extends object>(context: Mocha.Context, found: T | { missing: string }): T {
  if ("missing" in found) {
    console.log(`      skipped: ${found.missing}`);
    context.skip();
  }
  return found as T;
}

/** A Debian-packaged tool on PATH, or the reason it is missing. */
export function findTool(command: string, aptPackage: string): { path: string } | { missing: string } {
  const probe = spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" });
  const found = probe.stdout.trim();
  return probe.status === 0 && found
    ? { path: found }
    : {
        missing: `${command} is not installed here (apt-get install ${aptPackage}); .ci/run installs it when it can`,
      };
}

/** The flags every pip call in these tests uses: no configuration, no cache, no prompts. */
export const PIP_ISOLATION_FLAGS = [
  "--isolated",
  "--no-cache-dir",
  "--disable-pip-version-check",
  "--no-input",
];

/** `<python> -m pip <command> <isolation flags> --index-url <indexUrl> <args>`. */
export function pip(
  python: string,
  command: string,
  indexUrl: string,
  args: readonly string[],
): Promise<RunResult> {
  return run(python, ["-m", "pip", command, ...PIP_ISOLATION_FLAGS, "--index-url", indexUrl, ...args]);
}
