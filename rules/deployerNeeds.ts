/**
 * What `pulumi up` needs from IAM, per resource type the program can declare: the actions
 * Pulumi's AWS provider calls to create, read, update and delete one resource, on that resource's
 * ARN, with the condition keys AWS puts in the request. The deployer-coverage test evaluates every
 * stack's deployer policy against these requests, so a new resource type without an entry, or a
 * policy that misses an action, fails before a deployment does.
 *
 * Resources of the identity layer (CI roles, managed policies, OIDC providers, the boundary) are
 * an administrator's: for them the table lists the writes the deployer must NOT be able to make.
 */
import { boundaryPolicyName, CI_ROLE_PURPOSES } from "../components/policies/stackScope";
import { AccessRequest, RequestContext } from "./policyEvaluation";
import { CLOUDFRONT_REGION } from "../domain/cloudfront";

/** One resource as the program declares it (what Pulumi's mocks record). */
export interface DeclaredResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Readonly<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface StackFacts {
  readonly namePrefix: string;
  readonly accountId: string;
  /** The stack's region: resources without a `region` input live there. */
  readonly region: string;
  /** The physical bucket name behind a reference to a bucket (its id or domain name). */
  bucketName(reference: string): string;
  /** The provider's default tags (`index.ts`): every taggable resource carries them from creation. */
  readonly defaultTags: Readonly<Record<string, string>>;
  /** The permissions boundary a role the program declares carries, by role name. */
  roleBoundary(roleName: string): string | undefined;
}

export type ResourceNeeds =
  | { readonly manager: "deployer"; readonly requests: readonly AccessRequest[] }
  | {
      readonly manager: "administrator";
      readonly reason: string;
      /** Writes the deployer must not be able to make. */
      readonly writes: readonly AccessRequest[];
      /** Reads the deployer needs for `pulumi up --refresh` all the same. */
      readonly reads: readonly AccessRequest[];
    }
  | { readonly manager: "none"; readonly reason: string };

type NeedsOf = (resource: DeclaredResource, stack: StackFacts) => ResourceNeeds;

/** Stands for an id AWS generates (distribution, key, certificate, ...). */
export const GENERATED_ID = "E2GENERATED0ID";

const GLOBAL_SERVICE_REGION = CLOUDFRONT_REGION;

function on(resource: string, actions: readonly string[], context: RequestContext = {}): AccessRequest[] {
  return actions.map((action) => ({ action, resource, context }));
}

const regionOf = (resource: DeclaredResource, stack: StackFacts): string =>
  resource.inputs.region ?? stack.region;
const inRegion = (region: string, extra: RequestContext = {}): RequestContext => ({
  "aws:RequestedRegion": region,
  ...extra,
});
const globalService = (extra: RequestContext = {}) => inRegion(GLOBAL_SERVICE_REGION, extra);

/** A create request that tags the new resource with the provider's default tags. */
const creating = (stack: StackFacts, region: string, extra: RequestContext = {}): RequestContext => ({
  ...inRegion(region, extra),
  ...Object.fromEntries(
    Object.entries(stack.defaultTags).map(([key, value]) => [`aws:RequestTag/${key}`, value]),
  ),
  "aws:TagKeys": Object.keys(stack.defaultTags),
});
/** A request on a resource the stack created: it carries the default tags. */
const existing = (stack: StackFacts, region: string): RequestContext => ({
  ...inRegion(region),
  ...Object.fromEntries(
    Object.entries(stack.defaultTags).map(([key, value]) => [`aws:ResourceTag/${key}`, value]),
  ),
});
/** EC2 tag-on-create: CreateTags is authorized with the create action that carries the tags. */
const taggedBy = (stack: StackFacts, region: string, createAction: string) =>
  creating(stack, region, { "ec2:CreateAction": createAction });

const deployer = (...requests: AccessRequest[][]): ResourceNeeds => ({
  manager: "deployer",
  requests: requests.flat(),
});

/** A bucket sub-resource: its actions on the bucket it configures. */
function bucketPart(actions: readonly string[]): NeedsOf {
  return (resource, stack) =>
    deployer(
      on(
        `arn:aws:s3:::${stack.bucketName(resource.inputs.bucket)}`,
        actions,
        inRegion(regionOf(resource, stack)),
      ),
    );
}

/** A CloudFront object with a generated id and the usual Create/Get/Update/Delete quartet. */
function cloudFrontObject(kind: string, noun: string): NeedsOf {
  return (_resource, stack) =>
    deployer(
      on(
        `arn:aws:cloudfront::${stack.accountId}:${kind}/${GENERATED_ID}`,
        ["Create", "Get", "Update", "Delete"].map((verb) => `cloudfront:${verb}${noun}`),
        globalService(),
      ),
    );
}

const roleArn = (stack: StackFacts, roleName: string) => `arn:aws:iam::${stack.accountId}:role/${roleName}`;
const isCiRole = (stack: StackFacts, roleName: string) =>
  CI_ROLE_PURPOSES.some((purpose) => roleName === `${stack.namePrefix}-${purpose}`);

const ADMINISTRATOR_ROLES =
  "CI roles decide who may deploy and publish: only an administrator's run changes them (README: bootstrap).";

/** Permission-granting writes on a role, with the boundary the role carries in the request. */
function roleWrites(stack: StackFacts, roleName: string, actions: readonly string[]): AccessRequest[] {
  const boundary = stack.roleBoundary(roleName);
  return on(
    roleArn(stack, roleName),
    actions,
    globalService(boundary ? { "iam:PermissionsBoundary": boundary } : {}),
  );
}

function roleNeeds(
  stack: StackFacts,
  roleName: string,
  writes: readonly string[],
  reads: readonly string[],
): ResourceNeeds {
  const readRequests = on(roleArn(stack, roleName), reads, globalService());
  if (isCiRole(stack, roleName)) {
    return {
      manager: "administrator",
      reason: ADMINISTRATOR_ROLES,
      writes: roleWrites(stack, roleName, writes),
      reads: readRequests,
    };
  }
  return deployer(roleWrites(stack, roleName, writes), readRequests);
}

const serviceLinkedRole = (stack: StackFacts, service: string): AccessRequest => ({
  action: "iam:CreateServiceLinkedRole",
  resource: `arn:aws:iam::${stack.accountId}:role/aws-service-role/${service}/AWSServiceRoleFor${GENERATED_ID}`,
  context: globalService({ "iam:AWSServiceName": service }),
});

/** Route 53's normalized form of a record name: lowercase, no trailing dot. */
const normalizedRecordName = (name: string) => name.toLowerCase().replace(/\.$/, "");

export const DEPLOYER_NEEDS: Readonly<Record<string, NeedsOf>> = {
  "pulumi:providers:aws": () => ({
    manager: "none",
    reason: "The provider itself calls only sts:GetCallerIdentity, which needs no permission.",
  }),

  // ---- S3 -------------------------------------------------------------------------------------
  "aws:s3/bucket:Bucket": (resource, stack) =>
    deployer(
      on(
        `arn:aws:s3:::${resource.inputs.bucketPrefix}${GENERATED_ID.toLowerCase()}`,
        [
          "s3:CreateBucket",
          "s3:DeleteBucket",
          "s3:ListBucket",
          "s3:GetBucketTagging",
          "s3:PutBucketTagging",
          "s3:GetBucketAcl",
          "s3:GetBucketCors",
          "s3:GetBucketWebsite",
          "s3:GetBucketLogging",
          "s3:GetBucketPolicy",
          "s3:GetBucketRequestPayment",
          "s3:GetBucketObjectLockConfiguration",
          "s3:GetAccelerateConfiguration",
          "s3:GetReplicationConfiguration",
        ],
        inRegion(regionOf(resource, stack)),
      ),
    ),
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": bucketPart([
    "s3:PutBucketPublicAccessBlock",
    "s3:GetBucketPublicAccessBlock",
  ]),
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": bucketPart([
    "s3:PutBucketOwnershipControls",
    "s3:GetBucketOwnershipControls",
  ]),
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": bucketPart([
    "s3:PutEncryptionConfiguration",
    "s3:GetEncryptionConfiguration",
  ]),
  "aws:s3/bucketVersioning:BucketVersioning": bucketPart([
    "s3:PutBucketVersioning",
    "s3:GetBucketVersioning",
  ]),
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": bucketPart([
    "s3:PutLifecycleConfiguration",
    "s3:GetLifecycleConfiguration",
  ]),
  "aws:s3/bucketPolicy:BucketPolicy": bucketPart([
    "s3:PutBucketPolicy",
    "s3:GetBucketPolicy",
    "s3:DeleteBucketPolicy",
  ]),

  // ---- CloudFront -----------------------------------------------------------------------------
  "aws:cloudfront/originAccessControl:OriginAccessControl": cloudFrontObject(
    "origin-access-control",
    "OriginAccessControl",
  ),
  "aws:cloudfront/cachePolicy:CachePolicy": cloudFrontObject("cache-policy", "CachePolicy"),
  "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": cloudFrontObject(
    "response-headers-policy",
    "ResponseHeadersPolicy",
  ),
  "aws:cloudfront/distribution:Distribution": (resource, stack) => {
    const { inputs } = resource;
    const associations: { lambdaArn: string }[] =
      inputs.defaultCacheBehavior?.lambdaFunctionAssociations ?? [];
    const logBucket: string | undefined = inputs.loggingConfig?.bucket;
    const distribution = `arn:aws:cloudfront::${stack.accountId}:distribution/${GENERATED_ID}`;
    return deployer(
      on(
        distribution,
        ["cloudfront:CreateDistribution", "cloudfront:CreateDistributionWithTags", "cloudfront:TagResource"],
        creating(stack, GLOBAL_SERVICE_REGION),
      ),
      on(
        distribution,
        [
          "cloudfront:GetDistribution",
          "cloudfront:GetDistributionConfig",
          "cloudfront:UpdateDistribution",
          "cloudfront:DeleteDistribution",
          "cloudfront:TagResource",
          "cloudfront:UntagResource",
          "cloudfront:ListTagsForResource",
        ],
        existing(stack, GLOBAL_SERVICE_REGION),
      ),
      // Lambda@Edge: CloudFront replicates the numbered version and logs through service-linked roles.
      ...associations.map(({ lambdaArn }) =>
        on(
          lambdaArn,
          ["lambda:GetFunction", "lambda:EnableReplication", "lambda:DisableReplication"],
          inRegion(CLOUDFRONT_REGION),
        ),
      ),
      associations.length > 0
        ? [
            serviceLinkedRole(stack, "replicator.lambda.amazonaws.com"),
            serviceLinkedRole(stack, "logger.cloudfront.amazonaws.com"),
          ]
        : [],
      // Standard logging gives CloudFront's log-delivery account a grant in the bucket ACL.
      logBucket
        ? on(
            `arn:aws:s3:::${stack.bucketName(logBucket)}`,
            ["s3:GetBucketAcl", "s3:PutBucketAcl"],
            inRegion(stack.region),
          )
        : [],
      inputs.webAclId ? on(inputs.webAclId, ["wafv2:GetWebACL"], inRegion(CLOUDFRONT_REGION)) : [],
    );
  },
  "aws:wafv2/webAcl:WebAcl": (resource, stack) =>
    deployer(
      on(
        `arn:aws:wafv2:${regionOf(resource, stack)}:${stack.accountId}:global/webacl/${resource.inputs.name}/${GENERATED_ID}`,
        [
          "wafv2:CreateWebACL",
          "wafv2:GetWebACL",
          "wafv2:UpdateWebACL",
          "wafv2:DeleteWebACL",
          "wafv2:TagResource",
          "wafv2:UntagResource",
          "wafv2:ListTagsForResource",
        ],
        inRegion(regionOf(resource, stack)),
      ),
    ),
  "aws:acm/certificate:Certificate": (resource, stack) =>
    deployer(
      on(
        "*",
        ["acm:RequestCertificate", "acm:AddTagsToCertificate"],
        creating(stack, regionOf(resource, stack)),
      ),
      on(
        `arn:aws:acm:${regionOf(resource, stack)}:${stack.accountId}:certificate/${GENERATED_ID}`,
        [
          "acm:DescribeCertificate",
          "acm:ListTagsForCertificate",
          "acm:AddTagsToCertificate",
          "acm:RemoveTagsFromCertificate",
          "acm:DeleteCertificate",
        ],
        existing(stack, regionOf(resource, stack)),
      ),
    ),
  "aws:acm/certificateValidation:CertificateValidation": (resource, stack) =>
    deployer(
      on(resource.inputs.certificateArn, ["acm:DescribeCertificate"], inRegion(regionOf(resource, stack))),
    ),
  "aws:route53/record:Record": (resource) => {
    const zone = `arn:aws:route53:::hostedzone/${resource.inputs.zoneId}`;
    return deployer(
      on(
        zone,
        ["route53:ChangeResourceRecordSets"],
        globalService({
          "route53:ChangeResourceRecordSetsNormalizedRecordNames": [
            normalizedRecordName(resource.inputs.name),
          ],
        }),
      ),
      on(zone, ["route53:ListResourceRecordSets", "route53:GetHostedZone"], globalService()),
      on(`arn:aws:route53:::change/${GENERATED_ID}`, ["route53:GetChange"], globalService()),
    );
  },

  // ---- edge function --------------------------------------------------------------------------
  "aws:lambda/function:Function": (resource, stack) => {
    const region = regionOf(resource, stack);
    return deployer(
      on(
        `arn:aws:lambda:${region}:${stack.accountId}:function:${resource.inputs.name}`,
        [
          "lambda:CreateFunction",
          "lambda:GetFunction",
          "lambda:GetFunctionConfiguration",
          "lambda:GetFunctionCodeSigningConfig",
          "lambda:UpdateFunctionCode",
          "lambda:UpdateFunctionConfiguration",
          "lambda:PublishVersion",
          "lambda:ListVersionsByFunction",
          "lambda:DeleteFunction",
          "lambda:TagResource",
          "lambda:UntagResource",
          "lambda:ListTags",
        ],
        inRegion(region),
      ),
      on(
        resource.inputs.role,
        ["iam:PassRole"],
        globalService({ "iam:PassedToService": "lambda.amazonaws.com" }),
      ),
    );
  },
  "aws:cloudwatch/logGroup:LogGroup": (resource, stack) => {
    const region = regionOf(resource, stack);
    return deployer(
      on(
        `arn:aws:logs:${region}:${stack.accountId}:log-group:${resource.inputs.name}`,
        [
          "logs:CreateLogGroup",
          "logs:DescribeLogGroups",
          "logs:PutRetentionPolicy",
          "logs:DeleteRetentionPolicy",
          "logs:DeleteLogGroup",
          "logs:TagResource",
          "logs:UntagResource",
          "logs:ListTagsForResource",
        ],
        inRegion(region),
      ),
    );
  },

  // ---- IAM ------------------------------------------------------------------------------------
  "aws:iam/role:Role": (resource, stack) =>
    roleNeeds(
      stack,
      resource.inputs.name,
      [
        "iam:CreateRole",
        "iam:PutRolePermissionsBoundary",
        "iam:UpdateAssumeRolePolicy",
        "iam:UpdateRole",
        "iam:UpdateRoleDescription",
        "iam:TagRole",
        "iam:UntagRole",
        "iam:DeleteRole",
      ],
      [
        "iam:GetRole",
        "iam:ListRolePolicies",
        "iam:ListAttachedRolePolicies",
        "iam:ListInstanceProfilesForRole",
      ],
    ),
  "aws:iam/rolePolicy:RolePolicy": (resource, stack) =>
    roleNeeds(
      stack,
      resource.inputs.role,
      ["iam:PutRolePolicy", "iam:DeleteRolePolicy"],
      ["iam:GetRolePolicy"],
    ),
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (resource, stack) =>
    roleNeeds(
      stack,
      resource.inputs.role,
      ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
      ["iam:ListAttachedRolePolicies"],
    ),
  "aws:iam/policy:Policy": (resource, stack) => {
    const arn = `arn:aws:iam::${stack.accountId}:policy/${resource.inputs.name}`;
    const boundary = resource.inputs.name === boundaryPolicyName(stack.namePrefix);
    return {
      manager: "administrator",
      reason: boundary
        ? "The permissions boundary caps every role the deployer creates: the deployer must never change it."
        : "Every managed policy the stack creates is attached to a CI role (outside the boundary) or meant for other principals.",
      writes: on(
        arn,
        [
          "iam:CreatePolicy",
          "iam:CreatePolicyVersion",
          "iam:SetDefaultPolicyVersion",
          "iam:DeletePolicyVersion",
          "iam:DeletePolicy",
          "iam:TagPolicy",
        ],
        globalService(),
      ),
      reads: on(arn, ["iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions"], globalService()),
    };
  },
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (resource, stack) => {
    const arn = `arn:aws:iam::${stack.accountId}:oidc-provider/${String(resource.inputs.url).replace(/^https:\/\//, "")}`;
    return {
      manager: "administrator",
      reason:
        "An OIDC provider is the account-wide anchor every CI role's trust points at (and other stacks share it).",
      writes: on(
        arn,
        [
          "iam:CreateOpenIDConnectProvider",
          "iam:DeleteOpenIDConnectProvider",
          "iam:AddClientIDToOpenIDConnectProvider",
          "iam:RemoveClientIDFromOpenIDConnectProvider",
          "iam:UpdateOpenIDConnectProviderThumbprint",
          "iam:TagOpenIDConnectProvider",
        ],
        globalService(),
      ),
      reads: on(arn, ["iam:GetOpenIDConnectProvider"], globalService()),
    };
  },

  // ---- credentials table ----------------------------------------------------------------------
  "aws:dynamodb/table:Table": (resource, stack) => {
    const region = regionOf(resource, stack);
    const tableIn = (r: string) => `arn:aws:dynamodb:${r}:${stack.accountId}:table/${resource.inputs.name}`;
    const replicas: { regionName: string }[] = resource.inputs.replicas ?? [];
    return deployer(
      on(
        tableIn(region),
        [
          "dynamodb:CreateTable",
          "dynamodb:DescribeTable",
          "dynamodb:UpdateTable",
          "dynamodb:DeleteTable",
          "dynamodb:DescribeContinuousBackups",
          "dynamodb:UpdateContinuousBackups",
          "dynamodb:DescribeTimeToLive",
          "dynamodb:TagResource",
          "dynamodb:UntagResource",
          "dynamodb:ListTagsOfResource",
        ],
        inRegion(region),
      ),
      // Global tables: the replica is created from the table's region, then written in its own.
      ...replicas.map(({ regionName }) => [
        ...on(
          tableIn(region),
          ["dynamodb:CreateTableReplica", "dynamodb:DeleteTableReplica"],
          inRegion(region),
        ),
        ...on(
          tableIn(regionName),
          [
            "dynamodb:CreateTable",
            "dynamodb:DescribeTable",
            "dynamodb:UpdateTable",
            "dynamodb:DeleteTable",
            "dynamodb:UpdateContinuousBackups",
            "dynamodb:Scan",
            "dynamodb:Query",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:GetItem",
          ],
          inRegion(regionName),
        ),
      ]),
      replicas.length > 0 ? [serviceLinkedRole(stack, "replication.dynamodb.amazonaws.com")] : [],
    );
  },

  // ---- CodeArtifact ---------------------------------------------------------------------------
  "aws:kms/key:Key": (resource, stack) => {
    const region = regionOf(resource, stack);
    return deployer(
      on("*", ["kms:CreateKey", "kms:TagResource"], creating(stack, region)),
      on(
        `arn:aws:kms:${region}:${stack.accountId}:key/${GENERATED_ID}`,
        [
          "kms:DescribeKey",
          "kms:GetKeyPolicy",
          "kms:PutKeyPolicy",
          "kms:GetKeyRotationStatus",
          "kms:EnableKeyRotation",
          "kms:ListResourceTags",
          "kms:TagResource",
          "kms:UntagResource",
          "kms:UpdateKeyDescription",
          "kms:ScheduleKeyDeletion",
        ],
        existing(stack, region),
      ),
    );
  },
  "aws:kms/alias:Alias": (resource, stack) => {
    const region = regionOf(resource, stack);
    const actions = ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"];
    return deployer(
      on(`arn:aws:kms:${region}:${stack.accountId}:${resource.inputs.name}`, actions, inRegion(region)),
      on(`arn:aws:kms:${region}:${stack.accountId}:key/${GENERATED_ID}`, actions, existing(stack, region)),
      on("*", ["kms:ListAliases"], inRegion(region)),
    );
  },
  "aws:codeartifact/domain:Domain": (resource, stack) => {
    const region = regionOf(resource, stack);
    const domain = `arn:aws:codeartifact:${region}:${stack.accountId}:domain/${resource.inputs.domain}`;
    return deployer(
      on(
        domain,
        [
          "codeartifact:CreateDomain",
          "codeartifact:DescribeDomain",
          "codeartifact:DeleteDomain",
          "codeartifact:TagResource",
          "codeartifact:UntagResource",
          "codeartifact:ListTagsForResource",
        ],
        inRegion(region),
      ),
      // CodeArtifact encrypts the domain's assets through a grant on the key.
      on(
        `arn:aws:kms:${region}:${stack.accountId}:key/${GENERATED_ID}`,
        ["kms:DescribeKey"],
        inRegion(region),
      ),
      on(
        `arn:aws:kms:${region}:${stack.accountId}:key/${GENERATED_ID}`,
        ["kms:CreateGrant"],
        inRegion(region, { "kms:GrantIsForAWSResource": "true" }),
      ),
    );
  },
  "aws:codeartifact/repository:Repository": (resource, stack) => {
    const region = regionOf(resource, stack);
    const repositoryArn = (name: string) =>
      `arn:aws:codeartifact:${region}:${stack.accountId}:repository/${resource.inputs.domain}/${name}`;
    const upstreams: { repositoryName: string }[] = resource.inputs.upstreams ?? [];
    return deployer(
      on(
        repositoryArn(resource.inputs.repository),
        [
          "codeartifact:CreateRepository",
          "codeartifact:DescribeRepository",
          "codeartifact:UpdateRepository",
          "codeartifact:DeleteRepository",
          "codeartifact:TagResource",
          "codeartifact:UntagResource",
          "codeartifact:ListTagsForResource",
          ...(resource.inputs.externalConnections
            ? ["codeartifact:AssociateExternalConnection", "codeartifact:DisassociateExternalConnection"]
            : []),
        ],
        inRegion(region),
      ),
      ...upstreams.map(({ repositoryName }) =>
        on(
          repositoryArn(repositoryName),
          ["codeartifact:AssociateWithDownstreamRepository"],
          inRegion(region),
        ),
      ),
    );
  },
  "aws:codeartifact/domainPermissions:DomainPermissions": (resource, stack) => {
    const region = regionOf(resource, stack);
    return deployer(
      on(
        `arn:aws:codeartifact:${region}:${stack.accountId}:domain/${resource.inputs.domain}`,
        [
          "codeartifact:PutDomainPermissionsPolicy",
          "codeartifact:GetDomainPermissionsPolicy",
          "codeartifact:DeleteDomainPermissionsPolicy",
        ],
        inRegion(region),
      ),
    );
  },
  "aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy": (resource, stack) => {
    const region = regionOf(resource, stack);
    return deployer(
      on(
        `arn:aws:codeartifact:${region}:${stack.accountId}:repository/${resource.inputs.domain}/${resource.inputs.repository}`,
        [
          "codeartifact:PutRepositoryPermissionsPolicy",
          "codeartifact:GetRepositoryPermissionsPolicy",
          "codeartifact:DeleteRepositoryPermissionsPolicy",
        ],
        inRegion(region),
      ),
    );
  },

  // ---- CodeArtifact network -------------------------------------------------------------------
  "awsx:ec2:Vpc": (resource, stack) => {
    const region = regionOf(resource, stack);
    const ec2 = (kind: string) => `arn:aws:ec2:${region}:${stack.accountId}:${kind}/${GENERATED_ID}`;
    // awsx creates its children under the program's provider: they carry the default tags too.
    return deployer(
      on(ec2("vpc"), ["ec2:CreateVpc"], creating(stack, region)),
      on(ec2("vpc"), ["ec2:CreateTags"], taggedBy(stack, region, "CreateVpc")),
      on(ec2("vpc"), ["ec2:CreateSubnet", "ec2:CreateRouteTable"], creating(stack, region)),
      on(ec2("vpc"), ["ec2:ModifyVpcAttribute", "ec2:DeleteVpc"], existing(stack, region)),
      on(ec2("subnet"), ["ec2:CreateSubnet"], creating(stack, region)),
      on(ec2("subnet"), ["ec2:CreateTags"], taggedBy(stack, region, "CreateSubnet")),
      on(ec2("subnet"), ["ec2:DeleteSubnet", "ec2:AssociateRouteTable"], existing(stack, region)),
      on(ec2("route-table"), ["ec2:CreateRouteTable"], creating(stack, region)),
      on(ec2("route-table"), ["ec2:CreateTags"], taggedBy(stack, region, "CreateRouteTable")),
      on(
        ec2("route-table"),
        ["ec2:AssociateRouteTable", "ec2:DisassociateRouteTable", "ec2:DeleteRouteTable"],
        existing(stack, region),
      ),
      on(
        "*",
        [
          "ec2:DescribeVpcs",
          "ec2:DescribeSubnets",
          "ec2:DescribeRouteTables",
          "ec2:DescribeAvailabilityZones",
        ],
        inRegion(region),
      ),
    );
  },
  "aws:ec2/securityGroup:SecurityGroup": (resource, stack) => {
    const region = regionOf(resource, stack);
    const group = `arn:aws:ec2:${region}:${stack.accountId}:security-group/${GENERATED_ID}`;
    return deployer(
      // The VPC may be an existing one without the stack's tags: only the request carries them.
      on(
        `arn:aws:ec2:${region}:${stack.accountId}:vpc/${GENERATED_ID}`,
        ["ec2:CreateSecurityGroup"],
        creating(stack, region),
      ),
      on(group, ["ec2:CreateSecurityGroup"], creating(stack, region)),
      on(group, ["ec2:CreateTags"], taggedBy(stack, region, "CreateSecurityGroup")),
      on(
        group,
        [
          "ec2:AuthorizeSecurityGroupIngress",
          "ec2:AuthorizeSecurityGroupEgress",
          // The provider removes the default allow-all egress rule of a new group.
          "ec2:RevokeSecurityGroupEgress",
          "ec2:RevokeSecurityGroupIngress",
          "ec2:DeleteSecurityGroup",
          "ec2:CreateTags",
        ],
        existing(stack, region),
      ),
      on("*", ["ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules"], inRegion(region)),
    );
  },
  "aws:ec2/vpcEndpoint:VpcEndpoint": (resource, stack) => {
    const region = regionOf(resource, stack);
    const ec2 = (kind: string) => `arn:aws:ec2:${region}:${stack.accountId}:${kind}/${GENERATED_ID}`;
    return deployer(
      // The VPC and subnets may be existing ones without the stack's tags: only the request carries them.
      ...["vpc", "subnet", "security-group", "vpc-endpoint"].map((kind) =>
        on(ec2(kind), ["ec2:CreateVpcEndpoint"], creating(stack, region)),
      ),
      on(ec2("vpc-endpoint"), ["ec2:CreateTags"], taggedBy(stack, region, "CreateVpcEndpoint")),
      on(
        ec2("vpc-endpoint"),
        ["ec2:ModifyVpcEndpoint", "ec2:DeleteVpcEndpoints", "ec2:CreateTags"],
        existing(stack, region),
      ),
      on("*", ["ec2:DescribeVpcEndpoints", "ec2:DescribePrefixLists"], inRegion(region)),
    );
  },
};

/** What the deployer needs (or must be kept from) for one declared resource. */
export function needsOf(resource: DeclaredResource, stack: StackFacts): ResourceNeeds {
  const needs = DEPLOYER_NEEDS[resource.type];
  if (!needs) {
    throw new Error(
      `No IAM needs are known for resource type ${resource.type} (${resource.name}): add it to DEPLOYER_NEEDS in ` +
        "rules/deployerNeeds.ts with the actions Pulumi's AWS provider calls to create, read, update and delete " +
        "it, then widen the deployer policy (components/policies/deployer.ts) until the coverage test passes.",
    );
  }
  return needs(resource, stack);
}
