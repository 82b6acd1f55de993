/** buildWheel's output installed by real pip (the pinned one, isolated from the machine's pip configuration). */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildWheel } from "../../publishing/wheelBuilder";
import { pythonTool } from "../../sandbox/pythonTools";

const PIP_ENV = { PATH: process.env.PATH ?? "", HOME: os.tmpdir(), PIP_CONFIG_FILE: "/dev/null" };

function pipInstall(wheelPath: string, target: string) {
  return spawnSync(
    pythonTool("python"),
    [
      "-m",
      "pip",
      "install",
      "--isolated",
      "--no-index",
      "--no-deps",
      "--no-cache-dir",
      "--disable-pip-version-check",
      "--target",
      target,
      wheelPath,
    ],
    { env: PIP_ENV, encoding: "utf8" },
  );
}

describe("publishing: buildWheel installed by pip @integration", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-wheel-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("installs, imports and records the wheel", () => {
    const wheel = buildWheel({
      name: "Ppi.Wheel-Check",
      version: "2.1",
      requiresPython: ">=3.8",
      summary: "check",
    });
    const file = path.join(dir, wheel.filename);
    fs.writeFileSync(file, wheel.bytes);
    const target = path.join(dir, "site");
    const install = pipInstall(file, target);
    expect(install.status, install.stderr).to.equal(0);
    const run = spawnSync(pythonTool("python"), ["-c", "import ppi_wheel_check as m; print(m.__version__)"], {
      env: { ...PIP_ENV, PYTHONPATH: target },
      encoding: "utf8",
    });
    expect(run.stdout).to.equal("2.1\n");
    const record = fs.readFileSync(path.join(target, "ppi_wheel_check-2.1.dist-info", "RECORD"), "utf8");
    expect(record).to.include("ppi_wheel_check/__init__.py,sha256=");
  });

  it("carries Requires-Python that pip enforces", () => {
    const wheel = buildWheel({ name: "ppi-too-new", version: "1.0", requiresPython: ">=99" });
    const file = path.join(dir, wheel.filename);
    fs.writeFileSync(file, wheel.bytes);
    const install = pipInstall(file, path.join(dir, "never"));
    expect(install.status).to.not.equal(0);
    expect(install.stderr + install.stdout).to.match(/requires a different Python/);
  });
});
