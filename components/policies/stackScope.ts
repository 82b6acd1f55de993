import { CLOUDFRONT_REGION } from "../../domain/cloudfront";
import { GITHUB_OIDC_URL, PULUMI_OIDC_URL, oidcProviderArn } from "../../domain/oidc";

/** What the CI permission builders scope their ARNs to: one stack in one account. */
export interface StackScope {
  /** `ppi-<stack>`: every physical name of the stack starts with `<namePrefix>-`. */
  readonly namePrefix: string;
  /**
   * Value of the `Stack` tag every taggable resource of the stack carries (the provider's default
   * tags): the deployer changes only resources with this tag and creates only resources with it.
   */
  readonly stackTag: string;
  readonly accountId: string;
  /** Region of the bucket and the regional resources. */
  readonly region: string;
  /** Regions holding replicas of the credentials table (besides us-east-1). */
  readonly replicaRegions: readonly string[];
  /** The custom domain and its hosted zone, when the stack has one. */
  readonly customDomain?: { readonly name: string; readonly hostedZoneId: string };
  /**
   * ARNs of the stack's CloudFront distribution, cache, origin-request and response-headers
   * policies and origin access controls: the only CloudFront objects the deployer may change
   * (most of them support no condition key that could tell one stack's from another's).
   * @default [] (the deployer changes none; an administrator's run creates them first)
   */
  readonly cloudFrontArns?: readonly string[];
}

/** The tag `index.ts` puts on every taggable resource (provider `defaultTags`), valued `StackScope.stackTag`. */
export const STACK_TAG_KEY = "Stack";

/** Regions the stack may touch: its own, us-east-1, and the table replicas. */
export function stackRegions(scope: StackScope): string[] {
  return [...new Set([scope.region, CLOUDFRONT_REGION, ...scope.replicaRegions])];
}

/** Regions the stack's functions live in: us-east-1 (Lambda@Edge) and its own (the upload function). */
export function stackFunctionRegions(scope: Pick<StackScope, "region">): string[] {
  return [...new Set([CLOUDFRONT_REGION, scope.region])];
}

/** The roles CI assumes, `<namePrefix>-<purpose>`: created by an administrator's run, never by the deployer. */
export const CI_ROLE_PURPOSES = ["deployer", "previewer", "publisher"] as const;
export type CiRolePurpose = (typeof CI_ROLE_PURPOSES)[number];

/** The managed policy every role the deployer creates must carry as its permissions boundary. */
export function boundaryPolicyName(namePrefix: string): string {
  return `${namePrefix}-boundary`;
}

/** ARNs that depend only on the stack's names and account, not on its regions. */
export function accountArns(scope: Pick<StackScope, "namePrefix" | "accountId">) {
  const { namePrefix: p, accountId: a } = scope;
  return {
    roles: `arn:aws:iam::${a}:role/${p}-*`,
    ciRoles: CI_ROLE_PURPOSES.map((purpose) => `arn:aws:iam::${a}:role/${p}-${purpose}`),
    policies: `arn:aws:iam::${a}:policy/${p}-*`,
    boundary: `arn:aws:iam::${a}:policy/${boundaryPolicyName(p)}`,
    tables: `arn:aws:dynamodb:*:${a}:table/${p}-*`,
    // Lambda@Edge replicas log to `/aws/lambda/us-east-1.<name>` in every region that ran them.
    logGroups: [
      `arn:aws:logs:*:${a}:log-group:/aws/lambda/${p}-*`,
      `arn:aws:logs:*:${a}:log-group:/aws/lambda/us-east-1.${p}-*`,
    ],
  };
}

export function stackArns(scope: StackScope) {
  const { namePrefix: p, accountId: a, region: r } = scope;
  return {
    ...accountArns(scope),
    buckets: `arn:aws:s3:::${p}-*`,
    /** The access-log bucket (`PackageIndex`'s `<namePrefix>-logs-…`). */
    logBuckets: `arn:aws:s3:::${p}-logs-*`,
    // Edge functions in us-east-1; the upload function in the stack's region.
    functions: stackFunctionRegions(scope).map((region) => `arn:aws:lambda:${region}:${a}:function:${p}-*`),
    oidcProviders: [oidcProviderArn(a, GITHUB_OIDC_URL), oidcProviderArn(a, PULUMI_OIDC_URL)],
    webAcls: `arn:aws:wafv2:${CLOUDFRONT_REGION}:${a}:global/webacl/${p}-*`,
    distributions: `arn:aws:cloudfront::${a}:distribution/*`,
    network: `arn:aws:ec2:${r}:${a}:*`,
  };
}
