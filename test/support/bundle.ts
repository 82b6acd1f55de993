/**
 * The serialized archive of a mocked CallbackFunction, and its `__index.js` loaded as the Lambda
 * runtime would with nothing but Node builtins (and, where asked, the runtime's AWS SDK v3).
 */
import { isBuiltin } from "module";
import { RecordedResource } from "../mocks";

/** The archive a mocked `aws:lambda/function:Function` would upload: entry name → text. */
export async function archiveOf(lambda: RecordedResource): Promise<Record<string, string>> {
  const code = lambda.inputs.code as { assets: Promise<Record<string, { text: Promise<string> }>> };
  const assets = await code.assets;
  return Object.fromEntries(
    await Promise.all(Object.entries(assets).map(async ([name, asset]) => [name, await asset.text])),
  );
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
