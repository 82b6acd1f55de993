/**
 * What `pulumi up` for one stack writes, split into managed policies of at most 6,144 characters.
 * The read half is `stackReadPolicy`. Names are scoped to `<namePrefix>-*` and regions to the
 * stack's wherever AWS allows it; each statement that stays broader says why in its Sid comment.
 */
import { PolicyDocument, PolicyStatement, policyDocument } from "./document";
import { EDGE_REGION, StackScope, stackArns, stackRegions } from "./stackScope";

/** Services a Lambda@Edge execution role is handed to when the function is created and replicated. */
export const PASS_ROLE_SERVICES = ["lambda.amazonaws.com", "edgelambda.amazonaws.com"] as const;

/** Service-linked roles the stack's resources need on first use. */
export const SERVICE_LINKED_ROLE_SERVICES = [
  "replicator.lambda.amazonaws.com",
  "logger.cloudfront.amazonaws.com",
  "replication.dynamodb.amazonaws.com",
] as const;

function regionCondition(regions: readonly string[]) {
  return { StringEquals: { "aws:RequestedRegion": regions } };
}

function edgeStatements(scope: StackScope): PolicyStatement[] {
  const arns = stackArns(scope);
  const statements: PolicyStatement[] = [
    { Sid: "ManageStackBuckets", Effect: "Allow", Action: "s3:*", Resource: arns.buckets },
    {
      // Distributions, cache policies and origin access controls get generated ids: only the
      // account can be pinned.
      Sid: "ManageDistributionsInAccount",
      Effect: "Allow",
      Action: [
        "cloudfront:CreateDistribution*",
        "cloudfront:UpdateDistribution",
        "cloudfront:DeleteDistribution",
        "cloudfront:*CachePolicy",
        "cloudfront:*OriginRequestPolicy",
        "cloudfront:*ResponseHeadersPolicy",
        "cloudfront:*OriginAccessControl",
        "cloudfront:TagResource",
        "cloudfront:UntagResource",
      ],
      Resource: arns.cloudFront,
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
      // A web ACL references AWS-owned managed rule groups, whose ARNs carry no account of ours.
      Sid: "ManageStackWebAcl",
      Effect: "Allow",
      Action: [
        "wafv2:CreateWebACL",
        "wafv2:UpdateWebACL",
        "wafv2:DeleteWebACL",
        "wafv2:TagResource",
        "wafv2:UntagResource",
      ],
      Resource: [`${arns.webAcls}/*`, `arn:aws:wafv2:${EDGE_REGION}:*:global/managedruleset/*`],
    },
    {
      // RequestCertificate has no resource before the certificate exists.
      Sid: "RequestEdgeCertificates",
      Effect: "Allow",
      Action: ["acm:RequestCertificate", "acm:AddTagsToCertificate"],
      Resource: "*",
      Condition: regionCondition([EDGE_REGION]),
    },
    {
      Sid: "ManageEdgeCertificates",
      Effect: "Allow",
      Action: ["acm:DeleteCertificate", "acm:RemoveTagsFromCertificate"],
      Resource: arns.certificates,
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
    {
      // Its own role above all: no trust, policy or boundary change, no passing the CI roles on.
      Sid: "DenyCiRoleChanges",
      Effect: "Deny",
      NotAction: ["iam:Get*", "iam:List*"],
      Resource: arns.ciRoles,
    },
  ];
}

function dataStatements(scope: StackScope): PolicyStatement[] {
  const arns = stackArns(scope);
  return [
    {
      // Adding a global-table replica needs item reads and writes on the replica, so the data plane
      // stays in; the table names still pin it to this stack.
      Sid: "ManageStackTables",
      Effect: "Allow",
      Action: "dynamodb:*",
      Resource: [arns.tables, `${arns.tables}/*`],
      Condition: regionCondition(stackRegions(scope)),
    },
    {
      // A new key has no ARN yet; the key policy written at creation is what guards it afterwards.
      Sid: "CreateKeys",
      Effect: "Allow",
      Action: ["kms:CreateKey", "kms:TagResource"],
      Resource: "*",
      Condition: regionCondition(stackRegions(scope)),
    },
    {
      // Key ids are generated: keys are pinned to the account and the stack's regions only.
      Sid: "ManageKeysInAccount",
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
      Resource: [...arns.keys, ...arns.keyAliases],
    },
    {
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
      // VPC objects get generated ids; the network is pinned to the account and the stack's region.
      Sid: "ManageNetworkInRegion",
      Effect: "Allow",
      Action: [
        "ec2:CreateVpc",
        "ec2:DeleteVpc",
        "ec2:ModifyVpcAttribute",
        "ec2:CreateSubnet",
        "ec2:DeleteSubnet",
        "ec2:ModifySubnetAttribute",
        "ec2:CreateRouteTable",
        "ec2:DeleteRouteTable",
        "ec2:AssociateRouteTable",
        "ec2:DisassociateRouteTable",
        "ec2:CreateRoute",
        "ec2:ReplaceRoute",
        "ec2:DeleteRoute",
        "ec2:CreateInternetGateway",
        "ec2:AttachInternetGateway",
        "ec2:DetachInternetGateway",
        "ec2:DeleteInternetGateway",
        "ec2:AllocateAddress",
        "ec2:ReleaseAddress",
        "ec2:CreateNatGateway",
        "ec2:DeleteNatGateway",
        "ec2:CreateVpcEndpoint",
        "ec2:ModifyVpcEndpoint",
        "ec2:DeleteVpcEndpoints",
        "ec2:CreateSecurityGroup",
        "ec2:DeleteSecurityGroup",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:CreateTags",
        "ec2:DeleteTags",
      ],
      Resource: arns.network,
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
