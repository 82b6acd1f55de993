import { expect } from "chai";
import { PulumiCloud } from "../../scripts/pulumiCloud";
import { buildDeploymentRequest, parseCli, runDeployment } from "../../scripts/runDeployment";
import { FakeHandler, startFakePulumiCloud } from "./fakePulumiCloud";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const noSleep = () => Promise.resolve();

describe("delivery: runDeployment", () => {
  it("builds an update of the exact commit on top of the stack's settings", () => {
    expect(buildDeploymentRequest("update", SHA)).to.deep.equal({
      operation: "update",
      inheritSettings: true,
      sourceContext: { git: { branch: null, commit: SHA } },
    });
    for (const bad of ["", "main", SHA.slice(0, 7), SHA.toUpperCase(), `${SHA}0`]) {
      expect(() => buildDeploymentRequest("update", bad), bad).to.throw(
        /expected a full 40-character git SHA/,
      );
    }
  });

  it("parses and validates the command line before calling anything", () => {
    const options = parseCli(["--organization", "acme", "--stack", "prod", "--commit", SHA], {});
    expect(options).to.deep.equal({
      stackRef: { organization: "acme", project: "python-package-index", stack: "prod" },
      operation: "update",
      commit: SHA,
      timeoutMs: 3_600_000,
      pollMs: 10_000,
    });
    expect(() => parseCli(["--organization", "a", "--stack", "qa", "--commit", SHA], {})).to.throw(
      /--stack is "qa"/,
    );
    expect(() =>
      parseCli(["--organization", "a", "--stack", "dev", "--commit", SHA, "--operation", "destroy"], {}),
    ).to.throw(/--operation is "destroy"/);
    expect(() => parseCli(["--stack", "dev", "--commit", SHA], {})).to.throw(/--organization/);
    expect(() => parseCli(["--organization", "a", "--stack", "dev"], {})).to.throw(/--commit is ""/);
  });

  async function deployAgainst(statuses: string[], timeoutMs = 60_000) {
    let polls = 0;
    const handler: FakeHandler = (r) =>
      r.method === "POST"
        ? { status: 202, body: { id: "dep-1", consoleUrl: "https://app.pulumi.com/x", version: 7 } }
        : { status: 200, body: { id: "dep-1", status: statuses[Math.min(polls++, statuses.length - 1)] } };
    const cloud = await startFakePulumiCloud(handler);
    const lines: string[] = [];
    const options = {
      ...parseCli(["--organization", "acme", "--stack", "staging", "--commit", SHA], {}),
      timeoutMs,
      pollMs: 1000,
    };
    try {
      const outcome = await runDeployment(
        options,
        new PulumiCloud("t", cloud.url),
        (l) => lines.push(l),
        noSleep,
      ).then(
        () => "ok",
        (error: Error) => error.message,
      );
      return { outcome, lines, requests: cloud.requests };
    } finally {
      await cloud.close();
    }
  }

  it("creates the deployment and polls until it succeeds", async () => {
    const { outcome, lines, requests } = await deployAgainst([
      "not-started",
      "running",
      "running",
      "succeeded",
    ]);
    expect(outcome).to.equal("ok");
    expect(requests[0].method).to.equal("POST");
    expect(requests[0].path).to.equal("/api/stacks/acme/python-package-index/staging/deployments");
    expect(requests[0].body).to.deep.equal(buildDeploymentRequest("update", SHA));
    expect(requests.slice(1).map((r) => `${r.method} ${r.path}`)).to.deep.equal(
      Array(4).fill("GET /api/stacks/acme/python-package-index/staging/deployments/dep-1"),
    );
    expect(lines.filter((l) => l.startsWith("status:"))).to.deep.equal([
      "status: not-started",
      "status: running",
      "status: succeeded",
    ]);
  });

  it("fails the job when the deployment fails", async () => {
    const { outcome } = await deployAgainst(["running", "failed"]);
    expect(outcome).to.equal("deployment dep-1 of staging ended failed; see the Pulumi Cloud console");
  });

  it("fails the job when the deployment outlives the timeout", async () => {
    const { outcome, requests } = await deployAgainst(["running"], 3000);
    expect(outcome).to.equal(
      "deployment dep-1 of staging still running after the timeout; see the Pulumi Cloud console",
    );
    expect(requests.length).to.equal(1 + 4);
  });
});
