/**
 * Upstream fall-through with real pip and uv: the sandbox runs the serialized origin-response
 * bundle in front of a local stand-in for PyPI on another port of 127.0.0.1 (so the clients treat
 * it as another origin). Each client gets the single printed URL and nothing else.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { S3Client } from "@aws-sdk/client-s3";
import { startSandbox, Sandbox, urlWithKey } from "../../sandbox";
import type { ServedRequest } from "../../sandbox/cloudfront";
import { output, pip, run, uv, uvEnv } from "../../fixtures/pythonClients";
import { IndexFixture, indexFixture } from "../../fixtures/sandboxIndex";
import { IndexStore } from "../../publishing/indexStore";
import { reserveNames } from "../../publishing/reservedNames";
import { StaticIndex, startStaticIndex } from "./support/staticIndex";

const APP = "ppi-private-app";
const DEP = "ppi-public-dep";
const RESERVED = "ppi-reserved-tool";

describe("upstream fall-through with pip and uv @integration", function () {
  let upstream: StaticIndex;
  let sandbox: Sandbox;
  let fixture: IndexFixture;
  let work: string;
  let indexUrl: string;
  let served: ServedRequest[] = [];

  before(async function () {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-e2e-fallthrough-"));
    // The stand-in for PyPI: the public dependency, a higher-versioned copy of the private name,
    // and a package under a name the tenant reserved.
    upstream = await startStaticIndex([
      { name: DEP, version: "1.0.0" },
      { name: APP, version: "99.0.0" },
      { name: RESERVED, version: "1.0.0" },
    ]);
    sandbox = await startSandbox({
      port: 0,
      quiet: true,
      upstreamIndex: upstream.url,
      onServed: (entry) => served.push(entry),
    });
    fixture = indexFixture(sandbox);
    await fixture.publishWheels("demo", [{ name: APP, version: "1.0.0", requiresDist: [DEP] }]);
    const s3 = new S3Client({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      forcePathStyle: true,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    await reserveNames(new IndexStore(s3, sandbox.bucket), "demo", ["ppi-reserved-*"]);
    s3.destroy();
    indexUrl = urlWithKey(sandbox.url, sandbox.publicKey, sandbox.secretKey);
  });
  after(async () => {
    fixture?.destroy();
    await sandbox?.stop();
    await upstream?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });
  beforeEach(() => {
    served = [];
    upstream.clearLog();
  });

  /** What reached the upstream: only the public dependency, never a credential. */
  function expectUpstreamSawOnlyTheDependency(): void {
    const urls = upstream.requests.map((r) => r.url);
    expect(urls, urls.join("\n")).to.include(`/simple/${DEP}/`);
    expect(
      urls.filter((u) => u.includes(APP) || u.includes("ppi-reserved") || u.includes("ppi_private")),
    ).to.deep.equal([]);
    expect(upstream.requests.filter((r) => r.authorization !== undefined)).to.deep.equal([]);
    // The index redirected the dependency's page (302, never 301) and served the private one itself.
    expect(served.filter((s) => s.url === `/simple/${DEP}/`).map((s) => s.status)).to.include(302);
    expect(served.filter((s) => s.url === `/simple/${APP}/`).map((s) => s.status)).to.deep.equal([200]);
  }

  it("pip with --index-url only installs the private package (1.0.0, not the upstream's 99.0.0) and its upstream-only dependency", async () => {
    const target = path.join(work, "pip-target");
    const install = await pip("install", indexUrl, ["--target", target, APP]);
    expect(install.code, output(install)).to.equal(0);
    const installed = fs
      .readdirSync(target)
      .filter((f) => f.endsWith(".dist-info"))
      .sort();
    expect(installed).to.deep.equal(["ppi_private_app-1.0.0.dist-info", "ppi_public_dep-1.0.0.dist-info"]);
    expectUpstreamSawOnlyTheDependency();
  });

  it("uv pip install with --index-url only does the same", async () => {
    const dir = fs.mkdtempSync(path.join(work, "uv-"));
    const env = uvEnv(dir);
    const venv = path.join(dir, "venv");
    expect((await uv(["venv", venv], { env })).code).to.equal(0);
    const install = await uv(
      ["pip", "install", "--python", path.join(venv, "bin", "python"), "--index-url", indexUrl, APP],
      { env },
    );
    expect(install.code, output(install)).to.equal(0);
    const versions = await run(path.join(venv, "bin", "python"), [
      "-c",
      "import ppi_private_app as a, ppi_public_dep as d; print(a.__version__, d.__version__)",
    ]);
    expect(versions.stdout.trim()).to.equal("1.0.0 1.0.0");
    expectUpstreamSawOnlyTheDependency();
  });

  it("a reserved name is answered 404 and never reaches the upstream, although the upstream has it", async () => {
    const dir = fs.mkdtempSync(path.join(work, "reserved-"));
    const download = await pip("download", indexUrl, ["--no-deps", "--dest", dir, RESERVED]);
    expect(download.code).to.not.equal(0);
    expect(fs.readdirSync(dir)).to.deep.equal([]);
    expect(served.filter((s) => s.url === `/simple/${RESERVED}/`).map((s) => s.status)).to.deep.equal([404]);
    expect(upstream.requests).to.deep.equal([]);
  });

  it("redirects to the normalized name, keeps files and unknown files 404 and asks for credentials first", async () => {
    const auth = `Basic ${Buffer.from(`${sandbox.publicKey}:${sandbox.secretKey}`).toString("base64")}`;
    const page = await fetch(`${sandbox.origin}/simple/PPI_Public.Dep/`, {
      headers: { authorization: auth },
      redirect: "manual",
    });
    expect([page.status, page.headers.get("location")]).to.deep.equal([301, `/simple/${DEP}/`]);
    const found = await fetch(`${sandbox.origin}/simple/${DEP}/`, {
      headers: { authorization: auth },
      redirect: "manual",
    });
    expect([found.status, found.headers.get("location")]).to.deep.equal([302, `${upstream.url}${DEP}/`]);
    const file = await fetch(`${sandbox.origin}/files/${DEP}/ppi_public_dep-1.0.0-py3-none-any.whl`, {
      headers: { authorization: auth },
      redirect: "manual",
    });
    expect(file.status).to.equal(404);
    const anonymous = await fetch(`${sandbox.origin}/simple/${DEP}/`, { redirect: "manual" });
    expect(anonymous.status).to.equal(401);
    expect(upstream.requests).to.deep.equal([]);
  });

  it("with fall-through off (no upstream), an unknown name is 404 as before and nothing reaches the upstream", async () => {
    // One sandbox per process (the bundles read AWS_ENDPOINT_URL from process.env): this runs last.
    await sandbox.stop();
    const off = await startSandbox({ port: 0, quiet: true });
    try {
      const auth = `Basic ${Buffer.from(`${off.publicKey}:${off.secretKey}`).toString("base64")}`;
      const page = await fetch(`${off.origin}/simple/${DEP}/`, {
        headers: { authorization: auth },
        redirect: "manual",
      });
      expect([page.status, page.headers.get("location")]).to.deep.equal([404, null]);
      const dir = fs.mkdtempSync(path.join(work, "off-"));
      const install = await pip("download", urlWithKey(off.url, off.publicKey, off.secretKey), [
        "--dest",
        dir,
        DEP,
      ]);
      expect(install.code).to.not.equal(0);
      expect(upstream.requests).to.deep.equal([]);
    } finally {
      await off.stop();
    }
  });
});
