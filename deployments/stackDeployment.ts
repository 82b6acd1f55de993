import * as pulumi from "@pulumi/pulumi";
import * as pulumiservice from "@pulumi/pulumiservice";
import { checkCiSessionSeconds } from "../components/validation";
import { CI_SESSION_SECONDS } from "../domain/oidc";
import { DEV_BRANCH, DeployStack } from "../domain/delivery";

export interface StackDeploymentArgs {
  /** Pulumi Cloud organization owning the stack. */
  readonly organization: pulumi.Input<string>;
  /** Pulumi project of the stack, e.g. `python-package-index`. */
  readonly project: pulumi.Input<string>;
  /** The stack these settings belong to. Plain: it names the session and is validated here. */
  readonly stack: DeployStack;
  /** GitHub repository (`org/repo`) holding the program. */
  readonly repository: pulumi.Input<string>;
  /** ARN of the stack's deployer role, assumed through Pulumi Cloud OIDC (never static keys). */
  readonly deployerRoleArn: pulumi.Input<string>;
  /** Deployment executor image with an explicit tag (Node 22: `@pulumi/pulumi` ≥ 3.249 needs it). */
  readonly executorImage: pulumi.Input<string>;
  /**
   * Seconds the assumed-role session lasts; plain because it is validated against the role's
   * one-hour maximum before anything is registered.
   * @default 3600
   */
  readonly sessionSeconds?: number;
  /**
   * Let Pulumi Deployments preview pull requests. Such previews run pull-request code with the
   * deployer role, so the default leaves previews to `.github/workflows/preview.yml` (previewer role).
   * @default false
   */
  readonly previewPullRequests?: pulumi.Input<boolean>;
}

/** `XhYmZs`, the duration format Pulumi Deployments' AWS OIDC settings take. */
export function sessionDuration(seconds: number): string {
  return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m${seconds % 60}s`;
}

/**
 * Pulumi Deployments settings of one infrastructure stack: where the program comes from, the
 * executor, and the AWS role each deployment assumes. Triggers stay with the deploy workflow:
 * push-to-deploy is off (`deployCommits: false`) so no commit deploys twice, and tag filters are
 * applied by `scripts/applyDeploymentTagFilters.ts` (the provider does not expose them).
 */
export class StackDeployment extends pulumi.ComponentResource {
  /** The settings' id, `{org}/{project}/{stack}`. */
  readonly settingsId: pulumi.Output<string>;

  constructor(name: string, args: StackDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    const sessionSeconds = args.sessionSeconds ?? CI_SESSION_SECONDS.max;
    checkCiSessionSeconds(`StackDeployment ${name}`, "sessionSeconds", sessionSeconds);
    super("python-package-index:delivery:StackDeployment", name, {}, opts);

    const settings = new pulumiservice.DeploymentSettings(
      `${name}-settings`,
      {
        organization: args.organization,
        project: args.project,
        stack: args.stack,
        sourceContext: { git: { branch: `refs/heads/${DEV_BRANCH}` } },
        vcs: {
          provider: "github",
          repository: args.repository,
          deployCommits: false,
          previewPullRequests: args.previewPullRequests ?? false,
          pullRequestTemplate: false,
        },
        executorContext: { executorImage: args.executorImage },
        operationContext: {
          oidc: {
            aws: {
              roleARN: args.deployerRoleArn,
              sessionName: `ppi-${args.stack}-pulumi-deployment`,
              duration: sessionDuration(sessionSeconds),
            },
          },
          options: { skipIntermediateDeployments: false },
        },
        cacheOptions: { enable: true },
      },
      { parent: this },
    );

    this.settingsId = settings.id;
    this.registerOutputs({ settingsId: this.settingsId });
  }
}
