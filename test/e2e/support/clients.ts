/**
 * Real Python clients (pip, uv, poetry, twine) as the end-to-end tests and the benchmark run them:
 * the pinned tools of the project's environment (`sandbox/pythonTools.ts`) by absolute path, each
 * isolated from this machine's configuration, so that only the index under test can satisfy an
 * install — a configured extra index, find-links directory, netrc entry, credential store or
 * keyring would otherwise make a broken index look healthy. A missing tool fails the suite with
 * the command that installs it; nothing is skipped.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { pythonTool } from "../../../sandbox/pythonTools";

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Variables that would let a client reach (or authenticate to) something other than the index. */
const LEAKY_ENV =
  /^(PIP_|POETRY_|UV_|TWINE_|PYTHONPATH$|PYTHONHOME$|VIRTUAL_ENV$|CONDA_PREFIX$|NETRC$|https?_proxy$|all_proxy$|XDG_)/i;

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
    NO_COLOR: "1",
    ...extra,
  };
}

/**
 * A home of its own (HOME and the XDG directories under `dir`): no user configuration or
 * credential store. Its configuration directory is also the system one (`XDG_CONFIG_DIRS`), with
 * an empty `uv/uv.toml` that uv then reads instead of `/etc/uv/uv.toml`.
 */
export function homeEnv(dir: string): Record<string, string> {
  const home = path.join(dir, "home");
  for (const sub of ["", ".config/uv", ".cache", ".local/share"])
    fs.mkdirSync(path.join(home, sub), { recursive: true });
  fs.writeFileSync(path.join(home, ".config", "uv", "uv.toml"), "");
  return {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, ".config"),
    XDG_CACHE_HOME: path.join(home, ".cache"),
    XDG_DATA_HOME: path.join(home, ".local/share"),
    XDG_CONFIG_DIRS: path.join(home, ".config"),
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
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Both streams, for assertion messages. */
export function output(result: RunResult): string {
  return `${result.stdout}\n${result.stderr}`;
}

/** The flags every pip call in these tests uses: no configuration, no cache, no prompts. */
export const PIP_ISOLATION_FLAGS = [
  "--isolated",
  "--no-cache-dir",
  "--disable-pip-version-check",
  "--no-input",
];

/** `<tools python> -m pip <command> <isolation flags> --index-url <indexUrl> <args>`. */
export function pip(command: string, indexUrl: string, args: readonly string[]): Promise<RunResult> {
  return run(pythonTool("python"), [
    "-m",
    "pip",
    command,
    ...PIP_ISOLATION_FLAGS,
    "--index-url",
    indexUrl,
    ...args,
  ]);
}

let basePython: string | undefined;

/**
 * The interpreter the tools environment was made from (the machine's python3): uv and poetry make
 * project environments from it, never from a Python they would discover or download.
 */
export function machinePython(): string {
  if (basePython === undefined) {
    const probe = spawnSync(pythonTool("python"), ["-c", "import sys; print(sys._base_executable)"], {
      encoding: "utf8",
      env: isolatedEnv(),
    });
    if (probe.status !== 0) throw new Error(`the tools environment's python does not run: ${probe.stderr}`);
    basePython = probe.stdout.trim();
  }
  return basePython;
}

/**
 * uv's environment for its pip interface (`uv venv`, `uv pip ...`): no configuration files at all
 * (`UV_NO_CONFIG`), its own cache under `dir` (a fresh `dir` per scenario, so that no page cached
 * by an earlier run answers), the machine's Python and no Python downloads, no keyring, a home of
 * its own.
 */
export function uvEnv(dir: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return uvProjectEnv(dir, { UV_NO_CONFIG: "1", ...extra });
}

/**
 * uv's environment for project commands (`uv lock`, `uv sync`), as `uvEnv` but reading the
 * project's own `pyproject.toml`: `UV_NO_CONFIG` would ignore its `[[tool.uv.index]]` too (uv then
 * resolves from PyPI), so the user and system `uv.toml` are shadowed by empty ones instead.
 */
export function uvProjectEnv(
  dir: string,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return isolatedEnv({
    ...homeEnv(dir),
    UV_CACHE_DIR: path.join(dir, "uv-cache"),
    UV_PYTHON: machinePython(),
    UV_PYTHON_DOWNLOADS: "never",
    UV_KEYRING_PROVIDER: "disabled",
    UV_NO_PROGRESS: "1",
    ...extra,
  });
}

export function uv(
  args: readonly string[],
  options: { cwd?: string; env: Record<string, string> },
): Promise<RunResult> {
  return run(pythonTool("uv"), args, options);
}

/**
 * Poetry's environment: its own configuration, cache and data directories under `dir` (so
 * `poetry config http-basic` writes there), project environments in the project (`.venv`) made
 * from the Python poetry runs on, no keyring, a home of its own.
 */
export function poetryEnv(dir: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return isolatedEnv({
    ...homeEnv(dir),
    POETRY_CONFIG_DIR: path.join(dir, "poetry-config"),
    POETRY_CACHE_DIR: path.join(dir, "poetry-cache"),
    POETRY_DATA_DIR: path.join(dir, "poetry-data"),
    POETRY_VIRTUALENVS_IN_PROJECT: "true",
    POETRY_VIRTUALENVS_USE_POETRY_PYTHON: "true",
    POETRY_NO_INTERACTION: "1",
    ...extra,
  });
}

export function poetry(
  args: readonly string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<RunResult> {
  return run(pythonTool("poetry"), [...args, "--no-ansi"], options);
}
