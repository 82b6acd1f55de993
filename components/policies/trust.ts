/**
 * Trust policies for roles assumed through OpenID Connect: GitHub Actions
 * (`token.actions.githubusercontent.com`) and, optionally, Pulumi Deployments
 * (`api.pulumi.com/oidc`). Every statement pins the audience with `StringEquals` and the subject
 * to one repository (or one Pulumi stack); nothing here ever produces a bare wildcard subject.
 */
import {
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_URL,
  PULUMI_OIDC_URL,
  oidcConditionPrefix,
} from "../../domain/oidc";
import { GithubJobMatch, githubSubject } from "../../domain/github";
import { PolicyDocument, PolicyStatement, hasWildcard, policyDocument } from "./document";

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
