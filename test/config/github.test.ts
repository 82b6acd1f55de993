import { expect } from "chai";
import { readGithubConfig } from "../../config/github";
import { ConfigError, ConfigReader } from "../../config/reader";

const valid: Record<string, string> = {
  githubOidc: "true",
  githubOrg: "acme",
  infraRepository: "acme/python-package-index",
  packageRepositories: '["acme/lib-a"]',
  publisherTenants: '["acme"]',
  deployerTrust: '["tag:python-package-index@v*","!tag:python-package-index@v*-staging","environment:prod"]',
  publisherTrust: '["environment:prod"]',
  pulumiDeployments: "true",
  pulumiOrganization: "acme",
  githubRepositorySettings: "true",
  requiredReviewers: '["team:42","user:7"]',
};

function read(values: Record<string, string | undefined>) {
  const reader = new ConfigReader((key) => values[key]);
  const config = readGithubConfig(reader);
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
      deployerTrust: [
        { kind: "tag", pattern: "python-package-index@v*", exclude: false },
        { kind: "tag", pattern: "python-package-index@v*-staging", exclude: true },
        { kind: "environment", name: "prod" },
      ],
      publisherTrust: [{ kind: "environment", name: "prod" }],
      pulumiOrganization: "acme",
      repositorySettings: true,
      requiredReviewers: { users: [7], teams: [42] },
    });
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
  const cases: [string, Record<string, string | undefined>, string[]][] = [
    [
      "missing organization and repository",
      { githubOidc: "true", deployerTrust: '["branch:main"]' },
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
      [`${P}:deployerTrust: pull_request is not allowed; only the read-only previewer trusts pull requests.`],
    ],
    [
      "a bare wildcard tag",
      { ...valid, deployerTrust: '["tag:*","environment:prod"]' },
      [
        `${P}:deployerTrust: "tag:*": a tag glob needs at least one character other than * and ?, and only letters, digits and . _ - / @ + * ?.`,
      ],
    ],
    [
      "an unknown trust kind",
      { ...valid, deployerTrust: '["repo:acme/x:*","environment:prod"]' },
      [
        `${P}:deployerTrust: "repo:acme/x:*" is not one of branch:<glob>, tag:<glob>, environment:<name>, pull_request (branch and tag may start with "!" to exclude).`,
      ],
    ],
    [
      "only exclusions",
      { ...valid, deployerTrust: '["!tag:v*"]', requiredReviewers: undefined },
      [`${P}:deployerTrust must name at least one job kind that is not an exclusion, e.g. ["branch:main"].`],
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
      "repository settings with a publisher trust naming no environment",
      { ...valid, publisherTrust: '["branch:main"]' },
      [
        `${P}:githubRepositorySettings keeps each stack's variables in a GitHub environment of the package repositories; add "environment:<stack>" to ${P}:publisherTrust.`,
      ],
    ],
    [
      "Pulumi Deployments without an organization",
      { ...valid, pulumiOrganization: undefined },
      [`${P}:pulumiDeployments is true but ${P}:pulumiOrganization is not set; set the Pulumi organization.`],
    ],
    [
      "reviewers without a deploy environment",
      { ...valid, deployerTrust: '["tag:python-package-index@v*"]' },
      [
        `${P}:requiredReviewers protect the GitHub environment named in ${P}:deployerTrust; set ${P}:githubRepositorySettings to true and add "environment:<name>" to ${P}:deployerTrust.`,
      ],
    ],
  ];
  for (const [title, values, expected] of cases) {
    it(`rejects ${title}`, () => {
      expect(problems(values)).to.deep.equal(expected);
    });
  }
});
