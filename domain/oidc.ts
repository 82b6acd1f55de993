/**
 * The OpenID Connect issuers the CI roles trust (GitHub Actions, Pulumi Deployments) and the
 * sessions those roles give. Shared by the trust policies, the OIDC providers, the stack and
 * delivery configuration and the deployer's scope. Pure data.
 */

/** GitHub Actions' token issuer; its tokens for AWS carry the audience below. */
export const GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com";
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";
/** Pulumi Cloud's token issuer (Pulumi Deployments); the audience is the Pulumi organization. */
export const PULUMI_OIDC_URL = "https://api.pulumi.com/oidc";

/**
 * The name IAM gives an issuer: its URL without `https://`. It ends the ARN of the issuer's OIDC
 * provider and prefixes the provider's condition keys (`token.actions.githubusercontent.com:sub`).
 */
export function oidcConditionPrefix(url: string): string {
  return url.replace(/^https:\/\//, "");
}

/** The ARN of the IAM OIDC provider for `url` in an account (one provider per URL per account). */
export function oidcProviderArn(accountId: string, url: string): string {
  return `arn:aws:iam::${accountId}:oidc-provider/${oidcConditionPrefix(url)}`;
}

/** Matches the ARN of the IAM OIDC provider for `url` in any account. */
export function oidcProviderArnPattern(url: string): RegExp {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const [before, after] = oidcProviderArn("<account>", url).split("<account>");
  return new RegExp(`^${escape(before)}\\d{12}${escape(after)}$`);
}

/** Role sessions CI asks for: STS's 15-minute minimum up to the CI roles' one-hour maximum. */
export const CI_SESSION_SECONDS = { min: 900, max: 3600 } as const;
