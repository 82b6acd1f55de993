/**
 * The Python tools environment: the requirements pin every package with hashes, the environment
 * holds exactly the pinned tools, and each way it can be unusable is an error naming the fix.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import {
  environmentDigest,
  ensurePythonTools,
  parsePins,
  pinnedToolVersions,
  PYTHON_TOOLS,
  PYTHON_TOOLS_COMMAND,
  PYTHON_TOOLS_DIR,
  pythonTool,
  pythonToolsProblem,
  REQUIREMENTS_FILE,
} from "../../sandbox/pythonTools";

const REQUIREMENTS_IN = path.join(path.dirname(REQUIREMENTS_FILE), "requirements.in");

describe("sandbox: the pinned Python tools", () => {
  it("reads pins with extras, markers and any spelling of the name", () => {
    const pins = parsePins(
      [
        "moto[server]==5.2.5 \\",
        "    --hash=sha256:aa",
        "zipp==4.1.2 ; python_full_version < '3.12' \\",
        "Foo_Bar.baz==1.0",
        "    # via -r requirements.in",
      ].join("\n"),
    );
    expect([...pins]).to.deep.equal([
      ["moto", "5.2.5"],
      ["zipp", "4.1.2"],
      ["foo-bar-baz", "1.0"],
    ]);
  });

  it("pins every package of requirements.txt with at least one sha256, and each tool at its requirements.in version", () => {
    const text = fs.readFileSync(REQUIREMENTS_FILE, "utf8");
    const blocks = text.split(/\n(?=[A-Za-z0-9])/).filter((b) => /^[A-Za-z0-9]/.test(b));
    expect(blocks.length).to.be.greaterThan(50);
    for (const block of blocks) {
      expect(block, block.split("\n")[0]).to.match(/^[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?==\S+/);
      expect(block, block.split("\n")[0]).to.match(/--hash=sha256:[0-9a-f]{64}/);
    }
    const wanted = parsePins(fs.readFileSync(REQUIREMENTS_IN, "utf8"));
    const locked = parsePins(text);
    expect([...wanted.keys()]).to.have.members(["moto", "uv", "pip", "poetry", "twine", "build", "s3pypi"]);
    for (const [name, version] of wanted) expect(locked.get(name), name).to.equal(version);
  });

  it("stamps the pins and hashes, not the comments: regenerating the same set rebuilds nothing", () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-tools-"));
    try {
      const write = (name: string, text: string) => {
        fs.writeFileSync(path.join(scratch, name), text);
        return environmentDigest(path.join(scratch, name));
      };
      const pin = `uv==1.0 \\\n    --hash=sha256:${"a".repeat(64)}\n`;
      const base = write("a.txt", `# via -r requirements.in\n${pin}`);
      expect(write("b.txt", `# via -r python/requirements.in\n\n${pin}    # via poetry\n`)).to.equal(base);
      expect(write("c.txt", pin.replace("a".repeat(64), "b".repeat(64)))).to.not.equal(base);
      expect(write("d.txt", pin.replace("1.0", "1.1"))).to.not.equal(base);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("names what is wrong with an environment and nothing when it is current", () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-tools-"));
    try {
      const dir = path.join(scratch, "venv");
      const requirements = path.join(scratch, "requirements.txt");
      fs.writeFileSync(requirements, "uv==1.0 \\\n    --hash=sha256:" + "0".repeat(64) + "\n");
      const problem = () => pythonToolsProblem(dir, requirements);
      expect(problem()).to.equal(`the Python tools environment ${dir} does not exist`);
      fs.mkdirSync(path.join(dir, "bin"), { recursive: true });
      expect(problem()).to.equal(`${dir} is not a virtual environment (no pyvenv.cfg)`);
      fs.writeFileSync(path.join(dir, "pyvenv.cfg"), "home = /nowhere\n");
      expect(problem()).to.equal(
        `the Python tools environment ${dir} is incomplete (its creation did not finish)`,
      );
      const stamp = path.join(dir, ".ppi-requirements.sha256");
      fs.writeFileSync(stamp, environmentDigest(REQUIREMENTS_FILE));
      expect(problem()).to.equal(
        `the Python tools environment ${dir} is out of date (made from another requirements.txt or install recipe)`,
      );
      fs.writeFileSync(stamp, environmentDigest(requirements) + "\n");
      expect(problem()).to.equal(
        `the Python tools environment ${dir} is broken (${Object.values(PYTHON_TOOLS).join(", ")} missing or not runnable)`,
      );
      for (const executable of Object.values(PYTHON_TOOLS).filter((e) => e !== "uv")) {
        fs.writeFileSync(path.join(dir, "bin", executable), "#!/bin/sh\n", { mode: 0o755 });
      }
      expect(problem()).to.equal(
        `the Python tools environment ${dir} is broken (uv missing or not runnable)`,
      );
      fs.writeFileSync(path.join(dir, "bin", "uv"), "#!/bin/sh\n", { mode: 0o755 });
      expect(problem()).to.equal(undefined);
      // A dangling interpreter link (the machine's Python moved or went) is broken too.
      fs.unlinkSync(path.join(dir, "bin", "python"));
      fs.symlinkSync(path.join(scratch, "gone", "python3"), path.join(dir, "bin", "python"));
      expect(problem()).to.equal(
        `the Python tools environment ${dir} is broken (python missing or not runnable)`,
      );
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("refuses, naming the fix, to build from a missing or too old python3 or over a directory that is not a venv", () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-tools-"));
    const saved = process.env.PPI_PYTHON;
    try {
      const target = path.join(scratch, "venv");
      process.env.PPI_PYTHON = path.join(scratch, "no-python3");
      expect(() => ensurePythonTools(target)).to.throw(
        `${process.env.PPI_PYTHON} was not found: install Python 3.11 or newer (or set PPI_PYTHON to one), then run ${PYTHON_TOOLS_COMMAND}`,
      );
      const old = path.join(scratch, "python3.9");
      fs.writeFileSync(old, "#!/bin/sh\necho 3.9\n", { mode: 0o755 });
      process.env.PPI_PYTHON = old;
      expect(() => ensurePythonTools(target)).to.throw(
        `${old} is Python 3.9; the tools need 3.11 or newer (set PPI_PYTHON to one), then run ${PYTHON_TOOLS_COMMAND}`,
      );
      delete process.env.PPI_PYTHON;
      fs.mkdirSync(target);
      fs.writeFileSync(path.join(target, "notes.txt"), "mine");
      expect(() => ensurePythonTools(target)).to.throw(
        `${target} exists and is not a virtual environment; move it away or set PPI_PYTHON_TOOLS_DIR elsewhere`,
      );
      expect(fs.readdirSync(target)).to.deep.equal(["notes.txt"]);
    } finally {
      if (saved === undefined) delete process.env.PPI_PYTHON;
      else process.env.PPI_PYTHON = saved;
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe("sandbox: the tools environment runs the pinned versions @integration", () => {
  const pinned = pinnedToolVersions();

  it("is current: ensurePythonTools leaves it as it is", () => {
    expect(ensurePythonTools()).to.include({ created: false, dir: PYTHON_TOOLS_DIR });
  });

  /** How each tool says its version (moto_server has no --version: its package, on its interpreter). */
  const reported: Record<keyof typeof pinned, [string[], RegExp]> = {
    moto_server: [["-c", "import moto; print(moto.__version__)"], /^(\S+)$/],
    uv: [["--version"], /^uv (\S+)/],
    pip: [["--version"], /^pip (\S+) from /],
    poetry: [["--version"], /^Poetry \(version (\S+)\)$/m],
    twine: [["--version"], /^twine version (\S+) /],
    build: [["--version"], /^build (\S+) /],
    s3pypi: [["--version"], /^(\S+)$/],
  };
  for (const [tool, [args, pattern]] of Object.entries(reported) as [
    keyof typeof pinned,
    [string[], RegExp],
  ][]) {
    it(`${PYTHON_TOOLS[tool]} is ${tool === "moto_server" ? "moto" : tool} ${pinned[tool]}`, () => {
      const program = pythonTool(tool);
      const command = tool === "moto_server" ? pythonTool("python") : program;
      if (tool === "moto_server") {
        // Its launcher runs the environment's interpreter (`#!python`, or `exec python` for long paths).
        expect(fs.readFileSync(program, "utf8").split("\n").slice(0, 3).join("\n")).to.contain(
          pythonTool("python"),
        );
      }
      const run = spawnSync(command, args, { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
      const text = `${run.stdout}${run.stderr}`;
      expect(run.status, text).to.equal(0);
      expect(pattern.exec(text.trim())?.[1], text).to.equal(pinned[tool]);
    });
  }
});
