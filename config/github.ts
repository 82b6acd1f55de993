import {
  GITHUB_OWNER_PATTERN,
  GITHUB_REPOSITORY_PATTERN,
  GithubJobMatch,
  parseGithubJobMatch,
} from "../domain/github";
import { GITHUB_OIDC_URL, PULUMI_OIDC_URL, oidcProviderArn, oidcProviderArnPattern } from "../domain/oidc";
import { TENANT_PATTERN } from "../domain/names";
import { configKey } from "../domain/project";
import { ConfigReader } from "./reader";

/** How a stack gets the account's OIDC providers: only one stack per account may `create` them. */
export type OidcProviderSource =
  | { readonly mode: "create" }
  | { readonly mode: "lookup" }
  | { readonly mode: "arn"; readonly githubProviderArn: string; readonly pulumiProviderArn?: string };

/** GitHub Actions (and Pulumi Deployments) access to the stack through OpenID Connect. */
export interface GithubConfig {
  /** GitHub organization (or user) owning every repository below, spelled as GitHub does. */
  readonly organization: string;
  /** `org/repo` of this infrastructure program: the deployer and previewer trust its jobs. */
  readonly infraRepository: string;
  /** `org/repo` of each package repository whose CI publishes (the publisher role trusts them). */
  readonly packageRepositories: readonly string[];
  /** Tenants the publisher may write; non-empty exactly when there are package repositories. */
  readonly publisherTenants: readonly string[];
  readonly oidcProvider: OidcProviderSource;
  /**
   * GitHub jobs of the infrastructure repository that may assume the deployer besides Pulumi
   * Deployments: none, or `environment:<stack>` only (a ref subject would skip the environment).
   */
  readonly deployerTrust: readonly GithubJobMatch[];
  /** Jobs of the package repositories that may publish: `environment:<stack>` only. */
  readonly publisherTrust: readonly GithubJobMatch[];
  /** Pulumi organization whose Deployments of this stack may assume the deployer, if enabled. */
  readonly pulumiOrganization?: string;
}

const PULUMI_ORGANIZATION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/**
 * A role's GitHub trust: only `environment:<stack>`. Jobs in that environment passed its ref rules
 * and reviewers; a branch or tag subject is presented by any job on that ref that names no
 * environment, so trusting one would bypass them.
 */
function readEnvironmentTrust(reader: ConfigReader, key: string, stack: string): GithubJobMatch[] {
  return reader.stringList(key).flatMap((entry) => {
    const parsed = parseGithubJobMatch(entry);
    if (typeof parsed === "string") {
      reader.fail(`${configKey(key)}: ${parsed}`);
      return [];
    }
    if (parsed.kind !== "environment" || parsed.name !== stack) {
      reader.fail(
        `${configKey(key)}: ${JSON.stringify(entry)} is not allowed; list only "environment:${stack}" (a branch, tag or pull_request subject skips the environment's ref rules and reviewers).`,
      );
      return [];
    }
    return [parsed];
  });
}

function readOidcProvider(reader: ConfigReader, pulumiDeployments: boolean): OidcProviderSource {
  const mode = reader.string("oidcProviderMode", "create", { oneOf: ["create", "arn", "lookup"] });
  const githubProviderArn = reader.optionalString("oidcProviderArn", {
    pattern: oidcProviderArnPattern(GITHUB_OIDC_URL),
    allowed: oidcProviderArn("<account>", GITHUB_OIDC_URL),
  });
  const pulumiProviderArn = reader.optionalString("pulumiOidcProviderArn", {
    pattern: oidcProviderArnPattern(PULUMI_OIDC_URL),
    allowed: oidcProviderArn("<account>", PULUMI_OIDC_URL),
  });
  if (mode !== "arn") {
    for (const [key, value] of [
      ["oidcProviderArn", githubProviderArn],
      ["pulumiOidcProviderArn", pulumiProviderArn],
    ]) {
      if (value)
        reader.fail(
          `${configKey(key!)} is set but ${configKey("oidcProviderMode")} is "${mode}"; set the mode to "arn" or remove the ARN.`,
        );
    }
    return { mode: mode as "create" | "lookup" };
  }
  if (!githubProviderArn) {
    reader.fail(
      `${configKey("oidcProviderMode")} is "arn" but ${configKey("oidcProviderArn")} is not set; set the ARN of the account's GitHub OIDC provider.`,
    );
  }
  if (pulumiDeployments && !pulumiProviderArn) {
    reader.fail(
      `${configKey("oidcProviderMode")} is "arn" and Pulumi Deployments are trusted, but ${configKey("pulumiOidcProviderArn")} is not set.`,
    );
  }
  return {
    mode: "arn",
    githubProviderArn: githubProviderArn ?? "",
    ...(pulumiProviderArn ? { pulumiProviderArn } : {}),
  };
}

function checkOwner(
  reader: ConfigReader,
  key: string,
  repositories: readonly string[],
  organization: string,
): void {
  for (const repository of repositories) {
    if (organization && repository.split("/")[0] !== organization) {
      reader.fail(
        `${configKey(key)} lists ${JSON.stringify(repository)}, which is not in ${configKey("githubOrg")} ${JSON.stringify(organization)}.`,
      );
    }
  }
}

/**
 * Reads the section for `stack` (roles trust only `environment:<stack>`); undefined when `githubOidc`
 * is off (every key is still read, for the schema test).
 */
export function readGithubConfig(reader: ConfigReader, stack: string): GithubConfig | undefined {
  const enabled = reader.boolean("githubOidc", false);
  const repositoryRule = {
    pattern: GITHUB_REPOSITORY_PATTERN,
    allowed: "an owner/repository name such as acme/python-package-index",
  };
  const organization = reader.optionalString("githubOrg", {
    pattern: GITHUB_OWNER_PATTERN,
    allowed: "a GitHub organization or user name",
  });
  const infraRepository = reader.optionalString("infraRepository", repositoryRule);
  const packageRepositories = reader.stringList("packageRepositories", repositoryRule);
  const publisherTenants = reader.stringList("publisherTenants", {
    pattern: TENANT_PATTERN,
    allowed: "a tenant name",
  });
  const pulumiDeployments = reader.boolean("pulumiDeployments", false);
  const pulumiOrganization = reader.optionalString("pulumiOrganization", {
    pattern: PULUMI_ORGANIZATION_PATTERN,
    allowed: "a Pulumi organization name",
  });
  const oidcProvider = readOidcProvider(reader, pulumiDeployments);
  const deployerTrust = readEnvironmentTrust(reader, "deployerTrust", stack);
  const publisherTrust = readEnvironmentTrust(reader, "publisherTrust", stack);
  if (!enabled) return undefined;

  if (!organization)
    reader.fail(
      `${configKey("githubOidc")} is true but ${configKey("githubOrg")} is not set; set the GitHub organization.`,
    );
  if (!infraRepository) {
    reader.fail(
      `${configKey("githubOidc")} is true but ${configKey("infraRepository")} is not set; set it to owner/repository of this program.`,
    );
  }
  checkOwner(reader, "infraRepository", infraRepository ? [infraRepository] : [], organization ?? "");
  checkOwner(reader, "packageRepositories", packageRepositories, organization ?? "");
  if (deployerTrust.length === 0 && !pulumiDeployments) {
    reader.fail(
      `${configKey("deployerTrust")} is empty and ${configKey("pulumiDeployments")} is false, so nothing may assume the deployer; set ${configKey("pulumiDeployments")} to true (deploys run through Pulumi Deployments) or ${configKey("deployerTrust")} to ["environment:${stack}"].`,
    );
  }
  if (packageRepositories.length > 0) {
    if (publisherTenants.length === 0) {
      reader.fail(
        `${configKey("packageRepositories")} is set but ${configKey("publisherTenants")} is empty; list the tenants CI may publish.`,
      );
    }
    if (publisherTrust.length === 0)
      reader.fail(`${configKey("publisherTrust")} is empty; set it to ["environment:${stack}"].`);
  } else if (publisherTenants.length > 0 || publisherTrust.length > 0) {
    reader.fail(
      `${configKey("publisherTenants")}/${configKey("publisherTrust")} are set but ${configKey("packageRepositories")} is empty; list the repositories that publish.`,
    );
  }
  if (pulumiDeployments && !pulumiOrganization) {
    reader.fail(
      `${configKey("pulumiDeployments")} is true but ${configKey("pulumiOrganization")} is not set; set the Pulumi organization.`,
    );
  }
  return {
    organization: organization ?? "",
    infraRepository: infraRepository ?? "",
    packageRepositories,
    publisherTenants,
    oidcProvider,
    deployerTrust,
    publisherTrust,
    ...(pulumiDeployments && pulumiOrganization ? { pulumiOrganization } : {}),
  };
}
