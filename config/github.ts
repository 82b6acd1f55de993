import { GithubJobMatch, parseGithubJobMatch } from "../domain/github";
import { StackConfigReader } from "./schema";

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

/**
 * A role's GitHub trust: only `environment:<stack>`. Jobs in that environment passed its ref rules
 * and reviewers; a branch or tag subject is presented by any job on that ref that names no
 * environment, so trusting one would bypass them.
 */
function readEnvironmentTrust(
  reader: StackConfigReader,
  key: "deployerTrust" | "publisherTrust",
  stack: string,
): GithubJobMatch[] {
  return reader.get(key).flatMap((entry) => {
    const parsed = parseGithubJobMatch(entry);
    if (typeof parsed === "string") {
      reader.fail(`${reader.keyName(key)}: ${parsed}`);
      return [];
    }
    if (parsed.kind !== "environment" || parsed.name !== stack) {
      reader.fail(
        `${reader.keyName(key)}: ${JSON.stringify(entry)} is not allowed; list only "environment:${stack}" (a branch, tag or pull_request subject skips the environment's ref rules and reviewers).`,
      );
      return [];
    }
    return [parsed];
  });
}

function readOidcProvider(reader: StackConfigReader, pulumiDeployments: boolean): OidcProviderSource {
  const mode = reader.get("oidcProviderMode");
  const githubProviderArn = reader.get("oidcProviderArn");
  const pulumiProviderArn = reader.get("pulumiOidcProviderArn");
  if (mode !== "arn") {
    for (const [key, value] of [
      ["oidcProviderArn", githubProviderArn],
      ["pulumiOidcProviderArn", pulumiProviderArn],
    ] as const) {
      if (value)
        reader.fail(
          `${reader.keyName(key)} is set but ${reader.keyName("oidcProviderMode")} is "${mode}"; set the mode to "arn" or remove the ARN.`,
        );
    }
    return { mode };
  }
  if (!githubProviderArn) {
    reader.fail(
      `${reader.keyName("oidcProviderMode")} is "arn" but ${reader.keyName("oidcProviderArn")} is not set; set the ARN of the account's GitHub OIDC provider.`,
    );
  }
  if (pulumiDeployments && !pulumiProviderArn) {
    reader.fail(
      `${reader.keyName("oidcProviderMode")} is "arn" and Pulumi Deployments are trusted, but ${reader.keyName("pulumiOidcProviderArn")} is not set.`,
    );
  }
  return {
    mode: "arn",
    githubProviderArn: githubProviderArn ?? "",
    ...(pulumiProviderArn ? { pulumiProviderArn } : {}),
  };
}

function checkOwner(
  reader: StackConfigReader,
  key: "infraRepository" | "packageRepositories",
  repositories: readonly string[],
  organization: string,
): void {
  for (const repository of repositories) {
    if (organization && repository.split("/")[0] !== organization) {
      reader.fail(
        `${reader.keyName(key)} lists ${JSON.stringify(repository)}, which is not in ${reader.keyName("githubOrg")} ${JSON.stringify(organization)}.`,
      );
    }
  }
}

/**
 * Reads the section for `stack` (roles trust only `environment:<stack>`); undefined when `githubOidc`
 * is off (every key is still read, so an invalid one fails before the section is turned on).
 */
export function readGithubConfig(reader: StackConfigReader, stack: string): GithubConfig | undefined {
  const enabled = reader.get("githubOidc");
  const organization = reader.get("githubOrg");
  const infraRepository = reader.get("infraRepository");
  const packageRepositories = reader.get("packageRepositories");
  const publisherTenants = reader.get("publisherTenants");
  const pulumiDeployments = reader.get("pulumiDeployments");
  const pulumiOrganization = reader.get("pulumiOrganization");
  const oidcProvider = readOidcProvider(reader, pulumiDeployments);
  const deployerTrust = readEnvironmentTrust(reader, "deployerTrust", stack);
  const publisherTrust = readEnvironmentTrust(reader, "publisherTrust", stack);
  if (!enabled) return undefined;

  if (!organization)
    reader.fail(
      `${reader.keyName("githubOidc")} is true but ${reader.keyName("githubOrg")} is not set; set the GitHub organization.`,
    );
  if (!infraRepository) {
    reader.fail(
      `${reader.keyName("githubOidc")} is true but ${reader.keyName("infraRepository")} is not set; set it to owner/repository of this program.`,
    );
  }
  checkOwner(reader, "infraRepository", infraRepository ? [infraRepository] : [], organization ?? "");
  checkOwner(reader, "packageRepositories", packageRepositories, organization ?? "");
  if (deployerTrust.length === 0 && !pulumiDeployments) {
    reader.fail(
      `${reader.keyName("deployerTrust")} is empty and ${reader.keyName("pulumiDeployments")} is false, so nothing may assume the deployer; set ${reader.keyName("pulumiDeployments")} to true (deploys run through Pulumi Deployments) or ${reader.keyName("deployerTrust")} to ["environment:${stack}"].`,
    );
  }
  if (packageRepositories.length > 0) {
    if (publisherTenants.length === 0) {
      reader.fail(
        `${reader.keyName("packageRepositories")} is set but ${reader.keyName("publisherTenants")} is empty; list the tenants CI may publish.`,
      );
    }
    if (publisherTrust.length === 0)
      reader.fail(`${reader.keyName("publisherTrust")} is empty; set it to ["environment:${stack}"].`);
  } else if (publisherTenants.length > 0 || publisherTrust.length > 0) {
    reader.fail(
      `${reader.keyName("publisherTenants")}/${reader.keyName("publisherTrust")} are set but ${reader.keyName("packageRepositories")} is empty; list the repositories that publish.`,
    );
  }
  if (pulumiDeployments && !pulumiOrganization) {
    reader.fail(
      `${reader.keyName("pulumiDeployments")} is true but ${reader.keyName("pulumiOrganization")} is not set; set the Pulumi organization.`,
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
