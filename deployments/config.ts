/**
 * Configuration of the delivery program (`deployments/`): pure validation over a ConfigSource, and
 * the one place this program reads `pulumi.Config`.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigReader, ConfigSource } from "../config/reader";
import { CI_SESSION_SECONDS } from "../domain/oidc";
import { PROJECT_NAME } from "../domain/project";
import { DEPLOY_STACKS, DeployStack } from "../domain/delivery";
import { GITHUB_REPOSITORY_PATTERN } from "../domain/github";

export const DELIVERY_PROJECT = "python-package-index-deployments";

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

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const IMAGE_WITH_TAG = /^[a-z0-9./_-]+:[A-Za-z0-9._-]+$/;
const STACK_PREFIX = `(${DEPLOY_STACKS.join("|")}):`;
/** `<stack>:branch:<glob>` / `<stack>:tag:<glob>`, GitHub fnmatch (`*` stops at `/`), one literal at least. */
const ENVIRONMENT_REF = new RegExp(
  `^${STACK_PREFIX}(branch|tag):([A-Za-z0-9._\\-/@+*?[\\]]*[A-Za-z0-9._\\-/@+][A-Za-z0-9._\\-/@+*?[\\]]*)$`,
);
const REVIEWER = new RegExp(`^${STACK_PREFIX}(user|team):([1-9]\\d{0,11})$`);
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
  reader: ConfigReader,
): Pick<DeliveryConfig, "githubRepositorySettings" | "publisherEnvironmentRefs" | "requiredReviewers"> {
  const name = (key: string) => `${DELIVERY_PROJECT}:${key}`;
  const enabled = reader.boolean("githubRepositorySettings", false);
  const refEntries = reader.stringList("publisherEnvironmentRefs", {
    pattern: ENVIRONMENT_REF,
    allowed: `<stack>:branch:<glob> or <stack>:tag:<glob> with <stack> one of ${DEPLOY_STACKS.join(", ")} (GitHub fnmatch: * ? [0-9], at least one literal character; environments cannot exclude refs)`,
  });
  const reviewerEntries = reader.stringList("requiredReviewers", {
    pattern: REVIEWER,
    allowed: `<stack>:user:<numeric id> or <stack>:team:<numeric id> (gh api orgs/ORG/teams/SLUG --jq .id)`,
  });
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

/** Validates raw values; also returns the reader, whose `keysRead` the Pulumi.yaml test compares. */
export function parseDeliveryConfig(source: ConfigSource): { config: DeliveryConfig; reader: ConfigReader } {
  const reader = new ConfigReader(source, DELIVERY_PROJECT);
  const config: DeliveryConfig = {
    pulumiOrganization: reader.requireString("pulumiOrganization", {
      pattern: NAME,
      allowed: "the Pulumi Cloud organization name, e.g. acme",
    }),
    infraProject: reader.string("infraProject", PROJECT_NAME, {
      pattern: NAME,
      allowed: "a project name",
    }),
    infraRepository: reader.requireString("infraRepository", {
      pattern: GITHUB_REPOSITORY_PATTERN,
      allowed: "a GitHub repository as org/repo, e.g. acme/python-package-index",
    }),
    executorImage: reader.requireString("executorImage", {
      pattern: IMAGE_WITH_TAG,
      allowed: "an image with an explicit tag, e.g. pulumi/pulumi-nodejs-22:3.270.0 (Node 22 is required)",
    }),
    deployerSessionSeconds: reader.integer(
      "deployerSessionSeconds",
      CI_SESSION_SECONDS.max,
      CI_SESSION_SECONDS,
    ),
    previewPullRequests: reader.boolean("previewPullRequests", false),
    githubTokenExchange: reader.boolean("githubTokenExchange", true),
    ...readRepositorySettings(reader),
  };
  reader.finish();
  return { config, reader };
}

export function loadDeliveryConfig(): DeliveryConfig {
  const config = new pulumi.Config();
  return parseDeliveryConfig((key) => config.get(key)).config;
}
