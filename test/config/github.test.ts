import { expect } from "chai";
import { readGithubConfig } from "../../config/github";
import { ConfigError } from "../../config/reader";
import { stackConfigReader } from "../../config/schema";

const valid: Record<string, string> = {
  githubOidc: "true",
  githubOrg: "acme",
  infraRepository: "acme/python-package-index",
  packageRepositories: '["acme/lib-a"]',
  publisherTenants: '["acme"]',
  deployerTrust: '["environment:prod"]',
  publisherTrust: '["environment:prod"]',
  pulumiDeployments: "true",
  pulumiOrganization: "acme",
};

function read(values: Record<string, string | undefined>) {
  const reader = stackConfigReader((key) => values[key]);
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
    });
  });

  it("lets only Pulumi Deployments assume the deployer when deployerTrust is empty", () => {
    const config = read({ ...valid, deployerTrust: undefined });
    expect(config?.deployerTrust).to.deep.equal([]);
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
  ];
  for (const [title, values, expected] of cases) {
    it(`rejects ${title}`, () => {
      expect(problems(values)).to.deep.equal(expected);
    });
  }
});
