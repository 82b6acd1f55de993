import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { GITHUB_ENVIRONMENT_PATTERN, GITHUB_REPOSITORY_PATTERN } from "../domain/github";

/**
 * Repository-level variable of the infrastructure repository holding this stack's previewer role
 * ARN, e.g. `AWS_PREVIEWER_ROLE_ARN_PROD`. Repository-level, not environment-level: a pull-request
 * preview names no environment (its OIDC subject must stay `pull_request`), yet needs its role.
 * There is no deployer variable: deploys run through Pulumi Deployments, no GitHub job assumes it.
 */
export function previewerRoleVariableName(stack: string): string {
  return `AWS_PREVIEWER_ROLE_ARN_${stack.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
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

export interface GithubRepositorySettingsArgs {
  /** The stack these settings describe; it names the infrastructure repository's previewer variable. */
  readonly stack: string;
  /** `owner/repo` of the infrastructure repository (the owner is the github provider's). */
  readonly infraRepository: string;
  /** ARN of the stack's previewer role (the stack's `previewerRoleArn` output). */
  readonly previewerRoleArn: pulumi.Input<string>;
  /**
   * The deploy environment in the infrastructure repository: the Pulumi token exchange gives jobs
   * in it a token that may deploy the stack, so limit it to the refs that deploy the stack.
   * @default undefined (none)
   */
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

/** Throws on the first invalid arg, before anything is registered. */
function checkArgs(context: string, args: GithubRepositorySettingsArgs): void {
  const packageRepositories = args.packageRepositories ?? [];
  const badRepository = [args.infraRepository, ...packageRepositories].find(
    (r) => !GITHUB_REPOSITORY_PATTERN.test(r),
  );
  if (badRepository !== undefined)
    throw new Error(`${context}: ${JSON.stringify(badRepository)} is not an owner/repository name.`);
  if (packageRepositories.length > 0 && !(args.packageEnvironment && args.packageVariables)) {
    throw new Error(`${context}: packageRepositories need packageEnvironment and packageVariables.`);
  }
  for (const environment of [args.deployEnvironment?.name, args.packageEnvironment?.name]) {
    if (environment !== undefined && !GITHUB_ENVIRONMENT_PATTERN.test(environment)) {
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
}

/**
 * GitHub-side wiring of one stack (with `@pulumi/github`): the previewer role ARN and a reviewed
 * deploy environment in the infrastructure repository; an environment with publishing variables in
 * each package repository. Declared by the admin-run `deployments/` program from the stack's outputs,
 * never by the stack itself: its admin-scoped token (`github:token`, secret config of the
 * `deployments/` stack) must not be readable by pull-request previews of the infrastructure stacks.
 */
export class GithubRepositorySettings extends pulumi.ComponentResource {
  /** Name of the infrastructure repository's previewer role variable. */
  readonly previewerVariableName: string;

  constructor(name: string, args: GithubRepositorySettingsArgs, opts?: pulumi.ComponentResourceOptions) {
    checkArgs(`GithubRepositorySettings ${name}`, args);
    super("python-package-index:github:GithubRepositorySettings", name, {}, opts);
    const packageRepositories = args.packageRepositories ?? [];

    const infra = repositoryName(args.infraRepository);
    this.previewerVariableName = previewerRoleVariableName(args.stack);
    new github.ActionsVariable(
      `${name}-previewer-role`,
      { repository: infra, variableName: this.previewerVariableName, value: args.previewerRoleArn },
      { parent: this },
    );
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
    this.registerOutputs({ previewerVariableName: this.previewerVariableName });
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
