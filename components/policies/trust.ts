/**
 * Trust policies for roles assumed through OpenID Connect: GitHub Actions
 * (`token.actions.githubusercontent.com`) and, optionally, Pulumi Deployments
 * (`api.pulumi.com/oidc`). Every statement pins the audience with `StringEquals` and the subject
 * to one repository (or one Pulumi stack); nothing here ever produces a bare wildcard subject.
 */
import { PolicyDocument, PolicyStatement, hasWildcard, policyDocument } from "./document";

export const GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com";
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";
export const PULUMI_OIDC_URL = "https://api.pulumi.com/oidc";

/** The prefix IAM gives the condition keys of an OIDC provider: its URL without `https://`. */
export function oidcConditionPrefix(url: string): string {
  return url.replace(/^https:\/\//, "");
}

/**
 * One kind of GitHub Actions job a role trusts, as written in config:
 * `branch:<glob>` (a push to a matching branch), `tag:<glob>` (a matching tag),
 * `environment:<name>` (a job that names that GitHub environment), `pull_request`.
 * A leading `!` on a branch or tag entry excludes matching refs (IAM `StringNotLike`), e.g.
 * `!tag:python-package-index@v*-staging`.
 */
export type GithubJobMatch =
  | { readonly kind: "branch" | "tag"; readonly pattern: string; readonly exclude: boolean }
  | { readonly kind: "environment"; readonly name: string }
  | { readonly kind: "pull_request" };

const REF_PATTERN = /^[A-Za-z0-9._\-/@+*?]+$/;
const ENVIRONMENT_PATTERN = /^[A-Za-z0-9._-]{1,255}$/;

/** A GitHub `owner/repo`, as GitHub spells it (the `sub` claim is compared case-sensitively). */
export const REPOSITORY_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;

/** Parses one config entry; returns an error sentence instead of throwing, for the config reader. */
export function parseGithubJobMatch(entry: string): GithubJobMatch | string {
  if (entry === "pull_request") return { kind: "pull_request" };
  const match = /^(!?)(branch|tag|environment):(.*)$/.exec(entry);
  if (!match) {
    return `${JSON.stringify(entry)} is not one of branch:<glob>, tag:<glob>, environment:<name>, pull_request (branch and tag may start with "!" to exclude).`;
  }
  const [, bang, kind, value] = match;
  if (kind === "environment") {
    if (bang) return `${JSON.stringify(entry)}: only branch and tag entries can be excluded with "!".`;
    if (!ENVIRONMENT_PATTERN.test(value)) {
      return `${JSON.stringify(entry)}: an environment name is 1-255 letters, digits, dots, dashes or underscores, without wildcards.`;
    }
    return { kind: "environment", name: value };
  }
  if (!REF_PATTERN.test(value) || !/[^*?]/.test(value)) {
    return `${JSON.stringify(entry)}: a ${kind} glob needs at least one character other than * and ?, and only letters, digits and . _ - / @ + * ?.`;
  }
  return { kind: kind as "branch" | "tag", pattern: value, exclude: bang === "!" };
}

/** The `sub` claim GitHub sends for a job of this kind in `repository`. */
export function githubSubject(repository: string, match: GithubJobMatch): string {
  switch (match.kind) {
    case "branch":
      return `repo:${repository}:ref:refs/heads/${match.pattern}`;
    case "tag":
      return `repo:${repository}:ref:refs/tags/${match.pattern}`;
    case "environment":
      return `repo:${repository}:environment:${match.name}`;
    case "pull_request":
      return `repo:${repository}:pull_request`;
  }
}

export interface GithubTrust {
  /** ARN of the IAM OIDC provider for GitHub Actions. */
  readonly providerArn: string;
  /** `owner/repo` names whose jobs may assume the role. */
  readonly repositories: readonly string[];
  /** Kinds of job trusted; none: no GitHub statement (the role is for Pulumi Deployments only). */
  readonly jobs: readonly GithubJobMatch[];
}

export interface PulumiDeploymentsTrust {
  /** ARN of the IAM OIDC provider for Pulumi Cloud. */
  readonly providerArn: string;
  /** The Pulumi organization: the token's audience and part of its subject. */
  readonly organization: string;
  readonly project: string;
  readonly stack: string;
  /** Deployment operations allowed, e.g. `update`, `preview`, `refresh`. */
  readonly operations: readonly string[];
}

function githubStatement(trust: GithubTrust): PolicyStatement {
  const prefix = oidcConditionPrefix(GITHUB_OIDC_URL);
  const subjects = (exclude: boolean) =>
    trust.repositories.flatMap((repository) =>
      trust.jobs
        .filter((job) => (job.kind === "branch" || job.kind === "tag" ? job.exclude === exclude : !exclude))
        .map((job) => githubSubject(repository, job)),
    );
  const allowed = subjects(false);
  const excluded = subjects(true);
  // StringEquals and StringLike on one key would be ANDed, so all subjects go under one operator.
  const subjectOperator = allowed.some(hasWildcard) ? "StringLike" : "StringEquals";
  return {
    Sid: "GithubActions",
    Effect: "Allow",
    Principal: { Federated: trust.providerArn },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: {
      StringEquals: {
        [`${prefix}:aud`]: GITHUB_OIDC_AUDIENCE,
        ...(subjectOperator === "StringEquals" ? { [`${prefix}:sub`]: allowed } : {}),
      },
      ...(subjectOperator === "StringLike" ? { StringLike: { [`${prefix}:sub`]: allowed } } : {}),
      ...(excluded.length > 0 ? { StringNotLike: { [`${prefix}:sub`]: excluded } } : {}),
    },
  };
}

function pulumiStatement(trust: PulumiDeploymentsTrust): PolicyStatement {
  const prefix = oidcConditionPrefix(PULUMI_OIDC_URL);
  return {
    Sid: "PulumiDeployments",
    Effect: "Allow",
    Principal: { Federated: trust.providerArn },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: {
      StringEquals: {
        [`${prefix}:aud`]: trust.organization,
        [`${prefix}:sub`]: trust.operations.map(
          (operation) =>
            `pulumi:deploy:org:${trust.organization}:project:${trust.project}:stack:${trust.stack}:operation:${operation}:scope:write`,
        ),
      },
    },
  };
}

/**
 * The assume-role policy of a CI role: GitHub jobs, plus Pulumi Deployments when given. A role that
 * only Pulumi Deployments assume (the deployer, as committed) passes no GitHub jobs.
 */
export function oidcTrustPolicy(
  github: GithubTrust,
  pulumiDeployments?: PulumiDeploymentsTrust,
): PolicyDocument {
  if (github.jobs.length === 0 && pulumiDeployments === undefined)
    throw new Error("oidcTrustPolicy: trust GitHub jobs, Pulumi Deployments or both; both are empty.");
  if (github.jobs.length > 0 && github.repositories.length === 0)
    throw new Error("oidcTrustPolicy: GitHub jobs need at least one repository.");
  if (github.jobs.length > 0 && !github.jobs.some((job) => !("exclude" in job) || !job.exclude)) {
    throw new Error("oidcTrustPolicy: at least one job kind that is not an exclusion is required.");
  }
  return policyDocument([
    ...(github.jobs.length > 0 ? [githubStatement(github)] : []),
    ...(pulumiDeployments ? [pulumiStatement(pulumiDeployments)] : []),
  ]);
}
