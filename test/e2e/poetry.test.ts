/**
 * Poetry 2.x (the pinned release) against the sandbox, configured with the commands `keys create`
 * prints, run as printed: the index as the primary source (in place of PyPI) or as an explicit
 * source for named packages next to a primary stand-in for PyPI, `http-basic` credentials through
 * `poetry config`, then `poetry lock` and `poetry install`. Each project has its own Poetry
 * configuration, cache and data directories, so nothing configured on this machine takes part.
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { output, poetry, poetryEnv, run, RunResult } from "../../fixtures/pythonClients";
import { basicAuthorization, fetchPage, JSON_TYPE, JsonProjectPage, PIP_ACCEPT } from "./support/pages";
import { commandArguments } from "./support/printedConfiguration";
import { askedFor, pyprojectToml, useClientScenario } from "./support/scenario";
import { PACKAGE_PLACEHOLDER, SOURCE_NAME } from "../../cli/clientConfig";

const PROJECT = "ppi-demo-hello";
const PRIVATE_LIB = "ppi-private-lib";
const PUBLIC_PROJECT = "ppi-public-thing";

interface Consumer {
  readonly dir: string;
  readonly env: Record<string, string>;
}

/** `[[package]]` name → version and source URL (empty for PyPI) in poetry.lock. */
function lockedPackages(lock: string): Record<string, { version: string; url: string }> {
  const packages: Record<string, { version: string; url: string }> = {};
  for (const entry of lock.split("[[package]]\n").slice(1)) {
    const field = (name: string) => new RegExp(`^${name} = "([^"]*)"`, "m").exec(entry)?.[1] ?? "";
    packages[field("name")] = { version: field("version"), url: field("url") };
  }
  return packages;
}

describe("poetry against the sandbox @integration", function () {
  const scenario = useClientScenario({
    name: "poetry",
    privateWheels: [{ name: PRIVATE_LIB, version: "1.0.0", requiresPython: ">=3.8" }],
    // The stand-in for public PyPI: another project, and a look-alike of a private one.
    publicWheels: [
      { name: PUBLIC_PROJECT, version: "1.0.0" },
      { name: PRIVATE_LIB, version: "99.0.0" },
    ],
  });

  /** A project (no package of its own) depending on `dependencies`, with a Poetry environment of its own. */
  function consumer(name: string, dependencies: readonly string[]): Consumer {
    const dir = scenario.freshDir(name);
    fs.writeFileSync(
      path.join(dir, "pyproject.toml"),
      pyprojectToml(name, dependencies, "[tool.poetry]\npackage-mode = false\n"),
    );
    return { dir, env: poetryEnv(dir) };
  }

  async function poetryOk(project: Consumer, args: readonly string[]): Promise<RunResult> {
    const result = await poetry(args, { cwd: project.dir, env: project.env });
    expect(result.code, `poetry ${args.join(" ")}\n${output(result)}`).to.equal(0);
    return result;
  }

  /** Runs each printed `poetry ...` line in the project, as pasted. */
  async function runPrinted(project: Consumer, lines: readonly string[], packageName: string): Promise<void> {
    for (const line of lines) await poetryOk(project, commandArguments(line, "poetry", packageName));
  }

  it("locks with the index's sha256 and installs, with the printed primary source and http-basic credentials", async () => {
    const project = consumer("consumer", [PROJECT]);
    await runPrinted(project, scenario.printed.blocks.poetryPrimary, PROJECT);
    // `poetry config http-basic` kept the key in this project's Poetry configuration, not in the project.
    const auth = fs.readFileSync(path.join(project.env.POETRY_CONFIG_DIR, "auth.toml"), "utf8");
    expect(auth)
      .to.contain(`username = "${scenario.printed.publicKey}"`)
      .and.contain(`password = "${scenario.printed.secretKey}"`);
    expect(fs.readFileSync(path.join(project.dir, "pyproject.toml"), "utf8")).to.not.include(
      scenario.printed.secretKey,
    );

    await poetryOk(project, ["lock"]);
    // Poetry resolved from the JSON page and the PEP 658 metadata file, without downloading a wheel.
    expect(scenario.served.find((s) => s.url === `/simple/${PROJECT}/`)).to.include({
      status: 200,
      contentType: JSON_TYPE,
    });
    expect(scenario.served.filter((s) => s.url.endsWith(".whl"))).to.deep.equal([]);
    await poetryOk(project, ["install"]);
    const imported = await run(path.join(project.dir, ".venv", "bin", "python"), [
      "-c",
      "import ppi_demo_hello as m; print(m.__version__, m.hello())",
    ]);
    expect(imported.stdout.trim()).to.equal("1.1.0 hello from the sandbox index");

    const page = JSON.parse(
      await fetchPage(
        `${scenario.sandbox.url}${PROJECT}/`,
        basicAuthorization(scenario.sandbox.publicKey, scenario.sandbox.secretKey),
        PIP_ACCEPT,
        JSON_TYPE,
      ),
    ) as JsonProjectPage;
    const wheel = page.files.find((f) => f.filename === "ppi_demo_hello-1.1.0-py3-none-any.whl")!;
    const lock = fs.readFileSync(path.join(project.dir, "poetry.lock"), "utf8");
    expect(lock).to.contain(`hash = "sha256:${wheel.hashes.sha256}"`);
    expect(lockedPackages(lock)[PROJECT]).to.deep.equal({
      version: "1.1.0",
      url: scenario.sandbox.url.replace(/\/$/, ""),
    });
    expect(lock).to.not.include(scenario.printed.publicKey).and.not.include(scenario.printed.secretKey);
    expect(scenario.served.filter((s) => s.status >= 400)).to.deep.equal([]);
  });

  const importVersions = (project: Consumer, modules: readonly string[]) =>
    run(path.join(project.dir, ".venv", "bin", "python"), [
      "-c",
      `import ${modules.join(", ")}; print(${modules.map((m) => `${m}.__version__`).join(", ")})`,
    ]);

  it("takes only the named package from an explicit source (the printed source with --priority=explicit), the rest from the primary one", async () => {
    const project = consumer("pinned", [PUBLIC_PROJECT]);
    await poetryOk(project, ["source", "add", "--priority=primary", "public", scenario.publicIndex.url]);
    // The printed source made explicit, then `poetry add --source ppi <package>` (locks and installs).
    const [sourceAdd, login] = scenario.printed.blocks.poetryPrimary;
    await runPrinted(
      project,
      [
        sourceAdd.replace("--priority=primary", "--priority=explicit"),
        login,
        `poetry add --source ${SOURCE_NAME} ${PACKAGE_PLACEHOLDER}`,
      ],
      PRIVATE_LIB,
    );
    const packages = lockedPackages(fs.readFileSync(path.join(project.dir, "poetry.lock"), "utf8"));
    expect(packages[PRIVATE_LIB]).to.deep.equal({
      version: "1.0.0",
      url: scenario.sandbox.url.replace(/\/$/, ""),
    });
    expect(packages[PUBLIC_PROJECT]).to.deep.equal({
      version: "1.0.0",
      url: scenario.publicIndex.url.replace(/\/$/, ""),
    });
    // The private name never reaches the primary source (whose 99.0.0 look-alike would win otherwise).
    expect(askedFor(scenario.publicIndex.requests, PRIVATE_LIB)).to.equal(false);
    expect(askedFor(scenario.served, PUBLIC_PROJECT)).to.equal(false);
    const imported = await importVersions(project, ["ppi_private_lib", "ppi_public_thing"]);
    expect(imported.stdout.trim()).to.equal("1.0.0 1.0.0");
  });

  it("fails without credentials: the index answers 401 and nothing is locked", async () => {
    const project = consumer("anonymous", [PROJECT]);
    const [sourceAdd] = scenario.printed.blocks.poetryPrimary; // the source, not the credentials
    await poetryOk(project, commandArguments(sourceAdd, "poetry", PROJECT));
    const lock = await poetry(["lock"], { cwd: project.dir, env: project.env });
    expect(lock.code).to.not.equal(0);
    expect(output(lock)).to.contain("Authorization error accessing");
    expect(scenario.served.length).to.be.greaterThan(0);
    expect(scenario.served.every((s) => s.status === 401)).to.equal(true);
    expect(fs.existsSync(path.join(project.dir, "poetry.lock"))).to.equal(false);
  });
});
