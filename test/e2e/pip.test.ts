/**
 * Real pip (the pinned release of the project's tools environment) against the sandbox: the
 * serialized edge bundle in front of S3 and DynamoDB on moto_server, with content published
 * through the operator CLI's library. pip runs isolated from this machine's configuration (see
 * `fixtures/pythonClients.ts`), so only the index under test can satisfy an install.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import type { CreatedKey } from "../../publishing/customerKeys";
import { startSandbox, Sandbox, urlWithKey } from "../../sandbox";
import type { ServedRequest } from "../../sandbox/cloudfront";
import { homeEnv, isolatedEnv, pip, PIP_ISOLATION_FLAGS, run, RunResult } from "../../fixtures/pythonClients";
import { IndexFixture, indexFixture } from "../../fixtures/sandboxIndex";
import { pythonTool } from "../../sandbox/pythonTools";
import { commandArguments, createKeyWithCli, pasted, PrintedKey } from "./support/printedConfiguration";
import {
  anchorsOf,
  basicAuthorization,
  fetchPage,
  JSON_TYPE,
  JsonProjectPage,
  PIP_ACCEPT,
  unescapeHtml,
} from "./support/pages";

const PROJECT = "ppi-demo-hello";
const WHEEL = (version: string) => `ppi_demo_hello-${version}-py3-none-any.whl`;
const BRANCH = "feature-x";
const KEY_CACHE_SECONDS = 1;

describe("pip against the sandbox @integration", function () {
  let sandbox: Sandbox;
  let fixture: IndexFixture;
  let work: string;
  let demoIndex: string;
  let otherKey: CreatedKey;
  let printed: PrintedKey;
  let served: ServedRequest[] = [];

  const auth = () => basicAuthorization(sandbox.publicKey, sandbox.secretKey);
  const freshDir = (name: string) => fs.mkdtempSync(path.join(work, `${name}-`));

  /** `pip download --no-deps` into a fresh directory: the result and the file names pip fetched. */
  async function download(
    indexUrl: string,
    args: readonly string[],
  ): Promise<RunResult & { files: string[] }> {
    const dir = freshDir("download");
    const result = await pip("download", indexUrl, ["--no-deps", "--dest", dir, ...args]);
    return { ...result, files: fs.readdirSync(dir).sort() };
  }

  before(async function () {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-e2e-pip-"));
    sandbox = await startSandbox({
      port: 0,
      quiet: true,
      keyCacheSeconds: KEY_CACHE_SECONDS,
      unknownKeyCacheSeconds: 1,
      onServed: (entry) => served.push(entry),
    });
    fixture = indexFixture(sandbox);
    demoIndex = urlWithKey(sandbox.url, sandbox.publicKey, sandbox.secretKey);
    // demo/main already holds 1.0.0 and 1.1.0 (the sandbox's demo content).
    await fixture.publishWheels("demo", [
      { name: PROJECT, version: "1.2.0", requiresPython: ">=3.8" },
      { name: PROJECT, version: "2.0.0", requiresPython: ">=3.99" },
    ]);
    await fixture.yank("demo", PROJECT, "1.2.0", "broken build");
    await fixture.publishWheels("demo", [{ name: PROJECT, version: "9.0.0" }], BRANCH);
    await fixture.publishWheels("other", [{ name: "ppi-other-thing", version: "1.0.0" }]);
    otherKey = await fixture.createKey("other");
    printed = await createKeyWithCli(sandbox, "demo");
  });

  beforeEach(() => {
    served = [];
  });

  after(async () => {
    fixture?.destroy();
    await sandbox?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("installs the newest installable version, negotiating PEP 691 JSON pages", async () => {
    const target = freshDir("target");
    const result = await pip("install", demoIndex, ["--target", target, PROJECT]);
    expect(result.code, result.stderr).to.equal(0);
    const imported = await run(
      pythonTool("python"),
      ["-c", "import ppi_demo_hello as m; print(m.__version__)"],
      {
        env: isolatedEnv({ PYTHONPATH: target }),
      },
    );
    expect(imported.stdout.trim()).to.equal("1.1.0");
    const projectPage = served.find((s) => s.url === `/simple/${PROJECT}/`);
    expect(projectPage).to.include({
      status: 200,
      contentType: JSON_TYPE,
      key: `demo/main/simple/${PROJECT}/index.json`,
    });
    // pip read the core metadata first (PEP 658), then fetched the wheel.
    expect(served.map((s) => s.url)).to.include.members([
      `/files/${PROJECT}/${WHEEL("1.1.0")}.metadata`,
      `/files/${PROJECT}/${WHEEL("1.1.0")}`,
    ]);
  });

  it("installs with the pip command `keys create` prints, pasted as printed", async () => {
    const [line] = printed.blocks.pipCommand;
    const target = freshDir("printed");
    const args = commandArguments(line, "pip", PROJECT);
    const result = await run(pythonTool("python"), [
      "-m",
      "pip",
      ...args,
      ...PIP_ISOLATION_FLAGS,
      "--target",
      target,
    ]);
    expect(result.code, result.stderr).to.equal(0);
    expect(fs.readdirSync(target)).to.include("ppi_demo_hello-1.1.0.dist-info");
    expect(served.find((s) => s.url === `/simple/${PROJECT}/`)?.status).to.equal(200);
  });

  it("installs with the pip.conf `keys create` prints as the only configuration pip reads", async () => {
    const dir = freshDir("pipconf");
    const config = path.join(dir, "pip.conf");
    fs.writeFileSync(config, pasted(printed.blocks.pipConf, PROJECT));
    // Not --isolated (that would ignore the file): a home of its own, and this file as pip's.
    const env = isolatedEnv({ ...homeEnv(dir), PIP_CONFIG_FILE: config });
    const python = pythonTool("python");
    const settings = await run(python, ["-m", "pip", "config", "list"], { env });
    const sources = settings.stdout.split("\n").filter((l) => /index|find-links/.test(l));
    // Only the printed index may be configured: a machine-wide extra index or find-links would
    // let something other than the index under test satisfy the install.
    expect(sources, settings.stdout).to.deep.equal([
      `global.index-url='${printed.blocks.pipConf[1].split(" = ")[1]}'`,
    ]);
    const target = path.join(dir, "target");
    const result = await run(
      python,
      [
        "-m",
        "pip",
        "install",
        "--no-cache-dir",
        "--disable-pip-version-check",
        "--no-input",
        "--target",
        target,
        PROJECT,
      ],
      { env },
    );
    expect(result.code, result.stderr).to.equal(0);
    expect(fs.readdirSync(target)).to.include("ppi_demo_hello-1.1.0.dist-info");
    expect(served.find((s) => s.url === `/simple/${PROJECT}/`)?.status).to.equal(200);
  });

  it("serves root and project pages as PEP 691 JSON and PEP 503 HTML that agree", async () => {
    const root = JSON.parse(await fetchPage(sandbox.url, auth(), PIP_ACCEPT, JSON_TYPE));
    expect(root.meta["api-version"]).to.match(/^1\.[1-9]/);
    expect(root.projects).to.deep.equal([{ name: PROJECT }]);
    const rootHtml = await fetchPage(sandbox.url, auth(), "text/html", "text/html");
    expect(anchorsOf(rootHtml).map((a) => [a.href, a.text])).to.deep.equal([[`${PROJECT}/`, PROJECT]]);

    const projectUrl = `${sandbox.url}${PROJECT}/`;
    const page = JSON.parse(await fetchPage(projectUrl, auth(), PIP_ACCEPT, JSON_TYPE)) as JsonProjectPage;
    expect(page.name).to.equal(PROJECT);
    expect(page.versions).to.deep.equal(["1.0.0", "1.1.0", "1.2.0", "2.0.0"]);
    const byVersion = Object.fromEntries(page.files.map((f) => [f.filename, f]));
    expect(byVersion[WHEEL("1.2.0")].yanked).to.equal("broken build");
    expect(byVersion[WHEEL("1.1.0")].yanked).to.equal(false);
    expect(byVersion[WHEEL("2.0.0")]["requires-python"]).to.equal(">=3.99");

    const html = await fetchPage(projectUrl, auth(), "text/html", "text/html");
    const anchors = anchorsOf(html);
    expect(anchors.map((a) => a.text)).to.deep.equal(page.files.map((f) => f.filename));
    for (const [anchor, file] of anchors.map((a, i) => [a, page.files[i]] as const)) {
      expect(anchor.href).to.equal(`${file.url}#sha256=${file.hashes.sha256}`);
      expect(unescapeHtml(anchor.attributes["data-requires-python"] ?? "")).to.equal(
        file["requires-python"] ?? "",
      );
    }
    expect(anchors.find((a) => a.text === WHEEL("1.2.0"))?.attributes["data-yanked"]).to.equal(
      "broken build",
    );

    // A file link resolves against the page URL, and its bytes have the advertised hash.
    const file = byVersion[WHEEL("1.1.0")];
    const bytes = await fetch(new URL(file.url, projectUrl), { headers: { Authorization: auth() } });
    expect(bytes.status).to.equal(200);
    const sha256 = crypto
      .createHash("sha256")
      .update(Buffer.from(await bytes.arrayBuffer()))
      .digest("hex");
    expect(sha256).to.equal(file.hashes.sha256);
  });

  it("skips a yanked version unless it is pinned with ==", async () => {
    const unpinned = await download(demoIndex, [`${PROJECT}>1.1.0,<2`]);
    expect(unpinned.code).to.not.equal(0);
    expect(unpinned.stderr).to.contain("No matching distribution found");
    const pinned = await download(demoIndex, [`${PROJECT}==1.2.0`]);
    expect(pinned.code, pinned.stderr).to.equal(0);
    expect(pinned.files).to.deep.equal([WHEEL("1.2.0")]);
    expect(pinned.stderr).to.contain("yanked").and.to.contain("broken build");
  });

  it("respects Requires-Python: 2.0.0 (>=3.99) only for a Python that satisfies it", async () => {
    const here = await download(demoIndex, [PROJECT]);
    expect(here.code, here.stderr).to.equal(0);
    expect(here.files).to.deep.equal([WHEEL("1.1.0")]);
    const future = await download(demoIndex, ["--python-version", "3.99", "--only-binary=:all:", PROJECT]);
    expect(future.code, future.stderr).to.equal(0);
    expect(future.files).to.deep.equal([WHEEL("2.0.0")]);
  });

  it("verifies hashes: --require-hashes installs with the right sha256 and refuses a wrong one", async () => {
    const page = JSON.parse(
      await fetchPage(`${sandbox.url}${PROJECT}/`, auth(), PIP_ACCEPT, JSON_TYPE),
    ) as JsonProjectPage;
    const right = page.files.find((f) => f.filename === WHEEL("1.1.0"))!.hashes.sha256;
    const wrong = crypto.createHash("sha256").update("not the wheel").digest("hex");
    const install = async (hash: string) => {
      const requirements = path.join(freshDir("req"), "requirements.txt");
      fs.writeFileSync(requirements, `${PROJECT}==1.1.0 --hash=sha256:${hash}\n`);
      return pip("install", demoIndex, [
        "--require-hashes",
        "--target",
        freshDir("target"),
        "-r",
        requirements,
      ]);
    };
    const good = await install(right);
    expect(good.code, good.stderr).to.equal(0);
    const bad = await install(wrong);
    expect(bad.code).to.not.equal(0);
    expect(bad.stderr).to.contain("THESE PACKAGES DO NOT MATCH THE HASHES");
    expect(bad.stderr).to.contain(right);
  });

  it("answers 401 with the same Basic challenge without a key, with a wrong secret and with an unknown key", async () => {
    const challenge = 'Basic realm="python-package-index sandbox", charset="UTF-8"';
    const wrongSecret = basicAuthorization(sandbox.publicKey, `ppisk_${"A".repeat(43)}`);
    const unknownKey = basicAuthorization(`ppi_${"a".repeat(26)}`, sandbox.secretKey);
    const answers = [];
    const attempts: Record<string, string>[] = [
      {},
      { Authorization: wrongSecret },
      { Authorization: unknownKey },
    ];
    for (const headers of attempts) {
      const response = await fetch(`${sandbox.url}${PROJECT}/`, { headers });
      answers.push({
        status: response.status,
        challenge: response.headers.get("www-authenticate"),
        cacheControl: response.headers.get("cache-control"),
        body: await response.text(),
      });
    }
    expect(answers[0]).to.include({ status: 401, challenge, cacheControl: "no-store" });
    expect(answers[1]).to.deep.equal(answers[0]);
    expect(answers[2]).to.deep.equal(answers[0]);

    // pip (26) re-sends the URL's credentials once after a 401 (its handle_401), then warns of the
    // 401 and, with --no-input, treats it as "no versions here".
    served = [];
    const denied = await download(urlWithKey(sandbox.url, sandbox.publicKey, `ppisk_${"A".repeat(43)}`), [
      PROJECT,
    ]);
    expect(denied.code).to.not.equal(0);
    expect(denied.stderr).to.contain(
      `WARNING: 401 Error, Credentials not correct for ${sandbox.url}${PROJECT}/`,
    );
    expect(denied.stderr).to.contain("No matching distribution found");
    expect(denied.files).to.deep.equal([]);
    expect(served.filter((s) => s.url === `/simple/${PROJECT}/`).map((s) => s.status)).to.deep.equal([
      401, 401,
    ]);
  });

  it(`denies a revoked key once the edge's key cache has expired (keyCacheSeconds = ${KEY_CACHE_SECONDS} s here; deployed stacks ≤ 60 s)`, async () => {
    const key = await fixture.createKey("demo");
    const keyAuth = basicAuthorization(key.publicKey, key.secretKey);
    expect((await fetch(sandbox.url, { headers: { Authorization: keyAuth } })).status).to.equal(200);
    await fixture.revokeKey(key.publicKey);
    // The cached entry predates the revocation, so it has expired once the bound has passed.
    await new Promise((resolve) => setTimeout(resolve, KEY_CACHE_SECONDS * 1000 + 250));
    const after = await fetch(sandbox.url, { headers: { Authorization: keyAuth } });
    expect(after.status).to.equal(401);
    served = [];
    const pipAfter = await download(urlWithKey(sandbox.url, key.publicKey, key.secretKey), [PROJECT]);
    expect(pipAfter.code).to.not.equal(0);
    expect(pipAfter.files).to.deep.equal([]);
    expect(served.filter((s) => s.url === `/simple/${PROJECT}/`).map((s) => s.status)).to.deep.equal([
      401, 401,
    ]);
  });

  it("shows another tenant's key nothing of this tenant, and this tenant nothing of it", async () => {
    const other = basicAuthorization(otherKey.publicKey, otherKey.secretKey);
    const root = JSON.parse(await fetchPage(sandbox.url, other, PIP_ACCEPT, JSON_TYPE));
    expect(root.projects).to.deep.equal([{ name: "ppi-other-thing" }]);
    for (const uri of [
      `/simple/${PROJECT}/`,
      `/files/${PROJECT}/${WHEEL("1.1.0")}`,
      `/${BRANCH}/simple/${PROJECT}/`,
    ]) {
      const response = await fetch(`${sandbox.origin}${uri}`, { headers: { Authorization: other } });
      expect(response.status, uri).to.equal(404);
    }
    const viaPip = await download(urlWithKey(sandbox.url, otherKey.publicKey, otherKey.secretKey), [PROJECT]);
    expect(viaPip.code).to.not.equal(0);
    expect(viaPip.stderr).to.contain("No matching distribution found");
    const reverse = await fetch(`${sandbox.url}ppi-other-thing/`, { headers: { Authorization: auth() } });
    expect(reverse.status).to.equal(404);
  });

  it("keeps a branch channel's index separate from main", async () => {
    const branchIndex = `${sandbox.origin}/${BRANCH}/simple/`;
    const branchPage = JSON.parse(
      await fetchPage(`${branchIndex}${PROJECT}/`, auth(), PIP_ACCEPT, JSON_TYPE),
    ) as JsonProjectPage;
    expect(branchPage.files.map((f) => f.filename)).to.deep.equal([WHEEL("9.0.0")]);
    const fromBranch = await download(urlWithKey(branchIndex, sandbox.publicKey, sandbox.secretKey), [
      PROJECT,
    ]);
    expect(fromBranch.code, fromBranch.stderr).to.equal(0);
    expect(fromBranch.files).to.deep.equal([WHEEL("9.0.0")]);
    const fromMain = await download(demoIndex, [`${PROJECT}==9.0.0`]);
    expect(fromMain.code).to.not.equal(0);
    expect(fromMain.files).to.deep.equal([]);
  });

  it("lets a project-restricted key install its project only: another project and the root page are 403", async () => {
    const own = await fixture.createKey("demo", { projects: ["PPI_Demo.Hello"] });
    const ownIndex = urlWithKey(sandbox.url, own.publicKey, own.secretKey);
    const installed = await download(ownIndex, [PROJECT]);
    expect(installed.code, installed.stderr).to.equal(0);
    expect(installed.files).to.deep.equal([WHEEL("1.1.0")]);
    const root = await fetch(sandbox.url, {
      headers: { Authorization: basicAuthorization(own.publicKey, own.secretKey) },
    });
    expect(root.status).to.equal(403);

    const elsewhere = await fixture.createKey("demo", { scope: "publish", projects: ["ppi-demo-other"] });
    served = [];
    const refused = await download(urlWithKey(sandbox.url, elsewhere.publicKey, elsewhere.secretKey), [
      PROJECT,
    ]);
    expect(refused.code).to.not.equal(0);
    expect(refused.files).to.deep.equal([]);
    expect(served.filter((s) => s.url === `/simple/${PROJECT}/`).map((s) => s.status)).to.deep.equal([403]);
    const file = await fetch(`${sandbox.origin}/files/${PROJECT}/${WHEEL("1.1.0")}`, {
      headers: { Authorization: basicAuthorization(elsewhere.publicKey, elsewhere.secretKey) },
    });
    expect(file.status).to.equal(403);
  });

  it("answers 404 for a project that does not exist, in both formats, and pip finds nothing", async () => {
    for (const accept of [PIP_ACCEPT, "text/html"]) {
      const response = await fetch(`${sandbox.url}ppi-no-such-project/`, {
        headers: { Authorization: auth(), Accept: accept },
      });
      expect(response.status, accept).to.equal(404);
    }
    const result = await download(demoIndex, ["ppi-no-such-project"]);
    expect(result.code).to.not.equal(0);
    expect(result.stderr).to.contain("No matching distribution found for ppi-no-such-project");
  });
});

describe("pip against a sandbox that serves only PEP 503 HTML @integration", function () {
  let sandbox: Sandbox;
  let work: string;
  const served: ServedRequest[] = [];

  before(async function () {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-e2e-html-"));
    sandbox = await startSandbox({
      port: 0,
      quiet: true,
      acceptOverride: "text/html",
      onServed: (entry) => served.push(entry),
    });
  });

  after(async () => {
    await sandbox?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("installs from HTML pages when the client is offered only text/html", async () => {
    const result = await pip("install", urlWithKey(sandbox.url, sandbox.publicKey, sandbox.secretKey), [
      "--target",
      work,
      sandbox.demo.project,
    ]);
    expect(result.code, result.stderr).to.equal(0);
    expect(fs.readdirSync(work)).to.include("ppi_demo_hello-1.1.0.dist-info");
    expect(served.find((s) => s.url === `/simple/${PROJECT}/`)).to.include({
      status: 200,
      contentType: "text/html",
      key: `demo/main/simple/${PROJECT}/index.html`,
    });
  });
});
