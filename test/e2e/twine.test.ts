/**
 * `twine check` (the pinned release) on a wheel as the index serves it: what publishers run before
 * an upload must accept what the index hands out.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { startSandbox, Sandbox } from "../../sandbox";
import { homeEnv, isolatedEnv, output, run } from "../../fixtures/pythonClients";
import { pythonTool } from "../../sandbox/pythonTools";
import { basicAuthorization } from "./support/pages";

describe("twine check on a wheel downloaded from the sandbox @integration", function () {
  let sandbox: Sandbox;
  let work: string;

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "ppi-e2e-twine-"));
    sandbox = await startSandbox({ port: 0, quiet: true });
  });

  after(async () => {
    await sandbox?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("passes twine check --strict", async () => {
    const filename = "ppi_demo_hello-1.1.0-py3-none-any.whl";
    const response = await fetch(`${sandbox.origin}/files/${sandbox.demo.project}/${filename}`, {
      headers: { Authorization: basicAuthorization(sandbox.publicKey, sandbox.secretKey) },
    });
    expect(response.status).to.equal(200);
    const file = path.join(work, filename);
    fs.writeFileSync(file, Buffer.from(await response.arrayBuffer()));
    const check = await run(pythonTool("twine"), ["--no-color", "check", "--strict", file], {
      env: isolatedEnv(homeEnv(work)),
    });
    expect(check.code, output(check)).to.equal(0);
    expect(check.stdout).to.equal(`Checking ${file}: PASSED\n`);
  });
});
