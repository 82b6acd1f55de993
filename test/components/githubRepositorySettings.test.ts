import { expect } from "chai";
import {
  GithubRepositorySettings,
  GithubRepositorySettingsArgs,
  previewerRoleVariableName,
} from "../../components/githubRepositorySettings";
import { expectRefusedBeforeRegistering, settle, setupMocks } from "../mocks";

const ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment";
const REF_POLICY = "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy";
const VARIABLE = "github:index/actionsVariable:ActionsVariable";
const ENV_VARIABLE = "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable";

const base: GithubRepositorySettingsArgs = {
  stack: "prod",
  infraRepository: "acme/python-package-index",
  previewerRoleArn: "arn:aws:iam::123456789012:role/ppi-prod-previewer",
};

describe("GithubRepositorySettings", () => {
  it("sets only the previewer role ARN as a repository variable (no GitHub job assumes the deployer)", async () => {
    const recorder = await setupMocks();
    const settings = new GithubRepositorySettings("github", base);
    await settle();
    expect(settings.previewerVariableName).to.equal("AWS_PREVIEWER_ROLE_ARN_PROD");
    expect(recorder.ofType(VARIABLE).map((v) => v.inputs)).to.deep.equal([
      {
        repository: "python-package-index",
        variableName: "AWS_PREVIEWER_ROLE_ARN_PROD",
        value: base.previewerRoleArn,
      },
    ]);
    expect(recorder.ofType(ENVIRONMENT)).to.deep.equal([]);
  });

  it("creates the deploy environment with reviewers, no admin bypass and the allowed tags", async () => {
    const recorder = await setupMocks();
    new GithubRepositorySettings("github", {
      ...base,
      deployEnvironment: {
        name: "prod",
        tagPatterns: ["python-package-index@v*"],
        reviewers: { teams: [42], users: [7] },
      },
    });
    await settle();
    expect(recorder.one(ENVIRONMENT).inputs).to.deep.equal({
      repository: "python-package-index",
      environment: "prod",
      reviewers: [{ users: [7], teams: [42] }],
      preventSelfReview: true,
      canAdminsBypass: false,
      deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
    });
    expect(recorder.one(REF_POLICY).inputs).to.deep.equal({
      repository: "python-package-index",
      environment: "prod",
      tagPattern: "python-package-index@v*",
    });
  });

  it("puts the publishing variables in each package repository's environment for the stack", async () => {
    const recorder = await setupMocks();
    new GithubRepositorySettings("github", {
      ...base,
      packageRepositories: ["acme/lib-a", "acme/lib-b"],
      packageEnvironment: { name: "prod", branchPatterns: ["main"] },
      packageVariables: {
        AWS_REGION: "eu-west-1",
        AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/ppi-prod-publisher",
        PACKAGE_INDEX_BUCKET: "ppi-prod-index-abc",
        PACKAGE_INDEX_URL: "https://pypi.example.com/simple/",
        CODEARTIFACT_DOMAIN: "ppi-prod",
        CODEARTIFACT_DOMAIN_OWNER: "123456789012",
        CODEARTIFACT_REPOSITORY: "packages",
      },
    });
    await settle();
    expect(
      recorder.ofType(ENVIRONMENT).map((e) => [e.inputs.repository, e.inputs.environment]),
    ).to.deep.equal([
      ["lib-a", "prod"],
      ["lib-b", "prod"],
    ]);
    expect(recorder.ofType(REF_POLICY).map((p) => p.inputs)).to.deep.equal([
      { repository: "lib-a", environment: "prod", branchPattern: "main" },
      { repository: "lib-b", environment: "prod", branchPattern: "main" },
    ]);
    const libA = recorder.ofType(ENV_VARIABLE).filter((v) => v.inputs.repository === "lib-a");
    expect(Object.fromEntries(libA.map((v) => [v.inputs.variableName, v.inputs.value]))).to.deep.equal({
      AWS_REGION: "eu-west-1",
      AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/ppi-prod-publisher",
      PACKAGE_INDEX_BUCKET: "ppi-prod-index-abc",
      PACKAGE_INDEX_URL: "https://pypi.example.com/simple/",
      CODEARTIFACT_DOMAIN: "ppi-prod",
      CODEARTIFACT_DOMAIN_OWNER: "123456789012",
      CODEARTIFACT_REPOSITORY: "packages",
    });
    expect(libA.every((v) => v.inputs.environment === "prod")).to.equal(true);
  });

  it("leaves out CodeArtifact variables when the stack has no CodeArtifact", async () => {
    const recorder = await setupMocks();
    new GithubRepositorySettings("github", {
      ...base,
      packageRepositories: ["acme/lib-a"],
      packageEnvironment: { name: "dev" },
      packageVariables: {
        AWS_REGION: "eu-west-1",
        AWS_ROLE_ARN: "r",
        PACKAGE_INDEX_BUCKET: "b",
        PACKAGE_INDEX_URL: "u",
      },
    });
    await settle();
    expect(recorder.ofType(ENV_VARIABLE).map((v) => v.inputs.variableName)).to.deep.equal([
      "AWS_REGION",
      "AWS_ROLE_ARN",
      "PACKAGE_INDEX_BUCKET",
      "PACKAGE_INDEX_URL",
    ]);
    expect(recorder.one(ENVIRONMENT).inputs).to.not.have.property("deploymentBranchPolicy");
  });

  const invalid: [string, Partial<GithubRepositorySettingsArgs>, string][] = [
    [
      "a repository without owner",
      { infraRepository: "python-package-index" },
      '"python-package-index" is not an owner/repository name.',
    ],
    [
      "package repositories without variables",
      { packageRepositories: ["acme/lib-a"] },
      "packageRepositories need packageEnvironment and packageVariables.",
    ],
    [
      "an environment name with a space",
      { deployEnvironment: { name: "pro d" } },
      'environment "pro d" must be 1-255 letters, digits, dots, dashes or underscores.',
    ],
    [
      "seven reviewers",
      { deployEnvironment: { name: "prod", reviewers: { users: [1, 2, 3, 4], teams: [5, 6, 7] } } },
      "7 reviewers; GitHub allows at most 6 per environment.",
    ],
  ];
  for (const [title, args, message] of invalid) {
    it(`rejects ${title} before registering anything`, () =>
      expectRefusedBeforeRegistering(
        () => new GithubRepositorySettings("github", { ...base, ...args }),
        `GithubRepositorySettings github: ${message}`,
      ));
  }

  it("names the previewer variable after the stack", () => {
    expect(previewerRoleVariableName("eu-prod")).to.equal("AWS_PREVIEWER_ROLE_ARN_EU_PROD");
  });

  it("limits the dev environment to main, without reviewers", async () => {
    const recorder = await setupMocks();
    new GithubRepositorySettings("github", {
      ...base,
      stack: "dev",
      deployEnvironment: { name: "dev", branchPatterns: ["main"] },
    });
    await settle();
    expect(recorder.one(ENVIRONMENT).inputs).to.deep.equal({
      repository: "python-package-index",
      environment: "dev",
      canAdminsBypass: false,
      deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
    });
    expect(recorder.one(REF_POLICY).inputs).to.deep.equal({
      repository: "python-package-index",
      environment: "dev",
      branchPattern: "main",
    });
  });
});
