/**
 * The compiled programs in dist/ (the CLI, the sandbox, the tools setup) and the sources they were
 * compiled from. `npm run build` compiles and then writes dist/build-stamp.json: the sources and one
 * SHA-256 over their paths and bytes. Every compiled entry point checks the stamp before it loads
 * anything else, so a build older than (or different from) its sources refuses to run and names the
 * command that rebuilds it, rather than running old code silently.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/** The command that compiles dist/ and writes its stamp (also run by `npm ci`). */
export const BUILD_COMMAND = "npm run build";

/** The nearest folder at or above `from` holding a package.json: the project, from its sources or dist/. */
export function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json at or above ${from}`);
  }
}

/** The project's root folder, whether this module runs from build/ (ts-node) or dist/build/ (node). */
export const PROJECT_ROOT = findProjectRoot(__dirname);

/** Where `npm run build` writes (tsconfig.build.json's outDir). */
export const BUILD_DIR = path.join(PROJECT_ROOT, "dist");

const STAMP_FILE = "build-stamp.json";

/** Files besides the TypeScript sources whose change changes the output. */
const BUILD_INPUTS = ["tsconfig.json", "tsconfig.build.json"];

interface BuildStamp {
  /** Paths relative to the project root, sorted. */
  readonly sources: readonly string[];
  readonly sha256: string;
}

function digest(root: string, sources: readonly string[]): string {
  const hash = crypto.createHash("sha256");
  for (const source of sources) {
    hash.update(`${source}\0`);
    hash.update(fs.readFileSync(path.join(root, source)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** The `.ts` source of every `.js` file under `buildDir` that has one, and the build's config files. */
function compiledSources(root: string, buildDir: string): string[] {
  const sources = fs
    .readdirSync(buildDir, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".js"))
    .map((file) => path.relative(root, path.join(root, file.slice(0, -".js".length) + ".ts")))
    .filter((source) => fs.existsSync(path.join(root, source)));
  return [...BUILD_INPUTS, ...sources].map((source) => source.split(path.sep).join("/")).sort();
}

/** Records what `buildDir` (just compiled from `root`) was compiled from. */
export function writeBuildStamp(root: string = PROJECT_ROOT, buildDir: string = BUILD_DIR): BuildStamp {
  const sources = compiledSources(root, buildDir);
  const stamp: BuildStamp = { sources, sha256: digest(root, sources) };
  fs.writeFileSync(path.join(buildDir, STAMP_FILE), `${JSON.stringify(stamp, null, 2)}\n`);
  return stamp;
}

/** Why the build in `buildDir` does not match the sources in `root`, or undefined when it does. */
export function staleBuildReason(root: string, buildDir: string): string | undefined {
  let stamp: BuildStamp;
  try {
    stamp = JSON.parse(fs.readFileSync(path.join(buildDir, STAMP_FILE), "utf8")) as BuildStamp;
  } catch {
    return `${path.relative(root, buildDir)}/${STAMP_FILE} is missing or unreadable (the build did not finish)`;
  }
  const missing = stamp.sources.find((source) => !fs.existsSync(path.join(root, source)));
  if (missing) return `${missing} was removed since the build`;
  if (digest(root, stamp.sources) !== stamp.sha256) return "its sources changed since the build";
  return undefined;
}

/**
 * Called first by each compiled entry point (a no-op under ts-node, where there is no build):
 * exits with status 1 and the command to run when dist/ does not match the sources.
 */
export function refuseStaleBuild(): void {
  if (path.relative(BUILD_DIR, __dirname).startsWith("..")) return;
  const reason = staleBuildReason(PROJECT_ROOT, BUILD_DIR);
  if (reason === undefined) return;
  process.stderr.write(
    `error: the compiled program in ${BUILD_DIR} is out of date: ${reason}; rebuild it with \`${BUILD_COMMAND}\` in ${PROJECT_ROOT}\n`,
  );
  process.exit(1);
}
