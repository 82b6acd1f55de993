/**
 * The project's Python tools: one virtual environment (`.venv/`, git-ignored) holding exactly the
 * pinned, hash-checked set of `python/requirements.txt` — moto_server for the sandbox, uv, pip,
 * poetry, twine and build for the end-to-end tests, s3pypi for the peer benchmark. `npm ci`
 * creates it (the root package's `prepare`), as does `npm run python-tools`; nothing here ever
 * uses a tool from PATH.
 *
 * The environment is current when its stamp holds the digest of the requirements file (and install
 * flags) it was made from and every tool is there; anything else is an error that names the
 * command that fixes it.
 */
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../build/stamp";

export const REQUIREMENTS_FILE = path.join(PROJECT_ROOT, "python", "requirements.txt");

/** `.venv/` at the repository root; `PPI_PYTHON_TOOLS_DIR` moves it (the tests of a missing one use that). */
export const PYTHON_TOOLS_DIR = process.env.PPI_PYTHON_TOOLS_DIR || path.join(PROJECT_ROOT, ".venv");

/** What creates or repairs the environment (`npm ci` runs it too). */
export const PYTHON_TOOLS_COMMAND = "npm run python-tools";

/** The oldest Python the requirements were resolved for (`--python-version` of the lock command). */
export const MINIMUM_PYTHON: readonly [number, number] = [3, 11];

/** Each tool's executable in the environment's `bin/`. */
export const PYTHON_TOOLS = {
  python: "python",
  moto_server: "moto_server",
  uv: "uv",
  pip: "pip",
  poetry: "poetry",
  twine: "twine",
  build: "pyproject-build",
  s3pypi: "s3pypi",
} as const;
export type PythonTool = keyof typeof PYTHON_TOOLS;

/** The distribution each tool comes from (the interpreter is the machine's, not pinned). */
const DISTRIBUTION = {
  moto_server: "moto",
  uv: "uv",
  pip: "pip",
  poetry: "poetry",
  twine: "twine",
  build: "build",
  s3pypi: "s3pypi",
} as const satisfies Partial<Record<PythonTool, string>>;
export type PinnedTool = keyof typeof DISTRIBUTION;

const STAMP_FILE = ".ppi-requirements.sha256";

export class PythonToolsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PythonToolsError";
  }
}

/**
 * How `uv pip sync` installs the set: hash-checked, wheels only (nothing built), bytecode compiled
 * now (a machine with PYTHONDONTWRITEBYTECODE would otherwise recompile every tool on every start).
 */
const SYNC_FLAGS = ["--require-hashes", "--no-build", "--compile-bytecode"] as const;

/** What the stamp records: the requirements (comments aside) and the way they are installed. */
export function environmentDigest(requirements: string): string {
  const pinsAndHashes = fs
    .readFileSync(requirements, "utf8")
    .split("\n")
    .filter((line) => !/^\s*(#|$)/.test(line))
    .join("\n");
  return crypto.createHash("sha256").update(pinsAndHashes).update(JSON.stringify(SYNC_FLAGS)).digest("hex");
}

function executable(dir: string, tool: PythonTool): string {
  return path.join(dir, "bin", PYTHON_TOOLS[tool]);
}

/** `name==version` pins of a requirements file (PEP 503-normalized names; markers and hashes ignored). */
export function parsePins(text: string): Map<string, string> {
  const pins = new Map<string, string>();
  for (const [, name, version] of text.matchAll(
    /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)/gm,
  )) {
    pins.set(name.toLowerCase().replace(/[-_.]+/g, "-"), version);
  }
  return pins;
}

/** The version `python/requirements.txt` pins for each tool. */
export function pinnedToolVersions(requirements = REQUIREMENTS_FILE): Record<PinnedTool, string> {
  const pins = parsePins(fs.readFileSync(requirements, "utf8"));
  const versions = {} as Record<PinnedTool, string>;
  for (const [tool, distribution] of Object.entries(DISTRIBUTION) as [PinnedTool, string][]) {
    const version = pins.get(distribution);
    if (!version) throw new PythonToolsError(`${requirements} pins no version of ${distribution}`);
    versions[tool] = version;
  }
  return versions;
}

/** Why the environment at `dir` cannot be used as it is, or undefined when it is current. */
export function pythonToolsProblem(
  dir = PYTHON_TOOLS_DIR,
  requirements = REQUIREMENTS_FILE,
): string | undefined {
  if (!fs.existsSync(path.join(dir, "pyvenv.cfg"))) {
    return fs.existsSync(dir)
      ? `${dir} is not a virtual environment (no pyvenv.cfg)`
      : `the Python tools environment ${dir} does not exist`;
  }
  let stamp: string;
  try {
    stamp = fs.readFileSync(path.join(dir, STAMP_FILE), "utf8").trim();
  } catch {
    return `the Python tools environment ${dir} is incomplete (its creation did not finish)`;
  }
  if (stamp !== environmentDigest(requirements)) {
    return `the Python tools environment ${dir} is out of date (made from another ${path.basename(requirements)} or install recipe)`;
  }
  // existsSync follows the interpreter's symlink: a removed or moved base Python shows here.
  const missing = (Object.keys(PYTHON_TOOLS) as PythonTool[]).filter(
    (tool) => !fs.existsSync(executable(dir, tool)),
  );
  if (missing.length > 0) {
    return `the Python tools environment ${dir} is broken (${missing.map((t) => PYTHON_TOOLS[t]).join(", ")} missing or not runnable)`;
  }
  return undefined;
}

let checked: string | undefined;

/** The absolute path of `tool` in the current environment; throws, naming the fix, when there is none. */
export function pythonTool(tool: PythonTool): string {
  if (checked !== PYTHON_TOOLS_DIR) {
    const problem = pythonToolsProblem();
    if (problem) {
      throw new PythonToolsError(
        `${problem}; create it with: ${PYTHON_TOOLS_COMMAND} (npm ci does it too; needs python3 >= ${MINIMUM_PYTHON.join(".")})`,
      );
    }
    checked = PYTHON_TOOLS_DIR;
  }
  return executable(PYTHON_TOOLS_DIR, tool);
}

function runStep(description: string, command: string, args: readonly string[]): void {
  const result = spawnSync(command, args, { stdio: ["ignore", "inherit", "inherit"] });
  if (result.error || result.status !== 0) {
    const why = result.error ? result.error.message : `exit status ${result.status ?? result.signal}`;
    throw new PythonToolsError(`${description} failed (${why}): ${command} ${args.join(" ")}`);
  }
}

/** The machine's `python3`, checked against the minimum version the requirements were resolved for. */
function basePython(): string {
  const python = process.env.PPI_PYTHON || "python3";
  const probe = spawnSync(python, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], {
    encoding: "utf8",
  });
  if (probe.error || probe.status !== 0) {
    throw new PythonToolsError(
      `${python} was not found: install Python ${MINIMUM_PYTHON.join(".")} or newer (or set PPI_PYTHON to one), then run ${PYTHON_TOOLS_COMMAND}`,
    );
  }
  const [major, minor] = probe.stdout.trim().split(".").map(Number);
  if (major < MINIMUM_PYTHON[0] || (major === MINIMUM_PYTHON[0] && minor < MINIMUM_PYTHON[1])) {
    throw new PythonToolsError(
      `${python} is Python ${major}.${minor}; the tools need ${MINIMUM_PYTHON.join(".")} or newer (set PPI_PYTHON to one), then run ${PYTHON_TOOLS_COMMAND}`,
    );
  }
  return python;
}

/** The requirement block (pin, markers, hashes) of one distribution, as its own requirements file. */
function requirementBlock(text: string, distribution: string): string {
  const start = text.search(new RegExp(`^${distribution}==`, "m"));
  if (start < 0) throw new PythonToolsError(`${REQUIREMENTS_FILE} pins no version of ${distribution}`);
  const lines: string[] = [];
  for (const line of text.slice(start).split("\n")) {
    lines.push(line);
    if (!line.trimEnd().endsWith("\\")) break;
  }
  return lines.join("\n") + "\n";
}

/** Refuses to clear a directory that is neither absent, empty nor a virtual environment. */
function assertReplaceable(dir: string): void {
  if (!fs.existsSync(dir) || fs.existsSync(path.join(dir, "pyvenv.cfg"))) return;
  if (fs.readdirSync(dir).length > 0) {
    throw new PythonToolsError(
      `${dir} exists and is not a virtual environment; move it away or set PPI_PYTHON_TOOLS_DIR elsewhere`,
    );
  }
}

export interface EnsureResult {
  readonly created: boolean;
  readonly ms: number;
  readonly dir: string;
}

/**
 * Makes the environment current: nothing to do when it is; otherwise a new virtual environment
 * from the machine's python3, uv installed into it by the bundled pip (hash-checked), then
 * `uv pip sync` of the whole set with SYNC_FLAGS, and the stamp last, so that an interrupted run
 * is redone.
 */
export function ensurePythonTools(dir = PYTHON_TOOLS_DIR): EnsureResult {
  const started = Date.now();
  if (!pythonToolsProblem(dir)) return { created: false, ms: Date.now() - started, dir };
  const python = basePython();
  assertReplaceable(dir);
  fs.rmSync(path.join(dir, STAMP_FILE), { force: true });
  runStep("creating the virtual environment (on Debian/Ubuntu: apt-get install python3-venv)", python, [
    "-m",
    "venv",
    "--clear",
    dir,
  ]);
  const requirements = fs.readFileSync(REQUIREMENTS_FILE, "utf8");
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-python-tools-"));
  try {
    const uvOnly = path.join(scratch, "uv.txt");
    fs.writeFileSync(uvOnly, requirementBlock(requirements, "uv"));
    runStep("installing uv", executable(dir, "python"), [
      "-m",
      "pip",
      "install",
      "--quiet",
      "--disable-pip-version-check",
      "--no-input",
      "--require-hashes",
      "--no-deps",
      "--only-binary=:all:",
      "-r",
      uvOnly,
    ]);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  runStep("installing the pinned tools", executable(dir, "uv"), [
    "pip",
    "sync",
    "--quiet",
    ...SYNC_FLAGS,
    "--python",
    executable(dir, "python"),
    REQUIREMENTS_FILE,
  ]);
  fs.writeFileSync(path.join(dir, STAMP_FILE), environmentDigest(REQUIREMENTS_FILE) + "\n");
  const problem = pythonToolsProblem(dir);
  if (problem) throw new PythonToolsError(`${problem} right after it was created`);
  return { created: true, ms: Date.now() - started, dir };
}
