import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { deployTeam, PREVIEW_TEAM } from "../../deployments/pulumiTeams";
import { DEPLOY_STACKS } from "../../domain/delivery";
import { actionFiles, REPO_ROOT, stepsOf, workflow, workflowFiles } from "./workflowFiles";

/* eslint-disable @typescript-eslint/no-explicit-any */
const WORKFLOW_NAMES = ["ci.yml", "preview.yml", "deploy.yml", "check.yml"];
/** Jobs that may request an OIDC token, and why: AWS previewer role / Pulumi token exchange. */
const ID_TOKEN_JOBS = [
  "preview.yml:preview",
  "deploy.yml:deploy-dev",
  "deploy.yml:deploy-staging",
  "deploy.yml:deploy-prod",
];

function usesOf(doc: any): string[] {
  return stepsOf(doc)
    .map((step) => step.uses)
    .filter((uses): uses is string => typeof uses === "string");
}

describe("delivery: every workflow", () => {
  it("has exactly the expected workflow files, each valid YAML with a name, triggers and jobs", () => {
    const files = workflowFiles();
    expect(files.map((f) => path.basename(f.file)).sort()).to.deep.equal([...WORKFLOW_NAMES].sort());
    for (const { file, doc } of files) {
      expect(doc.name, file).to.be.a("string");
      expect(doc.on, file).to.be.an("object");
      expect(Object.keys(doc.jobs ?? {}), file).to.have.length.greaterThan(0);
    }
  });

  it("declares least-privilege permissions: top-level read or none, never write-all, every job covered", () => {
    for (const { file, doc } of workflowFiles()) {
      expect(doc.permissions, `${file} top-level permissions`).to.be.an("object");
      const topLevel = doc.permissions as Record<string, string>;
      expect(
        Object.entries(topLevel).every(([scope, level]) => scope === "contents" && level === "read"),
        file,
      ).to.equal(true);
      for (const [id, job] of Object.entries<any>(doc.jobs)) {
        const granted = { ...topLevel, ...(job.permissions ?? {}) } as Record<string, string>;
        expect(job.permissions === "write-all" || doc.permissions === "write-all", `${file}:${id}`).to.equal(
          false,
        );
        const key = `${path.basename(file)}:${id}`;
        expect(granted["id-token"] === "write", `${key} id-token`).to.equal(ID_TOKEN_JOBS.includes(key));
        const writes = Object.entries(granted)
          .filter(([, level]) => level === "write")
          .map(([scope]) => scope);
        const allowed =
          key === "preview.yml:preview"
            ? ["id-token", "pull-requests"]
            : ID_TOKEN_JOBS.includes(key)
              ? ["id-token"]
              : [];
        expect(writes.sort(), `${key} write scopes`).to.deep.equal(allowed);
      }
    }
  });

  it("contains no static AWS or Pulumi credentials anywhere", () => {
    for (const { file, text } of [...workflowFiles(), ...actionFiles()]) {
      expect(text, file).to.not.match(
        /aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/i,
      );
      expect(text, file).to.not.match(/AKIA[0-9A-Z]{16}/);
      expect(text, file).to.not.match(/secrets\.PULUMI_ACCESS_TOKEN|pul-[0-9a-f]{20,}/);
    }
  });

  it("pins every third-party action to a full commit SHA with its version in a comment", () => {
    for (const { file, text, doc } of [...workflowFiles(), ...actionFiles()]) {
      for (const uses of usesOf(doc)) {
        if (uses.startsWith("./")) {
          expect(fs.existsSync(path.join(REPO_ROOT, uses, "action.yml")), `${file}: ${uses}`).to.equal(true);
          continue;
        }
        expect(uses, `${file}: ${uses}`).to.match(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
        expect(text, `${file}: ${uses} needs a "# vX.Y.Z" comment`).to.match(
          new RegExp(`${uses.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} # v\\d+\\.\\d+\\.\\d+`),
        );
      }
    }
  });

  it("checks out without persisting the token and bounds every job's time", () => {
    for (const { file, doc } of workflowFiles()) {
      for (const [id, job] of Object.entries<any>(doc.jobs)) {
        expect(job["timeout-minutes"], `${file}:${id}`).to.be.a("number");
        for (const step of job.steps) {
          if (String(step.uses).startsWith("actions/checkout@")) {
            expect(step.with?.["persist-credentials"], `${file}:${id}`).to.equal(false);
          }
        }
      }
    }
  });
});

describe("delivery: ci.yml", () => {
  it("runs on pull requests and pushes to main with Node 22, Python 3.11 and .ci/run (npm ci, lint, npm test)", () => {
    const ci = workflow("ci.yml");
    expect(ci.on).to.deep.equal({ pull_request: null, push: { branches: ["main"] } });
    const steps = ci.jobs.test.steps;
    const setupNode = steps.find((s: any) => String(s.uses).startsWith("actions/setup-node@"));
    expect(setupNode.with["node-version"]).to.equal(22);
    const setupPython = steps.find((s: any) => String(s.uses).startsWith("actions/setup-python@"));
    expect(setupPython.with["python-version"]).to.equal("3.11");
    // The Python tools come from the project's pinned requirements (npm ci), never from the runner.
    expect(steps.map((s: any) => s.run ?? "").join("\n")).to.not.match(/pip install|apt-get/);
    expect(steps.at(-1).run).to.equal("bash .ci/run");
    const ciRun = fs.readFileSync(path.join(REPO_ROOT, ".ci/run"), "utf8");
    for (const command of ["npm ci", "npm run lint", "npm test"]) expect(ciRun).to.contain(command);
    expect(ciRun).to.not.match(/apt-get|pip install/);
  });
});

describe("delivery: preview.yml", () => {
  const preview = workflow("preview.yml");
  const job = preview.jobs.preview;

  it("previews dev, staging and prod on pull requests into main, same-repository branches only", () => {
    expect(preview.on).to.deep.equal({ pull_request: { branches: ["main"] } });
    expect(job.strategy.matrix.include.map((m: any) => m.stack)).to.deep.equal([...DEPLOY_STACKS]);
    expect(job.strategy["fail-fast"]).to.equal(false);
    expect(job.if).to.equal(
      "github.event.pull_request.head.repo.full_name == github.repository && github.actor != 'dependabot[bot]'",
    );
    expect(job.environment, "an environment would change the OIDC sub the previewer role trusts").to.equal(
      undefined,
    );
    expect(job.concurrency.group).to.equal(
      "preview-${{ matrix.stack }}-${{ github.event.pull_request.number }}",
    );
  });

  it("assumes each stack's previewer role through OIDC, with no keys", () => {
    const aws = job.steps.find((s: any) =>
      String(s.uses).startsWith("aws-actions/configure-aws-credentials@"),
    );
    expect(aws.with).to.deep.equal({
      "role-to-assume": "${{ vars[matrix.previewer_role_variable] }}",
      "role-session-name": "ppi-${{ matrix.stack }}-preview-${{ github.run_id }}",
      "role-duration-seconds": 3600,
      "aws-region": "${{ vars.AWS_REGION }}",
    });
    for (const entry of job.strategy.matrix.include) {
      expect(entry.previewer_role_variable).to.equal(`AWS_PREVIEWER_ROLE_ARN_${entry.stack.toUpperCase()}`);
    }
  });

  it("exchanges the OIDC token for Pulumi access and comments the preview of the matrix stack", () => {
    const auth = job.steps.find((s: any) => String(s.uses).startsWith("pulumi/auth-actions@"));
    expect(auth.with["requested-token-type"]).to.equal("urn:pulumi:token-type:access_token:team");
    expect(auth.with.scope).to.equal(`team:${PREVIEW_TEAM}`);
    const pulumiStep = job.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
    expect(pulumiStep.with).to.include({
      command: "preview",
      "stack-name": "${{ vars.PULUMI_ORGANIZATION }}/python-package-index/${{ matrix.stack }}",
      "comment-on-pr": true,
    });
    expect(job.steps.indexOf(auth)).to.be.lessThan(job.steps.indexOf(pulumiStep));
  });

  it("runs the project's policy pack with the preview, after npm ci installed the pack's packages", () => {
    const pulumiStep = job.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
    expect(pulumiStep.with.policyPacks).to.equal("policy-pack");
    expect(fs.existsSync(path.join(REPO_ROOT, "policy-pack", "PulumiPolicy.yaml"))).to.equal(true);
    const deps = job.steps.findIndex((s: any) => s.uses === "./.github/actions/node-deps");
    expect(deps).to.be.greaterThan(-1);
    expect(deps).to.be.lessThan(job.steps.indexOf(pulumiStep));
  });

  it("previews with the Pulumi CLI the deployments run: the SDK's version, also the executor image tag", () => {
    const sdk = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).dependencies[
      "@pulumi/pulumi"
    ];
    const pulumiStep = job.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
    expect(pulumiStep.with["pulumi-version"]).to.equal(sdk);
    const delivery = fs.readFileSync(path.join(REPO_ROOT, "deployments/Pulumi.delivery.yaml"), "utf8");
    expect(delivery).to.contain(`executorImage: pulumi/pulumi-nodejs-22:${sdk}`);
  });
});

describe("delivery: deploy.yml", () => {
  const deploy = workflow("deploy.yml");

  it("routes with the shared tag routes before any deploy job starts", () => {
    expect(deploy.jobs.route.steps.at(-1).run).to.equal(
      'npx ts-node --transpile-only scripts/deployRoute.ts "$GITHUB_REF" >> "$GITHUB_OUTPUT"',
    );
    expect(deploy.jobs.route.outputs.stack).to.equal("${{ steps.route.outputs.stack }}");
  });

  for (const stack of DEPLOY_STACKS) {
    it(`deploys ${stack} only when routed there, in environment ${stack}, in its own concurrency group`, () => {
      const job = deploy.jobs[`deploy-${stack}`];
      expect(job.needs).to.equal("route");
      expect(job.if).to.equal(`needs.route.outputs.stack == '${stack}'`);
      expect(job.environment).to.equal(stack);
      expect(job.concurrency).to.deep.equal({ group: `deploy-${stack}`, "cancel-in-progress": false });
      const step = job.steps.find((s: any) => s.uses === "./.github/actions/pulumi-deployment");
      expect(step.with).to.deep.equal({ stack, organization: "${{ vars.PULUMI_ORGANIZATION }}" });
    });
  }

  it("has no other jobs, so nothing else can deploy", () => {
    expect(Object.keys(deploy.jobs).sort()).to.deep.equal([
      "deploy-dev",
      "deploy-prod",
      "deploy-staging",
      "route",
    ]);
  });

  it("runs the deployment in Pulumi Deployments at the exact commit, after the OIDC token exchange", () => {
    const action = actionFiles().find((a) => a.file.endsWith("pulumi-deployment/action.yml"))!.doc;
    const steps = action.runs.steps;
    const auth = steps.findIndex((s: any) => String(s.uses).startsWith("pulumi/auth-actions@"));
    const run = steps.findIndex((s: any) => String(s.run).includes("scripts/runDeployment.ts"));
    expect(auth).to.be.greaterThan(-1);
    expect(run).to.be.greaterThan(auth);
    expect(steps[run].run).to.contain('--stack "$STACK" --commit "$GITHUB_SHA"');
    expect(steps[run].env.STACK).to.equal("${{ inputs.stack }}");
    expect(steps[auth].with["requested-token-type"]).to.equal("urn:pulumi:token-type:access_token:team");
    expect(steps[auth].with.scope).to.equal("team:ppi-deploy-${{ inputs.stack }}");
    for (const stack of DEPLOY_STACKS) expect(deployTeam(stack)).to.equal(`ppi-deploy-${stack}`);
  });
});

describe("delivery: check.yml", () => {
  const check = workflow("check.yml");
  const job = check.jobs.check;

  it("runs on a schedule (and by hand) against every stack, one failure not hiding the others", () => {
    expect(check.on.schedule).to.deep.equal([{ cron: "17 * * * *" }]);
    expect(check.on).to.have.property("workflow_dispatch");
    expect(job.strategy["fail-fast"]).to.equal(false);
    expect(job.strategy.matrix.include).to.deep.equal(
      DEPLOY_STACKS.map((stack) => ({
        stack,
        url_variable: `PACKAGE_INDEX_URL_${stack.toUpperCase()}`,
        key_secret: `PACKAGE_INDEX_CHECK_KEY_${stack.toUpperCase()}`,
      })),
    );
    expect(job.environment, "the prod environment's reviewers would block a scheduled check").to.equal(
      undefined,
    );
  });

  it("runs `npm run cli -- check` with the URL and key from variables and secrets, never on the command line", () => {
    const step = job.steps.at(-1);
    expect(step.run.trim().split("\n").at(-1)).to.equal("npm run --silent cli -- check");
    expect(step.env.PACKAGE_INDEX_URL).to.equal("${{ vars[matrix.url_variable] }}");
    expect(step.env.PACKAGE_INDEX_KEY).to.equal("${{ secrets[matrix.key_secret] }}");
  });
});
