/**
 * The one table of what `pulumi up` does in IAM terms: for every resource type the program can
 * declare, the actions Pulumi's AWS provider calls to create, read, update and delete one, and the
 * statement of the CI policies that allows each call — or why no CI role may make it (an
 * administrator's run does). `deployer.ts` and `readOnly.ts` build the policies from this table;
 * the deployer-coverage test turns each declared resource of every stack into the requests AWS
 * would authorize (ARN formats and condition keys from the Service Authorization Reference) and
 * simulates them against those policies.
 */
import { CLOUDFRONT_REGION } from "../../domain/cloudfront";
import { oidcProviderArn } from "../../domain/oidc";
import { CI_ROLE_PURPOSES } from "./stackScope";

/** One resource as the program declares it (what the Pulumi mocks and CrossGuard see). */
export interface DeclaredResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Readonly<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** The provider's answer: ids and ARNs AWS generates. */
  readonly outputs: Readonly<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** What a request needs to know about the stack beyond the resource itself. */
export interface StackFacts {
  readonly namePrefix: string;
  readonly accountId: string;
  /** The stack's region: resources without a `region` input live there. */
  readonly region: string;
  /** The provider's default tags: every taggable resource carries them from its creation. */
  readonly defaultTags: Readonly<Record<string, string>>;
  /** The physical name of a bucket the inputs refer to (by id or domain name). */
  bucketName(reference: string): string;
  /** The permissions boundary the program gives a role, by role name. */
  roleBoundary(roleName: string): string | undefined;
}

/**
 * When the provider makes a call: creating the resource (the request carries the default tags), on
 * the existing one (which carries them), or changing its tags other than `Stack` (which never moves).
 */
export type Phase = "create" | "existing" | "tagging";

/** Statements of the CI policies a call can be granted by (`deployer.ts`, `readOnly.ts`). */
export type StatementId =
  | "ReadConfiguration"
  | "ReadStackBuckets"
  | "ReadStackFunctions"
  | "ReadStackIdentity"
  | "ReadStackTables"
  | "ReadStackLogs"
  | "CreateCloudFrontObjects"
  | "CreateStackDistributions"
  | "TagNewDistributions"
  | "ManageStackCloudFront"
  | "GrantLogDelivery"
  | "ManageStackFunctions"
  | "GrantCloudFrontInvoke"
  | "ManageStackLogGroups"
  | "ManageStackWebAcl"
  | "ManageCustomDomainRecords"
  | "ManageBoundedRoles"
  | "TagStackRoles"
  | "PassStackRolesToLambda"
  | "CreateServiceLinkedRoles"
  | "ManageStackTables"
  | "CreateStackNetwork"
  | "TagNetworkOnCreate"
  | "ManageStackNetwork"
  | "ReachUntaggedNetworkParts";

type Of<T> = (resource: DeclaredResource, facts: StackFacts) => T;

interface CallBase {
  readonly actions: readonly string[];
  readonly phase: Phase;
  /** The ARN the call is authorized on; default: the resource's own. Wildcard-only actions: `"*"`. */
  readonly target?: Of<string>;
  /** The region AWS receives the call in; default: the resource's. */
  readonly region?: Of<string>;
  /**
   * Facts AWS knows about the call besides region and tags (`iam:PassedToService`, ...): each goes
   * into the request context only where the reference lists the key for that action.
   */
  readonly context?: Of<Readonly<Record<string, string | readonly string[]>>>;
  /** Only for some resources of the type (e.g. the CI roles among all roles). @default all */
  readonly appliesTo?: Of<boolean>;
  /** Neither the request nor the target carries the stack's tags (a group's rule, an existing VPC's subnet). */
  readonly untagged?: boolean;
}

/** A call some CI policy allows, or one that only an administrator's run may make. */
export type ProviderCall = CallBase &
  ({ readonly grantedBy: StatementId } | { readonly administratorOnly: string });

export interface ResourceAccess {
  /** The resource's own ARN (generated ids from the provider's outputs). */
  readonly arn?: Of<string>;
  /** The region its calls go to; default the resource's. Global services answer in us-east-1. */
  readonly region?: Of<string>;
  /** The resource's own policy, which IAM evaluates with the caller's (a KMS key policy). */
  readonly resourcePolicy?: Of<string | undefined>;
  readonly calls: readonly ProviderCall[];
}

/** Stands for an id AWS generates for a resource the program has not created yet. */
export const GENERATED_ID = "E2GENERATED0ID";

export const regionOf: Of<string> = (resource, facts) => resource.inputs.region ?? facts.region;
/** CloudFront, IAM and Route 53 are global: AWS receives their calls in us-east-1. */
const global: Of<string> = () => CLOUDFRONT_REGION;

const granted = (
  grantedBy: StatementId,
  phase: Phase,
  actions: readonly string[],
  more: Partial<CallBase> = {},
) => ({ grantedBy, phase, actions, ...more }) as ProviderCall;
const reads = (grantedBy: StatementId, actions: readonly string[], more: Partial<CallBase> = {}) =>
  granted(grantedBy, "existing", actions, more);
const administrator = (
  reason: string,
  phase: Phase,
  actions: readonly string[],
  more: Partial<CallBase> = {},
) => ({ administratorOnly: reason, phase, actions, ...more }) as ProviderCall;

const STORAGE =
  "Buckets hold the packages and the access logs. Their policy, public-access block, ownership, encryption, " +
  "versioning and lifecycle decide who reads the objects and how long they live: an administrator's run changes them.";
const CI_ROLES = "CI roles decide who may deploy and publish: an administrator's run changes them.";
const MANAGED_POLICIES =
  "Every managed policy the stack creates is attached to a CI role or meant for other principals, and the boundary caps the deployer's roles.";
const OIDC_PROVIDERS = "An OIDC provider is the account-wide anchor every CI role's trust points at.";
const TRUST = "A trust policy hands a role to someone else: the deployer never rewrites one.";
const CREDENTIALS =
  "The table holds every customer key: it is never deleted, and a replica set changes only in an administrator's run, " +
  "because DynamoDB seeds a new replica with the caller's item permissions (Scan, PutItem, ...) in the replica's region.";
const ENCRYPTION =
  "The key (and its policy) decides who can decrypt the CodeArtifact packages; CodeArtifact's domain and repositories " +
  "hold the packages and their policies share them: an administrator's run changes them.";
const CERTIFICATE =
  "ACM cannot tell the tags of a new certificate from a retag of an untagged one, so certificates are created and changed by an administrator.";

const bucketPart = (writes: readonly string[], readActions: readonly string[]): ResourceAccess => ({
  arn: (r, facts) => `arn:aws:s3:::${facts.bucketName(r.inputs.bucket)}`,
  calls: [administrator(STORAGE, "existing", writes), reads("ReadStackBuckets", readActions)],
});

/** A CloudFront object without tags: created on `*`, then managed only under its own ARN. */
const untaggableCloudFront = (noun: string): ResourceAccess => ({
  arn: (r) => r.outputs.arn,
  calls: [
    granted("CreateCloudFrontObjects", "create", [`cloudfront:Create${noun}`]),
    granted("ManageStackCloudFront", "existing", [`cloudfront:Update${noun}`, `cloudfront:Delete${noun}`]),
    reads("ReadConfiguration", [`cloudfront:Get${noun}`]),
  ],
  region: global,
});

const hasEdgeFunction: Of<boolean> = (r) =>
  (r.inputs.defaultCacheBehavior?.lambdaFunctionAssociations ?? []).length > 0;

/** Names of the AWS managed rule groups a web ACL's rules reference. */
const managedRuleGroups = (r: DeclaredResource): string[] =>
  (r.inputs.rules ?? []).flatMap(
    (rule: { statement?: { managedRuleGroupStatement?: { name: string } } }) =>
      rule.statement?.managedRuleGroupStatement?.name ?? [],
  );

const roleArn = (facts: StackFacts, roleName: string) => `arn:aws:iam::${facts.accountId}:role/${roleName}`;
const isCiRole = (facts: StackFacts, roleName: string) =>
  CI_ROLE_PURPOSES.some((purpose) => roleName === `${facts.namePrefix}-${purpose}`);
const boundaryOf = (facts: StackFacts, roleName: string): Record<string, string> => {
  const boundary = facts.roleBoundary(roleName);
  return boundary ? { "iam:PermissionsBoundary": boundary } : {};
};

/** Writes to a role (or its policies): the deployer's on bounded roles, the administrator's on CI roles. */
function roleWrites(
  role: Of<string>,
  phase: Phase,
  actions: readonly string[],
  grantedBy: StatementId,
): ProviderCall[] {
  const more: Partial<CallBase> = {
    target: (r, facts) => roleArn(facts, role(r, facts)),
    context: (r, facts) => boundaryOf(facts, role(r, facts)),
  };
  return [
    granted(grantedBy, phase, actions, {
      ...more,
      appliesTo: (r, facts) => !isCiRole(facts, role(r, facts)),
    }),
    administrator(CI_ROLES, phase, actions, {
      ...more,
      appliesTo: (r, facts) => isCiRole(facts, role(r, facts)),
    }),
  ];
}

/** A role's inline policy or policy attachment: written like the role it belongs to (`inputs.role`). */
const rolePart = (writes: readonly string[], read: string): ResourceAccess => ({
  arn: (r, facts) => roleArn(facts, r.inputs.role),
  region: global,
  calls: [
    ...roleWrites((r) => r.inputs.role, "existing", writes, "ManageBoundedRoles"),
    reads("ReadStackIdentity", [read]),
  ],
});

const serviceLinkedRole = (service: string): ProviderCall =>
  granted("CreateServiceLinkedRoles", "create", ["iam:CreateServiceLinkedRole"], {
    target: (_r, facts) =>
      `arn:aws:iam::${facts.accountId}:role/aws-service-role/${service}/AWSServiceRoleFor${GENERATED_ID}`,
    context: () => ({ "iam:AWSServiceName": service }),
    region: global,
  });

/** Route 53's normalized form of a record name: lowercase, no trailing dot. */
const normalizedRecordName = (name: string) => name.toLowerCase().replace(/\.$/, "");

const ec2Arn =
  (kind: string, id = GENERATED_ID): Of<string> =>
  (r, facts) =>
    `arn:aws:ec2:${regionOf(r, facts)}:${facts.accountId}:${kind}/${id}`;

/** An EC2 object created with the stack's tags (tag-on-create), then managed while it carries them. */
function ec2Object(kind: string, create: string, manage: readonly string[]): ProviderCall[] {
  const target = ec2Arn(kind);
  return [
    granted("CreateStackNetwork", "create", [`ec2:${create}`], { target }),
    granted("TagNetworkOnCreate", "create", ["ec2:CreateTags"], {
      target,
      context: () => ({ "ec2:CreateAction": create }),
    }),
    granted("ManageStackNetwork", "existing", manage, { target }),
    granted("ManageStackNetwork", "tagging", ["ec2:CreateTags", "ec2:DeleteTags"], { target }),
  ];
}

/** What the provider describes around the network resources (all on `*`: EC2 has no scoping for them). */
const EC2_DESCRIBE = [
  "ec2:DescribeVpcs",
  "ec2:DescribeSubnets",
  "ec2:DescribeRouteTables",
  "ec2:DescribeAvailabilityZones",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeSecurityGroupRules",
  "ec2:DescribeVpcEndpoints",
  "ec2:DescribePrefixLists",
  "ec2:DescribeNetworkInterfaces",
];

export const DEPLOYER_ACCESS: Readonly<Record<string, ResourceAccess>> = {
  "pulumi:providers:aws": { calls: [] }, // sts:GetCallerIdentity needs no permission

  // ---- S3: the administrator's ------------------------------------------------------------------
  "aws:s3/bucket:Bucket": {
    arn: (r, facts) => `arn:aws:s3:::${facts.bucketName(`${r.name}-id`)}`,
    calls: [
      administrator(STORAGE, "create", ["s3:CreateBucket", "s3:PutBucketTagging"]),
      administrator(STORAGE, "existing", ["s3:DeleteBucket", "s3:PutBucketTagging"]),
      reads("ReadStackBuckets", [
        "s3:ListBucket",
        "s3:GetBucketTagging",
        "s3:GetBucketAcl",
        "s3:GetBucketCORS",
        "s3:GetBucketWebsite",
        "s3:GetBucketLogging",
        "s3:GetBucketPolicy",
        "s3:GetBucketRequestPayment",
        "s3:GetBucketObjectLockConfiguration",
        "s3:GetAccelerateConfiguration",
        "s3:GetReplicationConfiguration",
      ]),
    ],
  },
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": bucketPart(
    ["s3:PutBucketPublicAccessBlock"],
    ["s3:GetBucketPublicAccessBlock"],
  ),
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": bucketPart(
    ["s3:PutBucketOwnershipControls"],
    ["s3:GetBucketOwnershipControls"],
  ),
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": bucketPart(
    ["s3:PutEncryptionConfiguration"],
    ["s3:GetEncryptionConfiguration"],
  ),
  "aws:s3/bucketVersioning:BucketVersioning": bucketPart(
    ["s3:PutBucketVersioning"],
    ["s3:GetBucketVersioning"],
  ),
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": bucketPart(
    ["s3:PutLifecycleConfiguration"],
    ["s3:GetLifecycleConfiguration"],
  ),
  "aws:s3/bucketPolicy:BucketPolicy": bucketPart(
    ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"],
    ["s3:GetBucketPolicy"],
  ),

  // ---- CloudFront -------------------------------------------------------------------------------
  "aws:cloudfront/originAccessControl:OriginAccessControl": untaggableCloudFront("OriginAccessControl"),
  "aws:cloudfront/cachePolicy:CachePolicy": untaggableCloudFront("CachePolicy"),
  "aws:cloudfront/originRequestPolicy:OriginRequestPolicy": untaggableCloudFront("OriginRequestPolicy"),
  "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": untaggableCloudFront("ResponseHeadersPolicy"),
  "aws:cloudfront/distribution:Distribution": {
    arn: (r) => r.outputs.arn,
    region: global,
    calls: [
      granted("CreateStackDistributions", "create", ["cloudfront:CreateDistribution"]),
      // CreateDistributionWithTags is authorized as CreateDistribution plus TagResource on the new one.
      granted("TagNewDistributions", "create", ["cloudfront:TagResource"]),
      granted("ManageStackCloudFront", "existing", [
        "cloudfront:UpdateDistribution",
        "cloudfront:DeleteDistribution",
      ]),
      granted("ManageStackCloudFront", "tagging", ["cloudfront:TagResource", "cloudfront:UntagResource"]),
      reads("ReadConfiguration", [
        "cloudfront:GetDistribution",
        "cloudfront:GetDistributionConfig",
        "cloudfront:ListTagsForResource",
      ]),
      // Lambda@Edge: CloudFront replicates the numbered version and logs through service-linked roles.
      ...(["ReadStackFunctions", "ManageStackFunctions"] as const).map((grantedBy) =>
        granted(
          grantedBy,
          "existing",
          grantedBy === "ReadStackFunctions"
            ? ["lambda:GetFunction"]
            : ["lambda:EnableReplication", "lambda:DisableReplication"],
          {
            appliesTo: hasEdgeFunction,
            target: (r) => r.inputs.defaultCacheBehavior.lambdaFunctionAssociations[0].lambdaArn,
          },
        ),
      ),
      { ...serviceLinkedRole("replicator.lambda.amazonaws.com"), appliesTo: hasEdgeFunction },
      { ...serviceLinkedRole("logger.cloudfront.amazonaws.com"), appliesTo: hasEdgeFunction },
      // Standard logging gives CloudFront's log-delivery account a grant in the log bucket's ACL.
      ...(["ReadStackBuckets", "GrantLogDelivery"] as const).map((grantedBy) =>
        granted(
          grantedBy,
          "existing",
          grantedBy === "ReadStackBuckets" ? ["s3:GetBucketAcl"] : ["s3:PutBucketAcl"],
          {
            appliesTo: (r) => r.inputs.loggingConfig?.bucket !== undefined,
            target: (r, facts) => `arn:aws:s3:::${facts.bucketName(r.inputs.loggingConfig.bucket)}`,
            region: (_r, facts) => facts.region,
          },
        ),
      ),
      reads("ReadConfiguration", ["wafv2:GetWebACL"], {
        appliesTo: (r) => r.inputs.webAclId !== undefined,
        target: (r) => r.inputs.webAclId,
      }),
    ],
  },
  "aws:wafv2/webAcl:WebAcl": {
    arn: (r, facts) =>
      `arn:aws:wafv2:${regionOf(r, facts)}:${facts.accountId}:global/webacl/${r.inputs.name}/${GENERATED_ID}`,
    calls: [
      granted("ManageStackWebAcl", "create", ["wafv2:CreateWebACL"]),
      // A web ACL that references AWS managed rule groups is authorized on each of them too.
      granted("ManageStackWebAcl", "create", ["wafv2:CreateWebACL", "wafv2:UpdateWebACL"], {
        target: (r, facts) =>
          `arn:aws:wafv2:${regionOf(r, facts)}:${facts.accountId}:global/managedruleset/${managedRuleGroups(r)[0]}/${GENERATED_ID}`,
        appliesTo: (r) => managedRuleGroups(r).length > 0,
      }),
      granted("ManageStackWebAcl", "existing", ["wafv2:UpdateWebACL", "wafv2:DeleteWebACL"]),
      granted("ManageStackWebAcl", "tagging", ["wafv2:TagResource", "wafv2:UntagResource"]),
      reads("ReadConfiguration", ["wafv2:GetWebACL", "wafv2:ListTagsForResource"]),
    ],
  },
  "aws:acm/certificate:Certificate": {
    arn: (r) => r.outputs.arn,
    calls: [
      administrator(CERTIFICATE, "create", ["acm:RequestCertificate", "acm:AddTagsToCertificate"]),
      administrator(CERTIFICATE, "existing", ["acm:DeleteCertificate"]),
      administrator(CERTIFICATE, "tagging", ["acm:AddTagsToCertificate", "acm:RemoveTagsFromCertificate"]),
      reads("ReadConfiguration", ["acm:DescribeCertificate", "acm:ListTagsForCertificate"]),
    ],
  },
  "aws:acm/certificateValidation:CertificateValidation": {
    arn: (r) => r.inputs.certificateArn,
    calls: [reads("ReadConfiguration", ["acm:DescribeCertificate"])],
  },
  "aws:route53/record:Record": {
    arn: (r) => `arn:aws:route53:::hostedzone/${r.inputs.zoneId}`,
    region: global,
    calls: [
      granted("ManageCustomDomainRecords", "existing", ["route53:ChangeResourceRecordSets"], {
        context: (r) => ({
          "route53:ChangeResourceRecordSetsNormalizedRecordNames": [normalizedRecordName(r.inputs.name)],
        }),
      }),
      reads("ReadConfiguration", ["route53:ListResourceRecordSets", "route53:GetHostedZone"]),
      reads("ReadConfiguration", ["route53:GetChange"], {
        target: () => `arn:aws:route53:::change/${GENERATED_ID}`,
      }),
    ],
  },

  // ---- edge function ----------------------------------------------------------------------------
  "aws:lambda/function:Function": {
    arn: (r, facts) => `arn:aws:lambda:${regionOf(r, facts)}:${facts.accountId}:function:${r.inputs.name}`,
    calls: [
      granted("ManageStackFunctions", "create", ["lambda:CreateFunction"]),
      granted("ManageStackFunctions", "existing", [
        "lambda:UpdateFunctionCode",
        "lambda:UpdateFunctionConfiguration",
        "lambda:PublishVersion",
        "lambda:DeleteFunction",
      ]),
      granted("ManageStackFunctions", "tagging", ["lambda:TagResource", "lambda:UntagResource"]),
      reads("ReadStackFunctions", [
        "lambda:GetFunction",
        "lambda:GetFunctionConfiguration",
        "lambda:GetFunctionCodeSigningConfig",
        "lambda:GetFunctionConcurrency",
        "lambda:GetFunctionRecursionConfig",
        "lambda:GetRuntimeManagementConfig",
        "lambda:GetPolicy",
        "lambda:ListVersionsByFunction",
        "lambda:ListTags",
      ]),
      granted("PassStackRolesToLambda", "create", ["iam:PassRole"], {
        target: (r) => r.inputs.role,
        context: () => ({ "iam:PassedToService": "lambda.amazonaws.com" }),
      }),
    ],
  },
  // ---- upload function: its URL and who may invoke it --------------------------------------------
  "aws:lambda/functionUrl:FunctionUrl": {
    arn: (r, facts) =>
      `arn:aws:lambda:${regionOf(r, facts)}:${facts.accountId}:function:${r.inputs.functionName}`,
    calls: [
      granted("ManageStackFunctions", "create", ["lambda:CreateFunctionUrlConfig"], {
        context: (r) => ({ "lambda:FunctionUrlAuthType": r.inputs.authorizationType }),
      }),
      granted(
        "ManageStackFunctions",
        "existing",
        ["lambda:UpdateFunctionUrlConfig", "lambda:DeleteFunctionUrlConfig"],
        {
          context: (r) => ({ "lambda:FunctionUrlAuthType": r.inputs.authorizationType }),
        },
      ),
      reads("ReadStackFunctions", ["lambda:GetFunctionUrlConfig"]),
    ],
  },
  // A resource policy says who may invoke the function: the deployer may grant CloudFront only.
  "aws:lambda/permission:Permission": {
    arn: (r, facts) =>
      `arn:aws:lambda:${regionOf(r, facts)}:${facts.accountId}:function:${r.inputs.function}`,
    calls: [
      granted("GrantCloudFrontInvoke", "existing", ["lambda:AddPermission", "lambda:RemovePermission"], {
        context: (r) => ({
          "lambda:Principal": r.inputs.principal,
          ...(r.inputs.functionUrlAuthType
            ? { "lambda:FunctionUrlAuthType": r.inputs.functionUrlAuthType }
            : {}),
        }),
      }),
      reads("ReadStackFunctions", ["lambda:GetPolicy"]),
    ],
  },
  "aws:cloudwatch/logGroup:LogGroup": {
    arn: (r, facts) => `arn:aws:logs:${regionOf(r, facts)}:${facts.accountId}:log-group:${r.inputs.name}`,
    calls: [
      granted("ManageStackLogGroups", "create", ["logs:CreateLogGroup"]),
      granted("ManageStackLogGroups", "existing", [
        "logs:PutRetentionPolicy",
        "logs:DeleteRetentionPolicy",
        "logs:DeleteLogGroup",
      ]),
      granted("ManageStackLogGroups", "tagging", ["logs:TagResource", "logs:UntagResource"]),
      reads("ReadConfiguration", ["logs:DescribeLogGroups"]),
      reads("ReadStackLogs", ["logs:ListTagsForResource"]),
    ],
  },

  // ---- IAM --------------------------------------------------------------------------------------
  "aws:iam/role:Role": {
    arn: (r, facts) => roleArn(facts, r.inputs.name),
    region: global,
    calls: [
      ...roleWrites((r) => r.inputs.name, "create", ["iam:CreateRole"], "ManageBoundedRoles"),
      ...roleWrites((r) => r.inputs.name, "create", ["iam:TagRole"], "TagStackRoles"),
      ...roleWrites(
        (r) => r.inputs.name,
        "existing",
        ["iam:PutRolePermissionsBoundary", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:DeleteRole"],
        "ManageBoundedRoles",
      ),
      ...roleWrites((r) => r.inputs.name, "tagging", ["iam:TagRole", "iam:UntagRole"], "TagStackRoles"),
      administrator(TRUST, "existing", ["iam:UpdateAssumeRolePolicy"], {
        context: (r, facts) => boundaryOf(facts, r.inputs.name),
      }),
      reads("ReadStackIdentity", [
        "iam:GetRole",
        "iam:ListRolePolicies",
        "iam:ListAttachedRolePolicies",
        "iam:ListInstanceProfilesForRole",
      ]),
    ],
  },
  "aws:iam/rolePolicy:RolePolicy": rolePart(
    ["iam:PutRolePolicy", "iam:DeleteRolePolicy"],
    "iam:GetRolePolicy",
  ),
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": rolePart(
    ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
    "iam:ListAttachedRolePolicies",
  ),
  "aws:iam/policy:Policy": {
    arn: (r, facts) => `arn:aws:iam::${facts.accountId}:policy/${r.inputs.name}`,
    region: global,
    calls: [
      administrator(MANAGED_POLICIES, "create", ["iam:CreatePolicy", "iam:TagPolicy"]),
      administrator(MANAGED_POLICIES, "existing", [
        "iam:CreatePolicyVersion",
        "iam:SetDefaultPolicyVersion",
        "iam:DeletePolicyVersion",
        "iam:DeletePolicy",
      ]),
      administrator(MANAGED_POLICIES, "tagging", ["iam:TagPolicy", "iam:UntagPolicy"]),
      reads("ReadStackIdentity", [
        "iam:GetPolicy",
        "iam:GetPolicyVersion",
        "iam:ListPolicyVersions",
        "iam:ListPolicyTags",
      ]),
    ],
  },
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
    region: global,
    arn: (r, facts) => oidcProviderArn(facts.accountId, String(r.inputs.url)),
    calls: [
      administrator(OIDC_PROVIDERS, "create", [
        "iam:CreateOpenIDConnectProvider",
        "iam:TagOpenIDConnectProvider",
      ]),
      administrator(OIDC_PROVIDERS, "existing", [
        "iam:DeleteOpenIDConnectProvider",
        "iam:AddClientIDToOpenIDConnectProvider",
        "iam:RemoveClientIDFromOpenIDConnectProvider",
        "iam:UpdateOpenIDConnectProviderThumbprint",
      ]),
      reads("ReadStackIdentity", ["iam:GetOpenIDConnectProvider"]),
    ],
  },

  // ---- credentials table ------------------------------------------------------------------------
  "aws:dynamodb/table:Table": {
    arn: (r, facts) => `arn:aws:dynamodb:${regionOf(r, facts)}:${facts.accountId}:table/${r.inputs.name}`,
    calls: [
      granted("ManageStackTables", "create", ["dynamodb:CreateTable"]),
      granted("ManageStackTables", "existing", [
        "dynamodb:UpdateTable",
        "dynamodb:UpdateContinuousBackups",
        "dynamodb:UpdateTimeToLive",
      ]),
      granted("ManageStackTables", "tagging", ["dynamodb:TagResource", "dynamodb:UntagResource"]),
      administrator(CREDENTIALS, "existing", [
        "dynamodb:DeleteTable",
        "dynamodb:CreateTableReplica",
        "dynamodb:DeleteTableReplica",
      ]),
      reads("ReadStackTables", [
        "dynamodb:DescribeTable",
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:DescribeTimeToLive",
        "dynamodb:ListTagsOfResource",
      ]),
      // The replicas: settings are the deployer's, their creation (seeded with item writes) is not.
      ...[0, 1, 2].flatMap((i): ProviderCall[] => {
        const replica = {
          appliesTo: ((r) => (r.inputs.replicas ?? []).length > i) as Of<boolean>,
          region: ((r) => r.inputs.replicas[i].regionName) as Of<string>,
          target: ((r, facts) =>
            `arn:aws:dynamodb:${r.inputs.replicas[i].regionName}:${facts.accountId}:table/${r.inputs.name}`) as Of<string>,
        };
        return [
          granted(
            "ManageStackTables",
            "existing",
            ["dynamodb:UpdateTable", "dynamodb:UpdateContinuousBackups"],
            replica,
          ),
          reads("ReadStackTables", ["dynamodb:DescribeTable", "dynamodb:DescribeContinuousBackups"], replica),
          administrator(
            CREDENTIALS,
            "existing",
            [
              "dynamodb:DeleteTable",
              "dynamodb:Scan",
              "dynamodb:Query",
              "dynamodb:GetItem",
              "dynamodb:PutItem",
              "dynamodb:UpdateItem",
              "dynamodb:DeleteItem",
            ],
            replica,
          ),
        ];
      }),
    ],
  },

  // ---- CodeArtifact: the administrator's --------------------------------------------------------
  "aws:kms/key:Key": {
    arn: (r) => r.outputs.arn,
    resourcePolicy: (r) => r.inputs.policy,
    calls: [
      administrator(ENCRYPTION, "create", ["kms:CreateKey", "kms:TagResource"]),
      administrator(ENCRYPTION, "existing", [
        "kms:PutKeyPolicy",
        "kms:EnableKeyRotation",
        "kms:DisableKeyRotation",
        "kms:UpdateKeyDescription",
        "kms:ScheduleKeyDeletion",
        "kms:CreateGrant",
      ]),
      administrator(ENCRYPTION, "tagging", ["kms:TagResource", "kms:UntagResource"]),
      reads("ReadConfiguration", [
        "kms:DescribeKey",
        "kms:GetKeyPolicy",
        "kms:GetKeyRotationStatus",
        "kms:ListResourceTags",
      ]),
    ],
  },
  "aws:kms/alias:Alias": {
    arn: (r, facts) => `arn:aws:kms:${regionOf(r, facts)}:${facts.accountId}:${r.inputs.name}`,
    calls: [
      administrator(ENCRYPTION, "create", ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"]),
      reads("ReadConfiguration", ["kms:ListAliases"]),
    ],
  },
  "aws:codeartifact/domain:Domain": {
    arn: (r) => r.outputs.arn,
    calls: [
      administrator(ENCRYPTION, "create", ["codeartifact:CreateDomain", "codeartifact:TagResource"]),
      administrator(ENCRYPTION, "existing", ["codeartifact:DeleteDomain"]),
      administrator(ENCRYPTION, "tagging", ["codeartifact:TagResource", "codeartifact:UntagResource"]),
      reads("ReadConfiguration", ["codeartifact:DescribeDomain", "codeartifact:ListTagsForResource"]),
    ],
  },
  "aws:codeartifact/repository:Repository": {
    arn: (r) => r.outputs.arn,
    calls: [
      administrator(ENCRYPTION, "create", ["codeartifact:CreateRepository", "codeartifact:TagResource"]),
      administrator(ENCRYPTION, "existing", [
        "codeartifact:UpdateRepository",
        "codeartifact:DeleteRepository",
        "codeartifact:AssociateExternalConnection",
        "codeartifact:DisassociateExternalConnection",
      ]),
      administrator(ENCRYPTION, "tagging", ["codeartifact:TagResource", "codeartifact:UntagResource"]),
      reads("ReadConfiguration", ["codeartifact:DescribeRepository", "codeartifact:ListTagsForResource"]),
    ],
  },
  "aws:codeartifact/domainPermissions:DomainPermissions": {
    arn: (r, facts) =>
      `arn:aws:codeartifact:${regionOf(r, facts)}:${facts.accountId}:domain/${r.inputs.domain}`,
    calls: [
      administrator(ENCRYPTION, "existing", [
        "codeartifact:PutDomainPermissionsPolicy",
        "codeartifact:DeleteDomainPermissionsPolicy",
      ]),
      reads("ReadConfiguration", ["codeartifact:GetDomainPermissionsPolicy"]),
    ],
  },
  "aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy": {
    arn: (r, facts) =>
      `arn:aws:codeartifact:${regionOf(r, facts)}:${facts.accountId}:repository/${r.inputs.domain}/${r.inputs.repository}`,
    calls: [
      administrator(ENCRYPTION, "existing", [
        "codeartifact:PutRepositoryPermissionsPolicy",
        "codeartifact:DeleteRepositoryPermissionsPolicy",
      ]),
      reads("ReadConfiguration", ["codeartifact:GetRepositoryPermissionsPolicy"]),
    ],
  },

  // ---- CodeArtifact network ---------------------------------------------------------------------
  // awsx builds the VPC's children with the program's provider: they carry the default tags too.
  "awsx:ec2:Vpc": {
    calls: [
      ...ec2Object("vpc", "CreateVpc", [
        "ec2:ModifyVpcAttribute",
        "ec2:DeleteVpc",
        "ec2:CreateSubnet",
        "ec2:CreateRouteTable",
      ]),
      ...ec2Object("subnet", "CreateSubnet", [
        "ec2:DeleteSubnet",
        "ec2:AssociateRouteTable",
        "ec2:ModifySubnetAttribute",
      ]),
      ...ec2Object("route-table", "CreateRouteTable", [
        "ec2:AssociateRouteTable",
        "ec2:DisassociateRouteTable",
        "ec2:DeleteRouteTable",
      ]),
      reads("ReadConfiguration", EC2_DESCRIBE),
      reads("ReadConfiguration", ["ec2:DescribeVpcAttribute"], { target: ec2Arn("vpc") }),
    ],
  },
  "aws:ec2/securityGroup:SecurityGroup": {
    calls: [
      // The VPC may be an existing one without the stack's tags: only the request carries them.
      granted("CreateStackNetwork", "create", ["ec2:CreateSecurityGroup"], { target: ec2Arn("vpc") }),
      ...ec2Object("security-group", "CreateSecurityGroup", [
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:AuthorizeSecurityGroupEgress",
        // The provider removes the default allow-all egress rule of a new group.
        "ec2:RevokeSecurityGroupEgress",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:DeleteSecurityGroup",
      ]),
      // Its rules are authorized as new security-group rules too, created without tags.
      granted(
        "ReachUntaggedNetworkParts",
        "create",
        ["ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress"],
        {
          target: ec2Arn("security-group-rule"),
          untagged: true,
        },
      ),
      reads("ReadConfiguration", EC2_DESCRIBE),
    ],
  },
  "aws:ec2/vpcEndpoint:VpcEndpoint": {
    calls: [
      // The VPC and subnets may be existing ones without the stack's tags: only the request carries them.
      ...["vpc", "subnet", "security-group"].map((kind) =>
        granted("CreateStackNetwork", "create", ["ec2:CreateVpcEndpoint"], { target: ec2Arn(kind) }),
      ),
      ...ec2Object("vpc-endpoint", "CreateVpcEndpoint", ["ec2:ModifyVpcEndpoint", "ec2:DeleteVpcEndpoints"]),
      granted("ReachUntaggedNetworkParts", "existing", ["ec2:ModifyVpcEndpoint"], {
        target: ec2Arn("subnet"),
        untagged: true,
      }),
      reads("ReadConfiguration", EC2_DESCRIBE),
    ],
  },
};

/** The table entry of a declared resource; an unknown type is an error saying where to add it. */
export function accessOf(resource: DeclaredResource): ResourceAccess {
  const access = DEPLOYER_ACCESS[resource.type];
  if (!access) {
    throw new Error(
      `No IAM access is known for resource type ${resource.type} (${resource.name}): add it to DEPLOYER_ACCESS in ` +
        "components/policies/deployerAccess.ts with the actions Pulumi's AWS provider calls to create, read, update " +
        "and delete it, and the statement that grants each (or why only an administrator may).",
    );
  }
  return access;
}

/** Every action the table assigns to one statement, sorted. */
export function actionsGrantedBy(statement: StatementId): string[] {
  const actions = Object.values(DEPLOYER_ACCESS).flatMap((access) =>
    access.calls.flatMap((call) => ("grantedBy" in call && call.grantedBy === statement ? call.actions : [])),
  );
  return [...new Set(actions)].sort();
}
