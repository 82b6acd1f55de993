/**
 * The configuration schema is the one source of every key: Pulumi.yaml's `config:` block and the docs
 * tables are generated from it (and must be up to date), each stack file must pass validation as the
 * Pulumi CLI hands it over (Pulumi.yaml defaults merged in), and no schema key may go unread.
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { parseStackConfig } from "../../config/index";
import { STACK_CONFIG } from "../../config/schema";
import { PROJECT_NAME } from "../../domain/project";
import { generatedFiles } from "../../scripts/generateConfig";
import { stackConfig } from "../support/program";

const ROOT = path.resolve(__dirname, "..", "..");
const STACKS = ["dev", "staging", "prod"];
const PROJECT = PROJECT_NAME;

/** A stack's project values as `pulumi.Config#get` returns them under the CLI (key without the project). */
function projectSource(stack: string, overrides: Record<string, string | undefined> = {}) {
  const values = stackConfig(stack, overrides);
  return (key: string) => values[`${PROJECT}:${key}`];
}

describe("config: one schema", () => {
  it("the generated files are what `npm run generate:config` writes now", async () => {
    for (const { file, text } of await generatedFiles()) {
      const committed = fs.readFileSync(path.join(ROOT, file), "utf8");
      expect(committed, `${file} is stale: run npm run generate:config`).to.equal(text);
    }
  });

  for (const stack of STACKS) {
    it(`Pulumi.${stack}.yaml passes validation as the CLI hands it over`, () => {
      expect(() => parseStackConfig(projectSource(stack), stack)).not.to.throw();
    });

    it(`Pulumi.${stack}.yaml sets only keys of the schema (provider keys aside)`, () => {
      const unknown = Object.keys(stackConfig(stack)).filter(
        (key) => key.startsWith(`${PROJECT}:`) && !(key.slice(PROJECT.length + 1) in STACK_CONFIG),
      );
      expect(unknown).to.deep.equal([]);
    });

    it(`Pulumi.${stack}.yaml pins aws:region to the program's region`, () => {
      const values = stackConfig(stack);
      expect(values["aws:region"]).to.equal(values[`${PROJECT}:region`]);
    });
  }

  it("reads every key of the schema (no dead configuration)", () => {
    const read = new Set<string>();
    for (const stack of STACKS) {
      for (const key of parseStackConfig(projectSource(stack), stack).reader.keysRead) read.add(key);
    }
    expect(Object.keys(STACK_CONFIG).filter((key) => !read.has(key))).to.deep.equal([]);
  });

  it("the CLI demands the required region and nothing optional from a stack", () => {
    expect(() => stackConfig("dev", { [`${PROJECT}:region`]: undefined })).to.throw(
      "Stack 'dev' is missing configuration value 'region'",
    );
    // Every optional key unset: Pulumi.yaml declares none without a default, so the CLI accepts it.
    const optional = Object.entries(STACK_CONFIG)
      .filter(([, spec]) => spec.type !== "array" && !("default" in spec) && !("required" in spec))
      .map(([key]) => [`${PROJECT}:${key}`, undefined]);
    expect(optional.length).to.be.greaterThan(10);
    expect(() => stackConfig("prod", Object.fromEntries(optional))).not.to.throw();
  });

  it("a component-defaulted key is left to the component: unset reads as undefined", () => {
    const defaulted = Object.entries(STACK_CONFIG).filter(([, spec]) => "defaultedBy" in spec);
    expect(defaulted.map(([key]) => key)).to.include.members([
      "pageCacheTtlSeconds",
      "protect",
      "priceClass",
    ]);
    for (const [key, spec] of defaulted) expect(spec, key).not.to.have.property("default");
    const { config } = parseStackConfig((key) => (key === "region" ? "eu-west-1" : undefined), "dev");
    expect(config.core.protect).to.equal(undefined);
    expect(config.edgeIndex.pageCacheTtlSeconds).to.equal(undefined);
    expect(config.edgeIndex.priceClass).to.equal(undefined);
  });
});
