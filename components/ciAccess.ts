import * as pulumi from "@pulumi/pulumi";
import { CiRole } from "./ciRole";
import { GithubOidc, OidcProviderMode } from "./githubOidc";
import { deployerPolicies } from "./policies/deployer";
import { publisherPolicy } from "./policies/publisher";
import { stackReadPolicy } from "./policies/readOnly";
import { StackScope } from "./policies/stackScope";
import { DEPLOYMENT_OPERATIONS } from "../domain/delivery";
import { GithubJobMatch } from "../domain/github";
import { PulumiDeploymentsTrust, oidcTrustPolicy } from "./policies/trust";
import { checkNamePrefix } from "./validation";

export interface CiAccessArgs {
  /** `ppi-<stack>`: roles are `<namePrefix>-deployer|previewer|publisher`, policies `<role>-<part>`. */
  readonly namePrefix: string;
  /** Pulumi project and stack: the subject Pulumi Deployments presents. Plain: part of the trust policy. */
  readonly project: string;
  readonly stack: string;
  /** How the stack gets the account's OIDC providers (one stack per account creates them). */
  readonly oidcProvider:
    | { readonly mode: Exclude<OidcProviderMode, "arn"> }
    | { readonly mode: "arn"; readonly githubProviderArn: string; readonly pulumiProviderArn?: string };
  /** `owner/repo` of this program: its deploy jobs and pull requests. */
  readonly infraRepository: string;
  /** GitHub jobs that may assume the deployer besides Pulumi Deployments; none: Pulumi Deployments only. */
  readonly deployerTrust: readonly GithubJobMatch[];
  /** Pulumi organization whose Deployments of this stack may deploy. @default undefined (none) */
  readonly pulumiOrganization?: string;
  /** `owner/repo` of the repositories whose CI publishes; no publisher role when empty. @default [] */
  readonly packageRepositories?: readonly string[];
  /** Jobs of the package repositories that may publish. Required when there are package repositories. */
  readonly publisherTrust?: readonly GithubJobMatch[];
  /** Tenants whose part of the bucket the publisher may write. Required with package repositories. */
  readonly publisherTenants?: readonly string[];
  /** The index bucket the publisher writes. */
  readonly bucketName: pulumi.Input<string>;
  /** Managed policies the publisher also gets, e.g. CodeArtifact publishing. @default [] */
  readonly publisherPolicyArns?: readonly pulumi.Input<string>[];
  /** Region, table replica regions and custom domain the deployer's permissions are pinned to. */
  readonly scope: Omit<StackScope, "namePrefix" | "accountId" | "cloudFrontArns">;
  /**
   * ARNs of the stack's CloudFront distribution and of its cache, origin-request and response-headers
   * policies and origin access controls (`PackageIndex.cloudFrontArns`): the only CloudFront objects
   * the deployer may update or delete. A replaced one is therefore an administrator's run.
   * @default [] (the deployer may create CloudFront objects but change none)
   */
  readonly cloudFrontArns?: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * GitHub Actions' (and Pulumi Deployments') way into one stack: the OIDC providers and three roles —
 * deployer (`pulumi up`), previewer (read-only `pulumi preview` on pull requests), publisher
 * (package repositories' CI writing their tenants' part of the bucket). These roles carry no
 * permissions boundary: the deployer may not change them (see `policies/deployer.ts`), so they and
 * their policies change only in an administrator's run.
 */
export class CiAccess extends pulumi.ComponentResource {
  readonly githubOidcProviderArn: pulumi.Output<string>;
  readonly deployerRoleArn: pulumi.Output<string>;
  readonly previewerRoleArn: pulumi.Output<string>;
  /** Undefined when no package repository publishes to this stack. */
  readonly publisherRoleArn: pulumi.Output<string> | undefined;

  constructor(name: string, args: CiAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    const context = `CiAccess ${name}`;
    checkNamePrefix(context, args.namePrefix);
    const packageRepositories = args.packageRepositories ?? [];
    if (packageRepositories.length > 0 && !(args.publisherTrust?.length && args.publisherTenants?.length)) {
      throw new Error(
        `${context}: packageRepositories need publisherTrust and publisherTenants (which jobs publish, and where).`,
      );
    }
    super("python-package-index:oidc:CiAccess", name, {}, opts);

    const oidc = new GithubOidc(
      `${name}-oidc`,
      {
        mode: args.oidcProvider.mode,
        ...(args.oidcProvider.mode === "arn"
          ? {
              githubProviderArn: args.oidcProvider.githubProviderArn,
              ...(args.pulumiOrganization ? { pulumiProviderArn: args.oidcProvider.pulumiProviderArn } : {}),
            }
          : {}),
        ...(args.pulumiOrganization ? { pulumiOrganization: args.pulumiOrganization } : {}),
      },
      { parent: this },
    );
    const scope = pulumi
      .all([oidc.accountId, pulumi.output(args.cloudFrontArns ?? [])])
      .apply(([accountId, cloudFrontArns]): StackScope => ({
        ...args.scope,
        namePrefix: args.namePrefix,
        accountId,
        cloudFrontArns,
      }));
    const pulumiTrust = oidc.pulumiProviderArn?.apply((providerArn): PulumiDeploymentsTrust => ({
      providerArn,
      organization: args.pulumiOrganization!,
      project: args.project,
      stack: args.stack,
      operations: DEPLOYMENT_OPERATIONS,
    }));
    const trust = (repositories: readonly string[], jobs: readonly GithubJobMatch[], withPulumi: boolean) =>
      pulumi
        .all([oidc.githubProviderArn, withPulumi ? pulumiTrust : undefined])
        .apply(([providerArn, pulumiDeployments]) =>
          oidcTrustPolicy({ providerArn, repositories, jobs }, pulumiDeployments),
        );
    const role = (
      purpose: string,
      description: string,
      props: Omit<ConstructorParameters<typeof CiRole>[1], "roleName" | "description">,
    ) =>
      new CiRole(
        `${name}-${purpose}`,
        { roleName: `${args.namePrefix}-${purpose}`, description, ...props },
        { parent: this },
      );

    const deployerWrites = scope.apply(deployerPolicies);
    const deployer = role(
      "deployer",
      `Runs pulumi up for stack ${args.stack} from ${args.infraRepository}.`,
      {
        assumeRolePolicy: trust([args.infraRepository], args.deployerTrust, true),
        policies: {
          read: scope.apply(stackReadPolicy),
          edge: deployerWrites.edge,
          identity: deployerWrites.identity,
          data: deployerWrites.data,
        },
      },
    );
    const previewer = role(
      "previewer",
      `Runs pulumi preview for stack ${args.stack} on pull requests of ${args.infraRepository}.`,
      {
        assumeRolePolicy: trust([args.infraRepository], [{ kind: "pull_request" }], false),
        policies: { read: scope.apply(stackReadPolicy) },
      },
    );
    const publisher =
      packageRepositories.length === 0
        ? undefined
        : role("publisher", `Publishes packages to stack ${args.stack} from its package repositories' CI.`, {
            assumeRolePolicy: trust(packageRepositories, args.publisherTrust!, false),
            policies: {
              index: pulumi
                .output(args.bucketName)
                .apply((bucketName) => publisherPolicy({ bucketName, tenants: args.publisherTenants! })),
            },
            additionalPolicyArns: args.publisherPolicyArns ?? [],
          });

    this.githubOidcProviderArn = oidc.githubProviderArn;
    this.deployerRoleArn = deployer.arn;
    this.previewerRoleArn = previewer.arn;
    this.publisherRoleArn = publisher?.arn;
    this.registerOutputs({
      githubOidcProviderArn: this.githubOidcProviderArn,
      deployerRoleArn: this.deployerRoleArn,
      previewerRoleArn: this.previewerRoleArn,
      publisherRoleArn: this.publisherRoleArn,
    });
  }
}
