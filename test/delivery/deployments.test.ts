import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { DELIVERY_PROJECT, parseDeliveryConfig } from "../../deployments/config";
import { sessionDuration, StackDeployment } from "../../deployments/stackDeployment";
import { GithubTokenExchange } from "../../deployments/githubTokenExchange";
import { deployTeam, PREVIEW_TEAM } from "../../deployments/pulumiTeams";
import { stackRepositorySettings } from "../../deployments/repositorySettings";
import { DEPLOY_STACKS, DEV_BRANCH, TAG_FILTERS } from "../../domain/delivery";
import { ResourceRecorder, settle, setupMocks } from "../mocks";
import { REPO_ROOT } from "./workflowFiles";

const PROGRAM_DIR = path.join(REPO_ROOT, "deployments");
const ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment";
const REF_POLICY = "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy";
const VARIABLE = "github:index/actionsVariable:ActionsVariable";
const ENV_VARIABLE = "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable";

/** The delivery stack file's values as the Pulumi CLI passes them (non-strings JSON-encoded). */
function stackConfig(): Record<string, string> {
  const file = parse(fs.readFileSync(path.join(PROGRAM_DIR, "Pulumi.delivery.yaml"), "utf8"));
  return Object.fromEntries(
    Object.entries<unknown>(file.config).map(([key, value]) => [
      key,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
}

/** Runs deployments/index.ts (its exported async program) fresh under mocks; returns what it registered. */
async function runDeliveryProgram(config: Record<string, string>): Promise<ResourceRecorder> {
  const recorder = setupMocks({ project: DELIVERY_PROJECT, stack: "delivery", config });
  for (const id of Object.keys(require.cache)) if (id.startsWith(PROGRAM_DIR)) delete require.cache[id];
  const program = require(path.join(PROGRAM_DIR, "index.ts")) as () => Promise<unknown>;
  await program();
  await settle();
  return recorder;
}

describe("delivery: the deployments program (Pulumi mocks)", () => {
  let recorder: ResourceRecorder;
  before(async () => {
    recorder = await runDeliveryProgram(stackConfig());
  });

  it("creates three deployment settings, the token exchange and its four teams, and reads three stacks", () => {
    expect(recorder.countByType()).to.deep.equal({
      "pulumiservice:index:DeploymentSettings": 3,
      "pulumiservice:index:OidcIssuer": 1,
      "pulumiservice:index:Team": 4,
      "pulumiservice:index:TeamStackPermission": 6,
      "pulumi:pulumi:StackReference": 3,
      // Per stack: the previewer variable; environments in the infrastructure repository and in
      // both package repositories, with their ref policies (dev's package environment has none)
      // and seven variables each.
      [VARIABLE]: 3,
      [ENVIRONMENT]: 9,
      [REF_POLICY]: 3 + 2 + 2,
      [ENV_VARIABLE]: 3 * 2 * 7,
    });
    expect(recorder.ofType("pulumi:pulumi:StackReference").map((r) => r.inputs.name)).to.deep.equal([
      "acme/python-package-index/dev",
      "acme/python-package-index/staging",
      "acme/python-package-index/prod",
    ]);
  });

  for (const stack of ["dev", "staging", "prod"]) {
    it(`configures ${stack}: source, no push-to-deploy, pinned Node 22 executor, its own deployer role`, () => {
      const settings = recorder.one("pulumiservice:index:DeploymentSettings", `ppi-${stack}-settings`);
      expect(settings.inputs).to.deep.equal({
        organization: "acme",
        project: "python-package-index",
        stack,
        sourceContext: { git: { branch: "refs/heads/main" } },
        vcs: {
          provider: "github",
          repository: "acme/python-package-index",
          deployCommits: false,
          previewPullRequests: false,
          pullRequestTemplate: false,
        },
        executorContext: { executorImage: "pulumi/pulumi-nodejs-22:3.270.0" },
        operationContext: {
          oidc: {
            aws: {
              roleARN: `arn:aws:iam::123456789012:role/ppi-${stack}-deployer`,
              sessionName: `ppi-${stack}-pulumi-deployment`,
              duration: "1h0m0s",
            },
          },
          options: { skipIntermediateDeployments: false },
        },
        cacheOptions: { enable: true },
      });
    });
  }

  it("gives each deploy environment a token that writes its own stack only, and previews read-only tokens", () => {
    const issuer = recorder.one("pulumiservice:index:OidcIssuer");
    expect(issuer.inputs.url).to.equal("https://token.actions.githubusercontent.com");
    expect(issuer.inputs.maxExpirationSeconds).to.equal(3600);
    const repo = "repo:acme/python-package-index";
    expect(issuer.inputs.policies).to.deep.equal([
      ...DEPLOY_STACKS.map((stack) => ({
        decision: "allow",
        tokenType: "team",
        teamName: deployTeam(stack),
        rules: { aud: "urn:pulumi:org:acme", sub: `${repo}:environment:${stack}` },
      })),
      {
        decision: "allow",
        tokenType: "team",
        teamName: PREVIEW_TEAM,
        rules: { aud: "urn:pulumi:org:acme", sub: `${repo}:pull_request` },
      },
    ]);
    const grants = recorder
      .ofType("pulumiservice:index:TeamStackPermission")
      .map(
        (r) =>
          `${r.inputs.team} ${r.inputs.organization}/${r.inputs.project}/${r.inputs.stack} ${r.inputs.permission}`,
      );
    expect(grants).to.deep.equal([
      "ppi-deploy-dev acme/python-package-index/dev 102",
      "ppi-deploy-staging acme/python-package-index/staging 102",
      "ppi-deploy-prod acme/python-package-index/prod 102",
      "ppi-preview acme/python-package-index/dev 101",
      "ppi-preview acme/python-package-index/staging 101",
      "ppi-preview acme/python-package-index/prod 101",
    ]);
    for (const team of recorder.ofType("pulumiservice:index:Team")) {
      expect(team.inputs, team.name).to.include({ organizationName: "acme", teamType: "pulumi" });
      expect(team.inputs.members, "machine-only teams").to.equal(undefined);
    }
  });

  for (const stack of DEPLOY_STACKS) {
    it(`${stack}: the previewer variable holds the stack's previewerRoleArn output`, () => {
      const variables = recorder
        .ofType(VARIABLE)
        .filter((v) => v.name.startsWith(`ppi-${stack}-`))
        .map((v) => v.inputs);
      expect(variables).to.deep.equal([
        {
          repository: "python-package-index",
          variableName: `AWS_PREVIEWER_ROLE_ARN_${stack.toUpperCase()}`,
          value: `arn:aws:iam::123456789012:role/ppi-${stack}-previewer`,
        },
      ]);
    });

    it(`${stack}: the infrastructure repository's environment ${stack} admits exactly the refs that deploy it`, () => {
      const refs = recorder
        .ofType(REF_POLICY)
        .filter((p) => p.inputs.repository === "python-package-index" && p.inputs.environment === stack)
        .map((p) => p.inputs);
      // GitHub environments cannot exclude: the includes of the route's filters, or its branch.
      const routed =
        TAG_FILTERS[stack].length === 0
          ? [{ branchPattern: DEV_BRANCH }]
          : TAG_FILTERS[stack].filter((f) => !f.startsWith("!")).map((tagPattern) => ({ tagPattern }));
      expect(refs).to.deep.equal(
        routed.map((ref) => ({ repository: "python-package-index", environment: stack, ...ref })),
      );
      expect(recorder.one(ENVIRONMENT, `ppi-${stack}-github-${stack}`).inputs).to.deep.include({
        repository: "python-package-index",
        environment: stack,
        canAdminsBypass: false,
        deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
      });
    });

    it(`${stack}: each package repository's environment ${stack} holds the stack's outputs`, () => {
      const refs = recorder
        .ofType(REF_POLICY)
        .filter((p) => p.inputs.repository === "acme-utils" && p.inputs.environment === stack)
        .map((p) => p.inputs.branchPattern ?? `tag:${p.inputs.tagPattern}`);
      expect(refs).to.deep.equal({ dev: [], staging: ["main"], prod: ["tag:v*"] }[stack]);
      for (const repository of ["acme-utils", "acme-models"]) {
        const variables = recorder
          .ofType(ENV_VARIABLE)
          .filter((v) => v.inputs.repository === repository && v.inputs.environment === stack);
        expect(
          Object.fromEntries(variables.map((v) => [v.inputs.variableName, v.inputs.value])),
        ).to.deep.equal({
          AWS_REGION: "eu-west-1",
          AWS_ROLE_ARN: `arn:aws:iam::123456789012:role/ppi-${stack}-publisher`,
          PACKAGE_INDEX_BUCKET: `ppi-${stack}-index-20260101000000000000000001`,
          PACKAGE_INDEX_URL: `https://${stack}.pypi.example.com/simple/`,
          CODEARTIFACT_DOMAIN: `ppi-${stack}`,
          CODEARTIFACT_DOMAIN_OWNER: "123456789012",
          CODEARTIFACT_REPOSITORY: "packages",
        });
      }
    });
  }

  it("prod: the deploy environment waits for the configured team, without self-review", () => {
    expect(recorder.one(ENVIRONMENT, "ppi-prod-github-prod").inputs).to.deep.include({
      reviewers: [{ users: [], teams: [4567890] }],
      preventSelfReview: true,
    });
    for (const stack of ["dev", "staging"])
      expect(recorder.one(ENVIRONMENT, `ppi-${stack}-github-${stack}`).inputs).to.not.have.property(
        "reviewers",
      );
  });

  it("leaves out the CodeArtifact variables of a stack that exports no CodeArtifact outputs", async () => {
    const mocked = setupMocks({ project: DELIVERY_PROJECT, stack: "delivery" });
    const infra = new pulumi.StackReference("acme/python-package-index/dev-no-codeartifact");
    await stackRepositorySettings(
      "dev",
      infra,
      parseDeliveryConfig((key) => stackConfig()[`${DELIVERY_PROJECT}:${key}`]).config,
    );
    await settle();
    const names = new Set(mocked.ofType(ENV_VARIABLE).map((v) => v.inputs.variableName));
    expect([...names]).to.deep.equal([
      "AWS_REGION",
      "AWS_ROLE_ARN",
      "PACKAGE_INDEX_BUCKET",
      "PACKAGE_INDEX_URL",
    ]);
  });

  it("manages no GitHub settings without githubRepositorySettings (and then takes no refs or reviewers)", async () => {
    const config = {
      ...stackConfig(),
      [`${DELIVERY_PROJECT}:githubRepositorySettings`]: "false",
      [`${DELIVERY_PROJECT}:publisherEnvironmentRefs`]: "[]",
      [`${DELIVERY_PROJECT}:requiredReviewers`]: "[]",
    };
    const other = await runDeliveryProgram(config);
    expect(other.resources.filter((r) => r.type.startsWith("github:"))).to.deep.equal([]);
    expect(other.ofType("pulumiservice:index:DeploymentSettings")).to.have.length(3);
  });

  it("skips the issuer when the org registers GitHub elsewhere", async () => {
    const config = { ...stackConfig(), [`${DELIVERY_PROJECT}:githubTokenExchange`]: "false" };
    const other = await runDeliveryProgram(config);
    expect(other.ofType("pulumiservice:index:OidcIssuer")).to.have.length(0);
    expect(other.ofType("pulumiservice:index:Team")).to.have.length(0);
    expect(other.ofType("pulumiservice:index:DeploymentSettings")).to.have.length(3);
  });
});

describe("delivery: deployments config and components", () => {
  const valid: Record<string, string> = {
    pulumiOrganization: "acme",
    infraRepository: "acme/python-package-index",
    executorImage: "pulumi/pulumi-nodejs-22:3.270.0",
  };
  const source = (values: Record<string, string>) => (key: string) => values[key];

  it("reads the stack file with its defaults", () => {
    expect(parseDeliveryConfig(source(valid)).config).to.deep.equal({
      ...valid,
      infraProject: "python-package-index",
      deployerSessionSeconds: 3600,
      previewPullRequests: false,
      githubTokenExchange: true,
      githubRepositorySettings: false,
      publisherEnvironmentRefs: Object.fromEntries(
        DEPLOY_STACKS.map((stack) => [stack, { branchPatterns: [], tagPatterns: [] }]),
      ),
      requiredReviewers: Object.fromEntries(DEPLOY_STACKS.map((stack) => [stack, { users: [], teams: [] }])),
    });
  });

  it("groups environment refs and reviewers per stack", () => {
    const config = parseDeliveryConfig(
      source({
        ...valid,
        githubRepositorySettings: "true",
        publisherEnvironmentRefs: '["staging:branch:main","prod:tag:v*","prod:branch:release/*"]',
        requiredReviewers: '["prod:team:42","prod:user:7","staging:user:8"]',
      }),
    ).config;
    expect(config.publisherEnvironmentRefs).to.deep.equal({
      dev: { branchPatterns: [], tagPatterns: [] },
      staging: { branchPatterns: ["main"], tagPatterns: [] },
      prod: { branchPatterns: ["release/*"], tagPatterns: ["v*"] },
    });
    expect(config.requiredReviewers).to.deep.equal({
      dev: { users: [], teams: [] },
      staging: { users: [8], teams: [] },
      prod: { users: [7], teams: [42] },
    });
  });

  const INVALID: ReadonlyArray<[string, Record<string, string>, RegExp]> = [
    ["a missing organization", { ...valid, pulumiOrganization: "" }, /pulumiOrganization is required/],
    [
      "a repository without org",
      { ...valid, infraRepository: "python-package-index" },
      /infraRepository .*org\/repo/,
    ],
    ["an untagged executor image", { ...valid, executorImage: "pulumi/pulumi-nodejs-22" }, /explicit tag/],
    ["a session over one hour", { ...valid, deployerSessionSeconds: "7200" }, /from 900 to 3600/],
    [
      "an environment ref without its stack, an unknown stack or a bare wildcard",
      {
        ...valid,
        githubRepositorySettings: "true",
        publisherEnvironmentRefs: '["branch:main","qa:branch:main","prod:tag:*"]',
      },
      /publisherEnvironmentRefs\[0\] is "branch:main"; expected <stack>:branch:<glob>[^]*publisherEnvironmentRefs\[1\][^]*publisherEnvironmentRefs\[2\] is "prod:tag:\*"/,
    ],
    [
      "a reviewer by login instead of numeric id",
      { ...valid, githubRepositorySettings: "true", requiredReviewers: '["prod:user:octocat"]' },
      /requiredReviewers\[0\] is "prod:user:octocat"; expected <stack>:user:<numeric id>/,
    ],
    [
      "seven reviewers for one stack",
      {
        ...valid,
        githubRepositorySettings: "true",
        requiredReviewers: JSON.stringify([1, 2, 3, 4, 5, 6, 7].map((id) => `prod:user:${id}`)),
      },
      /requiredReviewers lists 7 reviewers for prod; GitHub allows at most 6/,
    ],
    [
      "refs and reviewers without repository settings",
      { ...valid, publisherEnvironmentRefs: '["prod:tag:v*"]', requiredReviewers: '["prod:team:42"]' },
      /publisherEnvironmentRefs is set but [^ ]*:githubRepositorySettings is false[^]*requiredReviewers is set but/,
    ],
  ];
  it("declares exactly the keys it reads in deployments/Pulumi.yaml, with the same types and defaults", () => {
    const declared = parse(fs.readFileSync(path.join(PROGRAM_DIR, "Pulumi.yaml"), "utf8")).config;
    const read = parseDeliveryConfig(source(valid)).reader.keysRead;
    expect(Object.keys(declared).sort()).to.deep.equal(read.map((use) => use.key).sort());
    for (const use of read) {
      expect(declared[use.key].type, use.key).to.equal(use.type);
      expect(declared[use.key].default, use.key).to.deep.equal(use.default);
      expect(declared[use.key].description, use.key).to.be.a("string");
    }
  });

  for (const [what, values, message] of INVALID) {
    it(`refuses ${what}`, () => {
      expect(() => parseDeliveryConfig(source(values))).to.throw(message);
    });
  }

  it("formats session durations as Pulumi Deployments expects", () => {
    expect([3600, 900, 3599].map(sessionDuration)).to.deep.equal(["1h0m0s", "0h15m0s", "0h59m59s"]);
  });

  it("validates component args before registering anything", async () => {
    const recorder = setupMocks({ project: DELIVERY_PROJECT, stack: "delivery" });
    const base = {
      organization: "acme",
      project: "p",
      stack: "dev" as const,
      repository: "a/b",
      deployerRoleArn: "arn",
    };
    expect(() => new StackDeployment("x", { ...base, executorImage: "i:1", sessionSeconds: 7200 })).to.throw(
      /sessionSeconds is 7200; expected a whole number from 900 to 3600/,
    );
    const exchange = { organization: "acme", project: "p", repository: "a/b", stacks: ["prod" as const] };
    expect(() => new GithubTokenExchange("y", { ...exchange, stacks: [] })).to.throw(/stacks is empty/);
    expect(() => new GithubTokenExchange("z", { ...exchange, repository: "*" })).to.throw(
      /repository is "\*"; expected org\/repo/,
    );
    expect(() => new GithubTokenExchange("w", { ...exchange, maxTokenSeconds: 86400 })).to.throw(
      /expected 300 to 7200/,
    );
    await settle();
    expect(recorder.resources).to.deep.equal([]);
  });
});
