/**
 * What `pulumi up` for one stack writes, split into managed policies of at most 6,144 characters.
 * The read half is `stackReadPolicy`. Names are scoped to `<namePrefix>-*` and regions to the
 * stack's wherever AWS allows it; each statement that stays broader says why in its Sid comment.
 */
import { PolicyDocument, PolicyStatement, policyDocument } from "./document";
import { STACK_TAG_KEY, StackScope, stackArns, stackRegions, stackTagValue } from "./stackScope";
import { CLOUDFRONT_REGION } from "../../domain/cloudfront";

/** Services a Lambda@Edge execution role is handed to when the function is created and replicated. */
export const PASS_ROLE_SERVICES = ["lambda.amazonaws.com", "edgelambda.amazonaws.com"] as const;

/** Service-linked roles the stack's resources need on first use. */
export const SERVICE_LINKED_ROLE_SERVICES = [
  "replicator.lambda.amazonaws.com",
  "logger.cloudfront.amazonaws.com",
  "replication.dynamodb.amazonaws.com",
] as const;

function regionCondition(regions: readonly string[]): Condition {
  return { StringEquals: { "aws:RequestedRegion": regions } };
}

/** Conditions confining a statement to the stack's tagged resources (README "What stays broad"). */
function stackTag(scope: StackScope) {
  const value = stackTagValue(scope.namePrefix);
  return {
    value,
    /** The resource already carries the stack's tag: updates, deletes, tag changes. */
    onResource: { StringEquals: { [`aws:ResourceTag/${STACK_TAG_KEY}`]: value } },
    /** The create request tags the new resource with the stack's tag (tag-on-create). */
    inRequest: { StringEquals: { [`aws:RequestTag/${STACK_TAG_KEY}`]: value } },
  };
}

type Condition = NonNullable<PolicyStatement["Condition"]>;

/** Condition blocks that must all hold; keys under one operator are merged. */
function allOf(...conditions: Condition[]): Condition {
  const merged: Record<string, Record<string, string | readonly string[]>> = {};
  for (const condition of conditions) {
    for (const [operator, keys] of Object.entries(condition))
      merged[operator] = { ...merged[operator], ...keys };
  }
  return merged;
}

function edgeStatements(scope: StackScope): PolicyStatement[] {
  const arns = stackArns(scope);
  const tag = stackTag(scope);
  const statements: PolicyStatement[] = [
    { Sid: "ManageStackBuckets", Effect: "Allow", Action: "s3:*", Resource: arns.buckets },
    {
      // `pulumi up` never reads or writes objects (forceDestroy is off): package files stay out of reach.
      Sid: "DenyPackageData",
      Effect: "Deny",
      Action: "s3:*",
      Resource: `${arns.buckets}/*`,
    },
    {
      Sid: "CreateStackDistributions",
      Effect: "Allow",
      Action: [
        "cloudfront:CreateDistribution",
        "cloudfront:CreateDistributionWithTags",
        "cloudfront:TagResource",
      ],
      Resource: arns.distributions,
      Condition: tag.inRequest,
    },
    {
      Sid: "ManageStackDistributions",
      Effect: "Allow",
      Action: [
        "cloudfront:UpdateDistribution",
        "cloudfront:DeleteDistribution",
        "cloudfront:TagResource",
        "cloudfront:UntagResource",
      ],
      Resource: arns.distributions,
      Condition: tag.onResource,
    },
    {
      // These CloudFront objects cannot be tagged and get generated ids: only the account pins them.
      Sid: "ManageUntaggableCloudFrontObjects",
      Effect: "Allow",
      Action: [
        "cloudfront:*CachePolicy",
        "cloudfront:*OriginRequestPolicy",
        "cloudfront:*ResponseHeadersPolicy",
        "cloudfront:*OriginAccessControl",
      ],
      Resource: arns.untaggableCloudFront,
    },
    { Sid: "ManageStackFunctions", Effect: "Allow", Action: "lambda:*", Resource: arns.functions },
    {
      Sid: "ManageStackLogGroups",
      Effect: "Allow",
      Action: [
        "logs:CreateLogGroup",
        "logs:DeleteLogGroup",
        "logs:PutRetentionPolicy",
        "logs:DeleteRetentionPolicy",
        "logs:TagResource",
        "logs:UntagResource",
        "logs:TagLogGroup",
        "logs:UntagLogGroup",
        "logs:AssociateKmsKey",
        "logs:DisassociateKmsKey",
      ],
      Resource: arns.logGroups,
    },
    {
      // Web ACL names are the stack's; a web ACL references AWS-owned managed rule groups.
      Sid: "ManageStackWebAcl",
      Effect: "Allow",
      Action: [
        "wafv2:CreateWebACL",
        "wafv2:UpdateWebACL",
        "wafv2:DeleteWebACL",
        "wafv2:TagResource",
        "wafv2:UntagResource",
      ],
      Resource: [`${arns.webAcls}/*`, `arn:aws:wafv2:${CLOUDFRONT_REGION}:*:global/managedruleset/*`],
    },
    {
      // RequestCertificate has no resource before the certificate exists.
      Sid: "RequestEdgeCertificates",
      Effect: "Allow",
      Action: ["acm:RequestCertificate", "acm:AddTagsToCertificate"],
      Resource: "*",
      Condition: allOf(regionCondition([CLOUDFRONT_REGION]), tag.inRequest),
    },
    {
      Sid: "ManageEdgeCertificates",
      Effect: "Allow",
      Action: ["acm:DeleteCertificate", "acm:AddTagsToCertificate", "acm:RemoveTagsFromCertificate"],
      Resource: arns.certificates,
      Condition: tag.onResource,
    },
  ];
  if (scope.customDomain) {
    const { name, hostedZoneId } = scope.customDomain;
    statements.push({
      Sid: "ManageCustomDomainRecords",
      Effect: "Allow",
      Action: "route53:ChangeResourceRecordSets",
      Resource: `arn:aws:route53:::hostedzone/${hostedZoneId}`,
      Condition: {
        "ForAllValues:StringLike": {
          "route53:ChangeResourceRecordSetsNormalizedRecordNames": [name, `*.${name}`],
        },
      },
    });
  }
  return statements;
}

/** Role writes that grant permissions: allowed only on roles that carry the stack's boundary. */
export const BOUNDED_ROLE_ACTIONS = [
  "iam:CreateRole",
  "iam:PutRolePolicy",
  "iam:DeleteRolePolicy",
  "iam:AttachRolePolicy",
  "iam:DetachRolePolicy",
  "iam:PutRolePermissionsBoundary",
] as const;

/** Writes to the boundary policy the deployer is explicitly denied. */
export const BOUNDARY_WRITE_ACTIONS = [
  "iam:CreatePolicyVersion",
  "iam:DeletePolicyVersion",
  "iam:SetDefaultPolicyVersion",
  "iam:DeletePolicy",
  "iam:TagPolicy",
  "iam:UntagPolicy",
] as const;

/** Tagging actions of the services whose resources are confined by the Stack tag. */
export const STACK_TAGGING_ACTIONS = {
  add: ["cloudfront:TagResource", "kms:TagResource", "acm:AddTagsToCertificate", "ec2:CreateTags"],
  remove: [
    "cloudfront:UntagResource",
    "kms:UntagResource",
    "acm:RemoveTagsFromCertificate",
    "ec2:DeleteTags",
  ],
} as const;

/**
 * The Stack tag is what confines the deployer, so it must not move: no tagging of another stack's
 * resources, no Stack tag naming another stack, no removing the Stack tag.
 */
function stackTagGuards(scope: StackScope): PolicyStatement[] {
  const { value } = stackTag(scope);
  const allTagging = [...STACK_TAGGING_ACTIONS.add, ...STACK_TAGGING_ACTIONS.remove];
  return [
    {
      Sid: "DenyTaggingOtherStacks",
      Effect: "Deny",
      Action: allTagging,
      Resource: "*",
      Condition: {
        StringNotEquals: { [`aws:ResourceTag/${STACK_TAG_KEY}`]: value },
        Null: { [`aws:ResourceTag/${STACK_TAG_KEY}`]: "false" },
      },
    },
    {
      Sid: "DenyStackTagOfOtherStacks",
      Effect: "Deny",
      Action: [...STACK_TAGGING_ACTIONS.add],
      Resource: "*",
      Condition: {
        StringNotEquals: { [`aws:RequestTag/${STACK_TAG_KEY}`]: value },
        Null: { [`aws:RequestTag/${STACK_TAG_KEY}`]: "false" },
      },
    },
    {
      Sid: "DenyStackTagRemoval",
      Effect: "Deny",
      Action: [...STACK_TAGGING_ACTIONS.remove],
      Resource: "*",
      Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": STACK_TAG_KEY } },
    },
  ];
}

/**
 * The deployer manages only roles that carry the boundary; the identity layer (CI roles, every
 * managed policy, the OIDC providers, the boundary) is an administrator's: see the README's
 * "Permissions boundary and bootstrap". Managed policies are never written, because each one the
 * stack creates is attached to a role outside the boundary (CI roles) or meant for other principals.
 */
function identityStatements(scope: StackScope): PolicyStatement[] {
  const arns = stackArns(scope);
  return [
    {
      Sid: "ManageBoundedRoles",
      Effect: "Allow",
      Action: [...BOUNDED_ROLE_ACTIONS],
      Resource: arns.roles,
      Condition: { StringEquals: { "iam:PermissionsBoundary": arns.boundary } },
    },
    {
      // These actions cannot be conditioned on the boundary; they neither add permissions nor
      // reach the CI roles (denied below).
      Sid: "ManageStackRoles",
      Effect: "Allow",
      Action: [
        "iam:DeleteRole",
        "iam:UpdateRole",
        "iam:UpdateRoleDescription",
        "iam:UpdateAssumeRolePolicy",
        "iam:TagRole",
        "iam:UntagRole",
      ],
      Resource: arns.roles,
    },
    {
      Sid: "PassStackRolesToLambda",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: arns.roles,
      Condition: { StringEquals: { "iam:PassedToService": [...PASS_ROLE_SERVICES] } },
    },
    {
      Sid: "CreateServiceLinkedRoles",
      Effect: "Allow",
      Action: "iam:CreateServiceLinkedRole",
      Resource: `arn:aws:iam::${scope.accountId}:role/aws-service-role/*`,
      Condition: { StringEquals: { "iam:AWSServiceName": [...SERVICE_LINKED_ROLE_SERVICES] } },
    },
    {
      Sid: "DenyBoundaryRemoval",
      Effect: "Deny",
      Action: "iam:DeleteRolePermissionsBoundary",
      Resource: "*",
    },
    {
      Sid: "DenyBoundaryChanges",
      Effect: "Deny",
      Action: [...BOUNDARY_WRITE_ACTIONS],
      Resource: arns.boundary,
    },
    ...stackTagGuards(scope),
    {
      // Its own role above all: no trust, policy or boundary change, no passing the CI roles on.
      Sid: "DenyCiRoleChanges",
      Effect: "Deny",
      NotAction: ["iam:Get*", "iam:List*"],
      Resource: arns.ciRoles,
    },
  ];
}

/** EC2 creates that tag on create: the new resource must carry the stack's tag. */
const NETWORK_CREATE_ACTIONS = [
  "ec2:CreateVpc",
  "ec2:CreateSubnet",
  "ec2:CreateRouteTable",
  "ec2:CreateInternetGateway",
  "ec2:AllocateAddress",
  "ec2:CreateNatGateway",
  "ec2:CreateVpcEndpoint",
  "ec2:CreateSecurityGroup",
];

function dataStatements(scope: StackScope): PolicyStatement[] {
  const arns = stackArns(scope);
  const tag = stackTag(scope);
  const network = (kinds: readonly string[]) =>
    kinds.map((kind) => `arn:aws:ec2:${scope.region}:${scope.accountId}:${kind}/*`);
  const statements: PolicyStatement[] = [
    {
      // Control plane only: the deployer never reads or writes credentials.
      Sid: "ManageStackTables",
      Effect: "Allow",
      Action: [
        "dynamodb:CreateTable",
        "dynamodb:UpdateTable",
        "dynamodb:DeleteTable",
        "dynamodb:Describe*",
        "dynamodb:ListTagsOfResource",
        "dynamodb:UpdateContinuousBackups",
        "dynamodb:UpdateTimeToLive",
        "dynamodb:TagResource",
        "dynamodb:UntagResource",
        "dynamodb:CreateTableReplica",
        "dynamodb:DeleteTableReplica",
      ],
      Resource: arns.tables,
      Condition: regionCondition(stackRegions(scope)),
    },
  ];
  if (arns.replicaTables.length > 0) {
    statements.push({
      // DynamoDB seeds a new replica with the caller's item reads and writes in the replica's region.
      Sid: "SeedTableReplicas",
      Effect: "Allow",
      Action: [
        "dynamodb:Scan",
        "dynamodb:Query",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
      ],
      Resource: arns.replicaTables,
    });
  }
  return [
    ...statements,
    {
      // A new key has no ARN yet: KMS checks TagResource on every key for the tags of CreateKey.
      Sid: "CreateStackKeys",
      Effect: "Allow",
      Action: ["kms:CreateKey", "kms:TagResource"],
      Resource: "*",
      Condition: allOf(regionCondition(stackRegions(scope)), tag.inRequest),
    },
    {
      Sid: "ManageStackKeys",
      Effect: "Allow",
      Action: [
        "kms:EnableKeyRotation",
        "kms:DisableKeyRotation",
        "kms:PutKeyPolicy",
        "kms:UpdateKeyDescription",
        "kms:ScheduleKeyDeletion",
        "kms:CancelKeyDeletion",
        "kms:TagResource",
        "kms:UntagResource",
        "kms:CreateAlias",
        "kms:DeleteAlias",
        "kms:UpdateAlias",
      ],
      Resource: arns.keys,
      Condition: tag.onResource,
    },
    {
      // Aliases cannot be tagged; their names are the stack's.
      Sid: "ManageStackKeyAliases",
      Effect: "Allow",
      Action: ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
      Resource: arns.keyAliases,
    },
    {
      // A configured CodeArtifact key may be the administrator's (untagged); grants are for AWS services only.
      Sid: "GrantKeysToAwsServices",
      Effect: "Allow",
      Action: "kms:CreateGrant",
      Resource: arns.keys,
      Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
    },
    {
      Sid: "ManageStackCodeArtifact",
      Effect: "Allow",
      Action: [
        "codeartifact:CreateDomain",
        "codeartifact:DeleteDomain",
        "codeartifact:CreateRepository",
        "codeartifact:UpdateRepository",
        "codeartifact:DeleteRepository",
        "codeartifact:AssociateExternalConnection",
        "codeartifact:DisassociateExternalConnection",
        "codeartifact:AssociateWithDownstreamRepository",
        "codeartifact:PutDomainPermissionsPolicy",
        "codeartifact:DeleteDomainPermissionsPolicy",
        "codeartifact:PutRepositoryPermissionsPolicy",
        "codeartifact:DeleteRepositoryPermissionsPolicy",
        "codeartifact:TagResource",
        "codeartifact:UntagResource",
      ],
      Resource: [arns.codeArtifactDomain, arns.codeArtifactRepositories],
    },
    {
      // The parents (an existing VPC and its subnets) may be untagged; the request must tag the new resource.
      Sid: "CreateStackNetwork",
      Effect: "Allow",
      Action: NETWORK_CREATE_ACTIONS,
      Resource: arns.network,
      Condition: tag.inRequest,
    },
    {
      Sid: "TagNetworkOnCreate",
      Effect: "Allow",
      Action: "ec2:CreateTags",
      Resource: arns.network,
      Condition: allOf(tag.inRequest, {
        StringEquals: { "ec2:CreateAction": NETWORK_CREATE_ACTIONS.map((a) => a.replace("ec2:", "")) },
      }),
    },
    {
      Sid: "ManageStackNetwork",
      Effect: "Allow",
      Action: [
        "ec2:DeleteVpc",
        "ec2:ModifyVpcAttribute",
        "ec2:DeleteSubnet",
        "ec2:ModifySubnetAttribute",
        "ec2:DeleteRouteTable",
        "ec2:AssociateRouteTable",
        "ec2:DisassociateRouteTable",
        "ec2:CreateRoute",
        "ec2:ReplaceRoute",
        "ec2:DeleteRoute",
        "ec2:AttachInternetGateway",
        "ec2:DetachInternetGateway",
        "ec2:DeleteInternetGateway",
        "ec2:ReleaseAddress",
        "ec2:DeleteNatGateway",
        "ec2:ModifyVpcEndpoint",
        "ec2:DeleteVpcEndpoints",
        "ec2:DeleteSecurityGroup",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:CreateTags",
        "ec2:DeleteTags",
      ],
      Resource: arns.network,
      Condition: tag.onResource,
    },
    {
      // Untagged parts the actions above also name: rules of the (tagged) group, and an existing
      // VPC's subnets or route tables an endpoint (still tagged) is moved to.
      Sid: "ReachUntaggedNetworkParts",
      Effect: "Allow",
      Action: [
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:ModifyVpcEndpoint",
      ],
      Resource: network(["security-group-rule", "subnet", "route-table"]),
    },
  ];
}

/** The deployer's write permissions, by managed-policy name suffix. */
export function deployerPolicies(scope: StackScope): Record<"edge" | "identity" | "data", PolicyDocument> {
  return {
    edge: policyDocument(edgeStatements(scope)),
    identity: policyDocument(identityStatements(scope)),
    data: policyDocument(dataStatements(scope)),
  };
}
