/**
 * Pull-request previews run the pull request's program with a token that may read (and decrypt) the
 * infrastructure stacks' config and state. So those stacks must hold no secret: no `secure:` value,
 * no GitHub provider config, no GitHub resource (repository settings belong to `deployments/`).
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { parse } from "yaml";
import { runProgram } from "../support/program";

const ROOT = path.resolve(__dirname, "..", "..");
const STACK_FILE = /^Pulumi\.([a-z0-9]+)\.yaml$/;
const stacks = fs
  .readdirSync(ROOT)
  .map((file) => STACK_FILE.exec(file)?.[1])
  .filter((stack): stack is string => stack !== undefined);

/** Paths (`key.sub[0]`) of every `secure:` value inside a parsed YAML value. */
function securePaths(value: unknown, at: string): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => securePaths(item, `${at}[${i}]`));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, item]) =>
    key === "secure" ? [at] : securePaths(item, `${at}.${key}`),
  );
}

describe("program: the infrastructure stacks hold no secret", () => {
  it("finds the committed stack files", () => {
    expect(stacks).to.include.members(["dev", "staging", "prod"]);
  });

  for (const stack of stacks) {
    it(`Pulumi.${stack}.yaml has no secure value and no github: provider config`, () => {
      const file = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as {
        config?: Record<string, unknown>;
      };
      const config = file.config ?? {};
      expect(securePaths(config, "config")).to.deep.equal([]);
      expect(Object.keys(config).filter((key) => key.startsWith("github:"))).to.deep.equal([]);
    });

    it(`${stack}: index.ts registers no github: resource or provider`, async () => {
      const { recorder } = await runProgram(stack);
      expect(recorder.resources.length).to.be.greaterThan(0);
      const github = recorder.resources.filter((r) => /^(github:|pulumi:providers:github$)/.test(r.type));
      expect(github.map((r) => `${r.type} ${r.name}`)).to.deep.equal([]);
    });
  }

  it("recognises secure values wherever they are", () => {
    expect(
      securePaths({ a: { secure: "v1:x" }, b: [{ c: { secure: "v1:y" } }], d: "secure" }, "config"),
    ).to.deep.equal(["config.a", "config.b[0].c"]);
  });
});
