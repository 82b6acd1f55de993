/**
 * The serialized archive of a mocked CallbackFunction, and its `__index.js` loaded as the Lambda
 * runtime would with nothing but Node builtins (and, where asked, the runtime's AWS SDK v3).
 */
import * as fs from "fs";
import { isBuiltin } from "module";
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
