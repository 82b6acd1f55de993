import * as pulumi from "@pulumi/pulumi";
import { CiRole } from "./ciRole";
import { GithubOidc, GithubOidcArgs, OidcProviderMode, checkGithubOidcArgs } from "./githubOidc";
import { deployerPolicies } from "./policies/deployer";
import { publisherPolicy } from "./policies/publisher";
import { stackReadPolicy } from "./policies/readOnly";
import { StackScope } from "./policies/stackScope";
import { AWS_REGION_PATTERN } from "../domain/aws";
import { CLOUDFRONT_REGION } from "../domain/cloudfront";
import { DEPLOYMENT_OPERATIONS } from "../domain/delivery";
import { GITHUB_REPOSITORY_PATTERN, GithubJobMatch } from "../domain/github";
import { TENANT_PATTERN } from "../domain/names";
import { PulumiDeploymentsTrust, oidcTrustPolicy } from "./policies/trust";
import { checkDomain } from "./domainCertificate";
import { Tags, checkTags } from "./tags";
import { checkNamePrefix } from "./validation";

/** What the deployer's and previewer's permissions are pinned to, besides `namePrefix` and the account. */
export type CiScope = Omit<StackScope, "namePrefix" | "accountId" | "cloudFrontArns">;

/** Tag values AWS accepts, as in `checkTags`; the Stack tag must be non-empty to confine anything. */
const STACK_TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u;
/** Pulumi project and stack names as they appear in a Deployments OIDC subject. */
const PULUMI_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export interface CiAccessArgs {
  /**
   * Prefix of every physical name of the stack, e.g. `ppi-dev`: the roles are
   * `<namePrefix>-deployer|previewer|publisher` with policies `<role>-<part>`, and the deployer may
   * manage only `<namePrefix>-*` names. Plain: it is spelled into the policies.
   */
  readonly namePrefix: string;
  /** Pulumi project whose Deployments may deploy: part of the subject they present. Plain: in the trust policy. */
  readonly project: string;
  /** Pulumi stack whose Deployments may deploy (and named in the roles' descriptions). Plain: in the trust policy. */
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
  /** Jobs of the package repositories that may publish. Required when there are package repositories. @default [] */
  readonly publisherTrust?: readonly GithubJobMatch[];
  /** Tenants whose part of the bucket the publisher may write. Required with package repositories. @default [] */
  readonly publisherTenants?: readonly string[];
  /** The index bucket the publisher writes. */
  readonly bucketName: pulumi.Input<string>;
  /** Managed policies the publisher also gets, e.g. CodeArtifact publishing. @default [] */
  readonly publisherPolicyArns?: readonly pulumi.Input<string>[];
  /**
   * What the deployer may touch: the value of the `Stack` tag the stack's resources carry (the
   * program's provider `defaultTags`), its region, the credentials table's replica regions and the
   * custom domain. Plain: spelled into the policies, and checked here.
   */
  readonly scope: CiScope;
  /**
   * ARNs of the stack's CloudFront distribution and of its cache, origin-request and response-headers
   * policies and origin access controls (`PackageIndex.cloudFrontArns`): the only CloudFront objects
   * the deployer may update or delete. A replaced one is therefore an administrator's run.
   * @default [] (the deployer may create CloudFront objects but change none)
   */
  readonly cloudFrontArns?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Tags of the roles, their policies and the OIDC providers created here.
   * @default {}
   */
  readonly tags?: Tags;
}

/** Throws on the first invalid argument, naming it: nothing may register before the policies can be built. */
function checkArgs(context: string, args: CiAccessArgs): void {
  checkNamePrefix(context, args.namePrefix);
  for (const [field, value] of [
    ["project", args.project],
    ["stack", args.stack],
  ] as const) {
    if (!PULUMI_NAME.test(value))
      throw new Error(`${context}: ${field} ${JSON.stringify(value)} is not a Pulumi ${field} name.`);
  }
  const packageRepositories = args.packageRepositories ?? [];
  const badRepository = [args.infraRepository, ...packageRepositories].find(
    (r) => !GITHUB_REPOSITORY_PATTERN.test(r),
  );
  if (badRepository !== undefined)
    throw new Error(`${context}: ${JSON.stringify(badRepository)} is not an owner/repository name.`);
  if (packageRepositories.length > 0 && !(args.publisherTrust?.length && args.publisherTenants?.length)) {
    throw new Error(
      `${context}: packageRepositories need publisherTrust and publisherTenants (which jobs publish, and where).`,
    );
  }
  const badTenant = (args.publisherTenants ?? []).find((tenant) => !TENANT_PATTERN.test(tenant));
  if (badTenant !== undefined)
    throw new Error(`${context}: publisherTenants entry ${JSON.stringify(badTenant)} is not a tenant name.`);
  if (args.deployerTrust.length === 0 && args.pulumiOrganization === undefined) {
    throw new Error(
      `${context}: nothing may assume the deployer; set pulumiOrganization (Pulumi Deployments) or deployerTrust.`,
    );
  }
  const { scope } = args;
  if (!STACK_TAG_VALUE.test(scope.stackTag)) {
    throw new Error(
      `${context}: scope.stackTag ${JSON.stringify(scope.stackTag)} must be 1-256 letters, digits, spaces or _.:/=+-@: ` +
        `the value of the Stack tag the stack's resources carry.`,
    );
  }
  if (!AWS_REGION_PATTERN.test(scope.region))
    throw new Error(
      `${context}: scope.region ${JSON.stringify(scope.region)} is not an AWS region name such as eu-west-1.`,
    );
  const badReplica = scope.replicaRegions.find((r) => !AWS_REGION_PATTERN.test(r) || r === CLOUDFRONT_REGION);
  if (badReplica !== undefined) {
    throw new Error(
      `${context}: scope.replicaRegions entry ${JSON.stringify(badReplica)} must be an AWS region name other than ${CLOUDFRONT_REGION}.`,
    );
  }
  if (scope.customDomain) checkDomain(context, "scope.customDomain", scope.customDomain);
  checkTags(context, args.tags);
  checkGithubOidcArgs(context, oidcArgs(args));
}

/** The providers CiAccess needs: the Pulumi Cloud one only when Pulumi Deployments are trusted. */
function oidcArgs(args: CiAccessArgs): GithubOidcArgs {
  return {
    mode: args.oidcProvider.mode,
    ...(args.oidcProvider.mode === "arn"
      ? {
          githubProviderArn: args.oidcProvider.githubProviderArn,
          ...(args.pulumiOrganization ? { pulumiProviderArn: args.oidcProvider.pulumiProviderArn } : {}),
        }
      : {}),
    ...(args.pulumiOrganization ? { pulumiOrganization: args.pulumiOrganization } : {}),
    tags: args.tags,
  };
}

/**
 * GitHub Actions' (and Pulumi Deployments') way into one stack: the OIDC providers and three roles —
 * deployer (`pulumi up`), previewer (read-only `pulumi preview` on pull requests), publisher
 * (package repositories' CI writing their tenants' part of the bucket). These roles carry no
 * permissions boundary: the deployer may not change them (see `policies/deployer.ts`), so they and
 * their policies change only in an administrator's run.
 */
export class CiAccess extends pulumi.ComponentResource {
  readonly oidc: GithubOidc;
  readonly deployer: CiRole;
  readonly previewer: CiRole;
  /** Undefined when no package repository publishes to this stack. */
  readonly publisher: CiRole | undefined;
  readonly githubOidcProviderArn: pulumi.Output<string>;
  readonly deployerRoleArn: pulumi.Output<string>;
  readonly previewerRoleArn: pulumi.Output<string>;
  readonly publisherRoleArn: pulumi.Output<string> | undefined;

  constructor(name: string, args: CiAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    checkArgs(`CiAccess ${name}`, args);
    const packageRepositories = args.packageRepositories ?? [];
    super("python-package-index:oidc:CiAccess", name, {}, opts);

    const oidc = new GithubOidc(`${name}-oidc`, oidcArgs(args), { parent: this });
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
      props: Omit<ConstructorParameters<typeof CiRole>[1], "roleName" | "description" | "tags">,
    ) =>
      new CiRole(
        `${name}-${purpose}`,
        { roleName: `${args.namePrefix}-${purpose}`, description, tags: args.tags, ...props },
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

    this.oidc = oidc;
    this.deployer = deployer;
    this.previewer = previewer;
    this.publisher = publisher;
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
