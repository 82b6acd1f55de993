/**
 * Configuration of the delivery program (`deployments/`): pure validation over a ConfigSource, and
 * the one place this program reads `pulumi.Config`.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigReader, ConfigSource } from "../config/reader";
import { DELIVERY_CONFIG, DELIVERY_PROJECT, ENVIRONMENT_REF, REVIEWER } from "./configSchema";
import { DEPLOY_STACKS, DeployStack } from "../domain/delivery";

export { DELIVERY_PROJECT } from "./configSchema";

type DeliveryConfigReader = ConfigReader<typeof DELIVERY_CONFIG>;

export interface DeliveryConfig {
  /** Pulumi Cloud organization owning the infrastructure stacks. */
  readonly pulumiOrganization: string;
  /** Pulumi project of the infrastructure stacks. */
  readonly infraProject: string;
  /** GitHub repository (`org/repo`) holding the infrastructure program. */
  readonly infraRepository: string;
  /** Deployment executor image; pinned so a deploy never changes tools silently. */
  readonly executorImage: string;
  /** Seconds the deployer role session lasts (the role allows at most one hour). */
  readonly deployerSessionSeconds: number;
  /** Let Pulumi Deployments preview pull requests itself (off: preview.yml does it read-only). */
  readonly previewPullRequests: boolean;
  /** Register GitHub Actions as an OIDC issuer of the org, so workflows get short-lived tokens. */
  readonly githubTokenExchange: boolean;
  /** Manage each stack's Actions variables and GitHub environments (needs github:owner, github:token). */
  readonly githubRepositorySettings: boolean;
  /** Refs allowed in the package repositories' environment `<stack>`; none for a stack: any ref. */
  readonly publisherEnvironmentRefs: Readonly<Record<DeployStack, EnvironmentRefs>>;
  /** Who must approve a deployment in the infrastructure repository's environment `<stack>`. */
  readonly requiredReviewers: Readonly<Record<DeployStack, Reviewers>>;
}

/** Branch and tag globs (GitHub fnmatch) admitted by an environment's deployment policies. */
export interface EnvironmentRefs {
  readonly branchPatterns: readonly string[];
  readonly tagPatterns: readonly string[];
}

/** Numeric GitHub ids of users and teams. */
export interface Reviewers {
  readonly users: readonly number[];
  readonly teams: readonly number[];
}

/** GitHub's limit of required reviewers per environment. */
const MAX_REVIEWERS = 6;

/** Builds one value per deployed stack. */
function perStack<T>(make: (stack: DeployStack) => T): Record<DeployStack, T> {
  return Object.fromEntries(DEPLOY_STACKS.map((stack) => [stack, make(stack)])) as Record<DeployStack, T>;
}

/** The `<value>`s of the `<stack>:<kind>:<value>` entries matching `pattern` for one stack and kind. */
function valuesOf(entries: readonly string[], pattern: RegExp, stack: DeployStack, kind: string): string[] {
  return entries.flatMap((entry) => {
    const match = pattern.exec(entry);
    return match && match[1] === stack && match[2] === kind ? [match[3]] : [];
  });
}

function readRepositorySettings(
  reader: DeliveryConfigReader,
): Pick<DeliveryConfig, "githubRepositorySettings" | "publisherEnvironmentRefs" | "requiredReviewers"> {
  const name = (key: keyof typeof DELIVERY_CONFIG) => reader.keyName(key);
  const enabled = reader.get("githubRepositorySettings");
  const refEntries = reader.get("publisherEnvironmentRefs");
  const reviewerEntries = reader.get("requiredReviewers");
  const reviewers = perStack((stack) => ({
    users: valuesOf(reviewerEntries, REVIEWER, stack, "user").map(Number),
    teams: valuesOf(reviewerEntries, REVIEWER, stack, "team").map(Number),
  }));
  for (const [key, entries] of [
    ["publisherEnvironmentRefs", refEntries],
    ["requiredReviewers", reviewerEntries],
  ] as const) {
    if (entries.length > 0 && !enabled)
      reader.fail(
        `${name(key)} is set but ${name("githubRepositorySettings")} is false; set it to true or remove them.`,
      );
  }
  for (const stack of DEPLOY_STACKS) {
    const count = reviewers[stack].users.length + reviewers[stack].teams.length;
    if (count > MAX_REVIEWERS)
      reader.fail(
        `${name("requiredReviewers")} lists ${count} reviewers for ${stack}; GitHub allows at most ${MAX_REVIEWERS}.`,
      );
  }
  return {
    githubRepositorySettings: enabled,
    publisherEnvironmentRefs: perStack((stack) => ({
      branchPatterns: valuesOf(refEntries, ENVIRONMENT_REF, stack, "branch"),
      tagPatterns: valuesOf(refEntries, ENVIRONMENT_REF, stack, "tag"),
    })),
    requiredReviewers: reviewers,
  };
}

/** Validates raw values; also returns the reader (its `keysRead` shows that no key is dead). */
export function parseDeliveryConfig(source: ConfigSource): {
  config: DeliveryConfig;
  reader: DeliveryConfigReader;
} {
  const reader = new ConfigReader(source, DELIVERY_CONFIG, DELIVERY_PROJECT);
  const config: DeliveryConfig = {
    pulumiOrganization: reader.get("pulumiOrganization"),
    infraProject: reader.get("infraProject"),
    infraRepository: reader.get("infraRepository"),
    executorImage: reader.get("executorImage"),
    deployerSessionSeconds: reader.get("deployerSessionSeconds"),
    previewPullRequests: reader.get("previewPullRequests"),
    githubTokenExchange: reader.get("githubTokenExchange"),
    ...readRepositorySettings(reader),
  };
  reader.finish();
  return { config, reader };
}

export function loadDeliveryConfig(): DeliveryConfig {
  const config = new pulumi.Config();
  return parseDeliveryConfig((key) => config.get(key)).config;
}
