/**
 * Publishing through the sandbox's `/legacy/` with the pinned clients, each isolated from this
 * machine's configuration: twine (a wheel and an sdist), `uv publish`, `poetry publish` (the
 * repository and its credentials from environment variables), each followed by an install of what
 * was uploaded from the index; re-runs that change nothing; the same file name with other bytes
 * (409, with the message in the client's output); an upload past the body limit (413); and 16
 * concurrent twine processes publishing 16 versions of one project, none lost.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { UPLOAD_BODY_LIMIT_BYTES } from "../../domain/upload";
import { buildWheel, BuiltWheel, WheelSpec } from "../../publishing/wheelBuilder";
import { startSandbox, Sandbox, urlWithKey } from "../../sandbox";
import {
  homeEnv,
  isolatedEnv,
  output,
  pip,
  poetry,
  poetryEnv,
  run,
  RunResult,
  uv,
  uvEnv,
} from "../../fixtures/pythonClients";
import { IndexFixture, indexFixture } from "../../fixtures/sandboxIndex";
import { buildSdist, pkgInfo } from "../../fixtures/sdistBuilder";
import { pythonTool } from "../../sandbox/pythonTools";
import { basicAuthorization, JSON_TYPE, JsonProjectPage } from "./support/pages";
import { multipartBody, TEST_BOUNDARY, twineParts } from "../../fixtures/uploadForms";

describe("publishing with twine, uv and poetry through the sandbox @integration", function () {
  let sandbox: Sandbox;
  let index: IndexFixture;
  let work: string;

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-e2e-upload-"));
    sandbox = await startSandbox({ port: 0, quiet: true });
    index = indexFixture(sandbox);
  });

  after(async () => {
    index?.destroy();
    await sandbox?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const freshDir = (name: string) => fs.mkdtempSync(path.join(work, `${name}-`));

  /** A wheel of `spec` written into a new `dist/` directory; returns the directory and the wheel. */
  function distWith(files: readonly BuiltWheel[]): string {
    const dist = path.join(freshDir("project"), "dist");
    fs.mkdirSync(dist);
    for (const file of files) fs.writeFileSync(path.join(dist, file.filename), file.bytes);
    return dist;
  }

  const wheel = (spec: WheelSpec) => buildWheel(spec);

  function sdist(name: string, version: string): BuiltWheel {
    const stem = `${name.replace(/-/g, "_")}-${version}`;
    // A member beside PKG-INFO: twine takes the members' common path as the archive's root.
    const bytes = buildSdist({ root: stem, pkgInfo: pkgInfo(name, version), files: { "README.md": "" } });
    return { filename: `${stem}.tar.gz`, bytes };
  }

  function twine(
    args: readonly string[],
    cwd: string,
    password = sandbox.demo.publisher.secretKey,
  ): Promise<RunResult> {
    return run(
      pythonTool("twine"),
      [
        "upload",
        "--disable-progress-bar",
        "--non-interactive",
        "--repository-url",
        sandbox.uploadUrl,
        ...args,
      ],
      {
        cwd,
        env: isolatedEnv({
          ...homeEnv(cwd),
          TWINE_USERNAME: sandbox.demo.publisher.publicKey,
          TWINE_PASSWORD: password,
        }),
      },
    );
  }

  function uvPublish(args: readonly string[], cwd: string): Promise<RunResult> {
    return uv(["publish", "--publish-url", sandbox.uploadUrl, ...args], {
      cwd,
      env: uvEnv(cwd, {
        UV_PUBLISH_USERNAME: sandbox.demo.publisher.publicKey,
        UV_PUBLISH_PASSWORD: sandbox.demo.publisher.secretKey,
      }),
    });
  }

  const readIndex = () => urlWithKey(sandbox.url, sandbox.publicKey, sandbox.secretKey);

  /** `pip install` of `requirement` from the index into a fresh target; returns the module's __version__. */
  async function pipInstalledVersion(requirement: string, module: string): Promise<string> {
    const target = freshDir("target");
    const installed = await pip("install", readIndex(), ["--no-deps", "--target", target, requirement]);
    expect(installed.code, output(installed)).to.equal(0);
    const imported = await run(pythonTool("python"), ["-c", `import ${module} as m; print(m.__version__)`], {
      env: isolatedEnv({ PYTHONPATH: target }),
    });
    return imported.stdout.trim();
  }

  async function projectPage(project: string): Promise<JsonProjectPage> {
    const response = await fetch(`${sandbox.url}${project}/`, {
      headers: {
        Authorization: basicAuthorization(sandbox.publicKey, sandbox.secretKey),
        Accept: JSON_TYPE,
      },
    });
    expect(response.status).to.equal(200);
    return (await response.json()) as JsonProjectPage;
  }

  it("twine upload publishes a wheel and an sdist; pip installs the wheel; a re-run changes nothing", async () => {
    const files = [wheel({ name: "ppi-e2e-twine", version: "1.0.0" }), sdist("ppi-e2e-twine", "1.0.0")];
    const dist = distWith(files);
    const cwd = path.dirname(dist);
    const first = await twine(["dist/*"], cwd);
    expect(first.code, output(first)).to.equal(0);
    expect(first.stdout).to.include("Uploading ppi_e2e_twine-1.0.0-py3-none-any.whl");
    expect(first.stdout).to.include("Uploading ppi_e2e_twine-1.0.0.tar.gz");
    expect((await projectPage("ppi-e2e-twine")).files.map((f) => f.filename)).to.have.members(
      files.map((f) => f.filename),
    );
    expect(await pipInstalledVersion("ppi-e2e-twine==1.0.0", "ppi_e2e_twine")).to.equal("1.0.0");
    const before = await index.snapshot();
    const again = await twine(["dist/*"], cwd);
    expect(again.code, output(again)).to.equal(0);
    expect(await index.snapshot()).to.deep.equal(before);
  });

  it("uv publish publishes; uv pip installs it; a re-run with --check-url skips the file and changes nothing", async () => {
    const dist = distWith([wheel({ name: "ppi-e2e-uv", version: "2.0.0" })]);
    const cwd = path.dirname(dist);
    const published = await uvPublish(["dist/*"], cwd);
    expect(published.code, output(published)).to.equal(0);
    const env = uvEnv(cwd);
    const venv = path.join(cwd, "venv");
    expect((await uv(["venv", venv], { env })).code).to.equal(0);
    const python = path.join(venv, "bin", "python");
    const installed = await uv(
      ["pip", "install", "--python", python, "--index-url", readIndex(), "ppi-e2e-uv"],
      { env },
    );
    expect(installed.code, output(installed)).to.equal(0);
    const imported = await run(python, ["-c", "import ppi_e2e_uv as m; print(m.__version__)"]);
    expect(imported.stdout.trim()).to.equal("2.0.0");
    const before = await index.snapshot();
    const again = await uvPublish(["--check-url", readIndex(), "dist/*"], cwd);
    expect(again.code, output(again)).to.equal(0);
    expect(again.stderr).to.include("File ppi_e2e_uv-2.0.0-py3-none-any.whl already exists, skipping");
    expect(await index.snapshot()).to.deep.equal(before);
  });

  it("poetry publish to a repository configured by environment variables publishes; pip installs it", async () => {
    const files = [wheel({ name: "ppi-e2e-poetry", version: "3.0.0" }), sdist("ppi-e2e-poetry", "3.0.0")];
    const dist = distWith(files);
    const dir = path.dirname(dist);
    fs.writeFileSync(
      path.join(dir, "pyproject.toml"),
      '[project]\nname = "ppi-e2e-poetry"\nversion = "3.0.0"\n',
    );
    const published = await poetry(["publish", "--repository", "sandbox"], {
      cwd: dir,
      env: poetryEnv(dir, {
        POETRY_REPOSITORIES_SANDBOX_URL: sandbox.uploadUrl,
        POETRY_HTTP_BASIC_SANDBOX_USERNAME: sandbox.demo.publisher.publicKey,
        POETRY_HTTP_BASIC_SANDBOX_PASSWORD: sandbox.demo.publisher.secretKey,
      }),
    });
    expect(published.code, output(published)).to.equal(0);
    expect((await projectPage("ppi-e2e-poetry")).files.map((f) => f.filename)).to.have.members(
      files.map((f) => f.filename),
    );
    expect(await pipInstalledVersion("ppi-e2e-poetry", "ppi_e2e_poetry")).to.equal("3.0.0");
  });

  it("refuses the same file name with other bytes with 409: uv shows the message, twine --verbose too; nothing changes", async () => {
    const original = distWith([wheel({ name: "ppi-e2e-conflict", version: "1.0.0" })]);
    expect((await twine(["dist/*"], path.dirname(original))).code).to.equal(0);
    const other = distWith([wheel({ name: "ppi-e2e-conflict", version: "1.0.0", summary: "other bytes" })]);
    const cwd = path.dirname(other);
    const before = await index.snapshot();
    const message =
      "ppi_e2e_conflict-1.0.0-py3-none-any.whl already exists in demo/main with different contents";
    const byUv = await uvPublish(["dist/*"], cwd);
    expect(byUv.code).to.not.equal(0);
    expect(output(byUv)).to.include("Server returned status code 409 Conflict. Server says: " + message);
    const byTwine = await twine(["--verbose", "dist/*"], cwd);
    expect(byTwine.code).to.not.equal(0);
    const shown = output(byTwine).replace(/\s+/g, " ");
    expect(shown).to.include("HTTPError: 409 Conflict");
    expect(shown).to.include(message);
    expect(await index.snapshot()).to.deep.equal(before);
  });

  it("answers a file past the body limit with 413 naming the limit and ppi publish; a wrong password with 401", async () => {
    const big = wheel({
      name: "ppi-e2e-big",
      version: "1.0.0",
      files: { "ppi_e2e_big/blob.bin": crypto.randomBytes(UPLOAD_BODY_LIMIT_BYTES) },
    });
    const cwd = path.dirname(distWith([big]));
    const before = await index.snapshot();
    const tooLarge = await uvPublish(["dist/*"], cwd);
    expect(tooLarge.code).to.not.equal(0);
    expect(output(tooLarge)).to.include(
      `Server returned status code 413 Payload Too Large. Server says: the upload is larger than this endpoint's limit of ${UPLOAD_BODY_LIMIT_BYTES} bytes; publish larger files with the operator CLI: ppi publish`,
    );
    const small = path.dirname(distWith([wheel({ name: "ppi-e2e-big", version: "0.1.0" })]));
    const refused = await twine(["dist/*"], small, "ppisk_" + "A".repeat(43));
    expect(refused.code).to.not.equal(0);
    expect(output(refused)).to.include("401");
    expect(await index.snapshot()).to.deep.equal(before);
  });

  it("never takes credentials a viewer puts in x-ppi-authorization itself; GET /legacy/ is 405; nothing is written", async () => {
    const built = wheel({ name: "ppi-e2e-forged", version: "1.0.0" });
    const body = multipartBody(twineParts(built));
    const before = await index.snapshot();
    const forged = await fetch(sandbox.uploadUrl, {
      method: "POST",
      headers: {
        "X-Ppi-Authorization": basicAuthorization(
          sandbox.demo.publisher.publicKey,
          sandbox.demo.publisher.secretKey,
        ),
        "Content-Type": `multipart/form-data; boundary=${TEST_BOUNDARY}`,
      },
      body,
    });
    expect(forged.status).to.equal(401);
    expect(forged.headers.get("www-authenticate")).to.equal(
      'Basic realm="python-package-index sandbox", charset="UTF-8"',
    );
    const get = await fetch(sandbox.uploadUrl, {
      headers: {
        Authorization: basicAuthorization(sandbox.demo.publisher.publicKey, sandbox.demo.publisher.secretKey),
      },
      redirect: "manual",
    });
    expect([get.status, get.headers.get("allow")]).to.deep.equal([405, "POST"]);
    expect(await index.snapshot()).to.deep.equal(before);
  });

  it("16 concurrent twine uploads of 16 versions of one project: all 16 listed, none lost", async function () {
    this.timeout(300_000);
    const versions = Array.from({ length: 16 }, (_, i) => `1.${i}.0`);
    const runs = versions.map((version) => {
      const dist = distWith([wheel({ name: "ppi-e2e-concurrent", version })]);
      return twine(["dist/*"], path.dirname(dist));
    });
    for (const result of await Promise.all(runs)) expect(result.code, output(result)).to.equal(0);
    const page = await projectPage("ppi-e2e-concurrent");
    expect(page.versions).to.have.members(versions);
    expect(page.files.map((f) => f.filename)).to.have.members(
      versions.map((v) => `ppi_e2e_concurrent-${v}-py3-none-any.whl`),
    );
  });
});
