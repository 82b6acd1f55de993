/**
 * The clients' isolation from this machine's configuration, against a hostile one: environment
 * variables and a user-level uv.toml that add an index serving a higher version of the private
 * project. Run as the tests run them, pip and uv still resolve from the sandbox alone and never ask
 * that index; run with the machine's environment as it is, the same commands take the look-alike
 * (the control that shows the hostile configuration is real).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { startSandbox, Sandbox, urlWithKey } from "../../sandbox";
import { pythonTool } from "../../sandbox/pythonTools";
import { isolatedEnv, output, pip, run, uv, uvEnv, uvProjectEnv } from "../../fixtures/pythonClients";
import { pyprojectToml } from "./support/scenario";
import { startStaticIndex, StaticIndex } from "./support/staticIndex";

const PROJECT = "ppi-demo-hello";

describe("client isolation from the machine's configuration @integration", function () {
  let sandbox: Sandbox;
  let lookalike: StaticIndex;
  let work: string;
  let indexUrl: string;
  const saved: Record<string, string | undefined> = {};

  const freshDir = (name: string) => fs.mkdtempSync(path.join(work, `${name}-`));

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-e2e-isolation-"));
    sandbox = await startSandbox({ port: 0, quiet: true });
    lookalike = await startStaticIndex([{ name: PROJECT, version: "99.0.0" }]);
    indexUrl = urlWithKey(sandbox.url, sandbox.publicKey, sandbox.secretKey);
    const userConfig = path.join(work, "machine-config");
    fs.mkdirSync(path.join(userConfig, "uv"), { recursive: true });
    fs.writeFileSync(path.join(userConfig, "uv", "uv.toml"), `extra-index-url = ["${lookalike.url}"]\n`);
    const hostile = {
      PIP_EXTRA_INDEX_URL: lookalike.url,
      PIP_FIND_LINKS: `${lookalike.url}${PROJECT}/`,
      UV_EXTRA_INDEX_URL: lookalike.url,
      UV_FIND_LINKS: `${lookalike.url}${PROJECT}/`,
      XDG_CONFIG_HOME: userConfig,
    };
    for (const [name, value] of Object.entries(hostile)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });

  beforeEach(() => lookalike.clearLog());

  after(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await sandbox?.stop();
    await lookalike?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("drops every variable that configures a client or its network, and adds the isolating ones", () => {
    const env = isolatedEnv();
    for (const name of Object.keys(env)) {
      expect(name).to.not.match(/^(UV_|POETRY_|TWINE_|XDG_)|^PIP_(?!CONFIG_FILE$)|^https?_proxy$/i);
    }
    expect(env).to.include({
      PIP_CONFIG_FILE: "/dev/null",
      NETRC: "/dev/null",
      NO_PROXY: "127.0.0.1,localhost",
    });
  });

  it("pip downloads the private version; with the machine's environment it would take the look-alike", async () => {
    const isolated = await pip("download", indexUrl, ["--no-deps", "--dest", freshDir("pip"), PROJECT]);
    expect(isolated.code, output(isolated)).to.equal(0);
    expect(isolated.stdout).to.contain("ppi_demo_hello-1.1.0-py3-none-any.whl");
    expect(lookalike.requests).to.deep.equal([]);

    const exposed = await run(
      pythonTool("python"),
      [
        "-m",
        "pip",
        "download",
        "--no-cache-dir",
        "--no-deps",
        "--dest",
        freshDir("pip-exposed"),
        "--index-url",
        indexUrl,
        PROJECT,
      ],
      { env: { ...(process.env as Record<string, string>) } },
    );
    expect(exposed.code, output(exposed)).to.equal(0);
    expect(exposed.stdout).to.contain("ppi_demo_hello-99.0.0-py3-none-any.whl");
  });

  it("uv resolves the private version, in its pip interface and in a project; the machine's configuration would add the look-alike", async () => {
    const compileDir = freshDir("uv-pip");
    fs.writeFileSync(path.join(compileDir, "requirements.in"), `${PROJECT}\n`);
    const compile = (env: Record<string, string>) =>
      uv(["pip", "compile", "requirements.in", "--no-header", "--no-annotate", "--default-index", indexUrl], {
        cwd: compileDir,
        env,
      });
    const isolated = await compile(uvEnv(compileDir));
    expect(isolated.code, output(isolated)).to.equal(0);
    expect(isolated.stdout.trim()).to.equal(`${PROJECT}==1.1.0`);

    const projectDir = freshDir("uv-project");
    fs.writeFileSync(
      path.join(projectDir, "pyproject.toml"),
      pyprojectToml(
        "consumer",
        [PROJECT],
        `[[tool.uv.index]]\nname = "ppi"\nurl = "${sandbox.url}"\ndefault = true\n`,
      ),
    );
    const credentials = {
      UV_INDEX_PPI_USERNAME: sandbox.publicKey,
      UV_INDEX_PPI_PASSWORD: sandbox.secretKey,
    };
    const lock = await uv(["lock"], { cwd: projectDir, env: uvProjectEnv(projectDir, credentials) });
    expect(lock.code, output(lock)).to.equal(0);
    expect(fs.readFileSync(path.join(projectDir, "uv.lock"), "utf8")).to.contain(
      `name = "${PROJECT}"\nversion = "1.1.0"`,
    );
    expect(lookalike.requests).to.deep.equal([]);

    const exposed = await compile({
      ...(process.env as Record<string, string>),
      UV_CACHE_DIR: freshDir("uv-cache"),
    });
    expect(exposed.code, output(exposed)).to.equal(0);
    expect(exposed.stdout.trim()).to.equal(`${PROJECT}==99.0.0`);
  });
});
