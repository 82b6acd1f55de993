import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_URL, PULUMI_OIDC_URL } from "../domain/oidc";

export type OidcProviderMode = "create" | "arn" | "lookup";

export interface GithubOidcArgs {
  /**
   * How this stack gets the account's OIDC providers. IAM holds one provider per URL per account,
   * so exactly one stack per account uses `create`; the others use `lookup` (find it by URL) or
   * `arn` (take it from config). Plain: it decides which resources exist.
   */
  readonly mode: OidcProviderMode;
  /** ARN of the existing GitHub provider; required with `mode: "arn"`, refused otherwise. */
  readonly githubProviderArn?: pulumi.Input<string>;
  /**
   * Pulumi organization whose Deployments are trusted: adds the Pulumi Cloud provider
   * (`https://api.pulumi.com/oidc`, audience = this organization). Plain: it decides whether the
   * provider exists. @default undefined (no Pulumi Cloud provider)
   */
  readonly pulumiOrganization?: string;
  /** ARN of the existing Pulumi Cloud provider; required with `mode: "arn"` and `pulumiOrganization`. */
  readonly pulumiProviderArn?: pulumi.Input<string>;
  /**
   * Keep created providers in AWS when the stack is destroyed: other stacks of the account trust
   * them. @default true
   */
  readonly retainOnDelete?: boolean;
}

/** Throws on the first invalid arg, before anything is registered. */
function checkArgs(context: string, args: GithubOidcArgs): void {
  if (!["create", "arn", "lookup"].includes(args.mode)) {
    throw new Error(`${context}: mode ${JSON.stringify(args.mode)} must be "create", "arn" or "lookup".`);
  }
  const arnMode = args.mode === "arn";
  if (arnMode && args.githubProviderArn === undefined) {
    throw new Error(
      `${context}: mode "arn" needs githubProviderArn (the account's token.actions.githubusercontent.com provider).`,
    );
  }
  if (arnMode && args.pulumiOrganization !== undefined && args.pulumiProviderArn === undefined) {
    throw new Error(
      `${context}: mode "arn" with pulumiOrganization needs pulumiProviderArn (the api.pulumi.com/oidc provider).`,
    );
  }
  if (!arnMode && (args.githubProviderArn !== undefined || args.pulumiProviderArn !== undefined)) {
    throw new Error(`${context}: provider ARNs are only used with mode "arn"; mode is "${args.mode}".`);
  }
  if (args.pulumiProviderArn !== undefined && args.pulumiOrganization === undefined) {
    throw new Error(
      `${context}: pulumiProviderArn is set but pulumiOrganization is not; set both or neither.`,
    );
  }
}

/**
 * The IAM OpenID Connect providers through which GitHub Actions (and optionally Pulumi
 * Deployments) assume this stack's CI roles: created here, looked up by URL, or referenced by ARN.
 */
export class GithubOidc extends pulumi.ComponentResource {
  /** ARN of the GitHub Actions provider. */
  readonly githubProviderArn: pulumi.Output<string>;
  /** ARN of the Pulumi Cloud provider, when `pulumiOrganization` is set. */
  readonly pulumiProviderArn: pulumi.Output<string> | undefined;
  /** The AWS account holding the providers (read from the GitHub provider's ARN). */
  readonly accountId: pulumi.Output<string>;

  constructor(name: string, args: GithubOidcArgs, opts?: pulumi.ComponentResourceOptions) {
    checkArgs(`GithubOidc ${name}`, args);
    super("python-package-index:oidc:GithubOidc", name, {}, opts);

    const provide = (suffix: string, url: string, audience: string, arn: pulumi.Input<string> | undefined) =>
      this.provider(`${name}-${suffix}`, args, url, audience, arn);
    this.githubProviderArn = provide("github", GITHUB_OIDC_URL, GITHUB_OIDC_AUDIENCE, args.githubProviderArn);
    this.pulumiProviderArn =
      args.pulumiOrganization === undefined
        ? undefined
        : provide("pulumi", PULUMI_OIDC_URL, args.pulumiOrganization, args.pulumiProviderArn);
    this.accountId = this.githubProviderArn.apply((arn) => arn.split(":")[4]);
    this.registerOutputs({
      githubProviderArn: this.githubProviderArn,
      pulumiProviderArn: this.pulumiProviderArn,
      accountId: this.accountId,
    });
  }

  private provider(
    name: string,
    args: GithubOidcArgs,
    url: string,
    audience: string,
    arn: pulumi.Input<string> | undefined,
  ): pulumi.Output<string> {
    switch (args.mode) {
      case "create":
        return new aws.iam.OpenIdConnectProvider(
          name,
          // No thumbprints: IAM verifies these issuers through its own trusted CAs.
          { url, clientIdLists: [audience] },
          { parent: this, retainOnDelete: args.retainOnDelete ?? true },
        ).arn;
      case "lookup":
        return aws.iam.getOpenIdConnectProviderOutput({ url }, { parent: this }).apply((found) => {
          if (!found.clientIdLists.includes(audience)) {
            throw new Error(
              `The account's OIDC provider for ${url} does not accept audience ${JSON.stringify(audience)} ` +
                `(it has ${JSON.stringify(found.clientIdLists)}); add it in the stack that creates the provider.`,
            );
          }
          return found.arn;
        });
      case "arn":
        return pulumi.output(arn as pulumi.Input<string>);
    }
  }
}
