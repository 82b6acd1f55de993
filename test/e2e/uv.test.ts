/**
 * uv (the pinned release) against the sandbox, configured the way `keys create` tells a user to:
 * `uv pip install --index-url` with the printed URL, and projects whose `pyproject.toml` holds the
 * printed `[[tool.uv.index]]` block (in place of PyPI, or only for named packages) with the
 * credentials from the printed `export` lines, locked and synced. uv's handling of 401/404, yanked
 * versions, Requires-Python and HEAD/Range is in the conformance table (`conformance.test.ts`).
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { output, run, uv, uvEnv, uvProjectEnv } from "../../fixtures/pythonClients";
import { JSON_TYPE } from "./support/pages";
import { commandArguments, exportedVariables, pasted } from "./support/printedConfiguration";
import { askedFor, pyprojectToml, useClientScenario } from "./support/scenario";
import { SOURCE_NAME } from "../../cli/clientConfig";

const PROJECT = "ppi-demo-hello";
const PUBLIC_PROJECT = "ppi-public-thing";
const WHEEL = "ppi_demo_hello-1.1.0-py3-none-any.whl";

/** `name = "…"`, `version = "…"` and `source = { … }` of each `[[package]]` in uv.lock. */
function lockedPackages(lock: string): Record<string, { version: string; source: string }> {
  const packages: Record<string, { version: string; source: string }> = {};
  for (const [, name, version, source] of lock.matchAll(
    /^\[\[package\]\]\nname = "([^"]+)"\nversion = "([^"]+)"\nsource = \{ ([^}]*) \}/gm,
  )) {
    packages[name] = { version, source };
  }
  return packages;
}

describe("uv against the sandbox @integration", function () {
  const scenario = useClientScenario({
    name: "uv",
    // The stand-in for public PyPI: another project, and a look-alike of the private one.
    publicWheels: [
      { name: PUBLIC_PROJECT, version: "1.0.0" },
      { name: PROJECT, version: "99.0.0" },
    ],
  });

  /** A project directory whose pyproject.toml depends on `dependencies`, with `toml` appended. */
  function project(name: string, dependencies: readonly string[], toml: string): string {
    const dir = scenario.freshDir(name);
    fs.writeFileSync(path.join(dir, "pyproject.toml"), pyprojectToml(name, dependencies, toml));
    return dir;
  }

  it("uv pip install --index-url with the printed URL installs into a fresh venv, from the JSON page and the metadata file", async () => {
    const dir = scenario.freshDir("pip-install");
    const env = uvEnv(dir);
    const venv = path.join(dir, "venv");
    const created = await uv(["venv", venv], { env });
    expect(created.code, output(created)).to.equal(0);
    const [, ...args] = commandArguments(scenario.printed.blocks.pipCommand[0], "pip", PROJECT); // uv pip takes pip's arguments
    const install = await uv(["pip", "install", "--python", path.join(venv, "bin", "python"), ...args], {
      env,
    });
    expect(install.code, output(install)).to.equal(0);
    const imported = await run(path.join(venv, "bin", "python"), [
      "-c",
      "import ppi_demo_hello as m; print(m.__version__)",
    ]);
    expect(imported.stdout.trim()).to.equal("1.1.0");
    expect(scenario.served.find((s) => s.url === `/simple/${PROJECT}/`)).to.include({
      status: 200,
      contentType: JSON_TYPE,
    });
    const urls = scenario.served.map((s) => s.url);
    const metadataAt = urls.indexOf(`/files/${PROJECT}/${WHEEL}.metadata`);
    expect(metadataAt, urls.join("\n")).to.be.greaterThan(-1);
    expect(urls.indexOf(`/files/${PROJECT}/${WHEEL}`)).to.be.greaterThan(metadataAt);
  });

  it("locks and syncs a project with the printed index in place of PyPI; the lock names the index without the key", async () => {
    const dir = project("consumer", [PROJECT], pasted(scenario.printed.blocks.uvDefault, PROJECT));
    const env = uvProjectEnv(dir, exportedVariables(scenario.printed.blocks.uvCredentials));
    const lock = await uv(["lock"], { cwd: dir, env });
    expect(lock.code, output(lock)).to.equal(0);
    // Resolution read the JSON page and the PEP 658 metadata file; no wheel was downloaded to resolve.
    expect(scenario.served.map((s) => `${s.status} ${s.method} ${s.url}`)).to.deep.equal([
      `200 GET /simple/${PROJECT}/`,
      `200 GET /files/${PROJECT}/${WHEEL}.metadata`,
    ]);
    expect(scenario.served[0].contentType).to.equal(JSON_TYPE);
    const lockText = fs.readFileSync(path.join(dir, "uv.lock"), "utf8");
    expect(lockedPackages(lockText)[PROJECT]).to.deep.equal({
      version: "1.1.0",
      source: `registry = "${scenario.sandbox.url}"`,
    });
    expect(lockText).to.not.include(scenario.printed.publicKey).and.not.include(scenario.printed.secretKey);

    scenario.clearLogs();
    const sync = await uv(["sync", "--frozen"], { cwd: dir, env });
    expect(sync.code, output(sync)).to.equal(0);
    expect(scenario.served.map((s) => `${s.status} ${s.method} ${s.url}`)).to.deep.equal([
      `200 GET /files/${PROJECT}/${WHEEL}`,
    ]);
    const imported = await run(path.join(dir, ".venv", "bin", "python"), [
      "-c",
      "import ppi_demo_hello as m; print(m.__version__, m.hello())",
    ]);
    expect(imported.stdout.trim()).to.equal("1.1.0 hello from the sandbox index");
  });

  it("without the printed credentials, uv lock stops at the index's 401 and writes no lock", async () => {
    const dir = project("anonymous", [PROJECT], pasted(scenario.printed.blocks.uvDefault, PROJECT));
    const lock = await uv(["lock"], { cwd: dir, env: uvProjectEnv(dir) });
    expect(lock.code).to.not.equal(0);
    expect(lock.stderr).to.contain("401 Unauthorized");
    expect(scenario.served.map((s) => s.status)).to.deep.equal([401]);
    expect(fs.existsSync(path.join(dir, "uv.lock"))).to.equal(false);
  });

  /** The printed `[[tool.uv.index]]` made explicit: uv takes only `name` from it (not printed by `keys create`). */
  const explicitIndex = (name: string) =>
    [
      ...scenario.printed.blocks.uvDefault.filter((line) => line !== "default = true"),
      "explicit = true",
      "",
      "[tool.uv.sources]",
      `${name} = { index = "${SOURCE_NAME}" }`,
    ].join("\n");

  it("takes only the named package from an explicit index (the printed index with explicit = true and [tool.uv.sources]), the rest from the default index", async () => {
    const dir = project("pinned", [PROJECT, PUBLIC_PROJECT], explicitIndex(PROJECT));
    const env = uvProjectEnv(dir, {
      ...exportedVariables(scenario.printed.blocks.uvCredentials),
      UV_DEFAULT_INDEX: scenario.publicIndex.url,
    });
    const lock = await uv(["lock"], { cwd: dir, env });
    expect(lock.code, output(lock)).to.equal(0);
    const packages = lockedPackages(fs.readFileSync(path.join(dir, "uv.lock"), "utf8"));
    expect(packages[PROJECT]).to.deep.equal({
      version: "1.1.0",
      source: `registry = "${scenario.sandbox.url}"`,
    });
    expect(packages[PUBLIC_PROJECT]).to.deep.equal({
      version: "1.0.0",
      source: `registry = "${scenario.publicIndex.url}"`,
    });
    // The private name never reaches the default index; the explicit index serves only what is named.
    expect(askedFor(scenario.publicIndex.requests, PROJECT)).to.equal(false);
    expect(askedFor(scenario.served, PUBLIC_PROJECT)).to.equal(false);

    const sync = await uv(["sync", "--frozen"], { cwd: dir, env });
    expect(sync.code, output(sync)).to.equal(0);
    const imported = await run(path.join(dir, ".venv", "bin", "python"), [
      "-c",
      "import ppi_demo_hello, ppi_public_thing; print(ppi_demo_hello.__version__, ppi_public_thing.__version__)",
    ]);
    expect(imported.stdout.trim()).to.equal("1.1.0 1.0.0");
  });
});
