import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { stackForRef, stacksForTag, tagPassesFilters } from "../../deployments/tagRoutes";
import { DeployStack, TAG_FILTERS } from "../../domain/delivery";
import { githubFilterAdmits, REPO_ROOT, workflow } from "./workflowFiles";

/** Runs scripts/deployRoute.ts as the deploy workflow's route step does. */
function routeScript(...args: string[]) {
  const tsNode = require.resolve("ts-node/dist/bin.js");
  const run = spawnSync(process.execPath, [tsNode, "--transpile-only", "scripts/deployRoute.ts", ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Example tags and the one stack each must deploy (undefined: none). */
const TAG_EXAMPLES: ReadonlyArray<[string, DeployStack | undefined]> = [
  ["python-package-index@v1.2.0-staging", "staging"],
  ["python-package-index@v1.2.0", "prod"],
  ["python-package-index@v10.20.30", "prod"],
  ["python-package-index@v1.2.0+build.5", "prod"],
  ["v1.2.0", undefined],
  ["1.2.0", undefined],
  // Pre-releases never reach prod; as -staging tags they may go to staging.
  ["python-package-index@v1.2.0-rc.1", undefined],
  ["python-package-index@v1.2.0-beta", undefined],
  ["python-package-index@v1.3.0-rc.1-staging", "staging"],
  ["python-package-index@v1.2.0-staging-fix", undefined],
  ["python-package-index@v1.2.0-STAGING", undefined],
  ["python-package-index@vnext", undefined],
  ["python-package-index@v", undefined],
  ["python-package-index@v-staging", undefined],
  ["other-package@v1.2.0", undefined],
  ["other-package@v1.2.0-staging", undefined],
  ["x-python-package-index@v1.2.0", undefined],
  ["python-package-index@v1.2.0/extra", undefined],
];

describe("delivery: tag routes", () => {
  for (const [tag, stack] of TAG_EXAMPLES) {
    it(`${tag} → ${stack ?? "nothing"}`, () => {
      expect(stacksForTag(tag)).to.deep.equal(stack ? [stack] : []);
      expect(stackForRef(`refs/tags/${tag}`)).to.equal(stack);
    });
  }

  it("routes pushes to main (and no other branch) to dev", () => {
    expect(stackForRef("refs/heads/main")).to.equal("dev");
    for (const ref of [
      "refs/heads/dev",
      "refs/heads/main2",
      "refs/heads/feature/main",
      "refs/pull/1/merge",
      "main",
    ]) {
      expect(stackForRef(ref), ref).to.equal(undefined);
    }
  });

  it("defines the prod exclude and never lets dev take tags", () => {
    expect(TAG_FILTERS.prod.filter((f) => f.startsWith("!"))).to.deep.equal(["!python-package-index@v*-*"]);
    expect(TAG_FILTERS.dev).to.deep.equal([]);
  });

  it("evaluates filters as Pulumi Deployments does: exclude wins, order does not matter", () => {
    const filters = ["!v*-rc*", "v*"];
    expect(tagPassesFilters(filters, "v1.0.0")).to.equal(true);
    expect(tagPassesFilters(filters, "v1.0.0-rc1")).to.equal(false);
    expect(tagPassesFilters([...filters].reverse(), "v1.0.0-rc1")).to.equal(false);
    expect(tagPassesFilters(["!*-rc*"], "anything")).to.equal(true);
    expect(tagPassesFilters(["v1.0.0"], "v1.0.0.1")).to.equal(false);
  });

  it("refuses to guess when a tag would match two stacks", () => {
    const original = TAG_FILTERS.staging;
    (TAG_FILTERS as Record<string, readonly string[]>).staging = ["python-package-index@v*"];
    try {
      expect(() => stackForRef("refs/tags/python-package-index@v1.2.0")).to.throw(
        /matches the filters of staging and prod/,
      );
    } finally {
      (TAG_FILTERS as Record<string, readonly string[]>).staging = original;
    }
  });

  it("deploy.yml's trigger admits every routed tag, and only refs/heads/main as a branch", () => {
    const push = workflow("deploy.yml").on.push;
    expect(push.branches).to.deep.equal(["main"]);
    for (const [tag, stack] of TAG_EXAMPLES) {
      if (stack) expect(githubFilterAdmits(push.tags, tag), tag).to.equal(true);
    }
    expect(githubFilterAdmits(push.tags, "v1.2.0")).to.equal(false);
    expect(githubFilterAdmits(push.tags, "other-package@v1.2.0")).to.equal(false);
  });

  it("deployRoute.ts prints the one `stack=` line the workflow appends to $GITHUB_OUTPUT", () => {
    expect(routeScript("refs/tags/python-package-index@v1.2.0")).to.deep.include({
      status: 0,
      stdout: "stack=prod\n",
    });
    expect(routeScript("refs/heads/feature")).to.deep.include({ status: 0, stdout: "stack=\n" });
    const missing = routeScript();
    expect(missing.status).to.equal(1);
    expect(missing.stdout).to.equal("");
    expect(missing.stderr).to.match(/usage: deployRoute.ts <git ref>/);
  });
});
