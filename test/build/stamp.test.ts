/**
 * The build stamp: a compiled program whose sources changed, vanished or whose build never
 * finished refuses to run and names the command that rebuilds it.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { BUILD_DIR, PROJECT_ROOT, staleBuildReason, writeBuildStamp } from "../../build/stamp";
import { compiled } from "../support/compiled";

function tempProject(): { root: string; buildDir: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-stamp-"));
  const buildDir = path.join(root, "dist");
  for (const [file, text] of [
    ["tsconfig.json", "{}"],
    ["tsconfig.build.json", "{}"],
    ["cli/a.ts", "export const a = 1;"],
    ["dist/cli/a.js", "exports.a = 1;"],
    ["dist/cli/orphan.js", "exports.b = 1;"],
  ]) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  return { root, buildDir };
}

describe("build stamp (build/stamp.ts)", () => {
  const cases: { name: string; change: (root: string) => void; reason: string | undefined }[] = [
    { name: "sources as built", change: () => undefined, reason: undefined },
    {
      name: "a source edited",
      change: (root) => fs.writeFileSync(path.join(root, "cli/a.ts"), "export const a = 2;"),
      reason: "its sources changed since the build",
    },
    {
      name: "the build config edited",
      change: (root) => fs.writeFileSync(path.join(root, "tsconfig.build.json"), '{"x":1}'),
      reason: "its sources changed since the build",
    },
    {
      name: "a source removed",
      change: (root) => fs.rmSync(path.join(root, "cli/a.ts")),
      reason: "cli/a.ts was removed since the build",
    },
    {
      name: "no stamp (the build stopped before it)",
      change: (root) => fs.rmSync(path.join(root, "dist/build-stamp.json")),
      reason: "dist/build-stamp.json is missing or unreadable (the build did not finish)",
    },
  ];
  for (const { name, change, reason } of cases) {
    it(`${name}: ${reason ?? "fresh"}`, () => {
      const { root, buildDir } = tempProject();
      try {
        expect(writeBuildStamp(root, buildDir).sources).to.deep.equal([
          "cli/a.ts",
          "tsconfig.build.json",
          "tsconfig.json",
        ]);
        change(root);
        expect(staleBuildReason(root, buildDir)).to.equal(reason);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });
  }

  it("the compiled CLI refuses to start from a build older than its sources, naming the command", function () {
    // A copy of the project's build and the sources it lists, with one source then edited.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-stale-"));
    try {
      const stamp = JSON.parse(fs.readFileSync(compiled("build-stamp.json"), "utf8")) as {
        sources: string[];
      };
      fs.cpSync(BUILD_DIR, path.join(root, "dist"), { recursive: true });
      for (const source of [...stamp.sources, "package.json"]) {
        fs.mkdirSync(path.dirname(path.join(root, source)), { recursive: true });
        fs.copyFileSync(path.join(PROJECT_ROOT, source), path.join(root, source));
      }
      fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(root, "node_modules"));
      const main = path.join(root, "dist", "cli", "main.js");
      const fresh = spawnSync(process.execPath, [main, "--help"], { encoding: "utf8" });
      expect(fresh.status, fresh.stderr).to.equal(0);

      fs.appendFileSync(path.join(root, "cli", "run.ts"), "\n// edited after the build\n");
      const stale = spawnSync(process.execPath, [main, "--help"], { encoding: "utf8" });
      expect(stale.status).to.equal(1);
      expect(stale.stdout).to.equal("");
      expect(stale.stderr).to.equal(
        `error: the compiled program in ${path.join(root, "dist")} is out of date: its sources changed since the build; rebuild it with \`npm run build\` in ${root}\n`,
      );
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
