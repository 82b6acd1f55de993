/**
 * The serialized archive of a mocked CallbackFunction, and its `__index.js` loaded as the Lambda
 * runtime would with nothing but Node builtins (and, where asked, the runtime's AWS SDK v3).
 */
import * as fs from "fs";
import Module, { isBuiltin } from "module";
import * as os from "os";
import * as path from "path";
import { RecordedResource } from "../mocks";

/** One entry of a CallbackFunction's archive: the serialized text, or a file or folder on disk. */
interface ArchiveEntry {
  readonly text?: Promise<string>;
  readonly path?: Promise<string>;
}

async function entriesOf(lambda: RecordedResource): Promise<Record<string, ArchiveEntry>> {
  return (lambda.inputs.code as { assets: Promise<Record<string, ArchiveEntry>> }).assets;
}

/** The text entries of the archive a mocked `aws:lambda/function:Function` would upload: name → text. */
export async function archiveOf(lambda: RecordedResource): Promise<Record<string, string>> {
  const entries = Object.entries(await entriesOf(lambda)).filter(([, entry]) => entry.text !== undefined);
  return Object.fromEntries(
    await Promise.all(entries.map(async ([name, entry]) => [name, await entry.text!])),
  );
}

/** Every file the archive would hold, archive path → bytes (folders such as `node_modules/x` walked). */
export async function archiveFiles(lambda: RecordedResource): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = {};
  const walk = (archivePath: string, diskPath: string) => {
    if (fs.statSync(diskPath).isDirectory()) {
      for (const name of fs.readdirSync(diskPath)) walk(`${archivePath}/${name}`, path.join(diskPath, name));
    } else files[archivePath] = fs.readFileSync(diskPath);
  };
  for (const [name, entry] of Object.entries(await entriesOf(lambda))) {
    if (entry.text !== undefined) files[name] = Buffer.from(await entry.text);
    else walk(name, await entry.path!);
  }
  return files;
}

/** Package names a bundle `require`s that are not Node builtins. */
export function nonBuiltinRequires(text: string): string[] {
  const names = [...new Set([...text.matchAll(/require\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]))];
  return names.filter((name) => !isBuiltin(name));
}

/**
 * Runs bundle text as a CommonJS module whose `require` resolves Node builtins and the packages in
 * `runtimePackages` (prefixes, e.g. `@aws-sdk/`, which the Lambda runtime provides) and nothing else.
 */
export function loadBundle<H>(text: string, runtimePackages: readonly string[] = []): H {
  const bundle = { exports: {} as Record<string, unknown> };
  const requireAllowed = (name: string) => {
    if (!isBuiltin(name) && !runtimePackages.some((prefix) => name.startsWith(prefix)))
      throw new Error(`the bundle required ${name}, which neither Node nor the Lambda runtime provides`);
    return require(name);
  };
  new Function("exports", "require", "module", "__filename", "__dirname", text)(
    bundle.exports,
    requireAllowed,
    bundle,
    "/var/task/__index.js",
    "/var/task",
  );
  return bundle.exports.handler as H;
}

/**
 * Loads an archive's `__index.js` from a copy of the archive in a fresh directory, as Lambda runs it
 * from /var/task: its `require`s resolve in the archive's own `node_modules` alone, plus the
 * packages under `runtimeScopes` (e.g. `@aws-sdk`, which the Lambda runtime provides), linked from
 * this checkout. A package the archive lacks fails to load. Returns the handler and the directory.
 */
export function loadArchive<H>(
  files: Record<string, Uint8Array>,
  runtimeScopes: readonly string[] = [],
): { handler: H; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-archive-"));
  for (const [name, bytes] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), bytes);
  }
  fs.mkdirSync(path.join(dir, "node_modules"), { recursive: true });
  for (const scope of runtimeScopes)
    fs.symlinkSync(
      path.resolve(__dirname, "../../node_modules", scope),
      path.join(dir, "node_modules", scope),
    );
  type CommonJs = {
    new (id: string): {
      filename: string;
      paths: string[];
      exports: Record<string, unknown>;
      _compile(text: string, filename: string): void;
    };
  };
  const filename = path.join(dir, "__index.js");
  const bundle = new (Module as unknown as CommonJs)(filename);
  bundle.filename = filename;
  bundle.paths = [path.join(dir, "node_modules")];
  try {
    bundle._compile(fs.readFileSync(filename, "utf8"), filename);
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { handler: bundle.exports.handler as H, dir };
}
