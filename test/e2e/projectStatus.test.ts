/**
 * PEP 792 project status through the sandbox, with the pinned clients: uv reads the marker and
 * reports adverse statuses in `uv audit` (against a loopback stand-in for the OSV service, which
 * `uv audit` queries at the same time); nothing is installable from a quarantined project, by uv
 * or pip, and its name never falls through to the upstream, which offers a higher version of it.
 */
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { AddressInfo } from "net";
import { expect } from "chai";
import { output, pip, uv, uvEnv, uvProjectEnv } from "../../fixtures/pythonClients";
import { indexFixture } from "../../fixtures/sandboxIndex";
import { urlWithKey } from "../../sandbox";
import { JSON_TYPE } from "./support/pages";
import { exportedVariables, pasted } from "./support/printedConfiguration";
import { askedFor, pyprojectToml, useClientScenario } from "./support/scenario";

const ARCHIVED = "ppi-status-old";
const DEPRECATED = "ppi-status-legacy";
const QUARANTINED = "ppi-status-bad";

/** A stand-in for the OSV batch API `uv audit` calls: no known vulnerability for any query. */
async function startOsvStandIn(): Promise<{ url: string; stop(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk));
    request.on("end", () => {
      const queries = request.url === "/v1/querybatch" ? (JSON.parse(body).queries ?? []) : undefined;
      response.writeHead(queries ? 200 : 404, { "content-type": "application/json" });
      response.end(JSON.stringify(queries ? { results: queries.map(() => ({ vulns: [] })) } : {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("PEP 792 project status with uv and pip through the sandbox @integration", function () {
  const scenario = useClientScenario({
    name: "status",
    privateWheels: [
      { name: ARCHIVED, version: "1.0.0" },
      { name: DEPRECATED, version: "2.0.0" },
      { name: QUARANTINED, version: "1.0.0" },
    ],
    // The upstream offers a higher version of the quarantined name: it must never be taken.
    publicWheels: [{ name: QUARANTINED, version: "9.0.0" }],
  });
  let osv: { url: string; stop(): Promise<void> };

  before(async () => {
    const fixture = indexFixture(scenario.sandbox);
    try {
      await fixture.setStatus("demo", ARCHIVED, "archived", "no longer maintained");
      await fixture.setStatus("demo", DEPRECATED, "deprecated");
      await fixture.setStatus("demo", QUARANTINED, "quarantined", "malware");
    } finally {
      fixture.destroy();
    }
    osv = await startOsvStandIn();
  });
  after(async () => osv?.stop());

  it("uv audit reports the archived and the deprecated project, read from the JSON pages", async () => {
    const dir = scenario.freshDir("audit");
    const toml = pasted(scenario.printed.blocks.uvDefault, ARCHIVED);
    fs.writeFileSync(
      path.join(dir, "pyproject.toml"),
      pyprojectToml("consumer", [ARCHIVED, DEPRECATED], toml),
    );
    const env = uvProjectEnv(dir, exportedVariables(scenario.printed.blocks.uvCredentials));
    const lock = await uv(["lock"], { cwd: dir, env });
    expect(lock.code, output(lock)).to.equal(0);
    const audit = await uv(["audit", "--preview-features", "audit", "--frozen", "--service-url", osv.url], {
      cwd: dir,
      env,
    });
    expect(audit.code, output(audit)).to.equal(0);
    expect(audit.stdout).to.include(`- ${ARCHIVED} is archived: no longer maintained\n`);
    expect(audit.stdout).to.include(`- ${DEPRECATED} is deprecated\n`);
    expect(audit.stderr).to.include("2 adverse project statuses");
    const pages = scenario.served.filter((s) => s.url.startsWith("/simple/"));
    expect(pages.length).to.be.greaterThan(0);
    for (const page of pages) expect(page.contentType).to.equal(JSON_TYPE);
  });

  it("uv cannot install from a quarantined project and never asks the upstream for it", async () => {
    const dir = scenario.freshDir("uv-quarantined");
    const env = uvEnv(dir, {
      UV_INDEX_URL: urlWithKey(scenario.sandbox.url, scenario.printed.publicKey, scenario.printed.secretKey),
    });
    const venv = path.join(dir, "venv");
    expect((await uv(["venv", venv], { env })).code).to.equal(0);
    const install = await uv(["pip", "install", "--python", path.join(venv, "bin", "python"), QUARANTINED], {
      env,
    });
    expect(install.code, output(install)).to.not.equal(0);
    expect(install.stderr).to.include(`there are no versions of ${QUARANTINED}`);
    expect(scenario.served.find((s) => s.url === `/simple/${QUARANTINED}/`)).to.include({ status: 200 });
    expect(askedFor(scenario.publicIndex.requests, QUARANTINED)).to.equal(false);
  });

  it("pip installs the archived project, cannot install the quarantined one, and never asks the upstream for it", async () => {
    const index = urlWithKey(scenario.sandbox.url, scenario.printed.publicKey, scenario.printed.secretKey);
    const archived = await pip("install", index, ["--target", scenario.freshDir("pip-archived"), ARCHIVED]);
    expect(archived.code, output(archived)).to.equal(0);
    const quarantined = await pip("install", index, ["--target", scenario.freshDir("pip-bad"), QUARANTINED]);
    expect(quarantined.code, output(quarantined)).to.not.equal(0);
    expect(quarantined.stderr).to.include(`No matching distribution found for ${QUARANTINED}`);
    expect(scenario.served.find((s) => s.url === `/simple/${QUARANTINED}/`)).to.include({ status: 200 });
    expect(askedFor(scenario.publicIndex.requests, QUARANTINED)).to.equal(false);
  });
});
