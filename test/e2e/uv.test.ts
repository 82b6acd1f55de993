/**
 * uv (the pinned release) against the sandbox, configured the way `keys create` tells a user to:
 * `uv pip install --index-url` with the printed URL, and projects whose `pyproject.toml` holds the
 * printed `[[tool.uv.index]]` block (in place of PyPI, or only for named packages) with the
 * credentials from the printed `export` lines, locked and synced. uv's handling of 401/404, yanked
 * versions, Requires-Python and HEAD/Range is in the conformance table (`conformance.test.ts`).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { startSandbox, Sandbox } from "../../sandbox";
import type { ServedRequest } from "../../sandbox/cloudfront";
import { output, run, uv, uvEnv, uvProjectEnv } from "./support/clients";
import { JSON_TYPE } from "./support/pages";
import {
  commandArguments,
  createKeyWithCli,
  exportedVariables,
  pasted,
  PrintedKey,
} from "./support/printedConfiguration";
import { startStaticIndex, StaticIndex } from "./support/staticIndex";

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
  let sandbox: Sandbox;
  let publicIndex: StaticIndex;
  let printed: PrintedKey;
  let work: string;
  let served: ServedRequest[] = [];

  const freshDir = (name: string) => fs.mkdtempSync(path.join(work, `${name}-`));
  const asked = (log: readonly { url: string }[], project: string) =>
    log.some((r) => r.url === `/simple/${project}/`);

  /** A project directory whose pyproject.toml depends on `dependencies`, with `toml` appended. */
  function project(name: string, dependencies: readonly string[], toml: string): string {
    const dir = freshDir(name);
    fs.writeFileSync(
      path.join(dir, "pyproject.toml"),
      [
        "[project]",
        `name = "${name}"`,
        'version = "0.1.0"',
        'requires-python = ">=3.11"',
        `dependencies = [${dependencies.map((d) => JSON.stringify(d)).join(", ")}]`,
        "",
        toml,
      ].join("\n"),
    );
    return dir;
  }

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-e2e-uv-"));
    sandbox = await startSandbox({ port: 0, quiet: true, onServed: (entry) => served.push(entry) });
    // The stand-in for public PyPI: another project, and a look-alike of the private one.
    publicIndex = await startStaticIndex([
      { name: PUBLIC_PROJECT, version: "1.0.0" },
      { name: PROJECT, version: "99.0.0" },
    ]);
    printed = await createKeyWithCli(sandbox, "demo");
  });

  beforeEach(() => {
    served = [];
    publicIndex.clearLog();
  });

  after(async () => {
    await sandbox?.stop();
    await publicIndex?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("uv pip install --index-url with the printed URL installs into a fresh venv, from the JSON page and the metadata file", async () => {
    const dir = freshDir("pip-install");
    const env = uvEnv(dir);
    const venv = path.join(dir, "venv");
    const created = await uv(["venv", venv], { env });
    expect(created.code, output(created)).to.equal(0);
    const [, ...args] = commandArguments(printed.blocks.pipCommand[0], "pip", PROJECT); // uv pip takes pip's arguments
    const install = await uv(["pip", "install", "--python", path.join(venv, "bin", "python"), ...args], {
      env,
    });
    expect(install.code, output(install)).to.equal(0);
    const imported = await run(path.join(venv, "bin", "python"), [
      "-c",
      "import ppi_demo_hello as m; print(m.__version__)",
    ]);
    expect(imported.stdout.trim()).to.equal("1.1.0");
    expect(served.find((s) => s.url === `/simple/${PROJECT}/`)).to.include({
      status: 200,
      contentType: JSON_TYPE,
    });
    const urls = served.map((s) => s.url);
    const metadataAt = urls.indexOf(`/files/${PROJECT}/${WHEEL}.metadata`);
    expect(metadataAt, urls.join("\n")).to.be.greaterThan(-1);
    expect(urls.indexOf(`/files/${PROJECT}/${WHEEL}`)).to.be.greaterThan(metadataAt);
  });

  it("locks and syncs a project with the printed index in place of PyPI; the lock names the index without the key", async () => {
    const dir = project("consumer", [PROJECT], pasted(printed.blocks.uvDefault, PROJECT));
    const env = uvProjectEnv(dir, exportedVariables(printed.blocks.uvCredentials));
    const lock = await uv(["lock"], { cwd: dir, env });
    expect(lock.code, output(lock)).to.equal(0);
    // Resolution read the JSON page and the PEP 658 metadata file; no wheel was downloaded to resolve.
    expect(served.map((s) => `${s.status} ${s.method} ${s.url}`)).to.deep.equal([
      `200 GET /simple/${PROJECT}/`,
      `200 GET /files/${PROJECT}/${WHEEL}.metadata`,
    ]);
    expect(served[0].contentType).to.equal(JSON_TYPE);
    const lockText = fs.readFileSync(path.join(dir, "uv.lock"), "utf8");
    expect(lockedPackages(lockText)[PROJECT]).to.deep.equal({
      version: "1.1.0",
      source: `registry = "${sandbox.url}"`,
    });
    expect(lockText).to.not.include(printed.publicKey).and.not.include(printed.secretKey);

    served = [];
    const sync = await uv(["sync", "--frozen"], { cwd: dir, env });
    expect(sync.code, output(sync)).to.equal(0);
    expect(served.map((s) => `${s.status} ${s.method} ${s.url}`)).to.deep.equal([
      `200 GET /files/${PROJECT}/${WHEEL}`,
    ]);
    const imported = await run(path.join(dir, ".venv", "bin", "python"), [
      "-c",
      "import ppi_demo_hello as m; print(m.__version__, m.hello())",
    ]);
    expect(imported.stdout.trim()).to.equal("1.1.0 hello from the sandbox index");
  });

  it("without the printed credentials, uv lock stops at the index's 401 and writes no lock", async () => {
    const dir = project("anonymous", [PROJECT], pasted(printed.blocks.uvDefault, PROJECT));
    const lock = await uv(["lock"], { cwd: dir, env: uvProjectEnv(dir) });
    expect(lock.code).to.not.equal(0);
    expect(lock.stderr).to.contain("401 Unauthorized");
    expect(served.map((s) => s.status)).to.deep.equal([401]);
    expect(fs.existsSync(path.join(dir, "uv.lock"))).to.equal(false);
  });

  it("takes only the named package from the printed explicit index, the rest from the default index", async () => {
    const dir = project("pinned", [PROJECT, PUBLIC_PROJECT], pasted(printed.blocks.uvExplicit, PROJECT));
    const env = uvProjectEnv(dir, {
      ...exportedVariables(printed.blocks.uvCredentials),
      UV_DEFAULT_INDEX: publicIndex.url,
    });
    const lock = await uv(["lock"], { cwd: dir, env });
    expect(lock.code, output(lock)).to.equal(0);
    const packages = lockedPackages(fs.readFileSync(path.join(dir, "uv.lock"), "utf8"));
    expect(packages[PROJECT]).to.deep.equal({ version: "1.1.0", source: `registry = "${sandbox.url}"` });
    expect(packages[PUBLIC_PROJECT]).to.deep.equal({
      version: "1.0.0",
      source: `registry = "${publicIndex.url}"`,
    });
    // The private name never reaches the default index; the explicit index serves only what is named.
    expect(asked(publicIndex.requests, PROJECT)).to.equal(false);
    expect(asked(served, PUBLIC_PROJECT)).to.equal(false);

    const sync = await uv(["sync", "--frozen"], { cwd: dir, env });
    expect(sync.code, output(sync)).to.equal(0);
    const imported = await run(path.join(dir, ".venv", "bin", "python"), [
      "-c",
      "import ppi_demo_hello, ppi_public_thing; print(ppi_demo_hello.__version__, ppi_public_thing.__version__)",
    ]);
    expect(imported.stdout.trim()).to.equal("1.1.0 1.0.0");
  });
});
