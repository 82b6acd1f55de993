import { expect } from "chai";
import { readGithubConfig } from "../../config/github";
import { ConfigError, ConfigReader } from "../../config/reader";

const valid: Record<string, string> = {
  githubOidc: "true",
  githubOrg: "acme",
  infraRepository: "acme/python-package-index",
  packageRepositories: '["acme/lib-a"]',
  publisherTenants: '["acme"]',
  deployerTrust: '["environment:prod"]',
  deployEnvironmentRefs: '["tag:python-package-index@v[0-9]*"]',
  publisherTrust: '["environment:prod"]',
  publisherEnvironmentRefs: '["tag:v*","branch:release/*"]',
  pulumiDeployments: "true",
  pulumiOrganization: "acme",
  githubRepositorySettings: "true",
  requiredReviewers: '["team:42","user:7"]',
};

function read(values: Record<string, string | undefined>) {
  const reader = new ConfigReader((key) => values[key]);
  const config = readGithubConfig(reader, "prod");
  reader.finish();
  return config;
}

function problems(values: Record<string, string | undefined>): readonly string[] {
  try {
    read(values);
  } catch (error) {
    return (error as ConfigError).problems;
  }
  return [];
}

describe("config: GitHub OIDC and CI roles", () => {
  it("is off by default and reads nothing else into the config", () => {
    expect(read({})).to.equal(undefined);
  });

  it("parses a complete production section", () => {
    expect(read(valid)).to.deep.equal({
      organization: "acme",
      infraRepository: "acme/python-package-index",
      packageRepositories: ["acme/lib-a"],
      publisherTenants: ["acme"],
      oidcProvider: { mode: "create" },
      deployerTrust: [{ kind: "environment", name: "prod" }],
      publisherTrust: [{ kind: "environment", name: "prod" }],
      pulumiOrganization: "acme",
      repositorySettings: true,
      requiredReviewers: { users: [7], teams: [42] },
      deployEnvironment: {
        name: "prod",
        branchPatterns: [],
        tagPatterns: ["python-package-index@v[0-9]*"],
        reviewers: { users: [7], teams: [42] },
      },
      packageEnvironment: { name: "prod", branchPatterns: ["release/*"], tagPatterns: ["v*"] },
    });
  });

  it("lets only Pulumi Deployments assume the deployer when deployerTrust is empty", () => {
    const config = read({ ...valid, deployerTrust: undefined });
    expect(config?.deployerTrust).to.deep.equal([]);
    expect(config?.deployEnvironment?.name).to.equal("prod");
  });

  it("manages no environment without repository settings", () => {
    const config = read({
      ...valid,
      githubRepositorySettings: "false",
      requiredReviewers: undefined,
      deployEnvironmentRefs: undefined,
      publisherEnvironmentRefs: undefined,
    });
    expect(config).to.not.have.property("deployEnvironment");
    expect(config).to.not.have.property("packageEnvironment");
  });

  it("reads both ARNs in arn mode", () => {
    const config = read({
      ...valid,
      oidcProviderMode: "arn",
      oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
      pulumiOidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc",
    });
    expect(config?.oidcProvider).to.deep.equal({
      mode: "arn",
      githubProviderArn: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
      pulumiProviderArn: "arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc",
    });
  });

  const P = "python-package-index";
  const onlyOwnEnvironment = (key: string, entry: string) =>
    `${P}:${key}: "${entry}" is not allowed; list only "environment:prod" (a branch, tag or pull_request subject skips the environment's ref rules and reviewers).`;
  const cases: [string, Record<string, string | undefined>, string[]][] = [
    [
      "missing organization and repository",
      { githubOidc: "true", pulumiDeployments: "true", pulumiOrganization: "acme" },
      [
        `${P}:githubOidc is true but ${P}:githubOrg is not set; set the GitHub organization.`,
        `${P}:githubOidc is true but ${P}:infraRepository is not set; set it to owner/repository of this program.`,
      ],
    ],
    [
      "a repository of another organization",
      { ...valid, packageRepositories: '["evil/lib-a"]' },
      [`${P}:packageRepositories lists "evil/lib-a", which is not in ${P}:githubOrg "acme".`],
    ],
    [
      "pull_request in deployerTrust",
      { ...valid, deployerTrust: '["pull_request","environment:prod"]' },
      [onlyOwnEnvironment("deployerTrust", "pull_request")],
    ],
    [
      "a release tag in deployerTrust (a job naming no environment would deploy prod)",
      { ...valid, deployerTrust: '["tag:python-package-index@v*","environment:prod"]' },
      [onlyOwnEnvironment("deployerTrust", "tag:python-package-index@v*")],
    ],
    [
      "another stack's environment in deployerTrust",
      { ...valid, deployerTrust: '["environment:staging"]' },
      [onlyOwnEnvironment("deployerTrust", "environment:staging")],
    ],
    [
      "main in publisherTrust",
      { ...valid, publisherTrust: '["environment:prod","branch:main"]' },
      [onlyOwnEnvironment("publisherTrust", "branch:main")],
    ],
    [
      "an unknown trust kind",
      { ...valid, deployerTrust: '["repo:acme/x:*"]' },
      [
        `${P}:deployerTrust: "repo:acme/x:*" is not one of branch:<glob>, tag:<glob>, environment:<name>, pull_request (branch and tag may start with "!" to exclude).`,
      ],
    ],
    [
      "no deployer trust and no Pulumi Deployments",
      { ...valid, deployerTrust: undefined, pulumiDeployments: "false" },
      [
        `${P}:deployerTrust is empty and ${P}:pulumiDeployments is false, so nothing may assume the deployer; set ${P}:pulumiDeployments to true (deploys run through Pulumi Deployments) or ${P}:deployerTrust to ["environment:prod"].`,
      ],
    ],
    [
      "a managed deploy environment that any branch could use",
      { ...valid, deployEnvironmentRefs: undefined },
      [
        `${P}:githubRepositorySettings manages the environment "prod" of ${P}:infraRepository, but ${P}:deployEnvironmentRefs is empty, so any branch could use it; list the refs that deploy prod (deployments/tagRoutes.ts), e.g. ["branch:main"].`,
      ],
    ],
    [
      "an exclusion or a bare wildcard in an environment's refs",
      { ...valid, deployEnvironmentRefs: '["tag:python-package-index@v*","!tag:*-rc*","branch:*"]' },
      [
        `${P}:deployEnvironmentRefs[1] is "!tag:*-rc*"; expected branch:<glob> or tag:<glob> (GitHub fnmatch: * ? [0-9], at least one literal character; environments cannot exclude refs).`,
        `${P}:deployEnvironmentRefs[2] is "branch:*"; expected branch:<glob> or tag:<glob> (GitHub fnmatch: * ? [0-9], at least one literal character; environments cannot exclude refs).`,
      ],
    ],
    [
      "environment refs without repository settings",
      { ...valid, githubRepositorySettings: "false", requiredReviewers: undefined },
      [
        `${P}:deployEnvironmentRefs is set but no environment is managed; set ${P}:githubRepositorySettings to true (and ${P}:packageRepositories for the publisher) or remove it.`,
        `${P}:publisherEnvironmentRefs is set but no environment is managed; set ${P}:githubRepositorySettings to true (and ${P}:packageRepositories for the publisher) or remove it.`,
      ],
    ],
    [
      "arn mode without ARNs",
      { ...valid, oidcProviderMode: "arn" },
      [
        `${P}:oidcProviderMode is "arn" but ${P}:oidcProviderArn is not set; set the ARN of the account's GitHub OIDC provider.`,
        `${P}:oidcProviderMode is "arn" and Pulumi Deployments are trusted, but ${P}:pulumiOidcProviderArn is not set.`,
      ],
    ],
    [
      "an ARN outside arn mode",
      {
        ...valid,
        oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
      },
      [
        `${P}:oidcProviderArn is set but ${P}:oidcProviderMode is "create"; set the mode to "arn" or remove the ARN.`,
      ],
    ],
    [
      "package repositories without tenants",
      { ...valid, publisherTenants: undefined },
      [
        `${P}:packageRepositories is set but ${P}:publisherTenants is empty; list the tenants CI may publish.`,
      ],
    ],
    [
      "package repositories without a publisher trust",
      { ...valid, publisherTrust: undefined },
      [`${P}:publisherTrust is empty; set it to ["environment:prod"].`],
    ],
    [
      "Pulumi Deployments without an organization",
      { ...valid, pulumiOrganization: undefined },
      [`${P}:pulumiDeployments is true but ${P}:pulumiOrganization is not set; set the Pulumi organization.`],
    ],
    [
      "reviewers without a managed environment",
      {
        ...valid,
        githubRepositorySettings: "false",
        deployEnvironmentRefs: undefined,
        publisherEnvironmentRefs: undefined,
      },
      [
        `${P}:requiredReviewers protect the environment "prod" that ${P}:githubRepositorySettings manages; set it to true.`,
      ],
    ],
  ];
  for (const [title, values, expected] of cases) {
    it(`rejects ${title}`, () => {
      expect(problems(values)).to.deep.equal(expected);
    });
  }
});
