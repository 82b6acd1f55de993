/**
 * Poetry (Debian's python3-poetry) against the sandbox: a project whose only source is the
 * sandbox, with http-basic credentials, locks and installs the demo package. Poetry 1.x sends no
 * Accept header (so, any type), and is served PEP 503 HTML: a second client on the HTML pages.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { startSandbox, Sandbox } from "../../sandbox";
import type { ServedRequest } from "../../sandbox/cloudfront";
import { findTool, isolatedEnv, requireClient, run } from "../../fixtures/pythonClients";
import { fetchPage, basicAuthorization, JSON_TYPE, JsonProjectPage, PIP_ACCEPT } from "./support/pages";

const SOURCE = "sandbox";

/** The `[[tool.poetry.source]]` table that makes the sandbox the only source, per Poetry version. */
export function poetrySource(poetryVersion: string, url: string): string {
  const [major, minor] = poetryVersion.split(".").map(Number);
  const onlySource = major > 1 || (major === 1 && minor >= 5) ? 'priority = "primary"' : "default = true";
  return `[[tool.poetry.source]]\nname = "${SOURCE}"\nurl = "${url}"\n${onlySource}\n`;
}

describe("poetry against the sandbox @integration", function () {
  let poetry: string;
  let poetryVersion: string;
  let sandbox: Sandbox;
  let work: string;
  const served: ServedRequest[] = [];

  before(async function () {
    poetry = requireClient(this, findTool("poetry", "python3-poetry")).path;
    const version = await run(poetry, ["--version"]);
    poetryVersion = /(\d+\.\d+(?:\.\d+)?)/.exec(version.stdout)?.[1] ?? "0.0";
    work = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-e2e-poetry-"));
    sandbox = await startSandbox({ port: 0, quiet: true, onServed: (entry) => served.push(entry) });
  });

  after(async () => {
    await sandbox?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** A project depending on the demo package, and a Poetry environment of its own (with the key, if given). */
  function consumerProject(name: string, withKey: boolean): { dir: string; env: Record<string, string> } {
    const dir = path.join(work, name);
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, "pyproject.toml"),
      [
        "[tool.poetry]",
        `name = "${name}"`,
        'version = "0.1.0"',
        'description = ""',
        'authors = ["Nobody <nobody@example.com>"]',
        "",
        "[tool.poetry.dependencies]",
        'python = ">=3.8"',
        `${sandbox.demo.project} = "*"`,
        "",
        poetrySource(poetryVersion, sandbox.url),
      ].join("\n"),
    );
    const credentials = {
      [`POETRY_HTTP_BASIC_${SOURCE.toUpperCase()}_USERNAME`]: sandbox.publicKey,
      [`POETRY_HTTP_BASIC_${SOURCE.toUpperCase()}_PASSWORD`]: sandbox.secretKey,
    };
    const env = isolatedEnv({
      HOME: path.join(dir, ".home"),
      POETRY_CONFIG_DIR: path.join(dir, ".config"),
      POETRY_CACHE_DIR: path.join(dir, ".cache"),
      POETRY_DATA_DIR: path.join(dir, ".data"),
      POETRY_VIRTUALENVS_IN_PROJECT: "true",
      ...(withKey ? credentials : {}),
    });
    return { dir, env };
  }

  const poetryInstall = (project: { dir: string; env: Record<string, string> }) =>
    run(poetry, ["install", "--no-root", "--no-interaction", "--no-ansi"], {
      cwd: project.dir,
      env: project.env,
    });

  it("locks with the index's sha256 and installs from a source with http-basic credentials", async () => {
    const project = consumerProject("consumer", true);
    const install = await poetryInstall(project);
    expect(install.code, `${install.stdout}\n${install.stderr}`).to.equal(0);

    const imported = await run(path.join(project.dir, ".venv", "bin", "python"), [
      "-c",
      "import ppi_demo_hello as m; print(m.__version__, m.hello())",
    ]);
    expect(imported.stdout.trim()).to.equal("1.1.0 hello from the sandbox index");

    const page = JSON.parse(
      await fetchPage(
        `${sandbox.url}${sandbox.demo.project}/`,
        basicAuthorization(sandbox.publicKey, sandbox.secretKey),
        PIP_ACCEPT,
        JSON_TYPE,
      ),
    ) as JsonProjectPage;
    const wheel = page.files.find((f) => f.filename === "ppi_demo_hello-1.1.0-py3-none-any.whl")!;
    const lock = fs.readFileSync(path.join(project.dir, "poetry.lock"), "utf8");
    expect(lock).to.contain(`hash = "sha256:${wheel.hashes.sha256}"`);
    expect(served.filter((s) => s.status >= 400)).to.deep.equal([]);
    expect(served.find((s) => s.url === `/simple/${sandbox.demo.project}/`)?.status).to.equal(200);
  });

  it("fails without credentials: the index answers 401 and nothing is installed", async () => {
    const project = consumerProject("anonymous", false);
    served.length = 0;
    const install = await poetryInstall(project);
    expect(install.code).to.not.equal(0);
    expect(served.length).to.be.greaterThan(0);
    expect(served.every((s) => s.status === 401)).to.equal(true);
    expect(fs.existsSync(path.join(project.dir, "poetry.lock"))).to.equal(false);
  });
});
