import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { GithubJobMatch } from "./policies/trust";

/** Names of the Actions variables set in each package repository's environment for this stack. */
export const PACKAGE_REPOSITORY_VARIABLES = [
  "AWS_REGION",
  "AWS_ROLE_ARN",
  "PACKAGE_INDEX_BUCKET",
  "PACKAGE_INDEX_URL",
  "CODEARTIFACT_DOMAIN",
  "CODEARTIFACT_DOMAIN_OWNER",
  "CODEARTIFACT_REPOSITORY",
] as const;

/**
 * Repository-level variables of the infrastructure repository holding this stack's role ARNs,
 * e.g. `AWS_DEPLOYER_ROLE_ARN_PROD`. Repository-level, not environment-level: a pull-request
 * preview names no environment (its OIDC subject must stay `pull_request`), yet needs its role.
 */
export function infraRoleVariableNames(stack: string): { deployer: string; previewer: string } {
  const suffix = stack.toUpperCase().replace(/[^A-Z0-9]/g, "_");
  return { deployer: `AWS_DEPLOYER_ROLE_ARN_${suffix}`, previewer: `AWS_PREVIEWER_ROLE_ARN_${suffix}` };
}

/** A GitHub environment: the jobs naming it get `environment:<name>` as their OIDC subject. */
export interface EnvironmentSpec {
  /** The environment's name, e.g. the stack name. */
  readonly name: string;
  /** Branch globs whose jobs may use it (none and no tags: any ref may). @default [] */
  readonly branchPatterns?: readonly string[];
  /** Tag globs whose jobs may use it, e.g. `python-package-index@v*`. @default [] */
  readonly tagPatterns?: readonly string[];
  /** Numeric GitHub ids of users / teams whose approval a deployment waits for. @default none */
  readonly reviewers?: { readonly users?: readonly number[]; readonly teams?: readonly number[] };
}

/**
 * The environment a role's trust names (`environment:<name>`), limited to the branch and tag globs
 * the same trust lists; undefined when the trust names no environment.
 */
export function environmentFromTrust(
  jobs: readonly GithubJobMatch[],
  reviewers?: EnvironmentSpec["reviewers"],
): EnvironmentSpec | undefined {
  const environment = jobs.find((job) => job.kind === "environment");
  if (environment === undefined) return undefined;
  const patterns = (kind: "branch" | "tag") =>
    jobs.flatMap((job) => (job.kind === kind && !job.exclude ? [job.pattern] : []));
  return {
    name: environment.name,
    branchPatterns: patterns("branch"),
    tagPatterns: patterns("tag"),
    ...(reviewers ? { reviewers } : {}),
  };
}

export interface GithubRepositorySettingsArgs {
  /** The stack these settings describe; it names the infrastructure repository's role variables. */
  readonly stack: string;
  /** `owner/repo` of the infrastructure repository (the owner is the github provider's). */
  readonly infraRepository: string;
  readonly deployerRoleArn: pulumi.Input<string>;
  readonly previewerRoleArn: pulumi.Input<string>;
  /** The deploy environment in the infrastructure repository. @default undefined (none) */
  readonly deployEnvironment?: EnvironmentSpec;
  /** `owner/repo` of each package repository. @default [] */
  readonly packageRepositories?: readonly string[];
  /**
   * Environment created in each package repository to hold this stack's variables; publish jobs
   * name it, so the publisher must trust `environment:<its name>`. Required with package repositories.
   */
  readonly packageEnvironment?: EnvironmentSpec;
  /** Values of the package repositories' variables; CodeArtifact ones only when the stack has it. */
  readonly packageVariables?: {
    readonly AWS_REGION: pulumi.Input<string>;
    readonly AWS_ROLE_ARN: pulumi.Input<string>;
    readonly PACKAGE_INDEX_BUCKET: pulumi.Input<string>;
    readonly PACKAGE_INDEX_URL: pulumi.Input<string>;
    readonly CODEARTIFACT_DOMAIN?: pulumi.Input<string>;
    readonly CODEARTIFACT_DOMAIN_OWNER?: pulumi.Input<string>;
    readonly CODEARTIFACT_REPOSITORY?: pulumi.Input<string>;
  };
}

const repositoryName = (fullName: string) => fullName.split("/")[1];
const REPOSITORY = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/;
const ENVIRONMENT = /^[A-Za-z0-9._-]{1,255}$/;

/**
 * GitHub-side wiring of one stack (with `@pulumi/github`; the token is the `github:token` secret
 * of the provider's stack config, never code): role ARNs and a reviewed deploy environment in the
 * infrastructure repository; an environment with publishing variables in each package repository.
 */
export class GithubRepositorySettings extends pulumi.ComponentResource {
  /** Names of the infrastructure repository's role variables. */
  readonly infraVariableNames: { readonly deployer: string; readonly previewer: string };

  constructor(name: string, args: GithubRepositorySettingsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("python-package-index:github:GithubRepositorySettings", name, {}, opts);
    const context = `GithubRepositorySettings ${name}`;
    const packageRepositories = args.packageRepositories ?? [];
    const badRepository = [args.infraRepository, ...packageRepositories].find((r) => !REPOSITORY.test(r));
    if (badRepository !== undefined)
      throw new Error(`${context}: ${JSON.stringify(badRepository)} is not an owner/repository name.`);
    if (packageRepositories.length > 0 && !(args.packageEnvironment && args.packageVariables)) {
      throw new Error(`${context}: packageRepositories need packageEnvironment and packageVariables.`);
    }
    for (const environment of [args.deployEnvironment?.name, args.packageEnvironment?.name]) {
      if (environment !== undefined && !ENVIRONMENT.test(environment)) {
        throw new Error(
          `${context}: environment ${JSON.stringify(environment)} must be 1-255 letters, digits, dots, dashes or underscores.`,
        );
      }
    }
    const reviewerCount =
      (args.deployEnvironment?.reviewers?.users?.length ?? 0) +
      (args.deployEnvironment?.reviewers?.teams?.length ?? 0);
    if (reviewerCount > 6)
      throw new Error(`${context}: ${reviewerCount} reviewers; GitHub allows at most 6 per environment.`);

    const infra = repositoryName(args.infraRepository);
    this.infraVariableNames = infraRoleVariableNames(args.stack);
    for (const [purpose, value] of [
      ["deployer", args.deployerRoleArn],
      ["previewer", args.previewerRoleArn],
    ] as const) {
      new github.ActionsVariable(
        `${name}-${purpose}-role`,
        { repository: infra, variableName: this.infraVariableNames[purpose], value },
        { parent: this },
      );
    }
    if (args.deployEnvironment)
      this.environment(`${name}-${args.deployEnvironment.name}`, infra, args.deployEnvironment);

    const variables = Object.entries(args.packageVariables ?? {}).filter(([, value]) => value !== undefined);
    for (const fullName of packageRepositories) {
      const repository = repositoryName(fullName);
      const environment = this.environment(`${name}-${repository}`, repository, args.packageEnvironment!);
      for (const [variableName, value] of variables) {
        new github.ActionsEnvironmentVariable(
          `${name}-${repository}-${variableName.toLowerCase()}`,
          {
            repository,
            environment: environment.environment,
            variableName,
            value: value as pulumi.Input<string>,
          },
          { parent: this },
        );
      }
    }
    this.registerOutputs({ infraVariableNames: this.infraVariableNames });
  }

  private environment(
    name: string,
    repository: string,
    deploy: EnvironmentSpec,
  ): github.RepositoryEnvironment {
    const patterns = [
      ...(deploy.branchPatterns ?? []).map((branchPattern) => ({ branchPattern })),
      ...(deploy.tagPatterns ?? []).map((tagPattern) => ({ tagPattern })),
    ];
    const reviewers = deploy.reviewers ?? {};
    const reviewed = (reviewers.users?.length ?? 0) + (reviewers.teams?.length ?? 0) > 0;
    const environment = new github.RepositoryEnvironment(
      name,
      {
        repository,
        environment: deploy.name,
        ...(reviewed
          ? {
              reviewers: [{ users: [...(reviewers.users ?? [])], teams: [...(reviewers.teams ?? [])] }],
              preventSelfReview: true,
            }
          : {}),
        // Admins must not skip the reviewers or the ref rules: the environment is what AWS trusts.
        canAdminsBypass: false,
        ...(patterns.length > 0
          ? { deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true } }
          : {}),
      },
      { parent: this },
    );
    patterns.forEach((pattern, i) => {
      new github.RepositoryEnvironmentDeploymentPolicy(
        `${name}-ref-${i}`,
        { repository, environment: environment.environment, ...pattern },
        { parent: this },
      );
    });
    return environment;
  }
}
