/**
 * What `pulumi preview --refresh` reads: the previewer's whole permission set, and the read half
 * of the deployer's. Describe/Get/List only, scoped to the stack's names where AWS allows; actions
 * that return data rather than configuration (S3 objects, table items, tokens) are left out.
 */
import { PolicyDocument, policyDocument } from "./document";
import { StackScope, stackArns } from "./stackScope";

export function stackReadPolicy(scope: StackScope): PolicyDocument {
  const arns = stackArns(scope);
  return policyDocument([
    {
      // These services have no resource-level permissions for these reads, or generate the ids
      // (CloudFront, certificates, KMS keys, VPC objects), so they cannot be narrowed by name.
      Sid: "ReadUnscopableConfiguration",
      Effect: "Allow",
      Action: [
        "cloudfront:Get*",
        "cloudfront:List*",
        "cloudfront:Describe*",
        "ec2:Describe*",
        "wafv2:GetWebACL",
        "wafv2:List*",
        "wafv2:Describe*",
        "acm:DescribeCertificate",
        "acm:ListCertificates",
        "acm:ListTagsForCertificate",
        "kms:DescribeKey",
        "kms:GetKeyPolicy",
        "kms:GetKeyRotationStatus",
        "kms:ListAliases",
        "kms:ListResourceTags",
        "logs:DescribeLogGroups",
        "iam:ListOpenIDConnectProviders",
        "route53:GetChange",
        "route53:GetHostedZone",
        "route53:ListResourceRecordSets",
        "route53:ListTagsForResource",
      ],
      Resource: "*",
    },
    {
      Sid: "ReadStackBuckets",
      Effect: "Allow",
      Action: ["s3:GetBucket*", "s3:Get*Configuration", "s3:ListBucket"],
      Resource: arns.buckets,
    },
    {
      Sid: "ReadStackFunctions",
      Effect: "Allow",
      Action: ["lambda:GetFunction*", "lambda:GetPolicy", "lambda:ListVersionsByFunction", "lambda:ListTags"],
      Resource: arns.functions,
    },
    {
      Sid: "ReadStackIdentity",
      Effect: "Allow",
      Action: [
        "iam:GetRole",
        "iam:GetRolePolicy",
        "iam:GetPolicy",
        "iam:GetPolicyVersion",
        "iam:GetOpenIDConnectProvider",
        "iam:List*",
      ],
      Resource: [arns.roles, arns.policies, ...arns.oidcProviders],
    },
    {
      Sid: "ReadStackTables",
      Effect: "Allow",
      Action: ["dynamodb:Describe*", "dynamodb:ListTagsOfResource", "dynamodb:GetResourcePolicy"],
      Resource: arns.tables,
    },
    {
      Sid: "ReadStackLogs",
      Effect: "Allow",
      Action: ["logs:ListTagsForResource", "logs:ListTagsLogGroup"],
      Resource: arns.logGroups,
    },
    {
      Sid: "ReadStackCodeArtifact",
      Effect: "Allow",
      Action: [
        "codeartifact:Describe*",
        "codeartifact:List*",
        "codeartifact:GetDomainPermissionsPolicy",
        "codeartifact:GetRepositoryPermissionsPolicy",
        "codeartifact:GetRepositoryEndpoint",
      ],
      Resource: [arns.codeArtifactDomain, arns.codeArtifactRepositories],
    },
  ]);
}
