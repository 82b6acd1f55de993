/**
 * `npm run bench`: runs every `bench/*.bench.ts` (or those named on the command line) in turn.
 * Each module exports `run(): Promise<void>` and prints its own figures with units.
 */
import * as fs from "fs";
import * as path from "path";

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith(".bench.ts"))
    .filter((f) => only.length === 0 || only.some((name) => f.startsWith(name)))
    .sort();
  if (files.length === 0) throw new Error(`no benchmark matches ${only.join(", ")}`);
  for (const file of files) {
    console.log(
      `\n## ${file.replace(/\.bench\.ts$/, "")} (node ${process.version}, ${new Date().toISOString()})`,
    );
    const mod = (await import(path.join(__dirname, file))) as { run: () => Promise<void> };
    await mod.run();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
