/**
 * Every stack configuration key of the program, once: type, default, bounds and description. The
 * readers take their defaults and validation from here; `npm run generate:config` writes the
 * `config:` block of Pulumi.yaml and docs/configuration-table.md from it.
 *
 * A key has a `default` only when the program itself owns that value. A key that feeds a component
 * argument with its own `@default` names that argument in `defaultedBy` instead and is passed through
 * as `undefined` when unset, so the component's contract is never restated here.
 */
import { ACCOUNT_ID_PATTERN, AWS_REGION_PATTERN, ORGANIZATION_ID_PATTERN } from "../domain/aws";
import { PRICE_CLASSES } from "../domain/cloudfront";
import { CODEARTIFACT_REPOSITORY_PATTERN, PYPI_STORE_REPOSITORY } from "../domain/codeArtifact";
import { HOSTED_ZONE_ID_PATTERN, HOST_NAME_PATTERN } from "../domain/dns";
import {
  MAX_KEY_CACHE_SECONDS,
  MAX_UNKNOWN_KEY_CACHE_SECONDS,
  REALM_ALLOWED,
  REALM_PATTERN,
} from "../domain/edgeAuthentication";
import { GITHUB_OWNER_PATTERN, GITHUB_REPOSITORY_PATTERN } from "../domain/github";
import { TENANT_PATTERN } from "../domain/names";
import {
  PYPI_SIMPLE_URL,
  UPSTREAM_INDEX_ALLOWED,
  UPSTREAM_OFF,
  UPSTREAM_SETTING_PATTERN,
} from "../domain/upstreamIndex";
import { GITHUB_OIDC_URL, PULUMI_OIDC_URL, oidcProviderArn, oidcProviderArnPattern } from "../domain/oidc";
import { PROJECT_NAME } from "../domain/project";
import {
  BRANCH_CHANNEL_EXPIRATION_DAYS,
  PAGE_CACHE_TTL_SECONDS,
  RETENTION_DAYS,
  UPLOAD_FUNCTION_MEMORY_MB,
  UPLOAD_FUNCTION_TIMEOUT_SECONDS,
  WAF_RATE_LIMIT,
} from "../domain/settingBounds";

import { ConfigKey } from "./keys";
import { ConfigReader, ConfigSource } from "./reader";

export const KMS_KEY_ARN_PATTERN = /^arn:aws(?:-[a-z]+)*:kms:([a-z0-9-]+):\d{12}:key\/[A-Za-z0-9-]+$/;

const REGION_ALLOWED =
  "an AWS region name such as eu-west-1 (commercial partition only: GovCloud and China regions are not supported)";
const REPOSITORY = {
  pattern: GITHUB_REPOSITORY_PATTERN,
  allowed: "an owner/repository name such as acme/python-package-index",
};

export const STACK_CONFIG = {
  // ---- core ----
  region: {
    section: "core",
    type: "string",
    required: true,
    pattern: AWS_REGION_PATTERN,
    allowed: REGION_ALLOWED,
    description:
      "AWS region of the bucket and every regional resource (edge resources are always us-east-1).",
  },
  protect: {
    section: "core",
    type: "boolean",
    defaultedBy: "PackageIndex.protect",
    description:
      "Protect stateful resources (bucket, credentials table, CodeArtifact domain) from deletion, with DynamoDB deletion protection.",
  },
  // ---- edge index ----
  branchChannels: {
    section: "edge index",
    type: "boolean",
    default: false,
    description: "Serve per-branch indexes at /<channel>/simple/ next to /simple/.",
  },
  branchChannelExpirationDays: {
    section: "edge index",
    type: "integer",
    ...BRANCH_CHANNEL_EXPIRATION_DAYS,
    defaultedBy: "PackageIndex.branchChannelExpirationDays",
    description: "Days after which branch-channel objects expire.",
  },
  noncurrentVersionExpirationDays: {
    section: "edge index",
    type: "integer",
    ...RETENTION_DAYS,
    defaultedBy: "PackageIndex.noncurrentVersionExpirationDays",
    description: "Days after which non-current object versions expire.",
  },
  pageCacheTtlSeconds: {
    section: "edge index",
    type: "integer",
    ...PAGE_CACHE_TTL_SECONDS,
    defaultedBy: "PackageIndex.pageCacheTtlSeconds",
    description: "Longest time the CDN keeps an index page (at least 1: a zero TTL disables compression).",
  },
  priceClass: {
    section: "edge index",
    type: "string",
    oneOf: PRICE_CLASSES,
    defaultedBy: "PackageIndex.priceClass",
    description: "CloudFront price class: which edge locations serve the index.",
  },
  customDomain: {
    section: "edge index",
    type: "string",
    pattern: HOST_NAME_PATTERN,
    allowed: "a lowercase DNS host name such as pypi.example.com",
    description: "Custom host name for the index, e.g. pypi.example.com (needs hostedZoneId).",
  },
  hostedZoneId: {
    section: "edge index",
    type: "string",
    pattern: HOSTED_ZONE_ID_PATTERN,
    allowed: "a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ",
    description: "Route 53 hosted zone holding customDomain.",
  },
  accessLogs: {
    section: "edge index",
    type: "boolean",
    defaultedBy: "PackageIndex.accessLogs",
    description: "Write CloudFront standard access logs to a private log bucket.",
  },
  accessLogExpirationDays: {
    section: "edge index",
    type: "integer",
    ...RETENTION_DAYS,
    defaultedBy: "PackageIndex.accessLogExpirationDays",
    description: "Days after which access-log objects expire.",
  },
  waf: {
    section: "edge index",
    type: "boolean",
    default: true,
    description:
      "Attach a WAF web ACL (us-east-1) with managed rules and a per-IP rate-based rule (about $8/month, docs/runbooks.md §8).",
  },
  wafRateLimit: {
    section: "edge index",
    type: "integer",
    default: 2000,
    ...WAF_RATE_LIMIT,
    description: "Requests per 5 minutes per client IP before WAF blocks; used with waf.",
  },
  authRealm: {
    section: "edge index",
    type: "string",
    default: "python-package-index",
    pattern: REALM_PATTERN,
    allowed: REALM_ALLOWED,
    description: "Realm of the WWW-Authenticate Basic challenge.",
  },
  keyCacheSeconds: {
    section: "edge index",
    type: "integer",
    default: 60,
    min: 0,
    max: MAX_KEY_CACHE_SECONDS,
    description: "How long the edge trusts a looked-up valid key, which bounds revocation delay.",
  },
  unknownKeyCacheSeconds: {
    section: "edge index",
    type: "integer",
    default: 10,
    min: 0,
    max: MAX_UNKNOWN_KEY_CACHE_SECONDS,
    description: "How long the edge remembers an unknown key; a key created just now works after this.",
  },
  credentialsReplicaRegions: {
    section: "edge index",
    type: "array",
    pattern: AWS_REGION_PATTERN,
    allowed: "an AWS region name such as eu-west-1",
    description:
      "Regions holding a replica of the credentials table (never us-east-1, which holds the table).",
  },
  upstreamIndex: {
    section: "edge index",
    type: "string",
    default: PYPI_SIMPLE_URL,
    pattern: UPSTREAM_SETTING_PATTERN,
    allowed: UPSTREAM_INDEX_ALLOWED,
    description:
      "Where a project page the tenant does not have (nor has reserved) redirects to, so clients need one URL only; off answers 404.",
  },
  tenantUpstreamIndexes: {
    section: "edge index",
    type: "array",
    pattern: new RegExp(`^${TENANT_PATTERN.source.slice(1, -1)}=${UPSTREAM_SETTING_PATTERN.source.slice(1)}`),
    allowed: `<tenant>=<upstream> with the upstream ${UPSTREAM_INDEX_ALLOWED}, e.g. acme=${UPSTREAM_OFF}`,
    description:
      "Per-tenant upstreamIndex, over the stack's: e.g. acme=off keeps tenant acme's unknown names 404.",
  },
  uploadEndpoint: {
    section: "edge index",
    type: "boolean",
    default: true,
    description:
      "Serve the upload endpoints (/legacy/ for twine, uv publish, poetry publish; /_/oidc/*) through a regional function behind the distribution.",
  },
  uploadFunctionMemoryMb: {
    section: "edge index",
    type: "integer",
    ...UPLOAD_FUNCTION_MEMORY_MB,
    defaultedBy: "UploadFunction.memorySize",
    description: "Memory of the upload function in MB (CPU grows with it); used with uploadEndpoint.",
  },
  uploadFunctionTimeoutSeconds: {
    section: "edge index",
    type: "integer",
    ...UPLOAD_FUNCTION_TIMEOUT_SECONDS,
    defaultedBy: "UploadFunction.timeout",
    description:
      "Timeout of the upload function in seconds, below CloudFront's 30-second response timeout; used with uploadEndpoint.",
  },
  // ---- CodeArtifact ----
  codeArtifact: {
    section: "CodeArtifact",
    type: "boolean",
    default: false,
    description: "Create the CodeArtifact domain (ppi-<stack>), pypi-store and the team repository.",
  },
  codeArtifactRepository: {
    section: "CodeArtifact",
    type: "string",
    default: "packages",
    pattern: CODEARTIFACT_REPOSITORY_PATTERN,
    allowed: `2-100 letters, digits, dots, dashes or underscores, starting with a letter or digit, other than "${PYPI_STORE_REPOSITORY}"`,
    description: "Name of the team repository (pypi-store is its upstream).",
  },
  codeArtifactExternalConnection: {
    section: "CodeArtifact",
    type: "boolean",
    defaultedBy: "CodeArtifactRepository.externalConnection",
    description: "Connect pypi-store to public PyPI; false freezes it to the packages it has already cached.",
  },
  codeArtifactKmsKeyArn: {
    section: "CodeArtifact",
    type: "string",
    pattern: KMS_KEY_ARN_PATTERN,
    allowed:
      "a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias)",
    description:
      "Existing KMS key (in the stack's region) for the domain; unset creates a key with rotation.",
  },
  codeArtifactReadAccounts: {
    section: "CodeArtifact",
    type: "array",
    pattern: ACCOUNT_ID_PATTERN,
    allowed: "a 12-digit AWS account id",
    description: "AWS account ids allowed to read the team repository.",
  },
  codeArtifactReadOrganizationId: {
    section: "CodeArtifact",
    type: "string",
    pattern: ORGANIZATION_ID_PATTERN,
    allowed: "an AWS Organizations id such as o-a1b2c3d4e5",
    description: "AWS Organizations id whose principals may read the team repository.",
  },
  codeArtifactNetwork: {
    section: "CodeArtifact",
    type: "string",
    default: "none",
    oneOf: ["none", "existing", "new"],
    description:
      "Private access through VPC interface endpoints: existing puts them into codeArtifactVpcId/codeArtifactSubnetIds, new creates a VPC of codeArtifactVpcCidr.",
  },
  codeArtifactVpcId: {
    section: "CodeArtifact",
    type: "string",
    pattern: /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/,
    allowed: "a VPC id such as vpc-0123456789abcdef0",
    description: "VPC that gets the endpoints when codeArtifactNetwork is existing.",
  },
  codeArtifactSubnetIds: {
    section: "CodeArtifact",
    type: "array",
    pattern: /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/,
    allowed: "a subnet id such as subnet-0123456789abcdef0",
    description:
      "Private subnets (one per availability zone) for the endpoints when codeArtifactNetwork is existing.",
  },
  codeArtifactVpcCidr: {
    section: "CodeArtifact",
    type: "string",
    default: "10.80.0.0/20",
    allowed: "an IPv4 network with a prefix from /16 to /24 such as 10.80.0.0/20",
    description: "CIDR of the isolated VPC created when codeArtifactNetwork is new.",
  },
  // ---- GitHub OIDC and CI roles ----
  githubOidc: {
    section: "GitHub OIDC and CI roles",
    type: "boolean",
    default: false,
    description:
      "Create the deployer, previewer and publisher roles that GitHub Actions (and Pulumi Deployments) assume through OIDC.",
  },
  githubOrg: {
    section: "GitHub OIDC and CI roles",
    type: "string",
    pattern: GITHUB_OWNER_PATTERN,
    allowed: "a GitHub organization or user name",
    description:
      "GitHub organization owning infraRepository and packageRepositories, spelled exactly as GitHub does.",
  },
  infraRepository: {
    section: "GitHub OIDC and CI roles",
    type: "string",
    ...REPOSITORY,
    description: "owner/repository of this program; the deployer and previewer trust its jobs.",
  },
  packageRepositories: {
    section: "GitHub OIDC and CI roles",
    type: "array",
    ...REPOSITORY,
    description:
      "owner/repository of each package repository whose CI publishes (assumes the publisher role).",
  },
  publisherTenants: {
    section: "GitHub OIDC and CI roles",
    type: "array",
    pattern: TENANT_PATTERN,
    allowed: "a tenant name",
    description: "Tenants whose part of the bucket the publisher role may write.",
  },
  oidcProviderMode: {
    section: "GitHub OIDC and CI roles",
    type: "string",
    default: "create",
    oneOf: ["create", "arn", "lookup"],
    description:
      "create (one stack per AWS account), lookup (find the account's providers by URL) or arn (oidcProviderArn, pulumiOidcProviderArn).",
  },
  oidcProviderArn: {
    section: "GitHub OIDC and CI roles",
    type: "string",
    pattern: oidcProviderArnPattern(GITHUB_OIDC_URL),
    allowed: oidcProviderArn("<account>", GITHUB_OIDC_URL),
    description:
      "ARN of the account's token.actions.githubusercontent.com provider when oidcProviderMode is arn.",
  },
  pulumiOidcProviderArn: {
    section: "GitHub OIDC and CI roles",
    type: "string",
    pattern: oidcProviderArnPattern(PULUMI_OIDC_URL),
    allowed: oidcProviderArn("<account>", PULUMI_OIDC_URL),
    description:
      "ARN of the account's api.pulumi.com/oidc provider when oidcProviderMode is arn and pulumiDeployments is true.",
  },
  deployerTrust: {
    section: "GitHub OIDC and CI roles",
    type: "array",
    allowed: "environment:<stack>, with this stack's name",
    description:
      "GitHub jobs that may assume the deployer besides Pulumi Deployments: none, or environment:<stack> only.",
  },
  publisherTrust: {
    section: "GitHub OIDC and CI roles",
    type: "array",
    allowed: "environment:<stack>, with this stack's name",
    description: "Jobs of packageRepositories that may publish: environment:<stack> only.",
  },
  pulumiDeployments: {
    section: "GitHub OIDC and CI roles",
    type: "boolean",
    default: false,
    description: "Let Pulumi Deployments of this stack (preview, update, refresh) assume the deployer role.",
  },
  pulumiOrganization: {
    section: "GitHub OIDC and CI roles",
    type: "string",
    pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/,
    allowed: "a Pulumi organization name",
    description: "Pulumi organization running the Deployments; the audience of its OIDC tokens.",
  },
} as const satisfies Record<string, ConfigKey>;

export type StackConfigSchema = typeof STACK_CONFIG;
export type StackConfigKey = keyof StackConfigSchema;

/** The reader of this program's stack configuration. */
export type StackConfigReader = ConfigReader<StackConfigSchema>;

export function stackConfigReader(source: ConfigSource): StackConfigReader {
  return new ConfigReader(source, STACK_CONFIG, PROJECT_NAME);
}
