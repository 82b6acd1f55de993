/**
 * Pulumi.yaml and the config modules must agree: the CLI merges Pulumi.yaml's defaults, but under
 * mocks (and in parseStackConfig's own fallbacks) only the code's defaults count, so a drift between
 * the two would make a real deployment differ from every test.
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { parse } from "yaml";
import { parseStackConfig } from "../../config/index";
import { ConfigKeyUse } from "../../config/reader";
import { stackConfig } from "../support/program";

const ROOT = path.resolve(__dirname, "..", "..");
const PROJECT = "python-package-index";
const STACKS = ["dev", "staging", "prod"];

interface DeclaredKey {
  readonly type: string;
  readonly description?: string;
  readonly default?: unknown;
  readonly items?: { readonly type: string };
}

const declared = (
  parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { config: Record<string, DeclaredKey> }
).config;

/** A stack file's project values as `pulumi.Config#get` returns them (key without the project). */
function projectSource(stack: string): (key: string) => string | undefined {
  const values = stackConfig(stack);
  return (key) => values[`${PROJECT}:${key}`];
}

/** Every key the config modules read for any of the stack files, with type and default. */
function keysRead(): Map<string, ConfigKeyUse> {
  const uses = new Map<string, ConfigKeyUse>();
  for (const stack of STACKS) {
    for (const use of parseStackConfig(projectSource(stack), stack).reader.keysRead) uses.set(use.key, use);
  }
  return uses;
}

describe("config: Pulumi.yaml schema", () => {
  for (const stack of STACKS) {
    it(`Pulumi.${stack}.yaml passes validation`, () => {
      expect(() => parseStackConfig(projectSource(stack), stack)).not.to.throw();
    });

    it(`Pulumi.${stack}.yaml sets only keys that Pulumi.yaml declares (provider keys aside)`, () => {
      const undeclared = Object.keys(stackConfig(stack)).filter(
        (key) => key.startsWith(`${PROJECT}:`) && !(key.slice(PROJECT.length + 1) in declared),
      );
      expect(undeclared).to.deep.equal([]);
    });

    it(`Pulumi.${stack}.yaml pins aws:region to the program's region`, () => {
      const values = stackConfig(stack);
      expect(values["aws:region"]).to.equal(values[`${PROJECT}:region`]);
    });
  }

  it("declares every key the program reads, with the same type and default", () => {
    for (const use of keysRead().values()) {
      const declaration = declared[use.key];
      expect(declaration, `Pulumi.yaml declares ${use.key}`).not.to.equal(undefined);
      expect(declaration.type, `type of ${use.key}`).to.equal(use.type);
      expect(declaration.default, `default of ${use.key}`).to.deep.equal(use.default);
      expect(declaration.description, `description of ${use.key}`).to.be.a("string").and.not.equal("");
      if (use.type === "array")
        expect(declaration.items, `items of ${use.key}`).to.deep.equal({ type: "string" });
    }
  });

  it("reads every key Pulumi.yaml declares", () => {
    const read = keysRead();
    expect(Object.keys(declared).filter((key) => !read.has(key))).to.deep.equal([]);
  });

  it("docs/configuration.md lists every declared key with its type and default", () => {
    const readme = fs.readFileSync(path.join(ROOT, "docs", "configuration.md"), "utf8");
    const rows = new Map(
      [...readme.matchAll(/^\| `([A-Za-z0-9]+)` +\| ([a-z<>]+) +\| (\S+) +\|/gm)].map((m) => [
        m[1],
        [m[2], m[3]],
      ]),
    );
    for (const [key, declaration] of Object.entries(declared)) {
      const type = declaration.type === "array" ? `array<${declaration.items?.type}>` : declaration.type;
      const defaultValue =
        declaration.default === undefined
          ? "—"
          : `\`${JSON.stringify(declaration.default).replace(/^"|"$/g, "")}\``;
      expect(rows.get(key), `docs/configuration.md row for ${key}`).to.deep.equal([type, defaultValue]);
    }
  });
});
